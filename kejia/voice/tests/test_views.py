"""The pages, end to end through the test client: a worker sends, staff assign and forward, a
leader answers in public, the worker rates and reopens once; inbox, dashboard, public page and
the rules page."""

import pytest
from django.test import Client
from django.urls import reverse

from kejia.voice import services
from kejia.voice.choices import ItemStatus
from kejia.voice.models import CalendarDay, DeadlineRule, Item


@pytest.fixture
def clients(voice):
    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return {name: login(getattr(voice, name)) for name in ("worker", "county_staff", "county_leader", "nj_staff", "platform", "nj_admin", "sibling_staff")}


def test_send_page_sends_an_item(voice, clients):
    c = clients["worker"]
    page = c.get(reverse("voice:send"), {"q": "玄武"})
    assert page.status_code == 200 and voice.xw.name in page.content.decode()
    assert voice.xw in page.context["mine"]  # the worker's profile is listed by XW
    response = c.post(reverse("voice:send"), {"organization": "XW", "kind": "appeal", "title": "职称评审诉求", "body": "请关注。", "allow_public": "on"})
    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert (item.kind, item.allow_public, item.organization) == ("appeal", True, voice.xw)
    home = c.get(reverse("voice:home"))
    assert item in home.context["items"]


def test_send_page_shows_errors_next_to_the_fields(voice, clients):
    response = clients["worker"].post(reverse("voice:send"), {"organization": "NOPE", "kind": "appeal", "title": "t", "body": "b"})
    assert response.status_code == 400
    assert response.context["form"].errors["organization"]
    response = clients["worker"].post(reverse("voice:send"), {"organization": "XW", "kind": "x", "title": "", "body": ""})
    assert response.status_code == 400 and set(response.context["form"].errors) >= {"kind", "title", "body"}
    assert not Item.objects.exists()


def test_item_page_flow_from_assignment_to_rating(voice, clients, send):
    item = send()
    url = item.get_absolute_url()
    staff = clients["county_staff"]
    page = staff.get(url)
    assert page.status_code == 200 and {"assign", "forward", "answer"} <= set(page.context["f"])
    assert staff.post(reverse("voice:assign", kwargs={"pk": item.pk}), {"assign-assignee": voice.county_leader.pk}).status_code == 302
    leader = clients["county_leader"]
    page = leader.get(url)
    assert "assign" not in page.context["f"] and "answer" in page.context["f"] and page.context["signer"]
    response = leader.post(reverse("voice:answer", kwargs={"pk": item.pk}), {"answer-text": "感谢您的建议。", "answer-public": "on"})
    assert response.status_code == 302
    public = Client().get(reverse("voice:public"))
    assert public.status_code == 200
    text = public.content.decode()
    assert "感谢您的建议。" in text and "xw_leader" in text and item.title in text
    assert voice.worker.display_name not in text and "王科技" not in text
    worker = clients["worker"]
    page = worker.get(url)
    assert {"rate", "reopen", "publicity"} <= set(page.context["f"]) and "answer" not in page.context["f"]
    assert "内部" not in page.content.decode()
    assert worker.post(reverse("voice:rate", kwargs={"pk": item.pk}), {"rate-rating": "5"}).status_code == 302
    assert worker.post(reverse("voice:reopen", kwargs={"pk": item.pk}), {"reopen-reason": "还有问题"}).status_code == 302
    services.answer_item(item, actor=voice.county_staff, text="补充答复")
    response = worker.post(reverse("voice:reopen", kwargs={"pk": item.pk}), {"reopen-reason": "再次"})
    assert response.status_code == 409
    assert "once" in response.content.decode() or "一次" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.ANSWERED


def test_item_page_forward_up_goes_back_to_the_inbox(voice, clients, send):
    item = send()
    response = clients["county_staff"].post(reverse("voice:forward", kwargs={"pk": item.pk}), {"forward-to": "NJ"})
    assert response.status_code == 302 and response["Location"] == reverse("voice:inbox")
    assert clients["county_staff"].get(item.get_absolute_url()).status_code == 404
    response = clients["nj_staff"].post(reverse("voice:forward", kwargs={"pk": item.pk}), {"forward-to": "LX"})
    assert response.status_code == 400 and response.context["f"]["forward"].errors["to"]


def test_item_page_publish_and_close(voice, clients, send):
    item = send()
    answer = services.answer_item(item, actor=voice.county_staff, text="私下答复")
    assert clients["county_staff"].post(reverse("voice:publish", kwargs={"pk": answer.pk})).status_code == 403
    assert clients["county_leader"].post(reverse("voice:publish", kwargs={"pk": answer.pk})).status_code == 302
    assert clients["county_leader"].post(reverse("voice:publish", kwargs={"pk": answer.pk})).status_code == 409
    assert clients["worker"].post(reverse("voice:close", kwargs={"pk": item.pk})).status_code == 302
    assert clients["worker"].post(reverse("voice:close", kwargs={"pk": item.pk})).status_code == 409


def test_inbox_and_dashboard_are_for_roles_and_show_the_scope(voice, clients, send):
    mine = send(day="2026-01-05")  # long overdue
    other = send(to=voice.lx)
    assert clients["worker"].get(reverse("voice:inbox")).status_code == 403
    assert clients["worker"].get(reverse("voice:dashboard")).status_code == 403
    inbox = clients["county_staff"].get(reverse("voice:inbox"))
    assert list(inbox.context["page"].object_list) == [mine]
    assert "voice-overdue" in inbox.content.decode()
    assert list(clients["county_staff"].get(reverse("voice:inbox"), {"overdue": "on"}).context["page"].object_list) == [mine]
    board = clients["county_staff"].get(reverse("voice:dashboard")).context["board"]
    assert (board.open, board.overdue) == (1, 1)
    assert [row["code"] for row in board.by_org] == ["XW"]
    board = clients["platform"].get(reverse("voice:dashboard")).context["board"]
    assert board.open == 2 and {row["id"] for row in board.by_org} == {voice.xw.pk, voice.lx.pk}
    assert other not in clients["nj_staff"].get(reverse("voice:inbox")).context["page"].object_list
    assert clients["county_staff"].get(reverse("voice:dashboard"), {"org": voice.nj.pk}).status_code == 404


def test_rules_page_sets_rules_and_calendar(voice, clients):
    assert clients["worker"].get(reverse("voice:rules")).status_code == 200
    response = clients["nj_admin"].post(reverse("voice:rules"), {"rule-kind": "appeal", "rule-organization": "XW", "rule-working_days": "8"})
    assert response.status_code == 302
    assert DeadlineRule.objects.get(kind="appeal", organization=voice.xw).working_days == 8
    response = clients["nj_admin"].post(reverse("voice:rules"), {"rule-kind": "appeal", "rule-organization": "", "rule-working_days": "8"})
    assert response.status_code == 403
    response = clients["nj_admin"].post(reverse("voice:rules"), {"rule-kind": "appeal", "rule-organization": "LX", "rule-working_days": "8"})
    assert response.status_code == 400
    response = clients["platform"].post(reverse("voice:calendar"), {"cal-date": "2026-12-31", "cal-kind": "holiday", "cal-name": "测试"})
    assert response.status_code == 302 and CalendarDay.objects.filter(date="2026-12-31").exists()
    assert clients["nj_admin"].post(reverse("voice:calendar"), {"cal-date": "2027-01-01", "cal-kind": "holiday"}).status_code == 403


def test_public_page_needs_no_login_and_filters(voice, send):
    item = send(kind="policy_question")
    services.answer_item(item, actor=voice.county_leader, text="政策解读如下。", public=True)
    client = Client()
    assert client.get(reverse("voice:public"), {"kind": "policy_question"}).context["page"].object_list[0] == item
    assert not client.get(reverse("voice:public"), {"kind": "appeal"}).context["page"].object_list
    assert client.get(reverse("voice:public"), {"q": "政策解读"}).context["page"].object_list[0] == item
