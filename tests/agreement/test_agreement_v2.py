"""Agreement version 2 (issue 18, item 1): the Russian text cleaned of copy residue, a
Kazakh translation and an English courtesy translation, loaded as reference data and in
force, so the gate asks everybody who accepted version 1 to accept it; the pages show
the text in the page language with a table of contents and anchors per section and
clause, escaped, with the support contacts taken from the configuration."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select

from portal.core.extensions import db
from portal.models.agreement import AgreementAcceptance, AgreementVersion
from portal.services import agreement, agreement_text, catalog
from tests.conftest import login
from tests.factories import make_applicant, make_user

LANGS = ("kk", "ru", "en")
QUIZ_CLAUSES = ("1.7", "1.15", "1.16", "1.17", "1.20", "1.21", "2.2", "3.1", "3.3", "4.1", "5.4", "6.2", "6.3",
                "6.4", "6.5", "6.6", "8.2", "10.6", "11.2", "11.4", "12.1", "13.3")
# What the Russian text of version 1 shows its readers and version 2 must not.
RESIDUE = ("PA3HOE", "<a href", "&lt;a href", "<mark>", "&lt;mark", "Dauthers", "TOO ", "направ влены",
           "Польз вователем", "интернетресурс", "какойлибо", "вебмаяк", "Lawbridge", "« ", "\t")


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def v2() -> AgreementVersion:
    return agreement.agreement_version(2)


def clause_numbers(doc) -> list[str]:
    return [part.number for s in doc.sections for part in s.parts if isinstance(part, agreement_text.Clause)]


def without_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


# --- the texts and their loading -----------------------------------------------------------------

def test_version_2_is_loaded_in_three_languages_and_is_in_force(app):
    current = agreement.current_agreement()
    assert current.version == 2 and current.id == v2().id
    assert current.effective_from <= agreement.today()
    for lang in LANGS:
        assert getattr(current, f"text_{lang}") == catalog.agreement_v2_text(lang)
        assert getattr(current, f"title_{lang}")
    assert "Пайдаланушы" in current.text_kk and "жеке практикамен айналысатын тұлға" in current.text_kk
    assert not catalog.ensure_reference_data()  # nothing missing: a second start inserts nothing
    assert db.session.scalar(select(func.count()).select_from(AgreementVersion)) == 2


def test_an_existing_database_gets_version_2_at_the_next_start_and_its_users_must_accept(app):
    """A database from before version 2: its users accepted version 1 only."""
    user = make_user(app.appbuilder.sm, accepted=False)
    v1 = agreement.agreement_version(1)
    db.session.execute(delete(AgreementAcceptance).where(AgreementAcceptance.version_id == v2().id))
    db.session.execute(delete(AgreementVersion).where(AgreementVersion.version == 2))
    agreement.accept_agreement(user, v1, "127.0.0.1", "tests")
    db.session.commit()
    assert agreement.current_agreement().version == 1 and not agreement.needs_acceptance(user)

    assert catalog.ensure_reference_data()  # what every start runs
    assert agreement.current_agreement().version == 2
    assert agreement.needs_acceptance(user)


def test_the_ru_text_is_cleaned_of_the_residue_and_keeps_the_clause_numbers():
    old = catalog.AGREEMENT_V1_FILE.read_text(encoding="utf-8")
    new = catalog.agreement_v2_text("ru")
    assert all(bad in old for bad in ("PA3HOE", "<a href", "Dauthers", "TOO ", "направ\tвлены"))
    for bad in RESIDUE:
        assert bad not in new, bad
    assert not re.search(r"\w*(?:[a-zA-Z][а-яёА-ЯЁ]|[а-яёА-ЯЁ][a-zA-Z])\w*", new)  # no Latin look-alikes in a word
    assert "13. РАЗНОЕ" in new and "ТОО «Turan Daughters»" in new
    assert "{support_url}" in new and "{support_email}" in new  # 5.6 and 12.1 are no longer empty
    old_numbers = clause_numbers(agreement_text.parse(old, {}))
    new_numbers = clause_numbers(agreement_text.parse(new, {}))
    # the same numbers in the same order: "3." became 3.3, and 6.4 and 10.3 now start their own lines
    assert [n for n in new_numbers if n not in ("3.3", "6.4", "10.3")] == old_numbers
    assert " 6.4. " in old and " 10.3. " in old


def test_the_three_texts_have_the_same_sections_and_clauses_so_anchors_match():
    docs = {lang: agreement_text.parse(catalog.agreement_v2_text(lang), {}) for lang in LANGS}
    shape = {lang: [(s.anchor, [p.anchor if isinstance(p, agreement_text.Clause) else p.marker for p in s.parts])
                    for s in d.sections]
             for lang, d in docs.items()}
    assert shape["kk"] == shape["ru"] == shape["en"]
    assert [s.number for s in docs["ru"].sections] == ["1", "2", "3", "4", "5", "6", "8", "9", "10", "11",
                                                       "12", "13"]
    assert all(s.title for d in docs.values() for s in d.sections)
    assert set(QUIZ_CLAUSES) <= set(clause_numbers(docs["kk"]))  # the quiz cites clauses that exist
    # the same line structure: every list item in the same place in each language
    items = {lang: [[b.marker for p in s.parts for b in getattr(p, "blocks", [p])] for s in d.sections]
             for lang, d in docs.items()}
    assert items["kk"] == items["ru"] == items["en"]


def test_the_parser_builds_structure_and_never_html():
    doc = agreement_text.parse("Преамбула\n\n1.ОБЩИЕ\n- 1.1. Текст <b>жирный</b> {support_email}.\n"
                               "a) пункт;\n• маркер\n1.1. Повтор\n3. Строка с текстом",
                               {"support_email": agreement_text.Piece("help@x.kz", "mailto:help@x.kz")})
    assert [b.pieces[0].text for b in doc.preamble] == ["Преамбула"]
    section = doc.sections[0]
    assert (section.number, section.title, section.anchor) == ("1", "ОБЩИЕ", "s1")
    first, repeated = section.parts
    assert (first.number, first.anchor, repeated.anchor) == ("1.1", "c1-1", "")  # an anchor only once
    assert [p.text for p in first.blocks[0].pieces] == ["Текст <b>жирный</b> ", "help@x.kz", "."]
    assert first.blocks[0].pieces[1].href == "mailto:help@x.kz"
    assert [(b.marker, b.bullet) for b in first.blocks[1:]] == [("a)", False), ("•", True)]
    assert repeated.blocks[1].pieces[0].text == "3. Строка с текстом"  # not a heading: it has lower case


# --- the pages -----------------------------------------------------------------------------------

def test_the_kk_page_shows_the_kazakh_text_with_a_table_of_contents(client):
    html = page(client, "/kk/agreement/")
    assert 'lang="kk"' in html and "1. ЖАЛПЫ ЕРЕЖЕЛЕР" in html
    assert "«AlemTrust.kz» ақпараттық жүйесін пайдаланатын Адам және/немесе заңды тұлға" in html
    assert "Russian original" not in html and "ОБЩИЕ ПОЛОЖЕНИЯ" not in html
    toc = html.split('class="agreement-toc"')[1].split("</nav>")[0]
    assert 'href="#s1"' in toc and 'href="#s13"' in toc and 'href="#s7"' not in toc
    for anchor in ("s1", "s6", "s13", "c1-1", "c6-6", "c12-1"):
        assert f'id="{anchor}"' in html, anchor


def test_the_ru_page_shows_the_cleaned_text(client):
    html = page(client, "/ru/agreement/")
    text = html.split('class="agreement-text"')[1].split("</div>\n</div>")[0]
    for bad in RESIDUE:
        if bad != "<a href":  # the text has links now: the configured addresses
            assert bad not in text, bad
    assert 'https://ht"' not in text and "https://ht&#34;" not in text
    assert "13. РАЗНОЕ" in html and 'id="c6-6"' in html and 'href="#s6"' in html
    assert "ТОО «Turan Daughters» — юридическое лицо" in without_tags(text)


def test_the_en_page_shows_the_courtesy_translation(client):
    html = page(client, "/en/agreement/")
    assert "1. GENERAL PROVISIONS" in html and 'lang="en"' in html
    assert "This English text is a courtesy translation." in html
    assert 'id="c6-6"' in html and 'href="#s10"' in html


def test_an_earlier_version_without_kk_text_falls_back_to_russian_with_a_notice(client):
    html = page(client, "/kk/agreement/1")
    assert 'class="agreement-text" lang="ru"' in html and "ОБЩИЕ ПОЛОЖЕНИЯ" in html
    assert "&lt;a href" in html and "<a href=\"https://ht" not in html  # version 1 as it was, escaped


def test_the_support_links_come_from_the_configuration(app, client, monkeypatch):
    base = app.config["PORTAL_BASE_URL"].rstrip("/")
    html = page(client, "/ru/agreement/")
    assert f'href="mailto:{app.config["SUPPORT_EMAIL"]}"' in html
    assert f'href="{base}/support/"' in html  # SUPPORT_URL empty: this portal's support page
    assert f'href="{base}"' in html  # 1.6: the address of the internet resource
    monkeypatch.setitem(app.config, "SUPPORT_EMAIL", "help@example.kz")
    monkeypatch.setitem(app.config, "SUPPORT_URL", "https://help.example.kz/chat")
    html = page(client, "/kk/agreement/")
    clause = html.split('id="c12-1"')[1].split("</div>")[0]
    assert 'href="mailto:help@example.kz">help@example.kz</a>' in clause
    assert 'href="https://help.example.kz/chat">https://help.example.kz/chat</a>' in clause
    assert "{support" not in html
    assert 'href="mailto:help@example.kz"' in html.split('id="c5-6"')[1].split("</div>")[0]


def test_a_user_who_accepted_version_1_is_sent_to_accept_version_2_in_kazakh(app, client):
    user = make_user(app.appbuilder.sm, locale="kk", accepted=False)
    agreement.accept_agreement(user, agreement.agreement_version(1), "127.0.0.1", "tests")
    db.session.commit()
    login(client, user.email)
    response = client.get("/account/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/agreement/accept")
    html = page(client, response.headers["Location"])
    assert 'name="version" value="2"' in html
    assert 'class="agreement-text" lang="kk"' in html and "1. ЖАЛПЫ ЕРЕЖЕЛЕР" in html
    assert 'href="#s6"' in html and 'id="c6-6"' in html
    assert 'id="agreement-changes-title"' in html and 'href="/agreement/1"' in html
    client.post("/agreement/accept", data={"version": 2, "next": "/account/"})
    assert not agreement.needs_acceptance(user)


def test_a_new_user_sees_no_what_changed_box(app, client):
    user = make_user(app.appbuilder.sm, locale="ru", accepted=False)
    login(client, user.email)
    html = page(client, "/agreement/accept")
    assert 'id="agreement-changes-title"' not in html and "1. ОБЩИЕ ПОЛОЖЕНИЯ" in html


@pytest.mark.parametrize("lang, heading", [("kk", "1. ЖАЛПЫ ЕРЕЖЕЛЕР"), ("ru", "1. ОБЩИЕ ПОЛОЖЕНИЯ")])
def test_the_quiz_page_leads_to_the_agreement_in_the_practitioners_language(app, client, lang, heading):
    user = make_applicant(app.appbuilder.sm, locale=lang).user
    login(client, user.email)
    html = page(client, "/practice/quiz/")
    assert 'href="/agreement/"' in html
    response = client.get("/agreement/")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/{lang}/agreement/")
    assert heading in page(client, response.headers["Location"])


def test_the_quiz_result_links_each_question_to_its_clause_of_the_agreement(app, client):
    from portal.models.practitioners import QuizAttempt
    from portal.services.practitioners import quiz

    user = make_applicant(app.appbuilder.sm, locale="kk").user
    login(client, user.email)
    attempt_id = int(client.post("/practice/quiz/start").headers["Location"].rstrip("/").rsplit("/", 1)[1])
    attempt = db.session.get(QuizAttempt, attempt_id)
    questions = quiz.questions(attempt)
    form = {f"q-{q.id}": str(q.options[0].id) for q in questions}
    client.post(f"/practice/quiz/{attempt_id}", data=form)
    html = page(client, f"/practice/quiz/result/{attempt_id}")
    kk_page = page(client, "/kk/agreement/")
    for q in questions:
        ref = q.clause.split()[0]  # "4.1 f": clause 4.1; "3": section 3
        anchor = "c" + ref.replace(".", "-") if "." in ref else "s" + ref
        assert f'href="/agreement/#{anchor}"' in html, q.clause
        assert f'id="{anchor}"' in kk_page, q.clause
