"""Value formats of the catalog."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

validate_isrc = RegexValidator(
    r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$",
    _("An ISRC is 12 characters: country (2 letters), registrant (3), year (2 digits), designation (5 digits)."),
)

validate_spotify_id = RegexValidator(r"^[0-9A-Za-z]{22}$", _("A Spotify id is 22 letters and digits."))

validate_musical_key = RegexValidator(
    r"^[A-G](#|b)?(m|min|maj)?$",
    _("Write a key as a note name with an optional #/b and m for minor, for example 'F#m' or 'Eb'."),
)

validate_tag = RegexValidator(
    r"^\s*[a-zA-Z0-9][a-zA-Z0-9 &+/._-]{0,49}$",
    _("Tags are letters, digits and ' &+/._-', at most 50 characters (stored in lower case)."),
)
