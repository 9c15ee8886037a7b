"""URL patterns of the review queue, spliced into kejia/people/urls.py (namespace "people")."""

from django.urls import path

from kejia.people import link_request_views, review_views

urlpatterns = [
    path("review/", review_views.review_list, name="review_list"),
    path("review/<int:pk>/", review_views.review_detail, name="review_detail"),
    path("review/<int:pk>/decide/", review_views.review_decide, name="review_decide"),
    path("merges/", review_views.merge_list, name="merge_list"),
    path("merges/<int:pk>/undo/", review_views.merge_undo, name="merge_undo"),
    path("link-requests/", link_request_views.link_request_list, name="link_requests"),
    path("link-requests/<int:pk>/decide/", link_request_views.link_request_decide, name="link_request_decide"),
]
