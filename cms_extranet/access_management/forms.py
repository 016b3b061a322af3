from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Profile
from .models import TermsForm


class NewUserForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The email address is also the login. The user receives a link at it to choose a password."),
        error_messages={"invalid": _("Enter a valid email address, for example name@organisation.be.")},
    )


class RightsForm(forms.Form):
    """The ticked profiles. Any profile is accepted here, so that one an administrator may
    not request is refused with its reason (actions.refusal), not as an unknown choice."""

    profiles = forms.ModelMultipleChoiceField(
        queryset=Profile.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a rejection; the user reads it in the mail."),
    )


class TermsFormUploadForm(forms.ModelForm):
    class Meta:
        model = TermsForm
        fields = ["account", "file"]
        widgets = {"file": forms.FileInput(attrs={"accept": "application/pdf,.pdf"})}

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["account"].label = _("Form of")
        self.fields["account"].empty_label = None
        self.fields["account"].error_messages["invalid_choice"] = _(
            "Choose an administrator of your branch. Appoint the person as administrator first."
        )
