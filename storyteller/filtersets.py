"""FilterSets of every storyteller model, built by one factory from the model's columns.

Each gets ``q`` (text search over its text columns), ``<fk>_id`` (core's id filter: comma-separated
ids; an unknown id filters to nothing, a malformed one is a 400), ``storyteller_id`` on storyteller
data however deep the row sits,
one multiple-choice filter per enumeration (``?status=pending&status=in_progress``), booleans,
``<date>_after``/``<date>_before`` ranges on dates and times, and ``<array>`` filters on text arrays
(comma-separated; rows containing all of them), e.g. ``?tags=war,letters``.
"""

from __future__ import annotations

import django_filters
from django.contrib.postgres.fields import ArrayField
from django.db import models

from core.filtersets import FilterSet, IdInFilter, SearchFilterSet
from storyteller import models as m
from storyteller.models.base import searched_columns, storyteller_lookup


class ArrayContainsFilter(django_filters.CharFilter):
    """``?tags=a,b``: rows whose array holds every given value."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__contains": [part.strip() for part in value.split(",")]})


def filterset_for(model) -> type[FilterSet]:
    attrs: dict = {}
    ranges: dict[str, list[str]] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        name = field.name
        if field.is_relation:
            attrs[f"{name}_id"] = IdInFilter(field_name=name, label=f"{field.verbose_name} ids (comma-separated)")
        elif field.choices:
            attrs[name] = django_filters.MultipleChoiceFilter(field_name=name, choices=field.choices)
        elif isinstance(field, models.BooleanField):
            attrs[name] = django_filters.BooleanFilter(field_name=name)
        elif isinstance(field, models.DateTimeField | models.DateField):
            ranges[name] = ["gte", "lte"]
        elif isinstance(field, ArrayField) and isinstance(field.base_field, models.TextField):
            attrs[name] = ArrayContainsFilter(field_name=name, label=f"{field.verbose_name} (comma-separated, all)")
    if getattr(model, "access_path", None) and "storyteller" not in {f.name for f in model._meta.concrete_fields}:
        path = storyteller_lookup(model, "pk") if model is not m.Storyteller else "pk"
        attrs["storyteller_id"] = IdInFilter(field_name=path, label="storyteller ids (comma-separated)")
    meta = type("Meta", (), {"model": model, "fields": ranges})
    attrs.update(
        {
            "Meta": meta,
            "search_fields": tuple(searched_columns(model)),
            "search_as_one_text": True,
            "__module__": __name__,
        }
    )
    return type(f"{model.__name__}FilterSet", (SearchFilterSet,), attrs)


FILTERSETS: dict[type, type[FilterSet]] = {}
for _model in [*m.PROCESS_MODELS, *m.STORYTELLER_MODELS]:
    FILTERSETS[_model] = filterset_for(_model)
    globals()[FILTERSETS[_model].__name__] = FILTERSETS[_model]
