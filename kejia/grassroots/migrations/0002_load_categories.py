"""The categories shipped from the seeds, and the 三长 roles already on people's profiles copied
over as key staff records (not yet placed in a grassroots body)."""

from django.db import migrations

from kejia.grassroots.categories import load_categories

FROM_PROFILE = {"school_principal": "education", "hospital_director": "health", "agri_station_head": "agri_extension"}


def forwards(apps, schema_editor):
    Category = apps.get_model("grassroots", "Category")
    KeyStaff = apps.get_model("grassroots", "KeyStaff")
    Person = apps.get_model("people", "Person")
    load_categories(Category)
    categories = {c.code: c for c in Category.objects.filter(code__in=FROM_PROFILE.values())}
    rows = [KeyStaff(person_id=pk, category=categories[FROM_PROFILE[role]])
            for pk, role in Person.objects.filter(three_chiefs__in=list(FROM_PROFILE)).values_list("pk", "three_chiefs").iterator()]
    KeyStaff.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("grassroots", "0001_initial"), ("people", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
