import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, Site
from wagtail.rich_text import RichText

from cms.pages import demo_content as demo
from cms.pages.apps import site_address
from cms.pages.models import ContentPage, HomePage
from cms_extranet.access import user_profiles
from cms_extranet.access_management.models import FormSource, FormStatus, TermsForm
from cms_extranet.follow.models import Follow, Mailing, MailingPreference
from cms_extranet.models import (
    ApplicationRight,
    AppLink,
    DocumentRestriction,
    ExtranetSettings,
    Organisation,
    PartnerAccount,
    Profile,
    ProfileGrant,
    UserRight,
    Vestiging,
)

# The smallest valid PDF, so that the demo document opens in a viewer.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

ACCESS_OFFICER_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("cms_extranet", "view_partneraccount"),
    ("cms_extranet", "view_userright"),
    ("cms_extranet", "add_userright"),
    ("cms_extranet", "delete_userright"),
    ("cms_extranet", "view_profilegrant"),
    ("cms_extranet", "add_profilegrant"),
    ("cms_extranet", "delete_profilegrant"),
    ("cms_extranet", "view_organisation"),
    ("cms_extranet", "view_vestiging"),
    ("extranet_access", "view_accessrequest"),
    ("extranet_access", "decide_accessrequest"),
    ("extranet_access", "view_termsform"),
    ("extranet_access", "add_termsform"),
    ("extranet_access", "review_termsform"),
    ("extranet_access", "view_auditrecord"),
]


def _body(items, document=None):
    blocks = []
    for kind, value in items:
        blocks.append((kind, RichText(value) if kind == demo.P else value))
    if document is not None:
        blocks.append(("document", {"document": document, "label": document.title}))
    return blocks


class Command(BaseCommand):
    help = "Loads the demo extranet: pages, organisations, users. Running it again changes nothing."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD", "extranet-demo")
        with transaction.atomic():
            home = self._home()
            documents = self._documents()
            steps = demo.PUBLIC_PAGES + demo.SECURED_SECTIONS
            for spec in tqdm(steps, desc="Pages", unit="section", disable=None if options["verbosity"] else True):
                self._page(home, spec, documents)
            self._settings(home)
            self._app_links()
            users = self._users(password)
            self._follows()
        self._report(users, password)

    def _home(self):
        home = HomePage.objects.first()
        if home is not None:
            return home
        root = Page.get_first_root_node()
        home = HomePage(
            title="Extranet voor partners",
            slug="extranet",
            intro="Op Extranet vind je alle informatie en toepassingen die je als partner van VDAB nodig hebt.",
            restriction="public",
            body=_body(
                [
                    (demo.P, "<p>Extranet heeft publieke pagina's en beveiligde pagina's.</p>"),
                ]
            ),
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        old_root = site.root_page if site else None
        site = site or Site(is_default_site=True)
        site.hostname, site.port = site_address()
        site.root_page = home
        site.site_name = "Extranet voor partners"
        site.save()
        if old_root is not None and old_root.pk != home.pk and not old_root.get_children().exists():
            old_root.delete()
        return home

    def _documents(self):
        """{page slug: document}: the blank terms-of-use form, which a prospective administrator
        downloads before they have any access, on the public page that explains it; a document
        for the uitbetaling profile only on its secured section."""
        Document = get_document_model()
        documents = {}
        for slug, (title, filename, profiles) in demo.DOCUMENTS.items():
            document = Document.objects.filter(title=title).first()
            if document is None:
                document = Document(title=title, collection=Collection.get_first_root_node())
                document.file.save(filename, ContentFile(PDF), save=False)
                document.save()
                restriction = DocumentRestriction.objects.create(document=document, is_public=not profiles)
                restriction.profiles.set(Profile.objects.filter(code__in=profiles))
            documents[slug] = document
        return documents

    def _page(self, parent, spec, documents):
        page = parent.get_children().filter(slug=spec["slug"]).first()
        if page is None:
            attach = documents.get(spec["slug"])
            page = ContentPage(
                title=spec["title"],
                slug=spec["slug"],
                intro=spec.get("intro", ""),
                body=_body(spec.get("body", []), attach),
                restriction=spec.get("restriction", "inherit"),
            )
            page.restriction_profiles = list(Profile.objects.filter(code__in=spec.get("profiles", [])))
            parent.add_child(instance=page)
            page.save_revision().publish()
        for child in spec.get("children", []):
            self._page(page, child, documents)
        return page

    def _settings(self, home):
        site = Site.objects.get(root_page=home)
        settings = ExtranetSettings.for_site(site)
        pages = {p.slug: p for p in home.get_descendants()}
        if settings.access_page_id is None:
            settings.access_page = pages["hoe-krijg-je-toegang"]
            settings.terms_page = pages["gebruiksvoorwaarden"]
            settings.disclaimer_page = pages["disclaimer"]
            settings.save()
        if settings.accessibility_page_id is None:
            settings.accessibility_page = pages["toegankelijkheid"]
            settings.save()
        for code, slug in demo.PROFILE_HELP_SLUGS.items():
            Profile.objects.filter(code=code, help_page__isnull=True).update(help_page=pages[slug])

    def _app_links(self):
        for order, (title, description, right, admins_only, url) in enumerate(demo.APP_LINKS):
            AppLink.objects.get_or_create(
                title=title,
                defaults={
                    "description": description,
                    "right": ApplicationRight.objects.filter(code=right).first() if right else None,
                    "administrators_only": admins_only,
                    "url": url,
                    "sort_order": order,
                },
            )

    def _users(self, password):
        User = get_user_model()
        vestigingen = {}
        for key, (name, mlp, uitbetaling, cheques, vestiging_name, access) in demo.ORGANISATIONS.items():
            organisation, _ = Organisation.objects.get_or_create(
                name=name,
                defaults={"registers_in_mlp": mlp, "is_uitbetalingsinstelling": uitbetaling, "registers_career_cheques": cheques},
            )
            vestigingen[key], _ = Vestiging.objects.get_or_create(
                organisation=organisation, name=vestiging_name,
                defaults={"uitbetaling_access": access, "identifier": demo.vestiging_identifier(key)},
            )

        def user(username, first, last, **flags):
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.be", **flags},
            )
            if created:
                user.set_password(password)
                user.save()
            return user

        officer = None
        for username, (first, last, groups) in demo.AGENCY.items():
            agent = user(username, first, last, is_superuser=not groups, is_staff=not groups)
            for name in groups:
                group, _ = Group.objects.get_or_create(name=name)
                if name == "Toegangsbeheerders VDAB":
                    officer = agent
                    for app_label, codename in ACCESS_OFFICER_PERMISSIONS:
                        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
                agent.groups.add(group)

        partners = []
        for username, (first, last, org, rights, training, auditor, admin, grants) in demo.PARTNERS.items():
            partner = user(username, first, last)
            account, _ = PartnerAccount.objects.get_or_create(
                user=partner,
                defaults={
                    "vestiging": vestigingen[org],
                    "mlp_training_followed": training,
                    "is_auditor": auditor,
                    "is_administrator": admin,
                },
            )
            for code in rights:
                UserRight.objects.get_or_create(account=account, right=ApplicationRight.objects.get(code=code))
            for code in grants:
                ProfileGrant.objects.get_or_create(
                    account=account, profile=Profile.objects.get(code=code), defaults={"approved_by": officer}
                )
            partners.append(partner)
        self._accepted_terms_forms(officer)
        return partners + [User.objects.get(username=u) for u in demo.AGENCY]

    def _accepted_terms_forms(self, officer):
        """The administrators of a vestiging with uitbetaling access had their signed
        form accepted (SPEC §7); the demo has them on file as received by mail."""
        for account in PartnerAccount.objects.filter(is_administrator=True, vestiging__uitbetaling_access=True):
            if not account.terms_forms.exists():
                form = TermsForm(
                    account=account, source=FormSource.MAIL, status=FormStatus.ACCEPTED,
                    submitted_by=officer, decided_by=officer, decided_at=timezone.now(),
                )
                form.file.save("formulier-gebruiksvoorwaarden.pdf", ContentFile(PDF), save=False)
                form.save()

    def _follows(self):
        """multi.partner follows a page of each of its sections and gets a daily digest;
        editors read who follows what and which digests went out, and read the feedback
        and mark it handled."""
        User = get_user_model()
        partner = User.objects.get(username="multi.partner")
        for url_path in ("/extranet/mlp/nieuws/", "/extranet/das/nieuws/"):
            Follow.objects.get_or_create(user=partner, page=Page.objects.get(url_path=url_path))
        MailingPreference.objects.get_or_create(user=partner, defaults={"mailing": Mailing.DAILY})
        editors, _ = Group.objects.get_or_create(name="Editors")
        for app_label, codename in (
            ("extranet_follow", "view_follow"),
            ("extranet_follow", "view_digest"),
            ("extranet_feedback", "view_feedback"),
            ("extranet_feedback", "change_feedback"),
        ):
            editors.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )

    def _report(self, users, password):
        self.stdout.write("\nDemo logins (password: %s)\n" % password)
        width = max(len(u.username) for u in users)
        self.stdout.write(f"{'user'.ljust(width)}  profiles")
        for user in users:
            profiles = ", ".join(sorted(user_profiles(user))) or "-"
            if user.is_superuser:
                profiles += " (superuser, Wagtail-admin)"
            elif user.groups.exists():
                profiles += " (%s, Wagtail-admin)" % ", ".join(g.name for g in user.groups.all())
            self.stdout.write(f"{user.username.ljust(width)}  {profiles}")
