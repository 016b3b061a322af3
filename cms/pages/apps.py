from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "cms.pages"
    label = "pages"
    verbose_name = _("Pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(sync_default_site, sender=self)


def site_address():
    """(hostname, port) of SITE_URL, as Wagtail's Site keeps them."""
    from urllib.parse import urlsplit

    from django.conf import settings

    url = urlsplit(settings.SITE_URL)
    return url.hostname, url.port or (443 if url.scheme == "https" else 80)


def sync_default_site(**kwargs):
    """The default Wagtail Site answers at SITE_URL: page links built from it (the API, the
    admin's "live" links) agree with the mailed ones."""
    from wagtail.models import Site

    hostname, port = site_address()
    for site in Site.objects.filter(is_default_site=True).exclude(hostname=hostname, port=port):
        site.hostname, site.port = hostname, port
        site.save()  # not update(): save() also clears Wagtail's cached site root paths
