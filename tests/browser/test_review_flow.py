"""Expert review on a phone (390 px): the reviewer opens "my reviews", fills and submits a score
sheet; the owner's round page (assignment table, results, credibility) fits the width."""

import pytest
from django.test import Client

from kejia.review import services
from kejia.review.models import Assignment
from kejia.review.tests.conftest import build_round, fixed_affinity, invite_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def log_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


def test_reviewer_scores_on_a_phone_and_the_owner_page_fits(tree, phone_page, live_server):
    rw = build_round(tree)
    invite_all(rw)
    services.run_assignment(rw.round, actor=rw.owner, affinity=fixed_affinity())
    services.start_scoring(rw.round, actor=rw.owner)
    a = Assignment.objects.select_related("person__user", "item").order_by("pk").first()
    page = phone_page
    log_in(page.context, live_server, a.person.user)
    page.goto(f"{live_server.url}/review/")
    assert page.evaluate(FITS)
    page.get_by_role("link", name=a.item.title).first.click()
    page.wait_for_url(f"**/review/sheets/{a.pk}/")
    assert page.evaluate(FITS)
    for code in ("innovation", "feasibility", "demonstration", "groundwork"):
        page.fill(f"#score-{code}", "8")
    page.fill("#comments", "方案可行，基础扎实。")
    page.get_by_role("button", name="提交评分").click()
    page.wait_for_selector("text=评分已提交")
    assert page.evaluate(FITS)
    a.sheet.refresh_from_db()
    assert a.sheet.submitted_at is not None and a.sheet.total == pytest.approx(80.0)

    page.context.clear_cookies()
    log_in(page.context, live_server, rw.owner)
    page.goto(f"{live_server.url}/review/rounds/{rw.round.pk}/")
    page.wait_for_selector("text=评审分配")
    assert page.evaluate(FITS)
