from django.dispatch import receiver
from django.utils import timezone
from wagtail.signals import page_published

from .models import PageChange


@receiver(page_published)
def record_change(sender, instance, revision=None, **kwargs):
    """Every publish is a change followers hear of, unless the editor marks it minor
    (see ``wagtail_hooks.apply_change_note``)."""
    PageChange.objects.create(page_id=instance.pk, revision=revision, published_at=timezone.now())
