"""Demo surveys (`seed_demo` calls `seed_surveys` once people and memberships exist).

The provincial association gets the two shipped surveys: the status survey of S&T workers
(identified, period 2026, open, addressed to the people of the province, some answers entered by
survey stations) and the evaluation of its municipal associations (anonymous, with its own
sector, age and region questions), closed for 2025 and open for 2026, so that the index compares
sibling associations and shows a trend. A few thousand answers in all, drawn deterministically
from the seed; written in bulk with one audit event. The demo's "today" is `ANCHOR`. If the demo
user `worker` is linked to a person, that person is invited to the status survey and has not
answered it (one survey waiting).

`StatusAnswerer` is reused by bench/survey_results.py to write 100 000 status answers."""

import datetime
import random
import uuid
from typing import Any

from django.db import transaction

from kejia.demo.common import ANCHOR
from kejia.organizations.kinds import OrgKind, OrgStatus
from kejia.organizations.models import Organization
from kejia.reference.models import Region
from kejia.surveys import questions as qlib
from kejia.surveys.choices import Channel, ResponseStatus, SurveyStatus, TargetKind
from kejia.surveys.models import Answer, Invitation, Response, Survey, SurveyVersion, Target
from kejia.surveys.templates_data import SECTOR_VALUES, TEMPLATES, build_questions, region_options

SEED_ACTION = "surveys.demo_seeded"
STATUS_SHARE = 0.5  # share of the invited people who answered the status survey
STATION_SHARE = 0.15  # share of those answers entered at a survey station
EVALUATION_ANSWERS = {"2025": 1100, "2026": 1300}
TITLE_INDEX = {"senior": 0, "vice_senior": 1, "intermediate": 2, "junior": 3, "none": 4}
SUGGESTIONS = (
    "希望多组织学术交流活动，特别是面向青年科技工作者的。",
    "建议简化科研项目报销流程。",
    "希望科协加强对基层科技人员的联系和服务。",
    "职称评审应更看重实际贡献。",
    "希望提供更多科普志愿服务机会。",
    "建议建立科技工作者意见反映的快速通道。",
)
OTHER_CONCERNS = ("科研项目申报渠道少", "继续教育机会不足", "跨单位合作困难")


def age_band(birth: datetime.date | None, today: datetime.date) -> int | None:
    if birth is None:
        return None
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return 0 if age < 35 else 1 if age < 45 else 2 if age < 55 else 3


def random_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class StatusAnswerer:
    """Plausible answers to the status survey from a profile (sector, birth date, city index,
    title level); they respect the conditions (`validate_submission` accepts them)."""

    def __init__(self, rng: random.Random, questions: list[dict], today: datetime.date = ANCHOR):
        self.rng, self.today = rng, today
        self.questions = questions
        self.cities = len(questions[2]["options"])

    def answers(self, sector: str, birth: datetime.date | None, city: int | None, title_level: str) -> dict[str, Any]:
        rng = self.rng
        title = TITLE_INDEX.get(title_level, 4)
        band = age_band(birth, self.today)
        research = rng.random() < (0.85 if sector in ("university", "research_institute") else 0.4)
        out: dict[str, Any] = {
            "q1": SECTOR_VALUES.index(sector) if sector in SECTOR_VALUES else len(SECTOR_VALUES) - 1,
            "q2": band if band is not None else rng.randrange(4),
            "q3": city if city is not None else rng.randrange(self.cities),
            "q4": title,
            "q5": rng.choices(range(4), (20, 45, 25, 10))[0],
            "q6": rng.choices(range(1, 6), (4, 10, 30, 38, 18))[0],
            "q7": min(4, max(0, rng.choices(range(5), (25, 38, 22, 11, 4))[0] + (1 if title <= 1 else 0))),
            "q8": rng.choices(range(4), (12, 40, 38, 10))[0],
            "q9": 0 if research else 1,
        }
        if research:
            out["q10"] = rng.choices(range(1, 6), (12, 25, 33, 22, 8))[0]
            out["q11"] = {r: rng.choices(range(5), (5, 15, 35, 32, 13))[0] for r in range(5)}
            out["q12"] = sorted(rng.sample(range(6), rng.randint(1, 3)))
        concerns = sorted(rng.sample(range(8), rng.randint(1, 3)))
        out["q13"] = concerns
        if 7 in concerns:
            out["q14"] = rng.choice(OTHER_CONCERNS)
        if rng.random() < 0.2:
            out["q15"] = rng.choice(SUGGESTIONS)
        return out


def evaluation_answers(rng: random.Random, quality: float, city: int, cities: int) -> dict[str, Any]:
    p = min(0.95, max(0.05, quality + rng.gauss(0, 0.12)))
    participated = rng.random() < p * 0.8
    out: dict[str, Any] = {
        "q1": rng.choices(range(9), (30, 18, 10, 12, 10, 6, 8, 3, 3))[0],
        "q2": rng.choices(range(4), (30, 32, 25, 13))[0],
        "q3": city if rng.random() < 0.9 else rng.randrange(cities),
        "q4": rng.choices(range(4), (p * 0.45, p * 0.55, (1 - p) * 0.6, (1 - p) * 0.4))[0],
        "q5": 0 if participated else 1,
        "q7": rng.choices(range(3), (p * 0.4, p * 0.5 + 0.05, 1 - p * 0.9))[0],
        "q8": max(1, min(5, round(1.6 + 3.4 * p + rng.gauss(0, 0.7)))),
    }
    if participated:
        out["q6"] = rng.choices(range(3), (55, 35, 10))[0]
    if rng.random() < 0.7:
        out["q9"] = sorted(rng.sample(range(6), rng.randint(1, 3)))
    if rng.random() < 0.15:
        out["q10"] = rng.choice(SUGGESTIONS)
    return out


def _publish(survey: Survey, actor, opened: datetime.date, closes: datetime.date, status: str) -> SurveyVersion:
    questions = [qlib.frozen(q) for q in survey.questions.order_by("position")]
    version = SurveyVersion.objects.create(survey=survey, number=1, questions=questions, published_by=actor)
    Survey.objects.filter(pk=survey.pk).update(current_version=version, status=status, opens_on=opened, closes_on=closes)
    survey.refresh_from_db()
    return version


class _Writer:
    def __init__(self):
        self.responses: list[Response] = []
        self.answers: list[Answer] = []

    def add(self, response: Response, questions: list[dict], clean: dict[str, Any]) -> None:
        self.responses.append(response)
        for key, option, row, number, text in qlib.answer_rows(questions, clean):
            self.answers.append(
                Answer(
                    response=response,
                    survey_id=response.survey_id,
                    version_id=response.version_id,
                    question=key,
                    option=option,
                    row=row,
                    number=number,
                    text=text,
                )
            )

    def flush(self) -> tuple[int, int]:
        Response.objects.bulk_create(self.responses, batch_size=1000)
        Answer.objects.bulk_create(self.answers, batch_size=5000)
        return len(self.responses), len(self.answers)


def _new(template: str, province, actor, *, period: str, title: str = "") -> Survey:
    meta = TEMPLATES[template]
    survey = Survey.objects.create(
        organization=province,
        title=title or meta["title"],
        description=meta["description"],
        kind=meta["kind"],
        anonymous=meta["anonymous"],
        period=period,
        template=template,
    )
    build_questions(survey, meta["spec"], regions=region_options(province))
    return survey


def seed_surveys(*, seed: int, actor) -> dict[str, int]:
    """Seed once; return what was made, by name (empty when the demo already has it)."""
    from kejia.core.audit import record_event
    from kejia.people.models import Person
    from kejia.surveys.distribution import people_matching

    province = Organization.objects.filter(parent__isnull=True, kind=OrgKind.PROVINCIAL_ASSOCIATION).order_by("path").first()
    if province is None or Survey.objects.filter(organization=province, template__in=TEMPLATES).exists() or not Person.objects.exists():
        return {}
    rng = random.Random(seed + 6006)
    today = ANCHOR
    with transaction.atomic():
        writer = _Writer()
        cities = region_options(province)
        city_index = {name: i for i, name in enumerate(cities)}

        # The status survey: addressed to the province's people, half of them answered.
        status = _new("status", province, actor, period=str(today.year), title=f"{today.year}年科技工作者状况调查")
        version = _publish(status, actor, today - datetime.timedelta(days=22), datetime.date(today.year, 12, 31), SurveyStatus.OPEN)
        target = Target.objects.create(survey=status, kind=TargetKind.PEOPLE, filters={})
        stations = list(Organization.objects.filter(path__startswith=province.path, kind=OrgKind.SURVEY_STATION, status=OrgStatus.ACTIVE).order_by("path")[:4])
        for station in stations:
            Target.objects.create(survey=status, kind=TargetKind.STATION, organization=station)
        people = list(
            people_matching(status, {}, today=today).order_by("pk").values_list("pk", "user_id", "sector", "birth_date", "region__path", "title_level")
        )
        # The demo worker's profile (linked, or the record with their phone that they would link): left unanswered.
        from kejia.accounts.models import User

        worker = User.objects.filter(username="worker").first()
        worker_people = set(Person.objects.filter(user=worker).values_list("pk", flat=True)) if worker else set()
        if worker is not None and worker.phone_hash:
            worker_people |= set(Person.objects.filter(phone_hash=worker.phone_hash).values_list("pk", flat=True))
        Invitation.objects.bulk_create([Invitation(survey=status, person_id=p[0], target=target, invited_on=status.opens_on) for p in people], batch_size=2000)
        Target.objects.filter(pk=target.pk).update(invited=len(people))
        city_names = dict(Region.objects.filter(level=2, path__startswith=(province.region.path if province.region else "")).values_list("path", "name"))
        answerer = StatusAnswerer(rng, version.questions, today)
        reminded = today - datetime.timedelta(days=3)
        for pk, user_id, sector, birth, region_path, title_level in people:
            if pk in worker_people or rng.random() >= STATUS_SHARE:
                continue
            city = city_index.get(city_names.get((region_path or "")[:18], ""))
            clean = answerer.answers(sector, birth, city, title_level)
            at_station = stations and rng.random() < STATION_SHARE
            submitted = status.opens_on + datetime.timedelta(days=rng.randrange((today - status.opens_on).days + 1))
            writer.add(
                Response(
                    id=random_uuid(rng),
                    survey=status,
                    version=version,
                    status=ResponseStatus.SUBMITTED,
                    person_id=pk,
                    user_id=user_id,
                    submitted_on=submitted,
                    channel=Channel.STATION if at_station else Channel.ONLINE,
                    station=rng.choice(stations) if at_station else None,
                ),
                version.questions,
                clean,
            )

        # The evaluation of the municipal associations, 2025 (closed) and 2026 (open).
        subjects = list(province.children.filter(kind=OrgKind.MUNICIPAL_ASSOCIATION, status=OrgStatus.ACTIVE).order_by("path"))
        quality = {s.pk: rng.uniform(0.35, 0.75) for s in subjects}
        made_evaluations = 0
        for period, count in EVALUATION_ANSWERS.items():
            year = int(period)
            survey = _new("evaluation", province, actor, period=period, title=f"{period}年度科技工作者评议科协组织")
            survey.subjects.set(subjects)
            is_open = year == today.year
            opened = datetime.date(year, 10, 15)
            v = _publish(survey, actor, opened, datetime.date(year, 12, 31), SurveyStatus.OPEN if is_open else SurveyStatus.CLOSED)
            Target.objects.create(survey=survey, kind=TargetKind.LINK, token=f"demo{period}{rng.getrandbits(48):012x}")
            made_evaluations += 1
            for _i in range(count if subjects else 0):
                subject = rng.choice(subjects)
                city = city_index.get(subject.region.name if subject.region_id else "", 0)
                trend = 0.06 * (year - 2025)
                clean = evaluation_answers(rng, quality[subject.pk] + trend, city, len(cities))
                writer.add(Response(id=random_uuid(rng), survey=survey, version=v, status=ResponseStatus.SUBMITTED, subject=subject), v.questions, clean)
        responses, answers = writer.flush()
        Invitation.objects.filter(
            survey=status, pk__in=list(Invitation.objects.filter(survey=status).order_by("pk").values_list("pk", flat=True)[:200])
        ).update(reminded_on=reminded)
        made = {"surveys": 1 + made_evaluations, "invitations": len(people), "responses": responses, "answers": answers}
        record_event(actor=actor, action=SEED_ACTION, obj=status, organization=province, new=made)
    return made
