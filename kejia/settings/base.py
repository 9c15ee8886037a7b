"""Settings shared by every environment. Every value comes from the environment with one
documented default (README.md, "Configuration")."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kejia.core.env import env_bool, env_list, env_str
from kejia.core.keys import DEVELOPMENT_PII_KEY, DEVELOPMENT_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("KEJIA_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# Former SECRET_KEYs, still accepted while what they signed or sealed is renewed (kejia.core.sealing).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
# Key for personal data (resident ID numbers, phones): 32 bytes, urlsafe base64.
PII_KEY = env_str("PII_KEY", DEVELOPMENT_PII_KEY)
DEBUG = env_bool("DEBUG", False)
# The two defaults above are published with the source: outside development (DEBUG off) the
# processes refuse to start with them unless this is set (kejia.core.keys; `make demo` sets it).
ALLOW_DEVELOPMENT_KEYS = env_bool("ALLOW_DEVELOPMENT_KEYS", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "kejia.core",
    "kejia.reference",
    "kejia.accounts",
    "kejia.organizations",
    "kejia.people",
    "kejia.imports",
    "kejia.search",
    "kejia.memberships",
    "kejia.governance",
    "kejia.grassroots",
    "kejia.activities",
    "kejia.volunteering",
    "kejia.voice",
    "kejia.surveys",
    "kejia.review",
    "kejia.calls",
    "kejia.home",
    "kejia.demo",
]

MIDDLEWARE = [
    "kejia.core.http.RequestSizeMiddleware",  # first: refuses a body too large before anything reads it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kejia.core.dbunavailable.DatabaseUnavailableMiddleware",  # outside sessions and users: a refused connection answers 503
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kejia.core.middleware.ChineseFirstLocaleMiddleware",
    "kejia.core.http.ApiErrorMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "kejia.core.middleware.NormaliseFormTextMiddleware",  # wraps the form parsing: posted text is normalised when first read
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kejia.core.http.DomainErrorMiddleware",
]

ROOT_URLCONF = "kejia.urls"
WSGI_APPLICATION = "kejia.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:front"
AUTHENTICATION_BACKENDS = ["kejia.accounts.backends.UsernameOrPhoneBackend"]
# The API's bearer tokens: core/api_auth.py calls this (core imports no app).
API_TOKEN_USER = "kejia.accounts.services.user_for_token"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kejia" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "kejia.home.context_processors.navigation",
                "kejia.accounts.context_processors.notices",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kejia.sqlite3'}"),
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", "60")),
    )
}
# The web server (`manage.py serve`, granian): processes × threads. Each thread keeps at most one
# database connection (for DB_CONN_MAX_AGE seconds after its last request), so together with the
# task workers and a spare for commands they must fit the database's limit: `serve` checks
# WEB_WORKERS × WEB_THREADS + TASK_WORKERS + DB_SPARE_CONNECTIONS against PostgreSQL's
# max_connections (less its reserved slots, and the database's and role's own limits) before it
# starts (docs/deploy.md). The granian variables are read too, as granian itself reads them.
# WEB_THREADS unset: `serve` chooses (kejia/core/management/commands/serve.py, default_threads):
# 8 on PostgreSQL, 4 on SQLite (one writer at a time), never more than 2 × CPUs + 1.
WEB_WORKERS = int(env_str("WEB_WORKERS", env_str("GRANIAN_WORKERS", "2")))
WEB_THREADS = int(env_str("WEB_THREADS", env_str("GRANIAN_BLOCKING_THREADS", "")) or 0) or None
TASK_WORKERS = int(env_str("TASK_WORKERS", "1"))
DB_SPARE_CONNECTIONS = int(env_str("DB_SPARE_CONNECTIONS", "5"))
# PostgreSQL behind pgbouncer in transaction pooling (docs/deploy.md): no server-side cursors, and
# `serve` leaves the bound to the pooler's pool size.
DB_POOLER = env_bool("DB_POOLER", False)
if DB_POOLER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids upgrade deadlocks.
    # A larger page cache keeps the people table's indexes (random hashes) in memory while a
    # large import writes them: executemany of 100 000 people 4.98 s → 3.18 s at 64 MiB
    # (docs/benchmarks.md). SQLite grows the cache only as pages are used.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; "
            f"PRAGMA cache_size=-{1024 * int(env_str('SQLITE_CACHE_MIB', '64'))}; PRAGMA temp_store=MEMORY;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout after repeated failures (per account, per unknown identifier and per client address).
LOGIN_MAX_FAILURES = int(env_str("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(env_str("LOGIN_LOCKOUT_SECONDS", "900"))
# Linking an account to a profile: failed proofs per account (per name tried: twice, per address:
# four times as many) within the window, then refused for one window (kejia.core.throttle).
LINK_MAX_FAILURES = int(env_str("LINK_MAX_FAILURES", "5"))
LINK_WINDOW_SECONDS = int(env_str("LINK_WINDOW_SECONDS", "86400"))
# One-time codes (kejia.core.codes): valid this long, void after this many wrong guesses, and at
# most CODE_MAX_SENDS sent to one person (or for one account) per CODE_WINDOW_SECONDS.
CODE_TTL_SECONDS = int(env_str("CODE_TTL_SECONDS", "600"))
CODE_MAX_TRIES = int(env_str("CODE_MAX_TRIES", "5"))
CODE_MAX_SENDS = int(env_str("CODE_MAX_SENDS", "3"))
CODE_WINDOW_SECONDS = int(env_str("CODE_WINDOW_SECONDS", "3600"))
# API tokens expire after this many days unless issued for fewer.
API_TOKEN_LIFETIME_DAYS = int(env_str("API_TOKEN_LIFETIME_DAYS", "90"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kejia" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "kejia" / "static"]  # the site-wide stylesheet and script (kejia/static/kejia/)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site root (/favicon.ico), served as they are by whitenoise.
WHITENOISE_ROOT = BASE_DIR / "kejia" / "static_root"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Background work: the database queue by default (a worker runs `manage.py db_worker`);
# "immediate" runs tasks inline (tests, tiny installs); at scale the RQ backend on Redis.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(env_str("TASK_BACKEND", "database"), env_str("TASK_BACKEND", "database"))}}

# The derived full-text index of the talent database (tantivy); rebuild with
# `manage.py rebuild_search_index`. One writer at a time: an update waits this long for the lock.
SEARCH_INDEX_DIR = Path(env_str("SEARCH_INDEX_DIR", str(VAR_DIR / "search")))
SEARCH_WRITER_TIMEOUT = int(env_str("SEARCH_WRITER_TIMEOUT", "60"))

# Printing applications as PDF (kejia.calls.print_pdf): TrueType Chinese fonts to embed, "path" or
# "path#index" in a collection, text font first and heading font second. Empty: Debian's
# fonts-arphic-uming and fonts-wqy-microhei where they are installed.
CALLS_PRINT_FONTS = env_list("CALLS_PRINT_FONTS", "")

# Imports (kejia.imports.people.check_rows): a file of at least IMPORT_PARALLEL_MIN_ROWS rows is
# checked by IMPORT_WORKERS forked processes (empty: the CPU count, at most 4; 0 or 1: in-process).
IMPORT_WORKERS = int(env_str("IMPORT_WORKERS", "")) if env_str("IMPORT_WORKERS", "") else None
IMPORT_PARALLEL_MIN_ROWS = int(env_str("IMPORT_PARALLEL_MIN_ROWS", "20000"))
# Whether an import writes its good rows while the rest are still checked (faster: both cores busy
# to the end), in the one transaction that commits them. On SQLite that transaction holds the
# database's single write lock from the first row checked; false: check every row, then write.
IMPORT_WRITE_WHILE_CHECKING = env_bool("IMPORT_WRITE_WHILE_CHECKING", True)
# A batch still "running" with no progress for this long, whose process is gone, is marked failed.
IMPORT_STALE_SECONDS = int(env_str("IMPORT_STALE_SECONDS", "900"))

# Django's cache, for what running work tells other processes before it commits (import progress):
# files under KEJIA_VAR_DIR (one machine), or Redis at CACHE_URL (redis://host:6379/1) across machines.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}}

# Where links in notices point; the public verification URL in certificate QR codes starts with it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Notices (kejia.core.notify): senders by name (console, email, sms) or dotted path.
NOTICE_SENDERS = env_list("NOTICE_SENDERS", "console")
# The SMS provider adapter, a kejia.core.notify.SmsGateway subclass (only used when "sms" is a sender).
SMS_GATEWAY = env_str("SMS_GATEWAY", "kejia.core.notify.SmsGateway")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@kejia.localhost")
# Online dues payment (kejia.memberships.payments): "offline" = the member reports a transfer and
# staff confirm it; "sandbox" confirms at once (demo only); or a dotted path to a gateway adapter.
PAYMENT_GATEWAY = env_str("PAYMENT_GATEWAY", "offline")
# Largest request body taken at all, in bytes (larger: 413 before it is read); above the largest
# upload (an import: 50 MB) with room for the form around it.
MAX_REQUEST_BYTES = int(env_str("MAX_REQUEST_BYTES", str(60 * 1024 * 1024)))
# Largest document a membership applicant may upload, in bytes.
MEMBERSHIP_MAX_UPLOAD = int(env_str("MEMBERSHIP_MAX_UPLOAD", str(10 * 1024 * 1024)))
# Calls (kejia/calls/files.py): attachments, application files and deliverables; seal images.
CALLS_MAX_UPLOAD = int(env_str("CALLS_MAX_UPLOAD", str(20 * 1024 * 1024)))
CALLS_MAX_SEAL = int(env_str("CALLS_MAX_SEAL", str(2 * 1024 * 1024)))
# Objections to a public announcement (公示): at most this many per address (and per account) per window.
OBJECTION_MAX = int(env_str("OBJECTION_MAX", "5"))
OBJECTION_WINDOW_SECONDS = int(env_str("OBJECTION_WINDOW_SECONDS", "3600"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Expert review (kejia.review): the affinity of an item's text to a reviewer, named here because
# kejia.review sits beside kejia.search in the layers (docs/architecture.md).
REVIEW_AFFINITY = "kejia.search.affinity.score_pairs"
# Each item's best reviewers by the same affinity, for the candidate cut of large rounds.
REVIEW_TOP_REVIEWERS = "kejia.search.affinity.top_reviewers"
