import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.utils import timezone

SCHEDULES = [
    # name, function, cron (Europe/Brussels: django-q2 reads cron in TIME_ZONE), weekday
    ("Digests dagelijks", "cms_extranet.follow.tasks.send_daily_digests", "0 7 * * *", None),
    ("Digests wekelijks", "cms_extranet.follow.tasks.send_weekly_digests", "0 7 * * 1", 0),
]


def next_seven_oclock(weekday):
    now = timezone.localtime(timezone.now(), ZoneInfo(settings.TIME_ZONE))
    day = now.date() + datetime.timedelta(days=1 if now.time() >= datetime.time(7) else 0)
    if weekday is not None:
        day += datetime.timedelta(days=(weekday - day.weekday()) % 7)
    return datetime.datetime.combine(day, datetime.time(7), tzinfo=ZoneInfo(settings.TIME_ZONE))


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, cron, weekday in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": "C",
                "cron": cron,
                "repeats": -1,
                "next_run": next_seven_oclock(weekday),
                "intended_date_kwarg": "intended",
            },
        )
    Schedule.objects.update_or_create(
        name="Digests versturen",
        defaults={
            "func": "cms_extranet.follow.tasks.send_pending_digests",
            "schedule_type": "I",
            "minutes": 5,
            "repeats": -1,
        },
    )


def remove_schedules(apps, schema_editor):
    names = [name for name, *_rest in SCHEDULES] + ["Digests versturen"]
    apps.get_model("django_q", "Schedule").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("extranet_follow", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
