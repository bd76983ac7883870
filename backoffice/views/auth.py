"""Login, logout and two-factor (TOTP) enrolment and verification."""

from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice.services import audit_record


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong username or password. After %(limit)s failed attempts the account is locked.",
    }

    def get_invalid_login_error(self):
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                     params={"limit": settings.AXES_FAILURE_LIMIT})


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class TokenForm(forms.Form):
    token = forms.CharField(label="6-digit code", max_length=6, min_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "pattern": "[0-9]{6}", "autofocus": True}))

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("The code is six digits.")
        return token


def _qr_svg(url: str) -> str:
    img = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@never_cache
@login_required
def two_factor(request):
    """Verify a TOTP code; users without a confirmed device enrol one first (QR code + secret)."""
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, why = device.verify_is_allowed()
        if not allowed:
            wait = (why or {}).get("locked_until")
            form.add_error("token", "Too many wrong codes. Wait a few seconds and try again." if wait is None else
                           f"Too many wrong codes. Try again after {wait:%H:%M:%S} UTC.")
        elif device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                if enrolling:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    audit_record(actor=user, action="auth.2fa_enrol", target=user)
                otp_login(request, device)
                audit_record(actor=user, action="auth.2fa_verify", target=user)
            if enrolling:
                messages.success(request, "Two-factor authentication is set up.")
            return redirect(_safe_next(request))
        else:
            form.add_error("token", "That code is not valid. Check the time on your phone and try again.")
            audit_record(actor=user, action="auth.2fa_failed", target=user)
    context = {"form": form, "enrolling": enrolling, "next": _safe_next(request), "title": "Two-factor authentication"}
    if enrolling:
        context["qr"] = _qr_svg(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return TemplateResponse(request, "registration/two_factor.html", context)
