"""Governance work for the task worker (`manage.py db_worker`): the daily term-change reminders."""

import datetime

from django_tasks import task


@task()
def term_reminders_task(today: str | None = None, within_days: int = 90) -> int:
    """Remind organizations of terms ending within `within_days` or overdue
    (kejia.governance.services.send_term_reminders); `today` as YYYY-MM-DD, for a replay.
    Answers the number of terms reminded."""
    from kejia.governance.services import send_term_reminders

    return send_term_reminders(today=datetime.date.fromisoformat(today) if today else None, within_days=within_days)
