"""What polls decide besides their result: one module per purpose (see :mod:`councils.voting.purposes`).

- :mod:`.recall`: a recall vote, opened when a petition reaches the threshold of a council whose
  recall mode is "vote"; its published result ends the seat (and opens the by-election) or keeps it.
- :mod:`.elections`: a constituency's members electing its deputies, and a council's deputies
  electing its delegates to the council above; the declared result fills an open federation
  election's seats through ``election_declare``.
- :mod:`.lists`: a list election: members vote for factions' lists, the election's seats are
  apportioned among the lists by the assembly's method and threshold, then filled in list order.

Each module holds the service that creates its poll and the handler its publication runs.
"""

from __future__ import annotations


def register_all() -> None:
    """Register every purpose's handlers and the federation's recall vote opener (app ready)."""
    from councils.federation.services.recall import recall_vote_register
    from councils.voting import purposes
    from councils.voting.handlers import elections, lists, recall
    from councils.voting.models import Poll

    purposes.register(Poll.Purpose.RECALL, recall.recall_published)
    purposes.register(Poll.Purpose.DEPUTIES, elections.election_published)
    purposes.register(Poll.Purpose.DELEGATES, elections.election_published)
    purposes.register(Poll.Purpose.LIST, lists.list_published)
    purposes.register_counter(Poll.Purpose.LIST, lists.list_counted)
    recall_vote_register(recall.recall_poll_open)
