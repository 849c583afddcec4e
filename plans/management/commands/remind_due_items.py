from django.conf import settings
from django.core.management.base import BaseCommand

from plans.reminders import send_due_reminders


class Command(BaseCommand):
    help = "E-mail the owners of plan items due within 7 days or overdue (once per item and day; run daily from cron)."

    def handle(self, *args, **options):
        sent = send_due_reminders(base_url=settings.WAGTAILADMIN_BASE_URL.rstrip("/"))
        self.stdout.write(f"{sent} reminder(s) sent.")
