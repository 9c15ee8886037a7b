from django.shortcuts import render

from kejia.memberships import selectors


def detail(request, pk: int):
    membership = selectors.get_membership_for(request.user, pk)
    return render(request, "memberships/detail.html", {"membership": membership})
