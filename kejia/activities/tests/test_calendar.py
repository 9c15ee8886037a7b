"""Public calendars and iCalendar feeds (RFC 5545): no login, only published public events,
per association and per subtree; lines folded at 75 octets, text escaped, one UID per event."""

import datetime

from django.urls import reverse
from django.utils import timezone

from kejia.activities import ical, selectors, services
from kejia.activities.tests.conftest import DAY, make_event


def _unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_escape_and_fold_follow_rfc5545():
    assert ical.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "科技工作者之家" * 20
    folded = ical.fold(line)
    pieces = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert _unfold(folded) == line
    assert ical.fold("SHORT:x") == "SHORT:x"


def test_calendar_document_has_the_required_properties(tree):
    event = make_event(tree, title="讲座：人工智能, 未来; 与你", description="第一行\n第二行")
    text = ical.calendar([event], name="玄武区科协", now=datetime.datetime(2026, 11, 23, 1, 2, 3, tzinfo=datetime.UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    unfolded = _unfold(text)
    assert f"UID:event-{event.pk}@127.0.0.1" in unfolded
    assert "DTSTAMP:20261123T010203Z" in unfolded
    assert f"DTSTART:{event.starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}" in unfolded
    assert "SUMMARY:讲座：人工智能\\, 未来\\; 与你" in unfolded
    assert "第一行\\n第二行" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_calendar_feed_is_public_and_has_only_published_public_events(client, tree):
    public = make_event(tree, title="公开讲座")
    members = make_event(tree, title="会员沙龙", audience="members", audience_organization=tree.xw)
    draft = make_event(tree, title="草稿活动", publish=False)
    cancelled = make_event(tree, title="取消的活动")
    services.cancel_event(cancelled, actor=tree.platform, reason="取消")
    below = make_event(tree, org=tree.my, title="街道科普")
    response = client.get(reverse("activities:calendar_ics", args=[tree.xw.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = _unfold(response.content.decode())
    assert f"UID:event-{public.pk}@" in body
    for hidden in (members, draft, cancelled, below):
        assert f"UID:event-{hidden.pk}@" not in body
    subtree = _unfold(client.get(reverse("activities:calendar_ics", args=[tree.xw.pk]), {"subtree": "1"}).content.decode())
    assert f"UID:event-{below.pk}@" in subtree and f"UID:event-{draft.pk}@" not in subtree
    sibling = _unfold(client.get(reverse("activities:calendar_ics", args=[tree.qh.pk]), {"subtree": "1"}).content.decode())
    assert "BEGIN:VEVENT" not in sibling


def test_calendar_page_without_login_lists_the_month(client, tree):
    event = make_event(tree, title="公开讲座", start_in=DAY * 2)
    month = timezone.localtime(event.starts_at).strftime("%Y-%m")
    response = client.get(reverse("activities:calendar", args=[tree.nj.pk]), {"subtree": "1", "month": month})
    assert response.status_code == 200 and "公开讲座" in response.content.decode()
    assert "公开讲座" not in client.get(reverse("activities:calendar", args=[tree.nj.pk]), {"month": month}).content.decode()
    assert client.get(reverse("activities:calendar", args=[tree.nj.pk]), {"month": "garbage"}).status_code == 200
    assert client.get(reverse("activities:calendar", args=[987654])).status_code == 404


def test_event_ics_of_a_draft_is_not_found(client, tree):
    draft = make_event(tree, publish=False)
    assert client.get(reverse("activities:event_ics", args=[draft.pk])).status_code == 404
    event = make_event(tree)
    assert "BEGIN:VEVENT" in client.get(reverse("activities:event_ics", args=[event.pk])).content.decode()


def test_upcoming_public_events_by_organizations_and_region(tree):
    xw = make_event(tree, title="玄武")
    lx = make_event(tree, org=tree.lx, title="梁溪", region=tree.regions["320213"])
    online = make_event(tree, org=tree.lx, title="线上", region=None, online_url="https://m.example.cn/x")
    make_event(tree, title="过去", start_in=-DAY * 3)
    make_event(tree, title="会员", audience="members", audience_organization=tree.xw)
    assert [e.pk for e in selectors.upcoming_public_events()] == [xw.pk, lx.pk, online.pk]
    assert [e.pk for e in selectors.upcoming_public_events(organizations=[tree.lx])] == [lx.pk, online.pk]
    from kejia.organizations.models import Organization

    assert [e.pk for e in selectors.upcoming_public_events(organizations=Organization.objects.filter(code="XW"))] == [xw.pk]
    assert [e.pk for e in selectors.upcoming_public_events(region=tree.regions["320200"])] == [lx.pk, online.pk]
    assert [e.pk for e in selectors.upcoming_public_events(region=tree.regions["320100"], limit=5)] == [xw.pk]
    assert xw.get_absolute_url() == f"/activities/events/{xw.pk}/"


def test_recommended_events_match_region_or_disciplines_and_skip_registered(tree, people):
    from kejia.activities import registration

    person = people.a.person  # listed by LX; region set below
    person.region = tree.regions["320213"]
    person.save(update_fields=["region"])
    near = make_event(tree, org=tree.lx, title="近处", region=tree.regions["320213"])
    field = make_event(tree, title="同领域", disciplines=["520"])
    make_event(tree, title="无关")
    assert [e.pk for e in selectors.recommended_events(person)] == [near.pk]
    person.disciplines.set(["520"])
    assert {e.pk for e in selectors.recommended_events(person)} == {near.pk, field.pk}
    registration.register_for_event(near, actor=people.a)
    assert [e.pk for e in selectors.recommended_events(person)] == [field.pk]
    assert selectors.recommended_events(None) == []


def test_events_of_user_newest_first(tree, people):
    from kejia.activities import registration

    soon = make_event(tree, title="近", start_in=DAY * 2)
    later = make_event(tree, title="远", start_in=DAY * 20)
    registration.register_for_event(soon, actor=people.a)
    registration.register_for_event(later, actor=people.a)
    assert [r.event_id for r in selectors.events_of_user(people.a)] == [later.pk, soon.pk]
    from django.contrib.auth.models import AnonymousUser

    assert list(selectors.events_of_user(AnonymousUser())) == []
