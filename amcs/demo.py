"""Demo data of the AMCS app: blueprints, personas, sources, styles and songs in the two core demo tenants; the
first song of each tenant is run end to end (PLAN to REVIEW, render engine none) by the workflow.

Idempotent: a tenant that already has AMCS blueprints is left as it is.
"""

GENRES = {
    "northern-lights": ("alice", [("Pop", 95, 130), ("Hip-Hop", 70, 100), ("Synthwave", 80, 118)]),
    "harbour-records": ("carol", [("Christmas Pop", 100, 130), ("Country", 75, 120), ("Rock", 100, 160)]),
}


def seed(stdout) -> None:
    from amcs.models import Blueprint, Lyrics
    from amcs.services import workflow_run_execute, workflow_run_start
    from core.models import Tenant, User
    from tests.amcs.factories import (
        PASSING_SECTIONS,
        BlueprintFactory,
        PersonaFactory,
        SongFactory,
        SourceFactory,
        StyleFactory,
    )

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
            if index == 0:
                Lyrics.objects.filter(song=song).update(
                    sections=PASSING_SECTIONS, section_order=["Verse", "Chorus", "Verse", "Chorus"]
                )
                run = workflow_run_start(song=song, actor=owner, defer=False)
                status = workflow_run_execute(run_id=run.pk)
                stdout.write(f"amcs: '{song.title}' ran end to end: {status}")
            made += 1
    stdout.write(f"amcs: {made} songs with blueprints, styles, lyrics and producer notes")
