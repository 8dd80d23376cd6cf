"""Demo data of the AMCS app: blueprints, personas, sources, styles, songs and runs in the two core demo tenants.

Idempotent: a tenant that already has AMCS blueprints is left as it is.
"""

from amcs.choices import WorkflowEventPhase, WorkflowNode, WorkflowRunStatus

GENRES = {
    "northern-lights": ("alice", [("Pop", 95, 130), ("Hip-Hop", 70, 100), ("Synthwave", 80, 118)]),
    "harbour-records": ("carol", [("Christmas Pop", 100, 130), ("Country", 75, 120), ("Rock", 100, 160)]),
}


def seed(stdout) -> None:
    from amcs.models import Blueprint
    from amcs.services import workflow_event_append, workflow_run_start
    from core.models import Tenant, User
    from tests.amcs.factories import BlueprintFactory, PersonaFactory, SongFactory, SourceFactory, StyleFactory

    made = 0
    for slug, (username, genres) in GENRES.items():
        tenant = Tenant.objects.filter(slug=slug).first()
        owner = User.objects.filter(username=username).first()
        if tenant is None or owner is None or Blueprint.objects.filter(tenant=tenant).exists():
            continue
        persona = PersonaFactory(tenant=tenant, owner=owner, name=f"{tenant.name} Voice")
        source = SourceFactory(tenant=tenant, owner=owner, name=f"{tenant.name} Liner Notes")
        for index, (genre, low, high) in enumerate(genres):
            blueprint = BlueprintFactory(tenant=tenant, owner=owner, genre=genre, tempo_bpm_min=low, tempo_bpm_max=high)
            style = StyleFactory(
                tenant=tenant,
                owner=owner,
                blueprint=blueprint,
                name=f"{genre} default",
                genre=genre,
                bpm_min=low + 5,
                bpm_max=high - 5,
            )
            song = SongFactory(
                tenant=tenant,
                owner=owner,
                style=style,
                title=f"{genre} Demo",
                persona=persona,
                global_seed=42 + index,
            )
            song.sources.add(source)
            run = workflow_run_start(song=song, owner=owner)
            for node in [WorkflowNode.PLAN, WorkflowNode.STYLE, WorkflowNode.LYRICS][: index + 1]:
                workflow_event_append(run=run, owner=owner, node=node, phase=WorkflowEventPhase.START)
                workflow_event_append(
                    run=run, owner=owner, node=node, phase=WorkflowEventPhase.END, metrics={"duration_ms": 100}
                )
            if index == 0:
                run.status = WorkflowRunStatus.COMPLETED
                run.full_clean()
                run.save()
            made += 1
    stdout.write(f"amcs: {made} songs with blueprints, styles, lyrics, producer notes and runs")
