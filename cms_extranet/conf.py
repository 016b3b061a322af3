"""The extranet's settings, each with its default: a host sets ``EXTRANET_<NAME>``.

Plugin code reads them here, never from ``django.conf.settings`` directly.
"""

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DEFAULTS = {
    # The agency that runs the extranet, as partners know it (its acronym, say).
    "AGENCY_NAME": _("the agency"),
    # Largest signed form a partner administrator may upload, in bytes.
    "MAX_UPLOAD_SIZE": 5 * 1024 * 1024,
    # Where Wagtail's documents and signed forms are stored; None: next to MEDIA_ROOT.
    "PRIVATE_MEDIA_ROOT": None,
    # Feedback submissions per client, per that many seconds.
    "FEEDBACK_RATE_LIMIT": (5, 600),
    # Addresses that receive feedback; None: the users who may read feedback.
    "FEEDBACK_RECIPIENTS": None,
    # Digests: built at this hour (TIME_ZONE), the weekly one on this weekday (0 = Monday).
    "DIGEST_HOUR": 7,
    "DIGEST_WEEKDAY": 0,
    # How long a digest sender holds its batch before another may take it over, in seconds.
    "DIGEST_SEND_LEASE": 300,
    # A scheduled run builds its digests in this many django-q2 tasks at once (PostgreSQL;
    # one elsewhere), each then sending what is left.
    "DIGEST_BUILDERS": 2,
    # SMTP connections a digest sender uses at once, each in a thread of its own.
    "DIGEST_SEND_CONNECTIONS": 4,
    # A mail that cannot be delivered is tried again this often, this many seconds apart.
    "MAIL_ATTEMPTS": 60,
    "MAIL_RETRY_DELAY": 60,
    # Login through the agency's identity provider (OpenID Connect, cms_extranet.sso): its
    # issuer URL (discovery at ``<issuer>/.well-known/openid-configuration``), this site's
    # client. Without an issuer, the site has local accounts only.
    "OIDC_ISSUER": "",
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    # A session begun at the provider is checked with it again (silently, in the browser)
    # after this many seconds: a user the provider no longer knows is logged out, and
    # changed rights apply.
    "OIDC_REVALIDATE_SECONDS": 300,
    # The bearer token of the agency's identity management at the SCIM 2.0 endpoint
    # (``/scim/v2/Users``); without one, there is no endpoint.
    "SCIM_TOKEN": "",
    # Which logins the Wagtail admin takes: "local" accounts, the "provider", or "both".
    "OIDC_ADMIN_LOGINS": "both",
    # The provider's name on the login page ("Inloggen met ...").
    "OIDC_PROVIDER_NAME": _("your agency login"),
    # The claims that carry the application rights (a list of codes), the identifier of the
    # user's branch, and the auditor and MLP training flags.
    "OIDC_CLAIMS": {
        "rights": "extranet_rights",
        "vestiging": "vestiging",
        "auditor": "auditor",
        "mlp_training": "mlp_training",
    },
}


class Settings:
    def __init__(self, prefix, defaults):
        self._prefix = prefix
        self._defaults = defaults

    def __getattr__(self, name):
        if name not in self._defaults:
            raise AttributeError(name)
        return getattr(settings, self._prefix + name, self._defaults[name])


extranet_settings = Settings("EXTRANET_", DEFAULTS)


def _agency_text(message):
    if get_language() is None:
        # Translations off (makemigrations, migrate): the text as written, so that the
        # plugin's migrations do not depend on a host's agency name.
        return str(message)
    return str(message) % {"agency": extranet_settings.AGENCY_NAME}


# A translated text with ``%(agency)s``, the agency's name filled in each time it is shown:
# for choices, labels and messages that are defined before any request.
agency_text = lazy(_agency_text, str)
