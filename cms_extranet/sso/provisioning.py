"""SCIM 2.0 (RFC 7643/7644) Users, the part the agency's identity management needs to push a
change at once: read a user, find one by ``userName``, and replace or patch their ``active``
flag and the extranet's extension (rights, branch, flags). Behind a bearer token from
EXTRANET_SCIM_TOKEN; without one, there is no endpoint. django-scim2 keeps its state in
fields of the user model, which a plugin that leaves the user model alone cannot add."""

import hmac
import json
import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from ..conf import extranet_settings
from ..models import PartnerAccount
from ..signals import partner_account_changed
from .claims import apply_claims

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
EXTENSION = "urn:ietf:params:scim:schemas:extension:extranet:2.0:User"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
# The extension's attributes and the claims (EXTRANET_OIDC_CLAIMS) they stand for.
ATTRIBUTES = {"rights": "rights", "vestiging": "vestiging", "auditor": "auditor", "mlpTraining": "mlp_training"}


class ScimError(Exception):
    def __init__(self, status, detail, scim_type=None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def scim_response(data, status=200):
    return JsonResponse(data, status=status, content_type="application/scim+json")


def error_response(error):
    body = {"schemas": [ERROR_SCHEMA], "status": str(error.status), "detail": error.detail}
    if error.scim_type:
        body["scimType"] = error.scim_type
    response = scim_response(body, error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="extranet"'
    return response


def extension(user):
    account = PartnerAccount.objects.filter(user=user).select_related("vestiging").first()
    if account is None:
        return {"rights": [], "vestiging": None, "auditor": False, "mlpTraining": False}
    return {
        "rights": sorted(account.rights.values_list("code", flat=True)),
        "vestiging": account.vestiging.identifier if account.vestiging else None,
        "auditor": account.is_auditor,
        "mlpTraining": account.mlp_training_followed,
    }


def resource(request, user):
    return {
        "schemas": [USER_SCHEMA, EXTENSION],
        "id": str(user.pk),
        "userName": user.get_username(),
        "active": user.is_active,
        "name": {"givenName": user.first_name, "familyName": user.last_name},
        "emails": [{"value": user.email, "primary": True}] if user.email else [],
        EXTENSION: extension(user),
        "meta": {"resourceType": "User", "location": request.build_absolute_uri(reverse("extranet_sso:scim_user", args=[user.pk]))},
    }


@method_decorator(csrf_exempt, name="dispatch")
class ScimView(View):
    def dispatch(self, request, *args, **kwargs):
        token = extranet_settings.SCIM_TOKEN
        if not token:
            raise Http404
        given = request.headers.get("Authorization", "")
        try:
            if not (given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode())):
                raise ScimError(401, "A valid bearer token is required.")
            return super().dispatch(request, *args, **kwargs)
        except ScimError as error:
            return error_response(error)

    def body(self):
        try:
            return json.loads(self.request.body or b"{}")
        except ValueError as error:
            raise ScimError(400, "The body is not JSON.", "invalidSyntax") from error

    def user(self, pk):
        user = get_user_model().objects.filter(pk=pk).first()
        if user is None:
            raise ScimError(404, f"There is no user {pk}.")
        return user


class UsersView(ScimView):
    http_method_names = ["get"]

    def get(self, request):
        users = get_user_model().objects.order_by("pk")
        query = request.GET.get("filter", "")
        if query:
            match = re.fullmatch(r'\s*userName\s+eq\s+"([^"]*)"\s*', query, re.IGNORECASE)
            if match is None:
                raise ScimError(400, 'Only the filter userName eq "..." is supported.', "invalidFilter")
            users = users.filter(username=match.group(1))
        users = users[:200]
        return scim_response(
            {"schemas": [LIST_SCHEMA], "totalResults": len(users), "itemsPerPage": len(users), "startIndex": 1,
             "Resources": [resource(request, user) for user in users]}
        )


class UserView(ScimView):
    http_method_names = ["get", "put", "patch"]

    def get(self, request, pk):
        return scim_response(resource(request, self.user(pk)))

    def put(self, request, pk):
        user = self.user(pk)
        body = self.body()
        self.apply(user, body.get("active"), body.get(EXTENSION) or {})
        return scim_response(resource(request, user))

    def patch(self, request, pk):
        user = self.user(pk)
        body = self.body()
        if PATCH_SCHEMA not in body.get("schemas", []):
            raise ScimError(400, "Not a PatchOp request.", "invalidSyntax")
        active, changed = None, {}
        for operation in body.get("Operations", []):
            if operation.get("op", "").lower() not in ("replace", "add"):
                raise ScimError(400, "Only replace and add operations are supported.", "invalidValue")
            path, value = operation.get("path"), operation.get("value")
            if not path:
                values = value if isinstance(value, dict) else {}
                active = values.get("active", active)
                changed.update(values.get(EXTENSION) or {})
            elif path == "active":
                active = value
            elif path.startswith(EXTENSION + ":") and path[len(EXTENSION) + 1:] in ATTRIBUTES:
                changed[path[len(EXTENSION) + 1:]] = value
            else:
                raise ScimError(400, f"The path {path!r} cannot be changed here.", "invalidPath")
        self.apply(user, active, changed)
        return scim_response(resource(request, user))

    @transaction.atomic
    def apply(self, user, active, changed):
        """The extension's changed attributes on top of the current ones, through the same
        code as a login's claims; ``active`` False deactivates the user at once."""
        if active is not None and not isinstance(active, bool):
            raise ScimError(400, "active is true or false.", "invalidValue")
        unknown = set(changed) - set(ATTRIBUTES)
        if unknown:
            raise ScimError(400, f"Unknown attributes: {', '.join(sorted(unknown))}.", "invalidValue")
        if changed:
            values = {**extension(user), **changed}
            names = extranet_settings.OIDC_CLAIMS
            apply_claims(user, {names[claim]: values[attribute] for attribute, claim in ATTRIBUTES.items()})
        if active is not None and active != user.is_active:
            user.is_active = active
            user.save(update_fields=["is_active"])
            account = PartnerAccount.objects.filter(user=user).first()
            if account is not None:
                labels = (_("yes"), _("no")) if not active else (_("no"), _("yes"))
                partner_account_changed.send(PartnerAccount, request=None, account=account, changes={_("active"): labels})
