"""Issue 19, answering and after the selection, through the HTTP client: amounts
as people type them, the feed's excerpt, the selection's confirmation, the
next-step block, the practitioner's "the work is done", one date format, the
place shown once and the star control of the review form."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.core.extensions import db
from portal.models.exchange import Offer, OfferStatus, RequestStatus, ServiceRequest
from portal.services.exchange import offers as offers_service
from portal.services.exchange import request_lifecycle
from portal.services.exchange import requests as requests_service
from tests import factories as f

LONG = ("Мне нужна помощь адвоката по спору о наследстве квартиры в Алматы. Брат отказывается делить "
        "имущество, нотариус выдал свидетельство только на одну долю, и теперь нужно идти в суд. "
        "Документы есть, нужен совет и представительство.")


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


def _text(response) -> str:
    return response.get_data(as_text=True)


def _scene(sm, locale="en", offers=1, description="Описание моей ситуации для юриста.", city="Алматы"):
    client = f.make_user(sm, locale=locale, first_name="Динара", last_name="Сапарова", phone="+77087599694")
    pros = [f.make_practitioner(sm, region_codes=("KZ-75",), first_name=f"Практик{i}") for i in range(offers)]
    for p in pros:
        p.user.locale = locale
    db.session.commit()
    req = requests_service.create(client, f.request_input(description=description, city=city), publish=True)
    made = [offers_service.make(p.user, req.id, f.offer_input(price=40000 + 1000 * i)) for i, p in enumerate(pros)]
    return client, pros, req, made


# --- 1. amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["70 000", "70\u00a0000", "70\u202f000", "70000 ₸", "70 000 тг", "70 000 тенге",
                                   "70.000", "70,000", "70000.00"])
def test_an_offer_price_as_people_write_it(sm, client, login_as, typed):
    _, pros, req, _ = _scene(sm, offers=0)
    pro = f.make_practitioner(sm, region_codes=("KZ-75",))
    login_as(pro.user)
    response = client.post(f"/requests/{req.id}/offer", data={"price": typed, "price_kind": "fixed",
                                                                "term_days": "5", "message": "Готов"})
    assert response.status_code == 302, _text(response)[:3000]
    db.session.expire_all()
    assert db.session.scalars(select(Offer).where(Offer.request_id == req.id)).one().price == 70000


@pytest.mark.parametrize("typed, message", [
    ("abc", "Enter the amount in tenge as digits"), ("-70 000", "cannot be negative"),
    ("70000,50", "without tiyn"), ("5 000 000 000", "too large"),
])
def test_a_bad_price_is_refused_with_its_reason_and_kept(sm, client, login_as, typed, message):
    _, _, req, _ = _scene(sm, offers=0)
    pro = f.make_practitioner(sm, region_codes=("KZ-75",))
    pro.user.locale = "en"
    db.session.commit()
    login_as(pro.user)
    page = _text(client.post(f"/requests/{req.id}/offer", data={"price": typed, "price_kind": "fixed"}))
    assert message in page
    assert f'value="{typed}"' in page and 'type="text" id="price"' in page
    assert f.row_count(Offer, request_id=req.id) == 0


def test_the_request_budget_takes_spaces_and_the_tenge_sign(sm, client, login_as):
    customer = f.make_user(sm, locale="en")
    login_as(customer)
    data = {"category_id": str(f.category().id), "region_id": str(f.region().id), "title": "Бюджет с пробелом",
            "description": "Нужна помощь по спору о наследстве, документы есть.", "city": "Алматы",
            "budget": "150 000 ₸", "action": "save"}
    assert client.post("/requests/new", data=data).status_code == 302
    db.session.expire_all()
    req = db.session.scalars(select(ServiceRequest).where(ServiceRequest.title == "Бюджет с пробелом")).one()
    assert req.budget == 150000
    assert 'value="150 000"' in _text(client.get(f"/requests/{req.id}/edit"))


# --- 2. the feed's excerpt -------------------------------------------------------------------


def test_feed_cards_show_a_short_excerpt_cut_on_a_word(sm, client, login_as):
    _, pros, req, _ = _scene(sm, offers=1, description=LONG)
    login_as(pros[0].user)
    page = _text(client.get("/feed/"))
    match = re.search(r'<p class="feed-card-excerpt">([^<]*)</p>', page)
    assert match, "no excerpt on the feed card"
    excerpt = match.group(1)
    assert excerpt.endswith("…") and len(excerpt) <= 161
    assert LONG.startswith(excerpt[:-1].rstrip()) and LONG[len(excerpt[:-1].rstrip())] == " "  # a whole word


# --- 3. the selection's confirmation ------------------------------------------------------------


def test_the_confirmation_says_nothing_of_other_offers_when_there_are_none(sm, client, login_as):
    customer, _, req, made = _scene(sm, offers=1)
    login_as(customer)
    page = _text(client.get(f"/requests/{req.id}/select/{made[0].id}"))
    assert "(0)" not in page and "declined" not in page
    assert "The request goes to work with" in page


def test_the_confirmation_counts_the_other_offers_with_a_plural(sm, client, login_as):
    customer, _, req, made = _scene(sm, offers=3)
    login_as(customer)
    page = _text(client.get(f"/requests/{req.id}/select/{made[0].id}"))
    assert "the other 2 active offers will be declined" in page
    customer2, _, req2, made2 = _scene(sm, offers=2)
    login_as(customer2)
    page = _text(client.get(f"/requests/{req2.id}/select/{made2[0].id}"))
    assert "the other 1 active offer will be declined" in page and "(1)" not in page


# --- 4. the next step, 5. the actions at the top ----------------------------------------------------


def test_after_selection_both_sides_see_the_next_step_with_contacts(sm, client, login_as):
    customer, pros, req, made = _scene(sm, offers=2)
    login_as(customer)
    assert 'class="next-step"' not in _text(client.get(f"/requests/{req.id}"))
    assert client.post(f"/requests/{req.id}/select/{made[0].id}").status_code == 302
    page = _text(client.get(f"/requests/{req.id}"))
    block = page[page.index('<section class="next-step"'):]
    block = block[:block.index("</section>")]
    chosen = pros[0].user
    assert "Next step" in block and f"Write to {pros[0].name}" in block
    assert f'action="/threads/open?request={req.id}&amp;profile={pros[0].id}"' in block
    assert chosen.full_name in block and f'href="mailto:{chosen.email}"' in block
    assert "+7 701 234 56 78" in block and 'href="tel:+77012345678"' in block
    assert "mark the request completed" in block
    # the next step comes before the description, the actions before the next step
    assert page.index('class="request-actions"') < page.index('class="next-step"') < page.index(
        'class="request-description"')
    assert page.index("Mark completed") < page.index('class="request-description"')

    login_as(chosen)
    page = _text(client.get(f"/requests/{req.id}"))
    assert 'class="next-step"' in page and "Write to the client" in page
    assert customer.full_name in page and "+7 708 759 96 94" in page and f"mailto:{customer.email}" in page
    login_as(pros[1].user)  # the declined practitioner: nothing to do, no contacts
    page = _text(client.get(f"/requests/{req.id}"))
    assert 'class="next-step"' not in page and customer.email not in page


def test_the_next_step_links_the_conversation_once_it_exists(sm, client, login_as):
    customer, pros, req, made = _scene(sm, offers=1)
    request_lifecycle.select_offer(customer, req.id, made[0].id)
    login_as(pros[0].user)
    assert client.post(f"/threads/open?request={req.id}").status_code == 302
    page = _text(client.get(f"/requests/{req.id}"))
    assert re.search(r'<section class="next-step".*?<a class="btn btn-primary" href="/threads/\d+">', page, re.S)


# --- 8. the practitioner confirms the work is done --------------------------------------------------


def test_asking_for_completion_needs_the_work_done_box(sm, client, login_as):
    customer, pros, req, made = _scene(sm, offers=1)
    request_lifecycle.select_offer(customer, req.id, made[0].id)
    login_as(pros[0].user)
    page = _text(client.get(f"/requests/{req.id}"))
    form = re.search(r'<form[^>]*action="/requests/\d+/ask-completion".*?</form>', page, re.S).group(0)
    assert 'type="checkbox" name="work_done" value="1" required' in form and "I confirm the work is done" in form
    response = client.post(f"/requests/{req.id}/ask-completion")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).completion_requested_at is None
    assert 'I confirm the work is done' in _text(client.get(f"/requests/{req.id}"))  # the flash says why
    assert client.post(f"/requests/{req.id}/ask-completion", data={"work_done": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).completion_requested_at is not None


def test_the_service_refuses_without_the_confirmation(sm):
    from portal.core.errors import ServiceError

    customer, pros, req, made = _scene(sm, offers=1)
    request_lifecycle.select_offer(customer, req.id, made[0].id)
    with f.fails_without_change(req, field="work_done"):
        request_lifecycle.request_completion(pros[0].user, req.id, work_done=False)
    assert request_lifecycle.request_completion(pros[0].user, req.id, work_done=True).completion_requested_at
    with pytest.raises(ServiceError):
        request_lifecycle.request_completion(pros[0].user, req.id, work_done=True)


# --- 6. one date format, 7. the place once ----------------------------------------------------------

SHORT_DATE = re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_one_date_format_on_the_request_page_and_the_feed(sm, client, login_as, locale):
    import datetime as dt

    customer, pros, req, made = _scene(sm, locale=locale, offers=2)
    req.desired_date = dt.date(2026, 11, 29)
    db.session.commit()
    request_lifecycle.select_offer(customer, req.id, made[0].id)
    login_as(customer)
    page = _text(client.get(f"/requests/{req.id}"))
    body = page[page.index('request-page"'):]
    assert not SHORT_DATE.search(body), SHORT_DATE.search(body).group(0)
    month = {"kk": "қар.", "ru": "нояб."}[locale]
    assert f"29 {month}" in body or f"2026 ж. 29 {month}" in body
    published = req.published_at
    assert re.search(r"\d{2}:\d{2}", body)  # moments carry the time
    assert str(published.year) in body


def test_the_feed_uses_the_same_dates(sm, client, login_as):
    _, pros, req, _ = _scene(sm, locale="ru", offers=1)
    login_as(pros[0].user)
    page = _text(client.get("/feed/"))
    body = page[page.index('class="col-xs-12 feed-page"'):]
    assert not SHORT_DATE.search(body) and re.search(r"\d{4}\sг\., \d{2}:\d{2}", body)


@pytest.mark.parametrize("city, shown, hidden", [
    ("Алматы", "<dd class=\"request-place\">г. Алматы</dd>", "г. Алматы, Алматы"),
    ("г. Алматы", "<dd class=\"request-place\">г. Алматы</dd>", "Алматы, г. Алматы"),
    ("", "<dd class=\"request-place\">г. Алматы</dd>", "г. Алматы,"),
    ("Каскелен", "<dd class=\"request-place\">Каскелен, г. Алматы</dd>", None),
])
def test_the_place_is_shown_once(sm, client, login_as, city, shown, hidden):
    customer, _, req, _ = _scene(sm, locale="ru", offers=0, city=city)
    login_as(customer)
    page = _text(client.get(f"/requests/{req.id}"))
    assert shown in page
    if hidden:
        assert hidden not in page
        assert hidden not in _text(client.get("/requests/"))


@pytest.mark.parametrize("lang, city, shown", [
    ("kk", "Караганда", "Қарағанды, Қарағанды облысы"),
    ("ru", "Караганда", "Караганда, Карагандинская область"),
    ("kk", "г. Караганда", "Қарағанды, Қарағанды облысы"),
    ("kk", "Теміртау", "Теміртау, Қарағанды облысы"),
    ("kk", "Алматы", "Алматы қаласы"),
    ("ru", "", "Карагандинская область"),
])
def test_the_place_is_in_the_page_language(app, lang, city, shown):
    from flask_babel import force_locale

    from portal.models.catalog import Region
    from portal.models.exchange import ServiceRequest

    code = "KZ-75" if city == "Алматы" else "KZ-35"
    with app.test_request_context("/"), force_locale(lang):
        region = db.session.scalars(db.select(Region).where(Region.code == code)).one()
        assert ServiceRequest(region=region, city=city).place == shown


# --- 9. the star control ---------------------------------------------------------------------------


def test_the_review_rating_is_a_star_radio_group(sm, client, login_as):
    customer, pros, req, made = _scene(sm, offers=1)
    request_lifecycle.select_offer(customer, req.id, made[0].id)
    request_lifecycle.complete(customer, req.id)
    login_as(customer)
    page = _text(client.get(f"/requests/{req.id}"))
    group = re.search(r'<fieldset class="form-group star-rating[^"]*"[^>]*>(.*?)</fieldset>', page, re.S)
    assert group, "no star fieldset"
    html = group.group(1)
    assert re.search(r"<legend[^>]*>Rating</legend>", html)
    radios = re.findall(r'<input class="star-rating-input" type="radio" id="(rating-\d)" name="rating" value="(\d)"',
                        html)
    assert [v for _, v in radios] == ["1", "2", "3", "4", "5"]
    for rid, value in radios:
        label = re.search(rf'<label class="star-rating-star" for="{rid}">(.*?)</label>', html, re.S).group(1)
        assert 'aria-hidden="true"' in label and f'<span class="sr-only">{value} of 5</span>' in label
    # the choice survives a refused submission
    response = client.post(f"/requests/{req.id}/review", data={"rating": "4", "comment": "x" * 4000})
    assert re.search(r'value="4" required checked', _text(response))
    assert client.post(f"/requests/{req.id}/review", data={"rating": "4", "comment": "Хорошо"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).review.rating == 4
    assert db.session.get(ServiceRequest, req.id).status == RequestStatus.COMPLETED
    assert db.session.get(Offer, made[0].id).status == OfferStatus.ACCEPTED
