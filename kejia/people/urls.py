from django.urls import path

from kejia.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("export/", views.export, name="export"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("new/", views.create, name="new"),
    path("me/", views.me, name="me"),
    path("me/confirm/", views.me_confirm, name="me_confirm"),
    path("me/edit/", views.me_edit, name="me_edit"),
    path("me/willing-to-review/", views.me_willing, name="me_willing"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/achievements/", views.achievement_add, name="achievement_add"),
    path("<int:pk>/achievements/<int:item>/remove/", views.achievement_remove, name="achievement_remove"),
    path("<int:pk>/listings/", views.listing_add, name="listing_add"),
    path("<int:pk>/listings/<int:item>/remove/", views.listing_remove, name="listing_remove"),
    path("<int:pk>/consent/", views.consent, name="consent"),
    path("<int:pk>/anonymize/", views.anonymize, name="anonymize"),
    path("<int:pk>/unlink/", views.unlink, name="unlink"),
]

from kejia.people.review_urls import urlpatterns as review_urlpatterns  # noqa: E402

urlpatterns += review_urlpatterns
