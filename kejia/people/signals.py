"""What other apps may follow about people without people importing them: `people_changed` is
sent with the ids of people whose record changed (created, edited, merged away). The search
index listens (kejia/search/apps.py) and re-indexes them once the transaction commits."""

import django.dispatch

people_changed = django.dispatch.Signal()  # sent with person_ids: list[int]


def tell_changed(*people) -> None:
    """Say that these people changed (their derived copies, such as the search index, follow)."""
    ids = [p.pk for p in people if p.pk is not None]
    if ids:
        people_changed.send(sender=tell_changed, person_ids=ids)
