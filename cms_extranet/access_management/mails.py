"""The mails of SPEC §8, with their exact subjects. Sent after the transaction commits:
a refused or rolled-back change mails nobody."""

from functools import partial

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

ACCESS_SUBJECT = "VDAB: Je toegang tot Extranet"
GRANTED_SUBJECT = "No reply: Je aangevraagde toegangsrechten werden toegekend."
REJECTED_SUBJECT = "No reply: Je aangevraagde toegangsrechten werden afgewezen."
VESTIGING_ACCESS_SUBJECT = _("VDAB: Je kan nu toegang tot Extranet voor Uitbetalingsinstellingen aanvragen")
FORM_REJECTED_SUBJECT = _("VDAB: Je formulier gebruiksvoorwaarden werd afgewezen")


def on_commit(mail, request, *args):
    transaction.on_commit(partial(mail, request, *args))


def _send(request, user, subject, template, **context):
    if not user.email:
        return
    body = render_to_string(
        f"extranet_access/mail/{template}.txt",
        {"user": user, "site_url": request.build_absolute_uri("/"), **context},
    )
    send_mail(str(subject), body, None, [user.email])


def password_url(request, user):
    """A single-use link to set the password; it expires after PASSWORD_RESET_TIMEOUT and
    once the password changes (Django's password reset token)."""
    path = reverse(
        "extranet_access_set_password",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    return request.build_absolute_uri(path)


def access(request, user):
    user.refresh_from_db()
    _send(
        request, user, ACCESS_SUBJECT, "access",
        password_url=None if user.has_usable_password() else password_url(request, user),
        login_url=request.build_absolute_uri(reverse("login")),
    )


def granted(request, access_request):
    _send(request, access_request.account.user, GRANTED_SUBJECT, "granted", access_request=access_request)


def rejected(request, access_request):
    _send(request, access_request.account.user, REJECTED_SUBJECT, "rejected", access_request=access_request)


def vestiging_access(request, user):
    _send(request, user, VESTIGING_ACCESS_SUBJECT, "vestiging_access",
          toegangsbeheer_url=request.build_absolute_uri(reverse("extranet_access_index")))


def form_rejected(request, form):
    _send(request, form.account.user, FORM_REJECTED_SUBJECT, "form_rejected", form=form,
          onboarding_url=request.build_absolute_uri(reverse("extranet_access_onboarding")))
