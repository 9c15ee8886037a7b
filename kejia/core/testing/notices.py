"""The outside of notices in tests: a fake SMS gateway, and reading a one-time code from the
notice that carried it (the notice row is written at once; delivery waits for the commit)."""

import re

from kejia.core.models import Notice


class FakeSmsGateway:
    """settings.SMS_GATEWAY = "kejia.core.testing.notices.FakeSmsGateway"; texts land in `sent`."""

    sent: list[tuple[str, str]] = []

    def send_sms(self, phone: str, text: str) -> None:
        FakeSmsGateway.sent.append((phone, text))


def last_code(kind: str) -> str:
    """The six-digit code in the newest notice of `kind` (e.g. "people.link_code", "account.code")."""
    notice = Notice.objects.filter(kind=kind).order_by("-pk").first()
    assert notice is not None, f"no notice of kind {kind}"
    return re.search(r"\b(\d{6})\b", notice.subject).group(1)
