"""The mails of SPEC §8, with their exact subjects.

Queued after the transaction commits, as one django-q2 task per occasion, which sends its
mails in order: a refused or rolled-back change mails nobody, and an unreachable mail server
never fails the person's request (``mail_tasks`` tries again, then lists it as failed).
"""

from urllib.parse import urljoin

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from .. import mail_tasks
from ..conf import agency_text
from ..links import absolute_url

ACCESS_SUBJECT = agency_text(_("%(agency)s: Your access to Extranet"))
GRANTED_SUBJECT = _("No reply: Your requested access rights were granted.")
REJECTED_SUBJECT = _("No reply: Your requested access rights were rejected.")
VESTIGING_ACCESS_SUBJECT = agency_text(
    _("%(agency)s: You can now request access to the Extranet for Payment Institutions")
)
FORM_REJECTED_SUBJECT = agency_text(_("%(agency)s: Your terms of use form was rejected"))


def queue(*mails):
    """``mails``: (mail function, model instance) pairs, sent in this order. Links point
    to the site's public address."""
    site_url = absolute_url()
    refs = [(mail.__name__, obj._meta.label, obj.pk) for mail, obj in mails]
    transaction.on_commit(
        lambda: mail_tasks.queue(f"{__name__}.deliver", site_url, refs, group="extranet_access")
    )


def deliver(site_url, refs):
    for name, label, pk in refs:
        MAILS[name](site_url, apps.get_model(label).objects.get(pk=pk))


def _send(site_url, user, subject, template, **context):
    if not user.email:
        return
    body = render_to_string(f"extranet_access/mail/{template}.txt", {"user": user, "site_url": site_url, **context})
    send_mail(str(subject), body, None, [user.email])


def password_url(site_url, user):
    """A single-use link to set the password; it expires after PASSWORD_RESET_TIMEOUT and
    once the password changes (Django's password reset token)."""
    path = reverse(
        "extranet_access:set_password",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    return urljoin(site_url, path)


def access(site_url, user):
    _send(
        site_url, user, ACCESS_SUBJECT, "access",
        password_url=None if user.has_usable_password() else password_url(site_url, user),
        login_url=urljoin(site_url, reverse("extranet:login")),
    )


def granted(site_url, access_request):
    _send(site_url, access_request.account.user, GRANTED_SUBJECT, "granted", access_request=access_request)


def rejected(site_url, access_request):
    _send(site_url, access_request.account.user, REJECTED_SUBJECT, "rejected", access_request=access_request)


def vestiging_access(site_url, user):
    _send(site_url, user, VESTIGING_ACCESS_SUBJECT, "vestiging_access",
          toegangsbeheer_url=urljoin(site_url, reverse("extranet_access:index")))


def form_rejected(site_url, form):
    _send(site_url, form.account.user, FORM_REJECTED_SUBJECT, "form_rejected", form=form,
          onboarding_url=urljoin(site_url, reverse("extranet_access:onboarding")))


MAILS = {mail.__name__: mail for mail in (access, granted, rejected, vestiging_access, form_rejected)}
