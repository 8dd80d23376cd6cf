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


def test_integral_float_for_an_integer_is_a_schema_error(member_client, elf, christmas_blueprint):
    response = member_client.post("/api/amcs/sds/import/", put(elf, ("style", "tempo_bpm"), 120.0), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "/style/tempo_bpm"
