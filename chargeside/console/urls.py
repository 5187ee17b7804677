"""The console's URLs (mounted at the site root)."""

from django.shortcuts import redirect
from django.urls import path

from .views import audit, auth, connections, customers, limits, members, panel_settings

app_name = "console"


def _choose_provider(request):
    return redirect("console:connection_add", provider=request.GET.get("provider") or "stripe")


urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("workspace/", auth.switch_workspace, name="switch_workspace"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer"),
    path("customers/<int:pk>/actions/<slug:action_name>/<slug:kind>/<int:item_id>/", customers.customer_action, name="customer_action"),
    path("customers/<int:pk>/merge/", customers.customer_merge_view, name="customer_merge"),
    path("customers/<int:pk>/split/", customers.customer_split_view, name="customer_split"),
    path("connections/", connections.connection_list, name="connections"),
    path("connections/add/", _choose_provider, name="connection_add_choose"),
    path("connections/add/<slug:provider>/", connections.connection_add, name="connection_add"),
    path("connections/<int:pk>/", connections.connection_edit, name="connection_edit"),
    path("connections/<int:pk>/test/", connections.connection_test, name="connection_test"),
    path("connections/<int:pk>/toggle/", connections.connection_toggle, name="connection_toggle"),
    path("connections/<int:pk>/sync/", connections.connection_sync, name="connection_sync"),
    path("members/", members.member_list, name="members"),
    path("members/<int:pk>/role/", members.member_role, name="member_role"),
    path("members/<int:pk>/active/", members.member_active, name="member_active"),
    path("members/<int:pk>/identities/", members.member_identities, name="member_identities"),
    path("account/", members.account, name="account"),
    path("account/language/", members.account_language, name="account_language"),
    path("account/tokens/", members.token_create, name="token_create"),
    path("account/tokens/<int:pk>/revoke/", members.token_revoke, name="token_revoke"),
    path("limits/", limits.limit_list, name="limits"),
    path("limits/<int:pk>/delete/", limits.limit_delete, name="limit_delete"),
    path("approvals/", limits.approval_list, name="approvals"),
    path("approvals/<int:pk>/", limits.approval_decide, name="approval_decide"),
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
    path("panel-settings/", panel_settings.panel_settings, name="panel_settings"),
    path("panel-settings/rotate/", panel_settings.panel_secret_rotate, name="panel_secret_rotate"),
]
