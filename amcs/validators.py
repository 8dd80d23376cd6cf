"""Value formats of the AMCS app."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

validate_blueprint_version = RegexValidator(
    r"^\d{4}\.\d{1,2}$", _("A blueprint version is a year and a number, for example '2025.11'.")
)

validate_semver = RegexValidator(r"^\d+\.\d+\.\d+$", _("Write a version as MAJOR.MINOR.PATCH, for example '1.0.0'."))

validate_musical_key = RegexValidator(
    r"^[A-G](#|b)?\s?(major|minor)$", _("Write a key as a note and a mode, for example 'C major' or 'F# minor'.")
)

validate_time_signature = RegexValidator(r"^\d+/\d+$", _("Write a time signature as beats/unit, for example '4/4'."))

validate_language = RegexValidator(r"^[a-z]{2}$", _("A language is a two-letter ISO 639-1 code, for example 'en'."))
