"""The health endpoint for the load balancer (django-health-check): the database,
Elasticsearch when configured, and the django-q2 cluster's heartbeat."""

import dataclasses
import datetime

from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Elasticsearch(HealthCheck):
    def run(self):
        from search import documents

        if not documents.enabled():
            return
        try:
            health = documents.client(timeout=3).cluster.health()
        except Exception as error:
            raise ServiceUnavailable(f"Elasticsearch unreachable ({error.__class__.__name__})") from error
        if health["status"] == "red":
            raise ServiceUnavailable("Elasticsearch cluster status red")


@dataclasses.dataclass
class Cluster(HealthCheck):
    """The cluster's scheduler moves every schedule's next run forward; a schedule whose run
    is overdue by more than ``late`` means no cluster is running."""

    late: datetime.timedelta = dataclasses.field(default=datetime.timedelta(minutes=10), repr=False)

    def run(self):
        from django_q.models import Schedule

        overdue = Schedule.objects.filter(next_run__lt=timezone.now() - self.late)
        if overdue.exists():
            raise ServiceUnavailable(
                "django-q2 cluster not running: schedule overdue since "
                f"{overdue.order_by('next_run').values_list('next_run', flat=True).first():%Y-%m-%d %H:%M}"
            )


class HealthView(HealthCheckView):
    checks = (Database, Elasticsearch, Cluster)
