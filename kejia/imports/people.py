"""Talent rows: check every row (cell conversion, then kejia.people.services.clean_profile) and
write the good ones in one transaction — identity resolution first, new people in bulk, existing
people only filled where empty, a listing for the importing organization where missing. The
writing (RowWriter) either follows the checking or, by default, goes on while the rest of the
rows are checked (check_rows with a writer; settings.IMPORT_WRITE_WHILE_CHECKING).

Speed: the expensive work per row (validation, AES-GCM sealing, pinyin) is done while checking,
by worker processes for a large file, with each column's converter planned once and the Person
built by kejia.core.bulk.instance_factory. The writer resolves identity against one in-memory
matching.Candidates for the whole import (each blocking key read from the database once, the
people written here filed as they are written), runs one query per chunk for the existing
listings and disciplines of matched people, and inserts the rest 1 000 rows a statement."""

import datetime
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.base import ModelState
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kejia.core.bulk import insert_returning, instance_factory
from kejia.core.errors import ValidationFailed
from kejia.core.parallel import ordered_map
from kejia.core.validators import resident_id_notice
from kejia.imports.columns import BY_FIELD, EXTRA_FIELDS, CellError, converter_for
from kejia.imports.matching import Candidates, match_rows, spellings_of
from kejia.imports.reading import Table, check_row_limit
from kejia.imports.xlsx import Sheet
from kejia.people import merging, resolution
from kejia.people import services as people_services
from kejia.people.choices import Gender, ListingRole, OverseasStatus, ThreeChiefs, TitleLevel
from kejia.people.models import Listing, MatchCandidate, Person
from kejia.reference.choices import Sector
from kejia.reference.selectors import discipline_names, find_discipline

CHUNK = 1000
CHECK_CHUNK = 500  # rows a worker process checks per task
# The checking workers yield the CPU to the importing process, which takes and writes their rows:
# with as many workers as cores, it would otherwise get a share of one and hold them all up.
WORKER_NICENESS = 5
INSERT_ROWS = 1000  # rows in one INSERT statement (kejia.core.bulk: within the database's own limit)
FOLD_NOTICE = frozenset({"resident_id", "phone", "email", "employer_uscc", "birth_date", "disciplines"})  # folding noted in the report
REPORT_LIMIT = 10_000
# Values that mean "nobody filled this in": an import may fill them, never overwrite anything else.
EMPTY = {
    "gender": Gender.UNKNOWN,
    "sector": Sector.OTHER,
    "title_level": TitleLevel.NONE,
    "overseas_status": OverseasStatus.NONE,
    "three_chiefs": ThreeChiefs.NONE,
    "is_frontline": False,
}
FILLABLE = [
    "gender",
    "birth_date",
    "email",
    "employer_name",
    "employer_uscc",
    "sector",
    "is_frontline",
    "title",
    "title_level",
    "education",
    "expertise",
    "research_summary",
    "overseas_status",
    "three_chiefs",
]


@dataclass
class Report:
    entries: list[dict] = field(default_factory=list)
    more: int = 0

    def add(self, row: int, column: str, reason, level: str = "error") -> None:
        if len(self.entries) >= REPORT_LIMIT:
            self.more += 1
            return
        self.entries.append({"row": row, "column": column, "reason": str(reason), "level": level})

    def extend(self, other: "Report") -> None:
        for entry in other.entries:
            self.add(entry["row"], entry["column"], entry["reason"], entry["level"])
        self.more += other.more


@dataclass
class GoodRow:
    number: int
    data: dict[str, Any]
    present: frozenset[str]
    person: Person | None  # sealed and ready to insert; None on a dry run
    disciplines: list[str]
    extra: dict[str, Any] = field(default_factory=dict)  # the cells of an extension's columns (e.g. member class)
    saved: Person | None = None  # once written (RowWriter): the person the row was written to (new or matched)
    profile: resolution.Profile | None = None  # built while the workers still check (check_rows), for RowWriter


@dataclass
class Checked:
    good: list[GoodRow]
    bad_rows: set[int]
    total: int


def _is_empty(name: str, value: Any) -> bool:
    return value in (None, "") or (name in EMPTY and value == EMPTY[name])


class _RowChecker:
    """The part of checking a row that needs nothing but the row: converting its cells,
    clean_profile, and (when preparing) sealing it into a Person's field values. It runs in this
    process, or in forked worker processes for a large file; it never touches the database.
    What needs the whole file (a resident ID number seen on an earlier row, an extension's
    checks) is done by check_rows as the outcomes come back, in row order."""

    def __init__(self, table: Table, discipline_names: dict[str, str], prepare: bool):
        headers = table.headers
        # Per mapped column, planned once: (index, field, header, converter, whether folding is noted).
        self.columns = [(i, f, headers[i], converter_for(f), f in FOLD_NOTICE) for i, f in enumerate(table.fields) if f]
        self.indexes = [i for i, *_rest in self.columns]
        self.discipline_names = discipline_names
        self.disciplines_column = table.column_of("disciplines")
        id_column = table.column_of("resident_id")
        fields = set(table.fields)
        # The column a clean_profile message is reported under: a date or gender implied by the ID number goes to its column.
        self.error_column = {
            name: table.column_of(name) if name in fields or name not in ("birth_date", "gender") else id_column
            for name in {*BY_FIELD, *people_services.PROFILE_FIELDS, *people_services.SENSITIVE_FIELDS}
        }
        self.new_person = instance_factory(Person) if prepare else None
        self.sheet, self.header_row = table.sheet, table.header_row

    def chunk(self, rows: list[tuple[int, tuple, frozenset | None]]) -> list[list | None]:
        """The outcomes of a worker's task of read rows."""
        return self.transport([self.row(number, cells, formulas) for number, cells, formulas in rows])

    def pieces(self, task: tuple[list[str], int, int]) -> list[list | None]:
        """The outcomes of a worker's task of sheet XML: (pieces, rows before them, the sheet's
        next row number), as _piece_tasks cuts them; parsed here, numbered as reading.open_table
        numbers rows, the rows down to the header left out."""
        pieces, number, expected = task
        sheet, header_row, indexes = self.sheet, self.header_row, self.indexes
        found: set[tuple[int, int]] = set()
        outcomes = []
        for piece in pieces:
            parsed, expected = sheet.parse(piece, expected, found)
            for _shown, cells in parsed:
                number += 1
                if number > header_row:
                    flagged = frozenset(i for i in indexes if (number, i) in found) if found else None
                    outcomes.append(self.row(number, cells, flagged or None))
        return self.transport(outcomes)

    @staticmethod
    def transport(outcomes: list[list | None]) -> list[list | None]:
        """Outcomes made cheap to send back: each Person as its field values; a row's raw data
        left out once it has been cleaned (the cleaned values are what is kept)."""
        for outcome in outcomes:
            if outcome is None:
                continue
            if outcome[7] is not None:
                state = outcome[7].__dict__
                del state["_state"]
                outcome[7] = state
            if outcome[4] is not None:
                outcome[3] = None
        return outcomes

    def row(self, number: int, cells: tuple, formulas: frozenset | None) -> list | None:
        """None for a blank row; else [number, report entries, errors, data, cleaned, codes, extra,
        person (None unless prepared and good), present (the fields the row fills; None unless
        cleaned)]. `formulas`: the indexes of this row's cells holding a formula without a
        saved result."""
        width = len(cells)
        values = [cells[i] if i < width else None for i in self.indexes]
        if not formulas and all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            return None
        entries: list[tuple[str, str, str]] = []
        data: dict[str, Any] = {}
        for (index, name, header, converter, notice), value in zip(self.columns, values, strict=True):
            if formulas and index in formulas:
                entries.append(
                    (
                        header,
                        str(
                            _(
                                "The cell holds a formula whose result was not saved: open the file in Excel or WPS, "
                                "save it and upload it again, or type the value."
                            )
                        ),
                        "error",
                    )
                )
                continue
            try:
                converted, folded = converter(value)
            except CellError as exc:
                entries.append((header, str(exc.message), "error"))
                continue
            if folded and notice:
                entries.append((header, str(_("Full-width characters or spaces were converted to half-width.")), "notice"))
            data[name] = converted
        name_value = data.get("name") or ""
        if name_value and any("\u4e00" <= ch <= "\u9fff" for ch in name_value):
            data["name"] = "".join(name_value.split())
        extra = {name: data.pop(name) for name in EXTRA_FIELDS if name in data}
        codes, unknown = self.disciplines(data.pop("disciplines", None) or [])
        if unknown:
            entries.append(
                (
                    self.disciplines_column,
                    str(
                        _(
                            "Disciplines not recognised (GB/T 13745 codes or names): %(values)s. The person is imported without them; "
                            "write a code such as 520 or a name such as 计算机科学技术."
                        )
                        % {"values": "、".join(unknown)}
                    ),
                    "warning",
                )
            )
        try:
            cleaned = people_services.clean_profile(data)
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                column = self.error_column.get(name, name)
                entries.extend((column, str(message), "error") for message in messages)
            cleaned = None
        if cleaned is not None and data.get("resident_id"):
            converted = resident_id_notice(data["resident_id"])
            if converted:
                entries.append((self.error_column["resident_id"], converted, "notice"))
        errors = sum(1 for _c, _r, level in entries if level == "error")
        person = present = None
        if cleaned is not None:
            present = {k for k, v in data.items() if v not in (None, "")}
            if cleaned["resident_id"]:
                present |= {"birth_date", "gender"}
            present = frozenset(present)
        if not errors and self.new_person is not None:
            person = self.new_person()
            people_services.apply_profile(person, cleaned)  # validated profile → sealed, masked, pinyin: the one way rows are built
        return [number, entries, errors, data, cleaned, codes, extra, person, present]

    def disciplines(self, pieces: list[str]) -> tuple[list[str], list[str]]:
        """The codes of a cell's disciplines (kejia.reference.selectors.find_discipline) and the texts
        not recognised. A text with spaces or 、 is first taken as several when every part is a
        discipline (520 140; 520 计算机科学技术; 数学、物理学), else as one (畜牧、兽医科学)."""
        names, codes, unknown = self.discipline_names, [], []
        for piece in pieces:
            parts = [p for p in re.split(r"[\s、]+", piece) if p]
            found = [find_discipline(p, names) for p in parts] if len(parts) > 1 else [None]
            if all(found):
                codes.extend(found)
                continue
            code = find_discipline(piece, names)
            if code is not None:
                codes.append(code)
            else:
                unknown.append(piece)
        return list(dict.fromkeys(codes)), unknown


def _checker_init(checker: _RowChecker, language: str | None) -> None:
    global _checker
    _checker = checker
    os.nice(WORKER_NICENESS)
    translation.activate(language) if language else translation.deactivate_all()


def _check_chunk(rows: list) -> list:
    return _checker.chunk(rows)


def _check_pieces(task: tuple) -> list:
    return _checker.pieces(task)


def _piece_tasks(sheet: Sheet) -> Iterable[tuple[list[str], int, int]]:
    """The sheet's XML cut into tasks of about CHECK_CHUNK rows, each with where its row
    numbering starts (Sheet.scan counts the row tags; the cells are parsed by the workers)."""
    number, expected = 0, 1
    group: list[str] = []
    start = (number, expected)
    for piece in sheet.pieces():
        count, expected = sheet.scan(piece, expected)
        number += count
        check_row_limit(number)
        group.append(piece)
        if number - start[0] >= CHECK_CHUNK:
            yield group, *start
            group, start = [], (number, expected)
    if group:
        yield group, *start


_checker: _RowChecker | None = None


def check_workers(rows_hint: int) -> int:
    """How many worker processes check a file of about `rows_hint` rows: none below
    settings.IMPORT_PARALLEL_MIN_ROWS (starting them costs more than it saves), else
    settings.IMPORT_WORKERS (default: the CPU count, at most 4); none where processes cannot fork."""
    workers = getattr(settings, "IMPORT_WORKERS", None)
    workers = min(os.cpu_count() or 1, 4) if workers is None else workers
    if workers < 2 or rows_hint < getattr(settings, "IMPORT_PARALLEL_MIN_ROWS", 20_000):
        return 0
    return workers if "fork" in multiprocessing.get_all_start_methods() else 0


def check_rows(
    table: Table,
    report: Report,
    *,
    prepare: bool,
    progress: Callable[[int], None] | None = None,
    extension=None,
    workers: int = 0,
    writer: "RowWriter | None" = None,
    all_or_nothing: bool = False,
) -> Checked:
    """Every row of `table` checked; good rows kept (sealed into unsaved Person objects when
    `prepare`). Blank rows are skipped; a resident ID number seen before in the file is an error.
    `extension.check_row(number, extra, cleaned, table, report)` checks the extension's columns
    of a row and returns how many errors it reported.

    `workers` ≥ 2: the rows are read here and checked by that many forked processes, CHECK_CHUNK
    rows a task, a bounded number in flight, the outcomes taken back in row order — the same
    report and rows as checking them here (kejia/imports/tests/test_parallel.py).

    `writer` (a RowWriter, in the import's transaction; needs `prepare`): the good rows are written
    CHUNK at a time as they are taken, the same chunks as writing them afterwards, while the
    workers check the next rows. With `all_or_nothing`, writing stops at the first bad row (the
    caller then rolls the transaction back); the rows are still all checked for the report."""
    checker = _RowChecker(table, discipline_names(), prepare)
    id_column = table.column_of("resident_id")
    seen_ids: dict[str, int] = {}
    good: list[GoodRow] = []
    bad: set[int] = set()
    total = 0
    unwritten: list[GoodRow] = []  # good rows taken and not yet given to the writer
    writing = writer is not None

    def take(outcome) -> None:
        nonlocal total, unwritten, writing
        if outcome is None:
            return
        number, entries, errors, data, cleaned, codes, extra, person, present = outcome
        total += 1
        for column, reason, level in entries:
            report.add(number, column, reason, level)
        if cleaned and cleaned["resident_id"]:
            first = seen_ids.setdefault(cleaned["resident_id"], number)
            if first != number:
                report.add(number, id_column, _("The same resident ID number is already on row %(row)d of this file.") % {"row": first})
                errors += 1
        if extension is not None:
            errors += extension.check_row(number, extra, cleaned if cleaned else data, table, report)
        if errors:
            bad.add(number)
            if all_or_nothing:
                writing, unwritten = False, []
        else:
            if isinstance(person, dict):  # from a worker process: every field value, as instance_factory and apply_profile set them
                state, person = person, Person.__new__(Person)
                state["_state"] = ModelState()
                person.__dict__ = state
            row = GoodRow(number, cleaned, present, person, codes, extra)
            if person is not None:
                row.profile = _profile_of(row)  # built here while the workers check the next rows
            good.append(row)
            if writing:
                unwritten.append(row)
                if len(unwritten) == CHUNK:
                    writer.write(unwritten)
                    unwritten = []
        if progress and total % CHUNK == 0:
            progress(total)

    indexes = checker.indexes
    formula_cells = table.formula_cells  # filled as the rows are read

    def rows():
        for number, cells in table.rows:
            flagged = frozenset(i for i in indexes if (number, i) in formula_cells) if formula_cells else None
            yield number, cells, flagged or None

    if workers < 2:
        for number, cells, flagged in rows():
            take(checker.row(number, cells, flagged))
    else:
        # An XLSX sheet goes to the workers as XML pieces, parsed there; other rows (CSV) are read
        # here and go in chunks. The outcomes come back in row order.
        if table.sheet is not None:
            func, tasks = _check_pieces, _piece_tasks(table.sheet)
        else:
            func, tasks = _check_chunk, _chunked(rows(), CHECK_CHUNK)
        # While this process writes a chunk, the workers go on with the tasks already handed out.
        in_flight = (8 if writer is not None else 2) * workers
        with multiprocessing.get_context("fork").Pool(workers, initializer=_checker_init, initargs=(checker, translation.get_language())) as pool:
            for outcomes in ordered_map(pool, func, tasks, in_flight=in_flight):
                for outcome in outcomes:
                    take(outcome)
    if writing and unwritten:
        writer.write(unwritten)
    return Checked(good=good, bad_rows=bad, total=total)


def _chunked(items: Iterable, size: int) -> Iterable[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    listed: int = 0
    review: int = 0


def _profile_of(row: GoodRow) -> resolution.Profile:
    """The row's resolution profile (as Profile.from_data builds it), with the hashes and pinyin the
    sealed Person already carries instead of computing them again."""
    data, person = row.data, row.person
    birth = data.get("birth_date")
    return resolution.Profile.build(
        pk=None,
        name=str(data.get("name") or ""),
        birth_date=birth if isinstance(birth, datetime.date) else None,
        gender=data.get("gender") or "",
        employer_name=str(data.get("employer_name") or ""),
        phone_hash=person.phone_hash,
        email=str(data.get("email") or ""),
        id_hash=person.id_hash,
        pinyin=person.name_pinyin,
    )


class RowWriter:
    """Writes good rows, a chunk at a time, inside the import's transaction (all or nothing: the
    caller holds it). Identity resolution reads its candidates through one `matching.Candidates`
    for the whole import (each blocking key asked of the database once; the people written here
    filed in memory), so the chunks can come all at once (`write`) or as the rows are checked
    (check_rows with a writer). What writing finds to report (a value kept where the database
    holds another) goes to `notes`, joined to the import's report once the write has committed."""

    def __init__(self, *, organization, actor, table: Table):
        self.organization_id, self.actor, self.table = organization.pk, actor, table
        self.notes = Report()
        self.result = Written()
        self.index = Candidates()
        self.new_listing = instance_factory(Listing)

    def write(self, rows: list[GoodRow]) -> None:
        assert transaction.get_connection().in_atomic_block, "an import writes inside its transaction"
        for chunk in _chunked(rows, CHUNK):
            self._chunk(chunk)

    def _chunk(self, chunk: list[GoodRow]) -> None:
        result, index, table, report = self.result, self.index, self.table, self.notes
        through = Person.disciplines.through
        profiles = [_profile_of(r) if r.profile is None else r.profile for r in chunk]
        pinyins = [r.person.name_pinyin for r in chunk]
        index.load(profiles, spellings_of([r.data for r in chunk], profiles, pinyins))
        holders = {i: index.by_id[p.id_hash] for i, p in enumerate(profiles) if p.id_hash and p.id_hash in index.by_id}
        existing = index.instances(holders.values()) if holders else {}
        new_rows: list[tuple[GoodRow, resolution.Profile]] = []
        matched: list[tuple[GoodRow, Person]] = []
        reviews: list[tuple[GoodRow, Any]] = []
        unknown = [i for i in range(len(chunk)) if i not in holders]
        matches = (
            match_rows([chunk[i].data for i in unknown], pinyins=[pinyins[i] for i in unknown], index=index, profiles=[profiles[i] for i in unknown])
            if unknown
            else []
        )
        decisions = dict(zip(unknown, matches, strict=True))
        for i, row in enumerate(chunk):
            person = existing[holders[i]] if i in holders else None
            if person is None:
                match = decisions[i]
                if match.decision == "same" and match.person is not None:
                    person = match.person
                elif match.decision == "review":
                    reviews.append((row, match))
            if person is None:
                new_rows.append((row, profiles[i]))
                row.saved = row.person
            else:
                matched.append((row, person))
                row.saved = person
        created = insert_returning(Person, [r.person for r, _p in new_rows], batch_size=INSERT_ROWS)
        result.created += len(created)
        for row, profile in new_rows:
            index.file_person(row.person, profile)
        # Fill what is empty in the records already there; report, never overwrite, what differs.
        changed_people, changed_fields = {}, set()
        for row, person in matched:
            fields = _fill(person, row, table, report)
            if "birth_date" in fields:
                person.block_key = resolution.block_key_of(person.name_pinyin, person.birth_date)
                fields.add("block_key")
            if fields:
                changed_people[person.pk] = person
                changed_fields |= fields
        if changed_people:
            now = timezone.now()
            for person in changed_people.values():
                person.updated_at = now
            Person.objects.bulk_update(list(changed_people.values()), [*sorted(changed_fields), "updated_at"])
            result.updated += len(changed_people)
            for person in changed_people.values():
                index.file_person(person)  # its blocks follow the filled values
        # Listings and disciplines: one query each for what the matched people already have.
        matched_ids = [p.pk for _r, p in matched]
        listed = (
            set(
                Listing.objects.filter(organization_id=self.organization_id, role=ListingRole.MEMBER, person_id__in=matched_ids).values_list(
                    "person_id", flat=True
                )
            )
            if matched_ids
            else set()
        )
        to_list = dict.fromkeys(p.pk for p in created)
        to_list.update((p.pk, None) for _r, p in matched if p.pk not in listed)
        listings = [self.new_listing(person_id=pk, organization_id=self.organization_id, role=ListingRole.MEMBER) for pk in to_list]
        insert_returning(Listing, listings, batch_size=INSERT_ROWS)
        result.listed += len(listings)
        with_disciplines = set(through.objects.filter(person_id__in=matched_ids).values_list("person_id", flat=True)) if matched_ids else set()
        links = [through(person_id=r.person.pk, discipline_id=code) for r, _p in new_rows for code in dict.fromkeys(r.disciplines)]
        links += [through(person_id=p.pk, discipline_id=code) for r, p in matched if p.pk not in with_disciplines for code in dict.fromkeys(r.disciplines)]
        if links:
            through.objects.bulk_create(links, ignore_conflicts=True)
        for row, match in reviews:
            result.review += 1
            queue_review(row.person, match)


def queue_review(person: Person, match: resolution.Match) -> MatchCandidate | None:
    """`person` was just created for a row that `match` found uncertain: the pair goes to the
    staff's review queue (kejia.people.merging, which audits the queuing)."""
    if match.person is None or person.pk is None:
        return None
    return merging.queue_review(match.person, person, match)


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
            report.add(
                row.number, table.column_of(name), _("This person is already in the database with another value here; the existing value was kept."), "notice"
            )
    for prefix, name in (("id", "resident_id"), ("phone", "phone")):
        new_hash = getattr(source, f"{prefix}_hash")
        if not new_hash or name not in row.present or new_hash == getattr(person, f"{prefix}_hash"):
            continue
        if not getattr(person, f"{prefix}_hash"):
            for suffix in ("sealed", "hash", "masked"):
                setattr(person, f"{prefix}_{suffix}", getattr(source, f"{prefix}_{suffix}"))
                changed.add(f"{prefix}_{suffix}")
        else:
            report.add(
                row.number, table.column_of(name), _("This person is already in the database with another value here; the existing value was kept."), "notice"
            )
    return changed
