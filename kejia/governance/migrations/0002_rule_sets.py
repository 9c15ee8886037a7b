from django.db import migrations


def load(apps, schema_editor):
    from kejia.governance.rulesets import load_rule_sets

    load_rule_sets(apps.get_model("governance", "RuleSet"), apps.get_model("governance", "Rule"))


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
