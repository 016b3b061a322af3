import uuid
from contextlib import contextmanager
from contextvars import ContextVar

import swapper
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel
from wagtail.documents import get_document_model_string
from wagtail.models import Page as WagtailPage
from wagtail.models import PageViewRestriction
from wagtail.search import index

from .conf import agency_text
from .forms import PartnerAccountForm, RestrictedPageForm
from .panels import RestrictionPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")


class OrganisationCondition(models.TextChoices):
    NONE = "", _("No condition")
    REGISTERS_IN_MLP = "registers_in_mlp", _("Organisation registers in MLP")
    UITBETALING_ACCESS = "uitbetaling_access", _(
        "Payment institution whose branch has access"
    )


class Profile(models.Model):
    """An extranet profile (toegang). Data, not an enum: SPEC §2."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    requestable = models.BooleanField(
        _("requestable by an administrator"), default=False
    )
    needs_approval = models.BooleanField(
        agency_text(_("request needs approval by %(agency)s")), default=False
    )
    request_condition = models.CharField(
        _("condition for a request"),
        max_length=32,
        choices=OrganisationCondition.choices,
        blank=True,
        default=OrganisationCondition.NONE,
        help_text=_("A granted request holds only as long as this condition is met."),
    )
    denied_to_auditors = models.BooleanField(
        _("never for auditors"), default=False
    )
    help_page = models.ForeignKey(
        PAGE_MODEL,
        verbose_name=_("page about this access"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return self.name


class ApplicationRight(models.Model):
    """A right in another of the agency's applications (toepassingsrecht); it may give a profile."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    profile = models.ForeignKey(
        Profile,
        verbose_name=_("automatically gives the profile"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application_rights",
    )
    requires_mlp_training = models.BooleanField(
        _("only after the MLP training"), default=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("application right")
        verbose_name_plural = _("application rights")

    def __str__(self):
        return self.name


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    registers_in_mlp = models.BooleanField(_("registers in MLP"), default=False)
    is_uitbetalingsinstelling = models.BooleanField(
        _("is a payment institution"), default=False
    )
    registers_career_cheques = models.BooleanField(
        _("registers career vouchers"), default=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class Vestiging(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="vestigingen",
    )
    name = models.CharField(_("name"), max_length=200)
    identifier = models.CharField(
        _("identifier"),
        max_length=50,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The branch's number in the agency's systems, as the identity provider sends it."),
    )
    uitbetaling_access = models.BooleanField(
        _("has access to the Extranet for Payment Institutions"), default=False
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self):
        return f"{self.organisation} – {self.name}"


MAX_ADMINISTRATORS = 2


class AdministratorCapReached(ValidationError):
    def __init__(self, vestiging):
        super().__init__(
            _("A branch has at most %(max)s administrators; %(vestiging)s already has %(max)s.")
            % {"max": MAX_ADMINISTRATORS, "vestiging": vestiging}
        )


class PartnerAccount(models.Model):
    """The extranet side of a Django user: where they work and what they may do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="partner_account",
    )
    vestiging = models.ForeignKey(
        Vestiging,
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    is_administrator = models.BooleanField(_("administrator"), default=False)
    administrator_slot = models.PositiveSmallIntegerField(
        _("administrator slot"), null=True, blank=True, editable=False
    )
    is_auditor = models.BooleanField(_("auditor"), default=False)
    mlp_training_followed = models.BooleanField(_("MLP training followed"), default=False)
    rights = models.ManyToManyField(
        ApplicationRight,
        verbose_name=_("application rights"),
        through="UserRight",
        blank=True,
        related_name="accounts",
    )

    base_form_class = PartnerAccountForm

    class Meta:
        verbose_name = _("partner account")
        verbose_name_plural = _("partner accounts")
        constraints = [
            # At most MAX_ADMINISTRATORS per vestiging, also under concurrent requests: each
            # administrator holds one of the numbered places, and a place is unique.
            models.UniqueConstraint(
                fields=["vestiging", "administrator_slot"], name="unique_administrator_slot"
            ),
            models.CheckConstraint(
                condition=Q(is_administrator=False, administrator_slot__isnull=True)
                | Q(
                    is_administrator=True,
                    vestiging__isnull=False,
                    # NOT NULL too: a CHECK whose result is NULL passes.
                    administrator_slot__isnull=False,
                    administrator_slot__in=range(1, MAX_ADMINISTRATORS + 1),
                ),
                name="administrator_holds_a_slot",
            ),
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()

    def save(self, *args, **kwargs):
        if not self.is_administrator:
            self.administrator_slot = None
        elif self.administrator_slot is None:
            self.administrator_slot = self.free_administrator_slot()
        super().save(*args, **kwargs)

    def free_administrator_slot(self):
        """The lowest free place; AdministratorCapReached when both are taken.

        Two concurrent saves may pick the same place: the unique constraint lets one win.
        """
        taken = set(
            PartnerAccount.objects.filter(vestiging_id=self.vestiging_id, is_administrator=True)
            .exclude(pk=self.pk)
            .values_list("administrator_slot", flat=True)
        )
        for slot in range(1, MAX_ADMINISTRATORS + 1):
            if slot not in taken:
                return slot
        raise AdministratorCapReached(self.vestiging)

    @property
    def organisation(self):
        return self.vestiging.organisation if self.vestiging_id else None


class UserRight(models.Model):
    account = models.ForeignKey(PartnerAccount, on_delete=models.CASCADE)
    right = models.ForeignKey(ApplicationRight, on_delete=models.CASCADE)
    granted_at = models.DateTimeField(_("granted on"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "right"], name="unique_user_right")
        ]
        verbose_name = _("application right of a user")
        verbose_name_plural = _("application rights of users")


class ProfileGrant(models.Model):
    """A profile requested for a user and approved; deleting it withdraws the profile."""

    account = models.ForeignKey(
        PartnerAccount, on_delete=models.CASCADE, related_name="profile_grants"
    )
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="grants")
    approved_at = models.DateTimeField(_("approved on"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "profile"], name="unique_profile_grant")
        ]
        verbose_name = _("granted profile")
        verbose_name_plural = _("granted profiles")


class Restriction(models.TextChoices):
    INHERIT = "inherit", _("Inherit from the parent page")
    PUBLIC = "public", _("Public: anyone may read the page")
    PROFILES = "profiles", _("Secured: only for the chosen profiles")


class RestrictedPageMixin(models.Model):
    """Gives a page type the extranet restriction (SPEC §4).

    The published value is copied to PageRestriction so that "which pages may this
    user read" is one query over all page types.
    """

    restriction = models.CharField(
        _("access"),
        max_length=10,
        choices=Restriction.choices,
        default=Restriction.INHERIT,
    )
    restriction_profiles = ParentalManyToManyField(
        Profile, verbose_name=_("profiles"), blank=True, related_name="+"
    )

    base_form_class = RestrictedPageForm
    # The restriction first; Wagtail's own settings (scheduled publishing, comments) after it.
    settings_panels = [RestrictionPanel(), *WagtailPage.settings_panels]
    # The extranet restriction is the one control of who reads a page: no Wagtail
    # "Privacy" beside it (one that exists is still honoured, see access.ViewRestriction).
    private_page_options = []

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        result = super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if self.live and (update_fields is None or "restriction" in update_fields):
            PageRestriction.store(self)
        return result

    def route(self, request, path_components):
        """Wagtail's routing, with the pages on the path found in one query instead of
        two per level; a page on the way whose type routes on its own takes over there."""
        pages = self._pages_on_path(path_components)
        if pages is None:
            return super().route(request, path_components)
        for depth, page in enumerate(pages, start=1):
            if depth == len(pages) or getattr(page.specific_class, "route", None) not in _DEFAULT_ROUTES:
                return page.specific.route(request, path_components[depth:])
        raise AssertionError("unreachable")

    def _pages_on_path(self, slugs):
        """The pages below this one along ``slugs``, each with its parent cached; None
        when the path leads nowhere (Wagtail's routing then answers 404)."""
        if not slugs:
            return None
        Page = self.base_page_model
        at_depth = Q()
        for depth, slug in enumerate(slugs, start=self.depth + 1):
            at_depth |= Q(depth=depth, slug=slug)
        found = {
            (page.path[: -Page.steplen], page.slug): page
            for page in Page.objects.filter(at_depth, path__startswith=self.path)
        }
        pages, parent = [], self
        for slug in slugs:
            page = found.get((parent.path, slug))
            if page is None:
                return None
            page._cached_parent_obj = parent
            pages.append(page)
            parent = page
        return pages

    def get_ancestors_below_root(self):
        """The ancestors under the tree's root, root first: the parents that routing cached
        on the pages of this request's path, or one query when they are not there."""
        ancestors, page = [], self
        while page.depth > 2:
            page = page.__dict__.get("_cached_parent_obj")
            if page is None:
                return list(self.get_ancestors().filter(depth__gt=1))
            ancestors.append(page)
        return ancestors[::-1]

    def get_view_restrictions(self):
        """Wagtail's own check of its "Privacy" settings costs two queries a page; the
        cached restriction tree knows when the site has none."""
        from .access import RestrictionTree

        if not RestrictionTree.current().view_restrictions:
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


_DEFAULT_ROUTES = (RestrictedPageMixin.route, WagtailPage.route)


class PageRestriction(models.Model):
    """The published restriction of a page that does not inherit its parent's."""

    page = models.OneToOneField(
        PAGE_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="extranet_restriction",
    )
    is_public = models.BooleanField(default=False)
    profiles = models.ManyToManyField(Profile, blank=True, related_name="+")

    class Meta:
        verbose_name = _("page restriction")
        verbose_name_plural = _("page restrictions")

    @classmethod
    def store(cls, page):
        """Copy a published page's restriction; a real change bumps ``RestrictionVersion``.

        An alias copies its original's fields, restriction included: at its own place it
        inherits, and its original's restriction applies beside (``readable_pages``).
        """
        existing = cls.objects.filter(page_id=page.pk).first()
        before = existing and (existing.is_public, set(existing.profiles.values_list("pk", flat=True)))
        if page.restriction == Restriction.INHERIT or page.alias_of_id:
            if existing:
                existing.delete()  # bumps the version through post_delete
            return
        profiles = set()
        if page.restriction == Restriction.PROFILES:
            profiles = {profile.pk for profile in page.restriction_profiles.all()}
        after = (page.restriction == Restriction.PUBLIC, profiles)
        if before == after:
            return
        rule, _created = cls.objects.update_or_create(page_id=page.pk, defaults={"is_public": after[0]})
        rule.profiles.set(profiles)
        RestrictionVersion.bump()


class RestrictionVersion(models.Model):
    """One row, changed in the same transaction as any change to the restriction tree:
    restrictions stored or deleted, pages moved. Every process caches the tree by it.

    A fresh UUID, not a counter: a rolled-back change must not leave a number that a
    later, different change reuses.
    """

    version = models.UUIDField(default=uuid.uuid4)

    _memo = ContextVar("extranet_restriction_version", default=None)
    _UNREAD = object()

    @classmethod
    def bump(cls):
        cls.objects.update_or_create(pk=1, defaults={"version": uuid.uuid4()})
        memo = cls._memo.get()
        if memo is not None:
            memo[0] = cls._UNREAD

    @classmethod
    def current(cls):
        memo = cls._memo.get()
        if memo is not None and memo[0] is not cls._UNREAD:
            return memo[0]
        version = cls.objects.filter(pk=1).values_list("version", flat=True).first()
        if memo is not None:
            memo[0] = version
        return version

    @classmethod
    @contextmanager
    def read_once(cls):
        """Inside, ``current()`` reads the row once (until a ``bump()`` here): one request
        sees one restriction tree, whatever number of features ask for it."""
        token = cls._memo.set([cls._UNREAD])
        try:
            yield
        finally:
            cls._memo.reset(token)


class DocumentRestriction(models.Model):
    """Limits a document's download to holders of one of the profiles."""

    document = models.OneToOneField(
        get_document_model_string(),
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="extranet_restriction",
    )
    profiles = models.ManyToManyField(Profile, verbose_name=_("profiles"), blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Anyone may download this document, even when no public page links to it."),
    )

    panels = [
        FieldPanel("document"),
        FieldPanel("is_public"),
        FieldPanel("profiles", widget=forms.CheckboxSelectMultiple),
    ]

    class Meta:
        verbose_name = _("document restriction")
        verbose_name_plural = _("document restrictions")

    def __str__(self):
        return str(self.document)


class AppLink(index.Indexed, models.Model):
    """A tile on the home page linking to one of the partner's applications (SPEC §5)."""

    title = models.CharField(_("title"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True)
    url = models.URLField(_("address"))
    right = models.ForeignKey(
        ApplicationRight,
        verbose_name=_("visible with the right"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: visible to every logged-in partner."),
    )
    administrators_only = models.BooleanField(_("administrators only"), default=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("url"),
        FieldPanel("right"),
        FieldPanel("administrators_only"),
        FieldPanel("sort_order"),
    ]
    search_fields = [index.SearchField("title")]

    class Meta:
        ordering = ["sort_order", "title"]
        verbose_name = _("application link")
        verbose_name_plural = _("application links")

    def __str__(self):
        return self.title

    def clean(self):
        if self.right_id and self.administrators_only:
            raise ValidationError(
                _("Choose a right or 'administrators only', not both.")
            )


@register_setting(icon="lock")
class ExtranetSettings(BaseSiteSetting):
    select_related = ["access_page", "terms_page", "disclaimer_page", "accessibility_page"]

    @classmethod
    def base_queryset(cls):
        """The linked pages with only their ``url_path``, all that a link to them needs:
        whole pages cost more than the rest of the footer on every page view."""
        return super().base_queryset().only(
            "site", *cls.select_related, *(f"{name}__url_path" for name in cls.select_related)
        )
    access_page = models.ForeignKey(
        PAGE_MODEL,
        verbose_name=_("page 'How do you get access?'"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    terms_page = models.ForeignKey(
        PAGE_MODEL,
        verbose_name=_("Terms of use page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    disclaimer_page = models.ForeignKey(
        PAGE_MODEL,
        verbose_name=_("Disclaimer page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    accessibility_page = models.ForeignKey(
        PAGE_MODEL,
        verbose_name=_("Accessibility statement page"),
        help_text=_("The accessibility statement that a public-sector site must publish, linked from every page."),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("access_page"),
        FieldPanel("terms_page"),
        FieldPanel("disclaimer_page"),
        FieldPanel("accessibility_page"),
    ]

    class Meta:
        verbose_name = _("extranet")
