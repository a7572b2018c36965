"""Date and number formats where Councils departs from Django's (FORMAT_MODULE_PATH)."""
