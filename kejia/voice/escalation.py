"""Escalation of overdue items (run daily: `manage.py escalate_voice`, or the task
`kejia.voice.tasks.escalate_voice_task`).

An item still waiting for an answer after its due date moves to the parent of the organization
handling it, with a new due date counted from today by the parent's rule; the history keeps the
step, and the parent's staff and the sender are told. An item at a top-level organization cannot
move further: it stays, shown overdue on the dashboards. Running twice on one day changes nothing
the second time (the new due date lies after today)."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kejia.core.audit import record_event
from kejia.voice import deadlines
from kejia.voice.choices import OPEN_STATUSES, EventKind
from kejia.voice.models import Item
from kejia.voice.workflow import hand_over, log_event, tell_handlers, tell_sender


@dataclass
class EscalationRun:
    escalated: int = 0
    at_top: int = 0  # overdue at a top-level organization: nowhere further to go

    def as_dict(self) -> dict[str, int]:
        return {"escalated": self.escalated, "at_top": self.at_top}


def overdue_items(today: datetime.date):
    return Item.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today)


def escalate_overdue(*, now: datetime.datetime | None = None) -> EscalationRun:
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = deadlines.StoredCalendar()
    run = EscalationRun()
    for pk in list(overdue_items(today).order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            item = (
                Item.objects.select_for_update(of=("self",))
                .select_related("organization__parent", "sender")
                .filter(pk=pk, status__in=OPEN_STATUSES, due_on__lt=today)
                .first()
            )
            if item is None:  # answered or moved meanwhile
                continue
            here, parent = item.organization, item.organization.parent
            if parent is None:
                run.at_top += 1
                continue
            old = {"organization": here.pk, "status": item.status, "due_on": item.due_on, "assignee": item.assignee_id}
            hand_over(item, parent)
            item.deadline_days = deadlines.working_days_for(item.kind, parent)
            item.due_on = deadlines.add_working_days(today, item.deadline_days, calendar)
            item.escalation_level += 1
            item.escalated_at = now
            item.save(update_fields=["organization", "assignee", "status", "deadline_days", "due_on", "escalation_level", "escalated_at", "updated_at"])
            log_event(item, EventKind.ESCALATED, actor=None, now=now, from_org=here, to_org=parent, due_on=str(item.due_on), overdue_since=str(old["due_on"]))
            record_event(
                actor=None,
                action="voice.item_escalated",
                obj=item,
                organization=parent,
                old=old,
                new={"organization": parent.pk, "status": item.status, "due_on": item.due_on, "level": item.escalation_level},
            )
            tell_handlers(
                item,
                parent,
                gettext("Overdue, escalated to you: %(title)s") % {"title": item.title},
                gettext("%(org)s did not answer by %(date)s. Answer by %(due)s.") % {"org": here.name, "date": old["due_on"], "due": item.due_on},
            )
            tell_sender(
                item,
                "voice_escalated",
                gettext("Your item was escalated to %(org)s") % {"org": parent.name},
                gettext("It was not answered in time; %(org)s now handles it and answers by %(due)s.") % {"org": parent.name, "due": item.due_on},
            )
            run.escalated += 1
    return run
