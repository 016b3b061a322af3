import swapper
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..access import readable_pages
from . import digests
from .forms import DigestPreviewForm, MailingForm
from .models import Follow, Mailing, MailingPreference, can_follow

REMOVED_SESSION_KEY = "extranet_follow_removed"


class FollowerRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_follow(request.user):
            raise PermissionDenied(FOLLOW_REFUSED)
        return super().dispatch(request, *args, **kwargs)


def back(request, default):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


FOLLOW_REFUSED = _("Following pages is for users who hold an Extranet profile.")


def followable_page(user, page_id):
    """The live page ``page_id`` if this user may follow it: PermissionDenied without a
    profile, Http404 for a page they may not read (or that does not exist)."""
    if not can_follow(user):
        raise PermissionDenied(FOLLOW_REFUSED)
    Page = swapper.load_model("wagtailcore", "Page")
    page = readable_pages(user, Page.objects.live().filter(pk=page_id)).first()
    if page is None:
        raise Http404
    return page


def set_following(user, page, following):
    """Follow or stop following (idempotent); the message that says what happened."""
    if following:
        Follow.objects.get_or_create(user=user, page=page)
        return _("You now follow this page: %(title)s.") % {"title": page.title}
    Follow.objects.filter(user=user, page=page).delete()
    return _("You no longer follow this page: %(title)s.") % {"title": page.title}


def save_mailing(user, data):
    """The bound MailingForm, saved when valid."""
    preference = MailingPreference.objects.filter(user=user).first()
    form = MailingForm(data, instance=preference or MailingPreference(user=user))
    if form.is_valid():
        form.save()
    return form


class FollowToggleView(FollowerRequiredMixin, View):
    """POST ``volgen=1`` follows the page, ``volgen=0`` stops following it.

    Answers JSON to the script, else redirects back; a page the user may not read is a 404.
    """

    http_method_names = ["post"]

    def post(self, request, page_id):
        page = followable_page(request.user, page_id)
        following = request.POST.get("volgen") == "1"
        message = set_following(request.user, page, following)
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"following": following, "message": str(message)})
        target = back(request, page.url or "/")
        if not following and target.startswith(resolve_url("extranet:profile")):
            # Removed from the profile list: it shows there once more, greyed, to undo a slip.
            removed = request.session.get(REMOVED_SESSION_KEY, [])
            request.session[REMOVED_SESSION_KEY] = [*removed, page.pk][-50:]
        messages.success(request, message)
        return HttpResponseRedirect(target)


class MailingView(LoginRequiredMixin, FollowerRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        if save_mailing(request.user, request.POST).is_valid():
            messages.success(request, _("Your mailing choice has been saved."))
        else:
            messages.error(request, _("Choose how often you want to get a mail."))
        return HttpResponseRedirect(resolve_url("extranet:profile") + "#mailing")


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(TemplateView):
    """The mail's signed link: a button that sets Mailing to Nooit, no login needed.

    The mail client's one-click POST (RFC 8058) does the same. A GET changes nothing, so
    link scanners cannot unsubscribe anyone.
    """

    template_name = "extranet_follow/unsubscribe.html"
    extra_context = {"title": _("No more mails about followed pages")}

    def dispatch(self, request, token):
        user_id = digests.user_of_unsubscribe_token(token)
        self.user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        if self.user is None:
            raise Http404
        return super().dispatch(request, token)

    def post(self, request, token):
        MailingPreference.objects.update_or_create(
            user=self.user, defaults={"mailing": Mailing.NEVER}
        )
        return self.render_to_response(self.get_context_data(done=True))


class DigestPreviewView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    """The digest a user would get if it were built now, without claiming or sending."""

    page_title = _("Digest preview")
    header_icon = "mail"

    permission_required = "extranet_follow.view_digest"
    template_name = "extranet_follow/admin/digest_preview.html"
    form_class = DigestPreviewForm

    def get_form_kwargs(self):
        return {"data": self.request.GET or None}

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        context = self.get_context_data(form=form)
        if form.is_valid():
            user, frequency = form.cleaned_data["user"], form.cleaned_data["frequency"]
            _period, window_end = digests.period_of(frequency)
            window_end += digests.period_length(frequency)  # the next run
            starts = digests.window_starts([user.pk], frequency, window_end)
            context.update(
                composition=digests.compose([user], frequency, starts, window_end)[user.pk],
                window_start=starts[user.pk],
                window_end=window_end,
                previewed=True,
            )
        return self.render_to_response(context)
