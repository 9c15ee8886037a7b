"""Seal the stored certificate signing keys under the current SECRET_KEY: run after changing
SECRET_KEY with the former value in SECRET_KEY_FALLBACKS, then drop the fallback."""

import json

from django.core.management.base import BaseCommand

from kejia.memberships import certificates


class Command(BaseCommand):
    help = "Re-seal the certificate signing keys under the current SECRET_KEY (retiring any that no key opens)."

    def handle(self, *args, **options):
        done = certificates.reseal_keys(actor=None)
        self.stdout.write(json.dumps(done, ensure_ascii=False))
