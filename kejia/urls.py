from django.urls import include, path
from django.views.i18n import set_language

from kejia.api import api

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
    path("accounts/", include("kejia.accounts.urls")),
    path("regions/", include("kejia.reference.urls")),
    path("people/experts/", include("kejia.search.urls")),
    path("people/", include("kejia.people.urls")),
    path("imports/", include("kejia.imports.urls")),
    path("memberships/", include("kejia.memberships.urls")),
    path("verify/", include("kejia.memberships.verify_urls")),
    path("governance/", include("kejia.governance.urls")),
    path("grassroots/", include("kejia.grassroots.urls")),
    path("activities/", include("kejia.activities.urls")),
    path("volunteering/", include("kejia.volunteering.urls")),
    path("voice/", include("kejia.voice.urls")),
    path("surveys/", include("kejia.surveys.urls")),
    path("calls/", include("kejia.calls.urls")),
    path("review/", include("kejia.review.urls")),
    path("", include("kejia.home.urls")),
    path("", include("kejia.organizations.urls")),
]

handler404 = "kejia.core.views.not_found"
handler403 = "kejia.core.views.forbidden"
handler500 = "kejia.core.views.server_error"
