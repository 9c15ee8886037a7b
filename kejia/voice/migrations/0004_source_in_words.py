"""The default deadline rules cite their source by seed file name and call it 种子文件 on the rules
page: cite the policy text by its title instead (kejia.core.sources)."""

from django.db import migrations


def in_words(apps, schema_editor):
    from kejia.core.sources import in_words as words

    DeadlineRule = apps.get_model("voice", "DeadlineRule")
    for rule in DeadlineRule.objects.exclude(source=""):
        source = words(rule.source).replace("》 ", "》").replace("）; ", "）；")
        if source != rule.source:
            DeadlineRule.objects.filter(pk=rule.pk).update(source=source)


class Migration(migrations.Migration):
    dependencies = [("voice", "0003_labels")]

    operations = [migrations.RunPython(in_words, migrations.RunPython.noop)]
