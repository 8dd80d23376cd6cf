"""Serializers of every storyteller model, built by one factory (the fields are the model's own).

``serializer_for(Model)`` lists ``id``, the model's editable columns in declaration order, then
``created_at`` and ``updated_at``. Relations are primary keys; a relation to storyteller data only
accepts rows the requesting user may change (another user's id is an invalid choice, a 400), so no
one can hang a row under someone else's storyteller. Model rules run through ``full_clean()``
(``ValidatedModelSerializer``). The life event serializer also reads and writes its timespans and
locations in one request.
"""

from __future__ import annotations

from rest_framework import serializers

from core.api.serializers import ValidatedModelSerializer
from storyteller import models as m
from storyteller.models.base import StorytellerOwnedModel

#: columns the server sets: never taken from input
READ_ONLY = {
    "Storyteller": ["user"],
    "Event": ["actor", "occurred_at"],
    "StorytellerSession": ["process_version", "current_process_node", "completion_percentage"],
}


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row by id; storyteller rows must be ones the requesting user may change."""

    def get_queryset(self):
        queryset = super().get_queryset()
        model = queryset.model
        if issubclass(model, StorytellerOwnedModel) or model is m.Storyteller:
            request = self.context.get("request")
            user = getattr(request, "user", None)
            return queryset.editable_by(user)
        return queryset


class StorytellerModelSerializer(ValidatedModelSerializer):
    serializer_related_field = ScopedRelatedField


def model_fields(model) -> list[str]:
    names = [
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in ("created_at", "updated_at")
    ]
    if model is m.Event:
        names += ["actor", "occurred_at"]
    return ["id", *dict.fromkeys(names), "created_at", "updated_at"]


def serializer_for(model, base=StorytellerModelSerializer, **attrs) -> type[serializers.ModelSerializer]:
    meta = type(
        "Meta",
        (),
        {"model": model, "fields": model_fields(model), "read_only_fields": READ_ONLY.get(model.__name__, [])},
    )
    # the export workflow (storyteller.api.books) has its own BookExport* serializers: these read the tables
    name = f"{model.__name__}RecordSerializer" if model in (m.BookExport, m.BookExportDelivery) else model.__name__
    name = name if name.endswith("Serializer") else f"{name}Serializer"
    return type(name, (base,), {"Meta": meta, "__module__": __name__, **attrs})


class LifeEventTimespanNestedSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.LifeEventTimespan
        fields = [name for name in model_fields(m.LifeEventTimespan) if name != "life_event"]
        read_only_fields = ["id", "created_at", "updated_at"]


class LifeEventLocationNestedSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.LifeEventLocation
        fields = [name for name in model_fields(m.LifeEventLocation) if name != "life_event"]
        read_only_fields = ["id", "created_at", "updated_at"]


class LifeEventSerializer(StorytellerModelSerializer):
    """A life event with its timespans and locations: given, they replace the event's own."""

    timespans = LifeEventTimespanNestedSerializer(many=True, required=False)
    locations = LifeEventLocationNestedSerializer(many=True, required=False)

    class Meta:
        model = m.LifeEvent
        fields = [*model_fields(m.LifeEvent)[:-2], "timespans", "locations", "created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        nested = {key: attrs.pop(key) for key in ("timespans", "locations") if key in attrs}
        attrs = super().validate(attrs)
        attrs.update(nested)
        return attrs


SERIALIZERS: dict[type, type[serializers.ModelSerializer]] = {}
for _model in [*m.PROCESS_MODELS, *m.STORYTELLER_MODELS]:
    SERIALIZERS[_model] = LifeEventSerializer if _model is m.LifeEvent else serializer_for(_model)
    globals()[SERIALIZERS[_model].__name__] = SERIALIZERS[_model]
