"""The surveys demo: valid answers to the shipped templates, seeded once."""

import datetime
import random

from kejia.demo.surveys import StatusAnswerer, evaluation_answers, seed_surveys
from kejia.surveys import questions as qlib
from kejia.surveys import services
from kejia.surveys.models import Answer, Response, Survey
from kejia.surveys.selectors import surveys_waiting_for
from kejia.surveys.templates_data import SECTOR_VALUES, install_template


def test_demo_answers_are_valid_submissions(tree):
    status = services.publish_survey(install_template(tree.js, actor=tree.province_staff, template="status"), actor=tree.province_staff)
    evaluation = install_template(tree.js, actor=tree.province_staff, template="evaluation")
    evaluation = services.publish_survey(evaluation, actor=tree.province_staff)
    rng = random.Random(7)
    answerer = StatusAnswerer(rng, status.questions)
    for _i in range(300):
        sector = rng.choice(SECTOR_VALUES)
        data = answerer.answers(sector, datetime.date(rng.randint(1955, 2000), 5, 5), rng.randrange(13), rng.choice(["senior", "none"]))
        clean, errors = qlib.validate_submission(status.questions, data)
        assert errors == {} and clean == data
        data = evaluation_answers(rng, rng.random(), 0, 13)
        clean, errors = qlib.validate_submission(evaluation.questions, data)
        assert errors == {} and clean == data


def test_seed_surveys_once(tree, folks):
    made = seed_surveys(seed=1, actor=tree.platform)
    assert made["surveys"] == 3 and made["invitations"] == 4
    assert Survey.objects.filter(kind="evaluation", status="closed", period="2025").exists()
    assert Response.objects.filter(survey__kind="evaluation").count() == 2400
    assert Answer.objects.count() == made["answers"]
    assert not Response.objects.filter(survey__kind="status", person=folks.worker).exists()  # the worker's survey is waiting
    assert [s.kind for s in surveys_waiting_for(tree.worker)] == ["status"]
    assert seed_surveys(seed=1, actor=tree.platform) == {}
