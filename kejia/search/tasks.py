"""Index maintenance as background tasks: the task worker is the single writer of the index.
Services call `index_people_on_commit(ids)` inside their transaction; nothing reaches the index
unless the transaction commits, and the task reads the committed rows back."""

from collections.abc import Iterable

from django.db import transaction
from django_tasks import task

from kejia.search.indexing import index_people


@task()
def reindex_people(person_ids: list[int]) -> dict[str, int]:
    return index_people(person_ids)


def index_people_on_commit(person_ids: Iterable[int]) -> None:
    """Re-index these people once the current transaction commits (at once outside one)."""
    ids = sorted({int(i) for i in person_ids if i is not None})
    if ids:
        transaction.on_commit(lambda: reindex_people.enqueue(ids))
