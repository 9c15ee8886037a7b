"""Scope: the owner's staff manage the call, the recommending association sees its subtree's
submitted applications, an applicant sees its own; the rest is not found."""

import pytest

from kejia.calls import selectors, workflow
from kejia.calls.services import create_application, publish_call
from kejia.calls.tests.conftest import BEFORE
from kejia.core.errors import NotFound


def test_visible_applications_draft_only_to_its_applicant(calls, draft):
    assert list(selectors.visible_applications(calls.applicant)) == [draft]
    for outsider in (calls.owner, calls.recommender, calls.t.wx_staff, calls.t.county_staff, calls.t.worker):
        assert not selectors.visible_applications(outsider).exists()


def test_visible_applications_after_submission(calls, draft):
    workflow.submit_application(draft, actor=calls.applicant, attest=True, now=BEFORE)
    assert list(selectors.visible_applications(calls.recommender)) == [draft]
    assert list(selectors.visible_applications(calls.owner)) == [draft]  # the owner sees it from submission on
    assert list(selectors.visible_applications(calls.t.platform)) == [draft]
    for outsider in (calls.t.wx_staff, calls.t.county_staff, calls.t.society_secretary, calls.t.worker):
        assert not selectors.visible_applications(outsider).exists()
        with pytest.raises(NotFound):
            selectors.get_application(draft.pk, outsider)


def test_visible_applications_sibling_city_does_not_see(calls, draft):
    from kejia.calls.services import save_draft
    from kejia.calls.tests.conftest import complete_answers

    wx = create_application(calls.call, actor=calls.t.wx_staff, applicant=calls.t.wx, now=BEFORE)
    save_draft(wx, actor=calls.t.wx_staff, data=complete_answers(), now=BEFORE)
    workflow.submit_application(wx, actor=calls.t.wx_staff, attest=True, now=BEFORE)
    workflow.submit_application(draft, actor=calls.applicant, attest=True, now=BEFORE)
    assert list(selectors.visible_applications(calls.t.wx_staff)) == [wx]
    assert list(selectors.visible_applications(calls.applicant)) == [draft]
    assert set(selectors.visible_applications(calls.recommender)) == {wx, draft}


def test_visible_calls_drafts_only_to_the_owner(calls):
    from kejia.calls.services import create_call_from_template
    from kejia.calls.tests.conftest import DEADLINE

    hidden = create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE)
    assert set(selectors.visible_calls(calls.owner)) == {calls.call, hidden}
    assert list(selectors.visible_calls(calls.t.worker)) == [calls.call]
    assert list(selectors.managed_calls(calls.t.province_staff)) == []
    with pytest.raises(NotFound):
        selectors.get_call(hidden.pk, calls.t.nj_staff)
    publish_call(hidden, actor=calls.owner)
    assert selectors.get_call(hidden.pk, calls.t.nj_staff) == hidden


def test_create_application_only_in_the_name_of_ones_own_organization(calls):
    from kejia.core.errors import DomainError, PermissionDenied

    with pytest.raises(PermissionDenied):  # a provincial role does not act for the city
        create_application(calls.call, actor=calls.recommender, applicant=calls.t.nj, now=BEFORE)
    with pytest.raises(DomainError) as caught:  # a county association is not eligible
        create_application(calls.call, actor=calls.t.county_staff, applicant=calls.t.xw, now=BEFORE)
    assert caught.value.code == "not_eligible"


def test_visible_projects_follow_the_application(calls, draft):
    assert not selectors.visible_projects(calls.t.wx_staff).exists()
    assert not selectors.visible_projects(calls.applicant).exists()
