"""The trunk of the extranet: which profiles a user holds, which pages they may read.

Every feature asks these functions; none re-implements them.
"""

import functools
from dataclasses import dataclass

import swapper
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, F, IntegerField, Q
from django.db.models.functions import Cast, Left
from wagtail.models import PageViewRestriction

from .models import (
    DocumentRestriction,
    OrganisationCondition,
    PageRestriction,
    PartnerAccount,
    RestrictionVersion,
    UserRight,
)

_CACHE_ATTR = "_extranet_access"


class StandIn(AnonymousUser):
    """A visitor who holds exactly the given profiles, for showing editors what such a
    partner gets ("Bekijk als"): the trunk answers for it as for a partner, but it is never
    saved, never logged in and has no account."""

    def __init__(self, profiles):
        self.__dict__[_CACHE_ATTR] = {"profiles": frozenset(profiles), "account": None}

    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False


def partner_account(user):
    """The user's PartnerAccount, or None; memoised on the user object.

    ``request.user`` is loaded anew for every request, so the memo lives exactly one
    request: a withdrawn right is gone on the next one.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    memo = user.__dict__.setdefault(_CACHE_ATTR, {})
    if "account" not in memo:
        memo["account"] = (
            PartnerAccount.objects.select_related("vestiging__organisation")
            .filter(user=user)
            .first()
        )
    return memo["account"]


def user_rights(user):
    """Codes of the application rights the user holds (SPEC §3).

    A right that needs the MLP training does not count without it.
    """
    account = partner_account(user)
    if account is None:
        return frozenset()
    memo = user.__dict__[_CACHE_ATTR]
    if "rights" not in memo:
        rights = UserRight.objects.filter(account=account)
        if not account.mlp_training_followed:
            rights = rights.exclude(right__requires_mlp_training=True)
        memo["rights"] = frozenset(rights.values_list("right__code", flat=True))
    return memo["rights"]


def condition_met(condition, account):
    if condition == OrganisationCondition.NONE:
        return True
    vestiging = account.vestiging
    if vestiging is None:
        return False
    if condition == OrganisationCondition.REGISTERS_IN_MLP:
        return vestiging.organisation.registers_in_mlp
    if condition == OrganisationCondition.UITBETALING_ACCESS:
        return vestiging.organisation.is_uitbetalingsinstelling and vestiging.uitbetaling_access
    return False


def user_profiles(user):
    """Codes of the extranet profiles the user holds, exactly per SPEC §3.

    Computed at most once per request (see ``partner_account``).
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if "profiles" not in user.__dict__.get(_CACHE_ATTR, {}):
        load_profiles([user])
    return user.__dict__[_CACHE_ATTR]["profiles"]


@functools.cache
def _profile_rows():
    """Partner accounts with their rights and granted profiles joined: a row per pair of a
    right and a grant, at least one per account (a user holds only a few of each). Built
    once: setting up its joins costs more than running it."""
    return PartnerAccount.objects.select_related("vestiging__organisation").annotate(
        right_profile=F("rights__profile__code"),
        right_needs_training=F("rights__requires_mlp_training"),
        right_denied_to_auditors=F("rights__profile__denied_to_auditors"),
        granted_profile=F("profile_grants__profile__code"),
        granted_requestable=F("profile_grants__profile__requestable"),
        granted_condition=F("profile_grants__profile__request_condition"),
        granted_denied_to_auditors=F("profile_grants__profile__denied_to_auditors"),
    )


def load_profiles(users):
    """Work out ``user_profiles`` for many users in one query, whatever their number.

    Fills the same per-user memo, so batch jobs (digests) then ask ``user_profiles`` and
    ``readable_pages`` per user without a query, and ``partner_account`` without one.
    """
    users = [user for user in users if getattr(user, "is_authenticated", False)]
    pending = [u for u in users if "profiles" not in u.__dict__.get(_CACHE_ATTR, {})]
    if not pending:
        return
    accounts, codes = _held_profiles(_profile_rows().filter(user__in=pending))
    for user in pending:
        memo = user.__dict__.setdefault(_CACHE_ATTR, {})
        memo.setdefault("account", accounts.get(user.pk))
        memo["profiles"] = frozenset(codes.get(user.pk, ()))


def _held_profiles(rows):
    """The accounts and profile codes of the users in rows of ``_profile_rows``, by user id:
    the rules of SPEC §3 in one place."""
    accounts, codes = {}, {}
    for row in rows:
        account = accounts.setdefault(row.user_id, row)
        held = codes.setdefault(row.user_id, set())
        if (
            row.right_profile
            and not (row.right_needs_training and not account.mlp_training_followed)
            and not (row.right_denied_to_auditors and account.is_auditor)
        ):
            held.add(row.right_profile)
        if (
            row.granted_profile
            and row.granted_requestable
            and condition_met(row.granted_condition, account)
            and not (row.granted_denied_to_auditors and account.is_auditor)
        ):
            held.add(row.granted_profile)
    return accounts, codes


def holders_count(codes):
    """How many active users hold one of these profiles now, in one query: what editors are
    told of a secured page's readers."""
    codes = set(codes)
    if not codes:
        return 0
    _accounts, held = _held_profiles(_profile_rows().filter(user__is_active=True))
    return sum(1 for profiles in held.values() if profiles & codes)


@dataclass(frozen=True)
class EffectiveRestriction:
    """The restriction that applies to a page, and the page it comes from."""

    source_page_id: int | None
    path: str
    is_public: bool
    profiles: frozenset

    def allows(self, profile_codes):
        return self.is_public or not self.profiles.isdisjoint(profile_codes)


ROOT_RESTRICTION = EffectiveRestriction(None, "", True, frozenset())


@dataclass(frozen=True)
class ViewRestriction:
    """A Wagtail "Privacy" setting (``PageViewRestriction``); it covers its whole subtree."""

    path: str
    restriction_type: str
    group_ids: frozenset

    def denies(self, user, group_ids):
        if self.restriction_type == "login":
            return not user.is_authenticated
        if self.restriction_type == "groups":
            return not (user.is_superuser or self.group_ids & group_ids)
        return True  # a shared password: a listing cannot ask for it


class TreePaths(tuple):
    """Tree paths; ``cover`` asks whether a path lies under one of them in one set lookup
    per distinct length, not one comparison per path (thousands of view restrictions)."""

    def __new__(cls, paths=()):
        self = super().__new__(cls, paths)
        self.by_length = {}
        for path in self:
            self.by_length.setdefault(len(path), set()).add(path)
        return self

    def cover(self, path):
        return any(path[:length] in paths for length, paths in self.by_length.items() if length <= len(path))


class RestrictionTree:
    """All published restrictions, loaded in one query, and Wagtail's view restrictions.

    A page's effective restriction is the one of the nearest page, itself or an
    ancestor, that does not inherit; the root is public. A Wagtail view restriction on
    the page or an ancestor must let the user in too.
    """

    def __init__(self, restrictions, view_restrictions=(), version=None):
        self.version = version
        self.by_path = {r.path: r for r in restrictions}
        self.lengths = sorted({len(path) for path in self.by_path})
        self.view_restrictions = list(view_restrictions)

    _cached = (object(), None)  # (version, tree)

    @classmethod
    def current(cls):
        """The tree, cached in this process until ``RestrictionVersion`` moves on.

        The version is read before the tree: a change committed in between leaves a
        newer tree under an older version, which the next call reloads.
        """
        version = RestrictionVersion.current()
        cached_version, tree = cls._cached
        if cached_version != version:
            tree = cls.load(version)
            cls._cached = (version, tree)
        return tree

    @classmethod
    def load(cls, version=None):
        rows = PageRestriction.objects.values_list(
            "page_id", "page__path", "is_public", "profiles__code"
        )
        codes_by_page = {}
        heads = {}
        for page_id, path, is_public, code in rows:
            heads[page_id] = (path, is_public)
            codes_by_page.setdefault(page_id, set()).update([code] if code else [])
        views = {}
        for path, kind, group_id in PageViewRestriction.objects.values_list(
            "page__path", "restriction_type", "groups"
        ):
            views.setdefault((path, kind), set()).update([group_id] if group_id else [])
        return cls(
            (
                EffectiveRestriction(page_id, path, is_public, frozenset(codes_by_page[page_id]))
                for page_id, (path, is_public) in heads.items()
            ),
            (ViewRestriction(path, kind, frozenset(ids)) for (path, kind), ids in views.items()),
            version,
        )

    def effective(self, path):
        for length in reversed(self.lengths):
            if length <= len(path):
                restriction = self.by_path.get(path[:length])
                if restriction is not None:
                    return restriction
        return ROOT_RESTRICTION

    def denied_views(self, user):
        """Paths of the Wagtail view restrictions that keep this user out."""
        if not self.view_restrictions:
            return TreePaths()
        group_ids = frozenset()
        if user.is_authenticated and any(v.restriction_type == "groups" for v in self.view_restrictions):
            memo = user.__dict__.setdefault(_CACHE_ATTR, {})
            if "groups" not in memo:
                memo["groups"] = frozenset(user.groups.values_list("pk", flat=True))
            group_ids = memo["groups"]
        return TreePaths(v.path for v in self.view_restrictions if v.denies(user, group_ids))

    def allows(self, path, profile_codes, denied_views=()):
        if not isinstance(denied_views, TreePaths):
            denied_views = TreePaths(denied_views)
        return self.effective(path).allows(profile_codes) and not denied_views.cover(path)

    def hidden(self, profile_codes, denied_views=()):
        """A Q on ``_extranet_prefix_<n>`` aliases (see ``prefixes``) that matches the
        pages these profiles may not read, or None when every page is readable.

        A page is hidden when its nearest restriction denies: it lies under a denied
        restriction at some depth and under no restriction deeper than that one.
        The SQL grows with the number of restricted depths, not with the tree.
        """
        paths_at = {
            length: [p for p in self.by_path if len(p) == length] for length in self.lengths
        }
        hidden = Q()
        for i, length in enumerate(self.lengths):
            denied = [
                p for p in paths_at[length] if not self.by_path[p].allows(profile_codes)
            ]
            if not denied:
                continue
            term = Q(**{f"_extranet_prefix_{length}__in": denied})
            for deeper in self.lengths[i + 1 :]:
                term &= ~Q(**{f"_extranet_prefix_{deeper}__in": paths_at[deeper]})
            hidden |= term
        # One IN per length, not one LIKE per view restriction: a row costs a hash lookup.
        for length in sorted({len(path) for path in denied_views}):
            hidden |= Q(**{f"_extranet_prefix_{length}__in": [p for p in denied_views if len(p) == length]})
        return hidden or None

    def prefixes(self, path="path"):
        lengths = set(self.lengths) | {len(view.path) for view in self.view_restrictions}
        return {f"_extranet_prefix_{length}": Left(path, length) for length in sorted(lengths)}


def readable_pages(user, pages=None, tree=None):
    """The pages this user may read (SPEC §4).

    ``pages`` narrows a page queryset (any page type; by default all pages) and gives a
    queryset; or a list of pages already loaded (or of rows with their ``path`` and
    ``alias_of_id``, as ``values_list(..., named=True)`` gives), and gives a list. An
    alias is readable only when its own place and its original's both allow. Few small queries whatever
    the depth of the tree (the restriction tree itself is cached per process until it
    changes), plus the user's profiles once per request. A batch over many users passes
    the ``RestrictionTree.current()`` it took once.
    """
    tree, codes = tree or RestrictionTree.current(), user_profiles(user)
    denied_views = tree.denied_views(user)
    Page = swapper.load_model("wagtailcore", "Page")
    if pages is None:
        pages = Page.objects.all()
    if isinstance(pages, (list, tuple)):
        originals = dict(
            Page.objects.filter(
                pk__in={page.alias_of_id for page in pages if page.alias_of_id}
            ).values_list("pk", "path")
        ) if any(page.alias_of_id for page in pages) else {}
        return [
            page
            for page in pages
            if tree.allows(page.path, codes, denied_views)
            and (not page.alias_of_id or tree.allows(originals.get(page.alias_of_id, ""), codes, denied_views))
        ]
    hidden = tree.hidden(codes, denied_views)
    if hidden is None:
        return pages
    pages = pages.alias(**tree.prefixes()).exclude(hidden)
    # Aliases are few; a plain id list keeps the queryset one that search backends filter.
    # Asked from the aliases (an index on alias_of) to their originals, not of every page.
    hidden_aliases = list(
        Page.objects.filter(alias_of__isnull=False)
        .alias(**tree.prefixes("alias_of__path"))
        .filter(hidden)
        .order_by()
        .values_list("pk", flat=True)
    )
    return pages.exclude(pk__in=hidden_aliases) if hidden_aliases else pages


def readable_breadcrumbs(user, pages):
    """{page pk: titles of its ancestors below the root} for the ancestors the user may
    read: a public page inside a secured section never names that section. Two queries.
    """
    Page = swapper.load_model("wagtailcore", "Page")
    steplen = Page.steplen
    ranges = {page.pk: range(2 * steplen, len(page.path), steplen) for page in pages}
    paths = {page.path[:i] for page in pages for i in ranges[page.pk]}
    # alias_of_id too: readable_pages asks it of each ancestor.
    ancestors = list(Page.objects.filter(path__in=paths).only("path", "title", "alias_of_id"))
    titles = {page.path: page.title for page in readable_pages(user, ancestors)}
    return {
        page.pk: [titles[page.path[:i]] for i in ranges[page.pk] if page.path[:i] in titles]
        for page in pages
    }


def can_read_page(user, page):
    return readable_pages(user, page.__class__.objects.filter(pk=page.pk)).exists()


def effective_restriction(page):
    """The restriction that explains a denial: an alias's own place, or when that is
    public, its original's."""
    tree = RestrictionTree.current()
    own = tree.effective(page.path)
    if own.is_public and page.alias_of_id:
        Page = swapper.load_model("wagtailcore", "Page")
        original = Page.objects.filter(pk=page.alias_of_id).values_list("path", flat=True).first()
        return tree.effective(original or "")
    return own


def _page_references(documents):
    """Wagtail's reference index rows from pages to these documents (a page's save and
    publish keep them current). The index keeps ids as text: filters compare them as
    text, and ``page_id``/``document_id`` give them back as integers in a subquery's
    columns (a cast in a filter could meet another model's non-numeric id)."""
    from wagtail.models import ReferenceIndex

    Page = swapper.load_model("wagtailcore", "Page")
    return ReferenceIndex.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        to_content_type=ContentType.objects.get_for_model(documents.model),
        to_object_id__in=documents.annotate(pk_text=Cast("pk", CharField())).values("pk_text"),
    ).annotate(
        page_id=Cast("object_id", IntegerField()),
        document_id=Cast("to_object_id", IntegerField()),
    )


def document_restriction(document):
    """Who may download a document, as an EffectiveRestriction: a DocumentRestriction
    decides when it is there (public, or its profiles); else public when a live public
    page links to it, else the profiles of the live pages that link to it (empty:
    nobody but staff)."""
    restriction = DocumentRestriction.objects.filter(document=document).first()
    if restriction is not None and restriction.is_public:
        return ROOT_RESTRICTION
    codes = set(restriction.profiles.values_list("code", flat=True)) if restriction else set()
    if codes:
        return EffectiveRestriction(None, "", False, frozenset(codes))
    Page = swapper.load_model("wagtailcore", "Page")
    refs = _page_references(document.__class__.objects.filter(pk=document.pk))
    pages = Page.objects.live().filter(pk__in=refs.values("page_id"))
    tree = RestrictionTree.current()
    for path in pages.values_list("path", flat=True):
        effective = tree.effective(path)
        if effective.is_public:
            return ROOT_RESTRICTION
        codes |= effective.profiles
    return EffectiveRestriction(None, "", False, frozenset(codes))


def readable_documents(user, documents):
    """The documents of a queryset this user may download: those marked public, those
    restricted to a profile the user holds, and, when no DocumentRestriction names
    profiles, those a live page the user may read links to. A document nothing links to
    and nothing marks public is readable by nobody."""
    explicit = DocumentRestriction.objects.filter(
        Q(is_public=True) | Q(profiles__code__in=user_profiles(user))
    )
    Page = swapper.load_model("wagtailcore", "Page")
    refs = _page_references(documents)
    readable = readable_pages(user, Page.objects.live().filter(pk__in=refs.values("page_id")))
    linked = refs.filter(
        object_id__in=readable.annotate(pk_text=Cast("pk", CharField())).values("pk_text")
    )
    return documents.filter(
        Q(pk__in=explicit.values("document_id"))
        | (
            Q(pk__in=linked.values("document_id"))
            & ~Q(
                pk__in=DocumentRestriction.objects.filter(profiles__isnull=False).values(
                    "document_id"
                )
            )
        )
    )


def can_read_document(user, document):
    return readable_documents(user, document.__class__.objects.filter(pk=document.pk)).exists()
