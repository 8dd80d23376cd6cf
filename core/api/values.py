"""Fast list pages: read rows with ``QuerySet.values()`` and shape them with the serializer's own fields.

Building a model instance per row (and per related row) and walking DRF's field machinery
costs several times the query itself. For list pages, :func:`values_plan` derives from a
serializer which database paths it reads; the page is fetched as dicts in one query and
each value goes through the same field's ``to_representation``, so the output is identical
to the serializer's. Serializers with fields that need an instance (method fields, to-many
relations, custom ``to_representation``) get no plan and are served the ordinary way.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from rest_framework import ISO_8601, fields, relations, serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

#: Field classes whose representation depends only on the value itself.
PLAIN_FIELDS = (
    fields.BooleanField,
    fields.CharField,
    fields.ChoiceField,
    fields.DateField,
    fields.DateTimeField,
    fields.DecimalField,
    fields.DurationField,
    fields.FloatField,
    fields.IntegerField,
    fields.JSONField,
    fields.ListField,
    fields.ReadOnlyField,
    fields.TimeField,
    fields.UUIDField,
)


class UTCDateTime:
    """DRF's default DateTimeField output for aware UTC datetimes, without its per-value timezone work."""

    @staticmethod
    def to_representation(value) -> str:
        if value.utcoffset() != datetime.timedelta(0):
            value = value.astimezone(datetime.UTC)
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


def _converter(field):
    default_format = (
        getattr(field, "format", empty) in (empty, None, ISO_8601) and api_settings.DATETIME_FORMAT == ISO_8601
    )
    if isinstance(field, fields.DateTimeField) and default_format and settings.USE_TZ and settings.TIME_ZONE == "UTC":
        return UTCDateTime
    return field


@dataclass(frozen=True)
class Plan:
    """What to read (``paths``) and how to shape one row (``columns``: key, path, field or nested plan)."""

    paths: tuple[str, ...]
    columns: tuple[tuple[str, str, object], ...]
    pk_path: str | None = None

    def shape(self, row: dict) -> dict | None:
        if self.pk_path is not None and row[self.pk_path] is None:
            return None
        out = {}
        for key, path, how in self.columns:
            if isinstance(how, Plan):
                out[key] = how.shape(row)
            else:
                value = row[path]
                out[key] = None if value is None else how.to_representation(value)
        return out


def _source_path(field) -> str | None:
    if field.source == "*" or any(not part.isidentifier() for part in field.source.split(".")):
        return None
    return field.source.replace(".", "__")


def _build(serializer: serializers.ModelSerializer, prefix: str) -> Plan | None:
    if type(serializer).to_representation is not serializers.ModelSerializer.to_representation:
        return None
    model = serializer.Meta.model
    model_fields = {f.name: f for f in model._meta.get_fields()}
    columns, paths = [], []
    for field in serializer._readable_fields:
        source = _source_path(field)
        if source is None:
            return None
        path = prefix + source
        if isinstance(field, serializers.ModelSerializer):
            nested = _build(field, path + "__")
            if nested is None:
                return None
            columns.append((field.field_name, path, nested))
            paths.extend(nested.paths)
        elif isinstance(field, relations.PrimaryKeyRelatedField) and source in model_fields:
            columns.append((field.field_name, path, field.pk_field or fields.ReadOnlyField()))
            paths.append(path)
        elif isinstance(field, PLAIN_FIELDS) and not isinstance(field, relations.RelatedField):
            base = model_fields.get(source.split("__")[0])
            if base is not None and (base.many_to_many or base.one_to_many):
                return None
            columns.append((field.field_name, path, _converter(field)))
            paths.append(path)
        else:
            return None
    pk_path = prefix + "pk" if prefix else None
    if pk_path:
        paths.append(pk_path)
    return Plan(paths=tuple(dict.fromkeys(paths)), columns=tuple(columns), pk_path=pk_path)


@functools.cache
def values_plan(serializer_class: type[serializers.Serializer]) -> Plan | None:
    """The plan for a serializer class, or ``None`` when its output needs model instances."""
    if not issubclass(serializer_class, serializers.ModelSerializer):
        return None
    return _build(serializer_class(), "")
