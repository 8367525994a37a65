"""Practitioner photos in a few widths: copies made at upload (WebP, next to the original in the
private folder), served by /practitioners/<id>/photo?w=..., only for public profiles, given to
templates as src/srcset, removed with the photo, and made for older photos by `flask portal photos`."""
from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from portal.models.practitioners import ProfileStatus
from portal.services.practitioners import documents, questionnaire, verification
from portal.views.practitioners.directory import photo_sources
from tests import factories
from tests.factories import stored_path

WIDTHS = (96, 240, 480)


def image_bytes(width: int, height: int, kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, kind)
    return out.getvalue()


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


def with_photo(profile, data: bytes, name: str = "me.png", content_type: str = "image/png"):
    verification.update_public_profile(profile.user, questionnaire.input_from(profile),
                                       {"photo": [factories.upload(data, name, content_type)]})
    return documents.photo_of(profile)


def copies(doc) -> dict[int, tuple[int, int]]:
    base = stored_path(documents.document_key(doc))
    found = {}
    for width in WIDTHS:
        path = f"{base}.w{width}.webp"
        if os.path.isfile(path):
            with Image.open(path) as image:
                assert image.format == "WEBP"
                found[width] = image.size
    return found


def test_copies_are_made_at_upload_and_served_by_width(app, client, sm):
    assert tuple(app.config["PHOTO_WIDTHS"]) == WIDTHS
    profile = factories.make_applicant(sm, stage=ProfileStatus.APPROVED)
    doc = with_photo(profile, image_bytes(1000, 800))
    assert copies(doc) == {96: (96, 77), 240: (240, 192), 480: (480, 384)}
    for width in WIDTHS:
        response = client.get(f"/practitioners/{profile.id}/photo?w={width}")
        assert response.status_code == 200 and response.mimetype == "image/webp"
        assert Image.open(io.BytesIO(response.data)).width == width
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for other in ("", "?w=123", "?w=x"):  # no such copy: the original
        response = client.get(f"/practitioners/{profile.id}/photo{other}")
        assert response.status_code == 200 and response.mimetype == "image/png"


def test_a_small_photo_is_not_enlarged_and_a_jpeg_works_too(app, sm):
    profile = factories.make_applicant(sm, stage=ProfileStatus.APPROVED)
    doc = with_photo(profile, image_bytes(200, 100, "JPEG"), "me.jpg", "image/jpeg")
    assert copies(doc) == {96: (96, 48), 240: (200, 100), 480: (200, 100)}


def test_the_copies_of_a_private_profile_stay_private(app, client, sm):
    draft = factories.make_applicant(sm, stage=ProfileStatus.DRAFT)
    verification.save_draft(draft.user, questionnaire.input_from(draft),
                            {"photo": [factories.upload(image_bytes(600, 600), "me.png", "image/png")]})
    doc = documents.photo_of(draft)
    assert set(copies(doc)) == set(WIDTHS)  # made, but nobody sees them
    for query in ("", "?w=240"):
        assert client.get(f"/practitioners/{draft.id}/photo{query}").status_code == 404


def test_src_and_srcset_for_templates(app, sm):
    profile = factories.make_applicant(sm, stage=ProfileStatus.APPROVED)
    doc = with_photo(profile, image_bytes(800, 800))
    with app.test_request_context():
        sources = photo_sources(profile)
        assert app.jinja_env.globals["profile_photo"] is photo_sources
    version = doc.storage_key[:8]
    base = f"/practitioners/{profile.id}/photo"
    assert sources.src == f"{base}?w=240&v={version}"
    assert sources.srcset == ", ".join(f"{base}?w={w}&v={version} {w}w" for w in WIDTHS)
    assert sources.original == f"{base}?v={version}"
    other = factories.make_applicant(sm, stage=ProfileStatus.APPROVED, first_name="Без", last_name="Фото")
    with app.test_request_context():
        assert photo_sources(other) is None


def test_a_new_photo_or_removing_it_deletes_the_old_copies(app, sm):
    profile = factories.make_applicant(sm, stage=ProfileStatus.APPROVED)
    old = with_photo(profile, image_bytes(500, 500))
    old_files = [stored_path(k) for k in documents.files_of(old)]
    assert len(old_files) == 1 + len(WIDTHS) and all(os.path.isfile(p) for p in old_files)
    new = with_photo(profile, image_bytes(300, 300))
    assert not any(os.path.exists(p) for p in old_files)
    new_files = [stored_path(k) for k in documents.files_of(new)]
    assert all(os.path.isfile(p) for p in new_files)
    verification.remove_document(profile.user, new.id)
    assert not any(os.path.exists(p) for p in new_files)


def test_unreadable_photo_is_kept_without_copies(app, client, sm):
    profile = factories.make_applicant(sm, stage=ProfileStatus.APPROVED)
    doc = with_photo(profile, factories.PNG_BYTES)  # a PNG signature and nothing else
    assert copies(doc) == {}
    response = client.get(f"/practitioners/{profile.id}/photo?w=240")
    assert response.status_code == 200 and response.data == factories.PNG_BYTES


def test_the_backfill_command_makes_missing_copies(app, sm):
    profile = factories.make_applicant(sm, stage=ProfileStatus.APPROVED)
    doc = with_photo(profile, image_bytes(640, 480))
    broken = factories.make_applicant(sm, stage=ProfileStatus.APPROVED, first_name="Битый")
    with_photo(broken, factories.PNG_BYTES)
    for key in documents.files_of(doc)[1:]:
        os.remove(stored_path(key))
    assert copies(doc) == {}
    result = app.test_cli_runner().invoke(args=["portal", "photos"])
    assert result.exit_code == 0, result.output
    assert "2 photos lacked copies" in result.output and "3 copies written" in result.output
    assert "1 photos could not be read" in result.output
    assert copies(doc) == {96: (96, 72), 240: (240, 180), 480: (480, 360)}
