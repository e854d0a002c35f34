from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from . import services, twofactor, views_two_factor
from .access import WRITE_ADMIN, invitation_for, organisation_access
from .forms import InvitationForm, InvitationSignupForm, ProfileForm, ThrottledAuthenticationForm, client_ip
from .models import User
from .selectors import invitation_by_token, invitations_open, organisation_members, organisations_of


class LoginView(auth_views.LoginView):
    """Django's login view with the database-backed throttle; a refused attempt answers 429.

    With two-factor sign-in the password only opens the code step (views_two_factor.login_code);
    a CB staff member without an authenticator is logged in but held on the enrolment page."""

    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True  # the registry's published pages offer 登录 to everyone

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.two_factor_of(user) is not None:
            backend = getattr(user, "backend", "django.contrib.auth.backends.ModelBackend")
            views_two_factor.start_pending(self.request, user, backend=backend, next_url=self.get_success_url())
            return redirect("login_code")
        response = super().form_valid(form)
        services.login_failures_clear(username=user.get_username())
        views_two_factor.session_for_staff(self.request, user)
        if twofactor.two_factor_required(user):
            views_two_factor.mark_enrol_required(self.request)
            return redirect("two_factor_setup")
        views_two_factor.mark_password_only(self.request)
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view with limits (services.password_reset_request): at most
    PASSWORD_RESET_LIMIT_PER_ADDRESS mails to one address per window, answered exactly as a sent
    mail (so the answer never tells whether an account has the address); past
    PASSWORD_RESET_LIMIT_PER_CLIENT requests from one client address, 429."""

    def form_valid(self, form):
        try:
            allowed = services.password_reset_request(email=form.cleaned_data["email"], ip=client_ip(self.request))
        except services.ResetRefused:
            form.add_error(None, _("Too many password-reset requests from this network. Try again later."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        if not allowed:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """After a new password is set, failed logins for the user name no longer count against it."""

    def form_valid(self, form):
        services.login_failures_clear(username=form.user.get_username())
        return super().form_valid(form)


@require_POST
def language_switch(request):
    """The header's language switcher: Django's set_language (cookie), and the user's profile too."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in services.LANGUAGE_CODES:
        services.user_language_set(user=request.user, language=language, by=request.user)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, initial={"display_name": user.display_name, "language": user.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(user=user, by=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if user.language:
                translation.activate(user.language)
            messages.success(request, _("Your profile is saved."))
            response = redirect("profile")
            if not user.language:  # "as my browser asks": forget an earlier switch too
                response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
            else:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                )
            return response
    context = {"form": form, "two_factor_on": twofactor.two_factor_of(user) is not None}
    return render(request, "accounts/profile.html", context)


@login_required
@require_GET
def organisation_home(request):
    """The user's organisation page, or the list to choose from when they belong to several."""
    organisations = list(organisations_of(request.user))
    if len(organisations) == 1:
        return redirect("organisation_detail", pk=organisations[0].pk)
    return render(request, "accounts/organisation_list.html", {"organisations": organisations})


def _organisation_page(request, access, form=None, status=200):
    organisation, is_admin = access.obj, access.can(WRITE_ADMIN)
    context = {
        "organisation": organisation,
        "members": organisation_members(organisation),
        "is_admin": is_admin,
        "now": timezone.now(),
        "ttl_days": settings.INVITATION_TTL_DAYS,
    }
    if is_admin:
        context["invitations"] = invitations_open(organisation)
        context["form"] = form or InvitationForm(organisation=organisation)
    return render(request, "accounts/organisation_detail.html", context, status=status)


@login_required
@require_GET
def organisation_detail(request, pk: int):
    return _organisation_page(request, organisation_access(request, pk))


@login_required
@require_POST
def invitation_new(request, pk: int):
    access = organisation_access(request, pk, admin=True)
    organisation = access.obj
    form = InvitationForm(request.POST, organisation=organisation)
    if not form.is_valid():
        return _organisation_page(request, access, form, status=400)
    try:
        services.invitation_create(
            organisation=organisation, by=request.user, site_url=request.build_absolute_uri("/"), **form.cleaned_data
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _organisation_page(request, access, form, status=400)
    except (OSError, ValueError):  # SMTP and network errors; ValueError: a header the mail refuses
        form.add_error(None, _("The invitation e-mail could not be sent, so no invitation was made. Try again later."))
        return _organisation_page(request, access, form, status=503)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("organisation_detail", pk=organisation.pk)


@login_required
@require_POST
def invitation_revoke(request, pk: int, invitation_id: int):
    invitation = invitation_for(request, pk, invitation_id)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
        messages.success(request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email})
    except services.InvitationUnusable:
        messages.error(request, _("This invitation was already accepted or revoked."))
    return redirect("organisation_detail", pk=pk)


INVALID = {
    "expired": (410, _("This invitation has expired")),
    "used": (410, _("This invitation has already been used")),
    "revoked": (410, _("This invitation was withdrawn")),
}


def _invitation_invalid(request, reason: str, invitation=None):
    status, title = INVALID.get(reason, (404, _("This invitation link is not valid")))
    context = {"reason": reason, "title": title, "invitation": invitation}
    return render(request, "accounts/invitation_invalid.html", context, status=status)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """Anyone holding the link: a visitor creates an account (with the invited address), a
    logged-in user joins with theirs if its address is the invited one and the role does not put
    the account on both sides (services.invitation_refusal says why not: 403)."""
    invitation = invitation_by_token(token)
    if invitation is None:
        return _invitation_invalid(request, "unknown")
    state = invitation.state(timezone.now())
    if state != "pending":
        return _invitation_invalid(request, state, invitation)
    form, refusal = None, ""
    if not request.user.is_authenticated:
        form = InvitationSignupForm(request.POST or None, instance=User(email=invitation.email))
    else:
        refusal = services.invitation_refusal(invitation=invitation, user=request.user)
    context = {"invitation": invitation, "form": form, "refusal": refusal}
    if request.method == "POST":
        if refusal:
            return render(request, "accounts/invitation_accept.html", context, status=403)
        try:
            if form is None:
                services.invitation_accept(invitation=invitation, user=request.user)
            elif form.is_valid():
                user = services.invitation_accept_new_user(
                    invitation=invitation,
                    username=form.cleaned_data["username"],
                    display_name=form.cleaned_data["display_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                views_two_factor.mark_password_only(request)
            else:
                return render(request, "accounts/invitation_accept.html", context, status=400)
        except services.InvitationUnusable as exc:
            return _invitation_invalid(request, exc.reason, invitation)
        except ValidationError as exc:  # refused meanwhile (the checks run again in the transaction)
            context["refusal"] = " ".join(exc.messages)
            return render(request, "accounts/invitation_accept.html", context, status=403)
        if twofactor.two_factor_required(request.user) and twofactor.two_factor_of(request.user) is None:
            # joined a certification body: enrol an authenticator before anything else
            views_two_factor.mark_enrol_required(request)
        messages.success(
            request,
            _("You are now a member of %(organisation)s.") % {"organisation": invitation.organisation.name},
        )
        return redirect("organisation_detail", pk=invitation.organisation_id)
    return render(request, "accounts/invitation_accept.html", context)
