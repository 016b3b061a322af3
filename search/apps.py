from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import pgettext_lazy


class SearchConfig(AppConfig):
    name = "search"
    label = "extranet_search"
    verbose_name = pgettext_lazy("site search", "Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 (registers them)
        from .signal_handlers import register_signal_handlers, sync_schedule

        register_signal_handlers()
        post_migrate.connect(sync_schedule, sender=self)
