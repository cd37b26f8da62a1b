from sopeli.accounts.models import RoleGrant


def role_grants_for_lag(lag):
    return RoleGrant.objects.filter(lag=lag).select_related("user").order_by("role", "user__full_name")
