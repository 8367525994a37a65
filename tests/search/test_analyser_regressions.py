"""Index and query forms meet across scripts: every word is indexed under its stemmed
term and its script-independent base form, and a query word's group holds both."""
from __future__ import annotations

import pytest

from portal.search.normalize import forms, term
from portal.search.parsing import highlight, parse_query
from portal.search.phrases import analyze


def meets(query: str, document: str) -> bool:
    """Every group of ``query`` has an exact token among the document's tokens."""
    indexed = set(analyze(document))
    groups = parse_query(query).groups
    return bool(groups) and all(set(g.exact) & indexed for g in groups)


NAMES = [
    ("Жұмабеков", "Жумабеков"), ("Жұмабеков", "Zhumabekov"), ("Жұмабеков", "Jumabekov"),
    ("Жумабеков", "Zhumabekov"), ("Жұмабекова", "Zhumabekova"),
    ("Әбдірахманова", "Абдирахманова"), ("Әбдірахманова", "Abdirakhmanova"),
    ("Абдирахманова", "Abdirakhmanova"),
]


@pytest.mark.parametrize("document, query", NAMES + [(b, a) for a, b in NAMES])
def test_names_meet_across_kazakh_russian_and_latin_spellings(document, query):
    assert meets(query, f"Адвокат {document} Ержан"), (query, document, forms(query), forms(document))


@pytest.mark.parametrize("query, document", [
    ("doverennost", "Оформляю доверенность на продажу"),
    ("доверенность", "doverennost"),
    ("certified translation", "Certified translation of diplomas"),
    ("уволили", "Незаконно уволен с работы"),
    ("разводиться", "Помощь при разводе, раздел имущества"),
])
def test_translit_and_english_meet(query, document):
    assert meets(query, document)


@pytest.mark.parametrize("a, b", [
    ("уволили", "уволил"), ("уволил", "уволен"), ("разводиться", "развод"), ("развода", "развод"),
    ("doverennost", "доверенность"),
])
def test_the_stemmer_still_joins_russian_forms(a, b):
    assert term(a) == term(b)
    assert set(forms(a)) & set(forms(b))


@pytest.mark.parametrize("word, stem", [
    ("нотариустарға", "notarius"), ("ажырасқым", "ajiras"), ("сенімхаттар", "senimhat"),
    ("адвокаттар", "advokat"),
])
def test_the_kazakh_suffix_table_still_gives_the_first_form(word, stem):
    assert forms(word)[0] == stem


def test_a_word_has_at_most_two_forms_and_stop_words_none():
    assert forms("и") == () and forms("және") == ()
    assert forms("2024") == ("2024",)
    assert all(1 <= len(forms(w)) <= 2 for w in ("Жұмабеков", "Zhumabekov", "нотариус", "lawyer"))


def test_a_group_holds_every_form_and_highlight_marks_the_other_script():
    group = parse_query("Zhumabekov").groups[0]
    assert set(forms("Жұмабеков")) & set(group.exact)
    marked = highlight("Адвокат Жұмабеков Ержан", parse_query("Zhumabekov"))
    assert marked is not None and "<mark>Жұмабеков</mark>" in marked


@pytest.mark.parametrize("text, groups", [
    ("меня уволили", 1), ("мне нужен нотариус", 1), ("как оформить наследство", 1),
    ("мені жұмыстан шығарып жіберді", 1), ("my husband does not pay child support", 3),
])
def test_pronouns_and_fillers_of_a_plain_story_are_not_words_to_match(text, groups):
    # "меня" matched nobody, so "меня уволили" told the visitor that no profile had all the words
    parsed = parse_query(text)
    assert len(parsed.groups) == groups, parsed.groups
    assert not any(t in g.exact for g in parsed.groups for t in ("mena", "men", "does", "not", "nujen"))
