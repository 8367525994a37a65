"""The request form (issue 19, "Filing a request"): only the chosen category's
specializations (without JavaScript: after the category is chosen), a
specialization of another category refused on its field, the neutral hint about
categories that take no requests, the form's sections, and "sent to N
practitioners" after publishing, with N from the service that notified them."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.models.exchange import RequestStatus, ServiceRequest
from portal.models.notifications import Notification
from portal.models.practitioners import ProfileStatus
from portal.services.exchange import requests as requests_service
from tests import factories
from tests.factories import make_practitioner, make_profile, make_user, unique_email

MULTIPART = "multipart/form-data"
SPEC_BOX = re.compile(r'name="specialization_ids" value="(\d+)"')


@pytest.fixture
def sm(app):
    return app.appbuilder.sm


def _user(sm, locale="en", roles=("Client",)):
    return make_user(sm, roles, locale=locale, last_name=unique_email("c").split("@")[0])


def _text(response) -> str:
    return response.get_data(as_text=True)


def _spec_ids(category_code: str) -> set[int]:
    return {s.id for s in factories.category(category_code).specializations}


def _listed(page: str) -> set[int]:
    """The specialization checkboxes of the page (the JSON data block has no such markup)."""
    return {int(i) for i in SPEC_BOX.findall(page)}


def _form(title: str, category="advocate", region="KZ-75", **extra) -> dict:
    data = {"category_id": str(factories.category(category).id), "region_id": str(factories.region(region).id),
            "title": title, "description": "Нужна помощь по спору о наследстве, документы есть.",
            "city": "", "budget": "", "desired_date": "", "action": "publish"}
    data.update(extra)
    return data


def _flashes(client, response) -> str:
    """The flash messages of the page a redirect leads to."""
    assert response.status_code == 302, _text(response)[:500]
    page = _text(client.get(response.headers["Location"]))
    block = re.search(r'<div class="flashes".*?</div>', page, re.S)
    assert block, "no flash message"
    return re.sub(r"\s+", " ", block.group(0))


def _by_title(title: str) -> ServiceRequest | None:
    db.session.expire_all()
    return db.session.scalars(select(ServiceRequest).where(ServiceRequest.title == title)).first()


# --- only the chosen category's specializations ------------------------------------------------


def test_the_form_lists_only_the_chosen_category_specializations(app, client, login_as, sm):
    login_as(_user(sm))
    advocate, notary = factories.category("advocate"), factories.category("notary")
    assert _spec_ids("advocate") and _spec_ids("notary")

    # no category yet: no specialization at all, a hint and the no-JavaScript "Continue" button
    page = _text(client.get("/requests/new"))
    assert _listed(page) == set()
    assert "Choose a category to see its specializations." in page
    assert 'name="action" value="category"' in page and "Continue" in page

    # the category from the URL (a link, or the category step sent with GET)
    page = _text(client.get(f"/requests/new?category={advocate.id}"))
    assert _listed(page) == _spec_ids("advocate")
    assert re.search(rf'<option value="{advocate.id}"[^>]*\sselected', page)

    # "Continue" after choosing another category: its specializations, what was typed kept, nothing saved
    title = f"Смена категории {unique_email('t')}"
    response = client.post("/requests/new", data=_form(title, category="notary", action="category",
                                                       specialization_ids=[str(min(_spec_ids("advocate")))]))
    page = _text(response)
    assert response.status_code == 200 and _listed(page) == _spec_ids("notary")
    assert f'value="{title}"' in page and "field-error" not in page and "Please correct" not in page
    assert _by_title(title) is None

    # a garbage or unknown ?category= is ignored; a category taking no requests lists nothing
    bailiff = factories.category("bailiff")
    for value in ("abc", "999999", str(bailiff.id)):
        page = _text(client.get(f"/requests/new?category={value}"))
        assert _listed(page) == set(), value

    # JavaScript gets every category's list as data (CSP: the page's nonce), not as checkboxes
    response = client.get(f"/requests/new?category={notary.id}")
    page = _text(response)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    data = re.search(r'<script type="application/json" id="request-form-specs" nonce="([^"]+)">(.*?)</script>',
                     page, re.S)
    assert data and data.group(1) == nonce
    assert f'"{advocate.id}":' in data.group(2) and "js/request_form.js" in page


def test_the_edit_page_the_target_and_the_visitor_form_list_one_category(app, client, login_as, sm):
    owner = _user(sm)
    req = requests_service.create(owner, factories.request_input("notary"))
    login_as(owner)
    assert _listed(_text(client.get(f"/requests/{req.id}/edit"))) == _spec_ids("notary")

    target = make_practitioner(sm, category_code="expert")
    assert _listed(_text(client.get(f"/requests/new?profile={target.id}"))) == _spec_ids("expert")

    client.post("/logout/")
    advocate = factories.category("advocate")
    page = _text(client.get(f"/requests/new?category={advocate.id}&_l_=en"))
    assert _listed(page) == _spec_ids("advocate")
    page = _text(client.post("/requests/new?_l_=en", content_type=MULTIPART,
                             data=_form("Посетитель меняет", category="notary", action="category")))
    assert _listed(page) == _spec_ids("notary")


# --- a specialization of another category ---------------------------------------------------------


def test_a_specialization_of_another_category_is_refused_on_its_field(app, client, login_as, sm):
    login_as(_user(sm))
    notary_spec = min(_spec_ids("notary"))
    for value in (str(notary_spec), "abc", "999999"):
        title = f"Чужая специализация {unique_email('t')}"
        response = client.post("/requests/new", data=_form(title, specialization_ids=[value]))
        page = _text(response)
        assert response.status_code == 200, value
        help_block = re.search(r'<div id="specialization_ids-help">(.*?)</div>', page, re.S)
        assert help_block and "Choose specializations of the selected category." in help_block.group(1), value
        assert re.search(r'<fieldset class="spec-choice has-error"[^>]*aria-describedby="specialization_ids-help"',
                         page), value
        assert _listed(page) == _spec_ids("advocate"), value  # the list is the chosen category's again
        assert _by_title(title) is None

    # the same rule for a visitor, and in the service itself
    client.post("/logout/")
    page = _text(client.post("/requests/new?_l_=en", data=_form("Посетитель ошибся", specialization_ids=[
        str(notary_spec)])))
    assert "Choose specializations of the selected category." in page and _listed(page) == _spec_ids("advocate")
    with pytest.raises(ServiceError) as err:
        requests_service.check_input(factories.request_input("advocate", specialization_ids=[notary_spec]))
    assert err.value.field == "specialization_ids"


# --- the page itself ---------------------------------------------------------------------------------


def test_the_form_is_in_sections_with_a_neutral_hint_and_optional_fields_marked(client, login_as, sm):
    login_as(_user(sm))
    page = _text(client.get(f"/requests/new?category={factories.category('advocate').id}"))
    legends = re.findall(r'<legend class="form-section-title">.*?</span>\s*(.*?)</legend>', page, re.S)
    assert legends == ["What you need", "Details", "Where and when", "Budget", "Files"]
    for field in ("city", "desired_date", "budget", "attachments"):
        label = re.search(rf'<label class="control-label" for="{field}">(.*?)</label>', page, re.S).group(1)
        assert "(optional)" in label, field
    for field in ("title", "description", "region_id"):
        label = re.search(rf'<label class="control-label" for="{field}">(.*?)</label>', page, re.S).group(1)
        assert "(optional)" not in label, field
    assert re.search(r'<details class="form-tip">\s*<summary>', page)  # the long help is collapsed

    # the categories that take no requests: a hint with a link to the directory, not an error-like help block
    hint = re.search(r'<p class="form-hint">(Not through requests here:.*?)</p>', page, re.S)
    assert hint and re.search(r'href="[^"]*/practitioners/category/bailiff"', hint.group(1))
    assert "Private bailiff" in hint.group(1)
    # even when the category has an error, the hint is outside the red block
    page = _text(client.post("/requests/new", data=_form("Без категории", category_id="")))
    assert "Choose a category." in page
    assert re.search(r'</div>\s*<p class="form-hint">Not through requests here:', page)


# --- "sent to N practitioners" ---------------------------------------------------------------------


def _matching_world(sm, region="KZ-75"):
    """Three verified advocates of ``region``, and practitioners the request must not go to."""
    for _ in range(3):
        make_practitioner(sm, category_code="advocate", region_codes=(region,))
    make_practitioner(sm, category_code="advocate", region_codes=("KZ-55",))  # another region
    make_practitioner(sm, category_code="notary", region_codes=(region,))  # another category
    make_practitioner(sm, category_code="advocate", region_codes=(region,), status=ProfileStatus.SUSPENDED)


def _new_request_notifications(req_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "new_request", Notification.link == f"/requests/{req_id}"))


def test_the_service_returns_how_many_practitioners_it_notified(app, sm):
    _matching_world(sm)
    client_user = _user(sm)
    req = requests_service.create(client_user, factories.request_input("advocate"), publish=True)
    assert req.sent_to == 3 == _new_request_notifications(req.id)
    draft = requests_service.create(client_user, factories.request_input("advocate", title="Черновик запроса"))
    assert draft.sent_to is None
    published = requests_service.publish(client_user, draft.id)
    assert published.sent_to == 3 == _new_request_notifications(draft.id)
    nobody = requests_service.create(client_user, factories.request_input("advocate", region_code="KZ-47"),
                                     publish=True)
    assert nobody.sent_to == 0 == _new_request_notifications(nobody.id)


def test_publishing_says_how_many_practitioners_it_was_sent_to(app, client, login_as, sm):
    _matching_world(sm)
    login_as(_user(sm))
    title = f"Отправлено троим {unique_email('t')}"
    flashes = _flashes(client, client.post("/requests/new", data=_form(title)))
    assert "Your request was published and sent to 3 practitioners (Almaty)." in flashes
    assert _by_title(title).status == RequestStatus.OPEN

    # a draft published later, from the form and from the request page
    for via_edit in (True, False):
        title = f"Черновик {unique_email('t')}"
        assert client.post("/requests/new", data=_form(title, action="draft")).status_code == 302
        req = _by_title(title)
        if via_edit:
            response = client.post(f"/requests/{req.id}/edit", data=_form(title, action="publish"))
        else:
            response = client.post(f"/requests/{req.id}/publish")
        assert "sent to 3 practitioners (Almaty)." in _flashes(client, response)


def test_one_practitioner_none_and_the_region_in_the_page_language(app, client, login_as, sm):
    make_practitioner(sm, category_code="advocate", region_codes=("KZ-62",))
    login_as(_user(sm))
    flashes = _flashes(client, client.post("/requests/new", data=_form("Одному адвокату", region="KZ-62")))
    assert "sent to 1 practitioner (Ulytau Region)." in flashes

    # nobody yet: said plainly, as information, with what happens next
    spec = str(min(_spec_ids("advocate")))
    flashes = _flashes(client, client.post("/requests/new", data=_form(
        "Никому пока", region="KZ-47", specialization_ids=[spec])))
    assert 'alert-info' in flashes and "no verified practitioner in Mangystau Region matches it yet" in flashes
    assert "see it in their feed" in flashes and "Fewer specializations" in flashes

    # the region's name in the user's language
    login_as(_user(sm, locale="kk"))
    flashes = _flashes(client, client.post("/requests/new", data=_form("Қазақша бет", region="KZ-62")))
    assert "Ұлытау облысы" in flashes and "Ulytau" not in flashes


def test_a_request_to_one_practitioner_names_them(app, client, login_as, sm):
    target = make_practitioner(sm, category_code="advocate", first_name="Алмас")
    login_as(_user(sm))
    response = client.post(f"/requests/new?profile={target.id}", data=_form(
        "Лично Алмасу", target_profile_id=str(target.id)))
    assert "Your request was sent to Алмас" in _flashes(client, response)


def test_the_visitor_who_registers_at_submit_is_told_the_count(app, client, sm):
    user = make_user(sm, ("Client", "Practitioner"), first_name="Алмас")
    make_profile(user, category_code="advocate", region_code="KZ-62")
    response = client.post("/requests/new?_l_=en", content_type=MULTIPART, data=_form(
        "Посетитель публикует", region="KZ-62", desired_date=(dt.date.today() + dt.timedelta(days=5)).isoformat(),
        attachments=[(io.BytesIO(b"%PDF-1.4 x\n%%EOF"), "a.pdf")]))
    assert response.status_code == 302
    registered = client.post("/register/form?next=/requests/new?continue=1", data={
        "full_name": "Айгерім Сапарова", "phone": "8 701 234 56 78", "password": "Strong-pass-7",
        "conf_password": "Strong-pass-7", "locale": "en", "agree": "y", "email": unique_email("visitor")})
    assert "sent to 1 practitioner (Ulytau Region)." in _flashes(client, registered)
