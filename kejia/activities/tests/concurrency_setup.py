"""Run by test_concurrency.py in a subprocess against a fresh database (DATABASE_URL): one
published online event with `capacity` seats and `n` accounts with API tokens. Prints JSON
{"event": id, "tokens": [...]} on stdout. Not a test module (pytest collects test_*.py only)."""

import datetime
import hashlib
import json
import os
import secrets
import sys


def main(n: int, capacity: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejia.settings.base")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from kejia.accounts.models import ApiToken, User
    from kejia.activities import services
    from kejia.organizations.services import create_organization

    admin = User.objects.create_superuser("conc_admin", "conc@example.cn", secrets.token_urlsafe(16))
    org = create_organization(actor=admin, parent=None, name="并发测试科协", code="CONC", kind="national_assoc")
    start = timezone.now() + datetime.timedelta(days=7)
    event = services.create_event(
        org,
        actor=admin,
        kind="conference",
        title="并发报名测试",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        online_url="https://meeting.example.cn/conc",
        capacity=capacity,
    )
    services.publish_event(event, actor=admin)
    unusable = make_password(None)
    users = User.objects.bulk_create([User(username=f"conc{i:04d}", display_name=f"并发{i}", password=unusable) for i in range(n)])
    raws = ["kj_" + secrets.token_urlsafe(32) for _ in users]
    now = timezone.now()
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, prefix=raw[:8], key_hash=hashlib.sha256(raw.encode()).hexdigest(), last_used_at=now, expires_at=now + datetime.timedelta(days=1))
            for u, raw in zip(users, raws, strict=True)
        ]
    )
    sys.stdout.write(json.dumps({"event": event.pk, "tokens": raws}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
