from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kejia.accounts import notices, registration, services
from kejia.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    RegisterConfirmForm,
    RegisterStartForm,
    ResetConfirmForm,
    ResetRequestForm,
    TokenForm,
)
from kejia.core.errors import DomainError
from kejia.core.http import client_ip
from kejia.core.web import form_error


def login_view(request):
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.log_in(request=request, identifier=form.cleaned_data["identifier"], password=form.cleaned_data["password"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status if exc.status == 429 else 400
        else:
            login(request, user)
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
                target = "home:front"
            return redirect(target)
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


def _profile(request, status=200, **extra):
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "roles": user.roles.select_related("organization").order_by("organization__path"),
            "tokens": services.tokens_of(user),
            "token_form": extra.pop("token_form", None) or TokenForm(),
            "token_days_default": settings.API_TOKEN_LIFETIME_DAYS,
            **extra,
        },
        status=status,
    )


@login_required
def profile_view(request):
    return _profile(request)


@login_required
@require_POST
def token_view(request):
    """Issue an API token and show it once, in this response only (never stored in clear)."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, status=400, token_form=form)
    _token, raw = services.issue_api_token(request.user, name=(form.cleaned_data["name"] or "").strip(), days=form.cleaned_data["days"])
    response = _profile(request, new_token=raw)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = services.revoke_api_token(services.get_token_for(request.user, pk), actor=request.user)
    messages.success(request, _("The token %(prefix)s… was revoked.") % {"prefix": token.prefix})
    return redirect("accounts:profile")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.change_password(request.user, actor=request.user, ip=client_ip(request), **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                update_session_auth_hash(request, request.user)  # this session stays logged in
                messages.success(request, _("Your password was changed."))
                return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = ResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.request_password_reset(identifier=form.cleaned_data["identifier"], ip=client_ip(request))
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("If this account has a phone or e-mail on file, a code was sent to it."))
                request.session["reset_identifier"] = form.cleaned_data["identifier"][:150]
                return redirect("accounts:password_reset_confirm")
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request):
    form = ResetConfirmForm(request.POST or None, initial={"identifier": request.session.get("reset_identifier", "")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.reset_password(ip=client_ip(request), **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                request.session.pop("reset_identifier", None)
                messages.success(request, _("Your password was reset. Log in with the new one."))
                return redirect("accounts:login")
    response = render(request, "accounts/password_reset_confirm.html", {"form": form}, status=status)
    response["Cache-Control"] = "no-store"
    return response


# ---- Notice inbox -------------------------------------------------------------------------

NOTICES_PER_PAGE = 20


@login_required
def notice_list(request):
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(notices.notices_of(request.user, unread_only=unread_only), NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    for notice in page.object_list:
        notice.safe_link = notices.safe_link(notice)
    return render(request, "accounts/notices.html", {"page": page, "unread_only": unread_only, "unread": notices.unread_count(request.user)})


@login_required
def notice_open(request, pk: int):
    """Open a notice: it is marked read and the page it is about opens (the list when it has none)."""
    notice = notices.mark_read(request.user, pk)
    return redirect(notices.safe_link(notice) or "accounts:notices")


def _back_to_list(request):
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "accounts:notices"
    return redirect(target)


@login_required
@require_POST
def notice_read(request, pk: int):
    """Mark one notice read (or unread again with `unread=1`)."""
    if request.POST.get("unread"):
        notices.mark_unread(request.user, pk)
    else:
        notices.mark_read(request.user, pk)
    return _back_to_list(request)


@login_required
@require_POST
def notices_read_all(request):
    count = notices.mark_all_read(request.user)
    messages.success(request, ngettext("%(n)d notice marked read.", "%(n)d notices marked read.", count) % {"n": count})
    return _back_to_list(request)


# ---- Self-registration ---------------------------------------------------------------------

REGISTER_SESSION = "register_contact"


@require_http_methods(["GET", "POST"])
def register(request):
    """Step 1: the phone or e-mail and the consent to the privacy notice; a code goes to it."""
    if request.user.is_authenticated:
        return redirect("home:me")
    form = RegisterStartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                contact = registration.start_registration(contact=form.cleaned_data["contact"], consent=form.cleaned_data["consent"], ip=client_ip(request))
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                request.session[REGISTER_SESSION] = contact.value
                messages.success(request, _("A code was sent to %(to)s. Enter it below to finish.") % {"to": contact.masked})
                return redirect("accounts:register_confirm")
    return render(request, "accounts/register.html", {"form": form, "notice_version": registration.PRIVACY_NOTICE_VERSION}, status=status)


@require_http_methods(["GET", "POST"])
def register_confirm(request):
    """Step 2: the code, the name and a password; the account is made and the profile linked (or
    a review asked)."""
    value = request.session.get(REGISTER_SESSION)
    if not value:
        return redirect("accounts:register")
    contact = registration.parse_contact(value)
    form = RegisterConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                done = registration.complete_registration(contact=value, consent=True, ip=client_ip(request), **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                request.session.pop(REGISTER_SESSION, None)
                login(request, done.user, backend=settings.AUTHENTICATION_BACKENDS[0])
                messages.success(
                    request,
                    {
                        "linked": _("Your account is ready and linked to your profile."),
                        "review": _(
                            "Your account is ready. A profile may be yours: the organization that lists you will check it "
                            "and link it. You will find a notice in your inbox."
                        ),
                        "none": _(
                            "Your account is ready. No profile was found with your name and contact: link it yourself "
                            "below, or ask the organization that lists you."
                        ),
                    }[done.profile],
                )
                return redirect("people:me")
    response = render(request, "accounts/register_confirm.html", {"form": form, "sent_to": contact.masked}, status=status)
    response["Cache-Control"] = "no-store"
    return response
