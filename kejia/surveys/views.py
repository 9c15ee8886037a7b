"""Surveys pages. (Skeleton: the real views replace this placeholder.)"""

from django.shortcuts import render


def home(request):
    return render(request, "surveys/home.html", {})
