"""Streams: the chain head moves from the organization's row into an audit stream of its own.

Every existing event goes into its organization's stream with its sequence number unchanged, and
the stream's head is the organization's recorded head. Existing events keep hash version 1 (their
English summary is hashed), so they verify as before; new events are hashed by version 2.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

ORGANIZATION_OWNER = "federation.organization"


def carry_chain_heads(apps, schema_editor):
    """Give each organization that has a chain its stream, with the head it records, and put its
    events in it. Organizations without events get their stream on their first event."""
    Organization = apps.get_model("federation", "Organization")
    Stream = apps.get_model("audit", "Stream")
    Event = apps.get_model("audit", "Event")
    with_events = set(Event.objects.values_list("organization_id", flat=True).distinct())
    for organization in Organization.objects.order_by("pk"):
        if not organization.chain_length and organization.pk not in with_events:
            continue
        stream = Stream.objects.create(
            organization_id=organization.pk,
            owner_type=ORGANIZATION_OWNER,
            owner_id=str(organization.pk),
            length=organization.chain_length,
            head=organization.chain_head,
        )
        Event.objects.filter(organization_id=organization.pk).update(stream=stream)


def restore_chain_heads(apps, schema_editor):
    """Back to one chain per organization: its own stream's head returns to its row."""
    Organization = apps.get_model("federation", "Organization")
    Stream = apps.get_model("audit", "Stream")
    for stream in Stream.objects.filter(owner_type=ORGANIZATION_OWNER):
        if stream.owner_id == str(stream.organization_id):
            Organization.objects.filter(pk=stream.organization_id).update(
                chain_length=stream.length, chain_head=stream.head
            )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("federation", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Stream",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("owner_type", models.CharField(max_length=64, verbose_name="owner type")),
                ("owner_id", models.CharField(max_length=64, verbose_name="owner id")),
                ("length", models.PositiveBigIntegerField(default=0, verbose_name="length")),
                ("head", models.CharField(blank=True, max_length=64, verbose_name="head hash")),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="audit_streams",
                        to="federation.organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "stream",
                "verbose_name_plural": "streams",
                "ordering": ["organization", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "owner_type", "owner_id"), name="audit_stream_one_per_owner"
                    ),
                    models.CheckConstraint(
                        condition=Q(length=0, head="") | (Q(length__gte=1) & ~Q(head="")),
                        name="audit_stream_head_with_length",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="event",
            name="stream",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="audit.stream",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="hash version"),
            preserve_default=False,
        ),
        migrations.RenameField(model_name="event", old_name="summary", new_name="legacy_summary"),
        migrations.AlterField(
            model_name="event",
            name="legacy_summary",
            field=models.CharField(blank=True, max_length=300, verbose_name="legacy summary"),
        ),
        migrations.RunPython(carry_chain_heads, restore_chain_heads),
        migrations.AlterField(
            model_name="event",
            name="stream",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="events", to="audit.stream"
            ),
        ),
        migrations.RemoveConstraint(model_name="event", name="audit_event_one_per_sequence"),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.UniqueConstraint(fields=("stream", "sequence"), name="audit_event_one_per_sequence"),
        ),
        migrations.RemoveIndex(model_name="event", name="audit_event_org_kind"),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["organization", "kind", "-id"], name="audit_event_org_kind"),
        ),
        migrations.AlterModelOptions(
            name="event",
            options={"ordering": ["stream", "sequence"], "verbose_name": "event", "verbose_name_plural": "events"},
        ),
    ]
