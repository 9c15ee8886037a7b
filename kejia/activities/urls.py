"""Activities pages: public and S&T workers' (views.py), the organizer's staff (staff_views.py)."""

from django.urls import path

from kejia.activities import staff_views, views

app_name = "activities"

urlpatterns = [
    # Public: upcoming events, an event, calendars and feeds (no login).
    path("", views.home, name="home"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("calendar/<int:pk>/", views.calendar, name="calendar"),
    path("calendar/<int:pk>/feed.ics", views.calendar_ics, name="calendar_ics"),
    # An S&T worker: register, their registrations with QR codes, certificates of attendance.
    path("events/<int:pk>/register/", views.register, name="register"),
    path("mine/", views.mine, name="mine"),
    path("certificates/", views.my_certificates, name="certificates"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("registrations/<int:pk>/certificate/", views.certificate, name="certificate"),
    # What a ticket's QR code opens (staff check the holder in).
    path("ticket/<str:code>/", views.ticket, name="ticket"),
    # The organizer's staff.
    path("manage/", staff_views.manage, name="manage"),
    path("orgs/<int:pk>/new/", staff_views.event_create, name="event_create"),
    path("events/<int:pk>/edit/", staff_views.event_edit, name="event_edit"),
    path("events/<int:pk>/publish/", staff_views.event_publish, name="event_publish"),
    path("events/<int:pk>/cancel/", staff_views.event_cancel, name="event_cancel"),
    path("events/<int:pk>/finish/", staff_views.event_finish, name="event_finish"),
    path("events/<int:pk>/registrations/", staff_views.registrations, name="registrations"),
    path("events/<int:pk>/registrations.xlsx", staff_views.registrations_xlsx, name="registrations_xlsx"),
    path("events/<int:pk>/invitations/", staff_views.invitations, name="invitations"),
    path("events/<int:pk>/checkin/", staff_views.checkin, name="checkin"),
    path("registrations/<int:pk>/undo-checkin/", staff_views.undo_checkin, name="undo_checkin"),
    path("attendance-certificates/<int:pk>/revoke/", staff_views.certificate_revoke, name="certificate_revoke"),
]
