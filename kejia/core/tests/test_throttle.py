"""The shared rate limit (kejia.core.throttle) and one-time codes (kejia.core.codes)."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from kejia.core import codes, throttle
from kejia.core.models import OneTimeCode, ThrottleCounter

LIMIT = throttle.Limit("test.limit", "LOGIN_MAX_FAILURES", "LOGIN_LOCKOUT_SECONDS")
WIDE = throttle.Limit("test.wide", "LOGIN_MAX_FAILURES", "LOGIN_LOCKOUT_SECONDS", factor=4)


def test_throttle_locks_a_key_at_its_limit_for_one_window(db, settings):
    settings.LOGIN_MAX_FAILURES, settings.LOGIN_LOCKOUT_SECONDS = 3, 600
    key, other = throttle.counter(LIMIT, "a"), throttle.counter(LIMIT, "b")
    assert not throttle.hit(key) and not throttle.hit(key)
    throttle.check(key)
    assert throttle.hit(key)
    with pytest.raises(throttle.Throttled) as exc:
        throttle.check(key, other)
    assert exc.value.status == 429 and exc.value.code == "throttled"
    assert 9 * 60 < (exc.value.until - timezone.now()).total_seconds() <= 600
    throttle.check(other)
    ThrottleCounter.objects.update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    throttle.check(key)


def test_throttle_factor_and_window_restart(db, settings):
    settings.LOGIN_MAX_FAILURES = 2
    wide = throttle.counter(WIDE, "10.0.0.1")
    assert [throttle.hit(wide) for _ in range(8)] == [False] * 7 + [True]
    key = throttle.counter(LIMIT, "c")
    throttle.hit(key)
    ThrottleCounter.objects.filter(key=key.key).update(window_start=timezone.now() - datetime.timedelta(hours=1))
    assert not throttle.hit(key)  # the old failure fell out of the window


def test_throttle_hit_survives_the_refused_request_but_not_an_outer_rollback(db, settings):
    """hit() commits on its own when called outside a transaction (how services use it)."""
    settings.LOGIN_MAX_FAILURES = 5
    key = throttle.counter(LIMIT, "d")
    throttle.hit(key)
    assert ThrottleCounter.objects.get(key=key.key).count == 1
    with transaction.atomic():
        throttle.hit(key)
        transaction.set_rollback(True)
    assert ThrottleCounter.objects.get(key=key.key).count == 1


def test_throttle_keys_hold_no_typed_text(db):
    key = throttle.counter(LIMIT, throttle.digest("李明 13905140001"))
    throttle.hit(key)
    stored = ThrottleCounter.objects.get().key
    assert "李明" not in stored and "13905140001" not in stored and len(stored) <= 160


def test_throttle_clear_and_purge(db, settings):
    settings.LOGIN_MAX_FAILURES = 1
    key = throttle.counter(LIMIT, "e")
    throttle.hit(key)
    throttle.clear(key)
    throttle.check(key)
    throttle.hit(throttle.counter(LIMIT, "f"))
    ThrottleCounter.objects.update(locked_until=timezone.now() - datetime.timedelta(days=2))
    assert throttle.purge() == 1


def test_code_is_accepted_once_and_only_for_its_subject(db):
    code = codes.issue(purpose="p", subject="user:1", target="person:7", channel="sms")
    assert len(code) == 6 and code.isdigit()
    assert code not in OneTimeCode.objects.get().code_hash
    assert codes.redeem(purpose="p", subject="user:2", code=code) is None
    assert codes.redeem(purpose="q", subject="user:1", code=code) is None
    assert codes.redeem(purpose="p", subject="user:1", code=f" {code[:3]} {code[3:]} ") == "person:7"
    assert codes.redeem(purpose="p", subject="user:1", code=code) is None


def test_code_is_void_after_too_many_wrong_guesses_or_expiry_or_a_new_code(db, settings):
    settings.CODE_MAX_TRIES = 3
    code = codes.issue(purpose="p", subject="user:1", target="t")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        assert codes.redeem(purpose="p", subject="user:1", code=wrong) is None
    assert codes.redeem(purpose="p", subject="user:1", code=code) is None
    code = codes.issue(purpose="p", subject="user:1", target="t")
    OneTimeCode.objects.filter(used_at__isnull=True).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert codes.redeem(purpose="p", subject="user:1", code=code) is None
    first = codes.issue(purpose="p", subject="user:1", target="t")
    second = codes.issue(purpose="p", subject="user:1", target="t")
    if first != second:
        assert codes.redeem(purpose="p", subject="user:1", code=first) is None
    assert codes.redeem(purpose="p", subject="user:1", code=second) == "t"


def test_purge_command_drops_stale_counters_and_codes(db, settings):
    import io

    from django.core.management import call_command

    settings.LOGIN_MAX_FAILURES = 5
    throttle.hit(throttle.counter(LIMIT, "old"))
    throttle.hit(throttle.counter(LIMIT, "new"))
    ThrottleCounter.objects.filter(key__endswith=":old").update(window_start=timezone.now() - datetime.timedelta(days=2))
    codes.issue(purpose="p", subject="user:1")
    codes.issue(purpose="p", subject="user:2")
    OneTimeCode.objects.filter(subject="user:1").update(expires_at=timezone.now() - datetime.timedelta(days=2))
    out = io.StringIO()
    call_command("purge_throttles", stdout=out)
    assert "removed 1 counter(s) and 1 code(s)" in out.getvalue()
    assert list(ThrottleCounter.objects.values_list("key", flat=True)) == ["test.limit:new"]


def test_console_sender_shows_codes_at_the_default_log_level(db, caplog):
    """With the console sender alone (development, the demo), a code is in the server log."""
    import logging

    from kejia.core.models import Notice
    from kejia.core.notify import ConsoleSender

    with caplog.at_level(logging.WARNING, logger="kejia.notices"):
        ConsoleSender().send(Notice(kind="people.link_code", subject="code 123456"))
        ConsoleSender().send(Notice(kind="membership.approved", subject="approved"))
    assert [r.getMessage().endswith("code 123456") for r in caplog.records] == [True]
