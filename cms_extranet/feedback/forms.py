from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import MESSAGE_MAX_LENGTH

HONEYPOT_FIELD = "website"
HONEYPOT_MESSAGE = _(
    "Je bericht werd niet verstuurd: het veld 'Laat dit veld leeg' was ingevuld. "
    "Dat veld houdt spamrobots tegen. Je tekst staat hieronder nog; verstuur hem opnieuw."
)


class HoneypotInput(forms.TextInput):
    """Always rendered empty: a person whose browser filled it in can simply resend."""

    def format_value(self, value):
        return None


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("Bericht"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=format_lazy(_("Maximaal {max} tekens."), max=MESSAGE_MAX_LENGTH),
        error_messages={
            "required": _("Schrijf je bericht."),
            "max_length": _(
                "Je bericht is te lang: maximaal %(limit_value)d tekens, het zijn er %(show_value)d."
            ),
        },
    )
    name = forms.CharField(
        label=_("Naam (niet verplicht)"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Je naam mag maximaal %(limit_value)d tekens lang zijn.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mailadres (niet verplicht)"),
        required=False,
        help_text=_("Alleen als je een antwoord wil."),
        error_messages={
            "invalid": _("Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.be."),
            "max_length": _("Dit e-mailadres is te lang."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = forms.CharField(
        label=_("Laat dit veld leeg"),
        required=False,
        widget=HoneypotInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser would cut a longer pasted text without a word; the server says so
        # instead, and keeps the whole text.
        self.fields["message"].widget.attrs.pop("maxlength", None)

    @property
    def honeypot(self):
        return self[HONEYPOT_FIELD]

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != HONEYPOT_FIELD]

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get(HONEYPOT_FIELD, "").strip():
            raise forms.ValidationError(HONEYPOT_MESSAGE, code="honeypot")
        return cleaned_data
