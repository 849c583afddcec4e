"""E-mail reminders to item owners: due within 7 days or overdue, at most once per item and day."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import CLOSED_STATUSES, ActionItem, ReminderSent

DAYS_AHEAD = 7


def items_to_remind(today: dt.date):
    return (
        ActionItem.objects.filter(due__lte=today + dt.timedelta(days=DAYS_AHEAD), owner_user__isnull=False)
        .exclude(status__in=CLOSED_STATUSES)
        .exclude(owner_user__email="")
        .exclude(reminders__day=today)
        .select_related("plan__office", "owner_user__wagtail_userprofile")
        .order_by("due", "pk")
    )


def owner_language(user) -> str:
    """The language the owner chose in their admin account settings; Romanian otherwise."""
    profile = getattr(user, "wagtail_userprofile", None)
    chosen = profile.get_preferred_language() if profile is not None else ""
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def send_due_reminders(*, today: dt.date | None = None, base_url: str = "") -> int:
    """Send the day's reminders; returns how many were sent. Safe to run again the same day."""
    today = today or timezone.localdate()
    sent = 0
    for item in items_to_remind(today):
        try:
            # Claim the (item, day) first: a second run, even a concurrent one, skips it.
            with transaction.atomic():
                ReminderSent.objects.create(item=item, day=today)
        except IntegrityError:
            continue
        with override(owner_language(item.owner_user)):
            overdue = item.due < today
            subject = (_("Overdue: %(title)s") if overdue else _("Due soon: %(title)s")) % {"title": item.title}
            body = _(
                "%(office)s, %(plan)s\n\n%(title)s\nDue: %(due)s\n\nUpdate it here: %(url)s"
            ) % {
                "office": item.plan.office.title, "plan": item.plan.title, "title": item.title,
                "due": item.due.isoformat(), "url": f"{base_url}/plans/items/{item.pk}/",
            }
        try:
            send_mail(subject, body, None, [item.owner_user.email])
        except Exception:
            # Not sent: release the claim so tomorrow's (or the next) run tries again.
            ReminderSent.objects.filter(item=item, day=today).delete()
            raise
        sent += 1
    return sent
