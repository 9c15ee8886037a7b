"""Issue 14: lockout per account whatever the spelling, token expiry and revocation, password
change and reset. The SMS provider is outside the system: a fake gateway stands in."""

import datetime
import io
import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from kejia.accounts import services
from kejia.accounts.models import ApiToken, User
from kejia.core import notify
from kejia.core.errors import DomainError
from kejia.core.models import AuditEvent, Notice
from kejia.core.testing.notices import FakeSmsGateway, last_code


@pytest.fixture
def sms(settings):
    FakeSmsGateway.sent = []
    notify._senders.cache_clear()
    settings.NOTICE_SENDERS = ["sms", "email"]
    settings.SMS_GATEWAY = "kejia.core.testing.notices.FakeSmsGateway"
    yield FakeSmsGateway.sent
    notify._senders.cache_clear()


def request(ip="10.0.0.1"):
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)


def attempt(identifier, password, ip="10.0.0.1"):
    try:
        return services.log_in(request=request(ip), identifier=identifier, password=password)
    except DomainError as exc:
        return exc.status


# ---- Lockout (finding 6) ---------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["+8613912340001", "139 1234 0001", "１３９１２３４０００１", "139-1234-0001", "0086 139 1234 0001", "xw_staff"])
def test_log_in_lockout_holds_for_every_spelling_of_the_account(tree, settings, spelling):
    settings.LOGIN_MAX_FAILURES = 3
    for i, typed in enumerate(["13912340001", "+86 139 1234 0001", "xw_staff"]):
        assert attempt(typed, "wrong", ip=f"10.0.1.{i}") == 400
    # The account is locked, from any address, whatever the identifier's spelling.
    assert attempt(spelling, tree.password, ip="10.0.2.1") == 429


def test_log_in_unknown_identifiers_are_limited_per_identifier_and_address(tree, settings):
    settings.LOGIN_MAX_FAILURES = 2
    assert attempt("+86 139 0000 9999", "x", ip="10.0.3.1") == 400
    assert attempt("13900009999", "x", ip="10.0.3.2") == 400
    assert attempt("139 0000 9999", "x", ip="10.0.3.3") == 429
    for i in range(8):
        attempt(f"nobody{i}", "x", ip="10.0.4.4")
    assert attempt("xw_staff", tree.password, ip="10.0.4.4") == 429
    assert attempt("xw_staff", tree.password, ip="10.0.4.5") == tree.county_staff


def test_log_in_success_clears_the_account_count(tree, settings):
    settings.LOGIN_MAX_FAILURES = 3
    attempt("xw_staff", "wrong")
    attempt("xw_staff", "wrong")
    assert attempt("13912340001", tree.password) == tree.county_staff
    attempt("xw_staff", "wrong")
    attempt("xw_staff", "wrong")
    assert attempt("xw_staff", tree.password) == tree.county_staff


# ---- API tokens (finding 12) -----------------------------------------------------------------------


def test_api_token_expires_after_the_default_lifetime(tree, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    _token, raw = services.issue_api_token(tree.county_staff, name="script")
    assert services.user_for_token(raw) == tree.county_staff
    later = timezone.now() + datetime.timedelta(days=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert services.user_for_token(raw) is None


def test_api_token_lifetime_is_bounded(tree):
    token, _raw = services.issue_api_token(tree.county_staff, days=7)
    assert datetime.timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= datetime.timedelta(days=7)
    for days in (0, 367):
        with pytest.raises(DomainError):
            services.issue_api_token(tree.county_staff, days=days)


def test_api_tokens_are_listed_and_revoked_through_the_api(tree, client):
    response = client.post("/api/auth/token", {"identifier": "xw_staff", "password": tree.password, "name": "a", "days": 10}, content_type="application/json")
    assert response.status_code == 201 and "expires_at" in response.json()
    raw = response.json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    _other, other_raw = services.issue_api_token(tree.county_staff, name="b")
    foreign, _ = services.issue_api_token(tree.sibling_staff, name="c")
    listed = client.get("/api/auth/tokens", **auth).json()
    assert listed["count"] == 2 and [t["name"] for t in listed["items"]] == ["b", "a"] and all(not t["expired"] for t in listed["items"])
    assert [t["name"] for t in client.get("/api/auth/tokens", {"limit": 1, "offset": 1}, **auth).json()["items"]] == ["a"]
    mine = ApiToken.objects.get(name="b")
    assert client.delete(f"/api/auth/tokens/{foreign.pk}", **auth).status_code == 404
    assert client.delete(f"/api/auth/tokens/{mine.pk}", **auth).status_code == 204
    assert services.user_for_token(other_raw) is None and services.user_for_token(raw) == tree.county_staff
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=tree.county_staff, object_id=str(mine.pk)).exists()
    assert ApiToken.objects.get(pk=foreign.pk).revoked_at is None
    assert client.delete("/api/auth/tokens/99999999999999999999", **auth).status_code in (404, 422)


def test_api_token_revoked_on_the_profile_page(tree, client):
    token, raw = services.issue_api_token(tree.county_staff, name="x")
    foreign, _ = services.issue_api_token(tree.sibling_staff, name="y")
    client.force_login(tree.county_staff)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:token_revoke", args=[token.pk]) in html
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    assert client.post(reverse("accounts:token_revoke", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302 and services.user_for_token(raw) is None


def test_api_tokens_command_lists_and_revokes(tree):
    token, raw = services.issue_api_token(tree.county_staff, name="cron")
    services.issue_api_token(tree.county_staff, name="other")
    out = io.StringIO()
    call_command("api_tokens", user="xw_staff", stdout=out)
    assert "cron" in out.getvalue() and raw not in out.getvalue()
    call_command("api_tokens", revoke=token.pk, stdout=io.StringIO())
    assert services.user_for_token(raw) is None
    call_command("api_tokens", user="xw_staff", revoke_all=True, stdout=io.StringIO())
    assert not services.tokens_of(tree.county_staff).exists()
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 2


# ---- Password change -----------------------------------------------------------------------------


def test_password_change_on_the_page_keeps_the_session(tree, client, sms):
    client.force_login(tree.county_staff)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    response = client.post(url, {"old_password": "wrong", "new_password": "Brand-new-pass-42"})
    assert response.status_code == 400 and "old_password" in response.context["form"].errors
    response = client.post(url, {"old_password": tree.password, "new_password": "123"})
    assert response.status_code == 400 and "new_password" in response.context["form"].errors
    response = client.post(url, {"old_password": tree.password, "new_password": "Brand-new-pass-42"})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200  # still logged in
    assert User.objects.get(pk=tree.county_staff.pk).check_password("Brand-new-pass-42")
    assert AuditEvent.objects.filter(action="user.password_changed", actor=tree.county_staff).exists()
    assert Notice.objects.filter(kind="account.security", user=tree.county_staff).exists()


def test_password_change_through_the_api_counts_wrong_passwords(tree, client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    _t, raw = services.issue_api_token(tree.county_staff)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = {"old_password": "wrong", "new_password": "Brand-new-pass-42"}
    assert client.post("/api/auth/password", body, content_type="application/json", **auth).json()["code"] == "bad_password"
    client.post("/api/auth/password", body, content_type="application/json", **auth)
    body["old_password"] = tree.password
    assert client.post("/api/auth/password", body, content_type="application/json", **auth).status_code == 429


# ---- Password reset ------------------------------------------------------------------------------


def test_password_reset_sends_a_code_to_the_accounts_phone_and_sets_the_password(tree, client, sms, django_capture_on_commit_callbacks):
    services.issue_api_token(tree.county_staff, name="old")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/auth/password/reset", {"identifier": "+86 139 1234 0001"}, content_type="application/json")
    assert response.status_code == 202
    assert [phone for phone, _text in sms] == ["13912340001"]
    code = re.search(r"\d{6}", sms[0][1]).group(0)
    assert Notice.objects.get(kind="account.code").user is None
    bad = client.post(
        "/api/auth/password/reset/confirm", {"identifier": "xw_staff", "code": "12345", "new_password": "Brand-new-pass-42"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "bad_code"
    assert AuditEvent.objects.filter(action="user.password_reset_failed").exists()
    ok = client.post(
        "/api/auth/password/reset/confirm", {"identifier": "xw_staff", "code": code, "new_password": "Brand-new-pass-42"}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert User.objects.get(pk=tree.county_staff.pk).check_password("Brand-new-pass-42")
    assert not services.tokens_of(tree.county_staff).exists()
    assert AuditEvent.objects.filter(action="user.password_reset", object_id=str(tree.county_staff.pk)).exists()
    again = client.post(
        "/api/auth/password/reset/confirm", {"identifier": "xw_staff", "code": code, "new_password": "Other-pass-42"}, content_type="application/json"
    )
    assert again.status_code == 400


def test_password_reset_answers_the_same_for_an_unknown_account_and_is_rate_limited(tree, client, settings):
    settings.CODE_MAX_SENDS = 2
    unknown = client.post("/api/auth/password/reset", {"identifier": "nobody"}, content_type="application/json")
    known = client.post("/api/auth/password/reset", {"identifier": "xw_staff"}, content_type="application/json")
    assert unknown.status_code == known.status_code == 202 and unknown.json() == known.json()
    client.post("/api/auth/password/reset", {"identifier": "xw_staff"}, content_type="application/json")
    client.post("/api/auth/password/reset", {"identifier": "13912340001"}, content_type="application/json", REMOTE_ADDR="10.7.7.7")
    assert Notice.objects.filter(kind="account.code").count() == 2  # at most CODE_MAX_SENDS per account and window
    assert AuditEvent.objects.filter(action="user.password_reset_refused").exists()
    for _ in range(8):
        response = client.post("/api/auth/password/reset", {"identifier": "nobody"}, content_type="application/json")
    assert response.status_code == 429  # and per address


def test_password_reset_pages(tree, client):
    response = client.post(reverse("accounts:password_reset"), {"identifier": "xw_staff"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_confirm")
    page = client.get(reverse("accounts:password_reset_confirm"))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    response = client.post(
        reverse("accounts:password_reset_confirm"), {"identifier": "xw_staff", "code": last_code("account.code"), "new_password": "Brand-new-pass-42"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert attempt("xw_staff", "Brand-new-pass-42") == tree.county_staff
    assert reverse("accounts:password_reset") in client.get(reverse("accounts:login")).content.decode()
