"""Overdue items move up the tree, one level a run, with a new due date, over weekends and
holidays; running twice changes nothing; the command and the task run the same service."""

import datetime
import io
import json

from django.core.management import call_command

from kejia.core.models import AuditEvent, Notice
from kejia.voice import deadlines, services
from kejia.voice.choices import DayKind, EventKind, ItemStatus
from kejia.voice.escalation import escalate_overdue
from kejia.voice.models import ItemEvent
from kejia.voice.tasks import escalate_voice_task
from kejia.voice.tests.conftest import at

D = datetime.date


def test_escalate_overdue_moves_an_item_to_the_parent_after_its_due_date(voice, send):
    item = send(day="2026-11-23")  # due Monday 14 December
    services.assign_item(item, actor=voice.county_staff, assignee=voice.county_staff)
    assert escalate_overdue(now=at("2026-12-14")).escalated == 0  # due today: not late yet
    Notice.objects.all().delete()
    run = escalate_overdue(now=at("2026-12-15"))
    assert (run.escalated, run.at_top) == (1, 0)
    item.refresh_from_db()
    assert (item.organization, item.status, item.assignee, item.escalation_level) == (voice.nj, ItemStatus.SUBMITTED, None, 1)
    assert item.due_on == D(2027, 1, 5)  # 15 working days from Tuesday 15 December
    event = item.events.get(kind=EventKind.ESCALATED)
    assert (event.from_org, event.to_org, event.actor) == (voice.xw, voice.nj, None)
    assert set(Notice.objects.values_list("user__username", flat=True)) == {"nj_staff", "nj_admin", "worker"}
    assert AuditEvent.objects.filter(action="voice.item_escalated").count() == 1


def test_escalate_overdue_twice_on_one_day_changes_nothing(voice, send):
    send(day="2026-11-23")
    escalate_overdue(now=at("2026-12-15", 1))
    before = (ItemEvent.objects.count(), Notice.objects.count(), AuditEvent.objects.count())
    assert escalate_overdue(now=at("2026-12-15", 23)).escalated == 0
    assert (ItemEvent.objects.count(), Notice.objects.count(), AuditEvent.objects.count()) == before


def test_escalate_overdue_climbs_to_the_top_and_stays(voice, send):
    item = send(to=voice.my, day="2026-11-23")
    seen = []
    for _step in range(5):  # the fake clock: the day after each due date
        run = escalate_overdue(now=at((item.due_on + datetime.timedelta(days=1)).isoformat()))
        item.refresh_from_db()
        seen.append((item.organization.code, run.escalated, run.at_top))
    assert seen == [("XW", 1, 0), ("NJ", 1, 0), ("JS", 1, 0), ("JS", 0, 1), ("JS", 0, 1)]
    assert item.escalation_level == 3
    assert [e.to_org.code for e in item.events.filter(kind=EventKind.ESCALATED).order_by("created_at")] == ["XW", "NJ", "JS"]


def test_escalate_overdue_counts_working_days_around_holidays(voice, send):
    for day, kind in (("2026-12-24", DayKind.HOLIDAY), ("2026-12-25", DayKind.HOLIDAY), ("2026-12-26", DayKind.WORKDAY)):
        deadlines.set_calendar_day(actor=voice.platform, date=day, kind=kind)
    item = send(kind="policy_question", day="2026-12-18")  # a Friday; 10 working days
    # 21 22 23 (26 worked) 28 29 30 31, 1 Jan, 4 Jan: the 24th and 25th are off
    assert item.due_on == D(2027, 1, 4)
    assert escalate_overdue(now=at("2027-01-04")).escalated == 0
    assert escalate_overdue(now=at("2027-01-05")).escalated == 1


def test_escalate_overdue_leaves_answered_and_closed_items(voice, send):
    answered = send(day="2026-11-23")
    services.answer_item(answered, actor=voice.county_staff, text="答复")
    closed = send(day="2026-11-23")
    services.answer_item(closed, actor=voice.county_staff, text="答复")
    services.rate_item(closed, actor=voice.worker, rating=5)
    assert escalate_overdue(now=at("2027-03-01")).escalated == 0


def test_escalate_overdue_moves_a_reopened_item_after_its_new_due_date(voice, send):
    item = send(day="2026-11-23")
    services.answer_item(item, actor=voice.county_staff, text="答复", now=at("2026-11-24"))
    services.reopen_item(item, actor=voice.worker, reason="不满意", now=at("2026-12-18"))
    assert escalate_overdue(now=at("2026-12-21")).escalated == 0
    item.refresh_from_db()
    assert item.due_on == D(2027, 1, 8)
    assert escalate_overdue(now=at("2027-01-11")).escalated == 1
    item.refresh_from_db()
    assert (item.status, item.organization) == (ItemStatus.REOPENED, voice.nj)


def test_escalate_voice_command_and_task(voice, send):
    send(day="2026-11-23")
    out = io.StringIO()
    call_command("escalate_voice", "--now", "2026-12-15", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"escalated": 1, "at_top": 0}
    result = escalate_voice_task.enqueue(now="2027-01-06")
    assert result.return_value == {"escalated": 1, "at_top": 0}


def test_escalate_voice_command_refuses_a_bad_date(voice):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("escalate_voice", "--now", "tomorrow")
