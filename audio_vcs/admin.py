"""Admin pages of the audio version control app (the primary editing UI for its models).

Rows are scoped like the API (``visible_to``), and writes with rules beyond one row go through
``audio_vcs.services``: projects with collaborators and branches inline, commits read-only with their stems
(each with a link to download its audio), compositions with tracks, arrangements and lyrics inline, export
jobs with status and download, approvals and comments.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audio_vcs import services
from audio_vcs.choices import StemType
from audio_vcs.models import (
    Approval,
    Arrangement,
    Branch,
    Collaborator,
    Comment,
    Commit,
    CommitParent,
    Composition,
    CompositionLyrics,
    CompositionSession,
    ExportJob,
    Project,
    Star,
    Stem,
    Track,
)
from audio_vcs.validators import ref_name_problem
from core.admin import ScopedAdmin, SoftDeleteAdmin
from core.formsets import StackedInline, TabularInline


class CollaboratorInline(TabularInline):
    model = Collaborator
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


class BranchInline(TabularInline):
    model = Branch
    extra = 0
    fields = ["name", "head", "updated_at"]
    readonly_fields = ["name", "head", "updated_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ScopedAdmin, SoftDeleteAdmin):
    list_display = ["name", "owner", "is_public", "genre", "tempo", "key_signature", "created_at"]
    list_filter = ["is_public", "genre"]
    search_fields = ["name", "description", "owner__username"]
    ordering = ["name"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    raw_id_fields = ["forked_from"]
    fieldsets = [
        (None, {"fields": ["name", "owner", "description", "is_public", "genre"]}),
        (_("Music"), {"fields": ["tempo", "key_signature", "meter_numerator", "meter_denominator"]}),
        (_("History"), {"fields": ["default_branch", "forked_from"]}),
        (_("Record"), {"fields": ["id", "created_at", "updated_at", "deleted_at"]}),
    ]
    inlines = [CollaboratorInline, BranchInline]

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            services.project_update(project=obj, actor=request.user, data=data)
        else:
            project = services.project_create(
                owner=obj.owner,
                actor=request.user,
                **{f: getattr(obj, f) for f in form.cleaned_data if f not in ("owner",)},
            )
            obj.pk = project.pk
            obj._state.adding = False
            obj._state.db = project._state.db

    def delete_model(self, request, obj):
        services.project_delete(project=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Collaborator:
            return super().save_formset(request, form, formset, change)
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            services.collaborator_remove(collaborator=row, actor=request.user)
        for row in rows:
            services.collaborator_set(project=form.instance, actor=request.user, user=row.user, role=row.role)
        return None


@admin.register(Collaborator)
class CollaboratorAdmin(ScopedAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "project__name"]
    list_select_related = ["user", "project"]
    autocomplete_fields = ["user", "project"]

    def save_model(self, request, obj, form, change):
        services.collaborator_set(project=obj.project, actor=request.user, user=obj.user, role=obj.role)

    def delete_model(self, request, obj):
        services.collaborator_remove(collaborator=obj, actor=request.user)


@admin.register(Star)
class StarAdmin(ScopedAdmin):
    list_display = ["user", "project", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["user__username", "project__name"]
    list_select_related = ["user", "project"]
    autocomplete_fields = ["user", "project"]

    def has_change_permission(self, request, obj=None):
        return False  # a star is added or removed, never moved to another project or user

    def save_model(self, request, obj, form, change):
        star = services.star_add(project=obj.project, user=obj.user, actor=request.user)
        obj.pk = star.pk
        obj._state.adding = False


class StemInline(TabularInline):
    model = Stem
    extra = 0
    can_delete = False
    fields = ["stem_type", "name", "blob", "audio"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("audio"))
    def audio(self, obj):
        url = reverse("audio_vcs-api:blob-download", args=[obj.blob_id])
        return format_html('<audio controls preload="none" src="{}"></audio> <a href="{}">download</a>', url, url)


class ParentInline(TabularInline):
    model = CommitParent
    fk_name = "commit"
    extra = 0
    can_delete = False
    fields = ["position", "parent"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CommitAddForm(forms.ModelForm):
    """Commit stem files to a branch from the admin, through ``services.commit_create`` (one file per type)."""

    branch = forms.CharField(max_length=255, initial="main", help_text=_("Created from the default branch if new."))
    drums = forms.FileField(required=False)
    bass = forms.FileField(required=False)
    vocals = forms.FileField(required=False)
    melody = forms.FileField(required=False)
    other = forms.FileField(required=False)

    class Meta:
        model = Commit
        fields = ["project", "branch", "message", "bpm", "key_signature"]

    def clean(self):
        cleaned = super().clean()
        problem = ref_name_problem(cleaned.get("branch") or "")
        if problem:
            self.add_error("branch", problem)
        files = [cleaned.get(t) for t in StemType.values if cleaned.get(t)]
        if not files:
            raise ValidationError(_("Upload at least one stem."))
        for stem_type in StemType.values:
            upload = cleaned.get(stem_type)
            if upload:
                name, data = services.read_upload(upload, field=stem_type)
                services.probe(data, name=name, field=stem_type)
        return cleaned

    def _post_clean(self):
        pass  # the commit's hash and rules are the service's (save_model)


@admin.register(Commit)
class CommitAdmin(ScopedAdmin):
    list_display = ["short_hash", "message", "project", "author", "bpm", "key_signature", "created_at"]
    list_filter = ["key_signature"]
    search_fields = ["message", "content_hash", "project__name"]
    date_hierarchy = "created_at"
    list_select_related = ["project", "author"]
    raw_id_fields = ["project", "author", "render"]
    exclude = ["parents"]
    readonly_fields = [
        "id",
        "content_hash",
        "project",
        "author",
        "message",
        "bpm",
        "key_signature",
        "generation_params",
        "render",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [ParentInline, StemInline]

    @admin.display(description=_("hash"), ordering="content_hash")
    def short_hash(self, obj):
        return obj.short_hash

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.fields if obj is not None else CommitAddForm.Meta.fields + list(StemType.values)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CommitAddForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        commit = services.commit_create(
            project=data["project"],
            author=request.user,
            actor=request.user,
            branch=data["branch"],
            message=data.get("message") or "",
            bpm=data.get("bpm"),
            key_signature=data.get("key_signature") or "",
            stems=[services.StemUpload(stem_type=t, file=data[t]) for t in StemType.values if data.get(t)],
        )
        obj.pk = commit.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass


@admin.register(Branch)
class BranchAdmin(ScopedAdmin):
    list_display = ["name", "project", "head", "updated_at"]
    list_filter = ["name"]
    search_fields = ["name", "project__name"]
    list_select_related = ["project", "head"]
    autocomplete_fields = ["project"]
    raw_id_fields = ["head"]

    def save_model(self, request, obj, form, change):
        if change:
            services.branch_move(
                branch=Branch.objects.get(pk=obj.pk), actor=request.user, head=obj.head, expected_head=None
            )
        else:
            services.branch_create(project=obj.project, actor=request.user, name=obj.name, head=obj.head)

    def delete_model(self, request, obj):
        services.branch_delete(branch=obj, actor=request.user)


class TrackInline(TabularInline):
    model = Track
    extra = 0
    fields = ["position", "name", "track_type", "program", "channel", "is_muted", "is_solo", "volume", "pan"]


class ArrangementInline(TabularInline):
    model = Arrangement
    extra = 0
    fields = ["name", "sections"]


class LyricsInline(StackedInline):
    model = CompositionLyrics
    extra = 0
    fields = ["language", "text", "alignment"]


@admin.register(Composition)
class CompositionAdmin(ScopedAdmin, SoftDeleteAdmin):
    list_display = ["name", "project", "commit", "confidence_score", "length_seconds", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "ai_prompt", "project__name"]
    list_select_related = ["project", "commit"]
    autocomplete_fields = ["project"]
    raw_id_fields = ["commit"]
    fieldsets = [
        (None, {"fields": ["name", "project", "commit", "ai_prompt", "confidence_score", "length_seconds"]}),
        (_("Music data"), {"fields": ["midi_data", "theory_data", "audio_metadata"]}),
        (_("Record"), {"fields": ["id", "created_at", "updated_at", "deleted_at"]}),
    ]
    inlines = [TrackInline, ArrangementInline, LyricsInline]

    def save_model(self, request, obj, form, change):
        services.composition_save(composition=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.composition_delete(row=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        """Tracks, arrangements and lyrics are written and removed by the studio services (contributors)."""
        for part in formset.save(commit=False):
            services.composition_part_save(part=part, actor=request.user)
        for part in formset.deleted_objects:
            services.composition_delete(row=part, actor=request.user)


class PartAdmin(ScopedAdmin):
    list_select_related = ["composition"]
    autocomplete_fields = ["composition"]

    def save_model(self, request, obj, form, change):
        services.composition_part_save(part=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.composition_delete(row=obj, actor=request.user)


@admin.register(Arrangement)
class ArrangementAdmin(PartAdmin):
    list_display = ["name", "composition", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "composition__name"]


@admin.register(Track)
class TrackAdmin(PartAdmin):
    list_display = ["name", "composition", "track_type", "channel", "program", "is_muted", "is_solo"]
    list_filter = ["track_type", "is_muted", "is_solo"]
    search_fields = ["name", "composition__name"]


@admin.register(CompositionLyrics)
class CompositionLyricsAdmin(PartAdmin):
    list_display = ["composition", "language", "created_at"]
    list_filter = ["language"]
    search_fields = ["text", "composition__name"]


@admin.register(CompositionSession)
class CompositionSessionAdmin(ScopedAdmin):
    list_display = ["prompt", "project", "status", "progress", "requested_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["prompt", "style", "mood"]
    list_select_related = ["project", "requested_by"]
    autocomplete_fields = ["project", "requested_by", "composition"]


@admin.register(ExportJob)
class ExportJobAdmin(ScopedAdmin):
    list_display = ["__str__", "project", "export_format", "status", "progress", "file_size", "download", "created_at"]
    list_filter = ["status", "export_format"]
    search_fields = ["project__name", "branch_name", "checksum"]
    list_select_related = ["project"]
    autocomplete_fields = ["project", "requested_by", "composition"]
    raw_id_fields = ["commit"]
    readonly_fields = [
        "id",
        "status",
        "progress",
        "file",
        "file_size",
        "checksum",
        "expires_at",
        "error",
        "attempts",
        "download",
        "created_at",
        "updated_at",
    ]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("download"))
    def download(self, obj):
        if not obj.file:
            return "-"
        url = reverse("audio_vcs-api:exportjob-download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("download"))

    def save_model(self, request, obj, form, change):
        job = services.export_job_create(
            project=obj.project,
            actor=request.user,
            export_format=obj.export_format,
            commit=obj.commit,
            branch=obj.branch_name,
            composition=obj.composition,
        )
        obj.pk = job.pk
        obj._state.adding = False


@admin.register(Approval)
class ApprovalAdmin(ScopedAdmin):
    list_display = ["__str__", "project", "reviewer", "status", "decided_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["comment", "project__name", "reviewer__username"]
    list_select_related = ["project", "reviewer", "commit", "composition"]
    autocomplete_fields = ["project", "reviewer", "requested_by", "composition"]
    raw_id_fields = ["commit"]
    readonly_fields = ["id", "decided_at", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        if change:
            services.approval_decide(approval=obj, actor=request.user, status=obj.status, comment=obj.comment)
        else:
            services.approval_request(approval=obj, actor=request.user)


@admin.register(Comment)
class CommentAdmin(ScopedAdmin, SoftDeleteAdmin):
    list_display = ["__str__", "project", "author", "start_seconds", "end_seconds", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["body", "project__name"]
    list_select_related = ["project", "author"]
    autocomplete_fields = ["project", "author", "composition"]
    raw_id_fields = ["commit", "stem", "parent"]

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            services.comment_update(comment=obj, actor=request.user, data=data)
        else:
            services.comment_create(comment=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.comment_delete(comment=obj, actor=request.user)
