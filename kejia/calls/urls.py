from django.urls import path

from kejia.calls import print_views, public_views, staff_views, views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("<int:pk>/announcement/", public_views.announcement, name="announcement"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/files/", public_views.application_upload, name="application_upload"),
    path("cases/", public_views.case_list, name="cases"),
    path("cases/<int:pk>/", public_views.case_detail, name="case"),
    path("files/attachments/<int:pk>/", public_views.attachment_file, name="attachment_file"),
    path("files/applications/<int:pk>/", public_views.application_file, name="application_file"),
    path("files/deliverables/<int:pk>/", public_views.deliverable_file, name="deliverable_file"),
    # the organization running a call
    path("manage/", staff_views.manage, name="manage"),
    path("manage/new/", staff_views.create, name="create"),
    path("<int:pk>/manage/", staff_views.call_admin, name="call_admin"),
    path("<int:pk>/edit/", staff_views.edit, name="edit"),
    path("<int:pk>/step/<slug:action>/", staff_views.call_act, name="call_act"),
    path("<int:pk>/queue/", staff_views.queue, name="queue"),
    path("<int:pk>/meeting/", staff_views.meeting, name="meeting"),
    path("<int:pk>/projects/", staff_views.projects, name="projects"),
    path("applications/<int:pk>/step/<slug:action>/", staff_views.application_act, name="application_act"),
    path("objections/<int:pk>/handle/", staff_views.objection_handle, name="objection_handle"),
    path("projects/<int:pk>/", staff_views.project, name="project"),
    path("projects/<int:pk>/step/<slug:action>/", staff_views.project_act, name="project_act"),
    # the recommending organization and the applicant
    path("recommend/", staff_views.recommend_queue, name="recommend"),
    path("mine/", staff_views.mine, name="mine"),
    path("applications/<int:pk>/print/", print_views.application_print, name="application_print"),
    path("<int:pk>/archive/", print_views.archive, name="archive"),
]
