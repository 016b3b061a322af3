from django.db import models
from django.utils.translation import gettext as _
from wagtail_modeladmin import views


class InspectView(views.InspectView):
    """The plugin's inspect views: "ja" or "nee" for a boolean field, not True or False."""

    def get_field_display_value(self, field_name, field=None):
        if isinstance(field, models.BooleanField):
            return _("yes") if getattr(self.instance, field_name) else _("no")
        return super().get_field_display_value(field_name, field)
