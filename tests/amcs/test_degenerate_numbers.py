"""Numbers that pass a JSON schema's type but not the columns behind it are a 400, never a 500."""

import copy

import pytest

from amcs.models import Song

CASES = {
    "integral float tempo": (("style", "tempo_bpm"), [116.0, 124.0]),
    "integral float single tempo": (("style", "tempo_bpm"), 120.0),
    "integral float duration": (("producer_notes", "section_meta", "Intro", "target_duration_sec"), 10.0),
    "1e308 duration": (("producer_notes", "section_meta", "Intro", "target_duration_sec"), 1e308),
    "duration beyond any column": (("producer_notes", "section_meta", "Intro", "target_duration_sec"), 10**12),
    "variations beyond any column": (("render", "num_variations"), 10**12),
    "seed beyond bigint": (("seed",), 2**70),
}


def put(document: dict, path: tuple, value) -> dict:
    document = copy.deepcopy(document)
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_sds_import_with_degenerate_numbers_is_400_or_201_never_500(member_client, elf, christmas_blueprint, case):
    path, value = CASES[case]
    document = put(elf, path, value)
    response = member_client.post("/api/amcs/sds/import/", document, format="json")
    assert response.status_code in (201, 400), response.content[:500]
    if response.status_code == 400:
        assert response.json()["errors"], response.json()
        assert not Song.all_objects.exists()


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_sds_validate_with_degenerate_numbers_answers(member_client, elf, christmas_blueprint, case):
    path, value = CASES[case]
    response = member_client.post("/api/amcs/sds/validate/", put(elf, path, value), format="json")
    assert response.status_code == 200, response.content[:500]


def test_whole_number_floats_are_integers_where_an_integer_is_asked(member_client, elf, christmas_blueprint):
    document = put(put(elf, ("style", "tempo_bpm"), [110.0, 120.0]), ("seed",), 42.0)
    response = member_client.post("/api/amcs/sds/import/", document, format="json")
    assert response.status_code == 201, response.json()
    song = Song.objects.get(pk=response.json()["id"])
    assert song.global_seed == 42 and type(song.global_seed) is int
    assert (song.style.bpm_min, song.style.bpm_max) == (110, 120)
    assert response.json()["sds"]["style"]["tempo_bpm"] == [110, 120]


def test_a_fraction_or_a_huge_float_where_an_integer_is_asked_is_a_schema_error(
    member_client, elf, christmas_blueprint
):
    response = member_client.post("/api/amcs/sds/import/", put(elf, ("style", "tempo_bpm"), 120.5), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "/style/tempo_bpm"
    response = member_client.post("/api/amcs/sds/import/", put(elf, ("seed",), 1e300), format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "/seed"


def test_a_blueprint_document_with_a_whole_number_float_tempo_imports(member_client, tenant):
    document = {
        "genre": "Float Pop",
        "version": "2025.11",
        "rules": {"tempo_bpm": [100.0, 120.0], "required_sections": ["Verse", "Chorus"]},
        "eval_rubric": {"weights": {"hook_density": 1.0}, "thresholds": {"min_total": 0.75, "max_profanity": 0.1}},
    }
    response = member_client.post(f"/api/amcs/blueprints/documents/import/?tenant={tenant.pk}", document, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["document"]["rules"]["tempo_bpm"] == [100, 120]
