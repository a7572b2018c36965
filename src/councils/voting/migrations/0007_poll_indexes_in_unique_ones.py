import django.db.models.deletion
from django.db import migrations, models

# Each table's own index on poll_id is the first column of a unique index of the same table
# ((poll, alpha), (poll, seq), (poll, principal)), which serves every lookup by poll; the plain
# index only cost every cast three insertions more (one per ciphertext) and two others. Dropped by
# name (the same on SQLite and PostgreSQL) rather than by AlterField, which would drop and
# re-check the foreign keys, reading every row of the board on PostgreSQL and copying the tables
# on SQLite.
INDEXES = [
    ("voting_ballotciphertext", "voting_ballotciphertext_poll_id_e3978a55"),
    ("voting_boardevent", "voting_boardevent_poll_id_ca2a8c04"),
    ("voting_participation", "voting_participation_poll_id_ed243c36"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0006_secret_ballot_once"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ballotciphertext",
                    name="poll",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="voting.poll",
                    ),
                ),
                migrations.AlterField(
                    model_name="boardevent",
                    name="poll",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="board_events",
                        to="voting.poll",
                    ),
                ),
                migrations.AlterField(
                    model_name="participation",
                    name="poll",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="participations",
                        to="voting.poll",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    f'CREATE INDEX "{index}" ON "{table}" ("poll_id")',
                    elidable=False,
                )
                for table, index in INDEXES
            ],
        ),
    ]
