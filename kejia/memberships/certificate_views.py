"""The membership card with its QR code, and the public verification pages (no login): the
card is read through the scoped selector; the check page shows only what the signed payload
carries (masked name, number, class, dates) plus the registry's verdict."""

import io

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kejia.core import signing
from kejia.core.errors import NotFound
from kejia.memberships import certificates, selectors
from kejia.memberships.choices import CertificateState
from kejia.memberships.models import MemberClass
from kejia.organizations.models import Organization

# Longer input than any token or URL a scanner reads is refused before any parsing.
MAX_INPUT = 2000
STYLES = {CertificateState.VALID: "valid", CertificateState.EXPIRED: "expired", CertificateState.REVOKED: "revoked", CertificateState.FORGED: "forged"}


def _qr(cert) -> segno.QRCode:
    return segno.make(certificates.verification_url(cert), error="m", micro=False)


@login_required
@require_GET
def card(request, pk: int):
    membership = selectors.get_membership_for(request.user, pk)
    cert = certificates.current_certificate(membership)
    if request.GET.get("download") == "svg":
        if cert is None:
            raise NotFound(_("This membership has no card."))
        buffer = io.BytesIO()  # a standalone file: with the XML declaration and namespace, unlike the inline SVG
        _qr(cert).save(buffer, kind="svg", scale=8, border=4, title=certificates.verification_url(cert))
        response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
        response["Content-Disposition"] = f'attachment; filename="kejia-{cert.serial}.svg"'
        return response
    context = {"membership": membership, "cert": cert}
    if cert is not None:
        context["qr_svg"] = _qr(cert).svg_inline(scale=4, border=2, omitsize=True, title=_("Scan to verify"))
        context["verify_url"] = certificates.verification_url(cert)
    # Always 200: a page that explains why there is no card (not active) rather than a bare 404.
    return render(request, "memberships/card.html", context)


@require_GET
def verify_form(request):
    text = (request.GET.get("t") or "").strip()
    error = ""
    if text:
        token = certificates.token_from(text[:MAX_INPUT]) if len(text) <= MAX_INPUT else ""
        if token.startswith(signing.prefixes()) and len(token) <= certificates.MAX_TOKEN:
            return redirect("verify:check", token=token)
        error = _("This is not a Kejia certificate: paste the text or address read from the QR code.")
    return render(request, "memberships/verify_form.html", {"text": text[:MAX_INPUT], "error": error}, status=400 if error else 200)


@require_GET
def keys_json(request):
    response = HttpResponse(certificates.keys_document(), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"  # other systems fetch it from their own pages
    return response


def describe(verdict: certificates.Verdict) -> dict:
    """The payload's fields with names for codes, for display; nothing beyond the signed payload."""
    data = verdict.fields
    if not data or verdict.state == CertificateState.FORGED:
        return {}
    society = Organization.objects.filter(code=data.get("society", "")).only("name").first()
    member_class = None
    if society is not None:
        member_class = MemberClass.objects.filter(society=society, code=data.get("member_class", "")).only("name").first()
    return {
        "society": society.name if society else data.get("society", ""),
        "number": data.get("number", ""),
        "name": data.get("name", ""),
        "member_class": member_class.name if member_class else data.get("member_class", ""),
        "valid_from": data.get("valid_from", ""),
        "valid_until": data.get("valid_until", ""),
        "serial": data.get("serial", ""),
    }


MEMBERSHIP_CERTIFICATE = signing.CertificateKind(
    prefix=certificates.PREFIX, check=certificates.check_certificate, describe=describe, template="memberships/verify.html"
)


@require_GET
def verify(request, token: str):
    # Each kind of certificate registers itself (core/signing.py): membership certificates here,
    # certificates of attendance in kejia/activities. Anything else is checked as a membership one.
    kind = (signing.kind_of(token) if len(token) <= MAX_INPUT else None) or MEMBERSHIP_CERTIFICATE
    if len(token) > MAX_INPUT:
        verdict = certificates.Verdict(CertificateState.FORGED, _("This is not a Kejia certificate."))
    else:
        verdict = kind.check(token)
    template, details = kind.template, kind.describe(verdict)
    response = render(request, template, {"verdict": verdict, "style": STYLES[verdict.state], "details": details})
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"  # a revocation shows at once
    return response
