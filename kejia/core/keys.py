"""The development keys and the guard that keeps them out of production.

SECRET_KEY and PII_KEY have published defaults so that `make demo` and the tests run with no set-up.
Anyone holding the repository holds them: with them and a copy of the database one can unseal ID
numbers and phones and sign sessions. So a process that is not in development (DEBUG off and
ALLOW_DEVELOPMENT_KEYS off) refuses to start while either is still at its default (checked in
CoreConfig.ready, which every entry point runs: the web server, manage.py, the task worker; only
the commands that work on the source — migrations, translations — are let through)."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me"
DEVELOPMENT_PII_KEY = "ZGV2LW9ubHktcGlpLWtleS1jaGFuZ2UtbWUtMzJiISE="
DEVELOPMENT_KEYS = {"SECRET_KEY": DEVELOPMENT_SECRET_KEY, "PII_KEY": DEVELOPMENT_PII_KEY}


def keys_at_development_default(settings) -> list[str]:
    """Names of the settings still holding their published development value (empty in
    development, where that is allowed)."""
    if settings.DEBUG or getattr(settings, "ALLOW_DEVELOPMENT_KEYS", False):
        return []
    defaults = [name for name, value in DEVELOPMENT_KEYS.items() if getattr(settings, name, None) == value]
    defaults += [f"SECRET_KEY_FALLBACKS[{i}]" for i, value in enumerate(getattr(settings, "SECRET_KEY_FALLBACKS", [])) if value == DEVELOPMENT_SECRET_KEY]
    return defaults


# Commands that work on the source, never on data (migrations, translations): they run anywhere.
SOURCE_COMMANDS = frozenset({"makemigrations", "makemessages", "compilemessages", "help", "version"})


def running_source_command(argv: list[str]) -> bool:
    return len(argv) > 1 and os.path.basename(argv[0]) in ("manage.py", "django-admin") and argv[1] in SOURCE_COMMANDS


def refuse_development_keys(settings, argv: list[str] | None = None) -> None:
    if running_source_command(sys.argv if argv is None else argv):
        return
    names = keys_at_development_default(settings)
    if names:
        raise ImproperlyConfigured(
            f"Refusing to start: {', '.join(names)} still hold(s) the development value published with Kejia's source, "
            "and DEBUG is off. Set them in the environment (PII_KEY: 32 random bytes in urlsafe base64, "
            'python -c "import os,base64;print(base64.urlsafe_b64encode(os.urandom(32)).decode())"; '
            "SECRET_KEY: a long random string), or set ALLOW_DEVELOPMENT_KEYS=true on a machine for development only. "
            'README.md, "Configuration".'
        )


# ---- As Django system checks --------------------------------------------------------------------
# The same rule as a system check (kejia.E001), which `manage.py check` and every command that
# checks report with the others; and, for `manage.py check --deploy` (run before a release), the
# published keys are an error even where ALLOW_DEVELOPMENT_KEYS lets a process start (kejia.E002).


def check_development_keys(app_configs=None, **kwargs):
    from django.conf import settings
    from django.core import checks

    if running_source_command(sys.argv):
        return []
    names = keys_at_development_default(settings)
    if not names:
        return []
    return [
        checks.Error(
            f"{', '.join(names)} still hold(s) the development value published with Kejia's source, and DEBUG is off.",
            hint='Set SECRET_KEY and PII_KEY in the environment (README.md, "Configuration").',
            id="kejia.E001",
        )
    ]


def check_development_keys_deploy(app_configs=None, **kwargs):
    from django.conf import settings
    from django.core import checks

    if settings.DEBUG:
        return []
    names = [name for name, value in DEVELOPMENT_KEYS.items() if getattr(settings, name, None) == value]
    if not names:
        return []
    return [
        checks.Error(
            f"{', '.join(names)} still hold(s) the development value published with Kejia's source (ALLOW_DEVELOPMENT_KEYS is for development machines only).",
            hint='Set SECRET_KEY and PII_KEY in the environment (README.md, "Configuration").',
            id="kejia.E002",
        )
    ]
