from django.core.management.base import BaseCommand, CommandError

from search import documents, indexing


class Command(BaseCommand):
    help = "Report pages missing from the index, documents of pages that are gone, and stale restrictions."

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="Bring the index in line with the pages.")

    def handle(self, *args, repair=False, **options):
        if not documents.enabled():
            raise CommandError("ELASTICSEARCH_URL is not set: the site searches the database.")
        found = indexing.drift()
        for label, ids in (("missing", found.missing), ("extra", found.extra), ("stale restriction", found.stale)):
            shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
            self.stdout.write(f"{label}: {len(ids)}" + (f" ({shown})" if ids else ""))
        if found and repair:
            indexing.repair(found)
            self.stdout.write("repaired")
        elif found:
            raise CommandError("The index has drifted; run with --repair to fix it.")
