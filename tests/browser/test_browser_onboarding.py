"""Headless-browser journey of becoming a verified practitioner, in kk and ru.

Clicked through like users on the real server (the ``server`` fixture of
tests/browser/test_browser.py: ``python run.py`` on a fresh SQLite instance with demo
data and the quiz bank): a new user registers, opens "My practice" from the
"My area" menu, fills the advocate questionnaire with a photo and a licence
PDF, saves a draft and submits it; takes the agreement quiz (the right answers
are read from the server's database by the option ids of the radio buttons)
and passes; the admin (the Admin role holds every staff permission; there is
no demo moderator) finds the application on the moderation pages, schedules
and records the identity interview and approves it on the confirmation page;
the practitioner sees "verified" and the approval behind the bell; an
anonymous visitor finds the new practitioner in search by the unique surname
and opens the public profile with the verified badge and the photo.

The kk/ru UI strings are checked elsewhere: here the assertions use the data the
users typed, statuses through the DOM (classes/ids/data attributes) and
``<html lang>``. Also a phone-sized render (no horizontal scroll) of the
questionnaire and "My practice", and axe-core (no serious/critical violations)
on the questionnaire, "My practice", the quiz page and the moderation profile.

Screenshots, axe results and the server log go to
``<repo>/test-artifacts/browser/onboarding/``.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import sqlite3
import struct
import uuid
import zlib
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from portal.core.amounts import format_amount
from tests.browser.support import (
    ARTIFACTS,
    LANGS,
    PASSWORD,
    PHONE_NUMBER,
    path_of,
    shot,
    switch_language,
    visit,
)
from tests.browser.test_browser_exchange import (
    assert_success_flash,
    click_and_load,
    go,
    open_nav_link,
    phone_overflow,
    run_axe,
)

# The browser fixtures (tests/browser/conftest.py) come by name: the module-scoped
# ``server`` starts a separate server (and demo database) for this module.

pytestmark = pytest.mark.browser

ONBOARDING_ARTIFACTS = ARTIFACTS / "onboarding"
ADMIN_EMAIL = "admin@alemtrust.kz"
ADMIN_PASSWORD = "Browser-admin-1"  # PORTAL_ADMIN_PASSWORD of the server fixture
CATEGORY_CODE = "advocate"
REGION_CODE = "KZ-75"  # Almaty city
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

TEXT = {
    "kk": {
        "first_name": "Айгерім",
        "surname_end": "бекова",
        "licensor": "Қазақстан Республикасының Әділет министрлігі",
        "chamber": "Алматы қалалық адвокаттар алқасы",
        "about_kk": "Азаматтық және отбасылық істер бойынша он жылдық тәжірибесі бар адвокатпын.",
        "about_ru": "Адвокат с десятилетним опытом по гражданским и семейным делам.",
        "city": "Алматы",
        "reason": "Құжаттар мен паспорт тексерілді, тест тапсырылды.",
        "message": "Құттықтаймыз! Профиліңіз енді каталогта көрінеді.",
    },
    "ru": {
        "first_name": "Марина",
        "surname_end": "ова",
        "licensor": "Министерство юстиции Республики Казахстан",
        "chamber": "Алматинская городская коллегия адвокатов",
        "about_kk": "Азаматтық істер мен еңбек даулары бойынша адвокатпын.",
        "about_ru": "Адвокат по гражданским делам и трудовым спорам, веду дела в судах Алматы.",
        "city": "Алматы",
        "reason": "Документы и паспорт проверены, тест сдан.",
        "message": "Поздравляем! Ваш профиль теперь виден в каталоге.",
    },
}
LICENCE_DATE = "2014-06-17"
EXPERIENCE = 11
PRICE = 25000
SYLLABLES = ("ба", "бе", "да", "ди", "жа", "ка", "ли", "ма", "му", "на", "ра", "ри", "са", "та", "ту", "ша")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """Overrides the fixture of tests/browser/test_browser.py for this module (the
    ``server`` fixture copies its log here too): a subfolder, so the browser
    modules never delete each other's screenshots."""
    ONBOARDING_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ONBOARDING_ARTIFACTS.iterdir():
        if old.is_file() and old.suffix in {".png", ".json", ".log"}:
            old.unlink()
    return ONBOARDING_ARTIFACTS


@pytest.fixture(scope="module")
def server_db(server, tmp_path_factory) -> Path:
    """The SQLite database of this module's server: the ``server`` fixture keeps
    its instance in a ``browser-instance*`` folder whose log names the port."""
    banner = f"http://127.0.0.1:{urlsplit(server).port}/"
    for instance in sorted(tmp_path_factory.getbasetemp().glob("browser-instance*")):
        log = instance / "server.log"
        if log.is_file() and banner in log.read_text(encoding="utf-8", errors="replace"):
            db = instance / "portal.db"
            assert db.is_file(), f"no portal.db in {instance}"
            return db
    pytest.fail(f"cannot find the instance folder of the server on {server}")


# ---------------------------------------------------------------- helpers


def png_bytes(size: int = 96) -> bytes:
    """A real (decodable) PNG: a teal square with a lighter inner square."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = []
    for y in range(size):
        row = bytearray([0])  # filter: none
        for x in range(size):
            inner = size // 4 <= x < 3 * size // 4 and size // 4 <= y < 3 * size // 4
            row += bytes((120, 200, 190) if inner else (20, 110, 110))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def unique_surname(lang: str) -> str:
    """One Cyrillic word nobody else has (three random syllables + an ending):
    the search finds it as a single term."""
    stem = "".join(secrets.choice(SYLLABLES) for _ in range(3))
    return (stem + TEXT[lang]["surname_end"]).capitalize()


def register(page, base: str, full_name: str, email: str, lang: str) -> None:
    """Like tests/browser/test_browser.py fill_register_form, with our own name."""
    visit(page, base, "/register/form")
    form = page.locator("form:has(#agree)")
    page.fill("#full_name", full_name)
    page.fill("#email", email)
    page.fill("#phone", PHONE_NUMBER)
    page.fill("#password", PASSWORD)
    page.fill("#conf_password", PASSWORD)
    page.select_option("#locale", lang)
    page.check("#agree")
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").click()
    errors = page.locator(".field-error").all_inner_texts()
    assert path_of(page) == "/account/", f"registration landed on {page.url}; field errors: {errors}"
    assert email in page.locator("main").inner_text(), "the account page does not show the new email"


def log_in_admin(new_context, base: str, lang: str):
    page = new_context().new_page()
    visit(page, base, "/login/")
    page.fill("#username", ADMIN_EMAIL)
    page.fill("#password", ADMIN_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("form[name=login] button[type=submit]").click()
    assert path_of(page) != "/login/", f"admin login failed: {page.locator('main').inner_text()[:300]}"
    switch_language(page, base, lang)
    return page


def correct_options(db: Path, option_ids: list[int]) -> set[int]:
    """Which of these quiz options are marked correct in the server's database."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        marks = ",".join("?" * len(option_ids))
        rows = con.execute(f"SELECT id FROM quiz_option WHERE is_correct AND id IN ({marks})", option_ids)
        return {row[0] for row in rows}
    finally:
        con.close()


def status_of_practice(page) -> str:
    section = page.locator("section.practice-status")
    assert section.count() == 1, f"no status panel on {page.url}"
    found = re.search(r"\bpractice-status-(\w+)\b", section.get_attribute("class"))
    assert found, section.get_attribute("class")
    return found.group(1)


def moderation_status(page) -> str:
    label = page.locator(".mod-profile .page-head .mod-status")
    assert label.count() == 1, f"no status label on {page.url}"
    return re.search(r"\bmod-status-(\w+)\b", label.get_attribute("class")).group(1)


def check_box(scope, label_text: str) -> None:
    box = scope.get_by_label(label_text, exact=True)
    assert box.count() == 1, f"expected one checkbox labelled {label_text!r}, found {box.count()}"
    box.check()


# ---------------------------------------------------------------- the journey


@pytest.mark.parametrize("lang", LANGS)
def test_onboarding_journey(lang, server, server_db, new_context, artifacts, tmp_path):
    t = TEXT[lang]
    run = uuid.uuid4().hex[:6]
    surname = unique_surname(lang)
    full_name = f"{t['first_name']} {surname}"
    email = f"onboarding-{lang}-{run}@example.kz"
    licence_number = f"ADV-{run.upper()}"
    membership_id = f"M-{run[:4].upper()}"
    about_kk, about_ru = f"{t['about_kk']} [{run}]", f"{t['about_ru']} [{run}]"
    axe_found: list[dict] = []

    # 1. Register, open "My practice", fill the questionnaire, save a draft, submit ---------
    me = new_context().new_page()
    switch_language(me, server, "ru" if lang == "kk" else "kk")  # registers in the other language ...
    register(me, server, full_name, email, lang)
    switch_language(me, server, lang)  # ... and switches to this one
    category_name = me.locator(
        f'a.category-tile[href$="/category/{CATEGORY_CODE}"] .category-name').inner_text().strip()
    region_name = me.locator(f'#region option[value="{REGION_CODE}"]').inner_text().strip()
    assert category_name and region_name
    open_nav_link(me, "/practice/", lang)
    assert path_of(me) == "/practice/"
    assert me.locator("section.practice-intro").count() == 1, "a new user sees no application intro"
    click_and_load(me, me.locator('.practice-intro a[href="/practice/apply"]'), lang)
    assert path_of(me) == "/practice/apply"

    form = me.locator("form.practice-form")
    form.locator("#category_id").select_option(label=category_name)
    form.locator("#licence_number").fill(licence_number)
    form.locator("#licence_date").fill(LICENCE_DATE)
    form.locator("#licensor").fill(t["licensor"])
    form.locator("#chamber").fill(t["chamber"])
    form.locator("#membership_id").fill(membership_id)
    check_box(form.locator("fieldset.check-grid"), region_name)
    specs = form.locator("details.spec-group").filter(
        has=me.locator("summary.spec-group-title", has_text=re.compile(rf"^\s*{re.escape(category_name)}\s*$")))
    assert specs.count() == 1, f"expected one specialization group for {category_name!r}"
    if specs.get_attribute("open") is None:
        specs.locator("summary").click()
    spec_box = specs.locator("input[type=checkbox]").first
    spec_name = specs.locator("label").first.inner_text().strip()
    spec_box.check()
    for code in ("kk", "ru"):
        form.locator(f'input[name=languages][value="{code}"]').check()
    form.locator("#experience_years").fill(str(EXPERIENCE))
    form.locator("#price_from").fill(str(PRICE))
    form.locator("#city").fill(t["city"])
    form.locator("#about_kk").fill(about_kk)
    form.locator("#about_ru").fill(about_ru)
    photo = tmp_path / f"photo-{run}.png"
    photo.write_bytes(png_bytes())
    licence = tmp_path / f"licence-{run}.pdf"
    licence.write_bytes(PDF_BYTES)
    form.locator("#photo").set_input_files(str(photo))
    form.locator("#licence").set_input_files(str(licence))

    click_and_load(me, form.locator("button[name=action][value=draft]"), lang)
    assert path_of(me) == "/practice/apply", f"saving the draft landed on {me.url}"
    assert_success_flash(me)
    form = me.locator("form.practice-form")
    assert form.locator("#licence_number").input_value() == licence_number
    assert form.locator("#licensor").input_value() == t["licensor"]
    assert form.locator("#chamber").input_value() == t["chamber"]
    assert form.locator("#membership_id").input_value() == membership_id
    assert form.locator("#licence_date").input_value() == LICENCE_DATE
    assert form.locator("#about_kk").input_value() == about_kk
    assert form.locator("#about_ru").input_value() == about_ru
    assert form.locator("#experience_years").input_value() == str(EXPERIENCE)
    assert form.locator("#price_from").input_value() == format_amount(PRICE)  # "25 000"
    assert form.locator('#category_id option:checked').inner_text().strip() == category_name
    assert form.locator("fieldset.check-grid").get_by_label(region_name, exact=True).is_checked()
    assert spec_box.is_checked(), "the specialization was not kept"
    docs = form.locator(".attachment-list").inner_text()
    assert photo.name in docs and licence.name in docs, f"the draft does not list both files: {docs!r}"
    assert me.locator(".practice-missing-panel").count() == 0, "a complete draft still shows missing items"
    shot(me, artifacts, f"1-questionnaire-{lang}.png")
    run_axe(me, artifacts, lang, "questionnaire", axe_found)
    phone_overflow(me, artifacts, f"1-questionnaire-phone-{lang}.png")

    form = me.locator("form.practice-form")
    click_and_load(me, form.locator("button[name=action][value=submit]"), lang)
    assert path_of(me) == "/practice/", f"submitting landed on {me.url}"
    assert_success_flash(me)
    assert status_of_practice(me) == "submitted"
    assert category_name in me.locator(".practice-category").inner_text()
    my_docs = me.locator("section.practice-documents").inner_text()
    assert photo.name in my_docs and licence.name in my_docs
    shot(me, artifacts, f"1-my-practice-submitted-{lang}.png")
    run_axe(me, artifacts, lang, "my-practice", axe_found)
    phone_overflow(me, artifacts, f"1-my-practice-phone-{lang}.png")

    # 2. The agreement quiz, answered right ------------------------------------------------
    click_and_load(me, me.locator('section.practice-status a[href="/practice/quiz/"]'), lang)
    assert path_of(me) == "/practice/quiz/"
    start = me.locator('form[action="/practice/quiz/start"] button[type=submit]')
    click_and_load(me, start, lang)
    match = re.fullmatch(r"/practice/quiz/(\d+)", path_of(me))
    assert match, f"starting the quiz landed on {me.url}"
    attempt_path = path_of(me)
    questions = me.locator("form.quiz-form li.quiz-question")
    total = questions.count()
    assert total >= 1, "the quiz has no questions"
    shot(me, artifacts, f"2-quiz-{lang}.png")
    run_axe(me, artifacts, lang, "quiz", axe_found)
    for i in range(total):
        radios = questions.nth(i).locator("input[type=radio]")
        ids = [int(v) for v in (radios.nth(k).get_attribute("value") for k in range(radios.count()))]
        right = correct_options(server_db, ids)
        assert len(right) == 1, f"question {i + 1}: {len(right)} correct options among {ids}"
        questions.nth(i).locator(f'input[type=radio][value="{right.pop()}"]').check()
    click_and_load(me, me.locator("form.quiz-form button[type=submit]"), lang)
    result_match = re.fullmatch(r"/practice/quiz/result/(\d+)", path_of(me))
    assert result_match and result_match.group(1) == match.group(1), f"the quiz went to {me.url}"
    assert me.locator(".quiz-verdict.alert-success").count() == 1, "the result page does not say passed"
    assert me.locator("li.quiz-review-item.quiz-right").count() == total
    assert me.locator("li.quiz-review-item.quiz-wrong").count() == 0
    numbers = re.findall(r"\d+", me.locator(".quiz-score").inner_text())
    assert numbers.count(str(total)) >= 2 and "100" in numbers, f"score is not {total} of {total}: {numbers}"
    shot(me, artifacts, f"2-quiz-result-{lang}.png")
    go(me, server, attempt_path, lang)  # a finished attempt only shows its result
    assert path_of(me) == result_match.group(0)
    go(me, server, "/practice/", lang)
    assert status_of_practice(me) == "quiz_passed"

    # 3. Staff: dashboard, application, interview, approval --------------------------------
    admin = log_in_admin(new_context, server, lang)
    open_nav_link(admin, "/moderation/", lang)
    assert path_of(admin) == "/moderation/"
    stage = admin.locator(".mod-stage", has=admin.locator(".mod-status-quiz_passed"))
    assert stage.count() == 1, "no quiz_passed stage on the dashboard"
    assert int(stage.locator(".mod-count").inner_text().strip()) >= 1
    shot(admin, artifacts, f"3-moderation-dashboard-{lang}.png")
    click_and_load(admin, stage.locator('a[href*="stage=quiz_passed"]'), lang)
    assert path_of(admin) == "/moderation/applications"
    row = admin.locator("table.mod-applications tbody tr", has_text=full_name)
    assert row.count() == 1, f"the applicant {full_name!r} is not in the quiz_passed list"
    assert row.locator(".mod-status-quiz_passed").count() == 1
    assert category_name in row.inner_text() and region_name in row.inner_text()
    click_and_load(admin, row.locator('a[href^="/moderation/profiles/"]'), lang)
    match = re.fullmatch(r"/moderation/profiles/(\d+)", path_of(admin))
    assert match, admin.url
    profile_id = int(match.group(1))
    profile_path = path_of(admin)
    assert moderation_status(admin) == "quiz_passed"
    assert full_name in admin.locator(".page-head h1").inner_text()
    facts = admin.locator("main").inner_text()
    for typed in (email, licence_number, membership_id, t["licensor"], t["chamber"], about_kk, about_ru,
                  spec_name, photo.name, licence.name):
        assert typed in facts, f"the moderation profile does not show {typed!r}"
    run_axe(admin, artifacts, lang, "moderation-profile", axe_found)

    when = dt.date.today() + dt.timedelta(days=3)
    schedule = admin.locator(f'form[action="{profile_path}/interview"]')
    assert schedule.count() == 1, "no schedule form"
    schedule.locator("#date").fill(when.isoformat())
    schedule.locator("#time").fill("10:30")
    schedule.locator("#mode").select_option("in_person")
    click_and_load(admin, schedule.locator("button[type=submit]"), lang)
    assert path_of(admin) == profile_path
    assert_success_flash(admin)
    assert moderation_status(admin) == "interview_scheduled"

    record = admin.locator('form[action^="/moderation/interviews/"]')
    assert record.count() == 1, "no form to record the scheduled interview"
    record.locator("#outcome").select_option("passed")
    record.locator("#passport_checked").check()
    record.locator("#passport_last_digits").fill("4821")
    click_and_load(admin, record.locator("button[type=submit]"), lang)
    assert path_of(admin) == profile_path
    assert_success_flash(admin)
    interviews = admin.locator("section:has(#mod-interviews) table").inner_text()
    assert "4821" in interviews, "the recorded passport digits are not shown"
    assert admin.locator('form[action^="/moderation/interviews/"]').count() == 0, "the interview is still pending"
    assert admin.locator(".mod-problems").count() == 0, "the profile is still not ready for approval"
    shot(admin, artifacts, f"3-moderation-profile-{lang}.png")

    click_and_load(admin, admin.locator(f'.mod-actions a[href="{profile_path}/approve"]'), lang)
    assert path_of(admin) == f"{profile_path}/approve"
    assert full_name in admin.locator(".mod-confirm h1").inner_text()
    admin.locator("#reason").fill(t["reason"])
    admin.locator("#message").fill(t["message"])
    shot(admin, artifacts, f"3-approve-confirm-{lang}.png")
    click_and_load(admin, admin.locator(".confirm-actions button[type=submit]"), lang)
    assert path_of(admin) == profile_path
    assert_success_flash(admin)
    assert moderation_status(admin) == "approved"
    assert t["reason"] in admin.locator("table.mod-audit").inner_text(), "the reason is not in the history"
    assert admin.locator(f'.page-head a[href="/practitioners/{profile_id}"]').count() == 1

    # 4. Verified: my practice, the bell, search and the public profile ----------------------
    go(me, server, "/practice/", lang)
    assert status_of_practice(me) == "approved"
    assert me.locator("section.practice-status .badge-verified").count() == 1, "no verified badge"
    notice = me.locator("li.practice-notice-approve")
    assert notice.count() == 1 and t["message"] in notice.locator(".notice-message").inner_text()
    assert t["reason"] not in me.locator("main").inner_text(), "the internal reason leaked to the practitioner"
    bell = me.locator(".notification-bell .notification-count")
    assert bell.count() == 1, "the bell shows no unread count"
    assert int(bell.inner_text().strip().rstrip("+")) > 0
    shot(me, artifacts, f"4-my-practice-verified-{lang}.png")
    click_and_load(me, me.locator(".notification-bell a"), lang)
    newest = me.locator("li.notification").first
    assert newest.get_attribute("data-kind") == "application_approved", "the newest notification is not the approval"
    assert "notification-unread" in newest.get_attribute("class")
    click_and_load(me, newest.locator("a"), lang)
    assert path_of(me) == "/practice/", f"the approval notification led to {me.url}"

    public = new_context().new_page()  # anonymous visitor
    switch_language(public, server, lang)
    go(public, server, "/practitioners/?" + urlencode({"q": surname}), lang)
    card = public.locator(".profile-card", has=public.locator(".profile-card-name", has_text=full_name))
    assert card.count() == 1, f"search for {surname!r} does not find the new practitioner"
    assert card.locator(".badge-verified").count() == 1
    assert card.locator("img.profile-card-photo").count() == 1, "no photo on the search card"
    click_and_load(public, card.locator(f'.profile-card-name a[href$="/practitioners/{profile_id}"]'), lang)
    assert full_name in public.locator(".profile-page h1").inner_text()
    assert public.locator(".profile-page .badge-verified").count() == 1, "no verified badge on the profile"
    img = public.locator("img.profile-photo")
    assert img.count() == 1, "no photo on the public profile"
    img.evaluate("i => i.complete || new Promise(r => { i.onload = i.onerror = r; })")
    assert img.evaluate("i => i.naturalWidth") > 0, "the profile photo does not load"
    about = public.locator(".about-text").inner_text()
    assert (about_kk if lang == "kk" else about_ru) in about, "the public profile does not show the about text"
    facts = public.locator(".profile-facts").inner_text()
    assert licence_number in facts and t["chamber"] in facts and region_name in facts
    assert spec_name in public.locator(".profile-page ul.tags").inner_text()
    shot(public, artifacts, f"4-public-profile-{lang}.png")

    (artifacts / f"axe-summary-{lang}.json").write_text(
        json.dumps(axe_found, ensure_ascii=False, indent=2), encoding="utf-8")
    assert not axe_found, "serious/critical axe violations:\n" + "\n".join(
        f"  - {v['id']} [{v['impact']}] {v['page']} {v['url']}: {v['targets']} -- {v['help']}" for v in axe_found)
