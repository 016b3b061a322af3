from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.models import PageViewRestriction
from wagtail.signals import post_page_move

from .models import PageRestriction, RestrictionVersion


def restriction_tree_changed(sender, **kwargs):
    RestrictionVersion.bump()


def register_signal_handlers():
    post_delete.connect(restriction_tree_changed, sender=PageRestriction, dispatch_uid="extranet_restriction_deleted")
    # Wagtail's own privacy is part of the tree (see access.ViewRestriction).
    post_save.connect(restriction_tree_changed, sender=PageViewRestriction, dispatch_uid="extranet_view_restriction_saved")
    post_delete.connect(restriction_tree_changed, sender=PageViewRestriction, dispatch_uid="extranet_view_restriction_deleted")
    m2m_changed.connect(restriction_tree_changed, sender=PageViewRestriction.groups.through, dispatch_uid="extranet_view_restriction_groups")
    # The tree is keyed by path, and a move changes the paths of a subtree.
    post_page_move.connect(restriction_tree_changed, dispatch_uid="extranet_page_moved")
