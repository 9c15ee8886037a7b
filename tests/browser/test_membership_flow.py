"""A S&T worker finds a society and applies to the class "full" with a document; the society's
secretary approves both steps in the queue; the worker pays the dues online (sandbox gateway),
opens the card, and the public verification page says the card is valid."""

import pytest

from kejia.memberships import certificates, member_classes
from kejia.memberships.choices import MembershipStatus, PaymentStatus
from kejia.memberships.models import Membership
from kejia.memberships.tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=identifier]", username)
    page.fill("input[name=password]", password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(lambda url: url in (f"{base}/", f"{base}/me/"))  # staff land on the dashboard, workers on their home


def log_out(page):
    page.locator("form[action$='/accounts/logout/'] button[type=submit]").click()
    page.wait_for_url("**/accounts/login/")


def test_worker_applies_is_approved_pays_and_card_verifies(tree, live_server, page, settings, tmp_path):
    settings.PAYMENT_GATEWAY = "sandbox"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    member_classes.create_default_classes(tree.soc, actor=tree.society_secretary)
    person = make_person(tree, name="李明", user=tree.worker)
    base = live_server.url

    # The worker finds the society and applies to the class "full", with a document.
    log_in(page, base, "worker", tree.password)
    page.goto(f"{base}/memberships/societies/")
    page.fill("input[name=q]", "计算机")
    page.locator("form[role=search] button[type=submit]").click()
    page.locator("a", has_text="江苏省计算机学会").first.click()
    page.locator("#class-full a[href*='/apply/']").click()
    page.wait_for_url("**/apply/?member_class=*")
    page.fill("textarea[name=statement]", "从事软件工程十年。")
    page.fill("input[name=years_in_field]", "10")
    page.set_input_files("input[name=other]", files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
    page.locator("#apply-form button[type=submit]").click()
    page.wait_for_url("**/memberships/*/")
    m = Membership.objects.get(person=person)
    assert m.status == MembershipStatus.APPLIED and m.documents.count() == 1
    log_out(page)

    # The society's secretary approves both steps from the queue (the nav entry leads there).
    log_in(page, base, "soc_staff", tree.password)
    page.locator("nav.nav a[href$='/memberships/']").click()
    page.wait_for_url("**/memberships/queue/")
    for _step in range(2):
        page.locator(f"#application-{m.pk} form[action$='/{m.pk}/approve/'] button").click()
        page.wait_for_url("**/memberships/queue/")
    m.refresh_from_db()
    assert m.status == MembershipStatus.ACTIVE and m.number
    log_out(page)

    # The worker pays online, opens the card; the verification page says valid.
    log_in(page, base, "worker", tree.password)
    page.goto(f"{base}/memberships/mine/")
    page.locator(f"a[href$='/memberships/{m.pk}/']").first.click()
    page.locator(f"form[action$='/{m.pk}/pay-online/'] button").click()
    page.wait_for_url(f"**/memberships/{m.pk}/")
    payment = m.payments.get()
    assert payment.status == PaymentStatus.CONFIRMED
    page.locator(".messages", has_text=payment.receipt_no).wait_for()
    page.locator(f"a[href$='/memberships/{m.pk}/card/']").first.click()
    page.wait_for_url(f"**/memberships/{m.pk}/card/")
    page.locator(f"text={m.number}").first.wait_for()
    cert = certificates.current_certificate(m)
    page.goto(f"{base}/verify/{cert.token}")
    assert page.locator("[data-state]").get_attribute("data-state") == "valid"
