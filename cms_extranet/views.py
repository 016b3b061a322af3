from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .access import partner_account, user_profiles
from .conf import agency_text
from .forms import LoginForm
from .models import Profile


def enforce(request, restriction, readable):
    """None when the visitor may read; else the login redirect (anonymous) or a 403 page.

    Any response about something restricted is marked private (see the middleware).
    """
    if not restriction.is_public:
        request.extranet_private = True
    if readable:
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    profiles = Profile.objects.filter(code__in=restriction.profiles).select_related(
        "help_page"
    )
    return TemplateResponse(
        request,
        "cms_extranet/access_denied.html",
        {"required_profiles": profiles, "held_profiles": user_profiles(request.user)},
        status=403,
    )


class LoginView(auth_views.LoginView):
    template_name = "cms_extranet/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Log in")}


class LogoutView(auth_views.LogoutView):
    pass


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
    """django-axes' answer to a blocked login, on the site and in the admin (429)."""
    form = LoginForm(request, data=request.POST or None)
    form._errors = {"__all__": form.error_class([LOCKED_OUT_MESSAGE])}
    return TemplateResponse(
        request, "cms_extranet/login.html", {"form": form, "title": _("Log in")}, status=429
    ).render()
