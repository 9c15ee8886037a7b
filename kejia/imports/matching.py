"""Identity resolution for a chunk of rows at once.

kejia.people.resolution.match_person decides one row with one query per blocking key; over
100 000 rows that is half a million queries. Here the same blocking keys are asked for a whole
chunk in four queries, candidates are profiled once per chunk, and each row is scored with the
resolution module's own `Profile`, `compare` and `decide` — the model, weights and thresholds stay
in one place. If resolution grows a batch entry point (`match_people`), it is used instead.
tests/test_matching.py checks that the decisions equal match_person's, row by row."""

import datetime
import math
from collections import defaultdict
from typing import Any

from pypinyin import lazy_pinyin

from kejia.people import resolution
from kejia.people.choices import PersonStatus
from kejia.people.models import Person

Match = resolution.Match


def _transposed(date: datetime.date) -> datetime.date | None:
    if date.day > 12 or date.day == date.month:
        return None
    try:
        return date.replace(month=date.day, day=date.month)
    except ValueError:
        return None


def match_rows(rows: list[dict[str, Any]], *, pinyins: list[str] | None = None) -> list[Match]:
    """One Match per cleaned profile dict, as match_person would decide it. `pinyins`: the
    rows' names already spelled by services.pinyin_of (the importer has them), saving a pass."""
    batch = getattr(resolution, "match_people", None)
    if batch is not None:
        return list(batch(rows))
    profiles = [resolution.Profile.from_data(data) for data in rows]
    hashes = {p.id_hash for p in profiles if p.id_hash}
    by_id = {p.id_hash: p for p in Person.objects.filter(id_hash__in=hashes, status=PersonStatus.ACTIVE)} if hashes else {}
    spellings = []
    for index, (data, profile) in enumerate(zip(rows, profiles, strict=True)):
        if not profile.pinyin:
            spellings.append(set())
            continue
        spelled = pinyins[index] if pinyins is not None else " ".join(lazy_pinyin(str(data.get("name") or "").strip())).lower()
        spellings.append({profile.pinyin, spelled})
    dates, names, phones, year_surnames = set(), set(), set(), set()
    for profile, spelled in zip(profiles, spellings, strict=True):
        if not profile.name:
            continue
        if profile.birth_date:
            dates.add(profile.birth_date)
            swapped = _transposed(profile.birth_date)
            if swapped:
                dates.add(swapped)
        names |= spelled
        if profile.phone_hash:
            phones.add(profile.phone_hash)
        if profile.birth_date and profile.pinyin:
            year_surnames.add((profile.birth_date.year, resolution.surname_pinyin(profile.pinyin)))
    columns = resolution.BLOCK_COLUMNS
    by_date, by_name, by_phone, by_year_surname = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    people = resolution.keyed()
    if dates:
        for row in people.filter(birth_date__in=dates).values(*columns):
            by_date[row["birth_date"]].append(row)
    if names:
        for row in people.filter(name_pinyin__in=names).values(*columns, "name_pinyin"):
            by_name[row["name_pinyin"]].append(row)
    if phones:
        for row in people.filter(phone_hash__in=phones).values(*columns):
            by_phone[row["phone_hash"]].append(row)
    if year_surnames:
        keys = defaultdict(list)  # Person.block_key → the (year, surname) blocks it serves
        for year, surname in year_surnames:
            key = resolution.block_key_of(surname + " ", datetime.date(year, 1, 1))
            if key:
                keys[key].append((year, surname))
        if keys:
            for row in people.filter(block_key__in=sorted(keys)).values(*columns, "block_key"):
                for year, surname in keys[row["block_key"]]:
                    if row["name_pinyin"].startswith(surname + " "):
                        by_year_surname[(year, surname)].append(row)
    cache: dict[int, resolution.Profile] = {}
    decided: list[tuple[str, int | None, float, dict]] = []
    for profile, spelled in zip(profiles, spellings, strict=True):
        if profile.id_hash in by_id:
            decided.append(("id", by_id[profile.id_hash].pk, 1.0, {"resident_id": {"level": "agree", "weight": None}}))
            continue
        if not profile.name:
            decided.append(("new", None, 0.0, {}))
            continue
        blocks = []
        if profile.birth_date:
            swapped = _transposed(profile.birth_date)
            blocks.append([r for d in (profile.birth_date, swapped) if d for r in by_date.get(d, ())][: resolution.MAX_BLOCK])
        if spelled:
            blocks.append([r for s in sorted(spelled) for r in by_name.get(s, ())][: resolution.MAX_BLOCK])
        if profile.phone_hash:
            blocks.append(by_phone.get(profile.phone_hash, [])[: resolution.MAX_BLOCK])
        if profile.birth_date and profile.pinyin:
            key = (profile.birth_date.year, resolution.surname_pinyin(profile.pinyin))
            blocks.append(by_year_surname.get(key, [])[: resolution.MAX_BLOCK])
        best: tuple[int | None, float, dict] = (None, -math.inf, {})
        seen: set[int] = set()
        for block in blocks:
            for row in block:
                pk = row["pk"]
                if pk in seen or row["status"] != PersonStatus.ACTIVE:
                    continue
                seen.add(pk)
                other = cache.get(pk)
                if other is None:
                    other = cache[pk] = resolution.Profile.from_values(row)
                score, details = resolution.compare(profile, other)
                if score > best[1]:
                    best = (pk, score, details)
        pk, score, details = best
        if pk is None or score == -math.inf:
            decided.append(("new", None, 0.0, {}))
            continue
        decided.append((resolution.decide(score), pk, score, details))
    wanted_pks = {pk for decision, pk, _s, _d in decided if decision != "new" and pk is not None}
    found = Person.objects.in_bulk(wanted_pks) if wanted_pks else {}
    out = []
    for decision, pk, score, details in decided:
        if decision == "id":
            out.append(Match("same", found[pk], score, ["resident_id"], details))
        elif decision == "new":
            out.append(Match("new", score=score, details=details) if pk else Match("new"))
        else:
            reasons = [name for name, d in details.items() if d.get("weight") and d["weight"] > 0]
            out.append(Match(decision, found[pk], score, reasons, details))
    return out
