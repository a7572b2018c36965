"""Template tags other apps' pages use to show deliberation's records."""

from __future__ import annotations

from django import template

from councils.deliberation.selectors.records import DelegateRecord, delegate_record
from councils.federation.models import Seat

register = template.Library()


@register.simple_tag
def delegate_record_of(seat: Seat) -> DelegateRecord:
    """A deputy's record as a delegate (beside a recall petition against them)."""
    return delegate_record(seat=seat)
