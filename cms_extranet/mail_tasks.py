"""Mails sent by django-q2 tasks: while the mail server cannot be reached, the task is
tried again a minute later (EXTRANET_MAIL_RETRY_DELAY), up to EXTRANET_MAIL_ATTEMPTS
times; after that it fails and stays in the admin's "Mislukte taken"."""

import datetime
import smtplib

from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule
from django_q.tasks import async_task

from .conf import extranet_settings

UNREACHABLE = (ConnectionError, TimeoutError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)


def queue(func, *args, group):
    """Queue ``func(*args)`` (a dotted path; its arguments literals) as a mail task."""
    async_task("cms_extranet.mail_tasks.send", func, *args, group=group)


def send(func, *args, attempt=1):
    try:
        return import_string(func)(*args)
    except UNREACHABLE:
        if attempt >= extranet_settings.MAIL_ATTEMPTS:
            raise
        delay = extranet_settings.MAIL_RETRY_DELAY
        Schedule.objects.create(
            func="cms_extranet.mail_tasks.send",
            args=repr((func, *args)),
            kwargs=repr({"attempt": attempt + 1}),
            schedule_type=Schedule.ONCE,
            next_run=timezone.now() + datetime.timedelta(seconds=delay),
        )
        return f"mail server unreachable; attempt {attempt + 1} in {delay} s"
