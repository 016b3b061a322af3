from django import template

from ..forms import MailingForm
from ..models import MailingPreference, can_follow, followed_rows, is_following
from ..views import REMOVED_SESSION_KEY

register = template.Library()


@register.inclusion_tag("extranet_follow/toggle.html", takes_context=True)
def follow_toggle(context, page):
    """The eye at the top right of a page; nothing for users who cannot follow."""
    request = context["request"]
    user = request.user
    visible = bool(page and page.pk and can_follow(user))
    return {
        "request": request,
        "page": page,
        "visible": visible,
        "following": visible and is_following(user, page),
    }


@register.inclusion_tag("extranet_follow/profile_section.html", takes_context=True)
def follow_profile(context):
    """Mailing and the followed pages, for the profile page.

    Pages removed since the last view stay once, greyed, so a slip can be undone.
    """
    request = context["request"]
    user = request.user
    if not can_follow(user):
        return {"visible": False}
    return {
        "visible": True,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "form": MailingForm(initial={"mailing": MailingPreference.of(user)}),
        "rows": followed_rows(user, removed=request.session.pop(REMOVED_SESSION_KEY, [])),
    }
