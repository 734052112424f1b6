from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import translate_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import AccountDeleteForm, ProfileForm, ResidentClaimForm, VerifyForm
from accounts.models import ResidentClaim
from accounts.selectors import resident_claim_latest
from accounts.services import (
    VerificationError,
    account_erase,
    profile_update,
    residence_verify,
    resident_claim_submit,
)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = profile_update(
            user=request.user, **{name: form.cleaned_data[name] for name in form.changed_data}
        )
        messages.success(request, _("Your profile is saved."))
        # The page comes back in the language the person just chose.
        return redirect(translate_url(request.path, user.language))
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "claim": resident_claim_latest(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    form = VerifyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record = residence_verify(
                user=request.user,
                national_id=form.cleaned_data["national_id"],
                birth_year=form.cleaned_data["birth_year"],
            )
        except VerificationError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                _("You are verified as a citizen of %(community)s.")
                % {"community": record.community.name},
            )
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "claim": resident_claim_latest(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_claim(request):
    latest = resident_claim_latest(request.user)
    pending = latest is not None and latest.status == ResidentClaim.Status.PENDING
    form = ResidentClaimForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not pending and form.is_valid():
        try:
            resident_claim_submit(user=request.user, **form.cleaned_data)
        except VerificationError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request, _("Thank you. Staff will check your claim and tell you by e-mail.")
            )
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/resident_claim.html",
        {"form": form, "claim": latest, "pending": pending},
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        account_erase(user=request.user)
        logout(request)
        messages.success(request, _("Your account is deleted and your personal data erased."))
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})
