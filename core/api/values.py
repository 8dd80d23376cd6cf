"""Fast list pages: read rows with ``QuerySet.values()`` and shape them with the serializer's own fields.

Building a model instance per row (and per related row) and walking DRF's field machinery
costs several times the query itself. For list pages, :func:`values_plan` derives from a
serializer which database paths it reads; the page is fetched as dicts in one query and
each value goes through the same field's ``to_representation``, so the output is identical
to the serializer's. Serializers with fields that need an instance (method fields, to-many
relations other than a nested serializer, custom ``to_representation``) get no plan and are served the
ordinary way. A nested serializer of a to-many relation (a track's artists) is read for the whole page by a
second query (:class:`Related`), as ``prefetch_related`` would, so the page costs the same number of queries
whatever its size.

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
from django.db.models import Prefetch
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
class Related:
    """A to-many relation of the rows (``name``), shaped by ``plan`` into the list under ``key``: one query for a
    whole page, over the relation's default manager (or the viewset's ``Prefetch`` queryset, whose filter and
    order it keeps), each row's related rows in that query's order."""

    key: str
    name: str
    plan: Plan | None = None
    #: instead of a plan, one column of each related row (a ``SlugRelatedField``'s slug, a primary key as text)
    column: object = None

    def attach(self, model, rows: list[dict], owner_key: str, base=None) -> None:
        """Set each row's ``many:<key>``: the shaped related rows of the row whose key is at ``owner_key``."""
        relation = model._meta.get_field(self.name)
        related_model = relation.related_model
        back = relation.related_query_name() if relation.concrete else relation.field.name
        queryset = base if base is not None else related_model._default_manager.all()
        owners = [row[owner_key] for row in rows]
        found: dict = {owner: [] for owner in owners}
        if owners:
            queryset = queryset.filter(**{f"{back}__in": owners})
            owner = Cast(models.F(back), models.TextField())
            if self.plan is not None:
                for item in self.plan.values(queryset, **{"related:owner": owner}):
                    found[item["related:owner"]].append(self.plan.shape(item))
            else:
                for item in queryset.values(**{"related:owner": owner, "related:value": self.column}):
                    found[item["related:owner"]].append(item["related:value"])
        for row in rows:
            row[f"many:{self.key}"] = found[row[owner_key]]


@dataclass(frozen=True)
class Plan:
    """What to read (``paths``, and ``texts``: alias -> SQL of a value read as text) and how to shape one row
    (``columns``: key, row key, field or nested plan); ``related``: to-many relations read by a query of their own."""

    paths: tuple[str, ...]
    columns: tuple[tuple[str, str, object], ...]
    pk_path: str | None = None
    texts: dict = dataclasses.field(default_factory=dict)
    related: tuple[Related, ...] = ()

    def values(self, queryset, *keys: str, **expressions):
        """``queryset`` read as the rows :meth:`shape` takes, with the values of ``keys`` as well."""
        if self.related:  # the key the related rows are matched on
            expressions = {"text:pk": Cast(models.F("pk"), models.TextField()), **expressions}
        return queryset.prefetch_related(None).values(*dict.fromkeys(self.paths + keys), **self.texts, **expressions)

    def attach_related(self, queryset, rows: list[dict]) -> None:
        """Read the to-many relations of a page of ``rows`` (one query each); ``queryset`` is the page's own,
        whose ``Prefetch`` lookups give a relation's queryset."""
        prefetches = {
            lookup.prefetch_to: lookup.queryset
            for lookup in getattr(queryset, "_prefetch_related_lookups", ())
            if isinstance(lookup, Prefetch)
        }
        for related in self.related:
            related.attach(queryset.model, rows, "text:pk", prefetches.get(related.name))

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


def _related_column(child, related_model):
    """What a to-many relation field writes of each related row, as SQL over the related model: its slug, or its
    UUID primary key as text (what its JSON is); ``None`` for any other relation field."""
    kind = type(child).to_representation
    if isinstance(child, relations.SlugRelatedField) and kind is relations.SlugRelatedField.to_representation:
        if "__" in child.slug_field or "." in child.slug_field:
            return None
        return models.F(child.slug_field)
    if (
        isinstance(child, relations.PrimaryKeyRelatedField)
        and kind is relations.PrimaryKeyRelatedField.to_representation
        and child.pk_field is None
        and isinstance(related_model._meta.pk, models.UUIDField)
    ):
        return Cast(models.F("pk"), models.TextField())
    return None


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

    related = []
    for field in serializer._readable_fields:
        source = _source_path(field)
        if source is None:
            return None
        path = prefix + source
        if isinstance(field, serializers.ListSerializer):
            relation = model_fields.get(source)
            if (
                prefix
                or relation is None
                or not (relation.many_to_many or relation.one_to_many)
                or not isinstance(field.child, serializers.ModelSerializer)
            ):
                return None
            nested = _build(field.child, "", {})
            if nested is None or nested.related:
                return None
            related.append(Related(key=field.field_name, name=source, plan=nested))
            columns.append((field.field_name, f"many:{field.field_name}", AsRead))
        elif isinstance(field, relations.ManyRelatedField):
            relation = model_fields.get(source)
            if prefix or relation is None or not (relation.many_to_many or relation.one_to_many):
                return None
            column = _related_column(field.child_relation, relation.related_model)
            if column is None:
                return None
            related.append(Related(key=field.field_name, name=source, column=column))
            columns.append((field.field_name, f"many:{field.field_name}", AsRead))
        elif isinstance(field, serializers.ModelSerializer):
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
        paths=tuple(dict.fromkeys(paths)),
        columns=tuple(columns),
        pk_path=pk_path,
        texts=texts if not prefix else {},
        related=tuple(related),
    )


@functools.cache
def values_plan(serializer_class: type[serializers.Serializer]) -> Plan | None:
    """The plan for a serializer class, or ``None`` when its output needs model instances."""
    if not issubclass(serializer_class, serializers.ModelSerializer):
        return None
    return _build(serializer_class(), "", {})
