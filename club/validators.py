"""Validators of single club values."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from club.constants import RATING_VALUES

RATING_VALUE_MESSAGE = _("A rating is between 1.0 and 5.0 in half steps.")


def validate_rating_value(value) -> None:
    """1.0 to 5.0 in half steps (the database checks the same rule)."""
    try:
        ok = Decimal(value) in RATING_VALUES
    except (InvalidOperation, TypeError, ValueError):
        ok = False
    if not ok:
        raise ValidationError(RATING_VALUE_MESSAGE, code="rating_scale")


TIME_ZONE_MESSAGE = _("An IANA time zone name, such as Europe/Paris.")


def validate_time_zone(value) -> None:
    """A time zone name the zone database knows (``zoneinfo``)."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(TIME_ZONE_MESSAGE, code="time_zone") from None
