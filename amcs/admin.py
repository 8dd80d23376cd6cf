"""Admin pages of the AMCS app (the primary editing UI for its models).

Rules live in the models and ``amcs.services``: a style that breaks its blueprint's rules shows
the errors next to the fields; a song is edited with its lyrics and producer notes inline, shows
its SDS read-only and has a button that validates it.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from amcs import services
from amcs.models import (
    Blueprint,
    Lyrics,
    Persona,
    ProducerNotes,
    Song,
    Source,
    Style,
    WorkflowEvent,
    WorkflowRun,
    WorkflowStep,
)
from core.admin import SoftDeleteAdmin, TenantOwnedAdmin, restore_selected
from core.formsets import StackedInline, TabularInline
from core.services import ConflictError


class AmcsAdmin(TenantOwnedAdmin, SoftDeleteAdmin):
    """Tenant-scoped, soft-deleting admin; choices of related AMCS rows are limited to the user's tenants."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "tenant" and hasattr(db_field.related_model.objects, "visible_to"):
            kwargs["queryset"] = db_field.related_model.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if hasattr(db_field.related_model.objects, "visible_to"):
            kwargs["queryset"] = db_field.related_model.objects.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class DocumentAdmin(AmcsAdmin):
    """An entity with a document: its warnings (never blocking a save) are shown on the page and after a save."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "warnings_list"]

    @admin.display(description=_("warnings"))
    def warnings_list(self, obj):
        items = (obj.warnings or []) if obj is not None else []
        if not items:
            return _("None")
        return format_html_join(
            "", '<p class="warning"><code>{}</code> {}</p>', ((w["pointer"], w["message"]) for w in items)
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in obj.warnings or []:
            self.message_user(request, f"{obj}: {warning['pointer']}: {warning['message']}", messages.WARNING)


DOCUMENT_FIELDSET = (_("Document"), {"fields": ["external_ref", "extra_metadata", "warnings_list"]})


@admin.register(Blueprint)
class BlueprintAdmin(DocumentAdmin):
    list_display = ["genre", "version", "tempo_bpm_min", "tempo_bpm_max", "tenant", "created_at"]
    list_filter = ["tenant", "genre"]
    search_fields = ["genre", "version"]
    ordering = ["genre", "-version"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]
    fieldsets = [
        (None, {"fields": ["tenant", "genre", "version"]}),
        (
            _("Rules"),
            {
                "fields": [
                    "tempo_bpm_min",
                    "tempo_bpm_max",
                    "required_sections",
                    "section_lines",
                    "banned_terms",
                    "lexicon_positive",
                    "lexicon_negative",
                    "conflicting_tags",
                    "conflict_matrix",
                    "tag_categories",
                    "rules_extra",
                ]
            },
        ),
        (_("Evaluation rubric"), {"fields": ["rubric_weights", "min_total", "max_profanity"]}),
        DOCUMENT_FIELDSET,
        (_("Record"), {"fields": ["id", "created_at", "updated_at", "deleted_at"]}),
    ]


@admin.register(Persona)
class PersonaAdmin(DocumentAdmin):
    list_display = ["name", "kind", "is_public_release", "tenant", "created_at"]
    list_filter = ["tenant", "kind", "is_public_release"]
    search_fields = ["name", "bio"]
    ordering = ["name"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]


@admin.register(Source)
class SourceAdmin(DocumentAdmin):
    list_display = ["name", "kind", "weight", "is_active", "tenant", "created_at"]
    list_filter = ["tenant", "kind", "is_active"]
    search_fields = ["name", "mcp_server_id"]
    ordering = ["name"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]


@admin.register(Style)
class StyleAdmin(DocumentAdmin):
    list_display = ["name", "genre", "bpm_min", "bpm_max", "key", "energy_level", "blueprint", "tenant"]
    list_filter = ["tenant", "energy", "genre"]
    search_fields = ["name", "genre"]
    ordering = ["name"]
    list_select_related = ["tenant", "blueprint"]
    autocomplete_fields = ["tenant", "blueprint"]
    fieldsets = [
        (None, {"fields": ["tenant", "name", "blueprint"]}),
        (_("Genre"), {"fields": ["genre", "sub_genres", "fusions"]}),
        (_("Tempo and key"), {"fields": ["bpm_min", "bpm_max", "time_signature", "key", "modulations"]}),
        (
            _("Sound"),
            {"fields": ["mood", "energy_level", "energy", "instrumentation", "vocal_profile"]},
        ),
        (_("Tags"), {"fields": ["tags_positive", "tags_negative"]}),
        DOCUMENT_FIELDSET,
        (_("Record"), {"fields": ["id", "created_at", "updated_at", "deleted_at"]}),
    ]


class SongPartInline(StackedInline):
    """One-per-song children; tenant and owner come from the song (``SongAdmin.save_formset``).

    Stacked rather than tabular: lyrics and notes have too many fields for one row.
    """

    extra = 0
    max_num = 1
    exclude = ["tenant", "owner"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(deleted_at__isnull=True)


class LyricsInline(SongPartInline):
    model = Lyrics


class ProducerNotesInline(SongPartInline):
    model = ProducerNotes


@admin.action(description=_("Validate the SDS of selected songs"), permissions=["view"])
def validate_sds(modeladmin, request, queryset):
    for song in queryset.model.objects.with_sds_parts().filter(pk__in=queryset.values("pk")):
        modeladmin.report_sds(request, song)


@admin.action(description=_("Start a workflow run of selected songs"), permissions=["change"])
def start_run(modeladmin, request, queryset):
    """The same service as ``POST /api/amcs/songs/{id}/runs/``: an invalid SDS or a run in progress is a message."""
    for song in queryset.order_by("title"):
        try:
            run = services.workflow_run_start(song=song, actor=request.user)
        except ValidationError as error:
            problems = "; ".join(f"{field}: {' '.join(text)}" for field, text in sorted(error.message_dict.items()))
            modeladmin.message_user(request, f"{song}: {problems}", messages.ERROR)
        except (ConflictError, PermissionDenied) as error:
            modeladmin.message_user(request, f"{song}: {error}", messages.ERROR)
        else:
            modeladmin.message_user(request, _("“%(song)s”: run %(run)s queued.") % {"song": song, "run": run.run_id})


class SongAdminForm(forms.ModelForm):
    """Sources must belong to the song's tenant (``services.song_validate_sources``)."""

    def clean(self):
        cleaned = super().clean()
        tenant = cleaned.get("tenant") or getattr(self.instance, "tenant", None)
        if tenant is not None and cleaned.get("sources") is not None:
            try:
                services.song_validate_sources(tenant=tenant, sources=cleaned["sources"])
            except ValidationError as error:
                self.add_error("sources", error.message_dict["sources"])
        return cleaned


@admin.register(Song)
class SongAdmin(AmcsAdmin):
    list_display = ["title", "status", "blueprint", "style", "persona", "global_seed", "tenant", "created_at"]
    list_filter = ["tenant", "status", "render_engine"]
    search_fields = ["title"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    list_select_related = ["tenant", "blueprint", "style", "persona"]
    autocomplete_fields = ["tenant", "blueprint", "style", "persona", "sources"]
    readonly_fields = ["id", "status", "created_at", "updated_at", "sds_document", "composed_prompt"]
    fieldsets = [
        (None, {"fields": ["tenant", "title", "status", "blueprint", "style", "persona", "sources"]}),
        (_("Generation"), {"fields": ["global_seed", "sds_version", "target_duration_sec", "feature_flags"]}),
        (_("Prompt controls"), {"fields": ["positive_tags", "negative_tags", "max_style_chars", "max_prompt_chars"]}),
        (_("Render"), {"fields": ["render_engine", "render_model", "render_num_variations"]}),
        (_("Song Design Spec"), {"fields": ["external_ref", "sds_document"]}),
        (_("Composed prompt"), {"fields": ["composed_prompt"]}),
        (_("Record"), {"fields": ["id", "created_at", "updated_at", "deleted_at"]}),
    ]
    inlines = [LyricsInline, ProducerNotesInline]
    form = SongAdminForm
    actions = [restore_selected, validate_sds, start_run]  # restoring a song brings back its lyrics, notes and runs

    def get_urls(self):
        return [
            path(
                "<uuid:object_id>/validate-sds/",
                self.admin_site.admin_view(self.validate_sds_view),
                name="amcs_song_validate_sds",
            ),
            path(
                "<uuid:object_id>/compose/",
                self.admin_site.admin_view(self.compose_view),
                name="amcs_song_compose",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("SDS"))
    def sds_document(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        song = Song.objects.with_sds_parts().get(pk=obj.pk)
        try:
            document = json.dumps(services.song_sds(song=song), indent=2, ensure_ascii=False)
        except ValidationError as error:
            return " ".join(message for messages_ in error.message_dict.values() for message in messages_)
        url = reverse("admin:amcs_song_validate_sds", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a><pre>{}</pre>', url, _("Validate SDS"), document)

    @admin.display(description=_("composed prompt"))
    def composed_prompt(self, obj):
        """The song's latest composed prompt with its character counts and limits, and a button to compose."""
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:amcs_song_compose", args=[obj.pk])
        button = format_html('<a class="button" href="{}">{}</a>', url, _("Compose prompt"))
        prompt = obj.composed_prompts.order_by("-created_at").first()
        if prompt is None:
            return format_html("{} {}", button, _("Not composed yet."))
        limits = prompt.meta.get("model_limits", {})
        return format_html(
            "{}<p>{}: {} / {} · {}: {} / {} · {}: <code>{}</code></p><pre>{}</pre>",
            button,
            _("style characters"),
            prompt.style_char_count,
            limits.get("style_max", "?"),
            _("prompt characters"),
            prompt.total_char_count,
            limits.get("prompt_max", "?"),
            _("hash"),
            prompt.content_hash[:16],
            prompt.text,
        )

    def compose_view(self, request, object_id):
        song = get_object_or_404(Song.objects.editable_by(request.user), pk=object_id)
        try:
            prompt = services.song_compose(song=song, owner=request.user)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    self.message_user(request, f"{field}: {problem}", messages.ERROR)
        else:
            self.message_user(
                request,
                _("Composed: %(style)d style and %(total)d prompt characters.")
                % {"style": prompt.style_char_count, "total": prompt.total_char_count},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:amcs_song_change", args=[object_id]))

    def validate_sds_view(self, request, object_id):
        song = get_object_or_404(Song.objects.with_sds_parts().visible_to(request.user), pk=object_id)
        self.report_sds(request, song)
        return HttpResponseRedirect(reverse("admin:amcs_song_change", args=[object_id]))

    def report_sds(self, request, song: Song) -> None:
        warnings = []
        try:
            report = services.sds_check(document=services.song_sds(song=song), tenant=song.tenant).as_json()
            errors, warnings = report["errors"], report["warnings"]
        except ValidationError as error:
            errors = [{"pointer": f"/{field}", "message": m} for field, ms in error.message_dict.items() for m in ms]
        for warning in warnings:
            self.message_user(request, f"{song}: {warning['pointer']}: {warning['message']}", messages.WARNING)
        if not errors:
            self.message_user(request, _("The SDS of “%(song)s” is valid.") % {"song": song}, messages.SUCCESS)
            return
        for error in errors:
            self.message_user(request, f"{song}: {error['pointer']}: {error['message']}", messages.ERROR)

    def save_formset(self, request, form, formset, change):
        song = form.instance
        for obj in formset.save(commit=False):
            obj.tenant_id = song.tenant_id
            if obj.owner_id is None:
                obj.owner = request.user
            obj.full_clean()
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Lyrics)
class LyricsAdmin(DocumentAdmin):
    list_display = ["song", "language", "hook_strategy", "syllables_per_line", "tenant", "created_at"]
    list_filter = ["tenant", "language", "hook_strategy"]
    search_fields = ["song__title"]
    ordering = ["-created_at"]
    list_select_related = ["tenant", "song"]
    autocomplete_fields = ["tenant", "song"]


@admin.register(ProducerNotes)
class ProducerNotesAdmin(DocumentAdmin):
    list_display = ["song", "structure_string", "hook_count", "tenant", "created_at"]
    list_filter = ["tenant"]
    search_fields = ["song__title", "structure_string"]
    ordering = ["-created_at"]
    list_select_related = ["tenant", "song"]
    autocomplete_fields = ["tenant", "song"]


class WorkflowEventInline(TabularInline):
    """The run's event stream, read-only (events are append-only)."""

    model = WorkflowEvent
    extra = 0
    can_delete = False
    fields = ["sequence", "ts", "node", "phase", "seed", "metrics", "issues"]
    readonly_fields = fields
    ordering = ["sequence"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WorkflowStepInline(TabularInline):
    """The run's node executions, read-only (the runner writes them)."""

    model = WorkflowStep
    extra = 0
    can_delete = False
    fields = ["sequence", "node", "round", "seed", "duration_ms", "input_hash", "output_hash"]
    readonly_fields = fields
    ordering = ["sequence"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkflowRun)
class WorkflowRunAdmin(AmcsAdmin):
    """Runs are started for a song (the add page, the song's action, the API or ``run_song``, one service) and
    computed by the workflow: every field is read-only here; the timeline shows each node with its seed, duration,
    hashes and output."""

    list_display = ["run_id", "song", "status", "current_node", "fix_iterations", "tenant", "created_at"]
    list_filter = ["tenant", "status", "current_node"]
    search_fields = ["song__title", "run_id"]
    ordering = ["-created_at"]
    list_select_related = ["tenant", "song"]
    autocomplete_fields = ["tenant", "song"]
    fields = [
        "tenant",
        "song",
        "run_id",
        "status",
        "current_node",
        "seed",
        "fix_iterations",
        "input_hash",
        "validation_scores",
        "error",
        "timeline",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [WorkflowStepInline, WorkflowEventInline]

    def get_fields(self, request, obj=None):
        return ["song"] if obj is None else self.fields  # adding a run starts one for a song

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """The add page starts a run through the same service as the API (an invalid SDS or a run in progress is
        a form error); nothing of a run is edited here."""
        if change:
            return
        run = services.workflow_run_start(song=obj.song, actor=request.user)
        for field in ("id", "run_id", "tenant_id", "owner_id", "seed", "status", "input_hash"):
            setattr(obj, field, getattr(run, field))
        obj._state.adding = False

    @admin.display(description=_("timeline"))
    def timeline(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        steps = list(obj.steps.order_by("sequence"))
        if not steps:
            return _("No node has run yet.")
        rows = format_html_join(
            "",
            "<li><strong>{} {}</strong> (seed {}, {} ms) output {}…"
            "<details><summary>output</summary><pre>{}</pre></details></li>",
            (
                (
                    step.sequence,
                    step.node + (f" round {step.round}" if step.round else ""),
                    step.seed,
                    step.duration_ms,
                    step.output_hash[:12],
                    json.dumps(step.output, indent=2, sort_keys=True, ensure_ascii=False),
                )
                for step in steps
            ),
        )
        failure = ""
        if obj.error:
            failure = format_html(
                "<p><strong>Failed at {}:</strong> {}</p>", obj.error.get("node"), obj.error.get("message")
            )
        return format_html("<ol>{}</ol>{}", rows, failure)
