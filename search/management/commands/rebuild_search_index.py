import swapper
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from search import documents, indexing


class Command(BaseCommand):
    help = "Rebuild the Elasticsearch index into a new index and swap the alias; search keeps working meanwhile."

    def handle(self, *args, **options):
        if not documents.enabled():
            raise CommandError("ELASTICSEARCH_URL is not set: the site searches the database.")
        total = swapper.load_model("wagtailcore", "Page").objects.live().filter(depth__gt=1).count()
        with tqdm(total=total, unit="pagina", disable=options["verbosity"] == 0) as progress:
            name, count = indexing.rebuild(progress=progress)
        self.stdout.write(f"{count} pagina's geïndexeerd in {name}; alias {documents.alias_name()} wijst ernaar.")
