from django.urls import path

from kejia.calls import print_views, views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/print/", print_views.application_print, name="application_print"),
    path("<int:pk>/archive/", print_views.archive, name="archive"),
]
