"""A new application starts with the units and people the tree and the talent database know."""

import datetime

import pytest

from kejia.calls import forms_spec, prefill
from kejia.calls.tests.conftest import BEFORE
from kejia.core.errors import DomainError


@pytest.fixture
def leaders(calls):
    from kejia.accounts.services import create_user, grant_role
    from kejia.people.models import Person

    t = calls.t
    head_js = create_user(actor=t.platform, username="js_head", password=t.password, display_name="省科协主席", check_password=False)
    grant_role(head_js, actor=t.platform, organization=t.js, kind="leader", title="主席")
    head_nj = create_user(actor=t.platform, username="nj_head", password=t.password, display_name="账号名", check_password=False)
    grant_role(head_nj, actor=t.platform, organization=t.nj, kind="leader", title="党组书记、主席")
    Person.objects.create(name="周建国", gender="M", birth_date=datetime.date(1970, 3, 9), user=head_nj)
    return calls


def test_new_application_starts_with_units_people_and_month(leaders):
    from kejia.calls.services import create_application

    c = leaders
    application = create_application(c.call, actor=c.applicant, applicant=c.t.nj, title="试点", topic="1", now=BEFORE)
    data = application.data
    assert data["pilot_unit"] == data["pilot_unit_name"] == "南京市科学技术协会"
    assert data["applicant_unit"] == "江苏省科学技术协会"  # 申报单位: the province recommends and declares
    assert forms_spec.MONTH.match(data["filled_month"])
    # Row 1: the declaring unit's head, row 2: the pilot unit's; the profile wins over the account name.
    assert [row["name"] for row in data["heads"]] == ["省科协主席", "周建国"]
    assert data["lead"] == [{"name": "周建国", "gender": "男", "birth_month": "1970-03", "employer": "南京市科学技术协会", "position": "党组书记、主席"}]
    assert {row["name"] for row in data["team"]} >= {"nj_staff"}
    # Contact details are personal information: never prefilled.
    assert all(not row.get("mobile") and not row.get("email") for row in data["heads"])


def test_prefilled_answers_stay_editable(leaders):
    from kejia.calls.services import create_application, save_draft

    c = leaders
    application = create_application(c.call, actor=c.applicant, applicant=c.t.nj, title="试点", topic="1", now=BEFORE)
    data = dict(application.data, pilot_unit_name="南京市江北新区科协")
    assert save_draft(application, actor=c.applicant, data=data, now=BEFORE).data["pilot_unit_name"] == "南京市江北新区科协"


def test_unknown_prefill_source_is_refused():
    spec = {"sections": [{"key": "s", "title": "S", "fields": [{"key": "a", "type": "short_text", "label": "A", "prefill": "people.phones"}]}]}
    with pytest.raises(DomainError) as refused:
        forms_spec.check_spec(spec)
    assert refused.value.field == "a"


def test_every_source_is_known_to_the_spec():
    assert set(forms_spec.PREFILL_SOURCES) >= {"applicant.name", "people.heads"}
    assert prefill.GENDER["F"] == "女"


@pytest.fixture
def open_draft(draft):
    """The draft, its call's deadline moved ahead so pages may save it now."""
    from django.utils import timezone

    from kejia.calls.models import Application, Call

    Call.objects.filter(pk=draft.call_id).update(deadline=timezone.now() + datetime.timedelta(days=10))
    return Application.objects.get(pk=draft.pk)


def _post(client, application, **extra):
    data = {"title": "南京市科协改革试点", "f-pilot_unit": "南京市科学技术协会", "version": application.updated_at.isoformat(), "action": "save"}
    data.update(extra)
    return client.post(f"/calls/applications/{application.pk}/", data, **({"HTTP_HX_REQUEST": "true"} if data["action"] == "autosave" else {}))


def test_autosave_saves_as_you_type_and_moves_the_version(open_draft, client, calls):
    draft = open_draft
    client.force_login(calls.applicant)
    answer = _post(client, draft, action="autosave", **{"f-pilot_content": "新的内容"})
    assert answer.status_code == 200
    draft.refresh_from_db()
    assert draft.data["pilot_content"] == "新的内容"
    assert 'hx-swap-oob="true"' in answer.content.decode() and draft.updated_at.isoformat() in answer.content.decode()


def test_a_save_over_someone_elses_newer_one_is_refused(open_draft, client, calls):
    from kejia.calls.services import save_draft

    draft = open_draft
    stale = draft.updated_at
    save_draft(draft, actor=calls.t.nj_admin, data=dict(draft.data, pilot_content="同事的修改"))  # a colleague of the unit
    client.force_login(calls.applicant)
    draft.updated_at = stale  # the page this editor opened before the colleague saved
    answer = _post(client, draft, action="autosave", **{"f-pilot_content": "我的修改"})
    assert answer.status_code == 200 and "hx-swap-oob" not in answer.content.decode()
    page = _post(client, draft, **{"f-pilot_content": "我的修改"})
    assert page.status_code == 409 and "我的修改" in page.content.decode()  # kept on the page, not lost
    draft.refresh_from_db()
    assert draft.data["pilot_content"] == "同事的修改"


def test_ones_own_automatic_save_never_blocks_ones_save(open_draft, client, calls):
    client.force_login(calls.applicant)
    _post(client, open_draft, action="autosave", **{"f-pilot_content": "先自动保存"})
    page = _post(client, open_draft, **{"f-pilot_content": "再手动保存"})  # still the page's first version
    assert page.status_code == 302
    open_draft.refresh_from_db()
    assert open_draft.data["pilot_content"] == "再手动保存"
