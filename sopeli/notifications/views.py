from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from sopeli.notifications.health import readiness


@never_cache
def readyz(request):
    """For the load balancer and monitoring: 200 when ready, 503 with the failing checks otherwise."""
    report = readiness()
    return JsonResponse(report, status=200 if report["ready"] else 503)
