"""django-q2 entry points."""

from . import notifications
from .models import Feedback


def notify_editors(feedback_id, site_url):
    feedback = Feedback.objects.select_related("page", "user").filter(pk=feedback_id).first()
    if feedback is None:
        return 0
    return notifications.send(feedback, site_url)
