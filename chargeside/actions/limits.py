"""Money limits per member or role, per currency: per action and per rolling day.

The member's own row beats the role's row; without a row, owners and admins are unlimited and limited
roles are unlimited too until a limit is configured (the console shows which roles have none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chargeside.workspaces.models import ActionLimit

from .models import ActionAttempt


@dataclass(frozen=True)
class LimitCheck:
    allowed: bool
    message: str = ""


def limit_for(member, currency: str) -> ActionLimit | None:
    return (
        ActionLimit.objects.filter(workspace_id=member.workspace_id, member=member, currency=currency).first()
        or ActionLimit.objects.filter(workspace_id=member.workspace_id, member__isnull=True, role=member.role, currency=currency).first()
    )


def spent_today(member, currency: str, *, exclude_attempt_id: int | None = None) -> int:
    since = timezone.now() - dt.timedelta(days=1)
    qs = ActionAttempt.objects.filter(
        member=member, currency=currency, created_at__gte=since,
        status__in=[ActionAttempt.Status.SUCCEEDED, ActionAttempt.Status.IN_FLIGHT],
        approver__isnull=True,  # approved amounts were allowed by someone else; they do not use up the day
    )
    if exclude_attempt_id:
        qs = qs.exclude(pk=exclude_attempt_id)
    return qs.aggregate(total=Sum("amount"))["total"] or 0


def check_limit(member, amount: int, currency: str, *, exclude_attempt_id: int | None = None) -> LimitCheck:
    from chargeside.core.formatting import money

    limit = limit_for(member, currency)
    if limit is None:
        return LimitCheck(True)
    if limit.per_action is not None and amount > limit.per_action:
        return LimitCheck(False, _("%(amount)s is above your limit of %(limit)s per action.")
                          % {"amount": money(amount, currency), "limit": money(limit.per_action, currency)})
    if limit.per_day is not None:
        used = spent_today(member, currency, exclude_attempt_id=exclude_attempt_id)
        if used + amount > limit.per_day:
            return LimitCheck(False, _("This would bring today's total to %(total)s, above your daily limit of %(limit)s.")
                              % {"total": money(used + amount, currency), "limit": money(limit.per_day, currency)})
    return LimitCheck(True)
