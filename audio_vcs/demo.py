"""Demo data of the audio version control app: two projects with branches, a merge, a tag and a fork, stems made in
code (short synthesised tones written with soundfile), a composition imported from a MIDI file built with mido,
an approval and comments. Safe to run again: it does nothing once the demo projects exist."""

from __future__ import annotations

DEMO_PROJECTS = ("Night Drive", "Harbour Lights")


def seed(stdout) -> None:
    from django.contrib.auth import get_user_model

    from audio_vcs import services
    from audio_vcs.choices import CollaboratorRole
    from audio_vcs.models import Approval, Comment, CompositionLyrics, Project
    from tests.audio_vcs.audio import midi_file, tone, upload

    if Project.objects.filter(name__in=DEMO_PROJECTS).exists():
        stdout.write("audio_vcs: demo data already present")
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["alice", "bob", "carol", "dave"])}
    if len(users) < 4:
        stdout.write("audio_vcs: core demo users missing, skipped")
        return
    alice, bob, carol, dave = (users[name] for name in ("alice", "bob", "carol", "dave"))

    def stems(*parts):
        return [
            services.StemUpload(stem_type=kind, name=name, file=upload(tone(freq, seconds=1.0), f"{kind}.wav"))
            for kind, name, freq in parts
        ]

    night = services.project_create(
        owner=alice, name="Night Drive", is_public=True, genre="synthwave", tempo=96, key_signature="Am"
    )
    services.collaborator_set(project=night, actor=alice, user=bob, role=CollaboratorRole.CONTRIBUTOR)
    root = services.commit_create(
        project=night,
        author=alice,
        branch="main",
        message="First groove: drums and bass",
        bpm=96,
        key_signature="Am",
        stems=stems(("drums", "", 55.0), ("bass", "", 110.0)),
    )
    bridge = services.commit_create(
        project=night,
        author=bob,
        actor=bob,
        branch="bridge-idea",
        message="A melody for the bridge",
        stems=stems(("melody", "", 440.0)) + stems(("drums", "", 55.0), ("bass", "", 110.0)),
    )
    services.commit_create(
        project=night,
        author=alice,
        branch="main",
        message="Lead vocal take",
        stems=stems(("drums", "", 55.0), ("bass", "", 110.0), ("vocals", "lead", 330.0)),
    )
    merged = services.merge(project=night, source="bridge-idea", target="main", actor=alice).commit
    services.tag_create(
        project=night, actor=alice, name="v1.0", commit=merged, message="First full arrangement: groove, melody, vocal"
    )
    fork = services.project_fork(project=night, owner=carol, name="Night Drive (carol's remix)")

    harbour = services.project_create(owner=carol, name="Harbour Lights", genre="ambient", tempo=70, key_signature="D")
    services.collaborator_set(project=harbour, actor=carol, user=dave, role=CollaboratorRole.VIEWER)
    harbour_commit = services.commit_create(
        project=harbour,
        author=carol,
        branch="main",
        message="Pads and a low drone",
        stems=stems(("other", "pad", 146.8), ("bass", "", 73.4)),
    )
    composition = services.composition_import_midi(
        project=night, file=("night-drive-theme.mid", midi_file(bpm=96)), actor=alice, commit=merged
    )
    CompositionLyrics.objects.create(
        composition=composition,
        language="en",
        text="drive",
        alignment={
            "lines": [
                {
                    "text": "drive",
                    "start": 0.5,
                    "end": 1.5,
                    "words": [
                        {
                            "text": "drive",
                            "start": 0.5,
                            "end": 1.4,
                            "phonemes": [
                                {"symbol": "D", "start": 0.5, "end": 0.6},
                                {"symbol": "R", "start": 0.6, "end": 0.8},
                                {"symbol": "AY", "start": 0.8, "end": 1.2},
                                {"symbol": "V", "start": 1.2, "end": 1.4},
                            ],
                        }
                    ],
                }
            ]
        },
    )
    services.approval_request(
        approval=Approval(project=night, commit=bridge, reviewer=alice, requested_by=bob), actor=bob
    )
    first = services.comment_create(
        comment=Comment(
            project=night, commit=root, body="The kick is a bit boomy at 0:00.4", start_seconds=0.3, end_seconds=0.5
        ),
        actor=bob,
    )
    services.comment_create(
        comment=Comment(project=night, commit=root, parent=first, body="Tamed it in the next take."), actor=alice
    )
    services.comment_create(comment=Comment(project=harbour, commit=harbour_commit, body="Lovely drone."), actor=carol)
    stdout.write(
        f"audio_vcs: 3 projects (one a fork: {fork.name}), {night.commits.count() + harbour.commits.count()} commits, "
        "a merge, a MIDI composition, an approval and comments"
    )
