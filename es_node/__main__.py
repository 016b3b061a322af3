"""Build the Dutch stemming plugin (es_node/plugin) that every Elasticsearch node of the site
needs: ``python -m es_node <output dir>``; needs Java 17+ and Maven."""

import sys

from . import ES_VERSION, build_plugin, ensure_distribution

if len(sys.argv) != 2:
    sys.exit(f"usage: python -m es_node <output dir>  (builds for Elasticsearch {ES_VERSION})")
archive = build_plugin(ensure_distribution(), sys.argv[1])
print(f"Install on each node: bin/elasticsearch-plugin install {archive.resolve().as_uri()}")
