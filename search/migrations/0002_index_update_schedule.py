from django.db import migrations


class Migration(migrations.Migration):
    """Once created the schedules; the app's post_migrate handler keeps them since, from
    the settings."""

    dependencies = [
        ("extranet_search", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = []
