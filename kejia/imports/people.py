"""Talent rows: check every row (cell conversion, then kejia.people.services.clean_profile), then
write the good ones in one transaction — identity resolution first, new people in bulk, existing
people only filled where empty, a listing for the importing organization where missing.

Speed: the expensive work per row (validation, AES-GCM sealing, pinyin) is done while checking,
outside the write transaction; the write phase runs one query per chunk for the exact ID
matches, the existing listings and the existing disciplines, and bulk inserts the rest."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.core.bulk import insert_returning
from kejia.core.errors import ValidationFailed
from kejia.imports.columns import EXTRA_FIELDS, CellError, convert
from kejia.imports.matching import match_rows
from kejia.imports.reading import Table, cell
from kejia.people import resolution
from kejia.people import services as people_services
from kejia.people.choices import Gender, ListingRole, OverseasStatus, PersonStatus, ThreeChiefs, TitleLevel
from kejia.people.models import Listing, Person
from kejia.reference.choices import Sector
from kejia.reference.models import Discipline

CHUNK = 1000
REPORT_LIMIT = 10_000
# Values that mean "nobody filled this in": an import may fill them, never overwrite anything else.
EMPTY = {"gender": Gender.UNKNOWN, "sector": Sector.OTHER, "title_level": TitleLevel.NONE, "overseas_status": OverseasStatus.NONE,
         "three_chiefs": ThreeChiefs.NONE, "is_frontline": False}
FILLABLE = ["gender", "birth_date", "email", "employer_name", "employer_uscc", "sector", "is_frontline", "title", "title_level",
            "education", "expertise", "research_summary", "overseas_status", "three_chiefs"]


@dataclass
class Report:
    entries: list[dict] = field(default_factory=list)
    more: int = 0

    def add(self, row: int, column: str, reason, level: str = "error") -> None:
        if len(self.entries) >= REPORT_LIMIT:
            self.more += 1
            return
        self.entries.append({"row": row, "column": column, "reason": str(reason), "level": level})


@dataclass
class GoodRow:
    number: int
    data: dict[str, Any]
    present: frozenset[str]
    person: Person | None  # sealed and ready to insert; None on a dry run
    disciplines: list[str]
    extra: dict[str, Any] = field(default_factory=dict)  # the cells of an extension's columns (e.g. member class)
    saved: Person | None = None  # after write_rows: the person the row was written to (new or matched)


@dataclass
class Checked:
    good: list[GoodRow]
    bad_rows: set[int]
    total: int


def _is_empty(name: str, value: Any) -> bool:
    return value in (None, "") or (name in EMPTY and value == EMPTY[name])


def check_rows(table: Table, report: Report, *, prepare: bool, progress: Callable[[int], None] | None = None,
               extension=None) -> Checked:
    """Every row of `table` checked; good rows kept (sealed into unsaved Person objects when
    `prepare`). Blank rows are skipped; a resident ID number seen before in the file is an error.
    `extension.check_row(number, extra, cleaned, table, report)` checks the extension's columns
    of a row and returns how many errors it reported."""
    known_disciplines = set(Discipline.objects.values_list("code", flat=True))
    mapped = [(i, f) for i, f in enumerate(table.fields) if f]
    headers = table.headers
    id_column = table.column_of("resident_id")
    seen_ids: dict[str, int] = {}
    good: list[GoodRow] = []
    bad: set[int] = set()
    total = 0
    for number, cells in table.rows:
        values = [(i, f, cell(cells, i)) for i, f in mapped]
        if all(v is None or (isinstance(v, str) and not v.strip()) for _i, _f, v in values):
            if not any((number, i) in table.formula_cells for i, _f in mapped):
                continue
        total += 1
        errors = 0
        data: dict[str, Any] = {}
        for index, name, value in values:
            if (number, index) in table.formula_cells:
                report.add(number, headers[index], _("The cell holds a formula whose result was not saved: open the file in Excel or WPS, "
                                                     "save it and upload it again, or type the value."))
                errors += 1
                continue
            try:
                converted, folded = convert(name, value)
            except CellError as exc:
                report.add(number, headers[index], exc.message)
                errors += 1
                continue
            if folded and name in ("resident_id", "phone", "email", "employer_uscc", "birth_date", "disciplines"):
                report.add(number, headers[index], _("Full-width characters or spaces were converted to half-width."), "notice")
            data[name] = converted
        name_value = data.get("name") or ""
        if name_value and any("\u4e00" <= ch <= "\u9fff" for ch in name_value):
            data["name"] = "".join(name_value.split())
        extra = {name: data.pop(name) for name in EXTRA_FIELDS if name in data}
        codes = data.pop("disciplines", None) or []
        unknown = [c for c in codes if c not in known_disciplines]
        if unknown:
            report.add(number, table.column_of("disciplines"), _("Unknown discipline codes (GB/T 13745): %(codes)s") % {"codes": "、".join(unknown)})
            errors += 1
        try:
            cleaned = people_services.clean_profile(data)
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                column = table.column_of(name) if name in table.fields else (id_column if name in ("birth_date", "gender") else table.column_of(name))
                for message in messages:
                    report.add(number, column, message)
                    errors += 1
            cleaned = None
        if cleaned and cleaned["resident_id"]:
            first = seen_ids.setdefault(cleaned["resident_id"], number)
            if first != number:
                report.add(number, id_column, _("The same resident ID number is already on row %(row)d of this file.") % {"row": first})
                errors += 1
        if extension is not None:
            errors += extension.check_row(number, extra, cleaned if cleaned else data, table, report)
        if errors:
            bad.add(number)
        else:
            present = {k for k, v in data.items() if v not in (None, "")}
            if cleaned["resident_id"]:
                present |= {"birth_date", "gender"}
            person = None
            if prepare:
                person = Person()
                people_services._apply(person, cleaned)  # validated profile → sealed, masked, pinyin: the one way rows are built
            good.append(GoodRow(number, cleaned, frozenset(present), person, codes, extra))
        if progress and total % CHUNK == 0:
            progress(total)
    return Checked(good=good, bad_rows=bad, total=total)


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    listed: int = 0
    review: int = 0


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def write_rows(rows: list[GoodRow], *, organization, actor, table: Table, report: Report,
               progress: Callable[[int], None] | None = None) -> Written:
    """Write the good rows. The caller holds the transaction: all or nothing."""
    assert transaction.get_connection().in_atomic_block, "write_rows runs inside the import's transaction"
    result = Written()
    through = Person.disciplines.through
    queue_review = getattr(resolution, "queue_review", None)
    done = 0
    for chunk in _chunks(rows, CHUNK):
        hashes = [r.person.id_hash for r in chunk if r.person.id_hash]
        existing = {p.id_hash: p for p in Person.objects.filter(status=PersonStatus.ACTIVE, id_hash__in=hashes)} if hashes else {}
        new_rows: list[GoodRow] = []
        matched: list[tuple[GoodRow, Person]] = []
        reviews: list[tuple[GoodRow, Any]] = []
        unknown = [row for row in chunk if not (row.person.id_hash and row.person.id_hash in existing)]
        matches = match_rows([r.data for r in unknown], pinyins=[r.person.name_pinyin for r in unknown])
        decisions = {id(row): match for row, match in zip(unknown, matches, strict=True)}
        for row in chunk:
            person = existing.get(row.person.id_hash) if row.person.id_hash else None
            if person is None:
                match = decisions[id(row)]
                if match.decision == "same" and match.person is not None:
                    person = match.person
                elif match.decision == "review":
                    reviews.append((row, match))
            if person is None:
                new_rows.append(row)
                row.saved = row.person
            else:
                matched.append((row, person))
                row.saved = person
        created = insert_returning(Person, [r.person for r in new_rows])
        result.created += len(created)
        # Fill what is empty in the records already there; report, never overwrite, what differs.
        changed_people, changed_fields = [], set()
        for row, person in matched:
            fields = _fill(person, row, table, report)
            if "birth_date" in fields:
                person.block_key = resolution.block_key_of(person.name_pinyin, person.birth_date)
                fields.add("block_key")
            if fields:
                changed_people.append(person)
                changed_fields |= fields
        if changed_people:
            now = timezone.now()
            for person in changed_people:
                person.updated_at = now
            Person.objects.bulk_update(changed_people, [*sorted(changed_fields), "updated_at"])
            result.updated += len(changed_people)
        # Listings and disciplines: one query each for what the matched people already have.
        matched_ids = [p.pk for _r, p in matched]
        listed = set(Listing.objects.filter(organization=organization, role=ListingRole.MEMBER, person_id__in=matched_ids)
                     .values_list("person_id", flat=True)) if matched_ids else set()
        to_list = {p.pk: p for p in created}
        to_list.update((p.pk, p) for _r, p in matched if p.pk not in listed)
        listings = [Listing(person=p, organization=organization, role=ListingRole.MEMBER) for p in to_list.values()]
        insert_returning(Listing, listings)
        result.listed += len(listings)
        with_disciplines = set(through.objects.filter(person_id__in=matched_ids).values_list("person_id", flat=True)) if matched_ids else set()
        links = [through(person_id=r.person.pk, discipline_id=code) for r in new_rows for code in dict.fromkeys(r.disciplines)]
        links += [through(person_id=p.pk, discipline_id=code) for r, p in matched if p.pk not in with_disciplines
                  for code in dict.fromkeys(r.disciplines)]
        through.objects.bulk_create(links, ignore_conflicts=True)
        for row, match in reviews:
            result.review += 1
            if queue_review is not None:
                queue_review(row.person, match, actor=actor)
        done += len(chunk)
        if progress:
            progress(done)
    return result


def _fill(person: Person, row: GoodRow, table: Table, report: Report) -> set[str]:
    source = row.person
    changed = set()
    for name in FILLABLE:
        if name not in row.present:
            continue
        old, new = getattr(person, name), getattr(source, name)
        if _is_empty(name, new) or old == new:
            continue
        if _is_empty(name, old):
            setattr(person, name, new)
            changed.add(name)
        else:
            report.add(row.number, table.column_of(name), _("This person is already in the database with another value here; "
                                                            "the existing value was kept."), "notice")
    for prefix, name in (("id", "resident_id"), ("phone", "phone")):
        new_hash = getattr(source, f"{prefix}_hash")
        if not new_hash or name not in row.present or new_hash == getattr(person, f"{prefix}_hash"):
            continue
        if not getattr(person, f"{prefix}_hash"):
            for suffix in ("sealed", "hash", "masked"):
                setattr(person, f"{prefix}_{suffix}", getattr(source, f"{prefix}_{suffix}"))
                changed.add(f"{prefix}_{suffix}")
        else:
            report.add(row.number, table.column_of(name), _("This person is already in the database with another value here; "
                                                            "the existing value was kept."), "notice")
    return changed
