"""Test settings: the same as production but with a fast password hasher and inline tasks."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ERROR_CODES_STRICT = True  # a DomainError with a code no app registered raises (kejia.core.errors)
ALLOW_DEVELOPMENT_KEYS = True  # the published keys are fine in tests (kejia.core.keys)
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
STATIC_ROOT = None  # tests serve static files from the finders; nothing is collected
# Each test process gets its own index directory (tantivy holds a writer lock per directory).
SEARCH_INDEX_DIR = Path(tempfile.mkdtemp(prefix="kejia-search-test-"))
# A cache of its own per test process (batch ids repeat across the test databases); the browser
# tests' server runs in the same process.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A test database of its own per test process, so two runs on one PostgreSQL server (a developer's
# and CI's, or two checkouts) never drop each other's database.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    import os

    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405
