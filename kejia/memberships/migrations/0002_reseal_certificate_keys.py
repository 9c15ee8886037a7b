"""The certificate signing keys were sealed with PII_KEY; they are now sealed under a key derived
from SECRET_KEY (kejia.core.sealing), so that the database and PII_KEY together sign nothing.
A key that PII_KEY no longer opens is retired (its certificates still verify)."""

from django.db import migrations
from django.utils import timezone

PURPOSE = "certificate-signing-key"  # kejia.memberships.certificates.SEAL_PURPOSE


def reseal(apps, schema_editor):
    from cryptography.exceptions import InvalidTag

    from kejia.core import pii, sealing

    CertificateKey = apps.get_model("memberships", "CertificateKey")
    for key in CertificateKey.objects.filter(private_sealed__startswith=pii.PREFIX):
        try:
            raw = pii.decrypt(key.private_sealed)
        except (InvalidTag, ValueError):
            if key.retired_at is None:
                key.retired_at = timezone.now()
                key.save(update_fields=["retired_at"])
            continue
        key.private_sealed = sealing.seal(raw, purpose=PURPOSE)
        key.save(update_fields=["private_sealed"])


def unseal(apps, schema_editor):
    from kejia.core import pii, sealing

    CertificateKey = apps.get_model("memberships", "CertificateKey")
    for key in CertificateKey.objects.filter(private_sealed__startswith=sealing.PREFIX):
        try:
            raw, _current = sealing.unseal(key.private_sealed, purpose=PURPOSE)
        except sealing.CannotUnseal:
            continue
        key.private_sealed = pii.encrypt(raw)
        key.save(update_fields=["private_sealed"])


class Migration(migrations.Migration):
    dependencies = [("memberships", "0001_initial")]
    operations = [migrations.RunPython(reseal, unseal)]
