from django.db.models.signals import post_delete
from wagtail.signals import post_page_move

from .models import PageRestriction, RestrictionVersion


def restriction_tree_changed(sender, **kwargs):
    RestrictionVersion.bump()


def register_signal_handlers():
    post_delete.connect(restriction_tree_changed, sender=PageRestriction, dispatch_uid="extranet_restriction_deleted")
    # The tree is keyed by path, and a move changes the paths of a subtree.
    post_page_move.connect(restriction_tree_changed, dispatch_uid="extranet_page_moved")
