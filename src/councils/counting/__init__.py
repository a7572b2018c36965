"""Councils' counting library: ballot profiles, counting methods, majority rules, apportionment.

Pure Python and NumPy; imports nothing from Django, so it can be used on its own.
"""

from __future__ import annotations
