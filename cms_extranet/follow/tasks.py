"""django-q2 entry points; the schedules are created by migration 0002."""

from django.utils.dateparse import parse_datetime

from . import digests
from .models import Mailing


def send_daily_digests(intended=None):
    return digests.run(Mailing.DAILY, intended and parse_datetime(intended))


def send_weekly_digests(intended=None):
    return digests.run(Mailing.WEEKLY, intended and parse_datetime(intended))


def send_pending_digests():
    """Every five minutes: finishes what a crashed run left, and sends the outbox."""
    return digests.resume()
