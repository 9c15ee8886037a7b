"""The default deadline rules (kejia.voice.deadlines.DEFAULT_WORKING_DAYS): placeholders each
association sets for itself; no public holidays are shipped (add them on the rules page)."""

from django.db import migrations


def load(apps, schema_editor):
    from kejia.voice.deadlines import load_default_rules

    load_default_rules(apps.get_model("voice", "DeadlineRule"))


class Migration(migrations.Migration):
    dependencies = [("voice", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
