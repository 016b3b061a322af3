from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ... import digests
from ...models import Mailing


class Command(BaseCommand):
    help = (
        "Build and send the digests of the latest daily or weekly period. As idempotent as "
        "the scheduled run: users who already have their digest for the period get nothing."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--daily", action="store_const", dest="frequency", const=Mailing.DAILY)
        group.add_argument("--weekly", action="store_const", dest="frequency", const=Mailing.WEEKLY)

    def handle(self, frequency, verbosity, **options):
        period, window_end = digests.period_of(frequency)
        bars = []

        def progress(step):
            labels = {"claim": _("claiming"), "build": _("building"), "send": _("sending")}
            bar = tqdm(desc=labels[step], unit="digest", disable=None if verbosity else True, file=self.stderr._out)
            bars.append(bar)
            return bar.update

        try:
            sent = digests.run(frequency, progress=progress)
        except OSError as error:
            raise CommandError(_("The mail server cannot be reached: %(error)s") % {"error": error}) from error
        finally:
            for bar in bars:
                bar.close()
        if verbosity:
            self.stdout.write(
                _("Period %(period)s (until %(end)s): %(sent)s sent.")
                % {"period": f"{period:%d-%m-%Y}", "end": f"{window_end:%H:%M}", "sent": sent}
            )
