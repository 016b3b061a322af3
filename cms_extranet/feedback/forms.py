from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import MESSAGE_MAX_LENGTH

HONEYPOT_FIELD = "website"
HONEYPOT_MESSAGE = _(
    "Your message was not sent: the field 'Leave this field empty' was filled in. "
    "That field keeps spam robots out. Your text is still below; send it again."
)


class HoneypotInput(forms.TextInput):
    """Always rendered empty: a person whose browser filled it in can simply resend."""

    def format_value(self, value):
        return None


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=format_lazy(_("At most {max} characters."), max=MESSAGE_MAX_LENGTH),
        error_messages={
            "required": _("Write your message."),
            "max_length": _(
                "Your message is too long: at most %(limit_value)d characters, it has %(show_value)d."
            ),
        },
    )
    name = forms.CharField(
        label=_("Name (optional)"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Your name may be at most %(limit_value)d characters long.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        help_text=_("Only if you want a reply."),
        error_messages={
            "invalid": _("Enter a valid email address, for example name@example.com."),
            "max_length": _("This email address is too long."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
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
