from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "cms.pages"
    label = "pages"
    verbose_name = "Pagina's"
    default_auto_field = "django.db.models.BigAutoField"
