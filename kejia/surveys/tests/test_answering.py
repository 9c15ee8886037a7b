"""Answering: one answer per person, drafts to continue later, conditions on submission,
station entry, versions, and anonymity — an anonymous answer cannot be traced to its person
by anything stored in the database."""

import uuid

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from kejia.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from kejia.core.models import AuditEvent, Notice
from kejia.organizations.services import create_organization
from kejia.surveys import answering, distribution, pool, services
from kejia.surveys import results as res
from kejia.surveys.choices import ResponseStatus
from kejia.surveys.models import Answer, Receipt, Response
from kejia.surveys.selectors import surveys_waiting_for
from kejia.surveys.tests.conftest import GOOD, build_survey, invite

MARKER = "匿名标记-7f3a9c"


def test_submit_identified_answer_once(tree, folks):
    survey = build_survey(tree)
    invite(tree, survey)
    response = answering.submit_response(survey, actor=tree.worker, data=GOOD)
    assert response.person == folks.worker and response.user == tree.worker and response.status == ResponseStatus.SUBMITTED
    assert Answer.objects.filter(response=response).count() == 8  # q1 q2 q3 q4×2 q6×2 q7
    with pytest.raises(IllegalTransition) as err:
        answering.submit_response(survey, actor=tree.worker, data=GOOD)
    assert err.value.code == "already_answered"
    assert Response.objects.filter(survey=survey).count() == 1


def test_submit_refuses_a_person_not_addressed(tree, folks):
    survey = build_survey(tree)
    with pytest.raises(PermissionDenied):
        answering.submit_response(survey, actor=tree.worker, data=GOOD)


def test_submit_through_the_open_link(tree, folks):
    survey = build_survey(tree)
    link = distribution.add_target(survey, actor=tree.county_staff, kind="link")
    answering.submit_response(survey, actor=tree.worker, data=GOOD, token=link.token)
    assert answering.has_answered(survey, tree.worker)


def test_submit_names_each_invalid_question_and_writes_nothing(tree, folks):
    survey = build_survey(tree)
    invite(tree, survey)
    with pytest.raises(ValidationFailed) as err:
        answering.submit_response(survey, actor=tree.worker, data={"q1": 0, "q2": 0, "q4": [0, 1, 2]})
    assert set(err.value.errors) == {"q3", "q4"}
    assert not Response.objects.filter(survey=survey).exists()


def test_submit_drops_hidden_answers(tree, folks):
    survey = build_survey(tree)
    invite(tree, survey)
    response = answering.submit_response(survey, actor=tree.worker, data={**GOOD, "q2": 1, "q3": 5, "q5": "hidden"})
    assert not Answer.objects.filter(response=response, question__in=["q3", "q5"]).exists()


def test_draft_saved_then_submitted(tree, folks):
    survey = build_survey(tree)
    invite(tree, survey)
    draft = answering.save_draft(survey, actor=tree.worker, data={"q1": 0, "q2": 7})
    assert draft.status == ResponseStatus.DRAFT and draft.draft == {"q1": 0}
    assert not Answer.objects.filter(response=draft).exists()
    done = answering.submit_response(survey, actor=tree.worker, data=GOOD)
    assert done.pk == draft.pk and done.draft == {} and done.status == ResponseStatus.SUBMITTED


def test_new_version_keeps_old_answers_and_results_add_up_by_label(tree, folks):
    survey = build_survey(tree)
    invite(tree, survey)
    answering.submit_response(survey, actor=tree.worker, data=GOOD)
    q1 = survey.questions.get(key="q1")
    services.update_question(q1, actor=tree.county_staff, options=["其他", "企业", "高校"])  # reordered, new order
    version = services.publish_survey(survey, actor=tree.county_staff)
    survey.refresh_from_db()
    assert version.number == 2
    answering.submit_response(survey, actor=folks.li_user, data={**GOOD, "q1": 1})  # 企业 in version 2
    first = Response.objects.get(survey=survey, user=tree.worker)
    assert first.version.number == 1
    bars = {b.label: b.count for b in res.question_results(survey)[0].bars}
    assert bars == {"其他": 0, "企业": 2, "高校": 0}


def test_station_staff_enter_answers_for_a_person(tree, folks):
    station = create_organization(actor=tree.platform, parent=tree.xw, name="玄武调查站", code="XW-ST", kind="survey_station", region=tree.regions["320102"])
    from kejia.accounts.services import grant_role
    from kejia.surveys.tests.conftest import make_user

    clerk = make_user(tree, "station_clerk")
    grant_role(clerk, actor=tree.platform, organization=station, kind="staff")
    survey = build_survey(tree)
    distribution.add_target(survey, actor=tree.county_staff, kind="station", organization=station)
    with pytest.raises(ValidationFailed) as err:
        answering.enter_station_response(survey, actor=clerk, station=station, data=GOOD)
    assert "person" in err.value.errors
    response = answering.enter_station_response(survey, actor=clerk, station=station, data=GOOD, person=folks.qian)
    assert response.channel == "station" and response.person == folks.qian and response.station == station
    with pytest.raises(IllegalTransition):
        answering.enter_station_response(survey, actor=clerk, station=station, data=GOOD, person=folks.qian)
    with pytest.raises(PermissionDenied):
        answering.enter_station_response(survey, actor=tree.sibling_staff, station=station, data=GOOD, person=folks.li)


def test_waiting_lists_invited_unanswered_open_surveys(tree, folks):
    survey = build_survey(tree)
    other = build_survey(tree, anonymous=True, title="匿名问卷")
    assert surveys_waiting_for(tree.worker) == []
    invite(tree, survey)
    invite(tree, other)
    waiting = surveys_waiting_for(tree.worker)
    assert {s.pk for s in waiting} == {survey.pk, other.pk}
    assert waiting[0].answer_url == reverse("surveys:answer", args=[waiting[0].pk])
    answering.submit_response(survey, actor=tree.worker, data=GOOD)
    answering.submit_response(other, actor=tree.worker, data=GOOD)
    assert surveys_waiting_for(tree.worker) == []
    services.close_survey(survey, actor=tree.county_staff)
    assert surveys_waiting_for(folks.li_user) == [other]


def test_reminders_go_once_a_day_to_those_who_have_not_answered(tree, folks):
    survey = build_survey(tree)
    invite(tree, survey)
    answering.submit_response(survey, actor=tree.worker, data=GOOD)
    sent = distribution.send_reminders(survey, actor=tree.county_staff)
    assert sent == 2  # li and zhao have accounts; qian has none; the worker answered
    assert set(Notice.objects.filter(kind="survey.reminder").values_list("user__username", flat=True)) == {"li_worker", "zhao_worker"}
    assert distribution.send_reminders(survey, actor=tree.county_staff) == 0
    with pytest.raises(PermissionDenied):
        distribution.send_reminders(survey, actor=tree.county_leader)


def test_anonymous_reminders_skip_those_holding_a_receipt(tree, folks):
    survey = build_survey(tree, anonymous=True)
    invite(tree, survey)
    answering.submit_response(survey, actor=tree.worker, data=GOOD)
    assert distribution.send_reminders(survey, actor=tree.county_staff) == 2
    track = distribution.tracking(survey)
    assert (track["invited"], track["answered"], track["submitted"]) == (4, 1, 1)
    assert list(distribution.non_respondents(survey)) == []


# ---- Anonymity ---------------------------------------------------------------------------------


def test_anonymous_answer_is_stored_without_person_user_or_time(tree, folks):
    survey = build_survey(tree, anonymous=True)
    invite(tree, survey)
    events, notices = AuditEvent.objects.count(), Notice.objects.count()
    assert answering.submit_response(survey, actor=tree.worker, data=GOOD) is None  # into the pool
    assert not Response.objects.filter(survey=survey).exists() and distribution.tracking(survey)["submitted"] == 1
    assert pool.release_answers(survey) == 0  # fewer than a batch
    assert pool.release_answers(survey, force=True) == 1  # as when the survey closes
    response = Response.objects.get(survey=survey)
    assert (response.person_id, response.user_id, response.submitted_on, response.station_id) == (None, None, None, None)
    assert isinstance(response.pk, uuid.UUID) and response.pk.version == 4
    assert (AuditEvent.objects.count(), Notice.objects.count()) == (events, notices)
    assert Receipt.objects.filter(survey=survey).count() == 1
    with pytest.raises(IllegalTransition):
        answering.submit_response(survey, actor=tree.worker, data=GOOD)
    assert Response.objects.filter(survey=survey).count() == 1


def _all_rows():
    """Every row of every table of the project, as (table, {column: value})."""
    seen = set()
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table in seen:
            continue
        seen.add(table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            names = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                yield table, dict(zip(names, row, strict=True))


def _reference_columns(targets) -> dict[str, set[str]]:
    """Columns, by table, that hold a foreign key to one of the `targets` models."""
    out: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in targets:
                out.setdefault(model._meta.db_table, set()).add(field.column)
    return out


def links_between(answer, user, person) -> list:
    """Rows holding the answer (its response id, its answer rows, the marker text) that also name
    the person (a reference to the user or the person, the username or a name)."""
    from kejia.accounts.models import User
    from kejia.people.models import Person

    strong = (MARKER, answer.pk.hex, str(answer.pk))
    answer_ids = set(Answer.objects.filter(response=answer).values_list("pk", flat=True))
    person_texts = {user.username, user.display_name, person.name}
    user_refs = _reference_columns({User})
    person_refs = _reference_columns({Person})

    def names_person(table, row) -> bool:
        if any(row.get(col) == user.pk for col in user_refs.get(table, ())) or any(row.get(col) == person.pk for col in person_refs.get(table, ())):
            return True
        if table == User._meta.db_table and row.get("id") == user.pk or table == Person._meta.db_table and row.get("id") == person.pk:
            return True
        return any(isinstance(v, str) and any(t and t in v for t in person_texts) for v in row.values())

    def holds_answer(table, row) -> bool:
        if table == Answer._meta.db_table and row.get("id") in answer_ids:
            return True
        return any(any(m in (v.hex if isinstance(v, uuid.UUID) else str(v)) for m in strong) for v in row.values() if v is not None)

    return [(table, row) for table, row in _all_rows() if holds_answer(table, row) and names_person(table, row)]


FORM = {"q1": "0", "q2": "0", "q3": "4", "q4": ["0", "3"], "q5": "其他问题", "q6__0": "2", "q6__1": "1", "q7": MARKER}


def test_anonymous_answer_cannot_be_traced_to_the_person_in_any_table(tree, folks, client):
    """The worker saves a draft and submits through the page. Then every row of every table is
    read: no row holding the answer (the response id, its answer rows, the text) names the
    worker (user id, person id, username, names) — not even the session the database keeps."""
    survey = build_survey(tree, anonymous=True)
    invite(tree, survey)
    client.force_login(tree.worker)
    url = reverse("surveys:answer", args=[survey.pk])
    assert client.post(url, {**FORM, "action": "save"}).status_code == 302
    response = client.post(url, {**FORM, "action": "submit"})
    assert response.status_code == 302, response.content.decode()[:2000]
    waiting = list(_all_rows())
    assert not any(MARKER in str(v) for _table, row in waiting for v in row.values())  # sealed in the pool
    pool.release_answers(survey, force=True)
    answer = Response.objects.get(survey=survey, status=ResponseStatus.SUBMITTED)
    assert not Response.objects.filter(survey=survey, status=ResponseStatus.DRAFT).exists()
    assert links_between(answer, tree.worker, folks.worker) == []
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert not any(m in decoded for m in (MARKER, answer.pk.hex, str(answer.pk)))
    assert Receipt.objects.filter(survey=survey).count() == 1


def test_identified_answer_is_found_linked_by_the_same_search(tree, folks, client):
    """The positive control of the search above: an identified answer is linked to its person."""
    survey = build_survey(tree)
    invite(tree, survey)
    client.force_login(tree.worker)
    assert client.post(reverse("surveys:answer", args=[survey.pk]), {**FORM, "action": "submit"}).status_code == 302
    answer = Response.objects.get(survey=survey, status=ResponseStatus.SUBMITTED)
    assert {table for table, _row in links_between(answer, tree.worker, folks.worker)} >= {"surveys_response"}


def test_anonymous_draft_is_found_through_the_signed_cookie_only(tree, folks, client):
    survey = build_survey(tree, anonymous=True)
    invite(tree, survey)
    client.force_login(tree.worker)
    url = reverse("surveys:answer", args=[survey.pk])
    client.post(url, {"q1": "1", "q7": "草稿", "action": "save"})
    draft = Response.objects.get(survey=survey)
    assert (draft.user_id, draft.person_id, draft.draft) == (None, None, {"q1": 1, "q7": "草稿"})
    page = client.get(url)
    assert "草稿" in page.content.decode()
    other = client.__class__()
    other.force_login(folks.li_user)
    assert "草稿" not in other.get(url).content.decode()
