"""The search evaluation set (bench/search_eval) is well formed: enough queries in
every group, judgements that name real fixture profiles, a fixture written with
the catalog's own codes. The scores themselves are measured by
bench/search_eval.py and are not pinned here."""
from __future__ import annotations

from collections import Counter

from bench.search_eval.fixture import BY_KEY, PEOPLE
from bench.search_eval.queries import GROUPS, QUERIES
from portal.services.catalog import CATEGORIES, REGIONS, SPECIALIZATIONS


def test_the_fixture_has_sixty_practitioners_of_every_category():
    assert len(PEOPLE) >= 60
    assert len(BY_KEY) == len(PEOPLE), "fixture keys are unique"
    assert {p.category for p in PEOPLE} == set(SPECIALIZATIONS)
    names = Counter((p.first, p.last) for p in PEOPLE)
    assert max(names.values()) == 1, "every practitioner has a name of their own"


def test_the_fixture_uses_the_catalog_codes():
    regions = {row[0] for row in REGIONS}
    categories = {row[0] for row in CATEGORIES}
    for p in PEOPLE:
        codes = {row[0] for row in SPECIALIZATIONS[p.category]}
        assert p.category in categories, p.key
        assert p.region in regions, p.key
        assert p.specs and set(p.specs) <= codes, p.key
        assert p.about_ru or p.about_kk, p.key
        assert set(p.languages.split(",")) <= {"kk", "ru", "en"}, p.key
        assert 0 <= p.rating <= 5 and p.reviews >= 0, p.key


def test_at_least_150_queries_in_every_group():
    assert len(QUERIES) >= 150
    per_group = Counter(q.group for q in QUERIES)
    assert set(per_group) == set(GROUPS)
    assert min(per_group.values()) >= 8, per_group


def test_every_judgement_names_fixture_profiles_with_a_grade():
    for q in QUERIES:
        assert q.relevant, q.label
        assert set(q.relevant) <= set(BY_KEY), (q.label, set(q.relevant) - set(BY_KEY))
        assert set(q.relevant.values()) <= {1, 2} and 2 in q.relevant.values(), q.label
        assert set(q.filters) <= {"region", "category"}, q.label
        assert q.text or q.filters, q.label


def test_filters_agree_with_the_judgements():
    # a filtered query's relevant profiles pass its own filters
    for q in QUERIES:
        for key in q.relevant:
            person = BY_KEY[key]
            assert q.filters.get("region", person.region) == person.region, (q.label, key)
            assert q.filters.get("category", person.category) == person.category, (q.label, key)


def test_queries_are_not_repeated():
    seen = Counter((q.text, tuple(sorted(q.filters.items()))) for q in QUERIES)
    assert max(seen.values()) == 1, [k for k, n in seen.items() if n > 1]
