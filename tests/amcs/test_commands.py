"""``validate_sds`` and ``import_sds``: errors with file and pointer, exit status 1 on any invalid file."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amcs.models import Song


@pytest.fixture
def files(tmp_path, elf):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(elf))
    elf["style"]["tempo_bpm"] = [116, 300]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(elf))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    return good, bad, broken


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.django_db
class TestValidateSds:
    def test_valid_file_exits_zero(self, files):
        status, out, _ = run("validate_sds", str(files[0]))
        assert status == 0 and "good.json: valid" in out

    def test_invalid_files_exit_one_with_file_and_pointer(self, files, tmp_path):
        status, out, err = run("validate_sds", *map(str, files), str(tmp_path / "missing.json"))
        assert status == 1
        assert f"{files[1]}: /style/tempo_bpm/1:" in err
        assert f"{files[2]}: /: not JSON" in err
        assert "missing.json: /: cannot read the file" in err
        assert "good.json: valid" in out

    def test_tenant_checks_references(self, files, tenant):
        status, _, err = run("validate_sds", str(files[0]), "--tenant", tenant.slug)
        assert status == 1 and "/blueprint_ref: This tenant has no blueprint Christmas Pop 2025.11." in err

    def test_unknown_tenant(self, files):
        with pytest.raises(CommandError, match="No tenant"):
            call_command("validate_sds", str(files[0]), "--tenant", "nope")


@pytest.mark.django_db
class TestImportSds:
    def test_imports_valid_files_and_reports_invalid_ones(self, files, tenant, member, christmas_blueprint):
        status, out, err = run("import_sds", *map(str, files), "--tenant", tenant.slug, "--owner", member.username)
        assert status == 1
        assert "good.json: imported song" in out
        assert f"{files[1]}: /style/tempo_bpm/1:" in err
        assert Song.objects.filter(tenant=tenant, title="Elf On Overtime").count() == 1

    def test_all_valid_exits_zero(self, files, tenant, member, christmas_blueprint):
        assert run("import_sds", str(files[0]), "--tenant", tenant.slug, "--owner", member.username)[0] == 0

    def test_rule_error_from_the_tenant_is_reported(self, files, tenant, member):
        status, _, err = run("import_sds", str(files[0]), "--tenant", tenant.slug, "--owner", member.username)
        assert status == 1 and "/blueprint_ref" in err

    def test_unknown_owner(self, files, tenant):
        with pytest.raises(CommandError, match="No user"):
            call_command("import_sds", str(files[0]), "--tenant", tenant.slug, "--owner", "nobody")


@pytest.mark.django_db
class TestImportAmcs:
    @pytest.fixture
    def folder(self, tmp_path, elf):
        """A reference library: a blueprint, a persona with its reference id, a source, the SDS that uses them
        (named so that it sorts first), and a file that fits no schema."""
        library = tmp_path / "library"
        (library / "nested").mkdir(parents=True)
        persona_ref = "0b8f3c2e-1111-4222-8333-944455556666"
        blueprint = {
            "genre": "Christmas Pop",
            "version": "2025.11",
            "rules": {"tempo_bpm": [100, 130], "required_sections": ["Verse", "Chorus", "Bridge"]},
            "eval_rubric": {"weights": {"hook_density": 0.5, "singability": 0.3, "originality": 0.2}},
        }
        persona = {
            "id": persona_ref,
            "name": "Jolly Jo",
            "kind": "artist",
            "delivery": ["whispered", "belting"],
        }
        source = dict(elf["sources"][0])
        elf["persona_id"] = persona_ref
        elf["id"] = "sds-ref-1"
        (library / "a_song.json").write_text(json.dumps(elf))
        (library / "nested" / "z_blueprint.json").write_text(json.dumps(blueprint))
        (library / "persona.json").write_text(json.dumps(persona))
        (library / "source.json").write_text(json.dumps(source))
        (library / "notes.txt").write_text("not a document")
        return library

    def test_folder_imports_in_dependency_order_with_a_summary(self, folder, tenant, member):
        status, out, err = run("import_amcs", str(folder), "--tenant", tenant.slug, "--owner", member.username)
        assert status == 0, err
        song = Song.objects.get(tenant=tenant)
        assert song.external_ref == "sds-ref-1" and song.persona.name == "Jolly Jo"
        assert "1 blueprint created" in out and "1 persona created" in out and "1 sds created" in out
        assert "1 source created" in out and "1 warning(s)" in out and "0 failed" in out
        assert "persona.json: warning: /delivery:" in out
        status, out, _ = run(
            "import_amcs", str(folder / "persona.json"), "--tenant", tenant.slug, "--owner", member.username
        )
        assert status == 0 and "1 persona unchanged" in out

    def test_bad_files_are_reported_with_pointer_and_the_rest_imported(self, folder, tenant, member):
        (folder / "bad.json").write_text(json.dumps({"name": "X", "kind": "artist", "policy": {"loud": True}}))
        (folder / "broken.json").write_text("{")
        status, out, err = run("import_amcs", str(folder), "--tenant", tenant.slug, "--owner", member.username)
        assert status == 1
        assert "bad.json: /policy/loud: Unknown field 'loud'" in err
        assert "broken.json: /: not JSON" in err
        assert "2 failed" in out and Song.objects.filter(tenant=tenant).count() == 1

    def test_reference_persona_ids_map_by_name(self, tmp_path, elf, tenant, member, christmas_blueprint):
        from tests.amcs.factories import PersonaFactory

        persona = PersonaFactory(tenant=tenant, owner=member, name="Mapped")
        elf["persona_id"] = "7c2d9e10-2222-4333-8444-a55566667777"
        path = tmp_path / "song.json"
        path.write_text(json.dumps(elf))
        args = ("import_amcs", str(path), "--tenant", tenant.slug, "--owner", member.username)
        status, _, err = run(*args)
        assert (
            status == 1
            and "/persona_id: This tenant has no persona with id 7c2d9e10-2222-4333-8444-a55566667777" in err
        )
        assert run(*args, "--map-persona", "7c2d9e10-2222-4333-8444-a55566667777=mapped")[0] == 0
        assert Song.objects.get(tenant=tenant).persona == persona
        with pytest.raises(CommandError, match="REFERENCE_ID=NAME"):
            call_command(*args, "--map-persona", "nonsense")

    def test_lyrics_documents_need_a_song(self, tmp_path, elf, tenant, member):
        from tests.amcs.factories import SongFactory

        path = tmp_path / "lyrics.json"
        path.write_text(json.dumps(elf["producer_notes"]))
        status, _, err = run("import_amcs", str(path), "--tenant", tenant.slug, "--owner", member.username)
        assert status == 1 and "belongs to a song" in err
        song = SongFactory(tenant=tenant, owner=member, parts=False, target_duration_sec=None)
        args = ("import_amcs", str(path), "--tenant", tenant.slug, "--owner", member.username, "--song", str(song.pk))
        assert run(*args)[0] == 0
        assert song.producer_notes.get().structure_string == elf["producer_notes"]["structure"]
