import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from core.api.serializers import MembershipSerializer, TenantSerializer
from core.api.values import IsoUTC, values_plan
from core.models import Tenant
from core.services import model_update
from tests.core.factories import MembershipFactory, TenantFactory


@pytest.mark.django_db
class TestModelUpdate:
    def test_saves_only_changed_fields(self):
        tenant = TenantFactory(name="Old")
        with CaptureQueriesContext(connection) as queries:
            model_update(instance=tenant, data={"name": "New", "slug": tenant.slug})
        updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
        assert len(updates) == 1 and '"slug"' not in updates[0].split("WHERE")[0]
        tenant.refresh_from_db()
        assert tenant.name == "New"

    def test_nothing_to_change_writes_nothing(self):
        tenant = TenantFactory(name="Same")
        with CaptureQueriesContext(connection) as queries:
            model_update(instance=tenant, data={"name": "Same"})
        assert not [q for q in queries if q["sql"].startswith("UPDATE")]

    def test_invalid_value_leaves_row_untouched(self):
        tenant = TenantFactory(slug="fine")
        with pytest.raises(ValidationError):
            model_update(instance=tenant, data={"slug": "not a slug"})
        assert Tenant.objects.get(pk=tenant.pk).slug == "fine"

    def test_fields_limits_what_may_be_written(self):
        tenant = TenantFactory(name="Kept", slug="kept")
        model_update(instance=tenant, data={"name": "Changed", "slug": "changed"}, fields=["name"])
        tenant.refresh_from_db()
        assert (tenant.name, tenant.slug) == ("Changed", "kept")


class TestValuesPlan:
    def test_plain_and_nested_serializers_get_a_plan(self):
        assert values_plan(TenantSerializer).paths == ("name", "slug")
        assert set(values_plan(TenantSerializer).texts) == {"text:id", "text:created_at", "text:updated_at"}
        assert "user__username" in values_plan(MembershipSerializer).paths

    def test_serializers_needing_instances_get_none(self):
        class WithMethod(serializers.ModelSerializer):
            label = serializers.SerializerMethodField()

            class Meta:
                model = Tenant
                fields = ["id", "label"]

            def get_label(self, obj):
                return obj.name.upper()

        class WithMany(serializers.ModelSerializer):
            memberships = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

            class Meta:
                model = Tenant
                fields = ["id", "memberships"]

        class WithCustomOutput(serializers.ModelSerializer):
            class Meta:
                model = Tenant
                fields = ["id"]

            def to_representation(self, instance):
                return {"id": "x"}

        assert values_plan(WithMethod) is None
        assert values_plan(WithMany) is not None  # read by a query of its own for the whole page
        assert values_plan(WithCustomOutput) is None
        assert values_plan(serializers.Serializer) is None

    def test_to_many_relations_read_for_the_page_equal_the_serializer_output(self, db):
        class WithMany(serializers.ModelSerializer):
            memberships = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
            roles = serializers.SlugRelatedField(source="memberships", slug_field="role", many=True, read_only=True)
            members = MembershipSerializer(source="memberships", many=True, read_only=True)

            class Meta:
                model = Tenant
                fields = ["id", "name", "memberships", "roles", "members"]

        tenants = [TenantFactory(), TenantFactory()]
        for tenant in tenants:
            MembershipFactory(tenant=tenant)
            MembershipFactory(tenant=tenant)
        empty = TenantFactory()
        plan = values_plan(WithMany)
        assert plan is not None and len(plan.related) == 3
        queryset = Tenant.objects.filter(pk__in=[t.pk for t in [*tenants, empty]]).order_by("name")
        rows = list(plan.values(queryset))
        plan.attach_related(queryset, rows)
        expected = WithMany(queryset.prefetch_related("memberships"), many=True).data
        ours = json.loads(JSONRenderer().render([plan.shape(row) for row in rows]))
        theirs = json.loads(JSONRenderer().render(expected))

        def unordered(rows):  # Membership has no ordering: compare each row's lists as sets
            return [{k: sorted(map(json.dumps, v)) if isinstance(v, list) else v for k, v in r.items()} for r in rows]

        assert unordered(ours) == unordered(theirs)
        assert [len(row["members"]) for row in ours] == [len(row["members"]) for row in theirs]

    def test_plan_output_equals_serializer_output(self, db):
        tenant = TenantFactory()
        plan = values_plan(TenantSerializer)
        row = plan.values(Tenant.objects.filter(pk=tenant.pk)).get()
        assert plan.shape(row) == dict(TenantSerializer(tenant).data)

    @pytest.mark.parametrize(
        "moment",
        [
            datetime.datetime(2026, 11, 28, 6, 0, 0, tzinfo=datetime.UTC),
            datetime.datetime(2026, 11, 28, 6, 0, 0, 1, tzinfo=datetime.UTC),
            datetime.datetime(2026, 11, 28, 6, 0, 0, 120000, tzinfo=datetime.UTC),
            datetime.datetime(2026, 11, 28, 23, 59, 59, 999999, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
            datetime.datetime(1, 1, 1, 0, 0, 0, tzinfo=datetime.UTC),
            datetime.datetime(999, 12, 31, 12, 30, 5, 500, tzinfo=datetime.UTC),
        ],
    )
    def test_timestamps_read_as_text_are_what_drf_writes(self, db, moment):
        tenant = TenantFactory()
        Tenant.objects.filter(pk=tenant.pk).update(created_at=moment)
        text = Tenant.objects.filter(pk=tenant.pk).values_list(IsoUTC(F("created_at")), flat=True).get()
        assert text == serializers.DateTimeField().to_representation(moment)

    def test_uuids_and_timestamps_are_read_as_text(self, db):
        tenant = TenantFactory()
        plan = values_plan(TenantSerializer)
        row = plan.values(Tenant.objects.filter(pk=tenant.pk)).get()
        assert row["text:id"] == str(tenant.pk) and isinstance(row["text:created_at"], str)
