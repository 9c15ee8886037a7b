"""The three rule sets shipped from the seeds (editable by administrators afterwards). Loaded by
migration 0002 and by `load_rule_sets()`; an existing set of the same name is left as edited."""

from decimal import Decimal

ONE_THIRD = Decimal("0.3333")
TWO_THIRDS = Decimal("0.6667")

# name, jurisdiction, source, description, rules: (body kinds, measure, param, comparison, threshold, is_target, note)
RULE_SETS = [
    ("national", "中国科协及全国科协系统",
     "seeds/000_c23b6a1116c3d8a1.txt 二.1（《科协系统深化改革实施方案》）",
     "全国代表大会代表中基层一线科技工作者 65% 左右、45 岁以下不少于三分之一；全委会委员 70% 左右、常委会委员 75% 左右来自基层一线。",
     [
         (["congress"], "frontline_share", None, "gte", Decimal("0.65"), True, "代表中基层一线科技工作者比例 65% 左右"),
         (["congress"], "aged_at_most_share", 45, "gte", ONE_THIRD, False, "45 岁以下青年科技工作者不少于三分之一"),
         (["committee"], "frontline_share", None, "gte", Decimal("0.70"), True, "全委会委员来自基层一线 70% 左右"),
         (["standing_committee"], "frontline_share", None, "gte", Decimal("0.75"), True, "常委会委员来自基层一线 75% 左右"),
     ]),
    ("jiangsu", "江苏省科协系统",
     "seeds/003_73f9d7d21f6b67ef.txt 二.1（《江苏省科协系统深化改革实施方案》）",
     "代表大会代表中基层一线科技工作者确保在 70% 以上、45 岁以下不少于三分之一；全委会、常委会委员来自基层一线均确保在 75% 以上。",
     [
         (["congress"], "frontline_share", None, "gte", Decimal("0.70"), False, "代表中基层一线科技工作者确保在 70% 以上"),
         (["congress"], "aged_at_most_share", 45, "gte", ONE_THIRD, False, "45 岁以下青年科技工作者不少于三分之一"),
         (["committee"], "frontline_share", None, "gte", Decimal("0.75"), False, "全委会委员来自基层一线确保在 75% 以上"),
         (["standing_committee"], "frontline_share", None, "gte", Decimal("0.75"), False, "常委会委员来自基层一线确保在 75% 以上"),
     ]),
    ("societies", "江苏省科协所属学会",
     "seeds/003_73f9d7d21f6b67ef.txt 三.3（完善学会治理方式）",
     "理事会四分之三以上、常务理事会三分之二以上为基层一线科技工作者，中青年一般达到三分之一以上；领导干部兼任学会职务不超过 1 个、"
     "年龄一般不超过 70 周岁、任期一般不超过两届；综合示范学会专职人员达会员数的 1%—5% 以上；领导机构按期换届。",
     [
         (["council"], "frontline_share", None, "gte", Decimal("0.75"), False, "理事会四分之三以上为基层一线科技工作者"),
         (["standing_council"], "frontline_share", None, "gte", TWO_THIRDS, False, "常务理事会三分之二以上为基层一线科技工作者"),
         (["council", "standing_council"], "aged_at_most_share", 59, "gte", ONE_THIRD, True,
          "中青年科技工作者一般应达到三分之一以上（中青年按 59 岁及以下计，可改）"),
         (["council", "standing_council"], "official_posts", None, "lte", Decimal("1"), False, "领导干部经批准可兼任 1 个社会团体职务"),
         (["council", "standing_council"], "official_age", None, "lte", Decimal("70"), False, "兼职领导干部年龄一般不得超过 70 周岁"),
         (["council", "standing_council"], "official_terms", None, "lte", Decimal("2"), False, "兼职领导干部任期一般不得超过两届"),
         (["secretariat"], "staff_share", None, "gte", Decimal("0.01"), True, "综合示范学会专职人员比例应达会员数的 1%—5% 以上"),
         (["congress", "council", "standing_council", "supervisory_board"], "months_overdue", None, "lte", Decimal("0"), False,
          "督促学会领导机构按期换届"),
     ]),
]


def load_rule_sets(RuleSet, Rule) -> int:  # noqa: N803 - model classes, also the historical ones of a migration
    created = 0
    for name, jurisdiction, source, description, rules in RULE_SETS:
        ruleset, made = RuleSet.objects.get_or_create(name=name, defaults={"jurisdiction": jurisdiction, "source": source,
                                                                             "description": description})
        if not made:
            continue
        created += 1
        Rule.objects.bulk_create([
            Rule(ruleset=ruleset, body_kinds=kinds, measure=measure, param=param, comparison=comparison, threshold=threshold,
                 is_target=target, note=note, sort=i)
            for i, (kinds, measure, param, comparison, threshold, target, note) in enumerate(rules, start=1)
        ])
    return created
