"""The editors' mail about a new submission: queued through django-q2 after the
submission commits, so a slow or unreachable mail server never loses or delays it."""

from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .. import mail_tasks
from ..conf import extranet_settings
from ..links import absolute_url

TASK = "cms_extranet.feedback.tasks.notify_editors"


def notify_after_commit(feedback):
    site_url = absolute_url()
    feedback_id = feedback.pk
    transaction.on_commit(
        lambda: mail_tasks.queue(TASK, feedback_id, site_url, group="extranet_feedback")
    )


def recipients():
    """EXTRANET_FEEDBACK_RECIPIENTS when set; else the active users with an address who
    may read feedback: superusers and holders of view_feedback (by group or directly)."""
    configured = extranet_settings.FEEDBACK_RECIPIENTS
    if configured is not None:
        return list(configured)
    holders = Q(is_superuser=True)
    permission = Permission.objects.filter(
        content_type__app_label="extranet_feedback", codename="view_feedback"
    ).first()
    if permission is not None:
        holders |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    users = get_user_model().objects.filter(holders, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def subject(feedback):
    about = " ".join(feedback.page_label.split())
    if not about:
        return _("Extranet: new feedback")
    return Truncator(_("Extranet: new feedback about %(about)s") % {"about": about}).chars(150)


def messages(feedback, site_url):
    admin_url = absolute_url(reverse("extranet_feedback_feedback_modeladmin_inspect", args=[feedback.pk]))
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "extranet_feedback/mail/notification.txt",
            {
                "feedback": feedback,
                "page_url": urljoin(site_url, feedback.path) if feedback.path else "",
                "admin_url": admin_url,
            },
        )
        title = subject(feedback)
    return [
        EmailMessage(
            subject=title,
            body=body,
            to=[address],
            reply_to=[feedback.email] if feedback.email else None,
            headers={"Auto-Submitted": "auto-generated"},
        )
        for address in recipients()
    ]


def send(feedback, site_url):
    batch = messages(feedback, site_url)
    if batch:
        get_connection().send_messages(batch)
    return len(batch)
