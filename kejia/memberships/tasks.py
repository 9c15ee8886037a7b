"""Membership work for the task worker (`manage.py db_worker`): the daily dues cycle."""

import datetime

from django_tasks import task


@task()
def dues_cycle_task(today: str | None = None) -> dict[str, int]:
    """Run the dues cycle (kejia.memberships.dues.run_dues_cycle); `today` as YYYY-MM-DD, for a replay."""
    from kejia.memberships.dues import run_dues_cycle

    return run_dues_cycle(today=datetime.date.fromisoformat(today) if today else None)
