"""The rule sets shipped from the seeds (editable by administrators afterwards). Loaded by
migrations 0002/0003 and by `load_rule_sets()`; an existing set of the same name is left as edited.

Each rule names the bodies it judges by kind AND the organizations holding them by kind (a kind is
also a level: national, provincial, municipal, county association; provincial or municipal
society), so a rule set assigned to a province "with its subtree" judges a society's congress by
the society rules and the association's congress by the association rules. Thresholds are
fractions (p, q) compared exactly; `source` cites the policy text and section in words (the
administrators' edit form; docs/governance.md maps them to the seed files), `document` names the
policy text as pages show it."""

from dataclasses import dataclass, field

from kejia.core.sources import DOCUMENTS

NATIONAL = ["national_assoc"]
# 003 二.1 speaks of 科协代表大会 and 全委会、常委会 without naming a level (where it means the
# provincial association alone it says 省科协), and the text is sent down to the counties (此件发至县).
JIANGSU_ASSOCIATIONS = ["provincial_assoc", "municipal_assoc", "county_assoc"]
# 003 三.3: 各级学会 / 所属学会 in the province.
SOCIETIES = ["provincial_society", "municipal_society"]
# 002 (三) 具体目标: 各级科协组织领导机构.
ALL_ASSOCIATIONS = ["national_assoc", "provincial_assoc", "municipal_assoc", "county_assoc", "township_assoc"]


@dataclass(frozen=True)
class R:
    body_kinds: list[str]
    org_kinds: list[str]
    measure: str
    comparison: str
    threshold: tuple[int, int]
    note: str
    param: int | None = None
    param_local: bool = False
    is_target: bool = False
    baseline: tuple[int, int] | None = None
    against_previous: bool = False


@dataclass(frozen=True)
class S:
    name: str
    jurisdiction: str
    source: str
    document: str
    description: str
    rules: list[R] = field(default_factory=list)


# The shipped sets' names are keys (load_rule_sets, the API's ?ruleset=); pages show these titles.
# A set an administrator creates shows its own name.
TITLES = {
    "national": "中国科协领导机构构成要求",
    "jiangsu": "江苏省各级科协领导机构构成要求",
    "societies": "江苏省科协所属学会领导机构构成要求",
    "plan2025": "“十四五”领导机构代表比例提升目标",
}


def title_of(name: str) -> str:
    return TITLES.get(name, name)


# `source` names the policy text and its section in words (seeds 000, 002 and 003; kejia.core.sources).
SEED_000 = DOCUMENTS["000"]
SEED_002 = DOCUMENTS["002"]
SEED_003 = DOCUMENTS["003"]

RULE_SETS = [
    S(
        "national",
        "中国科协",
        f"{SEED_000}二.1",
        "《科协系统深化改革实施方案》（中共中央办公厅印发）第二部分第1条",
        "中国科协全国代表大会代表中基层一线科技工作者比例由目前的 58% 提高至 65% 左右，45 岁以下青年科技工作者不少于三分之一；"
        "来自基层一线的全委会委员比例由 58% 提高至 70% 左右，常委会委员比例由 56% 提高至 75% 左右。",
        [
            R(
                ["congress"],
                NATIONAL,
                "frontline_share",
                "gte",
                (65, 100),
                "代表中基层一线科技工作者比例由目前的 58% 提高至 65% 左右",
                is_target=True,
                baseline=(58, 100),
            ),
            R(["congress"], NATIONAL, "aged_at_most_share", "gte", (1, 3), "45 岁以下青年科技工作者不少于三分之一", param=45),
            R(
                ["committee"],
                NATIONAL,
                "frontline_share",
                "gte",
                (70, 100),
                "全委会委员来自基层一线的比例由 58% 提高至 70% 左右",
                is_target=True,
                baseline=(58, 100),
            ),
            R(
                ["standing_committee"],
                NATIONAL,
                "frontline_share",
                "gte",
                (75, 100),
                "常委会委员来自基层一线的比例由 56% 提高至 75% 左右",
                is_target=True,
                baseline=(56, 100),
            ),
        ],
    ),
    S(
        "jiangsu",
        "江苏省、市、县科协",
        f"{SEED_003}二.1",
        "《江苏省科协系统深化改革实施方案》（苏办〔2016〕14号）第二部分第1条",
        "科协代表大会代表中基层一线科技工作者的比例确保在 70% 以上，45 岁以下青年科技工作者不少于三分之一；"
        "来自基层一线的全委会、常委会委员比例均确保在 75% 以上。",
        [
            R(["congress"], JIANGSU_ASSOCIATIONS, "frontline_share", "gte", (70, 100), "代表中基层一线科技工作者的比例确保在 70% 以上"),
            R(["congress"], JIANGSU_ASSOCIATIONS, "aged_at_most_share", "gte", (1, 3), "45 岁以下青年科技工作者不少于三分之一", param=45),
            R(["committee"], JIANGSU_ASSOCIATIONS, "frontline_share", "gte", (75, 100), "全委会委员来自基层一线的比例确保在 75% 以上"),
            R(["standing_committee"], JIANGSU_ASSOCIATIONS, "frontline_share", "gte", (75, 100), "常委会委员来自基层一线的比例确保在 75% 以上"),
        ],
    ),
    S(
        "societies",
        "江苏省科协所属学会",
        f"{SEED_003}三.3",
        "《江苏省科协系统深化改革实施方案》（苏办〔2016〕14号）第三部分第3条",
        "学会代表大会代表应主要为基层一线科技人员；理事会四分之三以上、常务理事会三分之二以上应为基层一线科技工作者，中青年科技工作者一般应达到"
        "三分之一以上；在职及退（离）休领导干部经批准可兼任 1 个社会团体职务，年龄一般不得超过 70 周岁，任期一般不得超过两届；"
        "督促学会领导机构按期换届。（综合示范学会专职人员比例应达会员数的 1%—5% 以上：见学会会员统计。）",
        [
            R(["congress"], SOCIETIES, "frontline_share", "gt", (1, 2), "学会代表大会代表应主要为基层一线科技人员（过半数）"),
            R(["council"], SOCIETIES, "frontline_share", "gte", (3, 4), "理事会四分之三以上应为基层一线科技工作者"),
            R(["standing_council"], SOCIETIES, "frontline_share", "gte", (2, 3), "常务理事会三分之二以上应为基层一线科技工作者"),
            R(
                ["council", "standing_council"],
                SOCIETIES,
                "aged_at_most_share",
                "gte",
                (1, 3),
                "中青年科技工作者一般应达到三分之一以上（文件未给出中青年的年龄，59 岁及以下为本地设定，可改）",
                param=59,
                param_local=True,
                is_target=True,
            ),
            R(["council", "standing_council"], SOCIETIES, "official_posts", "lte", (1, 1), "领导干部经批准可兼任 1 个社会团体职务"),
            R(["council", "standing_council"], SOCIETIES, "official_unapproved", "lte", (0, 1), "兼任社会团体职务须经批准"),
            R(["council", "standing_council"], SOCIETIES, "official_age", "lte", (70, 1), "兼职领导干部年龄一般不得超过 70 周岁"),
            R(["council", "standing_council"], SOCIETIES, "official_terms", "lte", (2, 1), "兼职领导干部任期一般不得超过两届"),
            # "综合示范学会专职人员比例应达会员数的 1%—5% 以上" is judged once, on the membership figures
            # (kejia.memberships.stats: full-time staff against members, by size bands), not here.
            R(["congress", "council", "standing_council", "supervisory_board"], SOCIETIES, "days_overdue", "lte", (0, 1), "督促学会领导机构按期换届"),
        ],
    ),
    S(
        "plan2025",
        "各级科协组织",
        f"{SEED_002}二（三）具体目标",
        "《中国科协组织建设“十四五”规划（2021—2025年）》发展目标",
        "各级科协组织领导机构成员中基层一线科技工作者、青年科技工作者和女性科技工作者代表的比例较上一时期进一步提升：本届与同一机构上一届相比。",
        [
            R(
                ["congress", "committee", "standing_committee"],
                ALL_ASSOCIATIONS,
                "frontline_share",
                "gt",
                (0, 1),
                "基层一线科技工作者代表的比例较上一届进一步提升",
                is_target=True,
                against_previous=True,
            ),
            R(
                ["congress", "committee", "standing_committee"],
                ALL_ASSOCIATIONS,
                "aged_at_most_share",
                "gt",
                (0, 1),
                "青年科技工作者代表的比例较上一届进一步提升（规划未给出青年的年龄，45 岁及以下沿用中央实施方案二.1 的写法，可改）",
                param=45,
                param_local=True,
                is_target=True,
                against_previous=True,
            ),
            R(
                ["congress", "committee", "standing_committee"],
                ALL_ASSOCIATIONS,
                "women_share",
                "gt",
                (0, 1),
                "女性科技工作者代表的比例较上一届进一步提升",
                is_target=True,
                against_previous=True,
            ),
        ],
    ),
]


def rule_values(rule: R, sort: int) -> dict:
    return {
        "body_kinds": list(rule.body_kinds),
        "org_kinds": list(rule.org_kinds),
        "measure": rule.measure,
        "param": rule.param,
        "param_local": rule.param_local,
        "comparison": rule.comparison,
        "threshold_num": rule.threshold[0],
        "threshold_den": rule.threshold[1],
        "baseline_num": rule.baseline[0] if rule.baseline else None,
        "baseline_den": rule.baseline[1] if rule.baseline else None,
        "against_previous": rule.against_previous,
        "is_target": rule.is_target,
        "note": rule.note,
        "sort": sort,
    }


def create_rules(Rule, ruleset, rules: list[R]) -> None:  # noqa: N803 - a model class, also a migration's historical one
    Rule.objects.bulk_create([Rule(ruleset=ruleset, **rule_values(r, i)) for i, r in enumerate(rules, start=1)])


def load_rule_sets(RuleSet, Rule) -> int:  # noqa: N803 - model classes, also the historical ones of a migration
    created = 0
    for spec in RULE_SETS:
        ruleset, made = RuleSet.objects.get_or_create(
            name=spec.name, defaults={"jurisdiction": spec.jurisdiction, "source": spec.source, "document": spec.document, "description": spec.description}
        )
        if not made:
            continue
        created += 1
        create_rules(Rule, ruleset, spec.rules)
    return created
