from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "De gebruikersnaam of het wachtwoord is niet juist. "
            "Let op: beide zijn hoofdlettergevoelig."
        ),
        "inactive": _("Deze login is niet actief."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Gebruikersnaam")
        self.fields["password"].label = _("Wachtwoord")


class RestrictedPageForm(WagtailAdminPageForm):
    def clean(self):
        from .models import Restriction

        cleaned_data = super().clean()
        if cleaned_data.get("restriction") == Restriction.PROFILES and not cleaned_data.get(
            "restriction_profiles"
        ):
            self.add_error(
                "restriction_profiles",
                forms.ValidationError(_("Kies minstens één profiel voor een beveiligde pagina.")),
            )
        return cleaned_data
