"""The audit log names its organization by id, not by a foreign key (docs/architecture.md: core
sits below organizations and imports none of it).

The column stays what it was — `organization_id`, a bigint with its index and its values — so no
row is rewritten: in Django's state the foreign key `organization` becomes the integer field
`organization_id`, and in the database only the foreign-key constraint goes (`db_constraint=False`:
dropped by name on PostgreSQL; on SQLite the table is rebuilt without the REFERENCES clause, the
rows copied as they are). Works on a database that has every earlier migration and on a new one.
This migration and 0001 keep their dependency on organizations as history; the next squash of
core's migrations drops it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_throttle_and_codes"),
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="organization",
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="+", to="organizations.organization", verbose_name="organization"),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="auditevent", name="organization"),
                migrations.AddField(
                    model_name="auditevent",
                    name="organization_id",
                    field=models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name="organization"),
                ),
            ],
        ),
    ]
