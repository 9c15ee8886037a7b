import pytest


@pytest.fixture(autouse=True)
def search_index_dir(settings, tmp_path):
    """A fresh index directory per test."""
    from kejia.search.indexing import reset_backend

    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    reset_backend()
    yield settings.SEARCH_INDEX_DIR
    reset_backend()


@pytest.fixture
def add_person(tree, django_capture_on_commit_callbacks):
    """Create a person through the people service and index them on commit, as the wired
    services will."""
    from django.db import transaction

    from kejia.people import services
    from kejia.search.tasks import index_people_on_commit

    def add(name, *, org=None, actor=None, **data):
        data.setdefault("sector", "university")
        data.setdefault("title_level", "senior")
        disciplines = data.pop("disciplines", None)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            person = services.create_person(actor=actor or tree.county_staff, organization=org or tree.xw, name=name, disciplines=disciplines, **data)
            index_people_on_commit([person.pk])
        return person

    return add
