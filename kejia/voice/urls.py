"""Voice pages (views.py): my items and sending one; an item and its actions; the staff inbox and
dashboard; public answers (no login); deadline rules and the calendar."""

from django.urls import path

from kejia.voice import views

app_name = "voice"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.send, name="send"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/assign/", views.assign, name="assign"),
    path("items/<int:pk>/forward/", views.forward, name="forward"),
    path("items/<int:pk>/answer/", views.answer, name="answer"),
    path("items/<int:pk>/rate/", views.rate, name="rate"),
    path("items/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("items/<int:pk>/close/", views.close, name="close"),
    path("items/<int:pk>/publicity/", views.publicity, name="publicity"),
    path("answers/<int:pk>/publish/", views.publish, name="publish"),
    path("inbox/", views.inbox, name="inbox"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("public/", views.public, name="public"),
    path("rules/", views.rules, name="rules"),
    path("rules/calendar/", views.calendar, name="calendar"),
]
