import swapper
from django.db.models.signals import post_delete
from django_q.models import Schedule
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

from .indexing import enqueue


def page_changed(sender, instance, **kwargs):
    enqueue(instance.pk, instance.path)


def page_moved(sender, instance, **kwargs):
    # Before the move: the old paths lose their documents; after it: the new ones get them.
    page = swapper.load_model("wagtailcore", "Page").objects.filter(pk=instance.pk).only("path").first()
    enqueue(instance.pk, page.path if page else instance.path, subtree=True)


def page_deleted(sender, instance, **kwargs):
    if isinstance(instance, swapper.load_model("wagtailcore", "Page")):
        enqueue(instance.pk, instance.path, subtree=True)


def register_signal_handlers():
    page_published.connect(page_changed, dispatch_uid="search_page_published")
    page_unpublished.connect(page_changed, dispatch_uid="search_page_unpublished")
    pre_page_move.connect(page_moved, dispatch_uid="search_pre_page_move")
    post_page_move.connect(page_moved, dispatch_uid="search_post_page_move")
    post_delete.connect(page_deleted, dispatch_uid="search_page_deleted")


def sync_schedule(**kwargs):
    """Elasticsearch takes the pages' changes every minute (kept at every migrate)."""
    Schedule.objects.update_or_create(
        name="Zoekindex bijwerken",
        defaults={
            "func": "search.tasks.process_index_updates",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
