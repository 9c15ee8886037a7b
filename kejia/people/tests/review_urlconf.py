"""The project's URLs with the review queue's pages and API mounted, as the lead wires them
(kejia/people/urls.py and kejia/api.py); the tests do not depend on that wiring having happened."""

from django.urls import include, path
from ninja import NinjaAPI

from kejia import api as project_api
from kejia import urls as project_urls
from kejia.core.errors import DomainError
from kejia.people import urls as people_urls
from kejia.people.review_api import router
from kejia.people.review_urls import urlpatterns as review_patterns

api = NinjaAPI(title="review test", urls_namespace="review-test", docs_url=None)
api.add_exception_handler(DomainError, lambda request, exc: api.create_response(request, exc.as_dict(), status=exc.status))
api.add_exception_handler(project_api.NinjaValidationError, project_api.validation_error)
api.add_exception_handler(project_api.AuthenticationError, project_api.auth_error)
api.add_router("/", router)

names = {getattr(p, "name", None) for p in people_urls.urlpatterns}
people = list(people_urls.urlpatterns) + [p for p in review_patterns if p.name not in names]
urlpatterns = [path("api/", api.urls), path("people/", include((people, "people")))] + [p for p in project_urls.urlpatterns if str(p.pattern) != "people/"]
handler404 = project_urls.handler404
handler403 = project_urls.handler403
handler500 = project_urls.handler500
