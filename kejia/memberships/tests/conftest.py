"""Fixtures of the membership tests: the society of the shared tree with its default classes,
and a S&T worker with a linked profile."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture
def society(tree):
    from kejia.memberships import member_classes, workflow

    classes = {c.code: c for c in member_classes.create_default_classes(tree.soc, actor=tree.society_secretary)}
    return SimpleNamespace(org=tree.soc, classes=classes, rules=workflow.rules_of(tree.soc))


def make_person(tree, *, name="李明", user=None, title_level="intermediate", resident_id="", phone=""):
    from kejia.people.services import create_person

    person = create_person(
        actor=tree.platform,
        organization=tree.soc,
        name=name,
        title_level=title_level,
        resident_id=resident_id,
        phone=phone,
        birth_date=datetime.date(1985, 3, 9) if not resident_id else None,
    )
    if user is not None:
        person.user = user
        person.save(update_fields=["user"])
    return person


@pytest.fixture
def applicant(tree):
    return make_person(tree, name="李明", user=tree.worker)


def pdf(name="doc.pdf", size=100):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size + b"\n%%EOF\n", content_type="application/pdf")
