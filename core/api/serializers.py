"""Serializer bases. Model rules run through ``full_clean()`` so the API meets the same rules as the admin."""

from __future__ import annotations

import copy

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers

from core.models import Membership, Tenant, choices_for, is_private
from core.services import full_clean_except_unique

MEMBERSHIP_CANNOT_MOVE = "A membership cannot move to another tenant or user; remove it and add a new one."


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A relation written as a primary key, offering only what the requesting user may use (``choices_for``):
    groups they write in, private rows they see. Any other id is an invalid choice (400), never a leak."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        choices = choices_for(queryset.model, request.user)
        return queryset if choices is None else queryset & choices


class ValidatedModelSerializer(serializers.ModelSerializer):
    """Builds the (unsaved) instance from the validated data and runs the model's ``full_clean()``.

    Field validators, ``clean()`` and ``Meta.constraints`` (but unique ones, see ``get_unique_together_validators``)
    therefore answer with a 400 naming the field.
    Many-to-many values are left out of the check; they are saved afterwards as usual.
    """

    def get_fields(self):
        """The model's fields, with every writable relation that names the acting person (``owner``, ``author``,
        ``user``...; ``core.field_rules.acting_fields``) made read-only: the server sets it to the requester on
        create (``validate``) and no request body changes it."""
        from core.field_rules import STORED_FILES, acting_fields

        fields = super().get_fields()
        acting = set(acting_fields(self.Meta.model))
        self.acting_from_request = []
        for name, field in list(fields.items()):
            source = field.source or name
            if field.read_only or source not in acting or not isinstance(field, serializers.RelatedField):
                continue
            fields[name] = serializers.PrimaryKeyRelatedField(
                read_only=True, **({"source": source} if source != name else {})
            )
            self.acting_from_request.append(source)
        self.upload_fields = []
        for model, name in STORED_FILES:
            if model is self.Meta.model and name in fields and not fields[name].read_only:
                fields[name].required = False  # or sent as an upload
                fields[f"{name}_upload"] = serializers.FileField(
                    write_only=True,
                    required=False,
                    help_text=f"A file to store (multipart); {name} becomes its stored name.",
                )
                self.upload_fields.append(name)
        return fields

    def validate(self, attrs: dict) -> dict:
        from core.field_rules import store_upload

        request = self.context.get("request")
        if self.instance is None and request is not None:
            for source in getattr(self, "acting_from_request", []):
                attrs[source] = request.user
        for name in getattr(self, "upload_fields", []):
            upload = attrs.pop(f"{name}_upload", None)
            if upload is not None:
                attrs[name] = store_upload(self.Meta.model, name, upload)
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {field.name for field in model._meta.many_to_many}
        values = {key: value for key, value in attrs.items() if key not in many_to_many}
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for key, value in values.items():
            setattr(instance, key, value)
        self.prepare_instance(instance)
        exclude = [
            field.name
            for field in model._meta.concrete_fields
            if field.name not in values
            and getattr(field, "remote_field", None) is not None
            and getattr(instance, field.attname) is None
        ]
        try:  # unique constraints are left to the database (core.services.full_clean_except_unique)
            full_clean_except_unique(instance, exclude=exclude)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs

    def prepare_instance(self, instance: models.Model) -> None:
        """Hook for values the view sets on save (an owner, a parent) that validation must see."""

    def get_unique_together_validators(self) -> list:
        """None, as ``validate()`` leaves unique constraints alone: the database's unique index decides a duplicate,
        so it gets the same message, and through ``core.api.exceptions.duplicate`` the same 409, alone and in a race."""
        return []

    def build_relational_field(self, field_name, relation_info):
        """Relations to private models and groups offer only what the user may use (``choices_for``)."""
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        if field_class is self.serializer_related_field and is_private(relation_info.related_model):
            field_class = ScopedPrimaryKeyRelatedField
        return field_class, kwargs


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "display_name", "handle"]
        read_only_fields = fields


class TenantBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = ["id", "name", "slug"]
        read_only_fields = fields


class WritableTenantField(serializers.PrimaryKeyRelatedField):
    """A tenant the requesting user may write to; any other id is an invalid choice (400)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Tenant.objects.none()
        return Tenant.objects.writable_by(request.user)


class TenantOwnedSerializer(ValidatedModelSerializer):
    """Base for tenant-owned models: ``tenant`` must be writable by the user; ``owner`` is the user on create."""

    tenant = WritableTenantField()
    owner = UserBriefSerializer(read_only=True)

    def prepare_instance(self, instance: models.Model) -> None:
        if instance.owner_id is None:
            instance.owner = self.context["request"].user

    def create(self, validated_data: dict):
        validated_data.setdefault("owner", self.context["request"].user)
        return super().create(validated_data)

    def update(self, instance, validated_data: dict):
        if "tenant" in validated_data and validated_data["tenant"].pk != instance.tenant_id:
            raise serializers.ValidationError({"tenant": ["A row cannot move to another tenant."]})
        return super().update(instance, validated_data)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "display_name", "handle", "is_staff", "date_joined"]
        read_only_fields = fields


class TenantSerializer(ValidatedModelSerializer):
    class Meta:
        model = Tenant
        fields = ["id", "name", "slug", "created_at", "updated_at"]


class ManagedGroupField(serializers.PrimaryKeyRelatedField):
    """A group (tenant, club) whose memberships the requesting user manages (``managed_by``: its owners)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return queryset.model.objects.managed_by(request.user)


class MembershipSerializer(ValidatedModelSerializer):
    """A membership; ``user_id`` and ``tenant_id`` are set on create and never move (a 400 if changed)."""

    user = UserBriefSerializer(read_only=True)
    tenant = TenantBriefSerializer(read_only=True)
    user_id = serializers.PrimaryKeyRelatedField(
        source="user", queryset=get_user_model().objects.all(), write_only=True
    )
    tenant_id = ManagedGroupField(source="tenant", queryset=Tenant.objects.all(), write_only=True)

    class Meta:
        model = Membership
        fields = ["id", "role", "user", "tenant", "user_id", "tenant_id", "created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None:
            errors = {}
            if "tenant" in attrs and attrs["tenant"].pk != self.instance.tenant_id:
                errors["tenant_id"] = [MEMBERSHIP_CANNOT_MOVE]
            if "user" in attrs and attrs["user"].pk != self.instance.user_id:
                errors["user_id"] = [MEMBERSHIP_CANNOT_MOVE]
            if errors:
                raise serializers.ValidationError(errors)
        return super().validate(attrs)
