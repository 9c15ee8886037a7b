"""Masked resident ID numbers in the current form (kejia.core.pii.mask_resident_id: the check
character only) where the earlier form (first 4 and last 4 characters) was stored: people, merge
snapshots and the audit rows of people."""

from django.db import migrations

BATCH = 2000


def remask(masked):
    """An earlier mask (first 4 and last 4 characters) in the form kejia.core.pii.mask_resident_id gives now."""
    return f"{'*' * 17}{masked[-1]}" if isinstance(masked, str) and len(masked) == 18 else masked


def _batches(queryset, fields):
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk").only("pk", *fields)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        yield batch


def _remask_json(data, key):
    if isinstance(data, dict) and isinstance(data.get(key), str) and remask(data[key]) != data[key]:
        data[key] = remask(data[key])
        return True
    return False


def remask_all(apps, schema_editor):
    alias = schema_editor.connection.alias
    Person = apps.get_model("people", "Person")
    for batch in _batches(Person.objects.using(alias).exclude(id_masked=""), ["id_masked"]):
        changed = [p for p in batch if remask(p.id_masked) != p.id_masked]
        for p in changed:
            p.id_masked = remask(p.id_masked)
        Person.objects.using(alias).bulk_update(changed, ["id_masked"])
    MergeRecord = apps.get_model("people", "MergeRecord")
    for batch in _batches(MergeRecord.objects.using(alias), ["duplicate_snapshot", "survivor_filled"]):
        changed = [r for r in batch if _remask_json(r.duplicate_snapshot, "id_masked") | _remask_json(r.survivor_filled, "id_masked")]
        MergeRecord.objects.using(alias).bulk_update(changed, ["duplicate_snapshot", "survivor_filled"])
    AuditEvent = apps.get_model("core", "AuditEvent")
    for batch in _batches(AuditEvent.objects.using(alias).filter(object_type__startswith="people."), ["old", "new"]):
        changed = [e for e in batch if _remask_json(e.old, "resident_id") | _remask_json(e.new, "resident_id")]
        AuditEvent.objects.using(alias).bulk_update(changed, ["old", "new"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_notice"),
        ("people", "0003_person_block_key"),
    ]

    operations = [migrations.RunPython(remask_all, migrations.RunPython.noop)]
