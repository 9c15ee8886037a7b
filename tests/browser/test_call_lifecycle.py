"""Issue 18's whole life cycle of a call in the browser, on a desktop window and on a phone (390 px,
where every page passed through fits the width): the municipal
association's staff member fills the seed-004 application, saves it, downloads it as PDF and
submits it; the province recommends it on its queue; the owner passes the formal check on the
call's queue. The owner opens the expert review with the calls service (no page opens it) and
invites a willing reviewer on the round's page; the reviewer logs in, accepts on /review/ and,
once the owner has assigned and started scoring, fills the score sheet; the owner closes the
round, records the review meeting, selects, announces, approves the project, records the first
payment (the second is refused until the mid-term review passes), passes the mid-term review,
records the second payment and, after the applicant's deliverable (handed in through the
service), concludes the project."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from kejia.calls.models import Application, Payment, Project
from kejia.review.models import Assignment
from tests.browser.test_phone_layout import log_in as log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username, password):
    """Through the login form, as a person would."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=identifier]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()[:500]


def switch_to(page, live_server, user):
    page.context.clear_cookies()
    log_in_as(page.context, live_server, user)


def answers_as_inputs(answers: dict) -> list[tuple[str, str]]:
    """The page's input names for the answers (kejia.calls.form_pages: f-key, f-key-part, f-key-row-column)."""
    out = []
    for key, value in answers.items():
        if isinstance(value, dict):
            out += [(f"f-{key}-{part}", v) for part, v in value.items()]
        elif isinstance(value, list):
            out += [(f"f-{key}-{row}-{column}", v) for row, cells in enumerate(value, start=1) for column, v in cells.items()]
        else:
            out.append((f"f-{key}", value))
    return out


def post(page, selector):
    """Click a submit button and wait for the page the post leads to."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def step(page, action, scope=None):
    """One of the steps of kejia/calls/templates/calls/_steps.html: open its fold if it has fields, post it."""
    scope = scope or page
    form = f"form[action*='/step/{action}/']"
    fold = scope.locator(f"details:has({form}) > summary")
    if fold.count():
        fold.first.click()
    with page.expect_navigation():
        scope.locator(f"{form} button[type=submit]").first.click()


@pytest.fixture
def open_call(tree):
    from kejia.accounts.services import create_user, grant_role
    from kejia.calls.services import create_call_from_template, publish_call
    from kejia.organizations.services import create_organization

    cast = create_organization(actor=tree.platform, parent=None, name="中国科学技术协会", code="CAST", kind="national_assoc")
    owner = create_user(actor=tree.platform, username="cast_staff", password=tree.password, display_name="cast", check_password=False)
    grant_role(owner, actor=tree.platform, organization=cast, kind="staff")
    call = create_call_from_template(cast, actor=owner, template="local_reform_pilot", deadline=timezone.now() + datetime.timedelta(days=20), budget="1000000")
    return SimpleNamespace(t=tree, cast=cast, owner=owner, call=publish_call(call, actor=owner))


@pytest.mark.parametrize("window", ["page", "phone_page"])
def test_the_whole_life_of_a_call_in_the_browser(tree, live_server, open_call, request, window):
    from kejia.calls import reviewing, workflow
    from kejia.calls.tests.conftest import complete_answers
    from kejia.calls.tests.test_lifecycle_api import willing_reviewers

    page, base, call = request.getfixturevalue(window), live_server.url, open_call.call
    phone = window == "phone_page"

    def fits():
        if phone:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url

    # ---- the municipal association fills, saves, prints and submits ----------------------------
    log_in(page, base, "nj_staff", tree.password)
    page.goto(f"{base}/calls/{call.pk}/")
    page.fill("input[name=title]", "南京市科协改革试点")
    page.locator("button", has_text="开始申报").click()
    page.wait_for_url("**/calls/applications/*/")
    application = Application.objects.get(call=call)
    for name, value in answers_as_inputs(complete_answers()):
        field = page.locator(f"[name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    post(page, "button[value=save]")
    fits()
    application.refresh_from_db()
    assert application.status == "draft" and application.data["team"][1]["name"] == "孙八" and application.data["pilot_period"]["end"] == "2021-07"
    with page.expect_download() as downloading:
        page.locator("a[href*='/print/?format=pdf']").click()
    pdf = downloading.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as printed:
        assert printed.read(5) == b"%PDF-"
    page.locator("input[name=attest]").check()
    post(page, "button[value=submit]")
    application.refresh_from_db()
    assert application.status == "submitted", page.locator("main").inner_text()[:2000]

    # ---- the province recommends; the owner passes the formal check -----------------------------
    switch_to(page, live_server, tree.province_staff)
    page.goto(f"{base}/calls/recommend/")
    fits()
    step(page, "recommend", page.locator(f"#application-{application.pk}"))
    application.refresh_from_db()
    assert application.status == "recommended"
    switch_to(page, live_server, open_call.owner)
    page.goto(f"{base}/calls/{call.pk}/queue/?status=recommended")
    fits()
    step(page, "accept", page.locator(f"#application-{application.pk}"))
    application.refresh_from_db()
    assert application.status == "under_review"

    # ---- the expert review ----------------------------------------------------------------------
    (expert,) = willing_reviewers(open_call, n=1)
    round_ = reviewing.open_review(call, actor=open_call.owner, per_item=1, max_load=1)  # no page opens a call's review
    round_page = f"{base}/review/rounds/{round_.pk}/"
    page.goto(round_page)
    page.fill("#find-who", expert.name)  # the invitation form searches the willing people
    post(page, "form.filters button[type=submit]")
    post(page, f"form:has(input[name=person][value='{expert.pk}']) button[name=action][value=invite]")
    log_in(page, base, expert.user.username, tree.password)
    page.goto(f"{base}/review/")
    post(page, "button[name=action][value=accept]")
    switch_to(page, live_server, open_call.owner)
    page.goto(round_page)
    fits()
    post(page, "button[name=action][value=run]")
    page.fill("#deadline", (timezone.localtime() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"))
    post(page, "button[name=action][value=deadline]")
    post(page, "button[name=action][value=start]")
    round_.refresh_from_db()
    assert round_.status == "scoring" and round_.score_deadline is not None, page.locator("main").inner_text()[:1000]
    assignment = Assignment.objects.get(round=round_)
    assert assignment.person == expert
    log_in(page, base, expert.user.username, tree.password)
    page.goto(f"{base}/review/")
    page.locator(f"a[href$='/review/sheets/{assignment.pk}/']").first.click()
    page.wait_for_url(f"**/review/sheets/{assignment.pk}/")
    fits()
    for code in ("innovation", "feasibility", "demonstration", "groundwork"):
        page.fill(f"#score-{code}", "8")
    page.fill("#comments", "改革思路清楚，基础扎实。")
    post(page, "button[name=action][value=submit]")
    assignment.sheet.refresh_from_db()
    assert assignment.sheet.submitted_at is not None and assignment.sheet.total == pytest.approx(80.0)

    # ---- the owner: the meeting, the decision, the announcement, the approval --------------------
    switch_to(page, live_server, open_call.owner)
    page.goto(round_page)
    post(page, "button[name=action][value=close]")
    round_.refresh_from_db()
    assert round_.status == "closed"
    page.goto(f"{base}/calls/{call.pk}/meeting/")
    fits()
    page.fill(f"input[name=score_{application.pk}]", "80")
    page.fill("textarea[name=minutes]", "会评纪要：一位专家评审，80 分。")
    post(page, "form.card button[type=submit]")
    application.refresh_from_db()
    assert application.status == "reviewed" and application.rank == 1 and application.score == pytest.approx(80.0)
    page.goto(f"{base}/calls/{call.pk}/queue/?status=reviewed")
    step(page, "select", page.locator(f"#application-{application.pk}"))
    page.goto(f"{base}/calls/{call.pk}/queue/?status=selected")
    step(page, "announce", page.locator(f"#application-{application.pk}"))
    application.refresh_from_db()
    assert application.status == "announced" and application.announced_until > timezone.now()
    # The 公示 period ends: no clock to move, so its end is moved into the past in the database.
    Application.objects.filter(pk=application.pk).update(announced_until=timezone.now() - datetime.timedelta(minutes=1))
    page.goto(f"{base}/calls/{call.pk}/queue/?status=announced")
    fits()
    row = page.locator(f"#application-{application.pk}")
    row.locator("details:has(form[action*='/step/approve/']) > summary").click()
    row.locator("input[name=approve-amount]").fill("350000")
    row.locator("input[name=approve-starts_on]").fill(datetime.date.today().isoformat())
    with page.expect_navigation():
        row.locator("form[action*='/step/approve/'] button[type=submit]").click()
    project = Project.objects.get(application=application)
    assert project.status == "active" and project.amount == 350000

    # ---- the project: payments through their gates, the mid-term review, the conclusion ----------
    project_page = f"{base}/calls/projects/{project.pk}/"

    def pay(tranche, voucher):
        page.goto(project_page)
        fits()
        page.locator("details:has(form[action*='/step/record_payment/']) > summary").click()
        page.select_option("select[name=record_payment-tranche]", str(tranche))
        page.fill("input[name=record_payment-amount]", "175000")
        page.fill("input[name=record_payment-paid_on]", datetime.date.today().isoformat())
        page.fill("input[name=record_payment-voucher]", voucher)
        with page.expect_navigation():
            page.locator("form[action*='/step/record_payment/'] button[type=submit]").click()

    pay(1, "PZ-001")
    assert list(Payment.objects.values_list("tranche", "voucher")) == [(1, "PZ-001")]
    pay(2, "PZ-002")  # the mid-term review has not passed: refused, said on the page
    assert Payment.objects.count() == 1
    assert page.locator("details[open] .field-error, details[open] .alert-error").count() >= 1
    page.goto(project_page)
    step(page, "pass_midterm")
    project.refresh_from_db()
    assert project.status == "midterm_passed"
    pay(2, "PZ-002")
    assert list(Payment.objects.order_by("tranche").values_list("tranche", "voucher")) == [(1, "PZ-001"), (2, "PZ-002")]
    workflow.submit_deliverable(project, actor=tree.nj_staff, title="南京市科协改革试点总结报告", note="试点总结")
    page.goto(project_page)
    step(page, "conclude")
    project.refresh_from_db()
    assert project.status == "concluded"
    page.goto(f"{base}/calls/{call.pk}/projects/")
    fits()
    assert "350,000" in page.inner_text("main") or "350000" in page.inner_text("main")
