"""Keeping the Elasticsearch index in step with the published pages.

Editors never wait on Elasticsearch: a change only writes an ``IndexUpdate`` row (in the
editor's transaction) and queues a django-q2 task. The task applies the rows and deletes
them only once Elasticsearch took them; a schedule retries every minute.
"""

from dataclasses import dataclass
from datetime import datetime

import swapper
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from cms_extranet.access import RestrictionTree

from .documents import alias_name, build_document, client, enabled, index_body, restriction_terms
from .models import IndexUpdate

BATCH = 500


def _helpers():
    from elasticsearch import helpers  # an optional extra, needed only with Elasticsearch

    return helpers


def _pages():
    return swapper.load_model("wagtailcore", "Page").objects


def enqueue(page_id, path, subtree=False):
    if not enabled():
        return
    IndexUpdate.objects.create(page_id=page_id, path=path, subtree=subtree)
    # With the ORM broker the task row commits (or rolls back) with the editor's change.
    transaction.on_commit(lambda: async_task("search.tasks.process_index_updates"))


def ensure_index(es=None):
    """Create the first index behind the alias if there is none."""
    es = es or client()
    if not es.indices.exists_alias(name=alias_name()):
        create_index(es, make_live=True)


def create_index(es, make_live=False):
    name = f"{alias_name()}-{datetime.now():%Y%m%d%H%M%S%f}"
    es.indices.create(index=name, **index_body())
    if make_live:
        es.indices.update_aliases(actions=[{"add": {"index": name, "alias": alias_name()}}])
    return name


class Breadcrumbs:
    """Ancestor titles by tree path, loaded once per batch of pages."""

    def __init__(self):
        self.titles = {}

    def _ancestor_paths(self, page):
        step = page.steplen
        return [page.path[:i] for i in range(2 * step, len(page.path), step)]

    def load(self, pages):
        missing = {p for page in pages for p in self._ancestor_paths(page)} - self.titles.keys()
        if missing:
            self.titles.update(_pages().filter(path__in=missing).values_list("path", "title"))

    def of(self, page):
        return [self.titles[p] for p in self._ancestor_paths(page) if p in self.titles]


def documents(pages, tree, breadcrumbs=None):
    """Search documents for live pages (any queryset), in batches with few queries."""
    breadcrumbs = breadcrumbs or Breadcrumbs()
    batch = []
    for page in pages.live().specific().iterator(chunk_size=BATCH):
        batch.append(page)
        if len(batch) == BATCH:
            yield from _batch_documents(batch, tree, breadcrumbs)
            batch = []
    yield from _batch_documents(batch, tree, breadcrumbs)


def _batch_documents(batch, tree, breadcrumbs):
    breadcrumbs.load(batch)
    for page in batch:
        yield build_document(page, tree.effective(page.path), breadcrumbs.of(page))


def _index_actions(docs, index):
    for doc in docs:
        yield doc.to_dict(include_meta=True) | {"_index": index}


def _delete_actions(ids, index):
    for page_id in ids:
        yield {"_op_type": "delete", "_index": index, "_id": page_id}


def index_pages(es, pages, tree, index=None, progress=None):
    """Index the live pages of a queryset; returns how many."""
    index = index or alias_name()
    count = 0

    def counted(actions):
        nonlocal count
        for action in actions:
            count += 1
            if progress:
                progress.update(1)
            yield action

    _helpers().bulk(es, counted(_index_actions(documents(pages, tree), index)), chunk_size=BATCH)
    return count


def delete_documents(es, ids):
    if ids:
        _helpers().bulk(es, _delete_actions(ids, alias_name()), raise_on_error=False, chunk_size=BATCH)


def _indexed_under(es, prefixes):
    query = {"bool": {"should": [{"prefix": {"path": p}} for p in prefixes]}}
    return {
        int(hit["_id"])
        for hit in _helpers().scan(es, index=alias_name(), query={"query": query, "_source": False})
    }


def sync_subtrees(es, prefixes, tree):
    """Index every live page under these tree paths and drop the documents of all others."""
    prefixes = sorted(prefixes)
    prefixes = [p for i, p in enumerate(prefixes) if not any(p.startswith(q) for q in prefixes[:i])]
    if not prefixes:
        return
    under = Q()
    for prefix in prefixes:
        under |= Q(path__startswith=prefix)
    pages = _pages().filter(under)
    live_ids = set(pages.live().values_list("pk", flat=True))
    delete_documents(es, _indexed_under(es, prefixes) - live_ids)
    index_pages(es, pages, tree)


def _shown_fields(doc):
    return (doc.get("title"), doc.get("url"), sorted(doc.get("restriction") or []))


def apply_updates(es, rows):
    subtrees = {row.page_id for row in rows if row.subtree}
    single = {row.page_id for row in rows if not row.subtree} - subtrees
    prefixes = {row.path for row in rows if row.subtree}
    prefixes.update(_pages().filter(pk__in=subtrees).values_list("path", flat=True))
    tree = RestrictionTree.current()
    live = {p.pk: p for p in _pages().live().filter(pk__in=single)}
    old = {}
    if single:
        found = es.mget(index=alias_name(), ids=[str(i) for i in single], source=["title", "url", "restriction"])
        old = {int(d["_id"]): d["_source"] for d in found["docs"] if d.get("found")}
    new_docs = {d.meta.id: d for d in documents(_pages().filter(pk__in=live), tree)}
    for page_id, page in live.items():
        doc = new_docs.get(page_id)
        if doc is None:
            continue
        # Descendants show the title and URL in their breadcrumb and inherit the restriction.
        if page.numchild and (page_id not in old or _shown_fields(old[page_id]) != _shown_fields(doc.to_dict())):
            prefixes.add(page.path)
    _helpers().bulk(es, _index_actions(new_docs.values(), alias_name()), chunk_size=BATCH)
    delete_documents(es, single - live.keys())
    sync_subtrees(es, prefixes, tree)


def process_updates(limit=BATCH):
    """Apply the pending updates; the rows stay when Elasticsearch fails, for the retry."""
    if not enabled():
        return 0
    es = client()
    ensure_index(es)
    done = 0
    while rows := list(IndexUpdate.objects.all()[:limit]):
        apply_updates(es, rows)
        IndexUpdate.objects.filter(pk__in=[r.pk for r in rows]).delete()
        done += len(rows)
    return done


def rebuild(progress=None):
    """Index all live pages into a new index, then swap the alias to it."""
    es = client(timeout=120)
    new = create_index(es)
    es.indices.put_settings(index=new, settings={"refresh_interval": "-1"})
    started = timezone.now()
    count = index_pages(es, _pages().filter(depth__gt=1), RestrictionTree.current(), index=new, progress=progress)
    es.indices.put_settings(index=new, settings={"refresh_interval": None})
    es.indices.refresh(index=new)
    old = list(es.indices.get_alias(name=alias_name()).keys()) if es.indices.exists_alias(name=alias_name()) else []
    es.indices.update_aliases(
        actions=[{"add": {"index": new, "alias": alias_name()}}]
        + [{"remove": {"index": name, "alias": alias_name()}} for name in old]
    )
    for name in old:
        es.indices.delete(index=name)
    # Changes made while the rebuild ran were applied to the old index: redo them.
    changed = _pages().filter(last_published_at__gte=started).values_list("pk", "path")
    if IndexUpdate.objects.bulk_create(IndexUpdate(page_id=pk, path=path) for pk, path in changed):
        async_task("search.tasks.process_index_updates")
    return new, count


@dataclass
class Drift:
    missing: list
    extra: list
    stale: list

    def __bool__(self):
        return bool(self.missing or self.extra or self.stale)


def drift(es=None):
    """Compare the index with the live pages: missing, extra and stale-restriction documents."""
    es = es or client(timeout=120)
    tree = RestrictionTree.current()
    expected = {
        pk: restriction_terms(tree.effective(path))
        for pk, path in _pages().live().filter(depth__gt=1).values_list("pk", "path")
    }
    indexed = {
        int(hit["_id"]): sorted(hit["_source"].get("restriction") or [])
        for hit in _helpers().scan(es, index=alias_name(), query={"_source": ["restriction"]})
    }
    return Drift(
        missing=sorted(expected.keys() - indexed.keys()),
        extra=sorted(indexed.keys() - expected.keys()),
        stale=sorted(pk for pk in expected.keys() & indexed.keys() if expected[pk] != indexed[pk]),
    )


def repair(found):
    es = client(timeout=120)
    delete_documents(es, found.extra)
    index_pages(es, _pages().filter(pk__in=found.missing + found.stale), RestrictionTree.current())

