"""On a phone-sized window, a S&T worker logs in and lands on their online home, finds the
association of their township by picking the division, opens its public page and an upcoming
event and registers, sends the association a suggestion, answers the survey waiting for them, and
sees the registration and the suggestion on /me/ with no survey left waiting. The data are built
with the services of the apps (activities, surveys, people)."""

import pytest

from kejia.activities.models import Registration
from kejia.home.tests.conftest import make_event, waiting_survey
from kejia.memberships.tests.conftest import make_person
from kejia.surveys.models import Response
from kejia.voice.models import Item
from tests.browser.pickers import pick_division

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=identifier]", username)
    page.fill("input[name=password]", password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()


def pick(page, codes):
    pick_division(page, codes, within="#find-form")


def test_worker_finds_association_registers_suggests_and_answers_survey(tree, live_server, phone_page):
    page, base = phone_page, live_server.url
    person = make_person(tree, name="李明", user=tree.worker)  # listed by the society: the survey asks them
    event = make_event(tree, tree.xw, "玄武区青年科技沙龙")
    survey = waiting_survey(tree, title="科技工作者服务满意度调查")

    # Log in: a worker (no role) lands on their online home; the survey waits there.
    log_in(page, base, "worker", tree.password)
    page.wait_for_url(f"{base}/me/")
    page.locator("#surveys", has_text="科技工作者服务满意度调查").wait_for()

    # Find the association of the township by picking the division.
    page.goto(f"{base}/find/")
    pick(page, ["320000", "320100", "320102", "320102002"])
    chain = page.locator("#results #chain")
    chain.locator(f"a[href='/a/{tree.my.pk}/']").wait_for()  # the township's own association, below the county's
    chain.locator(f"a[href='/a/{tree.xw.pk}/']").click()
    page.wait_for_url(f"{base}/a/{tree.xw.pk}/")
    page.locator("h1", has_text=tree.xw.name).wait_for()

    # Open the coming event and register.
    page.locator("#events a", has_text="玄武区青年科技沙龙").click()
    page.wait_for_url(f"**/activities/events/{event.pk}/")
    page.locator(f"form[action$='/activities/events/{event.pk}/register/'] button[type=submit]").click()
    page.wait_for_url("**/activities/registrations/*/")
    assert Registration.objects.filter(event=event, person=person, status="confirmed").exists()

    # Back on the association's page: send it a suggestion.
    page.goto(f"{base}/a/{tree.xw.pk}/")
    page.locator("#send-suggestion").click()
    page.wait_for_url("**/voice/new/?to=*")
    assert page.locator("input[name=organization]").input_value() == tree.xw.code
    page.fill("input[name=title]", "建议每月举办青年科技沙龙")
    page.fill("textarea[name=body]", "希望固定在每月第一个周六。")
    page.locator("form[action$='/voice/new/'][method=post] button[type=submit]").click()
    page.wait_for_url("**/voice/items/*/")
    item = Item.objects.get(sender=tree.worker)
    assert item.organization_id == tree.xw.pk and item.kind == "suggestion"

    # Answer the waiting survey from the home.
    page.goto(f"{base}/me/")
    page.locator("#surveys a", has_text="科技工作者服务满意度调查").click()
    page.wait_for_url(f"**/surveys/{survey.pk}/answer/")
    page.locator("input[name=q1][value='0']").check()
    page.locator("form[data-survey] button[name=action][value=submit]").click()
    page.wait_for_load_state()
    assert Response.objects.filter(survey=survey, status="submitted").count() == 1

    # The home shows the registration and the suggestion; no survey waits any more.
    page.goto(f"{base}/me/")
    page.locator("#events", has_text="玄武区青年科技沙龙").wait_for()
    page.locator("#voice", has_text="建议每月举办青年科技沙龙").wait_for()
    assert page.locator("#surveys a").count() == 0
    # Phone-sized: nothing wider than the window.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
