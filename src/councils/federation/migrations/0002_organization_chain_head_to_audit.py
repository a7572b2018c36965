"""The audit chain's head leaves the organization's row: it lives in the audit app's streams now
(audit 0002 carried every organization's head over before these columns go)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0001_initial"),
        ("audit", "0002_streams"),
    ]

    operations = [
        migrations.RemoveField(model_name="organization", name="chain_length"),
        migrations.RemoveField(model_name="organization", name="chain_head"),
    ]
