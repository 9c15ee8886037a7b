import datetime

import pytest
from django.core.management import call_command

from kejia.imports.models import BatchStatus, ImportMode
from kejia.imports.tests.sheets import csv_bytes, person_id, xlsx
from kejia.memberships import importing
from kejia.memberships.choices import MembershipStatus
from kejia.memberships.models import Membership, MembershipEvent
from kejia.memberships.tests.conftest import make_person
from kejia.people.models import Listing, Person

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "身份证号", "手机号", "职称级别", "会员类别", "会员号", "入会日期", "会费缴至"]


def member(n: int, *, cls: str = "full", number: str = "", joined: str = "2015-06-01", paid: str = "2026", **over) -> dict:
    row = {
        "姓名": f"王{'一二三四五六七八九十'[n % 10]}{n}",
        "身份证号": person_id(n),
        "手机号": f"137{n:08d}",
        "职称级别": "中级",
        "会员类别": cls,
        "会员号": number,
        "入会日期": joined,
        "会费缴至": paid,
    }
    row.update(over)
    return row


def run(tree, content: bytes, name: str = "members.csv", **kw):
    batch = importing.import_member_list(tree.soc, actor=tree.society_secretary, file_name=name, content=content, **kw)
    batch.refresh_from_db()
    return batch


def errors(batch) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["reason"]) for e in batch.report if e["level"] == "error"]


def test_import_members_csv_matches_existing_profile_and_creates_new_people(tree, society):
    known = make_person(tree, name="王一1", resident_id=person_id(1))
    people_before = Person.objects.count()
    batch = run(tree, csv_bytes([member(1), member(2, cls="senior", paid=""), member(3, cls=society.classes["student"].name, joined="")], HEADERS))
    assert batch.status == BatchStatus.DONE and batch.committed, batch.message
    assert errors(batch) == []
    assert (batch.created_count, batch.members_count) == (2, 3)
    assert Person.objects.count() == people_before + 2
    first = Membership.objects.get(society=tree.soc, person=known)
    assert first.status == MembershipStatus.ACTIVE and first.imported and first.member_class.code == "full"
    assert first.joined_on == datetime.date(2015, 6, 1) and first.paid_through == datetime.date(2026, 12, 31)
    assert first.number.startswith("SOC-2015-")
    senior = Membership.objects.get(society=tree.soc, member_class__code="senior")
    assert senior.paid_through is None
    assert any(e["row"] == 3 and e["column"] == "会费缴至" and e["level"] == "notice" for e in batch.report)  # dues owed from joining
    student = Membership.objects.get(society=tree.soc, member_class__code="student")
    assert student.joined_on is None and student.is_student and student.number.startswith("SOC-2026-")
    numbers = list(Membership.objects.filter(society=tree.soc).values_list("number", flat=True))
    assert len(set(numbers)) == 3
    assert MembershipEvent.objects.filter(membership__society=tree.soc, note__contains="members.csv").count() == 3
    assert Listing.objects.filter(organization=tree.soc, person=known).exists()


def test_import_members_xlsx_keeps_numbers_from_the_file(tree, society):
    batch = run(tree, xlsx([member(4, number="JSCS-0004"), member(5, number=""), member(6, number="SOC-2015-00001")], HEADERS), name="members.xlsx")
    assert batch.committed, batch.report
    got = dict(Membership.objects.filter(society=tree.soc).values_list("person__name", "number"))
    assert got["王五4"] == "JSCS-0004" and got["王七6"] == "SOC-2015-00001"
    assert got["王六5"] != "SOC-2015-00001" and got["王六5"].startswith("SOC-2015-")  # the next free number skips the file's


def test_import_members_unknown_class_is_a_row_error_and_nothing_is_written(tree, society):
    people_before = Person.objects.count()
    batch = run(tree, csv_bytes([member(1), member(2, cls="荣誉理事")], HEADERS))
    assert batch.status == BatchStatus.DONE and not batch.committed
    [(row, column, reason)] = errors(batch)
    assert (row, column) == (3, "会员类别") and "荣誉理事" in reason
    assert Person.objects.count() == people_before
    assert not Membership.objects.filter(society=tree.soc).exists()


def test_import_members_good_rows_skips_the_bad_one(tree, society):
    batch = run(tree, csv_bytes([member(1), member(2, cls="nope"), member(3, 会费缴至="1800")], HEADERS), mode=ImportMode.GOOD)
    assert batch.committed and batch.members_count == 1 and batch.bad == 2
    assert {r for r, _c, _m in errors(batch)} == {3, 4}


def test_import_members_reimport_changes_nothing(tree, society):
    content = csv_bytes([member(1), member(2, cls="senior"), member(3, number="X-3")], HEADERS)
    run(tree, content)
    snapshot = list(Membership.objects.filter(society=tree.soc).order_by("pk").values_list("pk", "person_id", "number", "status", "paid_through", "updated_at"))
    people = Person.objects.count()
    again = run(tree, content)
    assert again.committed and again.members_count == 0 and again.created_count == 0 and again.updated_count == 0
    assert errors(again) == []
    assert (
        list(Membership.objects.filter(society=tree.soc).order_by("pk").values_list("pk", "person_id", "number", "status", "paid_through", "updated_at"))
        == snapshot
    )
    assert Person.objects.count() == people


def test_import_members_number_held_by_another_person_is_a_row_error(tree, society):
    run(tree, csv_bytes([member(1, number="N-1")], HEADERS))
    batch = run(tree, csv_bytes([member(2, number="N-1"), member(3, number="N-3"), member(4, number="N-3")], HEADERS), mode=ImportMode.GOOD)
    found = errors(batch)
    assert [(r, c) for r, c, _m in found] == [(2, "会员号"), (4, "会员号")]
    assert "N-1" in found[0][2]
    assert batch.members_count == 1


def test_import_members_number_conflict_found_after_matching_rolls_back(tree, society):
    """A row without an ID number: who it is is known only after matching, inside the write."""
    holder = make_person(tree, name="赵六")
    services_m = Membership.objects.create(
        society=tree.soc, person=holder, member_class=society.classes["full"], status="active", number="OLD-1", imported=True
    )
    people_before = Person.objects.count()
    rows = [member(1), member(2, 身份证号="", number="OLD-1", 姓名="钱七")]
    batch = run(tree, csv_bytes(rows, HEADERS))
    assert not batch.committed and [(r, c) for r, c, _m in errors(batch)] == [(3, "会员号")]
    assert Person.objects.count() == people_before
    assert list(Membership.objects.filter(society=tree.soc)) == [services_m]
    good = run(tree, csv_bytes(rows, HEADERS), mode=ImportMode.GOOD)
    assert good.committed and good.members_count == 1 and good.bad == 1
    assert not Person.objects.filter(name="钱七").exists()


def test_import_members_needs_the_class_column_and_a_society(tree, society):
    batch_error = None
    try:
        run(tree, csv_bytes([member(1)], ["姓名", "身份证号"]))
    except Exception as exc:  # refused before a batch is recorded
        batch_error = exc
    assert batch_error is not None and getattr(batch_error, "code", "") == "bad_file"
    from kejia.core.errors import DomainError

    with pytest.raises(DomainError):
        importing.import_member_list(tree.xw, actor=tree.platform, file_name="m.csv", content=csv_bytes([member(1)], HEADERS))


def test_import_members_command_dry_run_then_import(tree, society, tmp_path, capsys):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([member(1), member(2)], HEADERS))
    call_command("import_members", str(path), "--society", "SOC", "--dry-run")
    assert not Membership.objects.filter(society=tree.soc).exists()
    call_command("import_members", str(path), "--society", "SOC", "--json")
    assert Membership.objects.filter(society=tree.soc, imported=True, status=MembershipStatus.ACTIVE).count() == 2
    assert '"members_added": 2' in capsys.readouterr().out
