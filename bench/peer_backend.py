"""Stock Wagtail's Elasticsearch 8 backend for the benchmark's peer.

The test distribution lacks the analysis-common module, so the n-gram analyzers that only
autocomplete uses become plain lowercase analyzers; search() itself is unchanged.
"""

from modelsearch.backends.elasticsearch8 import Elasticsearch8SearchBackend

PLAIN = {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]}


class SearchBackend(Elasticsearch8SearchBackend):
    settings = {
        "settings": {"analysis": {"analyzer": {"ngram_analyzer": PLAIN, "edgengram_analyzer": PLAIN}}}
    }
