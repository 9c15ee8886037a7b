"""Demo data of calls for projects (`seed_demo` calls `seed_calls` once the province exists).

The reform-pilot call of seed 004 as the national association would run it, answered by the
demo province's cities through their provincial association, at every stage of its life:

- this year's call, still open: drafts, one returned by the province with its reason, one
  submitted and waiting for the province, two recommended and waiting for the formal check;
- an earlier call past its deadline and under expert review (one application refused at the
  formal check): reviewers from the talent database invited (one declined with a reason), the
  assignment run, scoring under way with some sheets in — the demo login `expert` is one of them;
- a call whose review meeting has ranked and selected its applications, announced publicly
  (公示) with one objection received and not yet handled;
- last year's call with its projects: one past the mid-term review with both tranches paid,
  one that failed it (尾款不予拨付), one concluded with its pilot report handed in.

Every step goes through kejia.calls.workflow with the simulated day passed as `now`, so the
data are what the services would have written; the transition log is then dated to those days.
Deterministic from `seed`; run once (an audit event marks it)."""

import datetime
import itertools
import random
import zoneinfo
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kejia.accounts.models import Role, RoleKind, User
from kejia.accounts.services import create_user, grant_role
from kejia.calls import services as calls
from kejia.calls import workflow
from kejia.calls.models import Application, ApplicationEvent, Call, Project
from kejia.core.audit import record_event
from kejia.core.models import AuditEvent
from kejia.demo.common import DEMO_PASSWORD
from kejia.organizations.kinds import OrgKind, OrgStatus
from kejia.organizations.models import Organization
from kejia.people.models import Person
from kejia.review import services as review
from kejia.review.models import Invitation, ScoreSheet
from kejia.review.scoring import ApplicationResult

SEED_ACTION = "calls.demo_seeded"
TEMPLATE = "local_reform_pilot"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NATIONAL_NAME = "中国科学技术协会"
OWNER_USERNAME = "cast_staff"
REVIEWER_USERNAME = "expert"
REVIEWERS = 10
COMMENTS = [
    "方案目标明确，任务分解具体，建议进一步细化考核指标。",
    "改革举措有一定创新性，工作基础较好，经费预算基本合理。",
    "可复制推广价值较强，建议加强与相关部门的协同。",
    "试点内容与申报方向契合，但进度安排略显紧张。",
]

# What each pilot direction of 附件1 四 looks like in a city's words.
PLANS = {
    "1": ("党建带群建与基层组织改革", "推动科协组织向乡镇（街道）、园区和企业延伸，建立“三长”进入基层科协工作机制"),
    "2": ("科技经济融合发展", "依托学会服务站和院士专家工作站，组织专家团队对接重点产业链企业技术需求"),
    "3": ("科技精准帮扶", "组织农技专家服务站和科技小院，开展特色农业技术服务和乡土人才培训"),
    "4": ("科技类公共服务产品供给", "建设科普资源共享平台，推动科普服务进社区、进学校、进园区"),
    "5": ("联系服务科技工作者方式改革", "建立科技工作者状况调查站点和线上服务平台，畅通建言反映渠道"),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "丽华", "志强", "海燕", "文斌", "晓东", "秀英", "国平", "雪梅", "立新", "春华", "明", "静", "伟", "芳"]
POSTS = ["党组书记、主席", "副主席", "秘书长", "学会部部长", "科普部部长", "办公室主任", "调研宣传部部长"]


def _day(today: datetime.date, offset: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(today + datetime.timedelta(days=offset), datetime.time(hour), tzinfo=SHANGHAI)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _person(rng: random.Random, unit: str) -> dict:
    year = rng.randint(1966, 1990)
    return {
        "name": _name(rng),
        "gender": rng.choice(["男", "女"]),
        "birth_month": f"{year}-{rng.randint(1, 12):02d}",
        "employer": unit,
        "position": rng.choice(POSTS),
    }


def _signoff(rng: random.Random, opinion: str, day: datetime.date) -> dict:
    return {"opinion": opinion, "name": _name(rng), "date": day.isoformat(), "seal": "/"}


def answers(rng: random.Random, *, city: Organization, province: Organization, topic: str, opened: datetime.date, complete: bool = True) -> dict:
    """The 申报书 of one city, every blank filled ("/" where there is nothing)."""
    area, measure = PLANS[topic]
    start = opened + datetime.timedelta(days=60)
    head = {
        "name": _name(rng),
        "mobile": f"139{rng.randint(10_000_000, 99_999_999)}",
        "email": f"kx{rng.randint(100, 999)}@example.cn",
        "address": f"{city.name}办公楼",
        "postcode": "/",
        "fax": "/",
        "office_phone": "/",
    }
    data = {
        "pilot_unit": city.name,
        "applicant_unit": province.name,
        "filled_month": opened.strftime("%Y-%m"),
        "pilot_unit_name": city.name,
        "pilot_period": {"start": start.strftime("%Y-%m"), "end": (start + datetime.timedelta(days=365)).strftime("%Y-%m")},
        "heads": [head, dict(head, name=_name(rng), mobile=f"138{rng.randint(10_000_000, 99_999_999)}")],
        "applicant_opinion": _signoff(rng, "同意推荐。", opened),
        "pilot_opinion": _signoff(rng, "情况属实，同意申报。", opened),
        "recommendation_reason": f"{city.name}在{area}方面基础扎实，市委重视，已形成初步经验，具备开展试点的条件。",
        "pilot_profile": f"{city.name}现有所属学会、基层科协组织和企业科协，专职工作人员配备齐全。",
        "reform_progress": f"近两年，{city.name}围绕{area}开展了调研，制定了工作方案，部分县（市、区）先行探索。",
        "highlights": "/" if rng.random() < 0.3 else f"{measure}，覆盖面逐年扩大。",
        "pilot_content": f"目的：探索{area}的有效路径。内容：{measure}。基础：已建立工作专班和联系制度。",
        "work_plan": "第一季度制定实施方案；第二、三季度全面推进并开展中期评估；第四季度总结提炼、形成试点报告。",
        "expected_results": "形成可复制可推广的制度创新成果一套、典型案例若干、地方科协改革试点报告一份。",
        "publicity_plan": "通过本地主流媒体和科协网站宣传试点进展，年底召开现场推进会。",
        "lead": [_person(rng, city.name)],
        "team": [_person(rng, city.name) for _ in range(rng.randint(3, 6))],
    }
    if not complete:
        for key in ("pilot_content", "work_plan", "expected_results", "publicity_plan", "team"):
            data.pop(key, None)
    return data


class _Cast:
    """The organizations and the people acting for them."""

    def __init__(self, actor, rng: random.Random) -> None:
        self.admin = actor
        self.province = Organization.objects.filter(kind=OrgKind.PROVINCIAL_ASSOCIATION, status=OrgStatus.ACTIVE).order_by("depth", "pk").first()
        cities = Organization.objects.filter(kind=OrgKind.MUNICIPAL_ASSOCIATION, parent=self.province, status=OrgStatus.ACTIVE)
        self.cities = list(cities.order_by("code", "pk"))
        rng.shuffle(self.cities)
        self.national, self.owner = self._national()
        self.province_staff = self._staff(self.province)

    def _national(self):
        national = Organization.objects.filter(kind=OrgKind.NATIONAL_ASSOCIATION, parent__isnull=True).first()
        if national is None:
            from kejia.organizations.services import create_organization

            national = create_organization(actor=self.admin, parent=None, name=NATIONAL_NAME, code="CAST", kind=OrgKind.NATIONAL_ASSOCIATION)
        owner = User.objects.filter(username=OWNER_USERNAME).first()
        if owner is None:
            owner = create_user(actor=self.admin, username=OWNER_USERNAME, password=None, display_name="项目管理处", check_password=False)
            owner.password = make_password(DEMO_PASSWORD)
            owner.save(update_fields=["password"])
        grant_role(owner, actor=self.admin, organization=national, kind=RoleKind.STAFF, title="项目管理处")
        return national, owner

    def _staff(self, organization: Organization) -> User:
        """A managing member of the organization's own staff (the demo's, or one made for the demo)."""
        role = Role.objects.filter(organization=organization, kind__in=(RoleKind.STAFF, RoleKind.ADMIN)).select_related("user").order_by("pk").first()
        if role is not None:
            return role.user
        name = f"{organization.name}办公室"
        user = create_user(actor=self.admin, username=f"calls_demo_{organization.pk}", password=None, display_name=name, check_password=False)
        grant_role(user, actor=self.admin, organization=organization, kind=RoleKind.STAFF)
        return user


def _dated(application: Application, when: datetime.datetime) -> None:
    """Date the newest log line of the application to the simulated moment it happened."""
    last = ApplicationEvent.objects.filter(application=application).order_by("-pk").first()
    if last is not None:
        ApplicationEvent.objects.filter(pk=last.pk).update(created_at=when)


class _Builder:
    def __init__(self, cast: _Cast, rng: random.Random, today: datetime.date) -> None:
        self.cast, self.rng, self.today = cast, rng, today
        self.cities = itertools.cycle(cast.cities)
        self.counts = {"calls": 0, "applications": 0, "projects": 0, "payments": 0}
        self.staff: dict[int, User] = {}  # application id -> who acts for its applicant

    def call(self, title: str, *, deadline_offset: int, budget: str = "4000000") -> Call:
        deadline = _day(self.today, deadline_offset, 17).replace(minute=0)
        call = calls.create_call_from_template(
            self.cast.national, actor=self.cast.owner, template=TEMPLATE, deadline=deadline, title=title, budget=budget, quota_per_recommender=6
        )
        self.counts["calls"] += 1
        return calls.publish_call(call, actor=self.cast.owner)

    def draft(self, call: Call, *, day: datetime.datetime, complete: bool = True) -> Application:
        city = next(self.cities)
        staff = self.cast._staff(city)
        topic = self.rng.choice(sorted(PLANS))
        application = calls.create_application(call, actor=staff, applicant=city, title=f"{city.name}{PLANS[topic][0]}改革试点", topic=topic, now=day)
        data = answers(self.rng, city=city, province=self.cast.province, topic=topic, opened=day.date(), complete=complete)
        amount = Decimal(self.rng.choice([300000, 350000, 380000, 400000]))
        application = calls.save_draft(application, actor=staff, data=data, requested_amount=amount, now=day)
        self.staff[application.pk] = staff
        self.counts["applications"] += 1
        return application

    def submitted(self, call: Call, day: datetime.datetime) -> Application:
        application = self.draft(call, day=day)
        application = workflow.submit_application(application, actor=self.staff[application.pk], attest=True, now=day)
        _dated(application, day)
        return application

    def recommended(self, call: Call, day: datetime.datetime) -> Application:
        application = self.submitted(call, day)
        later = day + datetime.timedelta(days=2)
        application = workflow.recommend_application(application, actor=self.cast.province_staff, reason="经审核，同意推荐。", now=later)
        _dated(application, later)
        return application

    def under_review(self, call: Call, day: datetime.datetime, after: datetime.datetime) -> Application:
        application = workflow.accept_application(self.recommended(call, day), actor=self.cast.owner)
        _dated(application, after)
        return application

    def rank(self, call: Call, applications: list[Application], day: datetime.datetime) -> list[Application]:
        """The review meeting's ranking (scores as the panel gave them) and the selection."""
        scored = sorted(((round(self.rng.uniform(68, 93), 1), a) for a in applications), key=lambda p: (-p[0], p[1].pk))
        results = [ApplicationResult(application=a.pk, reviews=5, raw_mean=s, normalised_mean=0.0, spread=0.0, disagreement=False) for s, a in scored]
        minutes = "会评专家组听取了各试点单位的汇报，经讨论和记名投票，按得分排序推荐立项。"
        ranked = workflow.record_review_meeting(call, actor=self.cast.owner, minutes=minutes, results=results)
        for application in ranked:
            _dated(application, day)
        return ranked


def _project_history(builder: _Builder, project: Project, outcome: str, today: datetime.date) -> None:
    """Payments and reviews of a project approved about a year ago."""
    owner = builder.cast.owner
    workflow.record_payment(
        project,
        actor=owner,
        tranche=1,
        amount=project.tranches[0]["amount"],
        paid_on=project.starts_on + datetime.timedelta(days=20),
        voucher=f"KX{project.starts_on:%Y}-{project.pk:04d}-1",
    )
    builder.counts["payments"] += 1
    midterm = _day(project.starts_on, 180)
    if outcome == "midterm_failed":
        workflow.fail_midterm(project, actor=owner, reason="中期评估发现试点任务进度严重滞后，经费使用不规范，尾款不予拨付。")
        _dated(project.application, midterm)
        return
    workflow.pass_midterm(project, actor=owner)
    _dated(project.application, midterm)
    workflow.record_payment(
        project,
        actor=owner,
        tranche=2,
        amount=project.tranches[1]["amount"],
        paid_on=midterm.date() + datetime.timedelta(days=15),
        voucher=f"KX{project.starts_on:%Y}-{project.pk:04d}-2",
    )
    builder.counts["payments"] += 1
    if outcome == "concluded":
        staff = builder.staff[project.application_id]
        city = project.application.applicant.name
        workflow.submit_deliverable(
            project,
            actor=staff,
            title=f"{city}深化改革试点工作报告",
            note=f"{city}围绕试点方向形成的制度创新成果、典型案例和试点报告。",
        )
        workflow.conclude_project(project, actor=owner)
        _dated(project.application, _day(today, -5))


@transaction.atomic
def seed_calls(*, seed: int, actor) -> dict[str, int]:
    """The demo calls and their applications at every stage (once; {} when already there)."""
    if actor is None or AuditEvent.objects.filter(action=SEED_ACTION).exists():
        return {}
    rng = random.Random(seed * 7919 + 4)
    cast = _Cast(actor, rng)
    if cast.province is None or not cast.cities:
        return {}
    calls.install_form(TEMPLATE)
    today = timezone.localdate()
    b = _Builder(cast, rng, today)
    year = today.year

    # 1. Open now: drafts, returned, waiting for the province, recommended.
    open_call = b.call(f"{year + 1}年度地方科协深化改革工作试点", deadline_offset=30)
    b.draft(open_call, day=_day(today, -6), complete=False)
    b.draft(open_call, day=_day(today, -3))
    returned = b.submitted(open_call, _day(today, -5))
    workflow.return_to_applicant(returned, actor=cast.province_staff, reason="“亮点与主要成效”未填写具体数据，请补充后重新提交。")
    _dated(returned, _day(today, -4))
    b.submitted(open_call, _day(today, -2))
    b.recommended(open_call, _day(today, -8))
    b.recommended(open_call, _day(today, -7))

    # 2. Past its deadline, under expert review; one refused at the formal check.
    review_call = b.call(f"{year}年度地方科协深化改革工作试点（第二批）", deadline_offset=-20)
    opened = -45
    for i in range(4):
        b.under_review(review_call, _day(today, opened + i), _day(today, -15))
    refused = b.recommended(review_call, _day(today, opened + 5))
    workflow.refuse_application(refused, actor=cast.owner, reason="试点单位为县级科协，不在本次申报范围内。")
    _dated(refused, _day(today, -15))
    for application in Application.objects.filter(call=review_call):
        _backdate_submission(application, _day(today, opened))
    calls.close_call(review_call, actor=cast.owner)
    reviewers = _review(b, review_call, today)

    # 3. Ranked, selected and announced: one objection received, not yet handled.
    announced_call = b.call(f"{year}年度地方科协深化改革工作试点（第一批）", deadline_offset=-75)
    batch = [b.under_review(announced_call, _day(today, -100 + i), _day(today, -70)) for i in range(4)]
    ranked = b.rank(announced_call, batch, _day(today, -10))
    for application in ranked[:3]:
        workflow.select_application(application, actor=cast.owner)
        _dated(application, _day(today, -9))
        workflow.announce_application(application, actor=cast.owner, now=_day(today, -2))
        _dated(application, _day(today, -2))
    workflow.reject_application(ranked[3], actor=cast.owner, reason="得分未进入本批立项名额。")
    _dated(ranked[3], _day(today, -9))
    workflow.record_objection(
        ranked[0], actor=cast.owner, text="来信反映该试点申报材料中“亮点与主要成效”所列数据与当地统计公报不一致，请核实。", now=_day(today, -1)
    )
    calls.close_call(announced_call, actor=cast.owner)

    # 4. Last year's call: approved projects through the mid-term review and final acceptance.
    past_call = b.call(f"{year - 1}年度地方科协深化改革工作试点", deadline_offset=-420)
    batch = [b.under_review(past_call, _day(today, -450 + i), _day(today, -415)) for i in range(3)]
    ranked = b.rank(past_call, batch, _day(today, -405))
    for application, outcome in zip(ranked, ("concluded", "midterm_passed", "midterm_failed"), strict=True):
        workflow.select_application(application, actor=cast.owner)
        workflow.announce_application(application, actor=cast.owner, now=_day(today, -400))
        project = workflow.approve_application(
            application, actor=cast.owner, amount=application.requested_amount, starts_on=(today - datetime.timedelta(days=390)), now=_day(today, -392)
        )
        _dated(application, _day(today, -392))
        b.counts["projects"] += 1
        _project_history(b, project, outcome, today)
    calls.close_call(past_call, actor=cast.owner)

    record_event(
        actor=actor,
        action=SEED_ACTION,
        obj=cast.national,
        organization=cast.national,
        new={
            "users": [{"username": OWNER_USERNAME, "role": RoleKind.STAFF, "title": "项目管理处", "organization": cast.national.name}, *reviewers],
            **b.counts,
        },
    )
    return b.counts


def _review(builder: _Builder, call: Call, today: datetime.date) -> list[dict]:
    """The expert review of a call, half way: people of the talent database who agreed to review
    (the first of them the demo login `expert`), invited, one declining; the assignment run by the
    engine; scoring under way, about half of the sheets submitted. Returns the login to list."""
    from kejia.calls import reviewing

    owner, rng = builder.cast.owner, builder.rng
    people = list(Person.objects.filter(user__isnull=True).exclude(name="").order_by("pk")[: REVIEWERS + 1])
    if len(people) < 5:
        return []
    users = []
    for index, person in enumerate(people):
        username = REVIEWER_USERNAME if index == 0 else f"review_demo_{index:02d}"
        user = create_user(actor=builder.cast.admin, username=username, password=None, display_name=person.name, check_password=False)
        users.append(user)
        # The demo links the accounts directly (as if each had linked with a code long ago).
        Person.objects.filter(pk=person.pk).update(user=user, willing_to_review=True)
    User.objects.filter(pk=users[0].pk).update(password=make_password(DEMO_PASSWORD))
    people = list(Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))
    round_ = reviewing.open_review(call, actor=owner, per_item=3, max_load=3, min_load=1, score_deadline=_day(today, 10, 18))
    for person in people:
        review.invite(round_, person, actor=owner)
    for invitation in Invitation.objects.filter(round=round_).select_related("person__user").order_by("person_id"):
        declines = invitation.person_id == people[-1].pk
        review.respond(invitation, actor=invitation.person.user, accept=not declines, reason="本人近期出国访学，时间无法保证。" if declines else "")
    review.run_assignment(round_, actor=owner)
    review.start_scoring(round_, actor=owner)
    criteria = {c["code"]: float(c.get("max_score", 10)) for c in round_.criteria}
    sheets = list(ScoreSheet.objects.filter(assignment__round=round_).select_related("assignment__person__user").order_by("pk"))
    for sheet in sheets:
        if sheet.assignment.person_id == people[0].pk or rng.random() < 0.45:
            continue  # the demo login's sheets wait for them; about half of the others too
        quality = rng.uniform(0.65, 0.95)
        scores = {code: round(min(1.0, max(0.3, quality + rng.uniform(-0.08, 0.08))) * top, 1) for code, top in criteria.items()}
        review.save_sheet(sheet, actor=sheet.assignment.person.user, scores=scores, comments=rng.choice(COMMENTS), submit=True)
    return [{"username": REVIEWER_USERNAME, "role": "reviewer", "title": "", "organization": people[0].employer_name or ""}]


def _backdate_submission(application: Application, when: datetime.datetime) -> None:
    if application.submitted_at:
        Application.objects.filter(pk=application.pk).update(submitted_at=when, attested_at=when)
