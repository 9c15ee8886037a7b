"""The two surveys Kejia ships (seed 001 四: the periodic status survey of S&T workers; seed 001
九: S&T workers' evaluation of associations on awareness, participation, benefit and
satisfaction — 知晓面、参与度、受益率、满意度). Question texts are data, in Chinese; `install_template`
creates a draft survey from one for an organization (the staff then adjust and publish it).

A spec question: (ref, kind, text, extra) where extra may hold options, rows, required,
scale/labels, max_choices, role, scores and `show_if` = (ref of an earlier question, [answers])."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kejia.core.audit import record_event
from kejia.organizations.kinds import OrgKind, OrgStatus
from kejia.reference.models import Region, RegionLevel
from kejia.surveys import services
from kejia.surveys.choices import SurveyKind
from kejia.surveys.models import Question, Survey

SECTORS = ["企业", "高等院校", "科研院所", "医疗卫生机构", "中小学", "农业技术推广机构", "党政机关和事业单位", "社会组织", "其他"]
# The sector option of each `reference.Sector` value, in the order of SECTORS.
SECTOR_VALUES = ["enterprise", "university", "research_institute", "medical", "education", "agriculture", "government", "social_organization", "other"]
AGE_BANDS = ["35岁以下", "35–44岁", "45–54岁", "55岁及以上"]
AGE_BAND_VALUES = ["lt35", "35_44", "45_54", "ge55"]
SATISFACTION = {"scale_min": 1, "scale_max": 5, "min_label": "很不满意", "max_label": "很满意"}
OTHER = "其他"

STATUS = [
    ("sector", "single", "您的工作单位属于哪一类？", {"options": SECTORS, "role": "sector"}),
    ("age", "single", "您的年龄", {"options": AGE_BANDS, "role": "age_band"}),
    ("region", "single", "您工作所在的设区市", {"options": "regions", "role": "region"}),
    ("title", "single", "您的专业技术职称", {"options": ["正高级", "副高级", "中级", "初级", "无"]}),
    ("hours", "single", "您每周平均工作时间", {"options": ["40小时以下", "40–50小时", "50–60小时", "60小时以上"]}),
    ("work", "rating", "您对目前工作的总体满意度", SATISFACTION),
    ("income", "single", "您上一年度的税前年收入", {"options": ["10万元以下", "10–20万元", "20–30万元", "30–50万元", "50万元以上"]}),
    ("income_change", "single", "与前一年相比，您的收入", {"options": ["明显增加", "略有增加", "基本持平", "有所减少"]}),
    ("research", "single", "您目前是否从事科研工作？", {"options": ["是", "否"]}),
    (
        "funding",
        "rating",
        "您的科研经费是否充足？",
        {"scale_min": 1, "scale_max": 5, "min_label": "很不充足", "max_label": "很充足", "show_if": ("research", [0])},
    ),
    (
        "conditions",
        "matrix",
        "请评价您的科研条件",
        {
            "rows": ["科研经费", "仪器设备", "团队与人才", "评价与激励制度", "科研时间保障"],
            "options": ["很差", "较差", "一般", "较好", "很好"],
            "show_if": ("research", [0]),
        },
    ),
    (
        "obstacles",
        "multiple",
        "影响您科研工作的主要因素（最多选三项）",
        {"options": ["经费不足", "行政事务过多", "评价导向不合理", "缺少合作平台", "成果转化难", OTHER], "max_choices": 3, "show_if": ("research", [0])},
    ),
    (
        "concerns",
        "multiple",
        "您当前最关心的问题（最多选三项）",
        {"options": ["收入待遇", "职称评定", "住房", "子女教育", "身体健康", "职业发展", "工作压力", OTHER], "max_choices": 3},
    ),
    ("concerns_other", "text", "请说明您关心的其他问题", {"show_if": ("concerns", [7])}),
    ("suggestions", "text", "您对科协组织有哪些意见和建议？", {"required": False}),
]

EVALUATION = [
    ("sector", "single", "您的工作单位属于哪一类？", {"options": SECTORS, "role": "sector"}),
    ("age", "single", "您的年龄", {"options": AGE_BANDS, "role": "age_band"}),
    ("region", "single", "您工作所在的设区市", {"options": "regions", "role": "region"}),
    (
        "awareness",
        "single",
        "您是否了解这个科协组织及其主要职能？",
        {"options": ["很了解", "比较了解", "听说过，但不了解", "不知道"], "role": "awareness", "scores": [100, 100, 50, 0]},
    ),
    (
        "participation",
        "single",
        "过去一年，您是否参加过该组织举办的活动（学术交流、科普、培训、联谊等）？",
        {"options": ["参加过", "没有参加过"], "role": "participation", "scores": [100, 0]},
    ),
    ("times", "single", "您参加了几次？", {"options": ["1–2次", "3–5次", "6次及以上"], "show_if": ("participation", [0])}),
    (
        "benefit",
        "single",
        "您是否从该组织的工作或服务中受益？",
        {"options": ["受益很大", "有一定受益", "没有受益"], "role": "benefit", "scores": [100, 100, 0]},
    ),
    ("satisfaction", "rating", "您对该组织工作的总体满意度", {**SATISFACTION, "role": "satisfaction"}),
    (
        "wishes",
        "multiple",
        "您希望该组织加强哪些方面的工作？",
        {"options": ["学术交流", "科学普及", "人才举荐", "权益维护", "决策咨询", "创新服务"], "required": False},
    ),
    ("suggestions", "text", "您对该组织的意见和建议", {"required": False}),
]

TEMPLATES = {
    "status": {
        "spec": STATUS,
        "kind": SurveyKind.STATUS,
        "anonymous": False,
        "title": "科技工作者状况调查",
        "description": "了解科技工作者的工作、收入、科研条件和关心的问题，及时反映意见建议和呼声（中国科协科技工作者状况调查制度）。",
    },
    "evaluation": {
        "spec": EVALUATION,
        "kind": SurveyKind.EVALUATION,
        "anonymous": True,
        "title": "科技工作者评议科协组织",
        "description": "请您对所选科协组织的知晓面、参与度、受益率和满意度作出评价。本问卷匿名，答案无法追溯到个人。",
    },
}
TEMPLATE_CHOICES = [("status", _("Status survey of S&T workers")), ("evaluation", _("Evaluation of organizations (four measures)"))]


def region_options(org) -> list[str]:
    """The prefecture-level cities of the organization's province (for the region question)."""
    region = org.region
    while region is not None and region.level > RegionLevel.PROVINCE:
        region = region.parent
    if region is None:
        return ["本省", "外省"]
    cities = list(Region.objects.filter(parent=region, level=RegionLevel.CITY).order_by("code").values_list("name", flat=True))
    return cities or [region.name]


def evaluated_children(org) -> list:
    """Default organizations an evaluation survey evaluates: the active associations and
    societies directly below."""
    excluded = {OrgKind.SURVEY_STATION, OrgKind.SERVICE_STATION, OrgKind.EXPERT_WORKSTATION, OrgKind.VOLUNTEER_TEAM}
    return list(org.children.filter(status=OrgStatus.ACTIVE).exclude(kind__in=excluded).order_by("kind", "name"))


def build_questions(survey: Survey, spec: list, *, regions: list[str]) -> list[Question]:
    keys: dict[str, str] = {}
    rows = []
    for i, (ref, kind, text, extra) in enumerate(spec, 1):
        key = f"q{i}"
        keys[ref] = key
        options = regions if extra.get("options") == "regions" else list(extra.get("options", []))
        show_if = extra.get("show_if")
        rows.append(
            Question(
                survey=survey,
                key=key,
                position=i - 1,
                kind=kind,
                text=text,
                options=options,
                rows=list(extra.get("rows", [])),
                required=extra.get("required", True),
                scale_min=extra.get("scale_min", 1),
                scale_max=extra.get("scale_max", 5),
                min_label=extra.get("min_label", ""),
                max_label=extra.get("max_label", ""),
                max_choices=extra.get("max_choices"),
                role=extra.get("role", ""),
                scores=list(extra.get("scores", [])),
                condition_key=keys[show_if[0]] if show_if else "",
                condition_options=list(show_if[1]) if show_if else [],
            )
        )
    Question.objects.bulk_create(rows)
    Survey.objects.filter(pk=survey.pk).update(question_seq=len(spec))
    survey.question_seq = len(spec)
    return rows


@transaction.atomic
def install_template(org, *, actor, template: str, period: str = "", title: str = "", audit: bool = True) -> Survey:
    """A draft survey of the organization from a shipped template."""
    services.require_manager(org, actor)
    meta = TEMPLATES[template]
    survey = Survey.objects.create(
        organization=org,
        title=title or meta["title"],
        description=meta["description"],
        kind=meta["kind"],
        anonymous=meta["anonymous"],
        period=period,
        template=template,
    )
    build_questions(survey, meta["spec"], regions=region_options(org))
    if meta["kind"] == SurveyKind.EVALUATION:
        survey.subjects.set(evaluated_children(org))
    if audit:
        record_event(
            actor=actor,
            action="survey.template_installed",
            obj=survey,
            organization=org,
            new={"template": template, "questions": len(meta["spec"]), "period": period},
        )
    return survey
