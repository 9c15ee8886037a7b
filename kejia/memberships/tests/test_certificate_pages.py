"""The card page (member and staff in scope only) and the public verification pages."""

import datetime
import json

import pytest
from django.urls import reverse

from kejia.memberships import applications, certificates, transitions
from kejia.memberships.certificates import PREFIX, b64e
from kejia.memberships.tests.test_certificates import active_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(tree, society, applicant):
    return active_member(tree, society, applicant)


@pytest.fixture
def cert(member):
    return certificates.current_certificate(member)


def card_url(membership, **params) -> str:
    url = reverse("memberships:card", args=[membership.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_card_member_sees_card_with_qr(client, tree, member):
    client.force_login(tree.worker)
    response = client.get(card_url(member))
    assert response.status_code == 200
    html = response.content.decode()
    cert = certificates.current_certificate(member)
    assert "江苏省计算机学会" in html and "李明" in html and member.number in html and member.member_class.name in html
    assert cert.valid_until.strftime("%Y-%m-%d") in html and 'class="qr"' in html and "<svg" in html.split('class="qr"', 1)[-1] and "window.print()" in html
    assert "@page { size: 85.6mm 54mm" in html


def test_card_staff_in_scope(client, tree, member):
    for user in (tree.society_secretary, tree.province_staff):
        client.force_login(user)
        assert client.get(card_url(member)).status_code == 200


def test_card_out_of_scope_404(client, tree, member):
    from kejia.accounts.services import create_user

    stranger = create_user(actor=tree.platform, username="other_worker", password=tree.password, display_name="x", check_password=False)
    for user in (tree.sibling_staff, stranger):
        client.force_login(user)
        assert client.get(card_url(member)).status_code == 404
        assert client.get(card_url(member, download="svg")).status_code == 404


def test_card_anonymous_redirects_to_login(client, member):
    response = client.get(card_url(member))
    assert response.status_code == 302 and "login" in response["Location"]


def test_card_download_svg_encodes_verification_url(client, tree, member):
    client.force_login(tree.worker)
    response = client.get(card_url(member, download="svg"))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert "attachment" in response["Content-Disposition"] and b"<svg" in response.content
    assert b"http://www.w3.org/2000/svg" in response.content


def test_card_qr_holds_verification_url(member):
    import segno

    cert = certificates.current_certificate(member)
    qr = segno.make(certificates.verification_url(cert), error="m", micro=False)
    assert qr.error == "M" and qr.designator  # the URL fits a regular QR code with error correction M


def test_card_not_active_explains(client, tree, society, applicant):
    pending = applications.apply_for_membership(actor=tree.worker, society=tree.soc, member_class=society.classes["full"], person=applicant)
    client.force_login(tree.worker)
    response = client.get(card_url(pending))
    assert response.status_code == 200
    html = response.content.decode()
    assert "该会籍没有会员证" in html and 'class="qr"' not in html
    assert client.get(card_url(pending, download="svg")).status_code == 404


def test_card_suspended_explains(client, tree, member):
    transitions.suspend_membership(member, actor=tree.society_secretary, reason="审查")
    client.force_login(tree.worker)
    response = client.get(card_url(member))
    assert response.status_code == 200 and "该会籍没有会员证" in response.content.decode()


# ---- public verification --------------------------------------------------------------------------


def check(client, token: str):
    response = client.get(reverse("verify:check", kwargs={"token": token}))
    assert response.status_code == 200
    return response, response.content.decode()


def test_verify_valid_without_login(client, cert, member):
    response, html = check(client, cert.token)
    assert 'data-state="valid"' in html and "verdict-valid" in html
    assert '<meta name="robots" content="noindex">' in html and response["X-Robots-Tag"] == "noindex"
    assert "江苏省计算机学会" in html and member.number in html and "李*" in html and member.member_class.name in html
    assert cert.valid_from.isoformat() in html and cert.valid_until.isoformat() in html
    assert "李明" not in html  # the full name never shows


def test_verify_revoked(client, tree, cert, member):
    transitions.terminate_membership(member, actor=tree.society_secretary, reason="违反章程")
    _, html = check(client, cert.token)
    assert 'data-state="revoked"' in html and "verdict-revoked" in html and member.number in html
    assert "违反章程" not in html  # the staff's reason is not public


def test_verify_expired(client, cert, monkeypatch):
    from django.utils import timezone

    later = cert.valid_until + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    _, html = check(client, cert.token)
    assert 'data-state="expired"' in html and "verdict-expired" in html and cert.valid_until.isoformat() in html


def test_verify_forged(client, cert, member):
    body, sig = cert.token[len(PREFIX) :].split(".")
    payload = certificates.b64d(body).replace(member.number.encode(), b"SOC-2000-99999")
    _, html = check(client, PREFIX + b64e(payload) + "." + sig)
    assert 'data-state="forged"' in html and "verdict-forged" in html and "SOC-2000-99999" not in html


def test_verify_class_name_falls_back_to_code(client, cert, member):
    member.member_class.code = "renamed"
    member.member_class.save(update_fields=["code"])
    _, html = check(client, cert.token)
    assert 'data-state="valid"' in html and ">full<" in html


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "KJ1.",
        "KJ1.a.b",
        "%00",
        "KJ1.%F0%9F%98%80.abc",
        "a/b/c/../../d",
        "KJ1." + "A" * 100_000,
        "https://kejia.example/verify/KJ1.a.b",
        "<script>alert(1)</script>",
    ],
)
def test_verify_bad_or_huge_input_no_500(client, token):
    response = client.get("/verify/" + token)
    assert response.status_code == 200 and 'data-state="forged"' in response.content.decode()
    assert "<script>alert(1)" not in response.content.decode()


def test_verify_form_redirects_to_check(client, cert):
    url = reverse("verify:form")
    assert client.get(url).status_code == 200
    for text in (cert.token, certificates.verification_url(cert), f"  {certificates.verification_url(cert)}  "):
        response = client.get(url, {"t": text})
        assert response.status_code == 302 and response["Location"] == reverse("verify:check", kwargs={"token": cert.token})
    response = client.get(url, {"t": "hello"})
    assert response.status_code == 400 and "这不是科家的会员证书" in response.content.decode()
    assert client.get(url, {"t": "KJ1." + "A" * 50_000}).status_code == 400


def test_keys_json(client, cert):
    response = client.get(reverse("verify:keys"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["algorithm"] == "Ed25519" and data["keys"] == {cert.key.kid: cert.key.public_key}
    # What the page serves is what an offline verifier needs.
    assert certificates.verify_token(cert.token, keys=data["keys"]).state == "valid"
