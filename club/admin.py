"""Admin pages of the Album club app (the primary editing UI for weeks and nominations).

Every write with a club rule goes through ``club.services``: forms call the services' validators so
errors appear next to the field, and ``save_model`` calls the service itself.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from club import services
from club.choices import WeekPhase
from club.models import (
    Club,
    ClubMembership,
    Compatibility,
    Follow,
    LinkedAccount,
    ListenEvent,
    MemberSettings,
    Nomination,
    NowPlaying,
    Rating,
    TasteProfile,
    UserRecommendation,
    Vote,
    Week,
)
from club.services import listens, members
from core.admin import NOT_YOURS, BaseAdmin, MembershipForm, MembershipFormSet, ScopedAdmin, SoftDeleteAdmin, form_for
from core.formsets import ConstraintFormSet, TabularInline
from core.models import may_write_into

FIXED_ON_CHANGE = ("week", "user")


class ClubMembershipForm(MembershipForm):
    """A club membership: only the club's owners add, change or remove it, and it never moves."""

    group_field = "club"

    class Meta:
        model = ClubMembership
        fields = ["user", "club", "role"]


class ClubMembershipInline(TabularInline):
    model = ClubMembership
    form = ClubMembershipForm
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = form_for(self.form, request.user)
        return super().get_formset(request, obj, **kwargs)


@admin.register(Club)
class ClubAdmin(ScopedAdmin, SoftDeleteAdmin):
    """Clubs the viewer belongs to; their owners manage members (superusers every club)."""

    list_display = ["name", "slug", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ClubMembershipInline]


@admin.register(ClubMembership)
class ClubMembershipAdmin(ScopedAdmin):
    """Members of the viewer's clubs; a club's owners (with the model permissions) manage them."""

    list_display = ["user", "club", "role", "created_at"]
    list_filter = ["role", "club"]
    search_fields = ["user__username", "user__display_name", "club__name"]
    list_select_related = ["user", "club"]
    autocomplete_fields = ["user", "club"]
    form = ClubMembershipForm

    def has_add_permission(self, request):
        allowed = super().has_add_permission(request)
        return allowed and (request.user.is_superuser or Club.objects.managed_by(request.user).exists())

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = form_for(self.form, request.user)
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user", "club"] if obj is not None else fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "club":
            kwargs["queryset"] = Club.objects.managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def refuse_moves(form: forms.ModelForm) -> None:
    """A saved nomination or rating stays in its week and with its member: changing either is a form error."""
    if not form.instance._state.adding:
        for name in FIXED_ON_CHANGE:
            if name in form.changed_data:
                form.add_error(name, services.ROW_FIXED_ON_CHANGE.format(field=name))


class NominationForm(forms.ModelForm):
    """New or changed nominations must fall within the week's nominations phase."""

    class Meta:
        model = Nomination
        fields = ["week", "user", "album", "pitch", "pitch_track_url", "genre", "decade", "country"]

    def clean(self):
        cleaned = super().clean()
        refuse_moves(self)
        week = cleaned.get("week") or getattr(self.instance, "week", None)
        user = cleaned.get("user") or getattr(self.instance, "user", None)
        if week is not None and self.has_changed():
            try:
                if user is not None:
                    services.club_require_member(user=user, week=week)
                services.week_require_phase(week=week, phases={WeekPhase.NOMINATIONS}, action="nominate")
            except ValidationError as error:
                raise ValidationError(error.message_dict.get("week", error.messages)) from error
        return cleaned


NOMINATION_FIELDS = ["pitch", "pitch_track_url", "genre", "decade", "country"]


class NominationFormSet(ConstraintFormSet):
    """Withdrawing a nomination from the week's page follows the same phase rule as the API."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk is None:
                continue
            try:
                services.week_require_phase(week=self.instance, phases={WeekPhase.NOMINATIONS}, action="nominate")
            except ValidationError as error:
                raise ValidationError(error.message_dict.get("week", error.messages)) from error


def nominations_save(*, week: Week, formset) -> None:
    """Store the week page's nomination rows through the services (create, update, withdraw)."""
    formset.save(commit=False)
    for nomination in formset.deleted_objects:
        services.nomination_delete(nomination=nomination)
    for nomination, changed in formset.changed_objects:
        data = {name: getattr(nomination, name) for name in changed if name not in FIXED_ON_CHANGE}
        services.nomination_update(nomination=Nomination.objects.get(pk=nomination.pk), data=data)
    for nomination in formset.new_objects:
        fields = {name: getattr(nomination, name) for name in NOMINATION_FIELDS}
        saved = services.nomination_create(week=week, user=nomination.user, album=nomination.album, **fields)
        nomination.pk = saved.pk


class NominationInline(TabularInline):
    model = Nomination
    form = NominationForm
    formset = NominationFormSet
    extra = 0
    fields = ["user", "album", "genre", "decade", "country", "pitch"]
    autocomplete_fields = ["user", "album"]


@admin.register(Week)
class WeekAdmin(ScopedAdmin):
    list_display = ["label", "club", "week_number", "phase_display", "poll_close_at", "discussion_at", "winner_album"]
    list_filter = ["club", "discussion_at", "is_self_vote_allowed"]
    search_fields = ["label", "week_number"]
    ordering = ["-week_number"]
    date_hierarchy = "discussion_at"
    list_select_related = ["club", "winner_album"]
    autocomplete_fields = ["club", "winner_album"]
    readonly_fields = [*BaseAdmin.readonly_fields, "phase_display", "tally_table", "rating_summary"]
    fieldsets = [
        (None, {"fields": ["id", "club", "label", "week_number", "phase_display", "is_self_vote_allowed"]}),
        (_("Dates"), {"fields": ["nominations_close_at", "poll_close_at", "discussion_at"]}),
        (_("Results"), {"fields": ["winner_album", "tally_table", "rating_summary"]}),
        (
            _("Discord threads"),
            {
                "fields": ["nominations_thread_id", "poll_thread_id", "winner_thread_id", "ratings_thread_id"],
                "classes": ["collapse"],
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [NominationInline]
    actions = ["close_poll"]

    def save_formset(self, request, form, formset, change):
        if formset.model is Nomination:
            nominations_save(week=form.instance, formset=formset)
        else:
            super().save_formset(request, form, formset, change)

    @admin.display(description=_("phase"))
    def phase_display(self, obj) -> str:
        return obj.phase.label if not obj._state.adding else "-"

    @admin.display(description=_("tally"))
    def tally_table(self, obj) -> str:
        rows = services.week_tally(week=obj) if not obj._state.adding else []
        if not rows:
            return "-"
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r["position"],
                    r["album_title"],
                    r["nominated_by"],
                    r["points"],
                    r["first_place_votes"],
                    r["second_place_votes"],
                )
                for r in rows
            ),
        )
        return format_html(
            "<table><thead><tr><th>#</th><th>Album</th><th>Nominated by</th><th>Points</th>"
            "<th>1st</th><th>2nd</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )

    @admin.display(description=_("rating summary"))
    def rating_summary(self, obj) -> str:
        if obj._state.adding:
            return "-"
        summary = services.week_rating_summary(week=obj)
        if not summary["count"]:
            return _("No ratings yet.")
        spread = ", ".join(f"{value}: {count}" for value, count in summary["distribution"].items() if count)
        return format_html(
            "{} ratings, mean {}, median {} ({})", summary["count"], summary["mean"], summary["median"], spread
        )

    @admin.action(description=_("Close the poll and set the winner"), permissions=["change"])
    def close_poll(self, request, queryset):
        for week in queryset.editable_by(request.user):
            try:
                services.week_close_poll(week=week)
            except ValidationError as error:
                self.message_user(request, f"{week}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{week}: poll closed.", messages.SUCCESS)


@admin.register(Nomination)
class NominationAdmin(ScopedAdmin):
    form = NominationForm
    list_display = ["album", "week", "user", "genre", "decade", "created_at"]
    list_filter = ["week", "decade"]
    search_fields = ["album__title", "user__username", "week__label", "pitch"]
    ordering = ["-week__week_number", "created_at"]
    list_select_related = ["album", "week", "user"]
    autocomplete_fields = ["week", "user", "album"]

    def get_queryset(self, request):
        # the autocomplete (votes pick nominations) shows "album (week)" per row: one query, not one per row
        return super().get_queryset(request).select_related("album", "week", "user")

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data if name not in FIXED_ON_CHANGE}
            services.nomination_update(nomination=Nomination.objects.get(pk=obj.pk), data=data)
        else:
            fields = {name: form.cleaned_data[name] for name in NOMINATION_FIELDS}
            saved = services.nomination_create(week=obj.week, user=obj.user, album=obj.album, **fields)
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        """Nominations are withdrawn only while nominations are open (the service's rule, a message otherwise)."""
        services.nomination_delete(nomination=obj)


class VoteForm(forms.ModelForm):
    """Votes are cast through ``vote_cast`` (poll open, not one's own nomination); existing votes are read-only."""

    class Meta:
        model = Vote
        fields = ["nomination", "user", "rank"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("nomination") and cleaned.get("user"):
            services.vote_validate_cast(user=cleaned["user"], nomination=cleaned["nomination"])
        return cleaned


@admin.register(Vote)
class VoteAdmin(ScopedAdmin):
    form = VoteForm
    list_display = ["week", "user", "rank", "nomination", "created_at"]
    list_filter = ["rank", "week"]
    search_fields = ["user__username", "nomination__album__title", "week__label"]
    ordering = ["-week__week_number", "user__username", "rank"]
    list_select_related = ["week", "user", "nomination__album", "nomination__week"]
    autocomplete_fields = ["week", "user", "nomination"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        vote = services.vote_cast(user=obj.user, nomination=obj.nomination, rank=obj.rank)
        obj.pk, obj.week_id = vote.pk, vote.week_id


class RatingForm(forms.ModelForm):
    class Meta:
        model = Rating
        fields = ["week", "user", "value", "favorite_track", "review"]

    def clean(self):
        cleaned = super().clean()
        refuse_moves(self)
        week = cleaned.get("week") or getattr(self.instance, "week", None)
        user = cleaned.get("user") or getattr(self.instance, "user", None)
        if week is not None and self.has_changed():
            if user is not None and self.instance._state.adding:
                services.club_require_member(user=user, week=week)
            services.rating_validate(week=week, favorite_track=cleaned.get("favorite_track"))
        return cleaned


@admin.register(Rating)
class RatingAdmin(ScopedAdmin):
    form = RatingForm
    list_display = ["week", "user", "album", "value", "created_at"]
    list_filter = ["value", "week"]
    search_fields = ["user__username", "album__title", "review"]
    ordering = ["-week__week_number", "-created_at"]
    list_select_related = ["week", "user", "album"]
    autocomplete_fields = ["week", "user", "album", "favorite_track"]
    readonly_fields = [*BaseAdmin.readonly_fields, "album"]

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in ["value", "favorite_track", "review"]}
            services.rating_update(rating=Rating.objects.get(pk=obj.pk), data=data)
        else:
            saved = services.rating_submit(
                week=obj.week, user=obj.user, value=obj.value, favorite_track=obj.favorite_track, review=obj.review
            )
            obj.pk = saved.pk


@admin.register(LinkedAccount)
class LinkedAccountAdmin(ScopedAdmin):
    """Tokens never appear here: they are excluded from the form and shown only as "has token"."""

    list_display = ["provider_user_id", "provider", "user", "has_token", "token_expires_at"]
    list_filter = ["provider"]
    search_fields = ["provider_user_id", "display_name", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    exclude = ["access_token", "refresh_token"]

    @admin.display(description=_("has token"), boolean=True)
    def has_token(self, obj) -> bool:
        return obj.access_token is not None


@admin.register(ListenEvent)
class ListenEventAdmin(ScopedAdmin):
    list_display = ["played_at", "user", "track", "source"]
    list_filter = ["source"]
    search_fields = ["user__username", "track__title"]
    ordering = ["-played_at"]
    date_hierarchy = "played_at"
    list_select_related = ["user", "track"]
    raw_id_fields = ["user", "track"]

    def delete_model(self, request, obj):
        listens.listen_delete(listen=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for listen in queryset:
            listens.listen_delete(listen=listen, actor=request.user)


@admin.register(TasteProfile)
class TasteProfileAdmin(ScopedAdmin):
    list_display = ["user", "scope", "listen_count", "last_computed_at"]
    list_filter = ["scope"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(Follow)
class FollowAdmin(ScopedAdmin):
    list_display = ["follower", "followee", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["follower__username", "followee__username"]
    list_select_related = ["follower", "followee"]
    autocomplete_fields = ["follower", "followee"]


@admin.register(Compatibility)
class CompatibilityAdmin(ScopedAdmin):
    list_display = ["user_a", "user_b", "score", "computed_at"]
    list_filter = ["computed_at"]
    search_fields = ["user_a__username", "user_b__username"]
    list_select_related = ["user_a", "user_b"]
    autocomplete_fields = ["user_a", "user_b"]


@admin.register(UserRecommendation)
class UserRecommendationAdmin(ScopedAdmin):
    list_display = ["user", "album", "score", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["user__username", "album__title", "reason"]
    list_select_related = ["user", "album"]
    autocomplete_fields = ["user", "album"]


@admin.register(NowPlaying)
class NowPlayingAdmin(ScopedAdmin):
    list_display = ["user", "__str__", "expires_at", "updated_at"]
    list_filter = ["expires_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(MemberSettings)
class MemberSettingsAdmin(ScopedAdmin):
    list_display = ["user", "time_zone", "updated_at"]
    list_filter = ["time_zone"]
    search_fields = ["user__username", "time_zone"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        if not may_write_into(request.user, obj):
            raise PermissionDenied(NOT_YOURS)
        members.member_settings_save(user=obj.user, time_zone=obj.time_zone)
