"""Fixtures of the apps whose demo seeds are tested here."""

from kejia.surveys.tests.conftest import folks  # noqa: F401
