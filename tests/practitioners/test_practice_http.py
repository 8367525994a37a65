"""'My practice' through the HTTP client, as a real applicant: the
questionnaire (draft, errors that keep the input, what each category
requires), documents (type by content, private downloads, removal with a
confirmation), submitting, the status page with the quiz link, interview and
notices, the public photo, and a verified practitioner's edits."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import select

from portal.core.extensions import db
from portal.models.practitioners import DocumentKind, PractitionerProfile, ProfileDocument, ProfileStatus
from portal.services.practitioners import decisions
from tests import factories
from tests.factories import make_profile, make_user

MULTIPART = "multipart/form-data"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4 a licence copy\n%%EOF"


def tr(app, message, **params) -> str:
    """``message`` as an English-speaking user sees it in a page (HTML-escaped)."""
    with app.test_request_context(), force_locale("en"):
        return str(escape(str(_l(message, **params))))


def _text(response) -> str:
    return response.get_data(as_text=True)


def _uid() -> str:
    return factories.unique_email("p").split("@")[0]


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


@pytest.fixture
def applicant(sm):
    """A client who reads English pages (assertions use the English source strings)."""
    return make_user(sm, ("Client",), locale="en", first_name="Applicant", last_name=_uid())


def _answers(category="advocate", action="draft", **changes) -> dict:
    cat = factories.category(category)
    data = {
        "category_id": str(cat.id), "licence_number": "LIC-2015-77", "licence_date": "2015-03-01",
        "licensor": "Ministry of Justice", "chamber": "Almaty City Collegium of Advocates",
        "membership_id": "M-1234", "region_ids": [str(factories.region("KZ-75").id)],
        "specialization_ids": [str(cat.specializations[0].id)] if cat.specializations else [],
        "languages": ["kk", "ru"], "experience_years": "8", "education_ru": "КазНУ, юрфак",
        "about_ru": "Адвокат по семейным спорам.", "price_from": "15000", "online_consultation": "y",
        "city": "Алматы", "action": action,
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _post(client, url, data, **files):
    """POST the form with files: ``photo=("me.jpg", JPEG)``, ``licence=[("l.pdf", PDF)]``."""
    payload = dict(data)
    for kind, items in files.items():
        items = items if isinstance(items, list) else [items]
        payload[kind] = [(io.BytesIO(content), name) for name, content in items]
    return client.post(url, data=payload, content_type=MULTIPART)


def _profile_of(user) -> PractitionerProfile | None:
    db.session.expire_all()
    return db.session.scalars(select(PractitionerProfile).where(PractitionerProfile.user_id == user.id)).first()


def _documents(profile, kind=None) -> list[ProfileDocument]:
    db.session.expire_all()
    stmt = select(ProfileDocument).where(ProfileDocument.profile_id == profile.id)
    if kind:
        stmt = stmt.where(ProfileDocument.kind == kind)
    return list(db.session.scalars(stmt))


def _complete_application(client, user, category="advocate", photo=True):
    """Apply with everything an advocate needs (licence copy, photo) and return the draft."""
    files = {"licence": ("licence.pdf", PDF)}
    if photo:
        files["photo"] = ("me.jpg", JPEG)
    response = _post(client, "/practice/apply", _answers(category), **files)
    assert response.status_code == 302, _text(response)
    return _profile_of(user)


def _approve_directly(profile):
    """Skip quiz and interview (tested in the service tests): a verified profile."""
    profile.status = ProfileStatus.APPROVED
    profile.verified_since = dt.datetime(2026, 2, 1)
    db.session.commit()


# --- the start ---------------------------------------------------------------------------


def test_my_practice_without_a_profile_invites_to_apply(app, client, login_as, applicant):
    login_as(applicant)
    page = _text(client.get("/practice/"))
    assert tr(app, "Become a verified practitioner") in page
    assert tr(app, "Start application") in page
    assert 'href="/practice/apply"' in page
    account = _text(client.get("/account/"))
    assert tr(app, "Become a practitioner") in account


def test_anonymous_and_staff_do_not_reach_my_practice(client, login_as, sm):
    assert client.get("/practice/").status_code in (302, 401, 403)
    moderator = make_user(sm, ("Moderator",), locale="en")
    login_as(moderator)
    response = client.get("/practice/apply")
    assert response.status_code in (302, 403)
    assert _profile_of(moderator) is None


# --- the questionnaire ---------------------------------------------------------------------


def test_draft_is_saved_and_prefilled(app, client, login_as, applicant):
    login_as(applicant)
    response = _post(client, "/practice/apply", _answers(licence_number="", about_ru="Черновик анкеты."))
    assert response.status_code == 302 and response.headers["Location"].endswith("/practice/apply")
    profile = _profile_of(applicant)
    assert profile.status == ProfileStatus.DRAFT
    assert profile.about_ru == "Черновик анкеты." and profile.licence_number == ""
    assert profile.language_codes == ["kk", "ru"] and profile.price_from == 15000
    assert [r.code for r in profile.regions] == ["KZ-75"]

    page = _text(client.get("/practice/apply"))
    assert "Черновик анкеты.</textarea>" in page
    assert 'value="M-1234"' in page
    assert tr(app, "Enter the licence number.") in page  # the "still missing" list
    # the status page says it is a draft and lists what is missing
    status = _text(client.get("/practice/"))
    assert tr(app, "Draft") in status
    assert tr(app, "Enter the licence number.") in status
    assert tr(app, "Upload a copy of your licence.") in status


def test_format_error_keeps_everything_typed_and_saves_nothing(app, client, login_as, applicant):
    login_as(applicant)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = _post(client, "/practice/apply", _answers(licence_date=future, about_ru="Мой текст о практике."))
    assert response.status_code == 200
    page = _text(response)
    assert tr(app, "The licence date cannot be in the future.") in page
    assert "Мой текст о практике.</textarea>" in page
    assert f'value="{future}"' in page and 'value="LIC-2015-77"' in page
    assert _profile_of(applicant) is None

    response = _post(client, "/practice/apply", _answers(price_from="a lot", about_ru="Второй текст."))
    assert response.status_code == 200
    page = _text(response)
    assert tr(app, "Enter the amount in tenge as digits, for example 70 000.") in page
    assert 'value="a lot"' in page and "Второй текст.</textarea>" in page
    assert _profile_of(applicant) is None


def test_specializations_of_another_category_are_refused(app, client, login_as, applicant):
    login_as(applicant)
    notary_spec = factories.category("notary").specializations[0]
    response = _post(client, "/practice/apply", _answers("advocate", specialization_ids=[str(notary_spec.id)]))
    assert response.status_code == 200
    assert tr(app, "Choose specializations of the selected category.") in _text(response)
    assert _profile_of(applicant) is None


def test_submit_reports_what_each_category_requires(app, client, login_as, applicant):
    login_as(applicant)
    # an advocate without licence data, membership, regions or a licence copy
    response = _post(client, "/practice/apply", _answers(
        "advocate", action="submit", licence_number="", licensor="", membership_id="", region_ids=None,
        about_ru="Текст остаётся."))
    assert response.status_code == 200
    page = _text(response)
    for message in ("Enter the licence number.", "Enter who issued the licence.",
                    "Enter your membership number in the chamber or collegium.",
                    "Choose at least one region you serve.", "Upload a copy of your licence."):
        assert tr(app, message) in page
    assert tr(app, "Your draft was saved, but it cannot be submitted yet. Still missing:") in page
    assert "Текст остаётся.</textarea>" in page
    profile = _profile_of(applicant)
    assert profile.status == ProfileStatus.DRAFT and profile.about_ru == "Текст остаётся."
    # the asterisk follows the category: an advocate needs a membership number
    assert 'for="membership_id">' + tr(app, "Membership number") + '<span class="required-mark"' in page

    # a legal consultant needs neither licence nor chamber: only regions, languages and "about"
    response = _post(client, "/practice/apply", _answers(
        "consultant", action="submit", licence_number="", licensor="", licence_date="", chamber="",
        membership_id="", region_ids=None))
    page = _text(response)
    assert tr(app, "Choose at least one region you serve.") in page
    assert tr(app, "Enter the licence number.") not in page
    assert tr(app, "Upload a copy of your licence.") not in page
    assert 'for="membership_id">' + tr(app, "Membership number") + "</label>" in page
    assert _profile_of(applicant).category.code == "consultant"  # the category may change in a draft

    response = _post(client, "/practice/apply", _answers(
        "consultant", action="submit", licence_number="", licensor="", licence_date="", chamber="",
        membership_id=""))
    assert response.status_code == 302
    assert _profile_of(applicant).status == ProfileStatus.SUBMITTED


# --- documents ------------------------------------------------------------------------------------


def test_photo_and_licence_are_stored_and_a_fake_pdf_is_refused(app, client, login_as, applicant):
    login_as(applicant)
    profile = _complete_application(client, applicant)
    assert [d.content_type for d in _documents(profile, DocumentKind.PHOTO)] == ["image/jpeg"]
    assert [d.original_name for d in _documents(profile, DocumentKind.LICENCE)] == ["licence.pdf"]

    # a text file named .pdf: refused by its content, nothing saved, typed text kept
    response = _post(client, "/practice/apply", _answers(about_ru="Новый текст."),
                     other=("notes.pdf", b"just some text, not a PDF"))
    assert response.status_code == 200
    page = _text(response)
    assert tr(app, "The file %(name)s is not a PDF, JPEG or PNG file.", name="notes.pdf") in page
    assert tr(app, "Your files were not saved: please choose them again before saving.") in page
    assert "Новый текст.</textarea>" in page
    assert _documents(profile, DocumentKind.OTHER) == []
    assert _profile_of(applicant).about_ru == "Адвокат по семейным спорам."

    # the photo must be an image
    response = _post(client, "/practice/apply", _answers(), photo=("me.pdf", PDF))
    assert tr(app, "The photo must be a JPEG or PNG image.") in _text(response)
    # a new photo replaces the old one
    assert _post(client, "/practice/apply", _answers(), photo=("new.png", PNG)).status_code == 302
    assert [d.original_name for d in _documents(profile, DocumentKind.PHOTO)] == ["new.png"]


def test_own_document_download_and_removal_with_confirmation(app, client, login_as, applicant, sm):
    login_as(applicant)
    profile = _complete_application(client, applicant)
    _post(client, "/practice/apply", _answers(), other=("diploma.pdf", PDF))
    licence = _documents(profile, DocumentKind.LICENCE)[0]
    other = _documents(profile, DocumentKind.OTHER)[0]
    other_id = other.id

    response = client.get(f"/practice/documents/{licence.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "licence.pdf" in _text(client.get("/practice/"))

    # someone else: 404 for download, confirm page and removal
    stranger = make_user(sm, ("Client",), locale="en")
    login_as(stranger)
    assert client.get(f"/practice/documents/{licence.id}").status_code == 404
    assert client.get(f"/practice/documents/{other.id}/remove").status_code == 404
    assert client.post(f"/practice/documents/{other.id}/remove").status_code == 404
    assert client.get("/practice/documents/999999999").status_code == 404
    assert len(_documents(profile, DocumentKind.OTHER)) == 1

    login_as(applicant)
    confirm = client.get(f"/practice/documents/{other.id}/remove?next=apply")
    assert confirm.status_code == 200
    assert tr(app, "Remove this document?") in _text(confirm) and "diploma.pdf" in _text(confirm)
    assert len(_documents(profile, DocumentKind.OTHER)) == 1  # nothing happens before the POST
    response = client.post(f"/practice/documents/{other.id}/remove", data={"next": "apply"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/practice/apply")
    assert _documents(profile, DocumentKind.OTHER) == []
    assert client.get(f"/practice/documents/{other_id}").status_code == 404


# --- submitting and the status page ----------------------------------------------------------------


def test_submit_then_my_practice_shows_status_and_the_quiz_link(app, client, login_as, applicant):
    login_as(applicant)
    _complete_application(client, applicant)
    page = _text(client.get("/practice/"))
    assert 'action="/practice/submit"' in page  # complete: a submit button on the status page
    response = client.post("/practice/submit")
    assert response.status_code == 302 and response.headers["Location"].endswith("/practice/")
    profile = _profile_of(applicant)
    assert profile.status == ProfileStatus.SUBMITTED and profile.submitted_at is not None

    page = _text(client.get("/practice/"))
    assert tr(app, "Under review") in page
    assert tr(app, "Take the agreement quiz") in page
    assert 'href="/practice/quiz/"' in page
    # under review the questionnaire is closed
    response = client.get("/practice/apply")
    assert response.status_code == 302 and response.headers["Location"].endswith("/practice/")
    assert _post(client, "/practice/apply", _answers(about_ru="Поздно.")).status_code == 302
    assert _profile_of(applicant).about_ru == "Адвокат по семейным спорам."
    # a second submit is refused with a message
    client.post("/practice/submit")
    assert tr(app, "Your application has already been submitted.") in _text(client.get("/practice/"))


def test_my_practice_shows_the_interview_and_every_notice(app, client, login_as, sm):
    moderator = make_user(sm, ("Moderator",), locale="en")
    user = make_user(sm, ("Client",), locale="en", first_name="Interviewed", last_name=_uid())
    profile = make_profile(user, status=ProfileStatus.QUIZ_PASSED)
    when = dt.datetime.utcnow().replace(microsecond=0) + dt.timedelta(days=3)
    decisions.schedule_interview(moderator, profile.id, when, "phone")
    login_as(user)
    page = _text(client.get("/practice/"))
    assert tr(app, "Interview scheduled") in page
    assert tr(app, "By phone") in page and str(when.year) in page

    practitioner = make_user(sm, ("Client", "Practitioner"), locale="en", last_name=_uid())
    approved = make_profile(practitioner)
    decisions.warn(moderator, approved.id, "internal: three complaints", "First warning: answer clients.")
    decisions.warn(moderator, approved.id, "internal: again", "Second warning: be polite.")
    login_as(practitioner)
    page = _text(client.get("/practice/"))
    assert tr(app, "Warned") in page and tr(app, "Strict warning") in page
    assert page.index("Second warning: be polite.") < page.index("First warning: answer clients.")
    assert "internal: three complaints" not in page  # the reason stays with the staff
    assert f'href="/practitioners/{approved.id}"' in page and 'href="/practice/edit"' in page

    decisions.suspend(moderator, approved.id, "internal reason", "Suspended until the complaint is resolved.")
    page = _text(client.get("/practice/"))
    assert tr(app, "Suspended") in page and "Suspended until the complaint is resolved." in page
    decisions.revoke(moderator, approved.id, "internal reason")
    page = _text(client.get("/practice/"))
    assert tr(app, "You can apply again only if the moderators allow it.") in page
    decisions.allow_reapply(moderator, approved.id, "second chance")
    page = _text(client.get("/practice/"))
    assert tr(app, "Apply again") in page and 'href="/practice/apply"' in page


# --- the public photo and a verified practitioner's edits -----------------------------------------


def test_public_photo_only_for_public_profiles(app, client, login_as, applicant, sm):
    login_as(applicant)
    profile = _complete_application(client, applicant)
    client.post("/logout/")
    assert client.get(f"/practitioners/{profile.id}/photo").status_code == 404  # a draft

    _approve_directly(profile)
    response = client.get(f"/practitioners/{profile.id}/photo")
    assert response.status_code == 200 and response.data == JPEG
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "public" in response.headers["Cache-Control"]
    assert not response.headers.get("Content-Disposition", "").startswith("attachment")
    page = _text(client.get(f"/practitioners/{profile.id}", follow_redirects=True))
    assert f'src="/practitioners/{profile.id}/photo?' in page  # a resized copy (srcset), from the photo route
    assert tr(app, "Verified since %(date)s", date="Feb 1, 2026") in page

    # an approved profile without a photo, an unknown profile: 404
    other = make_profile(make_user(sm, ("Client", "Practitioner")))
    assert client.get(f"/practitioners/{other.id}/photo").status_code == 404
    assert f"/practitioners/{other.id}/photo" not in _text(client.get(f"/practitioners/{other.id}"))
    assert client.get("/practitioners/999999999/photo").status_code == 404


def test_verified_practitioner_edits_profile_and_licence_change_goes_back_to_review(app, client, login_as,
                                                                                      applicant):
    login_as(applicant)
    profile = _complete_application(client, applicant)
    _approve_directly(profile)
    assert client.get("/practice/apply").headers["Location"].endswith("/practice/edit")
    page = _text(client.get("/practice/edit"))
    assert tr(app, "Edit my public profile") in page
    assert 'value="LIC-2015-77"' in page
    assert "sends your profile back to review" in page  # the warning is there before saving

    # "about" only: stays public, the public page shows the new text
    response = _post(client, "/practice/edit", _answers(about_ru="Обновлённый текст о себе.", action="save"))
    assert response.status_code == 302
    profile = _profile_of(applicant)
    assert profile.status == ProfileStatus.APPROVED and profile.about_ru == "Обновлённый текст о себе."
    assert "Обновлённый текст о себе." in _text(client.get(f"/practitioners/{profile.id}", follow_redirects=True))

    # a new licence number: first a clear confirmation step, nothing changes
    response = _post(client, "/practice/edit", _answers(licence_number="LIC-2026-1", action="save"))
    assert response.status_code == 200
    page = _text(response)
    assert tr(app, "These changes send your profile back to review:") in page
    assert 'name="confirm_review"' in page and 'value="LIC-2026-1"' in page
    assert _profile_of(applicant).licence_number == "LIC-2015-77"
    assert _profile_of(applicant).status == ProfileStatus.APPROVED

    # confirmed: back to review, gone from the public pages
    response = _post(client, "/practice/edit", _answers(licence_number="LIC-2026-1", action="save",
                                                        confirm_review="1"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/practice/")
    profile = _profile_of(applicant)
    assert profile.status == ProfileStatus.QUIZ_PASSED and profile.licence_number == "LIC-2026-1"
    assert tr(app, "Quiz passed") in _text(client.get("/practice/"))
    client.post("/logout/")
    assert client.get(f"/practitioners/{profile.id}", follow_redirects=True).status_code == 404
    assert client.get(f"/practitioners/{profile.id}/photo").status_code == 404
