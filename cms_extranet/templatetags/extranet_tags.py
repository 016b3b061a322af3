from django import template

from ..access import can_read_document
from ..conf import extranet_settings
from ..links import app_links
from ..panels import restriction_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def extranet_app_links(context):
    """The application tiles this user may see: each needs the right it names."""
    return app_links(context["request"].user)


@register.filter
def readable_by(document, user):
    """Whether the user may download the document: links to others are not shown."""
    return can_read_document(user, document)


@register.filter
def described(field):
    """The field's widget, pointing screen readers at its help text and its errors."""
    ids = [f"{field.auto_id}_helptext"] if field.help_text else []
    ids += [f"{field.auto_id}_error"] if field.errors else []
    return field.as_widget(attrs={"aria-describedby": " ".join(ids)} if ids else None)


@register.simple_tag(takes_context=True)
def extranet_restriction(context, page, with_source=False):
    """The page's effective restriction as editors are told it (see ``restriction_summary``);
    for the admin's templates that Wagtail fills with its own privacy."""
    request = context.get("request")
    return restriction_summary(page if page and page.pk else None, request, with_source)


@register.simple_tag
def agency_name():
    """The agency's name (EXTRANET_AGENCY_NAME), for texts such as ``{% agency_name as agency %}``."""
    return extranet_settings.AGENCY_NAME
