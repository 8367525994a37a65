"""The glossary (docs/glossary.md) is followed: no kk or ru text the portal shows
(the catalogues, the quiz bank, the emails, the reference and demo data) uses a
variant the glossary rejects; the wording fixes of issue 18 stay fixed; Russian
texts about a person do not guess the person's sex."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from portal.content.quiz_bank import EARLIER_KK, QUESTIONS
from portal.core.extensions import db
from portal.models.catalog import Category
from portal.models.practitioners import QuizQuestion
from portal.services import catalog
from tests.factories import committed_state

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
TRANSLATIONS = ROOT / "portal" / "translations"
EMAILS = ROOT / "portal" / "templates" / "portal" / "notifications" / "email"
DEMO_DATA = ROOT / "portal" / "demo" / "data.py"
KAZAKH_LETTERS = re.compile("[әіңғүұқөһӘІҢҒҮҰҚӨҺ]")


def glossary_rows() -> list[dict]:
    """The rows of the table under "## Terms": en, kk, ru, not_kk, not_ru, note."""
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split("## Terms", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "en":
            continue
        rows.append(dict(zip(("en", "kk", "ru", "not_kk", "not_ru", "note"), cells)))
    return rows


def entries(cell: str) -> list[str]:
    return [e.strip().strip("`").strip() for e in cell.split(";") if e.strip().strip("`").strip()]


def rejected_pattern(entry: str) -> re.Pattern:
    """A whole word or phrase, case-insensitive; a trailing * allows any ending."""
    stem = entry.rstrip("*")
    body = r"\s+".join(re.escape(word) for word in stem.split())
    tail = r"[\w-]*" if entry.endswith("*") else ""
    return re.compile(rf"(?<![\w-]){body}{tail}(?![\w])", re.IGNORECASE)


def rejected(locale: str) -> list[tuple[str, re.Pattern]]:
    return [(entry, rejected_pattern(entry)) for row in glossary_rows()
            for entry in entries(row[f"not_{locale}"])]


def catalogue(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh)


def msgstrs(locale: str) -> list[tuple[str, str]]:
    """(where, text) of every translation in the catalogue."""
    out = []
    for message in catalogue(locale):
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        out += [(f"msgid {msgid!r}", s) for s in strings if s]
    return out


def quiz_texts(locale: str) -> list[tuple[str, str]]:
    out = []
    for q in QUESTIONS:
        out.append((f"quiz {q.code}", getattr(q, locale)))
        out += [(f"quiz {q.code} option {i}", getattr(o, locale)) for i, o in enumerate(q.options, 1)]
    return out


def reference_texts(locale: str) -> list[tuple[str, str]]:
    out = []
    tables = [("region", catalog.REGION_FIELDS, catalog.REGIONS),
              ("category", catalog.CATEGORY_FIELDS, catalog.CATEGORIES)]
    tables += [(f"specialization of {code}", catalog.SPECIALIZATION_FIELDS, rows)
               for code, rows in catalog.SPECIALIZATIONS.items()]
    for name, fields, rows in tables:
        for row in rows:
            out += [(f"{name} {row[0]} {field}", value) for field, value in zip(fields, row)
                    if field.endswith(f"_{locale}") and isinstance(value, str)]
    return out


def demo_texts(locale: str) -> list[tuple[str, str]]:
    """The string constants of the demo data, by script: Kazakh letters mark kk."""
    out = []
    for node in ast.walk(ast.parse(DEMO_DATA.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search("[А-Яа-яЁё]", node.value):
            is_kk = bool(KAZAKH_LETTERS.search(node.value))
            if is_kk == (locale == "kk"):
                out.append((f"demo data line {node.lineno}", node.value))
    return out


def email_texts() -> list[tuple[str, str]]:
    """The literal text of the email templates (outside Jinja tags): it should all come from gettext."""
    out = []
    for path in sorted(EMAILS.iterdir()):
        text = re.sub(r"\{[{%#].*?[}%#]\}", " ", path.read_text(encoding="utf-8"), flags=re.S)
        out.append((f"email {path.name}", re.sub(r"<[^>]+>", " ", text)))
    return out


def all_texts(locale: str) -> list[tuple[str, str]]:
    return (msgstrs(locale) + quiz_texts(locale) + reference_texts(locale) + demo_texts(locale)
            + email_texts())


def test_glossary_has_the_domain_terms():
    rows = glossary_rows()
    english = " | ".join(row["en"] for row in rows)
    for term in ("request", "offer", "review", "practitioner", "notary", "bailiff", "expert", "advocate",
                 "legal consultant", "chamber", "collegium", "verification", "questionnaire", "quiz",
                 "interview", "account", "password", "sign in", "register", "draft", "published",
                 "in progress", "completed", "cancelled", "expired", "suspended", "revoked", "blocked",
                 "warned", "complaint", "support", "conversation", "notification", "agreement",
                 "acceptance", "button", "moderator", "back office"):
        assert term in english, f"docs/glossary.md has no row for {term!r}"
    for row in rows:
        assert row["en"] and (row["kk"] or row["ru"]), row
        for entry in entries(row["not_kk"]) + entries(row["not_ru"]):
            assert "*" not in entry.rstrip("*"), f"a * only at the end: {entry!r}"


def test_rejected_pattern_matches_words_and_stems():
    assert rejected_pattern("тоқтату*").search("Қызметін тоқтатуға болады")
    assert not rejected_pattern("тоқтатылған*").search("Қызметі тоқтатыла тұрған")
    assert rejected_pattern("отменен").search("Запрос отменен.")
    assert not rejected_pattern("отменен").search("Заявка отменена.")
    assert not rejected_pattern("ее").search("Далее")
    assert rejected_pattern("керек пе").search("Жою керек пе?")
    assert rejected_pattern("ЖШС-ге").search("«Turan Daughters» ЖШС-ге хабарлау")
    assert not rejected_pattern("ЖШС-ге").search("«Turan Daughters» ЖШС-ке хабарлау")


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_no_text_uses_a_rejected_term(locale):
    patterns = rejected(locale)
    assert patterns
    found = [f"{where}: {entry!r} in {text[:120]!r}" for where, text in all_texts(locale)
             for entry, pattern in patterns if pattern.search(text)]
    assert not found, f"{len(found)} rejected terms ({locale}), see docs/glossary.md:\n" + "\n".join(found[:40])


def test_the_texts_checked_include_every_source():
    for locale in ("kk", "ru"):
        sources = {where.split()[0] for where, _ in all_texts(locale)}
        assert {"msgid", "quiz", "region", "category", "specialization", "demo", "email"} <= sources


def test_the_kazakh_agreement_names_roles_and_steps_as_the_interface_does():
    """The agreement's general verbs (тоқтату: to stop using, to terminate) are not status names, so
    it is not held to the interface's rejected list; its role and step names are the glossary's."""
    text = (ROOT / "portal" / "content" / "agreement_v2_kk.txt").read_text(encoding="utf-8")
    assert "заң консультанты" in text and "кеңесші" not in text
    assert "сұхбат" in text and "әңгімелес" not in text


# Regression tests of the wording fixes named in issue 18.

def _kk(msgid):
    return catalogue("kk").get(msgid).string


def _ru(msgid):
    return catalogue("ru").get(msgid).string


def test_cancelled_request_and_suspended_practitioner_differ_in_kazakh():
    assert _kk("Cancelled") != _kk("Suspended")
    assert _kk("Suspended") == "Тоқтатыла тұрған"
    assert _kk("Cancelled") == "Болдырылмаған"
    assert "тоқтат" not in _kk("The request was cancelled.").lower()


def test_quiz_passed_says_passed_not_submitted():
    assert _kk("Quiz passed") == "Тесттен өтті"
    assert "тапсырылды" not in _kk("User agreement quiz passed")
    assert "пройден" in _ru("User agreement quiz passed")


def test_review_kept_is_the_moderators_decision():
    assert _kk("Review kept") not in ("Пікір қалдырылды", "Пікір сақталды")
    assert "жарияланған күйінде" in _kk("Review kept")
    assert _ru("Review kept") != "Отзыв оставлен" and "без изменений" in _ru("Review kept")


def test_kazakh_confirmations_ask_with_syz_ba():
    questions = [(m.id, m.string) for m in catalogue("kk")
                 if isinstance(m.id, str) and m.id.endswith("?") and isinstance(m.string, str)]
    assert not [q for q in questions if "керек пе" in q[1]]
    for msgid in ("Remove this document?", "Withdraw your offer?", "Cancel this request?", "Select this offer?",
                  "Publish version %(version)d?", "Withdraw version %(version)d?",
                  "Mark this request completed?", "Copy the selected roles?"):
        assert re.search(r"(сыз ба|сіз бе)\?$", _kk(msgid)), (msgid, _kk(msgid))
    assert _kk("Remove this document?") == "Бұл құжатты жоясыз ба?"


def test_llp_endings_after_zhshs_in_the_quiz_bank():
    texts = " ".join(text for _, text in quiz_texts("kk"))
    assert "ЖШС-ке" in texts and "ЖШС-тің" in texts and "ЖШС-тен" in texts
    assert not re.search(r"ЖШС-(ге|нің|ден|ны|мен|нен|да|де|на|не)\b", texts)


def test_quiz_bank_uses_the_interface_terms():
    texts = " ".join(text for _, text in quiz_texts("kk"))
    assert "тіркелгі" in texts and "есептік жазба" not in texts.lower()
    assert "түймесін" in texts and "батырма" not in texts
    assert "сұхбат" in texts.lower() and "әңгімелес" not in texts


def test_consultant_category_name_and_description_agree():
    consultant = dict(zip(catalog.CATEGORY_FIELDS, next(c for c in catalog.CATEGORIES if c[0] == "consultant")))
    assert consultant["name_kk"] == "Заң консультанты"
    assert "Заң консультанттары" in consultant["description_kk"] and "кеңесші" not in consultant["description_kk"]
    assert _kk("Legal consultants") == "Заң консультанттары"


def test_russian_uses_yo_and_one_word_for_account():
    assert _ru("Cancelled") == "Отменён"
    assert _ru("Declined") == "Отклонён"
    assert _ru("Completed") == "Завершён"
    assert _ru("Account") == "Учётная запись"
    assert _ru("No account yet?") == "Ещё нет учётной записи?"
    texts = " ".join(text for _, text in msgstrs("ru"))
    assert "аккаунт" not in texts.lower() and "учетн" not in texts.lower()
    assert not re.search(r"\b(еще|Еще)\b", texts)


def test_a_database_loaded_before_the_rewording_gets_the_new_texts_but_admin_edits_stay(app):
    """ensure_reference_data never rewrites a row an admin edited, but a text that is still exactly
    what the earlier release shipped takes the glossary's wording (once)."""
    bank = {q.code: q for q in QUESTIONS}
    questions = {q.code: q for q in db.session.scalars(select(QuizQuestion))}
    password = questions["q-4-1-b-password"]  # question 0 and options 1 and 4 were reworded
    old = EARLIER_KK["q-4-1-b-password"]
    password.text_kk = old[0]
    by_text = {o.text_kk: o for o in password.options}
    option1, option4 = by_text[bank["q-4-1-b-password"].options[0].kk], by_text[bank["q-4-1-b-password"].options[3].kk]
    option1.text_kk, option4.text_kk = old[1], "Админ түзеткен мәтін"
    edited = questions["q-11-2-close-account"]
    edited.text_kk = "Админ түзеткен сұрақ"
    consultant = db.session.scalars(select(Category).where(Category.code == "consultant")).one()
    consultant.name_kk = catalog.EARLIER_CATEGORY_TEXTS[("consultant", "name_kk")]
    consultant.description_kk = catalog.EARLIER_CATEGORY_TEXTS[("consultant", "description_kk")]
    consultant.regulator_kk = "Админ жазған реттеуші"
    db.session.commit()

    assert catalog.ensure_reference_data() is True
    db.session.expire_all()
    question, first, fourth, admin_question, category = committed_state(
        password, option1, option4, edited, consultant)
    assert question["text_kk"] == bank["q-4-1-b-password"].kk and "тіркелгі" in question["text_kk"]
    assert first["text_kk"] == bank["q-4-1-b-password"].options[0].kk
    assert fourth["text_kk"] == "Админ түзеткен мәтін"
    assert admin_question["text_kk"] == "Админ түзеткен сұрақ"
    assert category["name_kk"] == "Заң консультанты"
    assert category["description_kk"].endswith("Заң консультанттары палаталарының біріне мүше болып табылады.")
    assert category["regulator_kk"] == "Админ жазған реттеуші"
    assert catalog.ensure_reference_data() is False  # nothing left to do


def test_every_earlier_quiz_text_names_a_question_and_option_of_the_bank():
    bank = {q.code: q for q in QUESTIONS}
    for code, texts in EARLIER_KK.items():
        assert code in bank
        for n, text in texts.items():
            current = bank[code].kk if n == 0 else bank[code].options[n - 1].kk
            assert text != current


# Item 5: gendered texts.

PERSONAL_PRONOUNS = re.compile(r"(?<![\w])(он|она|его|её|ее|ему|ей|него|неё|нему|ней|сам|сама)(?![\w])",
                               re.IGNORECASE)
ENGLISH_PERSON = re.compile(r"\b(they|them|their|theirs|themselves|he|she|his|her|him)\b", re.IGNORECASE)
# English "they" that is a thing, not a person (the Russian pronoun then stands for a noun, not a person).
THINGS = ("device", "file", "message", "cookie")


def test_russian_texts_do_not_guess_a_persons_sex():
    bad = []
    for message in catalogue("ru"):
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if re.search(r"\w\((а|ла|на)\)", text):
                bad.append((msgid, text))
            elif ENGLISH_PERSON.search(msgid) and not any(t in msgid.lower() for t in THINGS):
                if PERSONAL_PRONOUNS.search(text):
                    bad.append((msgid, text))
    assert not bad, "\n".join(f"{m!r}: {t}" for m, t in bad)


def test_review_text_names_the_practitioner_not_his_profile():
    text = _ru('How did %(name)s do? Your review is published on their profile with the mark "verified engagement".')
    assert "в профиле специалиста" in text and "его" not in text.split()
    assert "его профиле" not in _ru("After that you can review the practitioner: the review appears on their profile.")
