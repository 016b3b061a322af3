from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Mailing, MailingPreference


class MailingForm(forms.ModelForm):
    mailing = forms.ChoiceField(
        label=_("Mailing"),
        choices=Mailing.choices,
        widget=forms.RadioSelect,
        help_text=_("How often you get a mail about changes to the pages you follow."),
    )

    class Meta:
        model = MailingPreference
        fields = ["mailing"]


class DigestPreviewForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("User"),
        queryset=get_user_model().objects.filter(extranet_follows__isnull=False).distinct().order_by("username"),
        help_text=_("Users who follow at least one page."),
    )
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=[(Mailing.DAILY, Mailing.DAILY.label), (Mailing.WEEKLY, Mailing.WEEKLY.label)],
    )
