from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Profile
from .models import TermsForm


class NewUserForm(forms.Form):
    first_name = forms.CharField(label=_("Voornaam"), max_length=150)
    last_name = forms.CharField(label=_("Familienaam"), max_length=150)
    email = forms.EmailField(
        label=_("E-mailadres"),
        help_text=_("Het e-mailadres is ook de login. De gebruiker krijgt hierop een link om een wachtwoord te kiezen."),
        error_messages={"invalid": _("Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.be.")},
    )


class RightsForm(forms.Form):
    """The ticked profiles. Any profile is accepted here, so that one an administrator may
    not request is refused with its reason (actions.refusal), not as an unknown choice."""

    profiles = forms.ModelMultipleChoiceField(
        queryset=Profile.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Verplicht bij een afwijzing; de gebruiker leest ze in de mail."),
    )


class TermsFormUploadForm(forms.ModelForm):
    class Meta:
        model = TermsForm
        fields = ["account", "file"]
        widgets = {"file": forms.FileInput(attrs={"accept": "application/pdf,.pdf"})}

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["account"].label = _("Formulier van")
        self.fields["account"].empty_label = None
        self.fields["account"].error_messages["invalid_choice"] = _(
            "Kies een administrator van je vestiging. Duid de persoon eerst aan als administrator."
        )
