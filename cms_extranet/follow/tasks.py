"""django-q2 entry points; the schedules are created by migration 0002."""

import datetime

from django.utils.dateparse import parse_datetime

from . import digests
from .models import Mailing


def send_daily_digests(intended=None):
    """Claims the period's digests and enqueues EXTRANET_DIGEST_BUILDERS builders."""
    return digests.start(Mailing.DAILY, intended and parse_datetime(intended))


def send_weekly_digests(intended=None):
    return digests.start(Mailing.WEEKLY, intended and parse_datetime(intended))


def build_digests(frequency, period):
    """One builder of a run: builds claimed digests until none is left, then sends."""
    return digests.build_and_send(frequency, datetime.date.fromisoformat(period))


def send_pending_digests():
    """Every five minutes: finishes what a crashed run left, and sends the outbox."""
    return digests.resume()
