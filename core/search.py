"""Text search conditions every index can serve: the ``q`` filters, querysets' ``search()`` and the admin's search.

A search is an OR of lookups such as ``title__icontains``; each local column has a pg_trgm index on
``UPPER(column)`` (:func:`core.models.trigram_index`). An arm that goes through a foreign key
(``album__title__icontains``) would make PostgreSQL join and filter every row, because an OR across two tables
cannot be answered from the two tables' indexes. :func:`search_condition` matches the related table first,
through its own index, and puts the ids it found in the condition (``album_id IN (...)``, served by the foreign
key's index), so every arm is an index scan and the OR a ``BitmapOr``. When the related table matches more
than :data:`MAX_RELATED_IDS` rows the term is not selective and the arm keeps the join (a scan is what that
costs either way).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Func, Q, TextField
from django.db.models.constants import LOOKUP_SEP
from django.db.models.lookups import IContains

#: a related table matching more rows than this is joined instead of listed by id
MAX_RELATED_IDS = 1000


def _forward_relation(model, name: str):
    """The many-to-one or one-to-one field ``name`` of ``model`` that holds the foreign key, or ``None``."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a lookup name or an annotation
        return None
    if field.is_relation and field.concrete and (field.many_to_one or field.one_to_one):
        return field
    return None


def search_condition(model, lookups: Iterable[str], value) -> Q:
    """``Q(lookup=value) | ...`` for each lookup, with the arms through a foreign key matched on the related
    table first (one query per relation, the lookups on one relation OR-ed together) and put in the condition
    as the ids found. Related rows are read with the base manager, as a join would see them."""
    local: list[str] = []
    related: dict[str, list[str]] = {}
    for lookup in lookups:
        head, _, rest = lookup.partition(LOOKUP_SEP)
        field = _forward_relation(model, head) if rest and LOOKUP_SEP in rest else None
        if field is None:
            local.append(lookup)
        else:
            related.setdefault(head, []).append(rest)
    condition = Q.create([(lookup, value) for lookup in local], connector=Q.OR)
    for head, rests in related.items():
        field = model._meta.get_field(head)
        target = field.related_model
        ids = list(
            target._base_manager.filter(search_condition(target, rests, value))
            .values_list(field.target_field.attname, flat=True)
            .order_by()[: MAX_RELATED_IDS + 1]
        )
        if len(ids) <= MAX_RELATED_IDS:
            condition |= Q(**{f"{field.attname}__in": ids})
        else:
            condition |= Q.create([(f"{head}{LOOKUP_SEP}{rest}", value) for rest in rests], connector=Q.OR)
    return condition


def contains_any(model, fields: Iterable[str], value: str) -> Q:
    """Rows where any of ``fields`` (local or through foreign keys, ``song__title``) contains ``value``, any case."""
    return search_condition(model, [f"{field}{LOOKUP_SEP}icontains" for field in fields], value)


class JoinedText(Func):
    """``a || ' ' || b``: the columns as one text. Immutable, so an index can hold it; the columns must not be
    nullable (a NULL would blank the whole text; optional text is ``""`` in this project)."""

    arg_joiner = " || ' ' || "
    template = "(%(expressions)s)"
    output_field = TextField()


def search_text(*fields: str):
    """The text a search over several local columns matches: the columns joined by a space
    (:class:`JoinedText`), which ``core.models.trigram_index(name, *fields)`` indexes."""
    return F(fields[0]) if len(fields) == 1 else JoinedText(*fields)


def text_contains(fields: Iterable[str], value: str) -> Q:
    """Rows whose ``fields``, joined as one text (:func:`search_text`), contain ``value``, any case: one
    condition that one trigram index over the columns serves (a term may also span two adjacent columns)."""
    return Q(IContains(search_text(*fields), value))


_PREFIXES = {"^": "istartswith", "=": "iexact", "@": "search"}


def admin_lookups(model, search_fields: Iterable[str]) -> list[str] | None:
    """The lookups of a ModelAdmin's ``search_fields`` as Django's admin builds them (``^`` starts with, ``=``
    exact, ``@`` full text, otherwise contains, any case), or ``None`` when one names its own lookup or does not
    end at a column (the admin then searches its own way)."""
    lookups = []
    for spec in map(str, search_fields):
        lookup = _PREFIXES.get(spec[:1], "icontains")
        path = spec[1:] if spec[:1] in _PREFIXES else spec
        current = model
        for name in path.split(LOOKUP_SEP):
            if current is None:  # a name after a column: a lookup of its own
                return None
            try:
                field = current._meta.pk if name == "pk" else current._meta.get_field(name)
            except FieldDoesNotExist:
                return None
            current = field.related_model if field.is_relation else None
        if current is not None:  # ends at a relation, not a column
            return None
        lookups.append(f"{path}{LOOKUP_SEP}{lookup}")
    return lookups
