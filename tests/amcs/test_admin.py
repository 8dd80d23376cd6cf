"""The AMCS admin: tenant scoping for non-superuser staff, rule errors as form errors, songs with inline
lyrics and producer notes, the read-only SDS and its validate button, deletion and restore."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from amcs import services
from amcs.models import Blueprint, Lyrics, Persona, ProducerNotes, Song, Style, WorkflowRun
from core.choices import MembershipRole
from tests.amcs.factories import (
    PASSING_SECTIONS,
    BlueprintFactory,
    LyricsFactory,
    PersonaFactory,
    ProducerNotesFactory,
    SongFactory,
    SourceFactory,
    StyleFactory,
    WorkflowEventFactory,
    WorkflowRunFactory,
)
from tests.core.factories import MembershipFactory, UserFactory

FACTORIES = {
    "blueprint": BlueprintFactory,
    "persona": PersonaFactory,
    "source": SourceFactory,
    "style": StyleFactory,
    "song": SongFactory,
    "lyrics": LyricsFactory,
    "producernotes": ProducerNotesFactory,
    "workflowrun": WorkflowRunFactory,
}


def staff_client(tenant, role=MembershipRole.MEMBER):
    user = UserFactory(staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="amcs"))
    MembershipFactory(user=user, tenant=tenant, role=role)
    client = Client()
    client.force_login(user)
    return client, user


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
@pytest.mark.parametrize("name", FACTORIES)
def test_change_page_loads_for_superuser(admin_client, name):
    obj = FACTORIES[name]()
    response = admin_client.get(reverse(f"admin:amcs_{name}_change", args=[obj.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", FACTORIES)
class TestStaffTenancy:
    def test_staff_see_and_open_only_their_tenants_rows(self, name, tenant, other_tenant):
        client, user = staff_client(tenant)
        factory = FACTORIES[name]
        mine, theirs = factory(tenant=tenant, owner=user), factory(tenant=other_tenant)
        changelist = client.get(reverse(f"admin:amcs_{name}_changelist"), {"deleted": "all"})
        assert changelist.status_code == 200
        assert list(changelist.context["cl"].result_list) == [mine]
        assert client.get(reverse(f"admin:amcs_{name}_change", args=[mine.pk])).status_code == 200
        assert client.get(reverse(f"admin:amcs_{name}_change", args=[theirs.pk])).status_code == 302
        response = client.post(reverse(f"admin:amcs_{name}_delete", args=[theirs.pk]), {"post": "yes"})
        assert response.status_code == 302
        assert type(theirs).objects.filter(pk=theirs.pk).exists()

    def test_viewer_staff_only_view(self, name, tenant):
        client, _ = staff_client(tenant, role=MembershipRole.VIEWER)
        obj = FACTORIES[name](tenant=tenant)
        page = client.get(reverse(f"admin:amcs_{name}_change", args=[obj.pk]))
        assert page.status_code == 200 and not page.context["has_change_permission"]
        assert client.post(reverse(f"admin:amcs_{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
def test_staff_cannot_add_into_another_tenant_nor_pick_its_rows(tenant, other_tenant):
    client, _ = staff_client(tenant)
    blueprint = BlueprintFactory.build(tenant=other_tenant)
    form = {
        "tenant": str(other_tenant.pk),
        "genre": "Jazz",
        "version": "2025.1",
        "tempo_bpm_min": "80",
        "tempo_bpm_max": "120",
        "required_sections": "Verse",
        "section_lines": "{}",
        "conflicting_tags": "[]",
        "rubric_weights": '{"hook_density": 1.0}',
        "min_total": "0.75",
        "max_profanity": "0.1",
    }
    response = client.post(reverse("admin:amcs_blueprint_add"), form)
    assert "tenant" in response.context["adminform"].form.errors
    assert not Blueprint.all_objects.filter(genre="Jazz").exists()
    mine = BlueprintFactory(tenant=tenant)
    blueprint.save()
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "amcs", "model_name": "style", "field_name": "blueprint", "term": ""},
    ).json()["results"]
    assert [row["id"] for row in found] == [str(mine.pk)]


@pytest.mark.django_db
class TestRestoreActions:
    """Restoring is a change: viewers may not, members may (and only rows of their tenants)."""

    @pytest.mark.parametrize(("role", "restored"), [(MembershipRole.VIEWER, False), (MembershipRole.MEMBER, True)])
    def test_restore_selected_needs_a_writing_role(self, tenant, role, restored):
        client, _ = staff_client(tenant, role=role)
        blueprint = BlueprintFactory(tenant=tenant)
        blueprint.delete()
        client.post(
            reverse("admin:amcs_blueprint_changelist") + "?deleted=yes",
            {"action": "restore_selected", "_selected_action": [str(blueprint.pk)]},
        )
        assert Blueprint.objects.filter(pk=blueprint.pk).exists() is restored

    @pytest.mark.parametrize(("role", "restored"), [(MembershipRole.VIEWER, False), (MembershipRole.MEMBER, True)])
    def test_restore_songs_needs_a_writing_role(self, tenant, role, restored):
        client, _ = staff_client(tenant, role=role)
        song = SongFactory(tenant=tenant)
        song.delete()
        response = client.post(
            reverse("admin:amcs_song_changelist") + "?deleted=yes",
            {"action": "restore_selected", "_selected_action": [str(song.pk)]},
            follow=True,
        )
        assert Song.objects.filter(pk=song.pk).exists() is restored
        assert Lyrics.objects.filter(song=song).exists() is restored
        assert any("not restored" in message for message in messages_of(response)) is not restored


def style_form(blueprint, **overrides):
    data = {
        "tenant": str(blueprint.tenant_id),
        "name": "Clash",
        "blueprint": str(blueprint.pk),
        "genre": "Pop",
        "bpm_min": "100",
        "bpm_max": "150",
        "time_signature": "4/4",
        "key": "C major",
        "mood": "warm",
        "tags_positive": "Era:1970s,Era:2020s",
        "tags_negative": "",
        "energy": "",
        "sub_genres": "",
        "fusions": "",
        "modulations": "",
        "instrumentation": "",
        "vocal_profile": "",
    }
    return {**data, **overrides}


@pytest.mark.django_db
class TestStyleForm:
    def test_blueprint_rule_errors_show_next_to_fields(self, tenant):
        client, user = staff_client(tenant)
        blueprint = BlueprintFactory(tenant=tenant, tempo_bpm_min=90, tempo_bpm_max=120)
        response = client.post(reverse("admin:amcs_style_add"), style_form(blueprint))
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "100-150" in errors["bpm_min"][0]
        assert "Era:1970s" in errors["tags_positive"][0]
        assert not Style.objects.filter(name="Clash").exists()

    def test_valid_style_is_saved_with_owner(self, tenant):
        client, user = staff_client(tenant)
        blueprint = BlueprintFactory(tenant=tenant)
        response = client.post(
            reverse("admin:amcs_style_add"), style_form(blueprint, bpm_max="120", tags_positive="Era:2010s")
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert Style.objects.get(name="Clash").owner == user


def song_form(song, **overrides):
    data = {
        "tenant": str(song.tenant_id),
        "title": "Edited",
        "status": "draft",
        "blueprint": str(song.blueprint_id),
        "style": str(song.style_id),
        "sources": [str(source.pk) for source in song.sources.all()],
        "global_seed": "5",
        "sds_version": "1.0.0",
        "target_duration_sec": "",
        "feature_flags": "{}",
        "positive_tags": "",
        "negative_tags": "",
        "max_style_chars": "1000",
        "max_prompt_chars": "5000",
        "render_engine": "none",
        "render_model": "",
        "render_num_variations": "2",
        "lyrics-TOTAL_FORMS": "1",
        "lyrics-INITIAL_FORMS": "0",
        "lyrics-0-language": "en",
        "lyrics-0-section_order": "Verse,Chorus",
        "lyrics-0-themes": "",
        "lyrics-0-repetition_rules": "{}",
        "lyrics-0-sections": "[]",
        "lyrics-0-section_requirements": "{}",
        "lyrics-0-source_citations": "[]",
        "producer_notes-TOTAL_FORMS": "1",
        "producer_notes-INITIAL_FORMS": "0",
        "producer_notes-0-structure": "",
        "producer_notes-0-structure_string": "Verse–Chorus",
        "producer_notes-0-hook_count": "1",
        "producer_notes-0-section_tags": "{}",
        "producer_notes-0-section_durations": "{}",
        "producer_notes-0-instrumentation_hints": "",
        "producer_notes-0-mix_targets": "{}",
    }
    return {**data, **overrides}


@pytest.mark.django_db
class TestSongAdmin:
    def test_song_saved_with_inline_lyrics_and_notes_owned_by_the_song_tenant(self, tenant):
        client, user = staff_client(tenant)
        song = SongFactory(tenant=tenant, owner=user, parts=False)
        response = client.post(reverse("admin:amcs_song_change", args=[song.pk]), song_form(song))
        assert response.status_code == 302, response.context["adminform"].form.errors
        lyrics, notes = Lyrics.objects.get(song=song), ProducerNotes.objects.get(song=song)
        assert (lyrics.tenant, lyrics.owner, notes.tenant) == (tenant, user, tenant)
        assert notes.structure == ["Verse", "Chorus"]

    def test_new_song_with_inline_parts_exports_a_valid_sds(self, tenant):
        from amcs import services
        from amcs.validation import schema_errors

        client, user = staff_client(tenant)
        style = StyleFactory(tenant=tenant, owner=user)
        template = SongFactory.build(tenant=tenant, owner=user, style=style, blueprint=style.blueprint)
        data = song_form(template, title="Fresh", sources=[])
        response = client.post(reverse("admin:amcs_song_add"), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        song = Song.objects.with_sds_parts().get(title="Fresh")
        assert song.owner == user
        assert schema_errors("sds", services.song_sds(song=song)) == []

    def test_inline_rule_errors_block_the_save(self, tenant):
        client, user = staff_client(tenant)
        song = SongFactory(tenant=tenant, owner=user, parts=False)
        response = client.post(
            reverse("admin:amcs_song_change", args=[song.pk]), song_form(song, **{"lyrics-0-section_order": "Verse"})
        )
        assert response.status_code == 200
        assert "chorus" in str(response.context["inline_admin_formsets"][0].formset.errors)
        assert not Lyrics.objects.filter(song=song).exists()

    def test_sources_of_another_tenant_are_refused(self, tenant, other_tenant):
        client, user = staff_client(tenant)
        MembershipFactory(user=user, tenant=other_tenant, role=MembershipRole.MEMBER)
        song = SongFactory(tenant=tenant, owner=user, parts=False)
        foreign = SourceFactory(tenant=other_tenant)
        response = client.post(
            reverse("admin:amcs_song_change", args=[song.pk]), song_form(song, sources=[str(foreign.pk)])
        )
        assert response.status_code == 200
        assert "another tenant" in str(response.context["adminform"].form.errors["sources"])

    def test_change_page_shows_the_sds_and_the_validate_button_reports(self, admin_client):
        song = SongFactory()
        page = admin_client.get(reverse("admin:amcs_song_change", args=[song.pk])).content.decode()
        assert "&quot;blueprint_ref&quot;" in page and "Validate SDS" in page
        response = admin_client.get(reverse("admin:amcs_song_validate_sds", args=[song.pk]), follow=True)
        assert any("is valid" in message for message in messages_of(response))

    def test_validate_reports_errors_with_pointers(self, admin_client):
        song = SongFactory()
        Blueprint.objects.filter(pk=song.blueprint_id).update(tempo_bpm_min=60, tempo_bpm_max=100)
        changelist = reverse("admin:amcs_song_changelist")
        response = admin_client.post(
            changelist, {"action": "validate_sds", "_selected_action": [str(song.pk)]}, follow=True
        )
        assert any("/style/tempo_bpm" in message for message in messages_of(response))

    def test_incomplete_song_shows_what_is_missing(self, admin_client):
        song = SongFactory(parts=False)
        page = admin_client.get(reverse("admin:amcs_song_change", args=[song.pk])).content.decode()
        assert "no lyrics yet" in page
        response = admin_client.get(reverse("admin:amcs_song_validate_sds", args=[song.pk]), follow=True)
        assert any("/lyrics" in message for message in messages_of(response))

    def test_delete_and_restore_take_the_children_along(self, admin_client):
        song = SongFactory()
        WorkflowRunFactory(song=song, tenant=song.tenant, owner=song.owner)
        admin_client.post(reverse("admin:amcs_song_delete", args=[song.pk]), {"post": "yes"})
        assert not WorkflowRun.objects.filter(song=song).exists()
        other = SongFactory()
        changelist = reverse("admin:amcs_song_changelist")
        admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [str(other.pk)], "post": "yes"})
        assert not Lyrics.objects.filter(song=other).exists()
        admin_client.post(
            f"{changelist}?deleted=yes",
            {"action": "restore_selected", "_selected_action": [str(song.pk), str(other.pk)]},
        )
        assert Song.objects.filter(pk__in=[song.pk, other.pk]).count() == 2
        assert WorkflowRun.objects.filter(song=song).exists() and Lyrics.objects.filter(song=other).exists()


@pytest.mark.django_db
def test_run_admin_is_read_only_and_shows_events(admin_client):
    event = WorkflowEventFactory(metrics={"duration_ms": 321})
    url = reverse("admin:amcs_workflowrun_change", args=[event.run_id])
    page = admin_client.get(url).content.decode()
    assert "321" in page and "No node has run yet" in page
    assert admin_client.post(url, {"status": "completed"}).status_code == 403
    assert WorkflowRun.objects.get(pk=event.run_id).status == "running"


@pytest.mark.django_db
def test_the_run_add_page_starts_a_run_or_shows_why_not(admin_client):
    song = SongFactory(global_seed=7)
    Lyrics.objects.filter(song=song).update(sections=PASSING_SECTIONS, section_order=["Verse", "Chorus"])
    add = reverse("admin:amcs_workflowrun_add")
    assert admin_client.get(add).status_code == 200
    response = admin_client.post(add, {"song": str(song.pk)})
    assert response.status_code == 302
    run = WorkflowRun.objects.get(song=song)
    assert run.seed == 7 and run.input_hash and run.status == "running"
    response = admin_client.post(add, {"song": str(song.pk)})
    assert response.status_code == 200 and "in progress" in response.content.decode()
    assert WorkflowRun.objects.filter(song=song).count() == 1


@pytest.mark.django_db
def test_song_action_starts_a_run_and_the_run_page_is_a_timeline(admin_client):
    song = SongFactory(global_seed=99)
    Lyrics.objects.filter(song=song).update(sections=PASSING_SECTIONS, section_order=["Verse", "Chorus"])
    changelist = reverse("admin:amcs_song_changelist")
    response = admin_client.post(changelist, {"action": "start_run", "_selected_action": [str(song.pk)]}, follow=True)
    run = WorkflowRun.objects.get(song=song)
    assert run.seed == 99 and any("queued" in message for message in messages_of(response))
    response = admin_client.post(changelist, {"action": "start_run", "_selected_action": [str(song.pk)]}, follow=True)
    assert any("in progress" in message for message in messages_of(response))
    services.workflow_run_execute(run_id=run.pk)
    page = admin_client.get(reverse("admin:amcs_workflowrun_change", args=[run.pk])).content.decode()
    assert page.index("PLAN") < page.index("VALIDATE") < page.index("REVIEW")
    assert run.steps.get(node="REVIEW").output_hash[:12] in page
    song_page = admin_client.get(reverse("admin:amcs_song_change", args=[song.pk])).content.decode()
    assert 'name="status"' not in song_page  # the workflow computes it


@pytest.mark.django_db
def test_warnings_never_block_an_admin_save_and_are_shown_on_the_page(admin_client, tenant):
    data = {
        "tenant": str(tenant.pk),
        "name": "Two Voices",
        "kind": "artist",
        "bio": "",
        "voice": "",
        "vocal_range": "",
        "delivery": "whispered,belting",
        "influences": "",
        "style_defaults": "{}",
        "lyrics_defaults": "{}",
        "is_style_of_disallowed": "on",
        "external_ref": "",
        "extra_metadata": "{}",
    }
    response = admin_client.post(reverse("admin:amcs_persona_add"), data, follow=True)
    assert response.status_code == 200
    assert any("/delivery: Delivery styles 'whispered' and 'belting' conflict." in m for m in messages_of(response))
    persona = Persona.objects.get(name="Two Voices")
    assert persona.warnings[0]["pointer"] == "/delivery"
    page = admin_client.get(reverse("admin:amcs_persona_change", args=[persona.pk])).content.decode()
    assert "conflict" in page


@pytest.mark.django_db
def test_rule_errors_land_under_the_field_in_one_message(admin_client, tenant):
    blueprint = BlueprintFactory(tenant=tenant)
    data = {
        "tenant": str(tenant.pk),
        "genre": blueprint.genre,
        "version": "2025.12",
        "tempo_bpm_min": "90",
        "tempo_bpm_max": "140",
        "required_sections": "Verse,Chorus",
        "section_lines": "{}",
        "banned_terms": "",
        "lexicon_positive": "",
        "lexicon_negative": "",
        "conflicting_tags": "[]",
        "conflict_matrix": "{}",
        "tag_categories": "{}",
        "rules_extra": "{}",
        "rubric_weights": '{"hook_density": 0.5, "originality": 0.4}',
        "min_total": "0.75",
        "max_profanity": "0.1",
        "external_ref": "",
        "extra_metadata": "{}",
    }
    response = admin_client.post(reverse("admin:amcs_blueprint_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["rubric_weights"] == ["Rubric weights sum to 0.9; they must sum to 1.0."]


@pytest.mark.django_db
def test_producer_notes_added_and_left_at_their_defaults_are_checked_and_saved_not_skipped(admin_client):
    """A row added with "Add another" is validated and saved even when nothing in it changed; Django skipped it
    silently while the page said the song was saved (core.admin.added_rows_saved)."""
    from core.testing import _field_data, admin_form_data

    song = SongFactory(parts=False)
    url = reverse("admin:amcs_song_change", args=[song.pk])
    page = admin_client.get(url)
    data = admin_form_data(page)
    formset = next(
        inline.formset for inline in page.context["inline_admin_formsets"] if inline.formset.model is ProducerNotes
    )
    for bound_field in formset.empty_form:  # what "Add another" puts on the page, left as it is
        for name, value in _field_data(bound_field).items():
            data[name.replace("__prefix__", "0")] = value
    data[f"{formset.prefix}-TOTAL_FORMS"] = "1"
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the defaults lack a structure: the page says so under the row
    rows = [inline.formset.forms for inline in response.context["inline_admin_formsets"]]
    assert {"structure_string": ["Must not be empty."]} in [form.errors for forms in rows for form in forms]
    data[f"{formset.prefix}-0-structure_string"] = "Verse-Chorus"
    assert admin_client.post(url, data).status_code == 302
    assert ProducerNotes.objects.filter(song=song).count() == 1
