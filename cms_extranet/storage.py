from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages

from .conf import extranet_settings

PRIVATE_ALIAS = "extranet_private"


class PrivateStorage(FileSystemStorage):
    """Outside MEDIA_ROOT and without a URL: files go out only through a view that checks
    who asks (EXTRANET_PRIVATE_MEDIA_ROOT, by default ``private`` beside MEDIA_ROOT)."""

    def __init__(self, **kwargs):
        location = extranet_settings.PRIVATE_MEDIA_ROOT
        super().__init__(location=location or Path(settings.MEDIA_ROOT).parent / "private")

    def url(self, name):
        raise NotImplementedError("Private files have no URL; a view hands them out.")


def private_storage():
    """Where private files live: STORAGES["extranet_private"] when the host names one (a
    storage that several hosts share, such as django-storages' S3 with a private bucket),
    else PrivateStorage on this machine's disk."""
    if PRIVATE_ALIAS in settings.STORAGES:
        return storages[PRIVATE_ALIAS]
    return PrivateStorage()


class MediaStorage(FileSystemStorage):
    """The site's default storage: MEDIA_ROOT for images and the like, but Wagtail's
    documents (``documents/``) in the private storage, where a web server serving MEDIA_ROOT
    cannot reach them; only Wagtail's serve view, which asks the trunk, hands them out."""

    private_prefix = "documents/"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.private = private_storage()

    def is_private(self, name):
        return str(name).replace("\\", "/").lstrip("/").startswith(self.private_prefix)

    def _storage(self, name):
        return self.private if self.is_private(name) else super()


def _delegate(method):
    def call(self, name, *args, **kwargs):
        return getattr(self._storage(name), method)(name, *args, **kwargs)

    call.__name__ = method
    return call


for _method in (
    "_open", "_save", "delete", "exists", "size", "path", "url",
    "get_accessed_time", "get_created_time", "get_modified_time",
):
    setattr(MediaStorage, _method, _delegate(_method))
