"""Wagtail's Editors and Moderators groups manage the application tiles and the document
restrictions (SPEC §5), as Wagtail's own apps give those groups their documents and images."""

from django.db import migrations

MODELS = ("applink", "documentrestriction")
ACTIONS = ("add", "change", "delete", "view")


def permissions(apps):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    for model in MODELS:
        content_type, _created = ContentType.objects.get_or_create(app_label="cms_extranet", model=model)
        for action in ACTIONS:
            permission, _created = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
            )
            yield permission


def grant(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    granted = list(permissions(apps))
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.add(*granted)


def withdraw(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    withdrawn = list(permissions(apps))
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.remove(*withdrawn)


class Migration(migrations.Migration):
    dependencies = [
        ("cms_extranet", "0008_vestiging_identifier"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(grant, withdraw)]
