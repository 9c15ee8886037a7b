"""Rule sets loaded before cite their source by seed file name (seeds/003_….txt 二.1), which the
administrators' edit form showed: cite the policy text by its title instead (kejia.core.sources)."""

from django.db import migrations


def in_words(apps, schema_editor):
    from kejia.core.sources import in_words as words

    RuleSet = apps.get_model("governance", "RuleSet")
    for ruleset in RuleSet.objects.all():
        source = words(ruleset.source).replace("》 ", "》")
        if source != ruleset.source:
            RuleSet.objects.filter(pk=ruleset.pk).update(source=source)


class Migration(migrations.Migration):
    dependencies = [("governance", "0004_staff_rule_on_membership_figures")]

    operations = [migrations.RunPython(in_words, migrations.RunPython.noop)]
