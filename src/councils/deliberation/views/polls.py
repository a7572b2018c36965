"""The chair's part of a sitting's polls on the sitting page: open a named poll on the current
item's motion or amendment (the deputies present vote on the poll's page), and end it (counted and
published at once, the decision recorded)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from councils.deliberation import selectors
from councils.deliberation.models import Amendment, Motion, Sitting, SittingPoll
from councils.deliberation.services import polls
from councils.voting.models import Poll


class PollOpenForm(forms.Form):
    subject = forms.ChoiceField(label=gettext_lazy("What is put to the vote"))
    secrecy = forms.ChoiceField(
        label=gettext_lazy("Secrecy"), choices=Poll.Secrecy.choices, initial=Poll.Secrecy.OPEN
    )

    def __init__(self, *args: Any, subjects: list[tuple[str, str]], **kwargs: Any) -> None:
        # Its own ids: the chair's form for a vote counted in the hall is on the same page.
        kwargs.setdefault("auto_id", "poll_%s")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["subject"]).choices = subjects


def open_poll(sitting: Sitting) -> Poll | None:
    """The sitting's poll that is open now, if any (what the chair may end)."""
    link = (
        SittingPoll.objects.filter(sitting=sitting, poll__state=Poll.State.OPEN)
        .select_related("poll")
        .order_by("-opened_at")
        .first()
    )
    return link.poll if link is not None else None


def poll_open_action(request: HttpRequest, sitting: Sitting) -> str:
    from councils.deliberation.views.sittings import _decision_subjects

    state = selectors.sitting_state(sitting=sitting)
    form = PollOpenForm(request.POST, subjects=_decision_subjects(state))
    if not form.is_valid():
        raise ValidationError({k: v for k, v in form.errors.items()})
    kind, _dash, pk = form.cleaned_data["subject"].partition("-")
    secrecy = form.cleaned_data["secrecy"]
    if kind == "amendment":
        amendment = get_object_or_404(Amendment, pk=pk, motion__council=sitting.council)
        poll = polls.sitting_poll_open(
            actor=request.user, sitting=sitting, amendment=amendment, secrecy=secrecy
        )
    else:
        motion = get_object_or_404(Motion, pk=pk, council=sitting.council)
        poll = polls.sitting_poll_open(actor=request.user, sitting=sitting, motion=motion, secrecy=secrecy)
    return _("The vote is open: %(title)s.") % {"title": poll.title}


def poll_close_action(request: HttpRequest, sitting: Sitting) -> str:
    poll = open_poll(sitting)
    if poll is None:
        raise ValidationError({"poll": _("No vote is open in this sitting.")})
    poll = polls.sitting_poll_close(actor=request.user, poll=poll)
    if poll.state == Poll.State.CLOSED:
        return _("The vote is closed; its result is published when the trustees have decrypted it.")
    return _("The vote is closed: %(outcome)s.") % {"outcome": (poll.result or {}).get("outcome", "")}
