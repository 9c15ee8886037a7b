"""The pool of anonymous answers. Written at once, an anonymous answer could be paired with its
receipt (who answered) through the order of the rows: on SQLite the receipts' insertion order
matched the answers' ids, on PostgreSQL a receipt's transaction id (xmin) was its answers' ± 1.

So an anonymous submission writes only its receipt and a sealed, unordered entry of the pool
(`PendingAnswer`), in its own transaction. Once a batch has gathered (`batch_size`: the survey's
minimum count, at least MIN_BATCH), a task writes the whole pool in another transaction, in
shuffled order — responses with random ids, answer ids handed out in that order, all rows with
the same transaction id — and deletes the entries. Closing the survey releases what is left. A
receipt then tells only which batch its answer went into, never which answer of the batch.
Until its batch is released an answer is counted ("waiting") but not in the results."""

import json
import secrets

from django.db import transaction
from django_tasks import task

from kejia.core import pii
from kejia.surveys.choices import Channel, ResponseStatus
from kejia.surveys.models import Answer, PendingAnswer, Response, Survey, SurveyVersion
from kejia.surveys.questions import answer_rows

MIN_BATCH = 5


def batch_size(survey: Survey) -> int:
    return max(survey.min_responses, MIN_BATCH)


def add_to_pool(
    survey: Survey, *, version: SurveyVersion, clean: dict, subject_id: int | None, channel: str = Channel.ONLINE, station_id: int | None = None
) -> None:
    """Inside the submission's transaction; the release is queued once it commits."""
    entry = {"version": version.pk, "rows": answer_rows(version.questions, clean), "subject": subject_id, "channel": str(channel), "station": station_id}
    PendingAnswer.objects.create(survey=survey, sealed=pii.encrypt(json.dumps(entry, ensure_ascii=False)))
    survey_id = survey.pk
    transaction.on_commit(lambda: release_when_full(survey_id))


def release_when_full(survey_id: int) -> None:
    survey = Survey.objects.filter(pk=survey_id).only("min_responses").first()
    if survey is not None and PendingAnswer.objects.filter(survey_id=survey_id).count() >= batch_size(survey):
        release_answers_task.enqueue(survey_id)


def waiting(survey: Survey) -> int:
    return PendingAnswer.objects.filter(survey=survey).count()


@transaction.atomic
def release_answers(survey: Survey, *, force: bool = False) -> int:
    """Write the pool as responses in shuffled order, when it holds a batch (or `force`: the
    survey closes). Returns how many were written."""
    Survey.objects.select_for_update().filter(pk=survey.pk).first()  # one release of a survey at a time
    entries = list(PendingAnswer.objects.filter(survey=survey))
    if not entries or (not force and len(entries) < batch_size(survey)):
        return 0
    secrets.SystemRandom().shuffle(entries)
    responses, answers = [], []
    for entry in entries:
        data = json.loads(pii.decrypt(entry.sealed))
        response = Response(
            survey=survey,
            version_id=data["version"],
            status=ResponseStatus.SUBMITTED,
            subject_id=data["subject"],
            channel=data["channel"],
            station_id=data["station"],
        )
        responses.append(response)
        answers += [
            Answer(response=response, survey_id=survey.pk, version_id=data["version"], question=q, option=option, row=row, number=number, text=text)
            for q, option, row, number, text in data["rows"]
        ]
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    PendingAnswer.objects.filter(pk__in=[e.pk for e in entries]).delete()
    return len(entries)


@task()
def release_answers_task(survey_id: int) -> int:
    survey = Survey.objects.filter(pk=survey_id).first()
    return release_answers(survey) if survey is not None else 0
