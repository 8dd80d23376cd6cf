"""The starter library of genre blueprints: installed idempotently, valid, and enough to run a song."""

import io

import pytest
from django.core.management import call_command

from amcs import services
from amcs.models import Blueprint, Lyrics, WorkflowRun
from amcs.services.library import blueprint_library_load, starter_blueprints
from amcs.validation import schema_errors
from core.choices import MembershipRole
from core.services import Refused
from tests.amcs.factories import PASSING_SECTIONS, SongFactory, StyleFactory
from tests.core.factories import MembershipFactory, TenantFactory, UserFactory


def test_the_library_has_at_least_twelve_valid_genres_with_the_reference_defaults():
    library = starter_blueprints()
    assert len({document["genre"] for document in library}) >= 12
    for document in library:
        assert schema_errors("blueprint", document) == [], document["genre"]
        assert abs(sum(document["eval_rubric"]["weights"].values()) - 1.0) < 1e-9
    pop = next(document for document in library if document["genre"] == "Pop")
    assert pop["eval_rubric"] == {
        "weights": {
            "hook_density": 0.25,
            "singability": 0.20,
            "rhyme_tightness": 0.15,
            "section_completeness": 0.20,
            "profanity_score": 0.20,
        },
        "thresholds": {"min_total": 0.75, "max_profanity": 0.1},
    }


@pytest.mark.django_db
def test_load_blueprints_is_idempotent_and_keeps_a_tenants_own_values():
    tenant = TenantFactory(slug="fresh")
    owner = UserFactory()
    MembershipFactory(user=owner, tenant=tenant, role=MembershipRole.OWNER)
    out = io.StringIO()
    call_command("load_blueprints", "--tenant", "fresh", stdout=out)
    count = len(starter_blueprints())
    assert Blueprint.objects.filter(tenant=tenant).count() == count
    assert f"[{count}/{count}]" in out.getvalue() and f"{count} created" in out.getvalue()
    Blueprint.objects.filter(tenant=tenant, genre="Rock").update(min_total=0.9)
    result = blueprint_library_load(tenant=tenant, owner=owner, actor=owner)
    assert result["created"] == [] and result["differs"] == ["Rock"] and len(result["present"]) == count - 1
    assert Blueprint.objects.get(tenant=tenant, genre="Rock").min_total == 0.9
    with pytest.raises(Refused):
        blueprint_library_load(tenant=tenant, owner=owner, actor=UserFactory())


@pytest.mark.django_db
def test_a_new_tenant_runs_a_song_on_a_library_blueprint():
    tenant = TenantFactory()
    owner = UserFactory()
    blueprint_library_load(tenant=tenant, owner=owner)
    pop = Blueprint.objects.get(tenant=tenant, genre="Pop")
    style = StyleFactory(tenant=tenant, owner=owner, blueprint=pop, genre="Pop", bpm_min=100, bpm_max=120)
    song = SongFactory(tenant=tenant, owner=owner, style=style)
    Lyrics.objects.filter(song=song).update(sections=PASSING_SECTIONS, section_order=["Verse", "Chorus"])
    MembershipFactory(user=owner, tenant=tenant, role=MembershipRole.MEMBER)
    run = services.workflow_run_start(song=song, actor=owner, defer=False)
    assert services.workflow_run_execute(run_id=run.pk) == "completed"
    assert WorkflowRun.objects.get(pk=run.pk).validation_scores["verdict"] == "pass"
