from django.urls import path

from kejia.calls import public_views, views

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
]
