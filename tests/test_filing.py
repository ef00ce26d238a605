"""Filing a remark: the form, its bad inputs, pending uploads, double submits, similar remarks."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image

from remarks.forms import RemarkForm
from remarks.models import Attachment, DraftUpload, Remark
from remarks.workflow import Status

NEW = reverse("remarks:new")
# Exact query counts of each page, so that an added query per page shows up; a change of
# the code that changes a count changes the number here, on purpose.
SIMILAR_REMARKS_QUERIES = 2  # on PostgreSQL one more: the title's word forms among the written words


@pytest.fixture(autouse=True)
def _media_and_language(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"


def png(name="screenshot.png", size=(8, 8)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf(name="letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                              content_type="application/pdf")


def form_data(world, **overrides) -> dict:
    data = {
        "kind": "remark",
        "title": "Police certificate is not issued on the portal",
        "description": "The request hangs in the status 'processing' for a week.",
        "category": world.egov.pk,
        "service": world.portal.pk,
        "affected_url": "https://egov.kz/services/P1.01",
        "language": "ru",
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


@pytest.fixture
def alice(client_for, author):
    return client_for(author)


# --- the happy path ------------------------------------------------------------------


def test_commissioner_files_a_remark_and_gets_a_receipt(alice, world, author):
    response = alice.post(NEW, form_data(world, attachments=[png()]), follow=True)
    remark = Remark.objects.get(author=author)
    assert response.redirect_chain[-1][0] == remark.get_absolute_url()
    page = response.content.decode()
    assert f"Your remark is registered as {remark.reference}" in page
    assert "NIT JSC" in page  # the owner of the service is proposed as the executing agency
    assert remark.proposed_agency == world.nit
    assert remark.attachments.get().original_name == "screenshot.png"


def test_the_form_page_offers_every_field(alice):
    page = alice.get(NEW).content.decode()
    for name in ("kind", "title", "description", "category", "service", "affected_url", "attachments",
                 "submission_token"):
        assert f'name="{name}"' in page
    assert 'enctype="multipart/form-data"' in page


def test_a_double_click_files_one_remark_not_two(alice, world, author):
    data = form_data(world)
    first = alice.post(NEW, data)
    second = alice.post(NEW, data)
    assert Remark.objects.filter(author=author).count() == 1
    assert first["Location"] == second["Location"] == Remark.objects.get().get_absolute_url()


def test_only_commissioners_file_remarks(client_for, officer, world):
    response = client_for(officer).post(NEW, form_data(world))
    assert response.status_code == 403
    assert not Remark.objects.exists()


def test_a_crafted_post_without_a_token_still_files_once(alice, world):
    data = form_data(world)
    del data["submission_token"]
    assert alice.post(NEW, data).status_code == 302
    assert Remark.objects.count() == 1


# --- bad input: a clear message next to the field, nothing typed is lost --------------


def field_errors(response, name) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


def test_empty_fields_are_refused_and_the_rest_is_kept(alice, world):
    response = alice.post(NEW, form_data(world, title="", description="   "))
    assert response.status_code == 400
    assert field_errors(response, "title") and field_errors(response, "description")
    page = response.content.decode()
    assert "https://egov.kz/services/P1.01" in page
    assert "Nothing you typed is lost" in page
    assert not Remark.objects.exists()


def test_an_overlong_title_is_refused_and_kept_for_editing(alice, world):
    title = "Очередь " * 30  # 240 characters
    response = alice.post(NEW, form_data(world, title=title))
    assert response.status_code == 400
    assert "at most 200 characters" in field_errors(response, "title")[0]
    assert title.strip() in response.content.decode()


def test_an_overlong_description_is_refused(alice, world):
    response = alice.post(NEW, form_data(world, description="x" * 5001))
    assert "at most 5000 characters" in field_errors(response, "description")[0]


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://files.egov.kz/a", "JavaScript://%0aalert(1)",
                                  "data:text/html,hi"])
def test_a_link_that_is_not_http_is_refused(alice, world, link):
    response = alice.post(NEW, form_data(world, affected_url=link))
    assert response.status_code == 400
    assert "http:// or https://" in field_errors(response, "affected_url")[0]
    assert "Police certificate is not issued on the portal" in response.content.decode()
    assert not Remark.objects.exists()


def test_an_eleven_megabyte_file_is_refused(alice, world):
    big = SimpleUploadedFile("huge.png", b"\x89PNG\r\n\x1a\n" + b"0" * (11 * 1024 * 1024),
                             content_type="image/png")
    response = alice.post(NEW, form_data(world, attachments=[big]))
    assert response.status_code == 400
    message = field_errors(response, "attachments")[0]
    assert "huge.png" in message and "a file may be at most 10.0" in message
    assert not DraftUpload.objects.exists()


def test_a_program_renamed_to_png_is_refused(alice, world):
    program = SimpleUploadedFile("photo.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,
                                 content_type="image/png")
    response = alice.post(NEW, form_data(world, attachments=[program]))
    assert response.status_code == 400
    assert "is not a PNG, JPEG or PDF file" in field_errors(response, "attachments")[0]
    assert not Attachment.objects.exists() and not DraftUpload.objects.exists()


def test_a_sixth_file_is_refused_and_the_first_five_are_kept(alice, world):
    files = [png(f"shot{i}.png") for i in range(6)]
    response = alice.post(NEW, form_data(world, attachments=files))
    assert response.status_code == 400
    assert "at most 5 files" in field_errors(response, "attachments")[0]
    assert DraftUpload.objects.count() == 5
    assert not Remark.objects.exists()


def test_a_title_full_of_script_is_refused_and_shown_escaped(alice, world):
    title = "<script>alert('x')</script>" * 3
    response = alice.post(NEW, form_data(world, title=title))
    assert response.status_code == 400
    assert "cannot contain HTML markup" in field_errors(response, "title")[0]
    page = response.content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page


def test_markup_in_the_description_is_stored_as_text_and_rendered_escaped(alice, world):
    alice.post(NEW, form_data(world, description="<script>alert(1)</script><img src=x onerror=alert(2)>"))
    remark = Remark.objects.get()
    page = alice.get(remark.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_control_characters_are_refused(alice, world):
    response = alice.post(NEW, form_data(world, title="Bad\x00title"))
    assert "characters that are not allowed" in field_errors(response, "title")[0]


def test_the_form_class_refuses_bad_input_too(world):
    form = RemarkForm(form_data(world, title="", affected_url="javascript:alert(1)", category="999999"),
                      {"attachments": [png(), png(), png(), png(), png(), png()]})
    assert not form.is_valid()
    assert set(form.errors) == {"title", "affected_url", "category", "attachments"}
    assert len(form.valid_uploads()) == 5


def test_file_names_are_made_safe(alice, world):
    alice.post(NEW, form_data(world, attachments=[png("../../etc/<b>passwd</b>.exe.png")]))
    name = Attachment.objects.get().original_name
    assert "/" not in name and "<" not in name and name.endswith(".png")


# --- pending uploads: nothing attached is lost ------------------------------------------


def test_a_file_attached_to_a_form_with_errors_is_kept_and_filed_later(alice, world, author):
    data = form_data(world, title="")
    response = alice.post(NEW, {**data, "attachments": [png("queue.png"), pdf()]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "already attached: queue.png" in page and "already attached: letter.pdf" in page
    assert DraftUpload.objects.filter(user=author).count() == 2

    response = alice.post(NEW, {**data, "title": "Queue ticket is lost after payment"})
    remark = Remark.objects.get()
    assert response["Location"] == remark.get_absolute_url()
    assert sorted(remark.attachments.values_list("original_name", flat=True)) == ["letter.pdf", "queue.png"]
    assert not DraftUpload.objects.exists()


def test_a_kept_file_can_be_removed_before_filing(alice, world):
    data = form_data(world, title="")
    alice.post(NEW, {**data, "attachments": [png("wrong.png")]})
    kept = DraftUpload.objects.get()
    alice.post(NEW, {**data, "title": "A fine title for the remark", "drop_upload": [str(kept.pk)]})
    assert not Remark.objects.get().attachments.exists()


def test_kept_files_count_towards_the_limit(alice, world):
    data = form_data(world, title="")
    alice.post(NEW, {**data, "attachments": [png(f"a{i}.png") for i in range(4)]})
    response = alice.post(NEW, {**data, "attachments": [png("b1.png"), png("b2.png")]})
    assert "at most 5 files" in field_errors(response, "attachments")[0]
    assert DraftUpload.objects.count() == 5


def test_another_users_token_does_not_reach_their_kept_files(client_for, world, author, other_commissioner):
    data = form_data(world, title="")
    client_for(author).post(NEW, {**data, "attachments": [png("private.png")]})
    response = client_for(other_commissioner).post(NEW, {**data, "title": "Stealing the files of others"})
    assert response.status_code == 302
    assert not Remark.objects.get(author=other_commissioner).attachments.exists()
    assert DraftUpload.objects.filter(user=author).count() == 1


# --- similar remarks before the final submit -------------------------------------------


def test_similar_remarks_are_shown_before_filing_with_a_support_button(alice, world, submit,
                                                                       other_commissioner):
    existing = submit("Vehicle registration rejects the card payment", by=other_commissioner)
    data = form_data(world, title="Card payment rejected during vehicle registration",
                     category=world.vehicles.pk, service=world.registration.pk)
    response = alice.post(NEW, {**data, "attachments": [png("receipt.png")]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Similar remarks" in page and existing.reference in page
    assert reverse("remarks:support", args=[existing.reference]) in page
    assert 'name="confirm" value="1"' in page
    assert "already attached: receipt.png" in page
    assert Remark.objects.count() == 1

    response = alice.post(NEW, {**data, "confirm": "1"})
    mine = Remark.objects.exclude(pk=existing.pk).get()
    assert response["Location"] == mine.get_absolute_url()
    assert mine.attachments.get().original_name == "receipt.png"


def test_supporting_a_similar_remark_instead_of_filing(alice, world, submit, other_commissioner):
    existing = submit("Vehicle registration rejects the card payment", by=other_commissioner)
    response = alice.post(reverse("remarks:support", args=[existing.reference]))
    assert response["Location"] == existing.get_absolute_url()
    existing.refresh_from_db()
    assert existing.support_count == 1
    assert Remark.objects.count() == 1


def test_without_similar_remarks_the_remark_is_filed_at_once(alice, world, submit, other_commissioner):
    submit("Vehicle registration rejects the card payment", by=other_commissioner)
    response = alice.post(NEW, form_data(world))  # another sector, other words
    assert response.status_code == 302
    assert Remark.objects.count() == 2


def test_remarks_closed_long_ago_or_in_other_sectors_are_not_similar(alice, world, submit, remark_in,
                                                                    other_commissioner):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 1, 10, 10, tzinfo=dt.UTC), tick=False):
        old = remark_in(Status.WITHDRAWN, title="Vehicle registration rejects the card payment")
    submit("Vehicle registration rejects the card payment", by=other_commissioner, service=world.portal)
    data = form_data(world, title="Card payment rejected during vehicle registration",
                     category=world.vehicles.pk, service=world.registration.pk)
    response = alice.post(NEW, data)
    assert response.status_code == 302
    assert old.status == Status.WITHDRAWN


@pytest.mark.parametrize("count", [5, 60])
def test_similarity_is_found_by_the_database_in_fixed_queries(world, submit, author, other_commissioner,
                                                              count, django_assert_num_queries):
    from remarks.selectors import similar_remarks

    for i in range(count):
        submit(f"Vehicle registration problem number {i}", by=other_commissioner)
    submit("Unrelated portal slowness", by=other_commissioner)
    with django_assert_num_queries(SIMILAR_REMARKS_QUERIES + (connection.vendor == "postgresql")):
        found = list(similar_remarks(author, title="Vehicle registration problem", category=world.vehicles,
                                     service=world.registration))
    assert len(found) == 5
    assert all("registration" in r.title for r in found)
