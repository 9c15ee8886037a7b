"""On a desktop window and on a phone-sized one, the society's secretary logs in and lands on the
dashboard, whose to-do lists two membership applications and a suggestion overdue; they follow
the first application, approve it on its page, go back home and find one application fewer (the
total down by one), the other still there. The data are built with the apps' services."""

import datetime

import pytest
from django.utils import timezone

from kejia.memberships import applications, member_classes
from kejia.memberships.choices import MembershipStatus
from kejia.memberships.models import Membership
from kejia.memberships.tests.conftest import make_person
from kejia.voice.models import Item
from kejia.voice.services import send_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=identifier]", username)
    page.fill("input[name=password]", password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()


@pytest.fixture
def waiting(tree):
    from kejia.voice.deadlines import load_default_rules
    from kejia.voice.models import DeadlineRule

    load_default_rules(DeadlineRule)  # a transactional test flushes what the migration shipped
    one_step = member_classes.create_member_class(
        tree.soc, actor=tree.society_secretary, code="full", name="正会员", kind="full", approval_steps=["秘书处审核"]
    )
    applied = [
        applications.apply_for_membership(actor=tree.society_secretary, society=tree.soc, member_class=one_step, person=make_person(tree, name=name))
        for name in ("申请人甲", "申请人乙")
    ]
    item = send_item(actor=tree.worker, organization=tree.soc, kind="suggestion", title="学会年会建议", body="希望增加青年论坛。")
    Item.objects.filter(pk=item.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    return applied


@pytest.mark.parametrize("window", ["page", "phone_page"])
def test_staff_follows_a_todo_item_approves_it_and_the_count_goes_down(tree, live_server, waiting, request, window):
    page, base = request.getfixturevalue(window), live_server.url
    first, second = waiting

    log_in(page, base, "soc_staff", tree.password)
    page.wait_for_url(f"{base}/")
    todo = page.locator("#todo")
    applications = todo.locator("[data-todo-section=applications]")
    assert applications.get_attribute("data-count") == "2"
    assert todo.locator("[data-todo-total]").get_attribute("data-todo-total") == "3"
    # The overdue suggestion comes first (a deadline passed), the applications after it.
    groups = todo.locator("[data-todo-group]")
    assert groups.nth(0).get_attribute("data-todo-group") == "voice"
    assert "已逾期 2 天" in todo.locator("[data-todo-section=questions]").inner_text()
    assert applications.locator("a", has_text="申请人甲").is_visible()

    # Follow the first application to its page and approve it there.
    applications.locator("a", has_text="申请人甲").click()
    page.wait_for_url(f"**/memberships/{first.pk}/")
    approve = page.locator(f"form[action$='/{first.pk}/approve/']")
    page.locator("details.action", has=approve).locator("summary").click()  # the step's form (with a note) folds open
    approve.locator("button[type=submit]").click()
    page.wait_for_url(f"**/memberships/{first.pk}/")
    first.refresh_from_db()
    assert first.status == MembershipStatus.ACTIVE

    # Back home: one application left, the total down by one.
    page.goto(f"{base}/")
    applications = page.locator("#todo [data-todo-section=applications]")
    assert applications.get_attribute("data-count") == "1"
    assert page.locator("#todo [data-todo-total]").get_attribute("data-todo-total") == "2"
    assert applications.locator("a", has_text="申请人乙").is_visible()
    assert not applications.locator("a", has_text="申请人甲").count()
    assert Membership.objects.get(pk=second.pk).status == MembershipStatus.APPLIED
    if window == "phone_page":  # nothing of the to-do runs off a phone's screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
