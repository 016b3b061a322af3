import swapper
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from search import documents, indexing
from search.backends import compact_database_index


class Command(BaseCommand):
    help = (
        "Rebuild the site's search index. Elasticsearch: into a new index, then swap the alias; search keeps "
        "working meanwhile. The database: Wagtail's update_index, then, on PostgreSQL, its table compacted."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        if not documents.enabled():
            call_command("update_index", backend_name="default", verbosity=verbosity)
            if compact_database_index() and verbosity:
                self.stdout.write(_("The search index table is compacted."))
            return
        total = swapper.load_model("wagtailcore", "Page").objects.live().filter(depth__gt=1).count()
        with tqdm(total=total, unit=_("page"), disable=None if verbosity else True) as progress:
            name, count = indexing.rebuild(progress=progress)
        self.stdout.write(
            _("%(count)s pages indexed in %(index)s; alias %(alias)s points to it.")
            % {"count": count, "index": name, "alias": documents.alias_name()}
        )
