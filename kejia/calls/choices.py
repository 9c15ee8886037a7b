"""The states and named transitions of calls, applications and projects (seed 004: 申报 →
省级科协推荐 → 形式审查 → 专家评审 → 会评 → 公示 → 立项 → 首批拨付 → 中期评审 → 结项验收)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CallStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("call", "Draft")
    PUBLISHED = "published", pgettext_lazy("call", "Published")
    CLOSED = "closed", pgettext_lazy("call", "Closed")


class Eligibility(models.TextChoices):
    ORGANIZATIONS = "organizations", _("Organizations")
    INDIVIDUALS = "individuals", _("Individuals")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("application", "Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting recommendation")
    RETURNED = "returned", _("Returned for correction")
    RECOMMENDED = "recommended", _("Recommended, awaiting formal check")
    INADMISSIBLE = "inadmissible", _("Not accepted (formal check)")
    UNDER_REVIEW = "under_review", _("Under expert review")
    REVIEWED = "reviewed", _("Ranked at the review meeting")
    SELECTED = "selected", _("Selected, to be announced")
    NOT_SELECTED = "not_selected", _("Not selected")
    ANNOUNCED = "announced", _("Publicly announced")
    APPROVED = "approved", _("Approved as a project")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("Under way")
    MIDTERM_PASSED = "midterm_passed", _("Mid-term review passed")
    MIDTERM_FAILED = "midterm_failed", _("Mid-term review failed")
    CONCLUDED = "concluded", _("Concluded")
    NOT_CONCLUDED = "not_concluded", _("Not concluded")


class Gate(models.TextChoices):
    """What must have happened before a tranche may be paid (seed 004 一.4 and 二.2)."""

    APPROVAL = "approval", _("On approval")
    MIDTERM_PASSED = "midterm_passed", _("After the mid-term review is passed")
    CONCLUDED = "concluded", _("After final acceptance")


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RECOMMENDER = "recommender", _("Recommending organization")
    OWNER = "owner", _("Organization running the call")


class Transition(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    WITHDRAW = "withdraw", _("Withdraw")
    RECOMMEND = "recommend", _("Recommend")
    RETURN_TO_APPLICANT = "return_to_applicant", _("Return to the applicant")
    ACCEPT = "accept", _("Pass the formal check")
    RETURN_FOR_CORRECTION = "return_for_correction", _("Return for correction")
    REFUSE = "refuse", _("Refuse at the formal check")
    RANK = "rank", _("Rank at the review meeting")
    SELECT = "select", _("Select")
    REJECT = "reject", _("Do not select")
    ANNOUNCE = "announce", _("Announce publicly")
    UPHOLD_OBJECTION = "uphold_objection", _("Uphold an objection")
    APPROVE = "approve", _("Approve as a project")
    # project
    PASS_MIDTERM = "pass_midterm", _("Pass the mid-term review")
    FAIL_MIDTERM = "fail_midterm", _("Fail the mid-term review")
    CONCLUDE = "conclude", _("Pass final acceptance")
    REFUSE_CONCLUSION = "refuse_conclusion", _("Refuse final acceptance")


A = ApplicationStatus
P = ProjectStatus
# transition -> (states it may start from, state it ends in, roles allowed, reason required)
APPLICATION_TRANSITIONS: dict[str, tuple[frozenset[str], str, frozenset[str], bool]] = {
    Transition.SUBMIT: (frozenset({A.DRAFT, A.RETURNED}), A.SUBMITTED, frozenset({Role.APPLICANT}), False),
    Transition.WITHDRAW: (frozenset({A.DRAFT, A.SUBMITTED, A.RETURNED}), A.WITHDRAWN, frozenset({Role.APPLICANT}), False),
    Transition.RECOMMEND: (frozenset({A.SUBMITTED}), A.RECOMMENDED, frozenset({Role.RECOMMENDER}), False),
    Transition.RETURN_TO_APPLICANT: (frozenset({A.SUBMITTED}), A.RETURNED, frozenset({Role.RECOMMENDER}), True),
    Transition.ACCEPT: (frozenset({A.RECOMMENDED}), A.UNDER_REVIEW, frozenset({Role.OWNER}), False),
    Transition.RETURN_FOR_CORRECTION: (frozenset({A.RECOMMENDED}), A.RETURNED, frozenset({Role.OWNER}), True),
    Transition.REFUSE: (frozenset({A.RECOMMENDED}), A.INADMISSIBLE, frozenset({Role.OWNER}), True),
    Transition.RANK: (frozenset({A.UNDER_REVIEW}), A.REVIEWED, frozenset({Role.OWNER}), False),
    Transition.SELECT: (frozenset({A.REVIEWED}), A.SELECTED, frozenset({Role.OWNER}), False),
    Transition.REJECT: (frozenset({A.REVIEWED}), A.NOT_SELECTED, frozenset({Role.OWNER}), False),
    Transition.ANNOUNCE: (frozenset({A.SELECTED}), A.ANNOUNCED, frozenset({Role.OWNER}), False),
    Transition.UPHOLD_OBJECTION: (frozenset({A.ANNOUNCED}), A.NOT_SELECTED, frozenset({Role.OWNER}), True),
    Transition.APPROVE: (frozenset({A.ANNOUNCED}), A.APPROVED, frozenset({Role.OWNER}), False),
}
PROJECT_TRANSITIONS: dict[str, tuple[frozenset[str], str, frozenset[str], bool]] = {
    Transition.PASS_MIDTERM: (frozenset({P.ACTIVE}), P.MIDTERM_PASSED, frozenset({Role.OWNER}), False),
    Transition.FAIL_MIDTERM: (frozenset({P.ACTIVE}), P.MIDTERM_FAILED, frozenset({Role.OWNER}), True),
    Transition.CONCLUDE: (frozenset({P.MIDTERM_PASSED, P.MIDTERM_FAILED}), P.CONCLUDED, frozenset({Role.OWNER}), False),
    Transition.REFUSE_CONCLUSION: (frozenset({P.MIDTERM_PASSED, P.MIDTERM_FAILED}), P.NOT_CONCLUDED, frozenset({Role.OWNER}), True),
}
del A, P
