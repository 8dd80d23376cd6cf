"""The list fast path (core.api.values) is checked against the models when the process starts."""

import gc

from rest_framework import serializers

from catalog.models import Artist
from core.api.views import BaseReadOnlyModelViewSet
from core.checks import check_values_plans, values_plan_errors


def test_every_viewset_of_the_project_passes_the_values_check():
    assert check_values_plans() == []


def test_a_serializer_reading_a_path_the_model_lacks_is_refused_at_start_up():
    class BrokenSerializer(serializers.ModelSerializer):
        shown = serializers.CharField(source="no_such_column", read_only=True)

        class Meta:
            model = Artist
            fields = ["id", "shown"]

    view = type(
        "BrokenViewSet",
        (BaseReadOnlyModelViewSet,),
        {"queryset": Artist.objects.all(), "serializer_class": BrokenSerializer},
    )
    errors = values_plan_errors([view])
    assert [error.id for error in errors] == ["core.E001"]
    assert "no_such_column" in errors[0].msg
    del view
    gc.collect()  # the class leaves the subclass registry the start-up check walks
