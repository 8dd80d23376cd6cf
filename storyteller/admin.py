"""Admin pages of the storyteller app: the primary editing UI for life events.

Every model is registered; the repetitive pages come from ``admin_for`` (list columns are the row's
own columns, never a relation, so a changelist costs the same few queries at any size; filters on
status, severity and priority first; every relation through autocomplete). Storyteller data uses
core's ``ScopedAdmin`` (the owner's rows only; superusers all), process definitions ``BaseAdmin``
(staff with the model permissions). Saves, inline saves and deletes go through
``storyteller.services.row_save``, so the admin meets the same rules and status machines as the
API. Sensitive inlines (trauma, boundaries, preferences) sit on pages that only the storyteller's own user
and superusers reach, like every storyteller page (other staff are scoped like everyone else).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.postgres.fields import ArrayField
from django.db import models

from core.admin import BaseAdmin, ScopedAdmin, SoftDeleteAdmin
from core.formsets import StackedInline, TabularInline
from storyteller import models as m
from storyteller import services
from storyteller.books.admin import BookExportAdmin

FILTER_FIRST = ("status", "export_status", "severity", "priority", "refinement_status", "delivery_status")


class RulesAdminMixin:
    """Saves and inline saves call the services (rules, status machines, the event log)."""

    def save_model(self, request, obj, form, change):
        services.row_save(obj=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            services.row_save(obj=obj, actor=request.user)
        formset.save_m2m()


def _relations(model, exclude=()) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field.editable and field.name not in exclude
    ]


def _text_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and not isinstance(field, ArrayField)
    ]


def inline_for(model, parent_field: str, *, stacked: bool = False):
    base = StackedInline if stacked else TabularInline
    return type(
        f"{model.__name__}Inline",
        (base,),
        {
            "model": model,
            "extra": 0,
            "fk_name": parent_field,
            "autocomplete_fields": _relations(model, exclude=(parent_field,)),
            "readonly_fields": ["created_at"],
            "show_change_link": True,
            "__module__": __name__,
        },
    )


def admin_for(model, **attrs) -> type[admin.ModelAdmin]:
    fields = model._meta.concrete_fields
    text = _text_fields(model)
    choices = sorted(
        (field.name for field in fields if field.choices),
        key=lambda name: (name not in FILTER_FIRST, FILTER_FIRST.index(name) if name in FILTER_FIRST else 0),
    )
    booleans = [field.name for field in fields if isinstance(field, models.BooleanField)]
    private = model in m.STORYTELLER_MODELS
    if model is m.Storyteller:
        base = (RulesAdminMixin, ScopedAdmin, SoftDeleteAdmin)
    else:
        base = (RulesAdminMixin, ScopedAdmin if private else BaseAdmin)
    options = {
        "list_display": [*(text[:1] or ["id"]), *choices[:3], *booleans[:1], "created_at"],
        "list_filter": [*choices[:3], *booleans[:2], "created_at"],
        "search_fields": text[:3] or ["=id"],
        "ordering": list(model._meta.ordering),
        "autocomplete_fields": _relations(model),
        "__module__": __name__,
    }
    options.update(attrs)
    return admin.register(model)(type(f"{model.__name__}Admin", base, options))


ADMINS = {
    m.Storyteller: admin_for(
        m.Storyteller,
        list_display=["first_name", "last_name", "preferred_name", "relationship_to_user", "is_living", "created_at"],
        search_fields=["first_name", "last_name", "preferred_name"],
        inlines=[
            inline_for(m.StorytellerBoundary, "storyteller", stacked=True),
            inline_for(m.StorytellerPreference, "storyteller", stacked=True),
            inline_for(m.StorytellerProgress, "storyteller", stacked=True),
        ],
    ),
    m.LifeEvent: admin_for(
        m.LifeEvent,
        list_display=["event_name", "event_type", "category", "significance_level", "is_turning_point", "created_at"],
        # as the API: a new life event is logged in the storyteller's events
        save_model=lambda self, request, obj, form, change: services.life_event_save(
            life_event=obj, actor=request.user
        ),
        inlines=[
            inline_for(m.LifeEventTimespan, "life_event"),
            inline_for(m.LifeEventLocation, "life_event"),
            inline_for(m.LifeEventParticipant, "life_event"),
            inline_for(m.LifeEventDetail, "life_event"),
            inline_for(m.LifeEventTrauma, "life_event", stacked=True),
            inline_for(m.LifeEventBoundary, "life_event", stacked=True),
            inline_for(m.LifeEventMedia, "life_event"),
            inline_for(m.LifeEventPreference, "life_event", stacked=True),
        ],
    ),
    m.Story: admin_for(m.Story, inlines=[inline_for(m.StoryChapter, "story")]),
    m.StoryChapter: admin_for(m.StoryChapter, inlines=[inline_for(m.ChapterSection, "chapter")]),
    m.Requirement: admin_for(
        m.Requirement,
        list_display=["requirement_description", "requirement_type", "priority", "status", "created_at"],
        list_filter=["status", "priority", "requirement_type", "archetype_refinement_purpose", "created_at"],
    ),
    m.EditRequirement: admin_for(
        m.EditRequirement,
        list_display=["specific_concern", "issue_type", "severity", "status", "created_at"],
        list_filter=["status", "severity", "issue_type", "created_at"],
    ),
    m.ProcessVersion: admin_for(
        m.ProcessVersion,
        inlines=[
            inline_for(m.ProcessCommitment, "process_version"),
            inline_for(m.ProcessNode, "process_version"),
            inline_for(m.ProcessFlowEdge, "process_version"),
            inline_for(m.ProcessSection, "process_version"),
        ],
    ),
    m.ProcessNode: admin_for(m.ProcessNode, inlines=[inline_for(m.ProcessPrompt, "process_node")]),
    m.ProcessSection: admin_for(m.ProcessSection, inlines=[inline_for(m.SectionPrompt, "section")]),
    m.PromptPackTemplate: admin_for(m.PromptPackTemplate, inlines=[inline_for(m.PromptPackPrompt, "prompt_pack")]),
    m.Event: admin_for(
        m.Event,
        list_display=["event_type", "subject", "from_status", "to_status", "occurred_at"],
        has_add_permission=lambda self, request, obj=None: False,
        has_change_permission=lambda self, request, obj=None: False,
        has_delete_permission=lambda self, request, obj=None: False,
    ),
    m.StorytellerSession: admin_for(
        m.StorytellerSession,
        inlines=[
            inline_for(m.SessionLifeEvent, "session"),
            inline_for(m.SessionInteraction, "session"),
            inline_for(m.SessionNote, "session"),
        ],
    ),
}
# Book exports: status, progress, download link and "build again" (storyteller.books.admin).
admin.site.register(m.BookExport, BookExportAdmin)
ADMINS[m.BookExport] = BookExportAdmin
for _model in [*m.PROCESS_MODELS, *m.STORYTELLER_MODELS]:
    if _model not in ADMINS:
        ADMINS[_model] = admin_for(_model)
