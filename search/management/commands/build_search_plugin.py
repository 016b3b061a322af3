from django.core.management.base import BaseCommand

from search.testing import ES_VERSION, build_plugin, ensure_distribution


class Command(BaseCommand):
    help = (
        "Build the Dutch stemming plugin (search/elasticsearch_plugin) that every Elasticsearch "
        f"node of the site needs, for Elasticsearch {ES_VERSION}; needs Java 17+ and Maven."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="directory for the plugin's zip")

    def handle(self, *args, **options):
        archive = build_plugin(ensure_distribution(), options["output"])
        self.stdout.write(f"Install on each node: bin/elasticsearch-plugin install {archive.resolve().as_uri()}")
