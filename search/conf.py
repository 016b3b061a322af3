"""The search app's settings, each with its default: a host sets ``EXTRANET_SEARCH_<NAME>``."""

from cms_extranet.conf import Settings

DEFAULTS = {
    # Elasticsearch nodes, comma-separated; empty: Wagtail's database search backend.
    "ELASTICSEARCH_URL": "",
    # Client options (ca_certs, ssl_assert_fingerprint, api_key, basic_auth).
    "ELASTICSEARCH_OPTIONS": {},
    # The alias the site searches; each reindex builds a new index behind it.
    "INDEX_ALIAS": "extranet-pages",
    "INDEX_REPLICAS": 0,
}

search_settings = Settings("EXTRANET_SEARCH_", DEFAULTS)
