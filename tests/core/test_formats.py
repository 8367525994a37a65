"""Order and format per language (issue 18, item 4): lists sorted by the collation of
the page's language (ICU), dates with four-digit years and no leading zero in Kazakh
day numbers, prices through the money formatter, file sizes with translated units."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from flask_babel import force_locale

from portal.core import collation, formats
from portal.core.amounts import format_money
from portal.core.extensions import db
from portal.models.catalog import Region
from portal.models.exchange import Attachment
from portal.services.notifications import kinds
from portal.services.practitioners import profiles
from tests.factories import make_request, make_user

KAZAKH_ALPHABET = "А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я".split()
CITIES = ("KZ-75", "KZ-71", "KZ-79")
NBSP = "\u00a0"


# --- collation ------------------------------------------------------------------------------------

def test_kazakh_collation_follows_the_kazakh_alphabet():
    shuffled = sorted(KAZAKH_ALPHABET)  # code point order: Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І after Я
    assert shuffled != KAZAKH_ALPHABET
    assert sorted(shuffled, key=collation.sort_key("kk")) == KAZAKH_ALPHABET


@pytest.mark.parametrize("before, after", [
    ("Алматы", "Әділет"), ("Әділет", "Бала"), ("Кітап", "Қарағанды"), ("Қарағанды", "Луг"),
    ("Орал", "Өскемен"), ("Өскемен", "Павлодар"), ("Утро", "Ұлытау"), ("Ұлытау", "Үй"), ("Үй", "Фото"),
    ("Ыстық", "Іле"), ("Іле", "Ьь"), ("Гүл", "Ғалым"), ("Ғалым", "Дос"), ("Нұр", "Ңң"), ("Хан", "Һһ"),
    ("Ақтөбе облысы", "Алматы облысы"),  # Қ is a letter of its own, between К and Л
])
def test_kazakh_letters_sort_after_their_base_letter(before, after):
    key = collation.sort_key("kk")
    assert key(before) < key(after)
    assert key(before.lower()) < key(after.lower())


def test_russian_collation_treats_yo_as_e_and_ignores_case():
    key = collation.sort_key("ru")
    # ё is е with a mark (a secondary difference): "ёж" before "Ель" as ж < л; code points put ё after я
    assert sorted(["ель", "яма", "Абай", "жук", "ёж"], key=key) == ["Абай", "ёж", "ель", "жук", "яма"]
    assert key("Іле") < key("Кітап")  # in Russian, І sorts beside И, not after Я as in Kazakh
    assert collation.sort_key("kk")("Іле") > collation.sort_key("kk")("Кітап")


def test_sorted_by_name_reads_the_name_in_the_given_language_and_keeps_a_first_group(app):
    rows = [Region(code="A", name_kk="Ұлытау облысы", name_ru="Область Ұлытау"),
            Region(code="B", name_kk="Ақмола облысы", name_ru="Акмолинская область"),
            Region(code="C", name_kk="Шымкент қаласы", name_ru="г. Шымкент")]
    assert [r.code for r in collation.sorted_by_name(rows, locale="kk")] == ["B", "A", "C"]
    assert [r.code for r in collation.sorted_by_name(rows, locale="ru")] == ["B", "C", "A"]
    assert [r.code for r in collation.sorted_by_name(rows, locale="ru", first=lambda r: r.code == "C")] == \
        ["C", "B", "A"]
    assert collation.sorted_by_name(["Өскемен", "Орал", "Павлодар"], locale="kk") == ["Орал", "Өскемен", "Павлодар"]


# --- sorted lists on pages ------------------------------------------------------------------------

def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [re.sub(r"\s+", " ", text).strip()
            for value, text in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select, re.S) if value]


def _expected_regions(locale: str) -> list[str]:
    key = collation.sort_key(locale)
    rows = db.session.query(Region).all()
    cities = sorted((r.tr("name", locale) for r in rows if r.code in CITIES), key=key)
    oblasts = sorted((r.tr("name", locale) for r in rows if r.code not in CITIES), key=key)
    return cities + oblasts


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_region_lists_follow_the_collation_of_the_page(client, locale):
    for path in (f"/{locale}/", f"/{locale}/practitioners/"):
        page = client.get(path).get_data(as_text=True)
        names = _options(page, "region")
        assert names == _expected_regions(locale), path
    old = [r.tr("name", locale) for r in db.session.query(Region).order_by(Region.sort_order)]
    assert names != old  # the old order followed the Russian names


def test_kazakh_region_list_puts_the_kazakh_letters_in_their_place(client):
    names = _options(client.get("/kk/practitioners/").get_data(as_text=True), "region")
    assert names[:3] == ["Алматы қаласы", "Астана қаласы", "Шымкент қаласы"]
    oblasts = names[3:]
    assert oblasts.index("Ақмола облысы") < oblasts.index("Алматы облысы") < oblasts.index("Атырау облысы")
    assert oblasts.index("Қарағанды облысы") < oblasts.index("Қостанай облысы") < oblasts.index("Қызылорда облысы")
    assert oblasts.index("Түркістан облысы") < oblasts.index("Ұлытау облысы") < oblasts.index("Шығыс Қазақстан облысы")
    assert oblasts.index("Батыс Қазақстан облысы") < oblasts.index("Жамбыл облысы")  # not by "Западно-…"


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_category_and_specialization_selects_follow_the_collation(client, locale):
    page = client.get(f"/{locale}/practitioners/?category=notary").get_data(as_text=True)
    key = collation.sort_key(locale)
    categories, specializations = _options(page, "category"), _options(page, "specialization")
    assert len(categories) == 5 and categories == sorted(categories, key=key)
    assert len(specializations) >= 5 and specializations == sorted(specializations, key=key)


def test_the_home_page_keeps_the_editors_order_of_category_cards(app):
    from portal.services import search

    with app.test_request_context("/kk/"), force_locale("kk"):
        cards = [c.code for c, _n in search.categories_with_counts()]
        listed = [c.code for c in profiles.categories()]
    assert cards == ["notary", "bailiff", "expert", "advocate", "consultant"]
    assert listed[0] == "advocate" and sorted(listed) == sorted(cards)


# --- dates ----------------------------------------------------------------------------------------

MARCH_5 = dt.datetime(2026, 3, 5, 14, 7, 30)


@pytest.mark.parametrize("locale, expected", [
    ("kk", {"short": "05.03.2026", "medium": "2026\u202fж. 5 нау.", "long": "2026\u202fж. 5 наурыз"}),
    ("ru", {"short": "05.03.2026", "medium": "5 мар. 2026\u202fг.", "long": "5 марта 2026\u202fг."}),
    ("en", {"short": "3/5/2026", "medium": "Mar 5, 2026", "long": "March 5, 2026"}),
])
def test_dates_have_four_digit_years_and_no_leading_zero_in_kazakh_days(app, locale, expected):
    with app.test_request_context("/"), force_locale(locale):
        for name, text in expected.items():
            assert formats.format_date(MARCH_5.date(), name) == text
        assert formats.format_date(MARCH_5.date()) == expected["medium"]  # the default
        short = formats.format_datetime(MARCH_5, "short", rebase=False)
        assert "2026" in short and ("14:07" in short or "2:07" in short) and ":30" not in short
        assert formats.format_datetime(MARCH_5, "medium", rebase=False) == f"{expected['medium']}, " + (
            "2:07\u202fPM" if locale == "en" else "14:07")
        assert formats.format_datetime(MARCH_5, "HH:mm", rebase=False) == "14:07"  # a pattern passes through
        assert formats.format_datetime(MARCH_5, "HH:mm") == "19:07"  # in the user's time zone (Almaty, UTC+5)


def test_templates_use_the_portal_date_formats(app):
    template = app.jinja_env.from_string("{{ format_date(d, 'short') }} | {{ format_datetime(d) }}")
    with app.test_request_context("/"), force_locale("kk"):
        assert template.render(d=MARCH_5) == "05.03.2026 | 2026\u202fж. 5 нау., 19:07"  # Almaty time


# --- money ----------------------------------------------------------------------------------------

def test_money_formatter_uses_no_break_spaces(app):
    with app.test_request_context("/"):
        assert format_money(150000, "kk") == f"150{NBSP}000{NBSP}₸"
        assert format_money(150000, "ru") == f"150{NBSP}000{NBSP}₸"
        assert format_money(1500, "en") == f"1,500{NBSP}₸"
        assert format_money(None, "ru") == ""
        template = app.jinja_env.from_string("{{ 70000|money }}")
        with force_locale("ru"):
            assert template.render() == f"70{NBSP}000{NBSP}₸"


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_price_in_a_notification_text_goes_through_the_money_formatter(app, locale):
    params = {"title": "Наследство", "name": "Айгерим", "price": 150000}
    with app.test_request_context("/"), force_locale(locale):
        title = kinds.title_for("new_offer", params)
    assert f"150{NBSP}000{NBSP}₸" in title
    assert "150000" not in title and "₸ ₸" not in title and title.count("₸") == 1


# --- file sizes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("locale, small, large", [
    ("kk", "12 КБ", "1,5 МБ"), ("ru", "12 КБ", "1,5 МБ"), ("en", "12 KB", "1.5 MB")])
def test_file_sizes_have_translated_units_and_local_numbers(app, locale, small, large):
    with app.test_request_context("/"), force_locale(locale):
        assert formats.format_filesize(12 * 1024 + 100) == small
        assert formats.format_filesize(3 * 512 * 1024) == large


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


@pytest.mark.parametrize("locale, unit", [("kk", "КБ"), ("ru", "КБ")])
def test_the_request_page_shows_attachment_sizes_in_the_page_language(client, login_as, sm, locale, unit):
    owner = make_user(sm, locale=locale)
    req = make_request(owner)
    db.session.add(Attachment(owner_id=owner.id, request_id=req.id, original_name="договор.pdf",
                              content_type="application/pdf", size=12 * 1024, storage_key=f"k-{locale}-{req.id}"))
    db.session.commit()
    page = login_as(owner).get(f"/requests/{req.id}").get_data(as_text=True)
    assert "договор.pdf" in page
    assert f"(12 {unit})" in page and " KB)" not in page
