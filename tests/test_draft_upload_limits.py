"""Files kept for forms that came back are capped per user, across all their unsent forms
(terms.DRAFT_UPLOADS_MAX_FILES and _MAX_BYTES): past the allowance the new files are refused
with a message on the form, and what was typed stays; other users' drafts do not count."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.base import ContentFile

from remarks import drafts, services, terms
from remarks.models import DraftUpload
from remarks.uploads import CheckedUpload
from tests.test_filing import NEW, field_errors, form_data, png


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def keep(user, count: int, *, size: int = 100, token=None) -> list[DraftUpload]:
    uploads = [CheckedUpload(ContentFile(b"x" * size, name=f"f{i}.png"), f"f{i}.png", "image/png", size)
               for i in range(count)]
    return drafts.draft_uploads_keep(user=user, token=token or uuid.uuid4(), uploads=uploads)


def test_the_allowance_is_ten_files_and_thirty_megabytes():
    assert (terms.DRAFT_UPLOADS_MAX_FILES, terms.DRAFT_UPLOADS_MAX_BYTES) == (10, 30 * 1024 * 1024)


def test_files_up_to_the_allowance_are_kept_across_forms(author):
    keep(author, 6)
    keep(author, 4)
    assert DraftUpload.objects.filter(user=author).count() == terms.DRAFT_UPLOADS_MAX_FILES


def test_one_file_past_the_count_refuses_the_whole_batch(author):
    keep(author, 8)
    with pytest.raises(services.TransitionError) as refused:
        keep(author, 3)
    assert refused.value.field == "attachments" and "at most 10" in refused.value.message
    assert DraftUpload.objects.filter(user=author).count() == 8


def test_bytes_past_the_allowance_are_refused(author, monkeypatch):
    monkeypatch.setattr(terms, "DRAFT_UPLOADS_MAX_BYTES", 1000)
    keep(author, 1, size=900)
    with pytest.raises(services.TransitionError):
        keep(author, 1, size=101)
    keep(author, 1, size=100)
    assert DraftUpload.objects.filter(user=author).count() == 2


def test_drafts_of_another_user_do_not_count(author, other_commissioner):
    keep(other_commissioner, terms.DRAFT_UPLOADS_MAX_FILES)
    assert len(keep(author, terms.DRAFT_UPLOADS_MAX_FILES)) == terms.DRAFT_UPLOADS_MAX_FILES


def test_form_past_the_allowance_says_so_and_keeps_what_was_typed(client_for, author, world):
    keep(author, terms.DRAFT_UPLOADS_MAX_FILES)
    data = form_data(world, title="", attachments=[png()])
    response = client_for(author).post(NEW, data)
    assert response.status_code == 400
    assert "These files were not kept" in " ".join(field_errors(response, "attachments"))
    assert response.context["form"]["description"].value() == data["description"]
    assert response.context["kept"] == []
    assert DraftUpload.objects.filter(user=author, token=data["submission_token"]).count() == 0
    assert DraftUpload.objects.filter(user=author).count() == terms.DRAFT_UPLOADS_MAX_FILES
