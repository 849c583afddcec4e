from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff account: facilitator, office team member or administrator.

    Citizens and providers never get one; they join a workshop as participants kept in
    the session. Defined from the first migration so the user model never has to be swapped.
    """

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username
