"""Start a new certificate signing key. Older keys stay published, so what they signed still verifies."""

from django.core.management.base import BaseCommand

from kejia.memberships import certificates


class Command(BaseCommand):
    help = "Rotate the certificate signing key and print the new key id."

    def handle(self, *args, **options):
        key = certificates.rotate_key(actor=None)
        self.stdout.write(key.kid)
