import copy
from dataclasses import dataclass, field
from importlib import import_module

import swapper
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.defaults import page_not_found
from django.views.generic import TemplateView

from .access import (
    StandIn,
    effective_restriction,
    partner_account,
    readable_pages,
    user_profiles,
)
from .conf import agency_text, extranet_settings
from .forms import LoginForm
from .models import Profile

NO_ACCESS_TITLE = _("You have no access to this page")
NO_ACCESS_EXPLANATION = _(
    "This page is secured. You are logged in, but your profile gives no access to this information."
)
NO_ACCESS_ADVICE = _(
    "If you work at a partner organisation, the administrator of your branch requests the "
    "access for you in Access management."
)
LOGIN_REQUIRED = _("This page is secured. Log in to read it.")


@dataclass(frozen=True)
class Denial:
    """Why a visitor may not read something: they must log in first (``login_url``), or
    they are logged in and hold none of the ``required_profiles``."""

    login_url: str = ""
    required_profiles: list = field(default_factory=list)
    held_profiles: frozenset = frozenset()

    @property
    def login_required(self):
        return bool(self.login_url)


def denial(request, restriction, readable, next_path=None):
    """None when the visitor may read; else the Denial that the site and the API answer.

    ``next_path`` is where the login leads back to (default: this request's address). Any
    answer about something restricted is marked private (see the middleware).
    """
    if not restriction.is_public:
        request.extranet_private = True
    if readable:
        return None
    if not request.user.is_authenticated:
        return Denial(login_url=redirect_to_login(next_path or request.get_full_path()).url)
    profiles = Profile.objects.filter(code__in=restriction.profiles).select_related("help_page")
    return Denial(required_profiles=list(profiles), held_profiles=user_profiles(request.user))


def page_denial(request, page, next_path=None):
    """``denial`` for a page already loaded: its path decides, no query for the page."""
    readable = bool(readable_pages(request.user, [page]))
    return denial(request, effective_restriction(page), readable, next_path)


def denial_response(request, reason):
    """The rendered site's answer to a Denial: the login redirect, or the 403 page."""
    if reason is None:
        return None
    if reason.login_required:
        return HttpResponseRedirect(reason.login_url)
    return TemplateResponse(
        request,
        "cms_extranet/access_denied.html",
        {
            "required_profiles": reason.required_profiles,
            "held_profiles": reason.held_profiles,
            "no_access_title": NO_ACCESS_TITLE,
            "no_access_explanation": NO_ACCESS_EXPLANATION,
            "no_access_advice": NO_ACCESS_ADVICE,
        },
        status=403,
    )


def enforce(request, restriction, readable):
    """None when the visitor may read; else the login redirect (anonymous) or a 403 page."""
    return denial_response(request, denial(request, restriction, readable))


def provider_login():
    """Whether the login through the identity provider (cms_extranet.sso) is on."""
    if not apps.is_installed("cms_extranet.sso"):
        return False
    from .sso import provider

    return provider.configured()


class LoginView(auth_views.LoginView):
    template_name = "cms_extranet/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Log in")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if provider_login():
            context["provider_name"] = extranet_settings.OIDC_PROVIDER_NAME
        return context


class LogoutView(auth_views.LogoutView):
    """Also at the provider, for a session that began there (RP-initiated logout)."""

    def post(self, request, *args, **kwargs):
        provider_url = None
        if request.session.get("oidc_id_token") and provider_login():
            from .sso import provider

            provider_url = provider.logout_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_url) if provider_url else response


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "cms_extranet/profile.html"
    extra_context = {"title": _("Profile")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account"] = partner_account(self.request.user)
        context["profiles"] = Profile.objects.filter(
            code__in=user_profiles(self.request.user)
        )
        return context


LOCKED_OUT_MESSAGE = agency_text(
    _(
        "A wrong password was entered too often. For safety, logging in is blocked for an "
        "hour. Try again later or ask %(agency)s to unblock your login."
    )
)


def locked_out(request, credentials, *args, **kwargs):
    """django-axes' answer to a blocked login, on the site, in the admin and in the API (429)."""
    match = request.resolver_match
    if match is not None and match.app_name == "extranet_api":
        return JsonResponse({"detail": str(LOCKED_OUT_MESSAGE)}, status=429)
    form = LoginForm(request, data=request.POST or None)
    form._errors = {"__all__": form.error_class([LOCKED_OUT_MESSAGE])}
    return TemplateResponse(
        request, "cms_extranet/login.html", {"form": form, "title": _("Log in")}, status=429
    ).render()


def preview_request(request, user):
    """A copy of the editor's request for showing what ``user`` (a StandIn, a partner, or an
    anonymous visitor) would get: its own unsaved session and no messages, so that rendering
    for it reads and writes nothing of the editor's."""
    preview = copy.copy(request)
    preview.user = user
    preview.auser = lambda: _awaitable(user)
    preview.session = import_module(settings.SESSION_ENGINE).SessionStore()
    preview._messages = []
    return preview


async def _awaitable(value):
    return value


class PreviewAsForm(forms.Form):
    visitor = forms.ChoiceField(
        label=_("Show the page to"),
        choices=[
            ("profiles", _("A partner with these profiles")),
            ("partner", _("An existing partner")),
            ("anonymous", _("A visitor who is not logged in")),
        ],
        initial="profiles",
        widget=forms.RadioSelect,
    )
    profiles = forms.ModelMultipleChoiceField(
        Profile.objects.all(), to_field_name="code", required=False, label=_("Profiles"),
        widget=forms.CheckboxSelectMultiple,
    )
    # Partners only: an agency account would show what staff may read, not a partner.
    partner = forms.ModelChoiceField(
        get_user_model().objects.filter(
            is_active=True, is_staff=False, is_superuser=False, partner_account__isnull=False
        ),
        to_field_name="username", required=False, label=_("Username of the partner"),
        widget=forms.TextInput,
        error_messages={"invalid_choice": _("No active partner has this username.")},
    )
    q = forms.CharField(label=_("And search the site for"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("visitor") == "partner" and not data.get("partner") and "partner" not in self.errors:
            self.add_error("partner", _("Enter the username of a partner."))
        return data

    def stand_in(self):
        """The visitor to show: never logged in, never saved."""
        visitor = self.cleaned_data["visitor"]
        if visitor == "anonymous":
            return AnonymousUser()
        if visitor == "partner":
            return self.cleaned_data["partner"]
        return StandIn(profile.code for profile in self.cleaned_data["profiles"])


class PreviewAsMixin:
    """"Bekijk als": only for admin users who may edit the page (Wagtail's permissions). A
    page that is not there is refused alike, so that a refusal tells nothing of pages."""

    def dispatch(self, request, page_id, *args, **kwargs):
        Page = swapper.load_model("wagtailcore", "Page")
        page = Page.objects.filter(pk=page_id, depth__gt=1).first()
        if page is None or not page.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        self.page = page.specific
        self.form = PreviewAsForm(request.GET or None)
        self.visitor = self.form.stand_in() if self.form.is_valid() else None
        response = super().dispatch(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    def visit(self):
        """The visitor's request, and the Denial they get for the page (None: they read it)."""
        preview = preview_request(self.request, self.visitor)
        return preview, page_denial(preview, self.page)


PREVIEW_OUTCOMES = {
    "page": _("This visitor gets the page."),
    "login": _("This visitor is sent to the login page: the page is secured."),
    "refused": _("This visitor is refused (403): none of their profiles gives access to this page."),
    "not_live": _("This page is not published: every visitor gets ‘page not found’ (404)."),
}


class PreviewAsView(PreviewAsMixin, TemplateView):
    """The page as a partner with chosen profiles, an existing partner, or an anonymous
    visitor would get it, and the site's search for a word as they would see it. It uses
    the trunk with that visitor; the editor stays logged in as themselves."""

    template_name = "cms_extranet/admin/preview_as.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(page=self.page, form=self.form, **kwargs)
        if self.visitor is None:
            return context
        preview, reason = self.visit()
        if not self.page.live:
            outcome = "not_live"
        elif reason is None:
            outcome = "page"
        else:
            outcome = "login" if reason.login_required else "refused"
        context.update(
            outcome=outcome,
            outcome_text=PREVIEW_OUTCOMES[outcome],
            frame_url=f"{reverse('extranet_preview_as_frame', args=[self.page.pk])}?{self.request.GET.urlencode()}",
        )
        if self.form.cleaned_data["q"] and apps.is_installed("search"):
            from search.backends import SearchUnavailable
            from search.views import search

            try:
                query, found, results = search(preview, self.form.cleaned_data["q"])
            except SearchUnavailable:
                context.update(search_query=self.form.cleaned_data["q"], search_unavailable=True)
            else:
                context.update(search_query=query, search_results=results, search_count=found.paginator.count if found else 0)
        return context


@method_decorator(xframe_options_sameorigin, name="dispatch")
class PreviewAsFrameView(PreviewAsMixin, View):
    """What the visitor gets for the page: the page, the 403 page, word of the login, or
    the site's 404 for a page that is not published."""

    def get(self, request):
        if self.visitor is None:
            raise Http404
        preview, reason = self.visit()
        if not self.page.live:
            return page_not_found(preview, Http404())
        if reason is not None and reason.login_required:
            return TemplateResponse(preview, "cms_extranet/admin/preview_login.html", {"page": self.page})
        return denial_response(preview, reason) or self.page.serve(preview)
