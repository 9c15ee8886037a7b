"""The shipped templates and the commands that install them and send reminders."""

from django.core.management import call_command

from kejia.surveys import services
from kejia.surveys.models import Survey
from kejia.surveys.templates_data import TEMPLATES, install_template


def test_template_questions_pass_the_builders_checks(tree):
    for name in TEMPLATES:
        survey = install_template(tree.js, actor=tree.province_staff, template=name, period="2026")
        version = services.publish_survey(survey, actor=tree.province_staff)
        assert len(version.questions) == len(TEMPLATES[name]["spec"])
        assert version.questions[2]["options"][:2] == ["南京市", "无锡市"]


def test_install_command_publishes_both_templates(tree, capsys):
    call_command("install_survey_templates", "--org", "NJ", "--period", "2026", "--publish")
    assert set(Survey.objects.filter(organization=tree.nj, status="open").values_list("template", flat=True)) == {"status", "evaluation"}
    call_command("send_survey_reminders")
    assert "reminders sent" in capsys.readouterr().out
