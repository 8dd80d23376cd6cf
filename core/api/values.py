"""Fast list pages: read rows with ``QuerySet.values()`` and shape them with the serializer's own fields.

Building a model instance per row (and per related row) and walking DRF's field machinery
costs several times the query itself. For list pages, :func:`values_plan` derives from a
serializer which database paths it reads; the page is fetched as dicts in one query and
each value goes through the same field's ``to_representation``, so the output is identical
to the serializer's. Serializers with fields that need an instance (method fields, to-many
relations, custom ``to_representation``) get no plan and are served the ordinary way.

Two kinds of value are read already as their JSON text, because turning them into Python objects
and back costs more than the rest of the row: UUIDs (``id::text`` is ``str(uuid)``) and, when the
API writes datetimes in UTC ISO 8601 (the default), timestamps (:class:`IsoUTC` writes what DRF
writes). The list/detail parity test of every viewset (``core.testing``) holds the two outputs equal.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.functions import Cast
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


class IsoUTC(models.Func):
    """A timestamp as DRF writes it in UTC: ``2020-09-13T12:26:40Z``, with ``.ffffff`` only when it has microseconds.

    Only for a column reference (the expression appears three times in the template).
    """

    template = (
        "CASE WHEN date_trunc('second', %(expressions)s) = %(expressions)s"
        " THEN to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        " ELSE to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') END"
    )
    output_field = models.TextField()


class AsRead:
    """The representation of a value read already as its JSON text."""

    @staticmethod
    def to_representation(value):
        return value


def _converter(field):
    default_format = (
        getattr(field, "format", empty) in (empty, None, ISO_8601) and api_settings.DATETIME_FORMAT == ISO_8601
    )
    if isinstance(field, fields.DateTimeField) and default_format and settings.USE_TZ and settings.TIME_ZONE == "UTC":
        return UTCDateTime
    return field


def _as_text(path: str, model_field, how):
    """The SQL that reads ``path`` as its representation, or ``None`` when it is read as a value."""
    if how is UTCDateTime:
        return IsoUTC(models.F(path))
    if isinstance(model_field, models.UUIDField) and (
        isinstance(how, fields.ReadOnlyField)
        or (isinstance(how, fields.UUIDField) and how.uuid_format == "hex_verbose")
    ):
        return Cast(models.F(path), models.TextField())
    return None


@dataclass(frozen=True)
class Plan:
    """What to read (``paths``, and ``texts``: alias -> SQL of a value read as text) and how to shape one row
    (``columns``: key, row key, field or nested plan)."""

    paths: tuple[str, ...]
    columns: tuple[tuple[str, str, object], ...]
    pk_path: str | None = None
    texts: dict = dataclasses.field(default_factory=dict)

    def values(self, queryset, *keys: str):
        """``queryset`` read as the rows :meth:`shape` takes, with the values of ``keys`` as well."""
        return queryset.values(*dict.fromkeys(self.paths + keys), **self.texts)

    def key(self, path: str) -> str | None:
        """The key under which a row holds ``path`` (as its text or as a value), ``None`` if it is not read."""
        if f"text:{path}" in self.texts:
            return f"text:{path}"
        return path if path in self.paths else None

    @functools.cached_property
    def steps(self) -> tuple[tuple[str, str | None, object], ...]:
        """``columns`` as the loop of :meth:`shape` takes them: (key, row key or ``None`` for a nested plan,
        the function that shapes the value or the nested row, ``None`` for a value read as its text)."""
        return tuple(
            (key, None, how.shape)
            if isinstance(how, Plan)
            else (key, path, None if how is AsRead else how.to_representation)
            for key, path, how in self.columns
        )

    def shape(self, row: dict) -> dict | None:
        if self.pk_path is not None and row[self.pk_path] is None:
            return None
        out = {}
        for key, path, convert in self.steps:
            if path is None:
                out[key] = convert(row)
            else:
                value = row[path]
                out[key] = value if convert is None or value is None else convert(value)
        return out


def _source_path(field) -> str | None:
    if field.source == "*" or any(not part.isidentifier() for part in field.source.split(".")):
        return None
    return field.source.replace(".", "__")


def _model_field(model, path: str):
    """The model field at the end of the lookup ``path`` (``pk`` included), or ``None`` if it is not a field
    (``values()`` then refuses the path, and the ``core.E001`` check names it)."""
    *relations_, name = path.split("__")
    try:
        for relation in relations_:
            model = model._meta.get_field(relation).related_model
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    except (FieldDoesNotExist, AttributeError):
        return None
    return field.target_field if field.is_relation else field


def _build(serializer: serializers.ModelSerializer, prefix: str, texts: dict) -> Plan | None:
    """The plan of ``serializer`` read from ``prefix``; the values it reads as text go into ``texts``."""
    if type(serializer).to_representation is not serializers.ModelSerializer.to_representation:
        return None
    model = serializer.Meta.model
    model_fields = {f.name: f for f in model._meta.get_fields()}
    columns, paths = [], []

    def read(path: str, source: str, how) -> tuple[str, object]:
        model_field = _model_field(model, source)
        text = _as_text(path, model_field, how)
        if text is None:
            paths.append(path)
            return path, how
        texts[f"text:{path}"] = text
        return f"text:{path}", AsRead

    for field in serializer._readable_fields:
        source = _source_path(field)
        if source is None:
            return None
        path = prefix + source
        if isinstance(field, serializers.ModelSerializer):
            nested = _build(field, path + "__", texts)
            if nested is None:
                return None
            columns.append((field.field_name, path, nested))
            paths.extend(nested.paths)
        elif isinstance(field, relations.PrimaryKeyRelatedField) and source in model_fields:
            columns.append((field.field_name, *read(path, source, field.pk_field or fields.ReadOnlyField())))
        elif isinstance(field, PLAIN_FIELDS) and not isinstance(field, relations.RelatedField):
            base = model_fields.get(source.split("__")[0])
            if base is not None and (base.many_to_many or base.one_to_many):
                return None
            columns.append((field.field_name, *read(path, source, _converter(field))))
        else:
            return None
    pk = model._meta.pk.name  # the nested row is null when its key is (read once if the serializer reads it too)
    pk_path = read(prefix + pk, pk, fields.ReadOnlyField())[0] if prefix else None
    return Plan(
        paths=tuple(dict.fromkeys(paths)), columns=tuple(columns), pk_path=pk_path, texts=texts if not prefix else {}
    )


@functools.cache
def values_plan(serializer_class: type[serializers.Serializer]) -> Plan | None:
    """The plan for a serializer class, or ``None`` when its output needs model instances."""
    if not issubclass(serializer_class, serializers.ModelSerializer):
        return None
    return _build(serializer_class(), "", {})
