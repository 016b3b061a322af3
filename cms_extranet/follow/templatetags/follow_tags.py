import swapper
from django import template

from ...access import readable_breadcrumbs, readable_pages
from ..forms import MailingForm
from ..models import Follow, MailingPreference, can_follow
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
        "following": visible and Follow.objects.filter(user=user, page=page).exists(),
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
    Page = swapper.load_model("wagtailcore", "Page")
    followed = set(Follow.objects.filter(user=user).values_list("page_id", flat=True))
    removed = set(request.session.pop(REMOVED_SESSION_KEY, [])) - followed
    pages = list(
        readable_pages(user, Page.objects.live().filter(pk__in=followed | removed)).order_by(
            "title"
        )
    )
    breadcrumbs = readable_breadcrumbs(user, pages)
    return {
        "visible": True,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "form": MailingForm(initial={"mailing": MailingPreference.of(user)}),
        "rows": [
            {"page": page, "breadcrumb": breadcrumbs[page.pk], "following": page.pk in followed}
            for page in pages
        ],
    }
