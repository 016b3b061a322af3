"""Rich-text links that name only what the reader may read.

Rich text is rendered deep inside templates and blocks that know no request, so the
reader is kept in a context variable for the request (``ReaderMiddleware``); outside a
request (mails, tasks) the reader is anonymous.
"""

from contextvars import ContextVar

from django.contrib.auth.models import AnonymousUser
from wagtail.documents.rich_text import DocumentLinkHandler
from wagtail.rich_text.pages import PageLinkHandler

from .access import readable_documents, readable_pages

reader = ContextVar("extranet_reader", default=None)


def current_reader():
    return reader.get() or AnonymousUser()


class ReadablePageLinkHandler(PageLinkHandler):
    """A link to a page the reader may not read, or that is not live, is plain text."""

    @classmethod
    def get_many(cls, attrs_list):
        pages = super().get_many(attrs_list)
        readable = {page.pk for page in readable_pages(current_reader(), [p for p in pages if p and p.live])}
        return [page if page and page.pk in readable else None for page in pages]


class ReadableDocumentLinkHandler(DocumentLinkHandler):
    @classmethod
    def get_many(cls, attrs_list):
        documents = super().get_many(attrs_list)
        pks = [document.pk for document in documents if document]
        model = cls.get_model()
        readable = set(
            readable_documents(current_reader(), model.objects.filter(pk__in=pks)).values_list("pk", flat=True)
        ) if pks else set()
        return [document if document and document.pk in readable else None for document in documents]
