"""Working days, deadline rules as data and the calendar of exceptions."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kejia.core.errors import DomainError, PermissionDenied
from kejia.core.models import AuditEvent
from kejia.voice import deadlines
from kejia.voice.choices import DayKind, ItemKind
from kejia.voice.deadlines import add_working_days, is_working_day, working_days_between
from kejia.voice.models import CalendarDay, DeadlineRule

D = datetime.date
FRIDAY = D(2026, 11, 27)

days = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))
calendars = st.dictionaries(st.dates(min_value=D(2026, 1, 1), max_value=D(2027, 12, 31)), st.booleans(), max_size=40)


@given(start=days, n=st.integers(min_value=0, max_value=60), calendar=calendars)
def test_add_working_days_lands_on_the_nth_working_day(start, n, calendar):
    due = add_working_days(start, n, calendar)
    assert due >= start
    assert working_days_between(start, due, calendar) == n
    if n:
        assert is_working_day(due, calendar)
        assert due > start


@given(start=days, n=st.integers(min_value=0, max_value=40), calendar=calendars)
def test_add_working_days_is_monotonic_and_additive(start, n, calendar):
    one = add_working_days(start, n, calendar)
    assert add_working_days(start, n + 1, calendar) > one
    assert add_working_days(one, 3, calendar) == add_working_days(start, n + 3, calendar)


@given(start=days, n=st.integers(min_value=1, max_value=30))
def test_add_working_days_without_exceptions_skips_only_weekends(start, n):
    due = add_working_days(start, n, {})
    assert due.weekday() < 5
    assert (due - start).days <= n + 2 * (n // 5 + 1)


def test_add_working_days_over_a_weekend_and_holidays():
    assert add_working_days(FRIDAY, 1, {}) == D(2026, 11, 30)  # Monday
    holidays = {D(2026, 11, 30): False, D(2026, 12, 1): False}
    assert add_working_days(FRIDAY, 1, holidays) == D(2026, 12, 2)
    makeup = {D(2026, 11, 28): True}  # a Saturday worked (调休)
    assert add_working_days(FRIDAY, 1, makeup) == D(2026, 11, 28)
    assert add_working_days(FRIDAY, 0, {}) == FRIDAY
    with pytest.raises(ValueError):
        add_working_days(FRIDAY, -1, {})


def test_default_rules_are_shipped_by_the_migration(db):
    defaults = {r.kind: r.working_days for r in DeadlineRule.objects.filter(organization__isnull=True)}
    assert defaults == {"suggestion": 15, "appeal": 15, "rights": 15, "policy_question": 10}
    assert not CalendarDay.objects.exists()


def test_rule_for_takes_the_nearest_organization(voice):
    w = voice
    deadlines.set_deadline_rule(actor=w.platform, kind=ItemKind.APPEAL, organization=w.nj, working_days=12)
    deadlines.set_deadline_rule(actor=w.platform, kind=ItemKind.APPEAL, organization=w.xw, working_days=7)
    assert deadlines.working_days_for("appeal", w.my) == 7
    assert deadlines.working_days_for("appeal", w.qh) == 12
    assert deadlines.working_days_for("appeal", w.lx) == 15
    assert deadlines.working_days_for("policy_question", w.xw) == 10
    deadlines.remove_deadline_rule(actor=w.platform, kind="appeal", organization=w.xw)
    assert deadlines.working_days_for("appeal", w.my) == 12


def test_set_deadline_rule_needs_the_right_administrator(voice):
    w = voice
    with pytest.raises(PermissionDenied):
        deadlines.set_deadline_rule(actor=w.county_staff, kind="appeal", organization=w.xw, working_days=5)
    with pytest.raises(PermissionDenied):
        deadlines.set_deadline_rule(actor=w.nj_admin, kind="appeal", organization=None, working_days=5)
    with pytest.raises(PermissionDenied):
        deadlines.set_deadline_rule(actor=w.nj_admin, kind="appeal", organization=w.wx, working_days=5)
    rule = deadlines.set_deadline_rule(actor=w.nj_admin, kind="appeal", organization=w.xw, working_days=5)
    assert rule.working_days == 5
    assert AuditEvent.objects.filter(action="voice.deadline_rule_set").count() == 1


def test_set_deadline_rule_refuses_bad_days_naming_the_field(voice):
    for bad in (0, 366, "x"):
        with pytest.raises(DomainError) as exc:
            deadlines.set_deadline_rule(actor=voice.platform, kind="appeal", organization=None, working_days=bad)
        assert exc.value.field == "working_days"
    assert DeadlineRule.objects.get(kind="appeal", organization__isnull=True).working_days == 15


def test_remove_default_rule_is_refused(voice):
    with pytest.raises(DomainError) as exc:
        deadlines.remove_deadline_rule(actor=voice.platform, kind="appeal", organization=None)
    assert exc.value.code == "default_rule"


def test_set_calendar_day_changes_due_dates(voice):
    w = voice
    deadlines.set_calendar_day(actor=w.platform, date="2026-11-30", kind=DayKind.HOLIDAY, name="测试假日")
    _, due = deadlines.due_date("suggestion", w.xw, FRIDAY)
    assert due == add_working_days(FRIDAY, 15, {D(2026, 11, 30): False})
    deadlines.set_calendar_day(actor=w.platform, date=D(2026, 11, 30), kind="")
    assert not CalendarDay.objects.exists()
    with pytest.raises(PermissionDenied):
        deadlines.set_calendar_day(actor=w.nj_admin, date=D(2026, 12, 1), kind=DayKind.HOLIDAY)
    with pytest.raises(DomainError) as exc:
        deadlines.set_calendar_day(actor=w.platform, date="not-a-date", kind=DayKind.HOLIDAY)
    assert exc.value.field == "date"
