"""Forms of the pages: they parse what a person typed; the services decide what it means.

One module per area; the names are importable from here, as the views import them.
"""

from councils.web.forms.accounts import EmailChangeForm, NotificationSettingsForm, PasswordResetForm
from councils.web.forms.audit import AuditFilterForm
from councils.web.forms.blocs import BlocFactionsForm, BlocForm
from councils.web.forms.dates import AtForm, DateInput, HistoryRangeForm
from councils.web.forms.elections import MAX_DECLARATION_ROWS, ElectionDeclareForm, ElectionOpenForm
from councils.web.forms.members import MemberMoveForm, MembersImportForm, PetitionOpenForm

__all__ = [
    "MAX_DECLARATION_ROWS",
    "AtForm",
    "AuditFilterForm",
    "BlocFactionsForm",
    "BlocForm",
    "DateInput",
    "ElectionDeclareForm",
    "ElectionOpenForm",
    "EmailChangeForm",
    "HistoryRangeForm",
    "MemberMoveForm",
    "MembersImportForm",
    "NotificationSettingsForm",
    "PasswordResetForm",
    "PetitionOpenForm",
]
