import jwt
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import provider
from .claims import apply_claims
from .models import IdentityLink


class ProviderBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, which also checks the ID token's issuer and audience
    (it checks only the signature and nonce), links a user by the provider's subject
    identifier, else once by a verified e-mail address, and applies the rights claims."""

    get_settings = staticmethod(provider.setting)
    OIDC_OP_TOKEN_ENDPOINT = provider.setting_property("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = provider.setting_property("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = provider.setting_property("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = provider.setting_property("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = provider.setting_property("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = provider.setting_property("OIDC_RP_SIGN_ALGO")
    OIDC_RP_IDP_SIGN_KEY = provider.setting_property("OIDC_RP_IDP_SIGN_KEY")

    def __init__(self, *args, **kwargs):
        # Django makes every backend for every login, also a local one: the provider is
        # asked only when a login goes through it.
        ModelBackend.__init__(self, *args, **kwargs)
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not provider.configured() or request is None or "code" not in request.GET:
            return None
        return super().authenticate(request, **kwargs)

    def decode(self, token, key, require):
        """The claims of a token the provider signed for this site: its algorithm, issuer and
        audience checked, the ``require``d claims present. ID tokens and logout tokens alike."""
        return jwt.decode(
            token,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=provider.issuer(),
            options={"require": require},
        )

    def _verify_jws(self, payload, key):
        try:
            return self.decode(payload, key, ["exp", "iat", "iss", "aud", "sub"])
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error

    def store_tokens(self, access_token, id_token):
        super().store_tokens(access_token, id_token)
        # The provider's session id, which its back-channel logout names (verified above).
        sid = jwt.decode(id_token, options={"verify_signature": False}).get("sid", "")
        self.request.session["oidc_sid"] = sid

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload["sub"]:  # OpenID Connect Core 5.3.2
            raise SuspiciousOperation("The userinfo is of another subject than the ID token.")
        return claims

    def filter_users_by_claims(self, claims):
        link = IdentityLink.objects.filter(issuer=provider.issuer(), subject=claims["sub"]).select_related("user").first()
        if link is not None:
            return [link.user]
        email = claims.get("email")
        if not email or claims.get("email_verified") is not True:
            return []
        # A user created in Toegangsbeheer, not yet linked to an identity.
        return list(self.UserModel.objects.filter(email__iexact=email, identity_link__isnull=True))

    def create_user(self, claims):
        username = claims.get("preferred_username") or claims.get("email") or claims["sub"]
        if self.UserModel.objects.filter(username=username).exists():
            raise SuspiciousOperation(f"The username {username!r} is someone else's.")
        user = self.UserModel.objects.create_user(username)  # no password: the provider's login only
        return self.update_user(user, claims)

    @transaction.atomic
    def update_user(self, user, claims):
        IdentityLink.objects.get_or_create(user=user, defaults={"issuer": provider.issuer(), "subject": claims["sub"]})
        for field, claim in (("first_name", "given_name"), ("last_name", "family_name"), ("email", "email")):
            if claims.get(claim):
                setattr(user, field, claims[claim])
        user.save()
        apply_claims(user, claims)
        return user
