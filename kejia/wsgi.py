"""The WSGI application (granian imports it in each worker process: `manage.py serve`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejia.settings.base")
application = get_wsgi_application()


def _freeze_startup_objects() -> None:
    """Import every view now (the URL patterns) and move the objects of start-up out of the
    garbage collector's reach: they live as long as the process, and a full collection otherwise
    walks all ~400 000 of them again whenever a request allocates many objects (the subtree
    compliance page spent a third of its CPU time there; docs/benchmarks.md, "Pages")."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports the views, forms and templates tags they use)
    gc.collect()
    gc.freeze()


_freeze_startup_objects()
