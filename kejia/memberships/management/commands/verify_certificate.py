"""Verify a membership certificate from the command line: offline with the public keys (a
keys.json file, or the keys in this database), or `--online` against the registry for revocation.
Exit code 0 for a valid certificate, 1 otherwise."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kejia.memberships import certificates
from kejia.memberships.choices import CertificateState


def load_keys(path: str) -> dict[str, str]:
    """kid → public key from a keys.json document (or a bare {kid: key} object)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CommandError(f"Cannot read the keys file {path}: {exc}") from exc
    keys = data.get("keys", data) if isinstance(data, dict) else None
    if not isinstance(keys, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in keys.items()):
        raise CommandError(f'{path} is not a keys.json document: expected {{"keys": {{kid: public key}}}}.')
    return keys


class Command(BaseCommand):
    help = "Verify a certificate token or verification URL (offline by default). Exit code 0 when valid."

    def add_arguments(self, parser):
        parser.add_argument("payload", help="the token (KJ1.…) or the URL read from the QR code")
        parser.add_argument("--keys", metavar="FILE", help="keys.json with the public keys (default: the keys in this database)")
        parser.add_argument("--online", action="store_true", help="also check revocation and membership state in this database")
        parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="check validity as of this day")

    def handle(self, *args, payload: str, keys: str | None, online: bool, json: bool, today: str | None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today: {today!r} is not a date (YYYY-MM-DD).") from exc
        if online:
            verdict = certificates.check_certificate(payload, today=day)
        else:
            verdict = certificates.verify_token(payload, keys=load_keys(keys) if keys else certificates.published_keys(), today=day)
        if json:
            self.stdout.write(_json_dumps(verdict.as_dict()))
        else:
            self.stdout.write(f"{verdict.state}: {verdict.label}")
            if verdict.reason:
                self.stdout.write(str(verdict.reason))
            for name, value in verdict.fields.items():
                self.stdout.write(f"  {name}: {value}")
            if not online and verdict.state == CertificateState.VALID:
                self.stdout.write("(offline: signature and dates only; --online also checks revocation)")
        if verdict.state != CertificateState.VALID:
            raise SystemExit(1)


def _json_dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
