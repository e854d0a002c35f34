from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The project's user from the first migration on, so organisations and roles can be added
    without swapping the user model later."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=[("zh-hans", "简体中文"), ("en", "English")]
    )

    def __str__(self) -> str:
        return self.display_name or self.get_username()
