"""The account page groups its links in sections with headings (profile,
requests and reviews, security, notifications, personal data) and keeps the
destructive action, closing the account, apart: alone in a "danger zone" at
the bottom, styled as destructive."""
from __future__ import annotations

from html.parser import HTMLParser

from tests.factories import make_profile, make_user


class Sections(HTMLParser):
    """Every <section> of the page: its id, class, heading and the links inside it."""

    def __init__(self):
        super().__init__()
        self.sections: list[dict] = []
        self._open: list[dict] = []
        self._in_h2: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            section = {"id": attrs.get("id"), "class": attrs.get("class") or "", "heading": "", "links": []}
            self.sections.append(section)
            self._open.append(section)
        elif tag == "h2" and self._open:
            self._in_h2 = self._open[-1]
        elif tag == "a" and self._open:
            self._open[-1]["links"].append((attrs.get("href") or "", attrs.get("class") or ""))

    def handle_endtag(self, tag):
        if tag == "section" and self._open:
            self._open.pop()
        elif tag == "h2":
            self._in_h2 = None

    def handle_data(self, data):
        if self._in_h2 is not None:
            self._in_h2["heading"] += data.strip()


def sections_of(http, lang="en") -> list[dict]:
    parser = Sections()
    parser.feed(http.get(f"/account/?_l_={lang}").get_data(as_text=True))
    return [s for s in parser.sections if (s["id"] or "").startswith("account-")]  # the page's own


def test_account_links_are_grouped_and_closing_stands_apart(app, login_as):
    http = login_as(make_user(app.appbuilder.sm, locale="en"))
    sections = sections_of(http)
    by_id = {s["id"]: s for s in sections}
    for group, heading in [("account-profile", "Profile"), ("account-security", "Security"),
                           ("account-notifications", "Notifications"), ("account-privacy", "My personal data")]:
        assert by_id[group]["heading"] == heading, group
    hrefs = {s["id"]: [href for href, _ in s["links"]] for s in sections}
    assert "/resetmypassword/form" in hrefs["account-security"]
    assert "/account/security/" in hrefs["account-security"]
    assert any(h.startswith("/notifications/settings") for h in hrefs["account-notifications"])
    assert "/account/export" in hrefs["account-privacy"]

    # "Close my account" is alone in the danger zone, the last section, and styled as destructive
    closing = [s["id"] for s in sections if any(h == "/account/close" for h in hrefs[s["id"]])]
    assert closing == ["account-danger"]
    danger = by_id["account-danger"]
    assert sections[-1] is danger and "account-danger" in danger["class"]
    assert danger["links"] == [("/account/close", "btn btn-danger")]
    assert danger["heading"] == "Danger zone"
    # no other section holds a destructive button
    for s in sections[:-1]:
        assert not any("btn-danger" in cls for _, cls in s["links"]), s["id"]


def test_practitioner_links_and_translations(app, login_as):
    practitioner = make_user(app.appbuilder.sm, ("Client", "Practitioner"), locale="ru")
    make_profile(practitioner)
    http = login_as(practitioner)
    sections = {s["id"]: s for s in sections_of(http, "ru")}
    activity = [href for href, _ in sections["account-activity"]["links"]]
    assert "/feed/" in activity and "/requests/reviews/received" in activity
    assert sections["account-security"]["heading"] == "Безопасность"
