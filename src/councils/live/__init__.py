"""Live updates: topics, publishing after commit, and the per-process hub of open streams."""
