from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

MINOR_FIELD = "extranet_change_minor"
NOTE_FIELD = "extranet_change_note"
NOTE_MAX_LENGTH = 300


class ChangeNotePanel(Panel):
    """Lets the editor mark a publish as minor and write the note followers' digests show.

    Not a model field: it describes one publish, not the page. The values travel with
    the publish request and are stored by the ``after_edit_page`` hook.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Notice to followers"))
        super().__init__(*args, **kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "extranet_follow/panels/change_note_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context.update(
                minor_field=MINOR_FIELD, note_field=NOTE_FIELD, note_max_length=NOTE_MAX_LENGTH
            )
            return context
