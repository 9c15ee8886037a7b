"""The published development keys never run a server outside development (kejia.core.keys)."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kejia.core.keys import DEVELOPMENT_PII_KEY, DEVELOPMENT_SECRET_KEY, keys_at_development_default, refuse_development_keys

BASE_DIR = Path(__file__).resolve().parents[3]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PII_KEY", "DEBUG", "ALLOW_DEVELOPMENT_KEYS", "SECRET_KEY_FALLBACKS")}
    env.update({"DJANGO_SETTINGS_MODULE": "kejia.settings.base", "LOG_LEVEL": "ERROR", **extra})
    return env


def _start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """What the web server does first (import the WSGI application), or a manage.py command."""
    cmd = [sys.executable, "manage.py", *args] if args else [sys.executable, "-c", "import kejia.wsgi"]
    return subprocess.run(cmd, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


def _random_keys() -> dict[str, str]:
    return {"SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(), "PII_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode()}


def test_server_refuses_to_start_with_the_published_keys_outside_development():
    done = _start(_env())
    assert done.returncode != 0
    assert "Refusing to start" in done.stderr and "SECRET_KEY" in done.stderr and "PII_KEY" in done.stderr
    only_pii = _start(_env(SECRET_KEY=_random_keys()["SECRET_KEY"]))
    assert only_pii.returncode != 0 and "PII_KEY" in only_pii.stderr and "SECRET_KEY," not in only_pii.stderr
    worker = _start(_env(), "migrate", "--check")
    assert worker.returncode != 0 and "Refusing to start" in worker.stderr


def test_server_starts_with_keys_of_its_own_or_in_development():
    assert _start(_env(**_random_keys())).returncode == 0
    assert _start(_env(DEBUG="true")).returncode == 0
    assert _start(_env(ALLOW_DEVELOPMENT_KEYS="true")).returncode == 0
    # Commands on the source, not on data, run anywhere (CI's `makemigrations --check`).
    assert _start(_env(), "makemigrations", "--check", "--dry-run").returncode == 0


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, ["SECRET_KEY", "PII_KEY"]),
        ({"SECRET_KEY": "x" * 50}, ["PII_KEY"]),
        ({"SECRET_KEY": "x" * 50, "PII_KEY": "y", "SECRET_KEY_FALLBACKS": [DEVELOPMENT_SECRET_KEY]}, ["SECRET_KEY_FALLBACKS[0]"]),
        ({"DEBUG": True}, []),
        ({"ALLOW_DEVELOPMENT_KEYS": True}, []),
    ],
)
def test_keys_at_development_default(settings, overrides, expected):
    settings.SECRET_KEY, settings.PII_KEY, settings.DEBUG = DEVELOPMENT_SECRET_KEY, DEVELOPMENT_PII_KEY, False
    settings.ALLOW_DEVELOPMENT_KEYS, settings.SECRET_KEY_FALLBACKS = False, []
    for name, value in overrides.items():
        setattr(settings, name, value)
    assert keys_at_development_default(settings) == expected
    if expected:
        with pytest.raises(ImproperlyConfigured):
            refuse_development_keys(settings, argv=["granian"])
        refuse_development_keys(settings, argv=["manage.py", "compilemessages"])


def _security_errors(include_deployment_checks=False):
    from django.core import checks

    return sorted(
        m.id for m in checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=include_deployment_checks) if m.id and m.id.startswith("kejia.")
    )


def test_development_keys_are_a_system_check(settings):
    settings.SECRET_KEY, settings.PII_KEY, settings.DEBUG = DEVELOPMENT_SECRET_KEY, DEVELOPMENT_PII_KEY, False
    settings.ALLOW_DEVELOPMENT_KEYS, settings.SECRET_KEY_FALLBACKS = False, []
    assert _security_errors() == ["kejia.E001"]
    settings.DEBUG = True
    assert _security_errors(include_deployment_checks=True) == []
    settings.DEBUG, settings.ALLOW_DEVELOPMENT_KEYS = False, True
    assert _security_errors() == []  # a development machine (make demo, the tests) starts…
    assert _security_errors(include_deployment_checks=True) == ["kejia.E002"]  # …but `check --deploy` says no
    settings.SECRET_KEY, settings.PII_KEY = _random_keys()["SECRET_KEY"], _random_keys()["PII_KEY"]
    assert _security_errors(include_deployment_checks=True) == []


def test_check_deploy_fails_with_the_published_keys_even_where_allowed():
    done = _start(_env(ALLOW_DEVELOPMENT_KEYS="true"), "check", "--deploy", "--fail-level", "ERROR")
    assert done.returncode != 0 and "kejia.E002" in done.stderr
    assert "kejia.E002" not in _start(_env(**_random_keys()), "check", "--deploy").stderr
