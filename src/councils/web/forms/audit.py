"""The audit log's filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    """The audit log's filter by kind of event."""

    kind = forms.ChoiceField(label=_("Kind of event"), required=False)

    def __init__(self, *args: object, kinds: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [("", _("All kinds")), *((k, k) for k in kinds)]  # type: ignore[attr-defined]
