import unicodedata
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import swapper
from django.db import OperationalError, connection, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from wagtail.models import Site

from ..access import can_read_page
from ..conf import extranet_settings
from . import notifications
from .forms import FeedbackForm
from .models import PATH_MAX_LENGTH, Feedback

RATE_LIMIT_MESSAGE = _(
    "You have sent a lot of feedback in the past few minutes. Try again in a few minutes."
)
BUSY_MESSAGE = _(
    "It is very busy at the moment: your feedback has not been saved yet. Your text is "
    "still below; try again."
)


def local_path(value):
    """The path if it is a path on this site ("/…"), else ""."""
    if not value or len(value) > PATH_MAX_LENGTH or not value.startswith("/"):
        return ""
    # "//host" and "/\host" lead browsers off the site; control characters are no path.
    if value.startswith("//") or "\\" in value:
        return ""
    if any(unicodedata.category(char).startswith("C") for char in value):
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return ""
    return value


def page_for_path(request, path):
    """The live page that this site serves at the path, if any."""
    site = Site.find_for_request(request)
    if site is None or not path:
        return None
    slugs = [part for part in urlsplit(path).path.split("/") if part]
    url_path = site.root_page.url_path + "".join(f"{slug}/" for slug in slugs)
    Page = swapper.load_model("wagtailcore", "Page")
    return Page.objects.live().filter(url_path=url_path).first()


def client_key(request):
    """An HMAC of the logged-in user, else of the client's address (the IP is never stored).

    A logged-in user is limited as themselves: behind a proxy every visitor shares one address.
    REMOTE_ADDR: behind a reverse proxy, the web server must set it to the client's address.
    """
    if request.user.is_authenticated:
        value = f"user:{request.user.pk}"
    else:
        value = request.META.get("REMOTE_ADDR", "")
    return salted_hmac("extranet_feedback.client", value, algorithm="sha256").hexdigest()


def lock_client(key):
    """Serialise submissions per client, so parallel posts cannot all pass the count.

    PostgreSQL: a transaction-level advisory lock on the key. SQLite takes the database write
    lock at BEGIN (transaction_mode IMMEDIATE), which serialises them already.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def rate_limited(key):
    count, seconds = extranet_settings.FEEDBACK_RATE_LIMIT
    since = timezone.now() - timedelta(seconds=seconds)
    return Feedback.objects.filter(client_key=key, created_at__gte=since).count() >= count


def submit(request, form, path, page):
    """Store a valid form's feedback unless the client is over the rate limit.

    None when it was stored (the editors are mailed after commit), else the refusal:
    (status, message), 429 over the limit, 503 when the database stayed busy.
    """
    key = client_key(request)
    user = request.user
    try:
        with transaction.atomic():
            lock_client(key)
            if rate_limited(key):
                return 429, RATE_LIMIT_MESSAGE
            feedback = Feedback.objects.create(
                page=page,
                path=path,
                message=form.cleaned_data["message"],
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                user=user if user.is_authenticated else None,
                client_key=key,
            )
            notifications.notify_after_commit(feedback)
    except OperationalError:  # the database stayed locked (SQLite) or went away
        return 503, BUSY_MESSAGE
    return None


def named_page(user, page):
    """The page of origin, when this user may read it; a secured page is never named."""
    return page if page is not None and can_read_page(user, page) else None


def thanks_url(path):
    url = reverse("extranet_feedback:thanks")
    return f"{url}?{urlencode({'pagina': path})}" if path else url


class PageOfOriginMixin:
    """The page the visitor came from (``?pagina=``); named only to who may read it."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.path = local_path(request.GET.get("pagina", ""))
        self.page = page_for_path(request, self.path)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["feedback_page"] = named_page(self.request.user, self.page)
        return context


@method_decorator(never_cache, name="dispatch")
class FeedbackView(PageOfOriginMixin, FormView):
    template_name = "extranet_feedback/form.html"
    form_class = FeedbackForm
    extra_context = {"title": _("Give feedback")}

    def get_initial(self):
        user = self.request.user
        if not user.is_authenticated:
            return {}
        return {"name": user.get_full_name(), "email": user.email}

    def form_valid(self, form):
        refusal = submit(self.request, form, self.path, self.page)
        if refusal is not None:
            status, message = refusal
            form.add_error(None, message)
            return self.render_to_response(self.get_context_data(form=form), status=status)
        return redirect(thanks_url(self.path))


@method_decorator(never_cache, name="dispatch")
class ThanksView(PageOfOriginMixin, TemplateView):
    template_name = "extranet_feedback/thanks.html"
    extra_context = {"title": _("Thank you for your feedback")}
