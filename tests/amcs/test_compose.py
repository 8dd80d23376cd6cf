"""The composed prompt: deterministic, tags in category order with conflicts resolved, engine limits named."""

import copy
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amcs import compose, services
from amcs.models import ComposedPrompt, Song
from tests.amcs.factories import PersonaFactory, SongFactory, SourceFactory, WorkflowRunFactory

BLUEPRINT = {
    "genre": "Christmas Pop",
    "version": "2025.11",
    "rules": {
        "tempo_bpm": [100, 130],
        "required_sections": ["Chorus"],
        "conflicting_tags": [["Era:1970s", "Era:2020s"]],
    },
    "tag_categories": {"vocal": ["airy female"], "rhythm": ["swing feel"]},
}


def sds(elf):
    document = copy.deepcopy(elf)
    document["style"]["tags"] = ["Mix:lush", "swing feel", "Era:1970s", "Era:2020s", "airy female", "festive"]
    document["lyrics"]["sections"] = [
        {"type": "Verse", "lines": ["Wrapping gifts at midnight"]},
        {"type": "Chorus", "lines": ["Elf on overtime", "working through the night"]},
    ]
    return document


def test_same_sds_same_prompt_byte_for_byte(elf):
    first = compose.compose(sds(elf), blueprint=BLUEPRINT)
    second = compose.compose(copy.deepcopy(sds(elf)), blueprint=copy.deepcopy(BLUEPRINT))
    assert first == second
    assert first["text"].encode() == second["text"].encode() and len(first["content_hash"]) == 64


def test_style_tags_follow_the_category_order_one_per_category_and_drop_the_lower_conflict(elf):
    tags = compose.style_tags(sds(elf), blueprint=BLUEPRINT)
    # era -> genre -> sub-genre -> fusion -> energy -> instrumentation -> rhythm -> vocal -> mix -> others
    assert tags[:3] == ["Era:1970s", "Christmas Pop", "Big Band Pop"]
    assert tags.index("swing feel") < tags.index("airy female") < tags.index("Mix:lush") < tags.index("festive")
    assert "Era:2020s" not in tags  # the second era tag of the pair loses


def test_a_tag_the_song_avoids_never_appears(elf):
    document = sds(elf)
    document["prompt_controls"]["negative_tags"] = ["festive"]
    assert "festive" not in compose.style_tags(document, blueprint=BLUEPRINT)


def test_structure_has_section_tags_and_lyrics(elf):
    result = compose.compose(sds(elf), blueprint=BLUEPRINT)
    text = result["text"]
    assert "[Verse" in text and "Wrapping gifts at midnight" in text
    chorus = next(name for name in result["meta"]["section_tags"] if name == "Chorus")
    assert f"[Chorus: {', '.join(result['meta']['section_tags'][chorus])}]" in text
    assert result["meta"]["style_tags"] == result["style"].split(", ")


def test_living_artists_become_generic_influences_when_the_policy_says_so(elf):
    document = sds(elf)
    document["style"]["tags"].append("Taylor Swift")
    persona = {
        "name": "P",
        "kind": "artist",
        "influences": ["Taylor Swift ballads"],
        "policy": {"public_release": True},
    }
    text = compose.compose(document, blueprint=BLUEPRINT, persona=persona)["text"]
    assert "Taylor Swift" not in text and "confessional country-pop songwriter" in text
    open_persona = {**persona, "policy": {"public_release": False, "disallow_named_style_of": False}}
    assert "Taylor Swift" in compose.compose(document, blueprint=BLUEPRINT, persona=open_persona)["text"]


@pytest.mark.parametrize(
    ("engine", "model", "style_max"),
    [("suno", "v3.5", 120), ("suno", "v5", 1000), ("suno", None, 1000), ("udio", None, 500)],
)
def test_engine_limits_are_data(engine, model, style_max):
    assert compose.limits_for(engine, model, style_max=5000, prompt_max=10000)["style_max"] == style_max


def test_over_the_limit_is_an_error_naming_the_part_and_its_length(elf):
    document = sds(elf)
    document["render"] = {"engine": "suno", "model": "v3.5", "num_variations": 2}
    with pytest.raises(ValidationError) as error:
        compose.compose(document, blueprint=BLUEPRINT)
    message = error.value.message_dict["style"][0]
    assert "The style part has" in message and "suno v3.5 takes at most 120" in message
    document["render"]["model"] = "v5"
    document["prompt_controls"]["max_prompt_chars"] = 50
    with pytest.raises(ValidationError) as error:
        compose.compose(document, blueprint=BLUEPRINT)
    assert "takes at most 50" in error.value.message_dict["text"][0]


@pytest.mark.django_db
class TestService:
    def test_compose_stores_the_prompt_linked_to_the_run(self, tenant, member):
        song = SongFactory(tenant=tenant, owner=member)
        run = WorkflowRunFactory(song=song, tenant=tenant, owner=member)
        prompt = services.song_compose(song=song, owner=member, run=run)
        again = services.song_compose(song=song, owner=member)
        assert prompt.run == run and prompt.content_hash == again.content_hash and prompt.text == again.text
        assert prompt.total_char_count == len(prompt.text) and prompt.style_char_count == len(prompt.style)
        assert prompt.seed == song.global_seed + 4  # the COMPOSE node's seed

    def test_compose_query_count_does_not_grow_with_the_song(self, tenant, member):
        small = SongFactory(tenant=tenant, owner=member)
        big = SongFactory(tenant=tenant, owner=member, persona=PersonaFactory(tenant=tenant, owner=member))
        big.sources.add(*SourceFactory.create_batch(8, tenant=tenant, owner=member))
        counts = []
        for song in (small, big):
            with CaptureQueriesContext(connection) as queries:
                services.song_compose(song=song, owner=member)
            counts.append(len(queries))
        assert counts[0] == counts[1]

    def test_api_composes_and_returns_the_prompt(self, member_client, tenant, member):
        song = SongFactory(tenant=tenant, owner=member)
        run = WorkflowRunFactory(song=song, tenant=tenant, owner=member)
        response = member_client.post(f"/api/amcs/songs/{song.pk}/compose/", {"run_id": str(run.pk)}, format="json")
        assert response.status_code == 201, response.data
        assert response.data["total_char_count"] == len(response.data["text"])
        assert ComposedPrompt.objects.get(pk=response.data["id"]).run == run
        other = WorkflowRunFactory()
        response = member_client.post(f"/api/amcs/songs/{song.pk}/compose/", {"run_id": str(other.pk)}, format="json")
        assert response.status_code == 400

    def test_viewers_cannot_compose(self, viewer_client, tenant):
        song = SongFactory(tenant=tenant)
        assert viewer_client.post(f"/api/amcs/songs/{song.pk}/compose/", {}, format="json").status_code == 403

    def test_compose_of_another_tenants_song_is_404_and_stores_nothing(self, member_client, other_tenant):
        foreign = SongFactory(tenant=other_tenant)
        response = member_client.post(reverse("amcs-api:song-compose", args=[foreign.pk]), {}, format="json")
        assert response.status_code == 404 and response.json()["errors"] == []
        assert not ComposedPrompt.objects.filter(song=foreign).exists()

    def test_compose_with_a_malformed_run_id_is_400_naming_it(self, member_client, tenant, member):
        song = SongFactory(tenant=tenant, owner=member)
        url = reverse("amcs-api:song-compose", args=[song.pk])
        response = member_client.post(url, {"run_id": "not-a-uuid"}, format="json")
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "run_id"
        assert not ComposedPrompt.objects.filter(song=song).exists()

    def test_command_prints_the_prompt_and_its_counts(self, tenant, member):
        song = SongFactory(tenant=tenant, owner=member)
        out = io.StringIO()
        call_command("compose_song", str(song.pk), "--owner", member.username, stdout=out)
        assert f"[{song.producer_notes.get().structure[0]}" in out.getvalue() and "sha256" in out.getvalue()
        out = io.StringIO()
        call_command("compose_song", str(song.pk), "--owner", member.username, "--json", stdout=out)
        assert '"text"' in out.getvalue()

    def test_command_fails_with_the_limit_named(self, tenant, member):
        song = SongFactory(tenant=tenant, owner=member, max_prompt_chars=20)
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("compose_song", str(song.pk), "--owner", member.username, stderr=err)
        assert "text: The prompt has" in err.getvalue()

    def test_song_admin_shows_the_prompt_with_character_counts(self, admin_client, tenant, member):
        song = SongFactory(tenant=tenant, owner=member)
        response = admin_client.get(f"/admin/amcs/song/{song.pk}/compose/")
        assert response.status_code == 302
        page = admin_client.get(f"/admin/amcs/song/{song.pk}/change/").content.decode()
        prompt = Song.objects.get(pk=song.pk).composed_prompts.get()
        assert f"{prompt.style_char_count} / " in page and f"{prompt.total_char_count} / " in page
