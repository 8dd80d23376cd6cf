"""The status machines of ``storyteller.rules.MACHINES`` in the database, so no path skips them.

Two triggers per machine table (registered here, for every machine, from the same table ``clean()`` reads):

* ``<table>_moves``: refuses an UPDATE that moves the status column to a status the machine does not allow
  from the stored one (``update()``, raw SQL and the admin's bulk actions included), as audio_vcs does;
* ``<table>_event``: writes the move into the storyteller's event log (``storyteller_event``), with the
  acting user and the task context the services set for the transaction (``services.acting``), so every
  transition on every path writes exactly one event.

A new row may start in any of the machine's initial statuses (``rules.check_transition``); starting is not a
move and writes no event.
"""

from __future__ import annotations

import pgtrigger

from storyteller import rules

ACTOR_SETTING = "storyteller.actor"
CONTEXT_SETTING = "storyteller.task_context"


def _storyteller_sql(model) -> str:
    """SQL giving the storyteller id of ``NEW`` (a nested lookup along the model's ``access_path``)."""
    steps = model.access_path.removesuffix("__user").split("__")
    field = model._meta.get_field(steps[0])
    expression = f'NEW."{field.column}"'
    current = field.remote_field.model
    for step in steps[1:]:
        field = current._meta.get_field(step)
        expression = f'(SELECT "{field.column}" FROM "{current._meta.db_table}" WHERE "id" = {expression})'
        current = field.remote_field.model
    return expression


def _link_sql(model, name: str, target: str) -> str:
    if model._meta.label == target:
        return 'NEW."id"'
    names = {field.name: field for field in model._meta.concrete_fields}
    field = names.get(name)
    return f'NEW."{field.column}"' if field is not None and field.remote_field.model._meta.label == target else "NULL"


def moves_trigger(model, machine: rules.Machine) -> pgtrigger.Trigger:
    """Refuse a move the machine does not allow, as a check violation (an IntegrityError, like a constraint)."""
    column = model._meta.get_field(machine.field).column
    allowed = None
    for old, targets in sorted(machine.moves.items()):
        for new in targets:
            pair = pgtrigger.Q(**{f"old__{column}": old, f"new__{column}": new})
            allowed = pair if allowed is None else allowed | pair
    changed = pgtrigger.Q(**{f"old__{column}__df": pgtrigger.F(f"new__{column}")})
    return pgtrigger.Trigger(
        name=f"{model._meta.model_name}_moves",
        when=pgtrigger.Before,
        operation=pgtrigger.Update,
        condition=changed if allowed is None else changed & ~allowed,
        func=(
            f"RAISE EXCEPTION '% cannot move from % to %', TG_TABLE_NAME, OLD.\"{column}\", NEW.\"{column}\" "
            "USING ERRCODE = 'check_violation'; RETURN NULL;"
        ),
    )


def event_trigger(model, machine: rules.Machine) -> pgtrigger.Trigger:
    column = model._meta.get_field(machine.field).column
    event_type = rules.MACHINE_EVENTS[model._meta.label]
    workflow = model._meta.db_table
    label = model._meta.label
    func = f"""
        INSERT INTO "storyteller_event" (
            "id", "created_at", "updated_at", "storyteller_id", "session_id", "story_id", "actor_id",
            "event_type", "subject", "from_status", "to_status", "payload", "workflow_type", "data",
            "task_context", "occurred_at"
        ) VALUES (
            gen_random_uuid(), NOW(), NOW(), {_storyteller_sql(model)},
            {_link_sql(model, "session", "storyteller.StorytellerSession")},
            {_link_sql(model, "story", "storyteller.Story")},
            NULLIF(current_setting('{ACTOR_SETTING}', true), '')::uuid,
            '{event_type}', '{model._meta.verbose_name} ' || NEW."id", OLD."{column}", NEW."{column}", '{{}}'::jsonb,
            '{workflow}',
            jsonb_build_object('model', '{label}', 'id', NEW."id", 'field', '{machine.field}'),
            COALESCE(NULLIF(current_setting('{CONTEXT_SETTING}', true), '')::jsonb, '{{}}'::jsonb),
            NOW()
        );
        RETURN NULL;
    """
    return pgtrigger.Trigger(
        name=f"{model._meta.model_name}_event",
        when=pgtrigger.After,
        operation=pgtrigger.Update,
        condition=pgtrigger.Q(**{f"old__{column}__df": pgtrigger.F(f"new__{column}")}),
        func=func,
    )


def register_machines(models: dict) -> None:
    """Register both triggers on every machine's model (``models``: the app's model classes by name)."""
    for label, machine in rules.MACHINES.items():
        model = models[label.split(".", 1)[1]]
        pgtrigger.register(moves_trigger(model, machine), event_trigger(model, machine))(model)
