from django.conf import settings


def absolute_url(path="/"):
    """``path`` on the site's public address, for links that leave the request (mails):
    WAGTAILADMIN_BASE_URL, which the host sets, never the Host header a request brought."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/" + path.lstrip("/")


def app_links(user):
    """The application tiles this user may see: each needs the right it names, some are
    for administrators only."""
    from .access import partner_account, user_rights
    from .models import AppLink

    if not user.is_authenticated:
        return []
    account = partner_account(user)
    is_administrator = bool(account and account.is_administrator)
    rights = user_rights(user)
    return [
        link
        for link in AppLink.objects.select_related("right")
        if (link.right is None or link.right.code in rights)
        and (is_administrator or not link.administrators_only)
    ]
