"""Member classes made by `create_default_classes` or the demo while English was the active
language were stored with English names, steps, documents, rights and duties ("Full member",
"Secretariat check"): pages showed them as stored. This gives them the Chinese wording of the
catalogue (正会员, 秘书处审核 …, the names of seed 003 三.1). Text a society wrote itself is left as
it is; running it again changes nothing."""

from django.db import migrations

CHINESE = {
    "Senior member": "资深会员",
    "Full member": "正会员",
    "Student member": "学生会员",
    "Group member": "团体（单位）会员",
    "Secretariat check": "秘书处审核",
    "Membership committee": "会员工作委员会",
    "Council approval": "理事会审批",
    "Professional title certificate": "职称证书",
    "Student card": "学生证",
    "Vote and stand for election; take part in all activities; receive the society's publications.":
        "享有选举权和被选举权；参加学会的各项活动；获得学会的出版物。",
    "Abide by the articles; pay dues; support the society's work.": "遵守学会章程；按时缴纳会费；支持学会工作。",
    "Vote and stand for election; take part in all activities.": "享有选举权和被选举权；参加学会的各项活动。",
    "Take part in activities and student programmes.": "参加学会活动和学生项目。",
    "Abide by the articles.": "遵守学会章程。",
    "Send representatives to activities; take part in the society's projects.": "派代表参加学会活动；参与学会的项目。",
}


def to_chinese(apps, schema_editor):
    MemberClass = apps.get_model("memberships", "MemberClass")
    for item in MemberClass.objects.all().iterator():
        fields = []
        for name in ("name", "rights", "duties"):
            value = getattr(item, name)
            if value in CHINESE:
                setattr(item, name, CHINESE[value])
                fields.append(name)
        for name in ("approval_steps", "required_documents"):
            values = list(getattr(item, name) or [])
            new = [CHINESE.get(v, v) if isinstance(v, str) else v for v in values]
            if new != values:
                setattr(item, name, new)
                fields.append(name)
        if fields:
            item.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [("memberships", "0003_staff_bands_source")]

    operations = [migrations.RunPython(to_chinese, migrations.RunPython.noop)]
