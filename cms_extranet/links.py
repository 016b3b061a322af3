from django.conf import settings


def absolute_url(path="/"):
    """``path`` on the site's public address, for links that leave the request (mails):
    WAGTAILADMIN_BASE_URL, which the host sets, never the Host header a request brought."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/" + path.lstrip("/")
