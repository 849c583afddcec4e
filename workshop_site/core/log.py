"""A filter for settings.LOGGING: what a refused request leaves in the log."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A 4xx answer is one line. Django logs it (`django.request`: "Forbidden (Permission
    denied): /plans/overview/", `django.security.*`: "Invalid HTTP_HOST header …") with the
    exception that refused the request attached, and its traceback only says where the refusal
    was raised. A record carrying a `status_code` below 500 loses it; server errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
