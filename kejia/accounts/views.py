from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kejia.accounts.forms import LoginForm
from kejia.accounts.services import issue_api_token, log_in
from kejia.core.errors import DomainError


def login_view(request):
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = log_in(request=request, identifier=form.cleaned_data["identifier"], password=form.cleaned_data["password"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status if exc.status == 429 else 400
        else:
            login(request, user)
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
                target = "organizations:home"
            return redirect(target)
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


def _profile(request, **extra):
    user = request.user
    return render(request, "accounts/profile.html", {
        "roles": user.roles.select_related("organization").order_by("organization__path"),
        "tokens": user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at"),
        **extra,
    })


@login_required
def profile_view(request):
    return _profile(request)


@login_required
@require_POST
def token_view(request):
    """Issue an API token and show it once, in this response only (never stored in clear)."""
    _token, raw = issue_api_token(request.user, name=(request.POST.get("name") or "").strip()[:64])
    response = _profile(request, new_token=raw)
    response["Cache-Control"] = "no-store"
    return response
