"""Voice work for the task worker (`manage.py db_worker`): the daily escalation of overdue items."""

import datetime

from django.utils import timezone
from django_tasks import task


@task()
def escalate_voice_task(now: str | None = None) -> dict[str, int]:
    """Move overdue items to the parent organization (kejia.voice.escalation.escalate_overdue);
    `now` as an ISO date or date-time, for a replay. Answers the counts."""
    from kejia.voice.escalation import escalate_overdue

    return escalate_overdue(now=parse_now(now)).as_dict()


def parse_now(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a date or date-time: {value!r}") from None
    if len(value) <= 10:  # a date: its noon, so the local date is that day whatever the zone
        moment = moment.replace(hour=12)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
