"""Review work for the task worker (`manage.py db_worker`): the daily reminders of score sheets
not in as the deadline nears."""

from django_tasks import task


@task()
def review_reminders_task(now: str | None = None) -> int:
    """Remind reviewers whose sheets are not in (kejia.review.services.send_reminders); `now` as
    an ISO date-time, for a replay. Answers the number of sheets reminded."""
    import datetime

    from django.utils import timezone

    from kejia.review.services import send_reminders

    moment = None
    if now:
        moment = datetime.datetime.fromisoformat(now)
        moment = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    return send_reminders(now=moment)
