"""A society's existing member list, imported with the talent-database importer (kejia.imports):
the same reading, cell checks, report (row, column, reason), all-or-nothing or good-rows choice
and identity matching; then, in the same transaction, an ACTIVE imported membership for every
person the rows were matched to or created as.

The list has the person columns plus 会员类别 (class code or name, required), 会员号 (optional;
otherwise the society's next number), 入会日期 (optional) and 会费缴至 (the last year paid,
optional). Re-importing the same file changes nothing: a person who already has a live
membership of the society is left as is. An unknown class, a class for units, or a member number
already held by another person is a row error.

Entry points: `import_member_list` (the staff member's door, scope checked) and
`import_member_list_as_system` (the command's); both return the ImportBatch."""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.core import pii
from kejia.imports.columns import MEMBER_HEADER_MAP, header_key
from kejia.imports.models import ImportBatch, ImportKind, ImportMode
from kejia.imports.people import GoodRow, Report
from kejia.imports.reading import FileRefused, Table
from kejia.memberships import transitions, workflow
from kejia.memberships.choices import LIVE_STATUSES, MembershipStatus, Transition
from kejia.memberships.models import MemberClass, Membership, MembershipEvent
from kejia.memberships.numbering import MAX_LENGTH

S = MembershipStatus
EARLIEST_YEAR = 1949


class MemberListImport:
    """The imports extension for kind "members" (kejia.imports.services.EXTENSIONS)."""

    headers = MEMBER_HEADER_MAP
    audit_action = "memberships.imported"

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        self.society = batch.organization
        workflow.require_society(self.society)
        self.today = timezone.localdate()
        self.classes: dict[str, MemberClass] = {}
        self.numbers_in_file: dict[str, int] = {}
        self.holders: dict[str, tuple[int | None, str]] = {}

    # ---- checking -----------------------------------------------------------------------------

    def prepare(self, table: Table) -> None:
        if "member_class" not in table.fields:
            raise FileRefused(_("The column 会员类别 (member class) is missing: give each member's class, by code or by name."))
        for item in MemberClass.objects.filter(society=self.society):
            self.classes.setdefault(header_key(item.code), item)
            self.classes.setdefault(header_key(item.name), item)
        # Who holds each member number of the society now: (person id, the person's ID-number hash).
        self.holders = {
            number: (person_id, id_hash or "")
            for number, person_id, id_hash in Membership.objects.filter(society=self.society)
            .exclude(number="")
            .values_list("number", "person_id", "person__id_hash")
        }

    def _class_names(self) -> str:
        seen = {c.pk: f"{c.name}（{c.code}）" for c in self.classes.values() if not c.for_groups}
        return "、".join(seen.values()) or "-"

    def check_row(self, number: int, extra: dict[str, Any], cleaned: dict[str, Any], table: Table, report: Report) -> int:
        errors = 0
        text = extra.get("member_class") or ""
        member_class = self.classes.get(header_key(text)) if text else None
        column = table.column_of("member_class")
        if not text:
            report.add(number, column, _("Give the member class (its code or name): %(names)s.") % {"names": self._class_names()})
            errors += 1
        elif member_class is None:
            report.add(number, column, _("Unknown member class %(v)s; this society has: %(names)s.") % {"v": text, "names": self._class_names()})
            errors += 1
        elif member_class.for_groups:
            report.add(number, column, _("%(v)s is a class for units; a member list holds persons.") % {"v": text})
            errors += 1
        member_number = extra.get("member_number") or ""
        column = table.column_of("member_number")
        if member_number:
            if len(member_number) > MAX_LENGTH:
                report.add(number, column, _("A member number has at most %(n)d characters.") % {"n": MAX_LENGTH})
                errors += 1
            first = self.numbers_in_file.setdefault(member_number, number)
            if first != number:
                report.add(number, column, _("The same member number is already on row %(row)d of this file.") % {"row": first})
                errors += 1
            holder = self.holders.get(member_number)
            resident_id = (cleaned or {}).get("resident_id") or ""
            # Decided here when the ID numbers tell; otherwise after matching, in `write`.
            if holder and resident_id and (holder[0] is None or (holder[1] and holder[1] != pii.blind_index(resident_id))):
                report.add(number, column, _("Member number %(no)s is already held by another member of this society.") % {"no": member_number})
                errors += 1
        joined = extra.get("joined_on")
        if joined and joined > self.today:
            report.add(number, table.column_of("joined_on"), _("The joining date cannot be in the future."))
            errors += 1
        year = extra.get("paid_through_year")
        column = table.column_of("paid_through_year")
        if year is not None and not EARLIEST_YEAR <= year <= self.today.year + 1:
            report.add(number, column, _("The year dues are paid through must lie between %(a)d and %(b)d.") % {"a": EARLIEST_YEAR, "b": self.today.year + 1})
            errors += 1
        elif year is not None and joined and year < joined.year - 1:
            report.add(number, column, _("The year dues are paid through is before the joining date."))
            errors += 1
        if not errors and member_class is not None:
            extra["class"] = member_class
            if member_class.has_dues and year is None:
                report.add(
                    number,
                    column,
                    _("No year of dues paid: the member owes dues from the year they joined, and the daily dues cycle lapses them after the grace period."),
                    "notice",
                )
        return errors

    # ---- writing ------------------------------------------------------------------------------

    def write(self, rows: list[GoodRow], *, table: Table, report: Report) -> int:
        """Inside the import's transaction, after the people are written: the memberships."""
        people = {row.saved.pk for row in rows if row.saved is not None}
        live = {m.person_id: m for m in Membership.objects.filter(society=self.society, person_id__in=people, status__in=LIVE_STATUSES)}
        wanted = {row.extra.get("member_number") for row in rows if row.extra.get("member_number")}
        holders = dict(Membership.objects.filter(society=self.society, number__in=wanted).values_list("number", "person_id")) if wanted else {}
        problems: list[tuple[int, str, str]] = []
        new: list[tuple[GoodRow, Membership]] = []
        taken: dict[int, int] = {}
        for row in rows:
            person = row.saved
            extra = row.extra
            number = extra.get("member_number") or ""
            column = table.column_of("member_number")
            if person.pk in live or person.pk in taken:
                existing = live.get(person.pk)
                if existing is not None and number and existing.number and number != existing.number:
                    report.add(
                        row.number,
                        column,
                        _("This person is already a member of the society with number %(no)s; the membership was left as it is.") % {"no": existing.number},
                        "notice",
                    )
                elif existing is not None and existing.status != S.ACTIVE:
                    report.add(
                        row.number,
                        table.column_of("member_class"),
                        _("This person already has a membership or application of the society (%(status)s); it was left as it is.")
                        % {"status": S(existing.status).label},
                        "notice",
                    )
                elif existing is None:
                    report.add(
                        row.number,
                        table.column_of("name"),
                        _("This row is the same person as row %(row)d; it was skipped.") % {"row": taken[person.pk]},
                        "notice",
                    )
                continue
            if number and number in holders:
                problems.append(
                    (
                        row.number,
                        column,
                        gettext("Member number %(no)s is already held by another member of this society.") % {"no": number}
                        if holders[number] != person.pk
                        else gettext("Member number %(no)s belongs to an earlier membership of this person; readmit them instead.") % {"no": number},
                    )
                )
                continue
            year = extra.get("paid_through_year")
            membership = Membership(
                society=self.society,
                person=person,
                member_class=extra["class"],
                status=S.ACTIVE,
                number=number,
                joined_on=extra.get("joined_on"),
                paid_through=datetime.date(year, 12, 31) if year else None,
                imported=True,
                is_student=extra["class"].requires_student,
            )
            taken[person.pk] = row.number
            new.append((row, membership))
        if problems:
            from kejia.imports.services import RowsRejected

            raise RowsRejected(problems)
        # File numbers first, so that the numbers handed out next skip them.
        Membership.objects.bulk_create([m for _r, m in new if m.number])
        numbered = []
        for _row, membership in new:
            if not membership.number:
                membership.number = transitions.assign_number(membership, year=(membership.joined_on or self.today).year)
                numbered.append(membership)
        Membership.objects.bulk_create(numbered)
        actor = self.batch.actor if getattr(self.batch.actor, "pk", None) else None
        note = gettext("Imported from the member list %(file)s") % {"file": self.batch.file_name}
        MembershipEvent.objects.bulk_create(
            [MembershipEvent(membership=m, transition=Transition.APPROVE, to_status=S.ACTIVE, note=note, actor=actor) for _r, m in new]
        )
        return len(new)


def import_member_list(
    society, *, actor, file_name: str, content: bytes, mode: str = ImportMode.ALL, dry_run: bool = False, background: bool | None = None
) -> ImportBatch:
    from kejia.imports.services import start_import

    return start_import(society, actor=actor, file_name=file_name, content=content, mode=mode, dry_run=dry_run, background=background, kind=ImportKind.MEMBERS)


def import_member_list_as_system(society, *, file_name: str, content: bytes, mode: str = ImportMode.ALL, dry_run: bool = False) -> ImportBatch:
    from kejia.imports.services import import_as_system

    return import_as_system(society, file_name=file_name, content=content, mode=mode, dry_run=dry_run, kind=ImportKind.MEMBERS)
