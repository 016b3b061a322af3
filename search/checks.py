"""System checks of the search app."""

from django.core.checks import Warning, register

from . import documents


@register()
def check_elasticsearch(app_configs, **kwargs):
    if not documents.enabled():
        return []
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
