"""What catalog's fields may hold (see ``core.field_rules``): JSON schemas and the links clients are given."""

from catalog.models import Album, Preset
from core.field_rules import ANY_OBJECT, external_link, json_schema

json_schema(Preset, "parameters", ANY_OBJECT, "synthesiser parameters by name; any object")
external_link(Album, "cover_url", "a cover image clients load themselves; the server never fetches it")
