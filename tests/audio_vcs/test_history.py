"""History services: commit (real audio, dedupe, races), log, diff, merge base, merge, fork, branch moves,
and the database's refusal to change a written commit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, ProgrammingError, connection, transaction

from audio_vcs import services
from audio_vcs.choices import CollaboratorRole, StemType
from audio_vcs.models import Blob, Branch, Commit, CommitParent, Project, Stem
from core.services import ConflictError as Conflict
from core.testing import run_concurrently
from tests.audio_vcs.audio import tone, upload
from tests.audio_vcs.factories import CollaboratorFactory, ProjectFactory, stems_for
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def commit(project, branch="main", seed=None, **kwargs):
    return services.commit_create(
        project=project,
        author=project.owner,
        branch=branch,
        stems=kwargs.pop("stems") if "stems" in kwargs else stems_for(seed),
        **kwargs,
    )


def test_commit_create_stores_stems_blobs_and_advances_branch(project):
    first = commit(project, message="First", bpm=92)
    second = commit(project, message="Second")
    branch = Branch.objects.get(project=project, name="main")
    assert branch.head == second
    assert list(second.parents.all()) == [first]
    assert first.parents.count() == 0
    assert {s.stem_type for s in second.stems.all()} == {StemType.DRUMS, StemType.BASS}
    blob = second.stems.first().blob
    assert blob.audio_format == "WAV" and blob.sample_rate == 22_050 and blob.channels == 1
    assert blob.duration == pytest.approx(0.25, abs=1e-3)
    assert len(second.content_hash) == 64 and second.short_hash == second.content_hash[:8]


def test_commit_create_same_files_twice_stores_them_once_across_projects(project):
    data = [tone(300), tone(400)]

    def stems():
        return [services.StemUpload(stem_type=t, file=upload(d)) for t, d in zip(("drums", "bass"), data, strict=True)]

    commit(project, stems=stems())
    blobs = Blob.objects.count()
    commit(project, stems=stems())
    commit(ProjectFactory(), stems=stems())
    assert Blob.objects.count() == blobs == 2


def test_commit_create_non_audio_file_is_rejected_naming_it_and_writes_nothing(project):
    stems = [
        services.StemUpload(stem_type="drums", file=upload(tone(200))),
        services.StemUpload(stem_type="bass", file=upload(b"not audio at all", "notes.txt")),
    ]
    with pytest.raises(ValidationError) as error:
        commit(project, stems=stems)
    assert "notes.txt" in str(error.value)
    assert not Commit.objects.filter(project=project).exists()


@pytest.mark.parametrize("name", ["bad name", "a..b", "-x", "x.lock", "x/", "a@{b", "@", ".hidden", "a//b", "x."])
def test_commit_create_refuses_branch_names_git_refuses(project, name):
    with pytest.raises(ValidationError) as error:
        commit(project, branch=name)
    assert "branch" in error.value.message_dict


def test_commit_create_refuses_duplicate_stem_keys_and_unknown_types(project):
    same = [services.StemUpload(stem_type="drums", file=upload(tone(i * 50 + 100))) for i in range(2)]
    with pytest.raises(ValidationError, match="different names"):
        commit(project, stems=same)
    named = [
        services.StemUpload(stem_type="drums", name=n, file=upload(tone(i * 50 + 100))) for i, n in enumerate("ab")
    ]
    assert commit(project, stems=named).stems.count() == 2
    with pytest.raises(ValidationError, match="not a stem type"):
        commit(project, stems=[services.StemUpload(stem_type="kazoo", file=upload(tone(100)))])
    with pytest.raises(ValidationError, match="at least one stem"):
        commit(project, stems=[])


def test_commit_create_with_stale_expected_head_is_conflict(project):
    first = commit(project)
    commit(project)
    with pytest.raises(Conflict):
        commit(project, expected_head=first.content_hash[:10])
    with pytest.raises(Conflict):
        commit(project, branch="new", expected_head=str(first.pk))


def test_commit_create_new_branch_starts_at_default_head_or_start_point(project):
    root = commit(project)
    tip = commit(project)
    feature = commit(project, branch="feature/x")
    assert list(feature.parents.all()) == [tip]
    other = commit(project, branch="other", start_point=root.short_hash)
    assert list(other.parents.all()) == [root]


def test_commit_create_refuses_start_point_from_another_project(project):
    foreign = commit(ProjectFactory())
    with pytest.raises(ValidationError, match="No commit"):
        commit(project, branch="x", start_point=str(foreign.pk))


def test_commit_create_needs_contributor_role(project):
    viewer = UserFactory()
    CollaboratorFactory(project=project, user=viewer, role=CollaboratorRole.VIEWER)
    with pytest.raises(PermissionDenied):
        services.commit_create(project=project, author=viewer, branch="main", stems=stems_for(), actor=viewer)


def test_commit_is_immutable_in_the_database(project):
    written = commit(project)
    with pytest.raises(ProgrammingError), transaction.atomic():
        Commit.objects.filter(pk=written.pk).update(message="rewritten")
    with pytest.raises(ProgrammingError), transaction.atomic():
        Stem.objects.filter(commit=written).update(name="x")
    Commit.objects.filter(pk=written.pk).update(author=None)  # the author may go away
    assert Commit.objects.get(pk=written.pk).author is None


def test_commit_parent_links_refuse_a_third_parent_and_self(project):
    a, b = commit(project), commit(project)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitParent.objects.create(commit=b, parent=b, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitParent.objects.create(commit=b, parent=a, position=2)


def test_commit_log_is_one_query_newest_first(project, django_assert_num_queries):
    commits = [commit(project) for _ in range(4)]
    with django_assert_num_queries(1):
        log = list(services.commit_log(head=commits[-1]))
    assert [c["id"] for c in log] == [c.pk for c in reversed(commits)]
    assert log[0]["parent_id_list"] == [commits[-2].pk]
    assert log[0]["author__username"] == project.owner.username
    assert [c["id"] for c in services.commit_log(head=commits[-1], limit=2)] == [commits[3].pk, commits[2].pk]


def test_commit_log_first_parent_skips_merged_side(project):
    base = commit(project)
    side = commit(project, branch="side")
    main = commit(project)
    merged = services.merge(
        project=project,
        source="side",
        target="main",
        actor=project.owner,
        resolutions={"drums": "ours", "bass": "theirs"},
    ).commit
    full = {c["id"] for c in services.commit_log(head=merged)}
    assert full == {merged.pk, main.pk, side.pk, base.pk}
    first = [c["id"] for c in services.commit_log(head=merged, first_parent=True)]
    assert first == [merged.pk, main.pk, base.pk]
    walked = [c["id"] for c in services.commit_log_walk(head=merged)]
    assert walked == [c["id"] for c in services.commit_log(head=merged)]


def test_commit_diff_lists_added_removed_changed_and_metadata(project):
    old = commit(project, stems=stems_for(1, types=("drums", "bass")), bpm=90, message="one")
    new = commit(project, stems=stems_for(2, types=("drums", "vocals")), bpm=100, key_signature="C", inherit=False)
    diff = services.commit_diff(old=old, new=new)
    assert [s["key"] for s in diff["added"]] == ["vocals"]
    assert [s["key"] for s in diff["removed"]] == ["bass"]
    assert [s["key"] for s in diff["changed"]] == ["drums"]
    assert diff["metadata"]["bpm"] == {"old": 90, "new": 100}
    assert "key_signature" in diff["metadata"] and "message" in diff["metadata"]


def test_merge_base_of_diverged_branches(project):
    base = commit(project)
    a = commit(project)
    b = commit(project, branch="b", start_point=str(base.pk))
    assert services.merge_base(a=a, b=b) == base
    assert services.merge_base(a=a, b=base) == base
    assert services.merge_base(a=a, b=commit(ProjectFactory())) is None


def test_merge_fast_forwards_when_target_is_ancestor(project):
    commit(project)
    ahead = commit(project, branch="feature")
    result = services.merge(project=project, source="feature", target="main", actor=project.owner)
    assert result.fast_forward and result.commit == ahead
    assert Branch.objects.get(project=project, name="main").head == ahead
    again = services.merge(project=project, source="feature", target="main", actor=project.owner)
    assert again.up_to_date


def test_merge_takes_each_sides_changes_and_lists_conflicts(project):
    base = commit(project, stems=stems_for(10, types=("drums", "bass", "vocals")))
    theirs = commit(project, branch="f", stems=[*stems_for(11, types=("drums",)), *_keep(base, "bass", "vocals")])
    ours = commit(project, stems=[*_keep(base, "drums"), *stems_for(12, types=("bass",)), *_keep(base, "vocals")])
    merged = services.merge(project=project, source="f", target="main", actor=project.owner).commit
    assert list(merged.parents.all().order_by("child_links__position")) == [ours, theirs]
    by_key = {s.key: s.blob_id for s in merged.stems.all()}
    assert by_key["drums"] == theirs.stems.get(stem_type="drums").blob_id
    assert by_key["bass"] == ours.stems.get(stem_type="bass").blob_id
    # Both change the drums now: a conflict, unless a side is chosen.
    commit(project, branch="f", stems=stems_for(13, types=("drums",)))
    commit(project, stems=stems_for(14, types=("drums",)))
    with pytest.raises(services.MergeConflict) as conflict:
        services.merge(project=project, source="f", target="main", actor=project.owner)
    assert [c["key"] for c in conflict.value.conflicts] == ["drums"]
    resolved = services.merge(
        project=project, source="f", target="main", actor=project.owner, resolutions={"drums": "theirs"}
    ).commit
    assert (
        resolved.stems.get(stem_type="drums").blob
        == Branch.objects.get(name="f", project=project).head.stems.get(stem_type="drums").blob
    )


def _keep(commit_, *types):
    out = []
    for stem in commit_.stems.filter(stem_type__in=types).select_related("blob"):
        with stem.blob.file.open("rb") as handle:
            out.append(services.StemUpload(stem_type=stem.stem_type, file=upload(handle.read())))
    return out


def test_merge_refuses_unrelated_histories(project):
    commit(project)
    commit(project, branch="orphan", start_point=None)  # starts at main's head: related
    Branch.objects.create(project=project, name="island", head=commit(ProjectFactory()))
    with pytest.raises(ValidationError, match="unrelated"):
        services.merge(project=project, source="island", target="main", actor=project.owner)


def test_merge_needs_maintainer(project):
    commit(project)
    commit(project, branch="f")
    contributor = UserFactory()
    CollaboratorFactory(project=project, user=contributor, role=CollaboratorRole.CONTRIBUTOR)
    with pytest.raises(PermissionDenied):
        services.merge(project=project, source="f", target="main", actor=contributor)


def test_branch_move_is_compare_and_swap(project):
    first = commit(project)
    second = commit(project)
    branch = Branch.objects.get(project=project, name="main")
    with pytest.raises(Conflict):
        services.branch_move(branch=branch, actor=project.owner, head=first, expected_head=str(first.pk))
    moved = services.branch_move(branch=branch, actor=project.owner, head=first, expected_head=str(second.pk))
    assert moved.head == first


@pytest.mark.django_db(transaction=True)
def test_concurrent_commits_on_one_branch_one_wins_the_other_is_conflict():
    project = ProjectFactory()
    commit(project)
    stems = [stems_for(100 + i) for i in range(2)]
    results = run_concurrently(*[lambda s=s: commit(project, stems=s) for s in stems])
    assert sum(isinstance(r, Commit) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    head = Branch.objects.get(project=project, name="main").head
    assert head.pk in {r.pk for r in results if isinstance(r, Commit)}
    assert Commit.objects.filter(project=project).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_commits_of_the_same_new_file_store_one_blob():
    projects = [ProjectFactory() for _ in range(4)]
    data = tone(523.25, seconds=0.5)

    def work(p):
        return lambda: commit(p, stems=[services.StemUpload(stem_type="melody", file=upload(data))])

    results = run_concurrently(*[work(p) for p in projects])
    assert all(isinstance(r, Commit) for r in results), results
    assert Blob.objects.count() == 1
    assert len({r.stems.get().blob_id for r in results}) == 1


def test_fork_points_branches_at_the_same_commits_without_copying_blobs(project):
    head = commit(project)
    commit(project, branch="feature")
    project.is_public = True
    project.save()
    forker = UserFactory()
    blobs = Blob.objects.count()
    fork = services.project_fork(project=project, owner=forker, name="My fork")
    assert fork.owner == forker and fork.forked_from == head
    assert dict(fork.branches.values_list("name", "head")) == dict(project.branches.values_list("name", "head"))
    assert Blob.objects.count() == blobs
    # The fork commits on top of the source's commits.
    child = services.commit_create(project=fork, author=forker, branch="main", stems=stems_for(), actor=forker)
    assert list(child.parents.all()) == [head]
    # A private project cannot be forked by a stranger.
    private = ProjectFactory()
    with pytest.raises(PermissionDenied):
        services.project_fork(project=private, owner=forker)


def test_project_names_are_unique_per_owner_ignoring_case(project):
    with pytest.raises(ValidationError):
        services.project_create(owner=project.owner, name=project.name.upper())
    project.delete()
    assert services.project_create(owner=project.owner, name=project.name.upper()).pk
    assert Project.all_objects.filter(owner=project.owner).count() == 2


def test_project_create_puts_a_project_in_someone_elses_name_for_superusers_only():
    staff, other = UserFactory(staff=True), UserFactory()
    with pytest.raises(PermissionDenied, match="your own name"):
        services.project_create(owner=other, name="Not mine", actor=staff)
    assert not Project.objects.filter(owner=other).exists()
    assert services.project_create(owner=staff, name="Mine", actor=staff).owner == staff
    assert services.project_create(owner=other, name="Theirs", actor=UserFactory(superuser=True)).owner == other


def test_collaborators_managed_by_owners_and_owner_stays(project):
    maintainer = UserFactory()
    services.collaborator_set(project=project, actor=project.owner, user=maintainer, role="maintainer")
    with pytest.raises(PermissionDenied):
        services.collaborator_set(project=project, actor=maintainer, user=UserFactory(), role="viewer")
    with pytest.raises(ValidationError):
        services.collaborator_set(project=project, actor=project.owner, user=project.owner, role="viewer")
    row = services.collaborator_set(project=project, actor=project.owner, user=maintainer, role="viewer")
    assert row.role == "viewer"
    with pytest.raises(ValidationError):
        services.collaborator_remove(collaborator=project.memberships.get(user=project.owner), actor=project.owner)
    services.collaborator_remove(collaborator=row, actor=project.owner)
    assert not project.memberships.filter(user=maintainer).exists()


def test_visibility_private_project_only_for_collaborators_and_staff(project):
    stranger, viewer, staff = UserFactory(), UserFactory(), UserFactory(superuser=True)
    CollaboratorFactory(project=project, user=viewer, role=CollaboratorRole.VIEWER)
    first = commit(project)
    assert not Project.objects.visible_to(stranger).exists()
    assert not Commit.objects.visible_to(stranger).exists()
    assert Commit.objects.visible_to(viewer).get() == first
    assert Project.objects.visible_to(staff).filter(pk=project.pk).exists()
    assert not Blob.objects.visible_to(stranger).exists()
    assert Blob.objects.visible_to(viewer).count() == 2
    project.is_public = True
    project.save()
    assert Project.objects.visible_to(stranger).get() == project
    assert not Project.objects.with_action(stranger, "commit").exists()
    with connection.cursor():
        pass
