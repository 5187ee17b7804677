"""The audit trail: filters, pages, CSV export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from chargeside.actions.models import AuditEvent
from chargeside.actions.registry import ACTIONS
from chargeside.workspaces.models import Member
from chargeside.workspaces.roles import Perm, can

from ..access import console_view, page, refuse
from ..audit_query import AuditFilters, audit_events, csv_lines

PAGE_SIZE = 50


@console_view(Perm.VIEW_AUDIT)
def audit_list(request):
    filters, errors = AuditFilters.from_query(request.GET)
    events = audit_events(request.workspace, filters)
    paginator = Paginator(events, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    outcomes = AuditEvent.objects.filter(workspace=request.workspace).order_by().values_list("outcome", flat=True).distinct()
    return page(request, "console/audit/list.html", {
        "section": "audit", "page_obj": page_obj, "filters": filters, "errors": errors, "query": query.urlencode(),
        "members": Member.objects.filter(workspace=request.workspace).select_related("user").order_by("user__username"),
        "actions": sorted(ACTIONS), "outcomes": sorted(o for o in outcomes if o),
        "can_export": can(request.member.role, Perm.EXPORT_AUDIT),
    })


@console_view(Perm.VIEW_AUDIT)
def audit_export(request):
    if not can(request.member.role, Perm.EXPORT_AUDIT):
        return refuse(request, _("Your role does not allow exporting the audit trail."))
    filters, errors = AuditFilters.from_query(request.GET)
    if errors:
        return refuse(request, "; ".join(f"{k}: {v}" for k, v in errors.items()), status=400)
    response = StreamingHttpResponse(csv_lines(audit_events(request.workspace, filters)), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{request.workspace.slug}-{stamp}.csv"'
    return response
