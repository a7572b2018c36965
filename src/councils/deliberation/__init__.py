"""Deliberation: sittings of councils and congresses (attendance, quorum, agenda, speakers), motions
with amendments, decisions, instructions to delegates, credentials and minutes.

The word is *sitting* everywhere (code, pages, documentation): ARCHITECTURE's glossary calls it a
"Session", which in a Django project also names the login session, so the pages' word is the code's.
"""
