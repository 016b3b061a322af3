from django.dispatch import receiver
from django_q.models import Schedule
from django.utils import timezone
from wagtail.signals import page_published

from ..conf import extranet_settings
from .digests import next_run
from .models import Mailing, PageChange

SENDER = "Digests versturen"


@receiver(page_published)
def record_change(sender, instance, revision=None, **kwargs):
    """Every publish is a change followers hear of, unless the editor marks it minor
    (see ``wagtail_hooks.apply_change_note``)."""
    PageChange.objects.create(page_id=instance.pk, revision=revision, published_at=timezone.now())


def sync_schedules(**kwargs):
    """The digest schedules as the settings say (EXTRANET_DIGEST_HOUR, _WEEKDAY), kept at
    every migrate; a schedule keeps its next run unless its time changed."""
    hour, weekday = extranet_settings.DIGEST_HOUR, extranet_settings.DIGEST_WEEKDAY
    # django-q2 reads cron in TIME_ZONE; cron counts weekdays from Sunday.
    for name, frequency, cron in [
        ("Digests dagelijks", Mailing.DAILY, f"0 {hour} * * *"),
        ("Digests wekelijks", Mailing.WEEKLY, f"0 {hour} * * {(weekday + 1) % 7}"),
    ]:
        schedule = Schedule.objects.filter(name=name).first() or Schedule(name=name)
        if schedule.cron != cron or schedule.next_run is None:
            schedule.next_run = next_run(frequency)
        schedule.func = f"cms_extranet.follow.tasks.send_{frequency.value}_digests"
        schedule.schedule_type, schedule.cron, schedule.repeats = Schedule.CRON, cron, -1
        schedule.intended_date_kwarg = "intended"
        schedule.save()
    Schedule.objects.update_or_create(
        name=SENDER,
        defaults={
            "func": "cms_extranet.follow.tasks.send_pending_digests",
            "schedule_type": Schedule.MINUTES,
            "minutes": 5,
            "repeats": -1,
        },
    )
