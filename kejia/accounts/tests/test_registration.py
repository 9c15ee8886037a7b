"""Self-registration (issue 16): consent to the privacy notice first, a code to the phone or
e-mail, the same answer whether an account holds the contact or not, limits per contact and per
client address; then the profile is linked when the match is sure, or a review asked of staff of
the organization that lists it (approve/refuse, audited, the person told). Only the SMS gateway
is replaced."""

import pytest
from django.test import Client
from django.urls import reverse

from kejia.accounts import registration
from kejia.accounts.models import PrivacyConsent, User
from kejia.core import notify
from kejia.core.models import AuditEvent, Notice, OneTimeCode
from kejia.core.testing.notices import FakeSmsGateway, last_code
from kejia.people import link_requests
from kejia.people.models import LinkRequest, LinkRequestStatus
from kejia.people.tests.helpers import ID_B, make

pytestmark = pytest.mark.django_db
PASSWORD = "Kejia-new-2026"


@pytest.fixture(autouse=True)
def sms(settings):
    notify._senders.cache_clear()
    FakeSmsGateway.sent = []
    settings.NOTICE_SENDERS = ["console", "sms"]
    settings.SMS_GATEWAY = "kejia.core.testing.notices.FakeSmsGateway"
    yield
    notify._senders.cache_clear()


def _start(client, contact, consent=True, **extra):
    data = {"contact": contact, **({"consent": "on"} if consent else {})}
    return client.post(reverse("accounts:register"), data, **extra)


def _register(client, contact, name, **extra):
    assert _start(client, contact, **extra).status_code == 302
    return client.post(reverse("accounts:register_confirm"), {"code": last_code("account.register_code"), "name": name, "password": PASSWORD}, **extra)


def test_consent_is_required_and_nothing_is_sent_without_it(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(Client(), "13800001111", consent=False)
    assert response.status_code == 400
    assert "field-checkbox has-error" in response.content.decode()  # the error is on the consent box
    assert not OneTimeCode.objects.exists() and not Notice.objects.exists() and FakeSmsGateway.sent == []
    api = Client().post("/api/auth/register", {"contact": "13800001111"}, content_type="application/json")
    assert api.status_code == 400 and api.json()["field"] == "consent"
    confirm = Client().post(
        "/api/auth/register/confirm", {"contact": "13800001111", "code": "123456", "name": "王芳", "password": PASSWORD}, content_type="application/json"
    )
    assert confirm.status_code == 400 and confirm.json()["field"] == "consent"
    assert not User.objects.filter(display_name="王芳").exists()


def test_page_shows_privacy_notice_and_version(db):
    page = Client().get(reverse("accounts:register")).content.decode()
    assert registration.PRIVACY_NOTICE_VERSION in page and 'name="consent"' in page
    assert 'id="privacy-title"' in page


def test_register_by_phone_records_consent_and_sends_code_by_sms(tree, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, "138 0000 1111", "王芳")
    assert response.status_code == 302 and response["Location"] == reverse("people:me")
    user = User.objects.get(display_name="王芳")
    assert user.phone_masked == "138****1111" and user.username.startswith("kj") and "13800001111" not in user.username
    assert user.check_password(PASSWORD)
    code_sms = [text for phone, text in FakeSmsGateway.sent if phone == "13800001111"]
    assert code_sms and last_code("account.register_code") in code_sms[0]
    consent = PrivacyConsent.objects.get(user=user)
    assert consent.notice_version == registration.PRIVACY_NOTICE_VERSION and consent.given_at and consent.channel == "sms"
    event = AuditEvent.objects.get(action="user.registered")
    assert event.new["privacy_notice"] == registration.PRIVACY_NOTICE_VERSION and event.actor == user
    # Logged in; the code notice belongs to no account; the welcome notice is in the inbox.
    assert client.get(reverse("accounts:notices")).status_code == 200
    assert list(Notice.objects.filter(user=user).values_list("kind", flat=True)) == ["account.welcome"]
    # The new password and the phone log in.
    assert Client().post(reverse("accounts:login"), {"identifier": "13800001111", "password": PASSWORD}).status_code == 302


def test_register_by_email_logs_in_with_the_address(tree, mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.NOTICE_SENDERS = ["email"]
    notify._senders.cache_clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(Client(), "Wang.Fang@Example.cn", "王芳")
    assert response.status_code == 302
    assert mailoutbox[0].to == ["wang.fang@example.cn"]
    user = User.objects.get(display_name="王芳")
    assert (user.username, user.email, user.phone_sealed) == ("wang.fang@example.cn", "wang.fang@example.cn", "")
    assert Client().post(reverse("accounts:login"), {"identifier": "Wang.Fang@example.cn", "password": PASSWORD}).status_code == 302


def test_no_enumeration_same_answer_for_a_registered_phone(tree, django_capture_on_commit_callbacks):
    """tree.worker holds 13912340009. The answer for it equals the answer for a free number (but
    for the masked number itself); its owner gets a notice, no code; no guess makes an account."""
    answers = {}
    for phone in ("13912340009", "13912340008"):
        with django_capture_on_commit_callbacks(execute=True):
            api = Client().post("/api/auth/register", {"contact": phone, "consent": True}, content_type="application/json")
            page = _start(Client(), phone)
        answers[phone] = (api.status_code, api.json()["message"].replace(phone[-4:], "####"), sorted(api.json()), page.status_code, page["Location"])
    assert answers["13912340009"] == answers["13912340008"]
    to_owner = [text for phone, text in FakeSmsGateway.sent if phone == "13912340009"]
    assert len(to_owner) == 2 and not any(char.isdigit() for char in to_owner[0])  # no code in it
    assert not OneTimeCode.objects.filter(subject=registration.parse_contact("13912340009").subject, used_at__isnull=True).exists()
    for guess in ("000000", "123456"):
        answer = Client().post(
            "/api/auth/register/confirm",
            {"contact": "13912340009", "code": guess, "name": "x", "password": PASSWORD, "consent": True},
            content_type="application/json",
        )
        assert answer.status_code == 400 and answer.json()["code"] == "bad_code"
    assert User.objects.filter(phone_hash=tree.worker.phone_hash).count() == 1


def test_codes_are_limited_per_contact(db, settings):
    settings.CODE_MAX_SENDS = 3
    for i in range(2):
        assert _start(Client(REMOTE_ADDR=f"10.0.0.{i}"), "13800001111").status_code == 302
    # The third send locks the contact for the window, whichever address asks.
    assert _start(Client(), "13800001111", REMOTE_ADDR="10.0.0.9").status_code == 302
    refused = _start(Client(), "13800001111", REMOTE_ADDR="10.0.0.10")
    assert refused.status_code == 429
    api = Client().post("/api/auth/register", {"contact": "138-0000-1111", "consent": True}, content_type="application/json", REMOTE_ADDR="10.0.0.11")
    assert api.status_code == 429 and api.json()["code"] == "throttled"
    assert OneTimeCode.objects.count() == 3


def test_codes_are_limited_per_client_address(db, settings):
    settings.CODE_MAX_SENDS = 3  # × 4 per address
    statuses = [_start(Client(), f"138000020{i:02d}", REMOTE_ADDR="10.1.1.1").status_code for i in range(13)]
    assert statuses[:11] == [302] * 11 and statuses[12] == 429
    assert _start(Client(), "13800003000", REMOTE_ADDR="10.1.1.2").status_code == 302


def test_wrong_codes_count_and_void_the_code(db, settings):
    settings.CODE_MAX_TRIES = 3
    client = Client()
    _start(client, "13800001111")
    for _ in range(3):
        wrong = client.post(
            reverse("accounts:register_confirm"),
            {"code": "000000" if last_code("account.register_code") != "000000" else "111111", "name": "王芳", "password": PASSWORD},
        )
        assert wrong.status_code == 400
    right = client.post(reverse("accounts:register_confirm"), {"code": last_code("account.register_code"), "name": "王芳", "password": PASSWORD})
    assert right.status_code == 400 and not User.objects.filter(display_name="王芳").exists()


def test_weak_password_keeps_the_code(db):
    client = Client()
    _start(client, "13800001111")
    weak = client.post(reverse("accounts:register_confirm"), {"code": last_code("account.register_code"), "name": "王芳", "password": "12345678"})
    assert weak.status_code == 400 and not User.objects.filter(display_name="王芳").exists()
    assert _register_confirm_ok(client)


def _register_confirm_ok(client) -> bool:
    return (
        client.post(reverse("accounts:register_confirm"), {"code": last_code("account.register_code"), "name": "王芳", "password": PASSWORD}).status_code == 302
    )


def test_sure_match_links_the_profile_at_once(tree):
    person = make(tree, phone="13800001111")  # 李明, listed by 玄武区
    _register(Client(), "13800001111", "李明")
    person.refresh_from_db()
    user = User.objects.get(display_name="李明")
    assert person.user_id == user.pk
    event = AuditEvent.objects.get(action="person.account_linked")
    assert event.new["proof"] == "registration_phone" and event.organization == tree.xw
    assert not LinkRequest.objects.exists()


def test_name_matches_but_phone_differs_goes_to_staff_review(tree):
    person = make(tree, phone="13905140001")
    client = Client()
    response = _register(client, "13800001111", "李明")
    assert response.status_code == 302
    user = User.objects.get(display_name="李明")
    person.refresh_from_db()
    assert person.user_id is None
    request = LinkRequest.objects.get()
    assert (request.user, request.person, request.reason, request.status) == (user, person, "contact_differs", "pending")
    assert AuditEvent.objects.filter(action="person.link_requested", organization_id=tree.xw.pk).exists()
    # 玄武区's staff are told; the staff above them see the queue but get no notice.
    assert list(Notice.objects.filter(kind="people.link_request").values_list("user", flat=True)) == [tree.county_staff.pk]
    assert "link-in-review" in client.get(reverse("people:me")).content.decode()
    # Out of scope: the sibling county's staff and the worker see nothing and get a 404.
    for outsider in (tree.sibling_staff, tree.worker, user):
        assert not link_requests.visible_link_requests(outsider).exists()
        c = Client()
        c.force_login(outsider)
        assert c.post(reverse("people:link_request_decide", args=[request.pk]), {"decision": "approve"}).status_code == 404
    assert LinkRequest.objects.get().status == "pending"
    # Staff above the listing organization see it and approve: the account is linked.
    staff = Client()
    staff.force_login(tree.nj_staff)
    page = staff.get(reverse("people:link_requests")).content.decode()
    assert "138****1111" in page and "13800001111" not in page
    assert staff.post(reverse("people:link_request_decide", args=[request.pk]), {"decision": "approve"}).status_code == 302
    person.refresh_from_db()
    request.refresh_from_db()
    assert person.user_id == user.pk and request.status == LinkRequestStatus.APPROVED and request.decided_by == tree.nj_staff
    assert AuditEvent.objects.filter(action="person.link_request_approved", actor=tree.nj_staff).exists()
    assert Notice.objects.filter(user=user, kind="people.link_approved").exists()


def test_refusal_needs_a_note_and_tells_the_person(tree):
    make(tree, phone="13905140001")
    _register(Client(), "13800001111", "李明")
    request = LinkRequest.objects.get()
    staff = Client()
    staff.force_login(tree.county_staff)
    staff.post(reverse("people:link_request_decide", args=[request.pk]), {"decision": "refuse", "note": ""})
    assert LinkRequest.objects.get().status == "pending"
    staff.post(reverse("people:link_request_decide", args=[request.pk]), {"decision": "refuse", "note": "不是本人"})
    request.refresh_from_db()
    assert request.status == "refused" and request.note == "不是本人"
    notice = Notice.objects.get(kind="people.link_refused")
    assert notice.user == request.user and notice.body == "不是本人"
    assert AuditEvent.objects.filter(action="person.link_request_refused").exists()


def test_several_candidates_each_go_to_review_and_approving_one_closes_the_others(tree):
    a = make(tree, phone="13800001111")
    b = make(tree, org=tree.qh, actor=tree.sibling_staff, resident_id=ID_B, phone="13800001111")
    _register(Client(), "13800001111", "李明")
    requests = list(LinkRequest.objects.order_by("person_id"))
    assert [(r.person_id, r.reason) for r in requests] == [(a.pk, "several"), (b.pk, "several")]
    # Each county sees only the request about the profile it lists.
    assert list(link_requests.visible_link_requests(tree.county_staff)) == [requests[0]]
    assert list(link_requests.visible_link_requests(tree.sibling_staff)) == [requests[1]]
    api = Client().post(
        f"/api/people/link-requests/{requests[1].pk}/decide",
        {"approve": True},
        content_type="application/json",
        headers={"Authorization": f"Bearer {_token(tree.sibling_staff)}"},
    )
    assert api.status_code == 200 and api.json()["status"] == "approved"
    requests[0].refresh_from_db()
    assert requests[0].status == "closed"


def test_profile_linked_to_another_account_goes_to_review(tree):
    person = make(tree, phone="13800001111", user=None)
    person.user = tree.worker
    person.save()
    _register(Client(), "13800001111", "李明")
    assert LinkRequest.objects.get().reason == "linked_elsewhere"
    person.refresh_from_db()
    assert person.user_id == tree.worker.pk


def test_no_candidate_nothing_asked(tree):
    _register(Client(), "13800001111", "赵无名")
    assert not LinkRequest.objects.exists()


def _token(user):
    from kejia.accounts.services import issue_api_token

    return issue_api_token(user)[1]


def test_api_registration_and_link_request_list(tree):
    make(tree, phone="13905140001")
    api = Client()
    started = api.post("/api/auth/register", {"contact": "13800001111", "consent": True}, content_type="application/json")
    assert started.status_code == 202 and started.json()["sent_to"] == "138****1111"
    done = api.post(
        "/api/auth/register/confirm",
        {"contact": "13800001111", "code": last_code("account.register_code"), "name": "李明", "password": PASSWORD, "consent": True},
        content_type="application/json",
    )
    assert done.status_code == 201 and done.json()["profile"] == "review"
    listed = api.get("/api/people/link-requests", headers={"Authorization": f"Bearer {_token(tree.county_staff)}"}).json()
    assert listed["count"] == 1 and listed["items"][0]["account_phone"] == "138****1111"
    assert api.get("/api/people/link-requests", headers={"Authorization": f"Bearer {_token(tree.sibling_staff)}"}).json()["count"] == 0
    outside = api.post(
        f"/api/people/link-requests/{listed['items'][0]['id']}/decide",
        {"approve": False, "note": "x"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {_token(tree.sibling_staff)}"},
    )
    assert outside.status_code == 404
    token = api.post("/api/auth/token", {"identifier": "13800001111", "password": PASSWORD}, content_type="application/json")
    assert token.status_code == 201
