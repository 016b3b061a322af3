"""System checks of the search app."""

from importlib.util import find_spec

from django.core.checks import Error, Warning, register

from . import documents


@register()
def check_elasticsearch(app_configs, **kwargs):
    if not documents.enabled():
        return []
    if not (find_spec("elasticsearch") and find_spec("elasticsearch_dsl")):
        return [
            Error(
                "EXTRANET_SEARCH_ELASTICSEARCH_URL is set, but the Elasticsearch client is not installed.",
                hint='pip install "wagtail-extranet[elasticsearch]", or leave the URL empty to search the database.',
                id="extranet_search.E002",
            )
        ]
    try:
        reachable = documents.client(timeout=3).ping()
    except Exception:  # noqa: BLE001 (any failure to connect is the finding)
        reachable = False
    if reachable:
        return []
    return [
        Warning(
            "Elasticsearch does not answer at EXTRANET_SEARCH_ELASTICSEARCH_URL: the search "
            "page answers 503 and page changes wait in the queue until it does.",
            hint="Start the cluster, or correct its address and credentials "
            "(EXTRANET_SEARCH_ELASTICSEARCH_OPTIONS); leave the URL empty to search the database.",
            id="extranet_search.W001",
        )
    ]
