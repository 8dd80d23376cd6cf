"""Every model's ``__str__`` survives the values a row may hold: null relations and nullable fields, and JSON of any
shape (a changelist or a delete page calls it on every row; one odd row must not make the page a 500)."""

import datetime

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

#: JSON a column may hold whatever the code that writes it expects: none, a list, a string, a number, an object
#: with values of the wrong type.
ODD_JSON = [None, [], "text", 3, {"title": None, "artist_name": ["x"], "name": {"a": 1}}]

#: A value for each required field the model gives no default (a saved row always has one).
REQUIRED = {
    models.DateTimeField: datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    models.DateField: datetime.date(2026, 1, 1),
    models.DurationField: datetime.timedelta(0),
    models.FloatField: 0.0,
    models.DecimalField: 0,
    models.IntegerField: 0,
    models.CharField: "",
    models.TextField: "",
}


def project_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_config.path.startswith(str(settings.BASE_DIR))
        and "site-packages" not in model._meta.app_config.path
    ]


def required_value(field):
    return next((value for kind, value in REQUIRED.items() if isinstance(field, kind)), None)


def odd_row(model, json_value):
    """An unsaved row of ``model``: every nullable column null, every JSON column ``json_value``, every required
    relation an empty row of its model, every other required column a plain value."""
    row = model()
    for field in model._meta.concrete_fields:
        if isinstance(field, models.JSONField):
            setattr(row, field.attname, json_value)
        elif field.null:
            setattr(row, field.attname, None)
        elif field.is_relation:
            setattr(row, field.name, field.related_model())
        elif getattr(row, field.attname) is None:
            setattr(row, field.attname, required_value(field))
    return row


@pytest.mark.parametrize("json_value", ODD_JSON, ids=repr)
@pytest.mark.parametrize("model", project_models(), ids=lambda model: model._meta.label)
def test_str_of_every_model_survives_null_relations_and_odd_json(model, json_value):
    assert isinstance(str(odd_row(model, json_value)), str)
