from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The username or the password is incorrect. Note: both are case-sensitive."
        ),
        "inactive": _("This login is not active."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")


class AdminLoginForm(WagtailLoginForm):
    """Wagtail's admin login leaves the password label untranslated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")


class RestrictedPageForm(WagtailAdminPageForm):
    def clean(self):
        from .models import Restriction

        cleaned_data = super().clean()
        if cleaned_data.get("restriction") == Restriction.PROFILES and not cleaned_data.get(
            "restriction_profiles"
        ):
            self.add_error(
                "restriction_profiles",
                forms.ValidationError(_("Choose at least one profile for a secured page.")),
            )
        return cleaned_data


class PartnerAccountForm(WagtailAdminModelForm):
    """The agency's edit of an account: a third administrator for a vestiging is refused
    as a form error (the database refuses it anyway)."""

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("is_administrator"):
            return cleaned_data
        account = self.instance
        if cleaned_data.get("vestiging") is None:
            self.add_error("vestiging", _("An administrator belongs to a branch."))
            return cleaned_data
        if {"vestiging", "is_administrator"} & set(self.changed_data):
            account.administrator_slot = None
        account.vestiging = cleaned_data["vestiging"]
        if account.administrator_slot is None:
            try:
                account.free_administrator_slot()
            except forms.ValidationError as error:
                self.add_error("is_administrator", error)
        return cleaned_data
