"""`manage.py install_survey_templates --org JS [--template status|evaluation] [--period 2026] [--publish]`:
the shipped surveys as drafts of an organization (or published at once)."""

from django.core.management.base import BaseCommand, CommandError

from kejia.accounts.models import User
from kejia.core.errors import DomainError
from kejia.organizations.models import Organization
from kejia.surveys import services
from kejia.surveys.templates_data import TEMPLATES, install_template


class Command(BaseCommand):
    help = "Install the status survey of S&T workers and the evaluation of organizations (知晓面、参与度、受益率、满意度) for an organization."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="The organization's code.")
        parser.add_argument("--template", choices=sorted(TEMPLATES), action="append", help="Only this template (repeatable).")
        parser.add_argument("--period", default="", help="The period, e.g. 2026.")
        parser.add_argument("--publish", action="store_true", help="Publish (open) the surveys at once.")
        parser.add_argument("--as", dest="username", default="", help="Acting user (default: the first platform administrator).")

    def handle(self, *args, org: str, template, period: str, publish: bool, username: str, **options) -> None:
        organization = Organization.objects.filter(code=org).first()
        if organization is None:
            raise CommandError(f"No organization with code {org}.")
        actor = User.objects.filter(username=username).first() if username else User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("No acting user: create a platform administrator or pass --as.")
        for name in template or sorted(TEMPLATES):
            try:
                survey = install_template(organization, actor=actor, template=name, period=period)
                if publish:
                    services.publish_survey(survey, actor=actor)
            except DomainError as exc:
                raise CommandError(f"{name}: {exc.message}") from None
            self.stdout.write(f"{name}: survey {survey.pk} «{survey.title}» ({'open' if publish else 'draft'}).")
