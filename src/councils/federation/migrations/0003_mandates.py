"""Mandates: a seat is one row for as long as the mandate lasts.

Before this migration a change of faction or a re-election ended the seat row ("superseded", or
"term" for the re-elected) and started another, re-pointing petitions and delegate seats to it.
Here each such chain of rows becomes its first row (the mandate), with the chain's factions as
dated affiliations and its elections as terms; references to the later rows point at the first;
the later rows go. The composition of every council at every moment stays the same (the demo was
checked date by date). Audit events keep the seat ids they recorded then.
"""

from collections import defaultdict

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def plan_mandates(rows):
    """From old-style seat rows (dicts, ordered by start), the mandates they form.

    Returns ``(head_of, heads, affiliations, terms)``: the first row of each row's chain; for each
    first row its final ``end``, ``end_reason``, ``slot`` and ``derives_from`` (mapped to first
    rows); the affiliation periods ``(head, faction, start, end, council, organization)``; and the
    terms ``(head, election, start, ends)``.
    """
    by_start = {}
    for row in rows:
        key = (
            row["council_id"],
            row["constituency_id"],
            row["child_council_id"],
            row["holder_id"],
            row["start"],
        )
        by_start[key] = row
    successor = {}
    has_predecessor = set()
    for row in rows:
        if row["end"] is None or row["end_reason"] not in ("superseded", "term"):
            continue
        key = (
            row["council_id"],
            row["constituency_id"],
            row["child_council_id"],
            row["holder_id"],
            row["end"],
        )
        nxt = by_start.get(key)
        if nxt is None or nxt["pk"] == row["pk"]:
            continue
        if row["end_reason"] == "term" and nxt["election_id"] == row["election_id"]:
            continue
        successor[row["pk"]] = nxt
        has_predecessor.add(nxt["pk"])
    head_of = {}
    chains = []
    for row in rows:
        if row["pk"] in has_predecessor:
            continue
        chain = [row]
        while chain[-1]["pk"] in successor:
            chain.append(successor[chain[-1]["pk"]])
        for member in chain:
            head_of[member["pk"]] = row["pk"]
        chains.append(chain)
    heads = {}
    affiliations = []
    terms = []
    for chain in chains:
        first, last = chain[0], chain[-1]
        head = first["pk"]
        heads[head] = {
            "end": last["end"],
            "end_reason": last["end_reason"],
            "slot": last["slot"],
            "derives_from": last["derives_from_id"],
        }
        periods = []
        for row in chain:
            if periods and periods[-1][1] == row["faction_id"]:
                periods[-1][3] = row["end"]
            else:
                periods.append(
                    [
                        head,
                        row["faction_id"],
                        row["start"],
                        row["end"],
                        first["council_id"],
                        first["organization_id"],
                    ]
                )
        affiliations += [tuple(p) for p in periods]
        spans = []
        for row in chain:
            if spans and spans[-1][1] == row["election_id"]:
                spans[-1][3] = row["term_ends"]
            else:
                spans.append([head, row["election_id"], row["start"], row["term_ends"]])
        terms += [tuple(t) for t in spans]
    for values in heads.values():
        if values["derives_from"] is not None:
            values["derives_from"] = head_of.get(values["derives_from"], values["derives_from"])
    return head_of, heads, affiliations, terms


def merge_superseded_seats_into_mandates(apps, schema_editor):
    Seat = apps.get_model("federation", "Seat")
    Affiliation = apps.get_model("federation", "Affiliation")
    Term = apps.get_model("federation", "Term")
    RecallPetition = apps.get_model("federation", "RecallPetition")
    Election = apps.get_model("federation", "Election")
    Member = apps.get_model("federation", "Member")
    Member.objects.filter(left_at__isnull=False, left_reason="").update(left_reason="left")
    rows = list(
        Seat.objects.order_by("start", "pk").values(
            "pk",
            "organization_id",
            "council_id",
            "constituency_id",
            "child_council_id",
            "slot",
            "holder_id",
            "faction_id",
            "derives_from_id",
            "election_id",
            "start",
            "end",
            "end_reason",
            "term_ends",
        )
    )
    if not rows:
        return
    head_of, heads, affiliations, terms = plan_mandates(rows)
    Affiliation.objects.bulk_create(
        Affiliation(seat_id=h, faction_id=f, start=s, end=e, council_id=c, organization_id=o)
        for h, f, s, e, c, o in affiliations
    )
    Term.objects.bulk_create(Term(seat_id=h, election_id=el, start=s, ends=e) for h, el, s, e in terms)
    merged = defaultdict(list)
    for pk, head in head_of.items():
        if pk != head:
            merged[head].append(pk)
    for head, others in merged.items():
        RecallPetition.objects.filter(seat_id__in=others).update(seat_id=head)
        Election.objects.filter(cause_id__in=others).update(cause_id=head)
        Seat.objects.filter(derives_from_id__in=others).update(derives_from_id=head)
    gone = [pk for pk, head in head_of.items() if pk != head]
    for start in range(0, len(gone), 500):
        Seat.objects.filter(pk__in=gone[start : start + 500]).delete()
    for head, values in heads.items():
        Seat.objects.filter(pk=head).update(**values)


def refuse_unless_empty(apps, schema_editor):
    # Going back would have to split mandates into rows per faction again: not worth writing, and
    # dropping the affiliations silently would lose every deputy's faction.
    if apps.get_model("federation", "Seat").objects.exists():
        raise RuntimeError(
            "Mandates cannot be split back into superseded seat rows; restore a backup instead."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0002_organization_chain_head_to_audit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Affiliation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateTimeField(verbose_name="start")),
                ("end", models.DateTimeField(blank=True, null=True, verbose_name="end")),
            ],
            options={
                "verbose_name": "faction affiliation",
                "verbose_name_plural": "faction affiliations",
                "ordering": ["seat", "start"],
            },
        ),
        migrations.CreateModel(
            name="Term",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateTimeField(verbose_name="start")),
                ("ends", models.DateTimeField(blank=True, null=True, verbose_name="term ends")),
            ],
            options={
                "verbose_name": "term",
                "verbose_name_plural": "terms",
                "ordering": ["seat", "start"],
            },
        ),
        migrations.AddField(
            model_name="member",
            name="left_reason",
            field=models.CharField(
                blank=True,
                choices=[("left", "left the organization"), ("moved", "moved to another constituency")],
                db_default="",
                default="",
                max_length=16,
                verbose_name="left because",
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="moved_from",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="moved_to",
                to="federation.member",
                verbose_name="continues the membership",
            ),
        ),
        migrations.AlterField(
            model_name="seat",
            name="end_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("term", "term ended"),
                    ("recall", "recalled"),
                    ("resignation", "resigned"),
                    ("derived", "the seat it derives from ended"),
                    ("moved", "moved to another constituency"),
                    ("left", "left the organization"),
                ],
                max_length=16,
                verbose_name="end reason",
            ),
        ),
        migrations.AddField(
            model_name="affiliation",
            name="council",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="federation.council"
            ),
        ),
        migrations.AddField(
            model_name="affiliation",
            name="faction",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="affiliations",
                to="federation.faction",
            ),
        ),
        migrations.AddField(
            model_name="affiliation",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="federation.organization"
            ),
        ),
        migrations.AddField(
            model_name="affiliation",
            name="seat",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="affiliations", to="federation.seat"
            ),
        ),
        migrations.AddField(
            model_name="term",
            name="election",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="terms",
                to="federation.election",
            ),
        ),
        migrations.AddField(
            model_name="term",
            name="seat",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="terms", to="federation.seat"
            ),
        ),
        migrations.AddIndex(
            model_name="affiliation",
            index=models.Index(fields=["council", "start", "end"], name="federation_affil_council_time"),
        ),
        migrations.AddIndex(
            model_name="affiliation",
            index=models.Index(fields=["organization", "start", "end"], name="federation_affil_org_time"),
        ),
        migrations.AddConstraint(
            model_name="affiliation",
            constraint=models.CheckConstraint(
                condition=models.Q(("end__isnull", True), ("end__gt", models.F("start")), _connector="OR"),
                name="federation_affiliation_ends_after_start",
            ),
        ),
        migrations.AddConstraint(
            model_name="affiliation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("end__isnull", True)),
                fields=("seat",),
                name="federation_affiliation_one_open_per_seat",
            ),
        ),
        migrations.AddConstraint(
            model_name="affiliation",
            constraint=models.UniqueConstraint(
                fields=("seat", "start"), name="federation_affiliation_one_per_start"
            ),
        ),
        migrations.AddIndex(
            model_name="term",
            index=models.Index(fields=["ends"], name="federation_term_ends"),
        ),
        migrations.AddConstraint(
            model_name="term",
            constraint=models.UniqueConstraint(
                fields=("seat", "start"), name="federation_term_one_per_start"
            ),
        ),
        migrations.AddConstraint(
            model_name="term",
            constraint=models.UniqueConstraint(
                condition=models.Q(("election__isnull", False)),
                fields=("seat", "election"),
                name="federation_term_once_per_election",
            ),
        ),
        migrations.RunPython(merge_superseded_seats_into_mandates, refuse_unless_empty, elidable=False),
        migrations.RemoveField(
            model_name="seat",
            name="election",
        ),
        migrations.RemoveField(
            model_name="seat",
            name="faction",
        ),
        migrations.RemoveField(
            model_name="seat",
            name="term_ends",
        ),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("left_at__isnull", True), ("left_reason", "")),
                    models.Q(
                        ("left_at__gte", models.F("joined_at")),
                        ("left_at__isnull", False),
                        ("left_reason__gt", ""),
                    ),
                    _connector="OR",
                ),
                name="federation_member_left_has_reason",
            ),
        ),
    ]
