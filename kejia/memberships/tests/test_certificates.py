"""Certificates at service level: signing, offline and online verification, rotation, the
command-line verifier."""

import datetime
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kejia.memberships import applications, certificates, dues, transitions
from kejia.memberships.certificates import PREFIX, b64d, b64e
from kejia.memberships.choices import CertificateState
from kejia.memberships.models import CertificateKey
from kejia.memberships.tests.conftest import make_person

pytestmark = pytest.mark.django_db


def active_member(tree, society, person):
    """An approved (two steps for "full"), paid-up membership."""
    m = applications.apply_for_membership(actor=tree.society_secretary, society=tree.soc, member_class=society.classes["full"], person=person, statement="")
    m = transitions.approve_membership(m, actor=tree.society_secretary)
    m = transitions.approve_membership(m, actor=tree.society_secretary)
    dues.record_payment(m, actor=tree.society_secretary, year=m.joined_on.year, amount="100")
    m.refresh_from_db()
    return m


@pytest.fixture
def member(tree, society, applicant):
    return active_member(tree, society, applicant)


@pytest.fixture
def cert(member):
    return certificates.current_certificate(member)


def split(token: str) -> tuple[bytes, bytes]:
    body, sig = token[len(PREFIX) :].split(".")
    return b64d(body), b64d(sig)


def resign(payload: bytes, private: Ed25519PrivateKey) -> str:
    return PREFIX + b64e(payload) + "." + b64e(private.sign(PREFIX.encode() + payload))


def test_check_certificate_valid(cert, member):
    verdict = certificates.check_certificate(cert.token)
    assert verdict.state == CertificateState.VALID and verdict.reason == ""
    assert verdict.fields["number"] == member.number and verdict.fields["name"] == "李*"
    assert verdict.fields["society"] == "SOC" and verdict.fields["member_class"] == "full"
    assert verdict.fields["valid_until"] == cert.valid_until.isoformat() and verdict.fields["kid"] == cert.key.kid


def test_current_certificate_not_active_is_none(tree, society, applicant):
    m = applications.apply_for_membership(actor=tree.worker, society=tree.soc, member_class=society.classes["full"], person=applicant)
    assert certificates.current_certificate(m) is None


def test_verify_token_offline_valid_with_published_keys(cert):
    verdict = certificates.verify_token(cert.token, keys=certificates.published_keys())
    assert verdict.state == CertificateState.VALID


def test_verify_token_tampered_number_forged(cert, member):
    payload, sig = split(cert.token)
    number = member.number.encode()
    last = number[-1:]
    altered = number[:-1] + (b"9" if last != b"9" else b"8")
    tampered = payload.replace(number, altered)
    assert tampered != payload
    token = PREFIX + b64e(tampered) + "." + b64e(sig)
    for verdict in (certificates.check_certificate(token), certificates.verify_token(token, keys=certificates.published_keys())):
        assert verdict.state == CertificateState.FORGED
        assert "签名不符" in str(verdict.reason)  # the signature does not match


def test_verify_token_other_key_same_kid_forged(cert):
    payload, _ = split(cert.token)
    token = resign(payload, Ed25519PrivateKey.generate())
    assert certificates.check_certificate(token).state == CertificateState.FORGED


def test_verify_token_unknown_kid_forged(cert):
    payload, _ = split(cert.token)
    fields = payload.decode().split("|")
    fields[0] = "deadbeef"
    token = resign("|".join(fields).encode(), Ed25519PrivateKey.generate())
    verdict = certificates.check_certificate(token)
    assert verdict.state == CertificateState.FORGED and "未经科家密钥签名" in str(verdict.reason)


def test_verify_token_expired(cert):
    after = cert.valid_until + datetime.timedelta(days=1)
    assert certificates.verify_token(cert.token, keys=certificates.published_keys(), today=after).state == CertificateState.EXPIRED
    verdict = certificates.check_certificate(cert.token, today=after)
    assert verdict.state == CertificateState.EXPIRED and cert.valid_until.isoformat() in str(verdict.reason)
    assert certificates.check_certificate(cert.token, today=cert.valid_until).state == CertificateState.VALID


def test_check_certificate_revoked_after_suspension(tree, cert, member):
    transitions.suspend_membership(member, actor=tree.society_secretary, reason="审查")
    verdict = certificates.check_certificate(cert.token)
    assert verdict.state == CertificateState.REVOKED and verdict.fields["number"] == member.number
    # Offline verification cannot know: the signature is still good.
    assert certificates.verify_token(cert.token, keys=certificates.published_keys()).state == CertificateState.VALID


def test_check_certificate_revoked_after_termination(tree, cert, member):
    transitions.terminate_membership(member, actor=tree.society_secretary, reason="违反章程")
    assert certificates.check_certificate(cert.token).state == CertificateState.REVOKED
    member.refresh_from_db()
    assert certificates.current_certificate(member) is None


def test_check_certificate_reinstated_gets_new_certificate(tree, cert, member):
    transitions.suspend_membership(member, actor=tree.society_secretary, reason="审查")
    member = transitions.reinstate_membership(member, actor=tree.society_secretary)
    fresh = certificates.current_certificate(member)
    assert fresh.pk != cert.pk
    assert certificates.check_certificate(fresh.token).state == CertificateState.VALID
    assert certificates.check_certificate(cert.token).state == CertificateState.REVOKED


def test_rotate_key_old_certificates_still_valid(tree, society, cert):
    old_kid = cert.key.kid
    new = certificates.rotate_key(actor=tree.platform)
    assert new.kid != old_kid
    assert CertificateKey.objects.get(kid=old_kid).retired_at is not None
    assert set(certificates.published_keys()) == {old_kid, new.kid}
    assert certificates.check_certificate(cert.token).state == CertificateState.VALID
    other = active_member(tree, society, make_person(tree, name="王芳"))
    fresh = certificates.current_certificate(other)
    assert fresh.key.kid == new.kid and fresh.token.startswith(PREFIX)
    assert certificates.check_certificate(fresh.token).state == CertificateState.VALID
    # An offline verifier holding only the old key cannot check the new certificate.
    assert certificates.verify_token(fresh.token, keys={old_kid: cert.key.public_key}).state == CertificateState.FORGED


def test_check_certificate_url_form_accepted(cert, settings):
    url = certificates.verification_url(cert)
    assert url.startswith(settings.SITE_URL + "/verify/KJ1.")
    assert certificates.check_certificate(url).state == CertificateState.VALID
    assert certificates.check_certificate(f"  {url}?utm=x#top \n").state == CertificateState.VALID


def test_check_certificate_unissued_serial_forged(cert):
    """A token signed by the real key but never issued (the registry does not know it)."""
    payload, _ = split(cert.token)
    fields = payload.decode().split("|")
    fields[1] = "0000000000000000"
    token = certificates.sign_payload(dict(zip(certificates.FIELDS, fields, strict=True)), cert.key)
    assert certificates.verify_token(token, keys=certificates.published_keys()).state == CertificateState.VALID
    assert certificates.check_certificate(token).state == CertificateState.FORGED


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "KJ1.",
        "KJ1..",
        "KJ1.a.b",
        "KJ1.!!!.???",
        "KJ1." + "A" * 5000 + ".x",
        "https://example.cn/verify/",
        "KJ1.\x00.\x00",
        "KJ1.5byg5LiJ.5byg5LiJ",
        "kj1.abc.def",
        "KJ1.a.b.c",
        "张三",
        "KJ1." + b64e(b"a|b|c|d|e|f|20260101|20261231") + "." + b64e(b"x" * 64),
    ],
)
def test_verify_token_garbage_forged(cert, text):
    assert certificates.check_certificate(text).state == CertificateState.FORGED


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400) | st.builds(lambda s: PREFIX + s, st.text(max_size=300)))
def test_verify_token_arbitrary_text_never_raises(cert, text):
    assert certificates.verify_token(text, keys=certificates.published_keys()).state in (CertificateState.FORGED,)
    assert certificates.check_certificate(text).state == CertificateState.FORGED


@hsettings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(min_value=len(PREFIX), max_value=400), char=st.sampled_from("AQgw-_.|=0"))
def test_verify_token_one_character_changed_never_valid(cert, index, char):
    token = cert.token
    index = index % len(token)
    if index < len(PREFIX) or token[index] == char:
        return
    altered = token[:index] + char + token[index + 1 :]
    verdict = certificates.check_certificate(altered)
    # base64 may decode a changed last character to the same bytes; then the registry still says it is not this token.
    assert verdict.state == CertificateState.FORGED


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("欧阳修文", "欧***"), ("李", "李"), ("", "*"), ("  ", "*"), ("John Smith", "J*** S****"), ("Ann", "A**")]
)
def test_mask_name(name, masked):
    assert certificates.mask_name(name) == masked


# ---- the commands --------------------------------------------------------------------------------


def run(*args) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command(*args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def test_verify_certificate_command_keys_file(cert, tmp_path):
    keys = tmp_path / "keys.json"
    code, _ = run("export_certificate_keys", "--output", str(keys))
    assert code == 0 and json.loads(keys.read_text())["keys"] == certificates.published_keys()
    code, out = run("verify_certificate", cert.token, "--keys", str(keys))
    assert code == 0 and out.startswith("valid") and cert.serial in out
    code, out = run("verify_certificate", certificates.verification_url(cert), "--keys", str(keys), "--json")
    data = json.loads(out)
    assert code == 0 and data["state"] == "valid" and data["serial"] == cert.serial and data["name"] == "李*"


def test_verify_certificate_command_exit_codes(tree, cert, member, tmp_path):
    after = (cert.valid_until + datetime.timedelta(days=1)).isoformat()
    code, out = run("verify_certificate", cert.token, "--today", after, "--json")
    assert code == 1 and json.loads(out)["state"] == "expired"
    code, out = run("verify_certificate", "KJ1.nonsense.x")
    assert code == 1 and out.startswith("forged")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"keys": {cert.key.kid: b64e(Ed25519PrivateKey.generate().public_key().public_bytes_raw())}}))
    code, out = run("verify_certificate", cert.token, "--keys", str(other), "--json")
    assert code == 1 and json.loads(out)["state"] == "forged"
    transitions.suspend_membership(member, actor=tree.society_secretary, reason="审查")
    assert run("verify_certificate", cert.token)[0] == 0  # offline cannot see revocation
    code, out = run("verify_certificate", cert.token, "--online", "--json")
    assert code == 1 and json.loads(out)["state"] == "revoked"


def test_verify_certificate_command_bad_arguments(cert, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        run("verify_certificate", cert.token, "--today", "tomorrow")
    with pytest.raises(CommandError):
        run("verify_certificate", cert.token, "--keys", str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(CommandError):
        run("verify_certificate", cert.token, "--keys", str(bad))


def test_rotate_certificate_key_command(cert):
    code, out = run("rotate_certificate_key")
    kid = out.strip()
    assert code == 0 and kid in certificates.published_keys() and kid != cert.key.kid
    assert certificates.signing_key().kid == kid
    code, out = run("export_certificate_keys")
    assert set(json.loads(out)["keys"]) == {cert.key.kid, kid}


# ---- the documented algorithm ---------------------------------------------------------------------


def doc_example():
    """The standalone verifier of docs/certificates.md, run as written."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "certificates.md").read_text(encoding="utf-8")
    code = text.split("<!-- example: start -->", 1)[1].split("<!-- example: end -->", 1)[0]
    code = code.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "docs/certificates.md", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_kejia"]


def test_doc_example_agrees_with_verify_token(cert, member):
    verify_kejia = doc_example()
    keys = json.loads(certificates.keys_document())["keys"]
    state, fields = verify_kejia(certificates.verification_url(cert), keys)
    assert state == "valid" and fields["number"] == member.number and fields["serial"] == cert.serial
    after = cert.valid_until + datetime.timedelta(days=1)
    assert verify_kejia(cert.token, keys, after)[0] == "expired"
    payload, sig = split(cert.token)
    tampered = PREFIX + b64e(payload.replace(member.number.encode(), b"SOC-2000-99999")) + "." + b64e(sig)
    other = resign(payload, Ed25519PrivateKey.generate())
    for token in (tampered, other, "KJ1.a.b", "KJ1.!!.??", "", "nonsense", cert.token + "x"):
        assert verify_kejia(token, keys)[0] == "forged"
        assert certificates.verify_token(token, keys=keys).state == CertificateState.FORGED


def reencodings(token: str) -> list[str]:
    """Other base64url spellings of the same bytes: padding added, unused low bits of the last
    character set (the decoder drops them), a character outside the alphabet (the decoder skips it)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    body, sig = token[len(PREFIX) :].split(".")

    def variants(text: str) -> list[str]:
        out = []
        if len(text) % 4:
            out.append(text + "=" * (-len(text) % 4))
        unused = {2: 4, 3: 2}.get(len(text) % 4, 0)  # bits of the last character that carry no data
        if unused:
            last = alphabet.index(text[-1])
            out.append(
                text[:-1] + alphabet[last | ((1 << unused) - 1)] if last & ((1 << unused) - 1) == 0 else text[:-1] + alphabet[last & ~((1 << unused) - 1)]
            )
        out.append(text[:3] + "!!!!" + text[3:])
        standard = text.translate(str.maketrans("-_", "+/"))  # the standard alphabet's 62 and 63
        if standard != text:
            out.append(standard)
        return out

    found = [PREFIX + b + "." + sig for b in variants(body)] + [PREFIX + body + "." + s for s in variants(sig)]
    for other in found:  # each spells the same bytes: only the encoding differs
        assert other != token and split(other) == split(token)
    return found


def test_verify_token_refuses_a_non_canonical_encoding_of_a_genuine_token(cert):
    keys = certificates.published_keys()
    assert certificates.verify_token(cert.token, keys=keys).state == CertificateState.VALID
    verify_kejia = doc_example()
    others = reencodings(cert.token)
    assert len(others) >= 4
    for other in others:
        verdict = certificates.verify_token(other, keys=keys)
        assert verdict.state == CertificateState.FORGED, other
        assert verify_kejia(other, keys)[0] == "forged", other


# ---- the sealed signing key -----------------------------------------------------------------------


def test_signing_key_is_not_opened_by_the_database_and_pii_key(cert):
    """A copy of the database and PII_KEY (the key of personal data) no longer open the private
    key: it is sealed under SECRET_KEY, which the database does not hold."""
    from kejia.core import pii, sealing

    key = CertificateKey.objects.get(pk=cert.key_id)
    assert sealing.is_sealed(key.private_sealed) and not key.private_sealed.startswith(pii.PREFIX)
    with pytest.raises(Exception):  # noqa: B017 - any failure: AES-GCM refuses, or the text is not pii's format
        pii.decrypt(key.private_sealed)
    raw, current = sealing.unseal(key.private_sealed, purpose=certificates.SEAL_PURPOSE)
    assert current and Ed25519PrivateKey.from_private_bytes(b64d(raw)).public_key().public_bytes_raw() == b64d(key.public_key)


def test_changing_secret_key_reseal_then_drop_the_fallback(tree, society, cert, settings):
    """The rekey path: SECRET_KEY changes with the old one as a fallback; signing goes on;
    reseal_certificate_keys seals under the new key; without the fallback it still signs."""
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-" + "k" * 60, [old]
    key = certificates.signing_key()
    assert key.kid == cert.key.kid
    certificates.sign_payload({name: "1" for name in certificates.FIELDS}, key)  # opens through the fallback
    code, out = run("reseal_certificate_keys")
    assert code == 0 and json.loads(out) == {"resealed": [key.kid], "current": [], "retired": []}
    assert json.loads(run("reseal_certificate_keys")[1])["current"] == [key.kid]
    settings.SECRET_KEY_FALLBACKS = []
    key.refresh_from_db()
    token = certificates.sign_payload({**{name: "1" for name in certificates.FIELDS}, "kid": key.kid}, key)
    assert certificates.signed_fields(token, prefix=PREFIX, names=certificates.FIELDS, keys=certificates.published_keys())["kid"] == key.kid
    from kejia.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="certificate_key.resealed", object_id=str(key.pk)).count() == 1


def test_a_key_no_secret_opens_is_refused_clearly_and_retired_by_reseal(tree, society, cert, member, settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "other-" + "k" * 60, []
    key = certificates.signing_key()
    with pytest.raises(certificates.SigningKeyUnavailable) as err:
        certificates.sign_payload({name: "1" for name in certificates.FIELDS}, key)
    assert err.value.status == 503 and "reseal_certificate_keys" in str(err.value.message)
    done = certificates.reseal_keys(actor=None)
    assert done["retired"] == [key.kid]
    assert certificates.signing_key().kid != key.kid  # a new key signs from now on
    assert certificates.verify_token(cert.token, keys=certificates.published_keys()).state == CertificateState.VALID


def test_migration_reseals_keys_sealed_with_pii_key(tree, society, cert):
    """Keys stored before this change (sealed with PII_KEY) are sealed under SECRET_KEY by the
    data migration; one PII_KEY cannot open is retired."""
    import importlib

    from django.apps import apps

    from kejia.core import pii, sealing

    migration = importlib.import_module("kejia.memberships.migrations.0002_reseal_certificate_keys")
    key = CertificateKey.objects.get(pk=cert.key_id)
    raw, _current = sealing.unseal(key.private_sealed, purpose=certificates.SEAL_PURPOSE)
    CertificateKey.objects.filter(pk=key.pk).update(private_sealed=pii.encrypt(raw))
    lost = CertificateKey.objects.create(kid="lost0001", public_key=key.public_key, private_sealed="v1:" + b64e(b"\0" * 60))
    migration.reseal(apps, None)
    key.refresh_from_db()
    lost.refresh_from_db()
    assert sealing.unseal(key.private_sealed, purpose=certificates.SEAL_PURPOSE)[0] == raw
    assert key.retired_at is None and lost.retired_at is not None
    migration.unseal(apps, None)
    key.refresh_from_db()
    assert pii.decrypt(key.private_sealed) == raw
