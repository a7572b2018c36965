from typing import Any

from django.db import migrations
from django.db.models import Exists, JSONField, OuterRef, Subquery


def _events(apps: Any) -> Any:
    """The ballot events with the outer participation's poll and tracker."""
    BoardEvent = apps.get_model("voting", "BoardEvent")
    return BoardEvent.objects.filter(
        poll_id=OuterRef("poll_id"), tracker=OuterRef("tracker"), type="ballot"
    ).exclude(tracker="").order_by()


def _secret(apps: Any) -> Any:
    Participation = apps.get_model("voting", "Participation")
    return Participation.objects.filter(poll__secrecy="secret").exclude(tracker="")


def forward(apps: Any, schema_editor: Any) -> None:
    _secret(apps).filter(ballot__isnull=False).filter(Exists(_events(apps))).update(ballot=None)


def backward(apps: Any, schema_editor: Any) -> None:
    ballot = Subquery(_events(apps).values("body__ballot")[:1], output_field=JSONField())
    _secret(apps).filter(ballot__isnull=True).update(ballot=ballot)


class Migration(migrations.Migration):
    # A secret ballot is stored once, in its board event's body: the participation keeps only its
    # tracker, which names that event. Forward, a secret poll's participation whose ballot event is
    # on the board loses its copy of the ballot (a row whose event is missing keeps it: nothing is
    # lost). Backward, each secret participation gets its ballot back from the board. The board's
    # rows are not touched (they are append-only).

    dependencies = [
        ("voting", "0005_secret_tally_without_running_sums"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
