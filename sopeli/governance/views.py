from django.http import HttpResponse

from sopeli.core.tenancy import with_lag


@with_lag
def decisions(request, lag):
    return HttpResponse("todo")


my_votes = manage_meetings = decisions
