"""Rules about what a field may hold, declared per app and met on every path (API, admin, commands, imports).

Each app declares its fields in ``<app>/field_rules.py`` (imported at start-up by ``core.apps``), keyed by model
class and field name; none of it touches a field definition, so no declaration makes a migration.

- **JSON fields** (:func:`json_schema`): every ``JSONField`` of every model has one JSON Schema (``ANY_OBJECT``
  and ``ANY_LIST`` are the documented "any object" and "any list"). ``core.models.BaseModel.clean_fields`` checks
  it, with a nesting limit (``JSON_MAX_DEPTH``), so ``full_clean()`` (the admin's forms, the API's serializers,
  the services) refuses a value of the wrong shape, naming the field. ``core.E002`` stops the process from
  starting while a JSON field has no schema.
- **Who did it** (:func:`subject_user`, :func:`on_behalf`): a foreign key to the user model names the acting
  person (owner, author, requester, the voter ...) unless declared a *subject* (the member an owner adds, the
  user one follows, the reviewer one asks). The acting person comes from the request: the API's serializers make
  such a field read-only and set it to the requester on create (``core.api.serializers``); the admin's forms
  refuse another user there (``core.admin``) unless the model lets staff enter rows for others
  (:func:`on_behalf`) and the staff member holds its ``enter_for_others_<model>`` permission, and then the
  history event's context records ``on_behalf_of`` beside the acting user ("by X for Y").
- **Files** (:func:`stored_file`): a field that names a file holds the name of a file the platform stored through
  Django's storage API (``default_storage``): no scheme (``file://``, ``https://``), no absolute path, no ``..``,
  no symbolic link, and the file exists. ``FileField`` columns are checked the same way. ``core.E003`` stops the
  process from starting while a text field whose name says it names a file or URL is not declared a stored file,
  an external link (:func:`external_link`: a URL handed to clients that the server never opens) or prose
  (:func:`plain_text`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import models

#: a JSON field's values nest at most this deep (an object or list inside another counts one level)
JSON_MAX_DEPTH = 16

ANY_OBJECT = {"type": "object"}
ANY_LIST = {"type": "array"}


def object_of(value_schema: dict) -> dict:
    """An object whose every value meets ``value_schema``."""
    return {"type": "object", "additionalProperties": value_schema}


def list_of(item_schema: dict) -> dict:
    return {"type": "array", "items": item_schema}


STRING = {"type": "string"}
NUMBER = {"type": "number"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
SCALAR = {"type": ["string", "number", "integer", "boolean", "null"]}


@dataclass(frozen=True)
class JsonRule:
    schema: dict
    why: str


JSON_SCHEMAS: dict[tuple[type[models.Model], str], JsonRule] = {}
SUBJECT_USERS: dict[tuple[type[models.Model], str], str] = {}
ON_BEHALF: dict[tuple[type[models.Model], str], str] = {}
STORED_FILES: dict[tuple[type[models.Model], str], str] = {}
EXTERNAL_LINKS: dict[tuple[type[models.Model], str], str] = {}
PLAIN_TEXT: dict[tuple[type[models.Model], str], str] = {}


def json_schema(model: type[models.Model], field: str, schema: dict, why: str = "") -> None:
    """Declare the JSON Schema of ``model.field`` (checked by ``full_clean()`` on every path)."""
    JSON_SCHEMAS[(model, field)] = JsonRule(schema=schema, why=why)
    _VALIDATORS.pop((model, field), None)


def subject_user(model: type[models.Model], field: str, why: str) -> None:
    """``model.field`` points at a user who is not the acting person (the member added, the user followed)."""
    SUBJECT_USERS[(model, field)] = why


def on_behalf(model: type[models.Model], field: str, why: str) -> None:
    """Staff holding ``<app>.enter_for_others_<model>`` may enter rows of ``model`` whose ``field`` names someone
    else (club staff entering votes for members); the history records them as the actor and the other as
    ``on_behalf_of``."""
    ON_BEHALF[(model, field)] = why


def stored_file(model: type[models.Model], field: str, why: str = "") -> None:
    """``model.field`` (text) holds the name of a file stored through ``default_storage``."""
    STORED_FILES[(model, field)] = why


def external_link(model: type[models.Model], field: str, why: str) -> None:
    """``model.field`` is a link handed to clients; the server never opens it."""
    EXTERNAL_LINKS[(model, field)] = why


def plain_text(model: type[models.Model], field: str, why: str) -> None:
    """``model.field``'s name sounds like a file or URL but it is prose (a scene's "opening image")."""
    PLAIN_TEXT[(model, field)] = why


# JSON ------------------------------------------------------------------------------------------


def json_depth(value) -> int:
    """How deep ``value`` nests (a scalar 0, ``[]`` 1, ``[[1]]`` 2), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > JSON_MAX_DEPTH:
            return deepest
        pending.extend((child, depth + 1) for child in children)
    return deepest


_VALIDATORS: dict = {}


def _validator(model: type[models.Model], field: str):
    """The compiled validator of ``model.field``'s schema (compiled once)."""
    import jsonschema

    key = (model, field)
    if key not in _VALIDATORS:
        _VALIDATORS[key] = jsonschema.Draft202012Validator(JSON_SCHEMAS[key].schema)
    return _VALIDATORS[key]


TYPE_NAMES = {"object": "an object", "array": "a list", "string": "a string", "number": "a number"}
TYPE_NAMES |= {"integer": "an integer", "boolean": "true or false", "null": "null"}


def _expected(types) -> str:
    types = [types] if isinstance(types, str) else list(types)
    return " or ".join(TYPE_NAMES.get(name, name) for name in types)


def json_errors(model: type[models.Model], field: str, value) -> list[str]:
    """Messages for ``value`` against ``model.field``'s schema and the depth limit (empty when it meets them)."""
    if json_depth(value) > JSON_MAX_DEPTH:
        return [f"Nested deeper than {JSON_MAX_DEPTH} levels."]
    rule = JSON_SCHEMAS.get((model, field))
    if rule is None:
        return []
    messages = []
    for error in sorted(_validator(model, field).iter_errors(value), key=lambda e: list(e.absolute_path))[:5]:
        where = ".".join(str(part) for part in error.absolute_path)
        prefix = f"{where}: " if where else ""
        if error.validator == "type":
            messages.append(f"{prefix}Must be {_expected(error.validator_value)}.")
        elif error.validator == "required":
            messages.append(f"{prefix}{error.message}.")
        else:
            messages.append(f"{prefix}{error.message[:200]}")
    return messages


# Files -----------------------------------------------------------------------------------------

NOT_STORED = "Must name a file stored on the platform (upload it), not a path or URL."
FILE_MISSING = "No stored file has this name."
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def stored_name_errors(name: str, *, must_exist: bool = True) -> list[str]:
    """Why ``name`` is not the name of a file stored through ``default_storage`` (empty when it is)."""
    from django.core.files.storage import default_storage

    if not name:
        return []
    parts = name.replace("\\", "/").split("/")
    if (
        "\x00" in name
        or SCHEME.match(name)
        or name.startswith(("/", "\\", "~"))
        or any(part in ("..", ".") for part in parts)
        or "" in parts[:-1]
    ):
        return [NOT_STORED]
    try:
        if must_exist and not default_storage.exists(name):
            return [FILE_MISSING]
        local = default_storage.path(name)
    except SuspiciousFileOperation:
        return [NOT_STORED]
    except NotImplementedError:  # a remote storage (S3): names are keys, no links to follow
        return []
    expected = os.path.join(os.path.realpath(settings.MEDIA_ROOT), os.path.normpath(name))
    if os.path.realpath(local) != expected:
        return [NOT_STORED]  # a symbolic link somewhere on the way
    return []


def store_upload(model: type[models.Model], field: str, upload) -> str:
    """Store ``upload`` through ``default_storage`` for ``model.field`` and return its stored name (the API's
    ``<field>_upload``: how a client gives the platform a file that a stored-file field then names)."""
    import uuid

    from django.core.files.storage import default_storage
    from django.utils.text import get_valid_filename

    try:
        base = get_valid_filename(os.path.basename(upload.name or ""))[-100:]
    except SuspiciousFileOperation:  # nothing usable left of the client's name
        base = "file"
    return default_storage.save(f"{model._meta.app_label}/{model._meta.model_name}/{uuid.uuid4().hex}/{base}", upload)


def file_fields(model: type[models.Model]) -> list[str]:
    """The fields of ``model`` that name a file: its ``FileField`` columns and the declared stored-file fields."""
    names = [field.name for field in model._meta.concrete_fields if isinstance(field, models.FileField)]
    return names + [name for (declared, name) in STORED_FILES if declared is model]


# The model hook --------------------------------------------------------------------------------


def field_rule_errors(instance: models.Model, exclude) -> dict[str, list[str]]:
    """The errors of ``instance``'s JSON and file fields (``BaseModel.clean_fields`` raises them)."""
    model = type(instance)
    exclude = set(exclude or ())
    errors: dict[str, list[str]] = {}
    for field in model._meta.concrete_fields:
        if field.name in exclude:
            continue
        if isinstance(field, models.JSONField):
            messages = json_errors(model, field.name, getattr(instance, field.attname))
        elif isinstance(field, models.FileField):
            file = getattr(instance, field.attname)
            committed = getattr(file, "_committed", True)
            messages = stored_name_errors(file.name or "", must_exist=False) if committed and file else []
        elif (model, field.name) in STORED_FILES:
            messages = stored_name_errors(getattr(instance, field.attname) or "")
        else:
            continue
        if messages:
            errors[field.name] = messages
    return errors


def check_field_rules(instance: models.Model, exclude=None) -> None:
    errors = field_rule_errors(instance, exclude)
    if errors:
        raise ValidationError(errors)


# Who did it ------------------------------------------------------------------------------------


def user_fields(model: type[models.Model]) -> list[str]:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field.many_to_one and field.related_model is user_model
    ]


def acting_fields(model: type[models.Model]) -> list[str]:
    """The foreign keys of ``model`` to the user model that name the acting person (set from the request)."""
    return [name for name in user_fields(model) if (model, name) not in SUBJECT_USERS]


def on_behalf_codename(model: type[models.Model]) -> str:
    return f"enter_for_others_{model._meta.model_name}"


def may_act_for_others(user, model: type[models.Model], field: str) -> bool:
    """Whether ``user`` may enter rows of ``model`` naming someone else in ``field`` (superusers: yes)."""
    if (model, field) not in ON_BEHALF:
        return bool(user.is_superuser)
    return user.has_perm(f"{model._meta.app_label}.{on_behalf_codename(model)}")


NOT_YOU = "Set by the server to the signed-in user; you may not enter this for someone else."


def acting_errors(instance: models.Model, user, *, changed) -> dict[str, list[str]]:
    """Errors for acting-person fields of ``instance`` (in ``changed``) that name someone other than ``user``
    without the right to; records "by ``user`` for <other>" in the history context when the right is used."""
    import pghistory

    model = type(instance)
    errors: dict[str, list[str]] = {}
    for name in acting_fields(model):
        if name not in changed:
            continue
        other = getattr(instance, model._meta.get_field(name).attname)
        if other is None or other == user.pk:
            continue
        if may_act_for_others(user, model, name):
            pghistory.context(on_behalf_of={f"{model._meta.label}.{name}": str(other)})
        else:
            errors[name] = [NOT_YOU]
    return errors


def ensure_on_behalf_permissions(*, apps=None, using="default", **kwargs) -> None:
    """Create the ``enter_for_others_<model>`` permission of every model declared with :func:`on_behalf`
    (connected to ``post_migrate``; no migration declares them). Like Django's own permissions, through the
    migrated state: after ``migrate contenttypes zero`` (or before auth is migrated) there is nothing to do."""
    try:
        content_types = apps.get_model("contenttypes", "ContentType")
        permissions = apps.get_model("auth", "Permission")
    except (AttributeError, LookupError):
        return
    for model, _field in ON_BEHALF:
        try:
            apps.get_model(model._meta.label)
        except LookupError:
            continue
        content_type, _ = content_types.objects.using(using).get_or_create(
            app_label=model._meta.app_label, model=model._meta.model_name
        )
        permissions.objects.using(using).get_or_create(
            content_type=content_type,
            codename=on_behalf_codename(model),
            defaults={"name": f"Can enter {model._meta.verbose_name} for others"},
        )


# Start-up checks -------------------------------------------------------------------------------

NAMES_A_FILE = re.compile(r"(^|_)(file|path|url|uri|image|thumbnail|avatar|photo)$")


def project_models() -> list[type[models.Model]]:
    """Concrete models of the repository's own apps (history event tables left out: they copy their rows)."""
    from django.apps import apps

    base = str(settings.BASE_DIR)
    found = []
    for model in apps.get_models():
        path = model._meta.app_config.path
        if not path.startswith(base) or "site-packages" in path:
            continue
        if model.__name__.endswith("Event") and hasattr(model, "pgh_obj"):
            continue
        found.append(model)
    return found


def declaration_errors() -> list[checks.Error]:
    errors = []
    for model in project_models():
        for field in model._meta.concrete_fields:
            key = (model, field.name)
            if isinstance(field, models.JSONField) and key not in JSON_SCHEMAS:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} is a JSON field without a schema.",
                        hint=f"Declare it in {model._meta.app_label}/field_rules.py with core.field_rules.json_schema "
                        "(ANY_OBJECT for a documented 'any object').",
                        obj=model,
                        id="core.E002",
                    )
                )
            is_text = isinstance(field, models.CharField | models.TextField) and not field.choices
            if (
                is_text
                and NAMES_A_FILE.search(field.name)
                and key not in STORED_FILES
                and key not in EXTERNAL_LINKS
                and key not in PLAIN_TEXT
            ):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} looks like it names a file or URL and is not declared.",
                        hint="Declare it with core.field_rules.stored_file (a name in the platform's storage) or "
                        "external_link (a URL the server never opens).",
                        obj=model,
                        id="core.E003",
                    )
                )
    for registry in (JSON_SCHEMAS, SUBJECT_USERS, ON_BEHALF, STORED_FILES, EXTERNAL_LINKS, PLAIN_TEXT):
        for model, name in registry:
            try:
                model._meta.get_field(name)
            except Exception:  # noqa: BLE001 - FieldDoesNotExist: the declaration names no field
                errors.append(
                    checks.Error(f"{model._meta.label} has no field {name!r} (core.field_rules).", id="core.E004")
                )
    return errors


@checks.register(checks.Tags.models)
def check_field_declarations(app_configs=None, **kwargs):
    return declaration_errors()


def autodiscover() -> None:
    """Import every app's ``field_rules`` module (called from ``core.apps``)."""
    from django.utils.module_loading import autodiscover_modules

    from core.models import Membership

    subject_user(Membership, "user", "the member an owner adds")
    autodiscover_modules("field_rules")
