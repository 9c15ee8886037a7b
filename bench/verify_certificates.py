"""Certificate verification throughput: offline `verify_token` against bare Ed25519 verification
of the same payloads (the limit), in one run; and the online check (`check_certificate`, the
public /verify page's service) against the registry.

    python bench/verify_certificates.py [--certs 100000] [--registry 20000] [--online 2000] [--keys 3]

In a throwaway SQLite database under /tmp: --keys signing keys (rotated, so the set verifies
across rotations), one society with one member, --certs tokens signed through
`certificates.sign_payload` (varied member numbers, masked Chinese names, validity 2026), and
a Certificate row for each of the first --registry tokens (bulk-inserted: the online check looks
serials up in a registry of that size; a unique-index probe, so its size matters little).
Then, over all tokens, in 20 alternating slices: `verify_token(token, keys=published keys,
today=…)`, and over the same payloads, decoded beforehand, `Ed25519PublicKey.verify(sig, msg)`
alone. Then `check_certificate` over --online registered tokens. JSON on stdout."""

import argparse
import datetime
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦"
TODAY = datetime.date(2026, 6, 30)


def _setup_society():
    from kejia.accounts.models import User
    from kejia.memberships import member_classes
    from kejia.memberships.choices import MembershipStatus
    from kejia.memberships.models import Membership
    from kejia.organizations.kinds import OrgKind
    from kejia.organizations.services import create_organization
    from kejia.people.services import create_person

    root = User.objects.create_superuser("bench", "bench@example.cn", "Bench-password-2026")
    cast = create_organization(actor=root, parent=None, name="中国科学技术协会", code="CAST", kind=OrgKind.NATIONAL_ASSOCIATION)
    soc = create_organization(actor=root, parent=cast, name="中国计算机学会", code="SOC", kind=OrgKind.NATIONAL_SOCIETY)
    full = {c.code: c for c in member_classes.create_default_classes(soc, actor=root)}["full"]
    person = create_person(actor=root, organization=soc, name="李明", title_level="intermediate", birth_date=datetime.date(1985, 3, 9))
    return Membership.objects.create(
        society=soc, person=person, member_class=full, status=MembershipStatus.ACTIVE, number="SOC-2026-00001", joined_on=datetime.date(2026, 1, 1)
    )


def _make_tokens(count: int, key_count: int, seed: int) -> tuple[list[str], list]:
    from kejia.memberships import certificates

    rng = random.Random(seed)
    keys = [certificates.signing_key()] + [certificates.rotate_key() for _ in range(key_count - 1)]
    tokens, signed_by = [], []
    for i in range(count):
        key = keys[i % len(keys)]
        name = rng.choice(SURNAMES) + "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(rng.choice((1, 2, 2, 3))))
        values = {
            "kid": key.kid,
            "serial": f"{i:016X}",
            "society": "SOC",
            "number": f"SOC-{rng.randrange(2000, 2027)}-{i + 1:05d}",
            "name": certificates.mask_name(name),
            "member_class": "full",
            "valid_from": "20260101",
            "valid_until": "20261231",
        }
        tokens.append(certificates.sign_payload(values, key))
        signed_by.append(key)
    return tokens, signed_by


def _register(tokens: list[str], signed_by: list, membership) -> None:
    """One Certificate row per token: the online check looks serials up in a registry of this size."""
    from kejia.memberships.models import Certificate

    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    Certificate.objects.bulk_create(
        (
            Certificate(membership=membership, serial=f"{i:016X}", key=key, token=token, valid_from=start, valid_until=end)
            for i, (token, key) in enumerate(zip(tokens, signed_by, strict=True))
        ),
        batch_size=5000,
    )


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def _measure(args) -> dict:
    from django.core.management import call_command

    from kejia.core import signing
    from kejia.memberships import certificates
    from kejia.memberships.choices import CertificateState

    call_command("migrate", verbosity=0)
    membership = _setup_society()
    started = time.perf_counter()
    tokens, signed_by = _make_tokens(args.certs, args.keys, args.seed)
    sign_seconds = time.perf_counter() - started
    started = time.perf_counter()
    registered = min(args.registry, len(tokens))
    _register(tokens[:registered], signed_by[:registered], membership)
    register_seconds = time.perf_counter() - started
    keys = certificates.published_keys()

    # Bare Ed25519: the same payloads, decoded and their keys loaded beforehand; only the verification is timed.
    publics = {kid: signing.public_key(raw) for kid, raw in keys.items()}
    prepared = []
    for token in tokens:
        body, sig = token[len(certificates.PREFIX) :].split(".")
        payload = certificates.b64d(body)
        prepared.append((publics[payload.split(b"|", 1)[0].decode()], certificates.b64d(sig), certificates.PREFIX.encode() + payload))

    # The two ways alternate over 20 slices, so a change in the machine's load falls on both alike.
    verify_token = certificates.verify_token
    verify_token(tokens[0], keys=keys, today=TODAY)  # warm-up (key cache)
    offline_seconds = bare_seconds = 0.0
    step = max(1, len(tokens) // 20)
    for first in range(0, len(tokens), step):
        started = time.perf_counter()
        states = [verify_token(token, keys=keys, today=TODAY).state for token in tokens[first : first + step]]
        offline_seconds += time.perf_counter() - started
        assert all(s == CertificateState.VALID for s in states), "a benchmark token did not verify"
        started = time.perf_counter()
        for public, sig, msg in prepared[first : first + step]:
            public.verify(sig, msg)
        bare_seconds += time.perf_counter() - started

    sample = random.Random(args.seed).sample(tokens[:registered], min(args.online, registered))
    check = certificates.check_certificate
    check(sample[0], today=TODAY)
    started = time.perf_counter()
    online_states = [check(token, today=TODAY).state for token in sample]
    online_seconds = time.perf_counter() - started
    assert all(s == CertificateState.VALID for s in online_states), "a benchmark token did not pass the online check"

    return {
        "certificates": len(tokens),
        "keys": len(keys),
        "token_chars_mean": round(sum(map(len, tokens)) / len(tokens), 1),
        "sign_seconds": round(sign_seconds, 1),
        "sign_per_second": _rate(len(tokens), sign_seconds),
        "registered": registered,
        "register_seconds": round(register_seconds, 1),
        "offline_verify_token": {"seconds": round(offline_seconds, 2), "per_second": _rate(len(tokens), offline_seconds)},
        "bare_ed25519": {"seconds": round(bare_seconds, 2), "per_second": _rate(len(tokens), bare_seconds)},
        "offline_over_bare": round(bare_seconds / offline_seconds, 3),
        "online_check_certificate": {
            "certificates": len(sample),
            "seconds": round(online_seconds, 2),
            "per_second": _rate(len(sample), online_seconds),
            "ms_each": round(online_seconds / len(sample) * 1000, 3),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certs", type=int, default=100_000)
    parser.add_argument("--online", type=int, default=2000)
    parser.add_argument("--registry", type=int, default=20_000, help="Certificate rows in the database (the online check's registry)")
    parser.add_argument("--keys", type=int, default=3, help="signing keys (rotated in turn)")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kejia-bench-cert-") as var_dir:
        os.environ.pop("DATABASE_URL", None)  # SQLite: the registry look-up is a unique-index probe on any engine
        os.environ.update({"DJANGO_SETTINGS_MODULE": "kejia.settings.base", "ALLOW_DEVELOPMENT_KEYS": "true", "KEJIA_VAR_DIR": var_dir, "LOG_LEVEL": "ERROR"})
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        result = _measure(args)
    print(
        json.dumps(
            {
                "benchmark": "certificate verification: offline verify_token vs bare Ed25519 verify; online check_certificate",
                "seed": args.seed,
                "today": TODAY.isoformat(),
                "machine": machine(),
                "result": result,
                "seconds": round(time.perf_counter() - started, 1),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
