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
