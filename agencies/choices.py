"""Choices of the agencies app that other apps name too. Pure: no model is imported, so
remarks.workflow can read them without agencies.models depending on remarks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """What the interagency commission decided for one remark."""

    HAND_OVER = "hand_over", _("Hand over to the competent agency")
    RESOLVE = "resolve", _("Resolved by the commission's decision")
    DECLINE = "decline", _("Declined by the commission")
