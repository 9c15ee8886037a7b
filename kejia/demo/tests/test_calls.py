"""The demo calls: every stage of seed 004's life cycle, written through the workflow, once."""

from collections import Counter

from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.choices import ProjectStatus as P
from kejia.calls.models import Application, ApplicationEvent, Call, Objection, Project
from kejia.core.models import AuditEvent
from kejia.demo.calls import seed_calls


def test_seed_calls_covers_every_stage_once(tree):
    made = seed_calls(seed=3, actor=tree.platform)
    assert made == {"calls": 4, "applications": 18, "projects": 3, "payments": 5}
    statuses = Counter(Application.objects.values_list("status", flat=True))
    for status in (S.DRAFT, S.RETURNED, S.SUBMITTED, S.RECOMMENDED, S.UNDER_REVIEW, S.INADMISSIBLE, S.ANNOUNCED, S.NOT_SELECTED, S.APPROVED):
        assert statuses[status] > 0, status
    assert set(Project.objects.values_list("status", flat=True)) == {P.CONCLUDED, P.MIDTERM_PASSED, P.MIDTERM_FAILED}
    failed = Project.objects.get(status=P.MIDTERM_FAILED)
    assert failed.payments.count() == 1 and failed.last_reason  # 尾款不予拨付
    concluded = Project.objects.get(status=P.CONCLUDED)
    assert concluded.deliverables.exists() and concluded.payments.count() == 2
    assert Objection.objects.filter(handled_at__isnull=True).count() == 1
    # Reasons are kept where the seed asks for them; the log is dated in the past, not all "now".
    assert Application.objects.get(status=S.RETURNED).last_reason
    assert ApplicationEvent.objects.dates("created_at", "day").count() > 5
    assert Call.objects.filter(status="published").count() == 1
    assert AuditEvent.objects.filter(action="calls.demo_seeded").count() == 1
    assert seed_calls(seed=3, actor=tree.platform) == {}


def test_seed_calls_owner_is_the_national_association(tree):
    seed_calls(seed=5, actor=tree.platform)
    owners = set(Call.objects.values_list("owner__kind", flat=True))
    assert owners == {"national_assoc"}
    assert not Application.objects.exclude(applicant__kind="municipal_assoc").exists()
    assert set(Application.objects.exclude(recommender=None).values_list("recommender__code", flat=True)) == {"JS"}


def test_seed_calls_reviews_one_call_half_way(tree):
    """With people in the talent database, the call under review has a round being scored."""
    from kejia.people.models import Person
    from kejia.review.models import Invitation, ReviewRound, ScoreSheet

    for i in range(8):
        Person.objects.create(name=f"专家{i}", employer_name=f"东南大学{i}系")
    seed_calls(seed=3, actor=tree.platform)
    round_ = ReviewRound.objects.get()
    assert round_.status == "scoring" and round_.items.count() == 4
    assert Invitation.objects.filter(round=round_, status="declined").exclude(reason="").count() == 1
    sheets = ScoreSheet.objects.filter(assignment__round=round_)
    assert sheets.count() == 4 * 3 and 0 < sheets.filter(submitted_at__isnull=False).count() < sheets.count()
    expert = Person.objects.get(user__username="expert")
    # Every reviewer who accepted has something to score (the demo login too); theirs wait for them.
    assert sheets.filter(assignment__person=expert).exists()
    assert expert.willing_to_review and not sheets.filter(assignment__person=expert, submitted_at__isnull=False).exists()
