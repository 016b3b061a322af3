import swapper
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from search import documents, indexing


class Command(BaseCommand):
    help = "Rebuild the Elasticsearch index into a new index and swap the alias; search keeps working meanwhile."

    def handle(self, *args, **options):
        if not documents.enabled():
            raise CommandError("ELASTICSEARCH_URL is not set: the site searches the database.")
        total = swapper.load_model("wagtailcore", "Page").objects.live().filter(depth__gt=1).count()
        with tqdm(total=total, unit=_("page"), disable=None if options["verbosity"] else True) as progress:
            name, count = indexing.rebuild(progress=progress)
        self.stdout.write(
            _("%(count)s pages indexed in %(index)s; alias %(alias)s points to it.")
            % {"count": count, "index": name, "alias": documents.alias_name()}
        )
