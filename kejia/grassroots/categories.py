"""The categories of grassroots key staff shipped from the seeds (editable by administrators
afterwards): the 三长 — heads and key staff of education, health and agricultural technology
extension, "and others" (等) — and the people 002 §(7) names beside them. Loaded by migration 0002
and by `load_categories()`; an existing category of the same code is left as edited."""

SOURCE_002 = (
    "seeds/002_dd2c9a3474290213.txt §(7)（广泛吸纳基层教育、医疗卫生、农技推广等领域的业务骨干以及……科技特派员、"
    "大学生村官、驻村第一书记……进入基层科协领导机构）"
)

# code, name (Chinese, as the seeds say it), counts as one of the 三长, source
CATEGORIES = [
    ("education", "教育领域负责人及业务骨干（学校校长等）", True, SOURCE_002),
    ("health", "医疗卫生领域负责人及业务骨干（医院院长等）", True, SOURCE_002),
    ("agri_extension", "农技推广领域负责人及业务骨干（农技站长等）", True, SOURCE_002),
    ("other_key_staff", "其他领域业务骨干（“等”）", False, SOURCE_002),
    ("tech_commissioner", "科技特派员", False, SOURCE_002),
    ("village_graduate", "大学生村官", False, SOURCE_002),
    ("first_secretary", "驻村第一书记", False, SOURCE_002),
    ("support_team", "乡村振兴结对帮扶工作队成员", False, SOURCE_002),
]


def load_categories(Category) -> int:  # noqa: N803 - the model class, also the historical one of a migration
    created = 0
    for sort, (code, name, is_chief, source) in enumerate(CATEGORIES, start=1):
        _obj, made = Category.objects.get_or_create(code=code, defaults={"name": name, "is_chief": is_chief, "source": source, "sort": sort})
        created += made
    return created
