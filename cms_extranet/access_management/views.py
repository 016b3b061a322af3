from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.utils.text import capfirst
from django.views.generic import FormView, TemplateView, View
from wagtail_modeladmin.views import CreateView, InstanceSpecificView

from ..access import partner_account
from ..conf import agency_text, extranet_settings
from ..models import PartnerAccount, Profile
from . import actions, mails
from .forms import DecisionForm, NewUserForm, RightsForm, TermsFormUploadForm
from .models import AccessRequest, FormSource, FormStatus, TermsForm


class AdministratorRequiredMixin(LoginRequiredMixin):
    """Toegangsbeheer: administrators of a vestiging, about the users of that vestiging only.

    Anyone else gets a 403 that says why; anything of another vestiging is a 404.
    """

    form_not_required = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        request.extranet_private = True
        self.administrator = partner_account(request.user)
        if not actions.administers(self.administrator):
            return self.refuse(_("Access management is only for the administrators of a branch of a partner organisation."))
        if not self.form_not_required and actions.needs_accepted_form(self.administrator):
            return self.refuse(
                _("You can use Access management as soon as %(agency)s has accepted your terms of use form.")
                % {"agency": extranet_settings.AGENCY_NAME},
                onboarding=True,
            )
        return super().dispatch(request, *args, **kwargs)

    def refuse(self, message, onboarding=False):
        return TemplateResponse(
            self.request,
            "extranet_access/refused.html",
            {"title": _("Access management"), "message": message, "onboarding": onboarding},
            status=403,
        )

    @property
    def vestiging(self):
        return self.administrator.vestiging

    def accounts(self):
        return PartnerAccount.objects.filter(vestiging=self.vestiging).select_related("user").order_by(
            "user__last_name", "user__first_name", "user__username"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(vestiging=self.vestiging, **kwargs)


def requestable_profiles():
    return list(Profile.objects.filter(requestable=True))


class IndexView(AdministratorRequiredMixin, TemplateView):
    template_name = "extranet_access/index.html"
    extra_context = {"title": _("Access management")}

    def get_context_data(self, **kwargs):
        accounts = list(self.accounts())
        states = actions.open_requests(accounts)
        profiles = requestable_profiles()
        rows = [
            (account, [(profile, states[account.pk].get(profile)) for profile in profiles])
            for account in accounts
        ]
        organisation = self.vestiging.organisation
        return super().get_context_data(
            rows=rows, profiles=profiles, organisation=organisation, **kwargs
        )


class UserCreateView(AdministratorRequiredMixin, FormView):
    template_name = "extranet_access/user_create.html"
    form_class = NewUserForm
    extra_context = {"title": pgettext_lazy("access management", "Add user")}

    def form_valid(self, form):
        try:
            account = actions.create_user(self.request, self.administrator, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("email", error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(user)s has been created and receives a mail with the login and a link to choose a password.")
            % {"user": account},
        )
        return HttpResponseRedirect(reverse("extranet_access:user", args=[account.pk]))


class UserView(AdministratorRequiredMixin, FormView):
    """One user of the vestiging: tick the profiles they need; unticking withdraws one."""

    template_name = "extranet_access/user.html"
    form_class = RightsForm

    def get_account(self):
        if not hasattr(self, "account"):
            self.account = get_object_or_404(self.accounts(), pk=self.kwargs["pk"])
        return self.account

    def get_context_data(self, **kwargs):
        account = self.get_account()
        states = actions.open_requests([account])[account.pk]
        form = kwargs.get("form") or self.get_form()
        if form.is_bound:
            ticked = {str(pk) for pk in form.data.getlist("profiles")}
        else:
            ticked = {str(profile.pk) for profile in states}
        choices = [
            {
                "profile": profile,
                "state": states.get(profile),
                "ticked": str(profile.pk) in ticked,
                "refusal": None if profile in states else actions.refusal(account, profile),
            }
            for profile in requestable_profiles()
        ]
        history = AccessRequest.objects.filter(account=account).select_related("profile", "requested_by", "decided_by")
        return super().get_context_data(
            title=str(account), account=account, choices=choices, history=history, **kwargs
        )

    def form_valid(self, form):
        account = self.get_account()
        try:
            new = actions.set_requests(self.request, account, form.cleaned_data["profiles"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        except IntegrityError:  # the same request, made at the same moment elsewhere
            form.add_error(None, _("The accesses of this user were changed in the meantime. Look at them and try again."))
            return self.form_invalid(form)
        pending = [p.name for p in new if p.needs_approval]
        if pending:
            messages.success(
                self.request,
                _("The request for %(profiles)s is waiting for approval by %(agency)s.")
                % {"profiles": ", ".join(pending), "agency": extranet_settings.AGENCY_NAME},
            )
        messages.success(self.request, _("The accesses of %(user)s have been saved.") % {"user": account})
        return HttpResponseRedirect(reverse("extranet_access:user", args=[account.pk]))


class AdministratorView(AdministratorRequiredMixin, View):
    """POST ``administrator=1`` appoints the user, ``0`` relieves them."""

    http_method_names = ["post"]

    def post(self, request, pk):
        account = get_object_or_404(self.accounts(), pk=pk)
        value = request.POST.get("administrator") == "1"
        if account.pk == self.administrator.pk and not value:
            messages.error(
                request,
                _("You cannot withdraw your own administrator role. Ask the other administrator or %(agency)s.")
                % {"agency": extranet_settings.AGENCY_NAME},
            )
        else:
            try:
                actions.set_administrator(request, account, value)
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(
                    request,
                    (_("%(user)s is now an administrator.") if value else _("%(user)s is no longer an administrator."))
                    % {"user": account},
                )
        return HttpResponseRedirect(reverse("extranet_access:user", args=[account.pk]))


class AccessMailView(AdministratorRequiredMixin, View):
    """Mails the user their login and a new password link, e.g. when the old one expired."""

    http_method_names = ["post"]

    def post(self, request, pk):
        account = get_object_or_404(self.accounts(), pk=pk)
        mails.queue((mails.access, account.user))
        messages.success(request, _("%(user)s receives a mail with the login and a link again.") % {"user": account})
        return HttpResponseRedirect(reverse("extranet_access:user", args=[account.pk]))


class SubmitTermsFormMixin:
    source = FormSource.UPLOAD
    success_message = agency_text(_("The form has been submitted. %(agency)s reviews it and lets you know the result."))

    def form_valid(self, form):
        try:
            actions.submit_form(self.request, form.cleaned_data["account"], form.cleaned_data["file"], self.source)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class OnboardingView(SubmitTermsFormMixin, AdministratorRequiredMixin, FormView):
    """Access to Extranet voor Uitbetalingsinstellingen: each administrator's signed form."""

    template_name = "extranet_access/onboarding.html"
    form_class = TermsFormUploadForm
    form_not_required = True
    extra_context = {"title": _("Extranet for Payment Institutions")}

    def get(self, request, *args, **kwargs):
        return self.refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        chosen = request.POST.get("account", "")
        if chosen and not self.accounts().filter(pk=int(chosen) if chosen.isascii() and chosen.isdigit() else None).exists():
            raise Http404
        return self.refusal() or super().post(request, *args, **kwargs)

    def refusal(self):
        """An organisation that is not an uitbetalingsinstelling cannot start this."""
        if not self.vestiging.organisation.is_uitbetalingsinstelling:
            return self.refuse(actions.form_refusal(self.administrator))
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "accounts": self.accounts().filter(is_administrator=True)}

    def get_initial(self):
        return {"account": self.administrator}

    def get_context_data(self, **kwargs):
        administrators = list(self.accounts().filter(is_administrator=True))
        forms = TermsForm.objects.filter(account__in=administrators).select_related("account__user")
        return super().get_context_data(
            administrators=administrators,
            forms=forms,
            accepted={f.account_id for f in forms if f.status == FormStatus.ACCEPTED},
            **kwargs,
        )

    def get_success_url(self):
        return reverse("extranet_access:onboarding")


class TermsFormFileView(LoginRequiredMixin, View):
    """The signed PDF, for the agency and for whoever uploaded it; for anyone else it does
    not exist."""

    def get(self, request, pk):
        form = get_object_or_404(TermsForm, pk=pk)
        if not (request.user.has_perm("extranet_access.view_termsform") or form.submitted_by_id == request.user.pk):
            raise Http404
        request.extranet_private = True
        response = FileResponse(
            form.file.open("rb"), as_attachment=True, filename=f"formulier-gebruiksvoorwaarden-{form.pk}.pdf",
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The mailed link: choose a password once, then log in."""

    template_name = "extranet_access/set_password.html"
    success_url = reverse_lazy("extranet:login")
    extra_context = {"title": _("Choose your password")}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been set. Now log in with your login and your new password."))
        return response


class DecisionView(InstanceSpecificView):
    """The agency approves or rejects a pending request or form, with a reason."""

    template_name = "extranet_access/admin/decision.html"
    decide = None  # actions.decide or actions.review_form
    summary_fields = ()

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_decide(user, self.instance)

    def get_page_title(self):
        return _("Decide")

    def get_context_data(self, **kwargs):
        summary = [
            (capfirst(self.opts.get_field(name).verbose_name), getattr(self.instance, f"get_{name}_display", lambda: getattr(self.instance, name))())
            for name in self.summary_fields
        ]
        return super().get_context_data(summary=summary, form=kwargs.pop("form", None) or DecisionForm(), **kwargs)

    def post(self, request, *args, **kwargs):
        form = DecisionForm(request.POST)
        form.is_valid()
        approve = request.POST.get("besluit") == "goedkeuren"
        try:
            type(self).decide(request, self.instance, approve, form.cleaned_data.get("reason", ""))
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            (_("Approved: %(object)s.") if approve else _("Rejected: %(object)s.")) % {"object": self.instance},
        )
        return HttpResponseRedirect(self.index_url)


class AccessRequestDecisionView(DecisionView):
    decide = actions.decide
    summary_fields = ("account", "profile", "requested_by", "requested_at")


class TermsFormDecisionView(DecisionView):
    decide = actions.review_form
    summary_fields = ("account", "source", "submitted_by", "submitted_at")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            file_url=reverse("extranet_access:terms_form_file", args=[self.instance.pk]), **kwargs
        )


class RecordTermsFormView(SubmitTermsFormMixin, CreateView):
    """The agency records a signed form it received by post or mail."""

    source = FormSource.MAIL
    success_message = _("The form has been recorded and is waiting for review.")
