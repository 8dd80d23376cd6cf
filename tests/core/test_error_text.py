"""No message a user reads carries a Python repr, class or traceback: API refusals (core's exception handler puts
every message through ``core.api.parsers.safe_text``) and stored error texts (``core.services.public_error_text``).
The schema fuzz test scans every 4xx it provokes for the same (``tests/core/test_schema_fuzz.py``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from audio_vcs import services as audio_services
from audio_vcs import tasks as audio_tasks
from audio_vcs.choices import ExportStatus
from core.api.exceptions import exception_handler
from core.services import public_error_text, without_reprs
from core.testing import PYTHON_TEXT
from tests.audio_vcs.audio import upload
from tests.audio_vcs.factories import ExportJobFactory, ProjectFactory

DECODER_SAYS = "Error opening <_io.BytesIO object at 0x7fa9c0d1e2f0>: Format not recognised."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (DECODER_SAYS, "Error opening the file: Format not recognised."),
        ("expected <class 'int'>", "expected a value"),
        ("a <b> tag stays", "a <b> tag stays"),
    ],
)
def test_reprs_are_put_in_words(text, expected):
    assert without_reprs(text) == expected


def test_a_failure_that_says_nothing_is_named_in_words():
    assert public_error_text(ValueError()) == "Value error"
    assert public_error_text(RuntimeError(DECODER_SAYS + "\nTraceback (most recent call last):")) == (
        "Error opening the file: Format not recognised."
    )


def test_the_api_never_echoes_a_repr_a_service_let_through():
    response = exception_handler(ValidationError({"stems": [DECODER_SAYS]}), {})
    assert response.status_code == 400
    assert response.data["message"] == "stems: Error opening the file: Format not recognised."
    assert not PYTHON_TEXT.search(str(response.data))


@pytest.mark.django_db
def test_a_failed_export_records_what_went_wrong_without_a_repr(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    job = ExportJobFactory()

    def undecodable(**kwargs):
        raise RuntimeError(DECODER_SAYS)

    monkeypatch.setattr(audio_services.studio, "composition_midi", undecodable)
    assert audio_tasks.run_export_job(job_id=str(job.pk)) == ExportStatus.FAILED
    job.refresh_from_db()
    assert job.error == "Error opening the file: Format not recognised."


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "name"), [(b"not audio at all", "notes.txt"), (b"", "empty.wav")])
def test_a_stem_that_is_not_audio_is_a_400_naming_the_file(settings, tmp_path, content, name):
    settings.MEDIA_ROOT = str(tmp_path)
    project = ProjectFactory()
    client = APIClient()
    client.force_authenticate(project.owner)
    response = client.post(
        reverse("audio_vcs-api:project-commits", args=[project.pk]),
        {"drums": upload(content, name)},
        format="multipart",
    )
    assert response.status_code == 400, response.content[:300]
    assert name in response.json()["message"]
    assert not PYTHON_TEXT.search(response.content.decode())
