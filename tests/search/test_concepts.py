"""The concept dictionary as data, the Russian Snowball stemmer and the Kazakh suffix table."""
from __future__ import annotations

import pytest

from portal.content.concepts import CONCEPTS
from portal.search import concepts
from portal.search.normalize import is_kazakh, kk_stem, skeleton, term
from portal.search.parsing import parse_query
from portal.search.phrases import analyze
from portal.services.catalog import SPECIALIZATIONS


def tokens(text):
    return {t for g in parse_query(text).groups for t in g.exact}


def test_at_least_150_seeded_concepts_with_unique_codes():
    assert len(CONCEPTS) >= 150
    assert len({c.code for c in CONCEPTS}) == len(CONCEPTS)
    assert all(len(p) <= 100 for c in CONCEPTS for p in c.phrases_kk + c.phrases_ru + c.phrases_en)


@pytest.mark.parametrize("category, spec", [(c, row) for c, rows in SPECIALIZATIONS.items() for row in rows])
def test_every_specialization_name_carries_a_concept_token(category, spec):
    for name in spec[1:4]:  # kk, ru, en
        assert any(t.startswith("qq") and t != "qq" + category for t in analyze(name)), name


@pytest.mark.parametrize("query, concept", [
    ("меня уволили", "qqdismissal"), ("разводиться", "qqdivorce"), ("Гурьев", "qqatyrau"),
    ("почерковедческая", "qqhandwriting"), ("подделали подпись", "qqhandwriting"),
    ("ажырасу", "qqdivorce"), ("ajyrasu", "qqdivorce"), ("ажырасқым", "qqdivorce"),
    ("power of attorney notary", "qqproxy"), ("залили соседи", "qqflood"), ("несие", "qqloan"),
    ("Семипалатинск", "qqsemey"), ("Целиноград", "qqastana"), ("Капчагай", "qqkonaev"),
    ("car accident expert", "qqauto-technical"), ("debt collection", "qqdebt"), ("өсиет", "qqwill"),
    ("обжаловать", "qqappeal"), ("шағымдану", "qqappeal"), ("criminal defence lawyer", "qqcriminal"),
])
def test_everyday_phrases_name_their_concept(query, concept):
    assert concept in tokens(query)


def test_documents_with_the_specialization_get_the_everyday_concept():
    # a labour-dispute advocate's tags meet "уволили"; a handwriting expert's meet "подделали подпись"
    assert "qqdismissal" in analyze("Адвокат Трудовые споры")
    assert "qqhandwriting" in analyze("Почерковедческая экспертиза")
    assert "qqatyrau" in analyze("Атырау")


def test_query_only_concepts_widen_to_their_categories():
    assert {"qqadvocate", "qqconsultant"} <= tokens("юрист")
    assert "qqlawyer" not in analyze("юрист Иванов")  # documents are untouched


def test_guide_helpers():
    assert concepts.categories_for(["qqinheritance", "qqlawyer"]) == ["notary", "advocate", "consultant"]
    assert concepts.categories_for(["qqalmaty"]) == []
    assert concepts.concept_names(["qqdivorce", "qqunknown"], "ru") == ["Развод"]
    assert concepts.concept_names(["qqdivorce"], "kk") == ["Ажырасу"]


@pytest.mark.parametrize("a, b", [
    ("уволили", "уволил"), ("уволил", "уволен"), ("разводиться", "развод"), ("развода", "развод"),
    ("нотариусами", "нотариус"), ("частный", "chastnyi"), ("Защита", "zashchita"),
    ("доверенность", "doverennost"), ("юридический", "yuridicheskiy"), ("Алматы", "Almaty"),
])
def test_russian_forms_share_a_term(a, b):
    assert term(a) == term(b)


@pytest.mark.parametrize("a, b", [("уволили", "увольнение"), ("развестись", "развод")])
def test_russian_roots_the_stemmer_does_not_join_are_joined_by_concepts(a, b):
    assert term(a) != term(b)  # Snowball keeps these apart: the concept dictionary joins them
    assert tokens(a) & tokens(b)


@pytest.mark.parametrize("word, stem", [
    ("нотариустарға", "notarius"), ("нотариусқа", "notarius"), ("мұрагерлікке", "muragerlik"),
    ("ажырасуға", "ajiras"), ("ажырасқым", "ajiras"), ("ажырасқысы", "ajiras"), ("ajyrasqym", "ajiras"),
    ("сотқа", "sot"), ("адвокатқа", "advokat"), ("заңгерлерге", "zanger"), ("сенімхаттар", "senimhat"),
    ("мұраға", "mura"), ("жері", "jer"), ("кітаптарымыздан", "kitap"), ("Алматыдан", "almat"),
    ("адвокаттар", "advokat"),
])
def test_kazakh_suffix_table(word, stem):
    assert term(word) == stem


def test_kazakh_detection():
    assert is_kazakh("мұра") and is_kazakh("qoltañba") and is_kazakh("адвокаттар")
    assert not is_kazakh("адвокат") and not is_kazakh("notarius")
    assert kk_stem(skeleton("нотариустарымызға")) == "notarius"


def test_the_database_table_is_the_dictionary(app):
    """Seeded at start; a staff change (committed, then concepts_changed) takes effect at once
    and queues every profile for reindexing."""
    from portal.core.extensions import db
    from portal.models.search import SearchConcept, SearchOutbox
    from portal.services import search

    with app.app_context():
        assert db.session.query(SearchConcept).count() >= 150
        row = db.session.query(SearchConcept).filter_by(code="divorce").one()
        original = row.phrases_ru
        row.phrases_ru += "\nразбежаться с мужем"
        before = db.session.query(SearchOutbox).count()
        search.concepts_changed()
        assert db.session.query(SearchOutbox).count() > before  # queued in the transaction...
        db.session.commit()  # ...and applied right after the commit (SEARCH_SYNC inline)
        assert "qqdivorce" in tokens("разбежаться с мужем")
        row.active = False
        db.session.commit()
        concepts.invalidate()
        assert "qqdivorce" not in tokens("развод")
        row.active = True
        row.phrases_ru = original
        db.session.commit()
        concepts.invalidate()
        assert "qqdivorce" in tokens("развод")
