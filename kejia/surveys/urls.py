"""Surveys pages: the builder and distribution (views.py), results and tracking
(results_views.py), answering and station entry (answer_views.py)."""

from django.urls import path

from kejia.surveys import answer_views, results_views, views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.create, name="create"),
    path("install/", views.install, name="install"),
    # A survey: settings, questions, publishing, evaluated organizations, distribution.
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/questions/", views.builder, name="builder"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/subjects/", views.subjects, name="subjects"),
    path("<int:pk>/distribution/", views.distribution_page, name="distribution"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("questions/<int:pk>/move/", views.question_move, name="question_move"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    # Tracking, results, exports, the evaluation index.
    path("<int:pk>/tracking/", results_views.tracking, name="tracking"),
    path("<int:pk>/remind/", results_views.remind, name="remind"),
    path("<int:pk>/results/", results_views.results, name="results"),
    path("<int:pk>/export/", results_views.export, name="export"),
    path("orgs/<int:pk>/evaluation/", results_views.evaluation, name="evaluation"),
    # Answering.
    path("<int:pk>/answer/", answer_views.answer, name="answer"),
    path("<int:pk>/station/", answer_views.station, name="station"),
    path("s/<str:token>/", answer_views.link, name="link"),
]
