"""The volunteering demo: made once, deterministic, consistent with the rules of the services."""

from decimal import Decimal

from django.db.models import Sum

from kejia.core.models import AuditEvent
from kejia.demo.volunteering import seed_volunteering
from kejia.volunteering import selectors, services
from kejia.volunteering.choices import MAX_HOURS_PER_DAY
from kejia.volunteering.models import ServiceDemand, ServiceHours, ServiceRecord, TeamMember
from kejia.volunteering.tests.conftest import make_person


def test_seed_volunteering_once_with_the_worker_in_two_teams(tree):
    services.create_team(tree.xw, actor=tree.platform, name="玄武区志愿服务队", code="D-XW")
    services.create_team(tree.soc, actor=tree.platform, name="学会志愿服务队", code="D-SOC")
    worker = make_person(tree, tree.xw, "王志愿", user=tree.worker)
    for i in range(12):
        make_person(tree, tree.xw if i % 2 else tree.soc, f"志愿者{i}")
    made = seed_volunteering(seed=7, actor=tree.platform)
    assert made["members"] >= 8 and made["services"] > 0 and made["demands"] >= 0
    assert seed_volunteering(seed=7, actor=tree.platform) == {}
    assert AuditEvent.objects.filter(action="volunteering.demo_seeded").count() == 1
    assert TeamMember.objects.filter(person=worker).count() == 2
    assert selectors.hours_of_person(worker) > Decimal("0")
    per_day = ServiceHours.objects.values("person_id", "record__date").annotate(total=Sum("hours")).order_by("-total").first()
    assert per_day["total"] <= MAX_HOURS_PER_DAY
    for record in ServiceRecord.objects.all():
        for row in record.hours.all():
            member = TeamMember.objects.get(team=record.team, person=row.person)
            assert member.joined_on <= record.date and (member.left_on is None or member.left_on >= record.date)
    for demand in ServiceDemand.objects.exclude(team=None):
        assert demand.team.path.startswith(demand.reach_path)
