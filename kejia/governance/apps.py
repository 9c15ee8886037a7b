from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "kejia.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        # Whatever compliance reads changes the version its cached results are kept under.
        from django.db.models.signals import post_delete, post_save

        from kejia.governance import models, verdicts
        from kejia.organizations.models import Organization
        from kejia.people.models import Person
        from kejia.people.signals import people_changed

        for model in (models.Body, models.Term, models.Seat, models.DeclaredPost, models.RuleSet, models.Rule, models.RuleSetAssignment, Organization):
            post_save.connect(verdicts.inputs_changed, sender=model, dispatch_uid=f"governance-verdicts-save-{model.__name__}")
            post_delete.connect(verdicts.inputs_changed, sender=model, dispatch_uid=f"governance-verdicts-delete-{model.__name__}")
        post_save.connect(verdicts.person_changed, sender=Person, dispatch_uid="governance-verdicts-save-Person")
        post_delete.connect(verdicts.inputs_changed, sender=Person, dispatch_uid="governance-verdicts-delete-Person")
        people_changed.connect(verdicts.inputs_changed, dispatch_uid="governance-verdicts-people-changed")
