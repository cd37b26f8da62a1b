from django.http import HttpResponse

from sopeli.core.tenancy import with_lag


@with_lag
def members(request, lag):
    return HttpResponse("todo")


join = body = manage_members = members
