"""Who reads whose contact details: members see each other's names, officers who need them also see
e-mail addresses.

Every member can read an organization's audit log and its pages. They see who did what by name:
the name the person has as a member of the organization, else the name on their account. E-mail
addresses (which are also the user names of imported members) are shown only to the officers whose
work needs them, the organizers and returning officers (the rule ``federation.see_contact``).
Text recorded before this rule (an event's summary or payload naming a user by address) is shown to
everyone else with the address replaced.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

# An address as people write them: enough to find one inside a sentence, not a validator.
EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"']+")


def hide_addresses(value: Any) -> Any:
    """``value`` with every e-mail address in its strings replaced (lists and mappings too)."""
    if isinstance(value, str):
        return EMAIL.sub(lambda _match: _("[address hidden]"), value) if "@" in value else value
    if isinstance(value, list | tuple):
        return [hide_addresses(v) for v in value]
    if isinstance(value, dict):
        return {k: hide_addresses(v) for k, v in value.items()}
    return value


def display_name(*, member_name: str | None, first_name: str, last_name: str, username: str, pk: int) -> str:
    """What a reader without the right to contact details calls a person: their name as a member,
    else their account's name, else their user name unless it is an address."""
    if member_name:
        return member_name
    full = f"{first_name} {last_name}".strip()
    if full:
        return full
    if username and "@" not in username:
        return username
    return _("person no. %(id)s") % {"id": pk}


def with_address(name: str, email: str) -> str:
    """A name followed by the address, for officers: ``Anna Petrova <anna@example.org>``."""
    return f"{name} <{email}>" if email and email not in name else name
