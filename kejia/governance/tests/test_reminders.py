"""Term-change reminders (督促按时换届): the service through the command and the task; once per
planned end, a due or an overdue subject, to the organization's staff and administrators only,
nothing for terms ending later, and a new term is reminded of afresh."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import translation

from kejia.accounts.services import grant_role
from kejia.core.models import Notice
from kejia.governance import services

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def council(tree):
    """The society's council, term 2024–2029 (planned end 2029-01-01)."""
    body = services.create_body(tree.soc, actor=tree.society_secretary, kind="council", name="第八届理事会")
    services.start_term(body, actor=tree.society_secretary, start=D(2024, 1, 1))
    return body


@pytest.fixture
def soc_admin(tree):
    from kejia.accounts.services import create_user

    user = create_user(actor=tree.platform, username="soc_admin", password=tree.password, display_name="soc_admin", check_password=False)
    grant_role(user, actor=tree.platform, organization=tree.soc, kind="admin")
    return user


def reminders():
    return list(Notice.objects.filter(kind="term_reminder").order_by("id"))


def test_send_term_reminders_nothing_for_terms_ending_later(tree, council):
    assert services.send_term_reminders(today=D(2028, 10, 2), within_days=90) == 0  # 91 days before the end
    assert reminders() == []


def test_send_term_reminders_due_to_staff_and_admins_once(tree, council, soc_admin):
    grant_role(tree.worker, actor=tree.platform, organization=tree.soc, kind="leader")
    assert services.send_term_reminders(today=D(2028, 10, 3), within_days=90) == 1
    notices = reminders()
    assert {n.user_id for n in notices} == {tree.society_secretary.pk, soc_admin.pk}  # not the leader, not the province
    assert all(n.subject == "Term change due: 第八届理事会" and "2029-01-01" in n.body for n in notices)
    assert notices[0].link == f"/governance/bodies/{council.pk}/"
    # Once per planned end, also when it later becomes overdue.
    assert services.send_term_reminders(today=D(2028, 10, 4)) == 0
    assert services.send_term_reminders(today=D(2029, 3, 1)) == 0
    assert len(reminders()) == 2


def test_send_term_reminders_overdue_subject(tree):
    body = services.create_body(tree.xw, actor=tree.county_staff, kind="committee", name="玄武区科协委员会")
    services.start_term(body, actor=tree.county_staff, start=D(2019, 6, 1))
    assert services.send_term_reminders(today=tree.today) == 1
    [notice] = reminders()
    assert notice.user_id == tree.county_staff.pk and notice.subject == "Overdue term change: 玄武区科协委员会"


def test_send_term_reminders_ended_term_is_not_reminded(tree, council):
    term = council.terms.get()
    services.end_term(term, actor=tree.society_secretary, actual_end=D(2028, 6, 1))
    assert services.send_term_reminders(today=D(2028, 12, 1)) == 0


def test_send_term_reminders_new_term_resets(tree, council):
    assert services.send_term_reminders(today=D(2028, 12, 1)) == 1
    services.start_term(council, actor=tree.society_secretary, start=D(2028, 12, 20))  # planned end 2033-12-20
    assert services.send_term_reminders(today=D(2028, 12, 21)) == 0
    assert services.send_term_reminders(today=D(2033, 11, 1)) == 1
    assert [n.subject for n in reminders()] == ["Term change due: 第八届理事会"] * 2
    assert "2033-12-20" in reminders()[-1].body


def test_term_reminders_command(tree, council, capsys):
    call_command("term_reminders", "--today", "2028-09-01", "--within-days", "200", "--json")
    assert '"reminded": 1' in capsys.readouterr().out
    call_command("term_reminders", "--today", "2028-09-02")
    assert "reminded: 0" in capsys.readouterr().out


def test_term_reminders_command_bad_date(tree):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("term_reminders", "--today", "2028-13-01")


def test_term_reminders_task(tree, council):
    from kejia.governance.tasks import term_reminders_task

    assert term_reminders_task.enqueue("2028-12-01").return_value == 1
    assert term_reminders_task.enqueue("2028-12-02", 90).return_value == 0
