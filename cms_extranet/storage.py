from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Outside MEDIA_ROOT and without a URL: files go out only through a view that checks
    who asks (EXTRANET_PRIVATE_MEDIA_ROOT, by default ``private`` beside MEDIA_ROOT)."""

    def __init__(self, **kwargs):
        location = getattr(settings, "EXTRANET_PRIVATE_MEDIA_ROOT", None)
        super().__init__(location=location or Path(settings.MEDIA_ROOT).parent / "private")

    def url(self, name):
        raise NotImplementedError("Private files have no URL; a view hands them out.")


class MediaStorage(FileSystemStorage):
    """The site's default storage: MEDIA_ROOT for images and the like, but Wagtail's
    documents (``documents/``) in the private root, where a web server serving MEDIA_ROOT
    cannot reach them; only Wagtail's serve view, which asks the trunk, hands them out."""

    private_prefix = "documents/"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.private = PrivateStorage()

    def is_private(self, name):
        return str(name).replace("\\", "/").lstrip("/").startswith(self.private_prefix)

    def _save(self, name, content):
        return self.private._save(name, content) if self.is_private(name) else super()._save(name, content)

    def path(self, name):
        return self.private.path(name) if self.is_private(name) else super().path(name)

    def url(self, name):
        return self.private.url(name) if self.is_private(name) else super().url(name)
