"""Stored XSS, as a property: hostile text written into any user-writable field is shown
escaped on every page (and email) that shows it.

Hypothesis makes the text (``hostile``): script tags, attribute breakers, event handlers,
``javascript:`` URLs, template syntax and odd unicode, behind a unique marker and ``{{7*7}}``.
Each row of FIELDS (tests/contracts/xss_fields/, one module per domain) writes it once per example
into a fresh object, through the real HTTP form where there is one (else the service), and
names the pages that show it. Every such page is parsed (``assert_inert``): no element or attribute the text
could have made (a script without this response's CSP nonce, an ``on*`` attribute, a
``javascript:`` URL, <img src=x>, <svg>, <iframe>, the probe tags), the marker present (the
page really shows the value) and ``{{7*7}}`` still literal (never rendered as 49). The emails
the write queued are parsed the same way.

The module runs on a database of its own (SQLite file, or a throwaway PostgreSQL database
beside DATABASE_URL's), so the hostile rows never reach other test modules.
XSS_EXAMPLES (default 5) sets the Hypothesis examples per field."""
from __future__ import annotations

import os
import re
import secrets
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from config import TestConfig
from tests import factories
from tests.conftest import IsolatedClient, _postgres_throwaway, start_from_template
from tests.contracts.xss_fields import FIELDS, browser

EXAMPLES = int(os.environ.get("XSS_EXAMPLES", "5"))

# --- hostile text ---------------------------------------------------------------------------------

FRAGMENTS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '" onmouseover="alert(1)',
    "' autofocus onfocus='alert(1)",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">x</a>',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)>",
    '<b data-xss="1">b</b><xss-probe>',
    "{% print 7*7 %}${7*7}#{7*7}",
    "%(name)s %s {0} {{config}}",
    "&lt;script&gt;&amp;&#60;",
    "\uff1cscript\uff1e\u202e\u200d",
    "Ұлттық «тест» 😀",
]
SAFE_CHARS = st.characters(blacklist_categories=("Cs", "Cc"))


def hostile(max_len: int, strip: str = "", min_len: int = 0):
    """Hostile text to follow the marker: at most ``max_len`` and at least ``min_len`` characters
    in all; ``strip``: characters the field cannot hold (file names lose all before a slash)."""
    pieces = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(SAFE_CHARS, max_size=6)),
                      min_size=1, max_size=4)
    text = pieces.map(lambda parts: "".join(parts).translate({ord(c): None for c in strip}))
    return text.map(lambda t: t[: max(0, max_len - MARK_LEN)]).filter(
        lambda t: t.strip() and len(t.strip()) + MARK_LEN >= min_len)


MARK_LEN = len("Zq00000000{{7*7}}")  # what comes before the hostile text


def new_marker() -> str:
    return "Zq" + secrets.token_hex(4)


# --- the page check -------------------------------------------------------------------------------

URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "poster", "background"}
PAYLOAD_TAGS = {"svg", "iframe", "object", "embed", "xss-probe", "math", "base"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.data, self.attr_values = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self.attr_values.extend(v for _k, v in attrs if v)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.data.append(data)

    def texts(self) -> list[str]:
        """The page's text (tags left out: a search highlight splits a word) and each attribute value."""
        return ["".join(self.data)] + self.attr_values


def _nonce(response) -> str | None:
    match = re.search(r"'nonce-([^']+)'", response.headers.get("Content-Security-Policy", ""))
    return match.group(1) if match else None


def _our_icon(tag: str, values: dict) -> bool:
    """An icon of the layout (portal.core.icons): an <svg> with exactly its signature attributes.
    The payloads' <svg> carries none of them (and their on* handlers are caught below anyway)."""
    return (tag == "svg" and (values.get("class") or "").split()[:1] == ["icon"]
            and values.get("aria-hidden") == "true" and values.get("focusable") == "false"
            and values.get("viewbox") == "0 0 24 24")


def assert_inert(html: str, marker: str | None, nonce: str | None, where: str) -> None:
    """No element or attribute made by the hostile text; the value shown (``marker`` found,
    unless None) with its ``{{7*7}}`` literal."""
    parser = _Collector()
    parser.feed(html)
    parser.close()
    bad = []
    for tag, attrs in parser.tags:
        values = dict(attrs)
        if tag == "script" and not (nonce and values.get("nonce") == nonce) \
                and not (values.get("src") or "").startswith("/"):
            bad.append(f"<script> without the nonce: {attrs}")
        if (tag in PAYLOAD_TAGS and not _our_icon(tag, values)) or (tag == "img" and values.get("src") == "x"):
            bad.append(f"<{tag}> {attrs}")
        for name, value in attrs:
            if name.startswith("on") or name == "data-xss":
                bad.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRS and re.sub(r"[\s\x00-\x1f]", "", value or "").lower().startswith(
                    ("javascript:", "vbscript:", "data:text/html")):
                bad.append(f"<{tag} {name}={value!r}>")
    assert not bad, f"{where}: markup made by user text: {bad}"
    if marker is not None:
        texts = parser.texts()
        assert any(marker in t for t in texts), f"{where}: the page does not show the value {marker}"
        assert not any(marker + "49" in t for t in texts), f"{where}: {{{{7*7}}}} was evaluated"
        assert any(marker + "{{7*7}}" in t for t in texts), f"{where}: the value is not shown as written"


# --- this module's own app, database and people ---------------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """Overrides the session app for this module: hostile rows stay in this database."""
    from portal import create_app

    folder = tmp_path_factory.mktemp("xss")
    drop = None
    if os.environ.get("DATABASE_URL"):
        from config import _database_url

        url, drop = _postgres_throwaway(_database_url())
    else:
        url = f"sqlite:///{folder / 'xss.db'}"
        start_from_template(folder / "xss.db")

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE_PATH = str(folder / "instance")

    application = create_app(Cfg)
    application.test_client_class = IsolatedClient
    ctx = application.app_context()
    ctx.push()
    yield application
    from portal.core.extensions import db

    db.session.remove()
    db.engine.dispose()
    ctx.pop()
    if drop:
        drop()


@pytest.fixture(scope="module")
def xw(app):
    """The people every example uses: a client, a verified practitioner, a moderator, an admin,
    each with a signed-in browser, and a visitor."""
    sm = app.appbuilder.sm
    w = SimpleNamespace(app=app)
    w.client = factories.make_user(sm, ("Client",), first_name="Клиент", locale="en")
    w.profile = factories.make_practitioner(sm, first_name="Практик")
    w.pro = w.profile.user
    w.moderator = factories.make_user(sm, ("Moderator",), first_name="Модератор")
    w.admin = factories.make_user(sm, ("Admin",), first_name="Админ")
    w.browsers = {name: browser(app, getattr(w, name)) for name in ("client", "pro", "moderator", "admin")}
    w.browsers["visitor"] = browser(app)
    return w


def _mail_ids() -> int:
    from portal.core.extensions import db
    from portal.models.notifications import MailOutbox

    return db.session.scalar(select(func.max(MailOutbox.id))) or 0


def _mails_since(last_id: int):
    from portal.core.extensions import db
    from portal.models.notifications import MailOutbox

    db.session.expire_all()
    return list(db.session.scalars(select(MailOutbox).where(MailOutbox.id > last_id)))


# --- the property ---------------------------------------------------------------------------------

@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
def test_user_text_is_escaped_on_every_page_that_shows_it(xw, field):
    # no shrinking: every example writes rows and fetches pages, a shrink would take minutes;
    # the failing text is short and printed as it was generated
    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(text=hostile(field.max_len, field.strip, field.min_len))
    def check(text):
        from portal.core.extensions import db

        marker = new_marker()
        value = f"{marker}{{{{7*7}}}}{text}"
        mails_before = _mail_ids()
        obj = field.write(xw, value)
        db.session.expire_all()
        for where, response in getattr(obj, "seen", ()):  # answers of the write itself (errors, echoes)
            assert response.status_code == 200, f"{field.name}: {where}: {response.status_code}"
            assert_inert(response.get_data(as_text=True), marker, _nonce(response), f"{field.name}: {where}")
        for who, url in field.pages(xw, obj, marker):
            client = who if isinstance(who, IsolatedClient) else xw.browsers[who]
            response = client.get(url, follow_redirects=True)  # public pages: /<lang>/ URLs
            assert response.status_code == 200, f"{field.name}: GET {url} as {who}: {response.status_code}"
            assert_inert(response.get_data(as_text=True), marker, _nonce(response),
                         f"{field.name}: {url} as {who}")
        mails = _mails_since(mails_before)
        for mail in mails:
            assert_inert(mail.body_html or "", None, None, f"{field.name}: email {mail.subject!r}")
        if field.emails:
            shown = [m for m in mails if marker in (m.body_html or "")]
            assert shown, f"{field.name}: no email shows the value"
            for mail in shown:
                assert_inert(mail.body_html, marker, None, f"{field.name}: email {mail.subject!r}")

    check()


def test_the_check_catches_unescaped_text():
    """The checker itself: each fragment left raw in a text or an attribute context is caught;
    escaped, it passes."""
    from markupsafe import escape

    marker = new_marker()
    harmless = ("{%", "%(", "&lt;", "\uff1c", "Ұлттық")
    for fragment in FRAGMENTS:
        value = f"{marker}{{{{7*7}}}}{fragment}"
        if not fragment.startswith(harmless):
            caught = 0
            for raw in (f"<p>{value}</p>", f'<input value="{value}">', f"<input value='{value}'>",
                        f'<a href="{fragment}">x</a>', f"<textarea>{value}</textarea>"):
                try:
                    assert_inert(raw, None, "n0nce", "raw")
                except AssertionError:
                    caught += 1
            assert caught, fragment
        for page in (f"<p>{escape(value)}</p>", f'<input value="{escape(value)}">'):
            assert_inert(page, marker, "n0nce", "escaped")
    with pytest.raises(AssertionError, match="evaluated"):
        assert_inert(f"<p>{marker}49</p>", marker, None, "ssti")
    with pytest.raises(AssertionError, match="does not show"):
        assert_inert("<p>nothing</p>", marker, None, "absent")
    assert_inert(f'<script nonce="n0nce">x</script><p><mark>{marker}</mark>{{{{7*7}}}}</p>', marker, "n0nce",
                 "the app's own script and a highlight")


def test_service_messages_are_plain_text_on_a_page(app):
    """A service error naming user input (an uploaded file's name) is escaped where a template
    shows it; as text it is the translated message (portal.core.errors.Message)."""
    from flask import render_template_string
    from flask_babel import force_locale
    from flask_babel import lazy_gettext as _l

    from portal.core.errors import ServiceError

    err = ServiceError(_l("The file %(name)s is empty.", name="<script>alert(1)</script>.pdf"), "files")
    with app.test_request_context(), force_locale("en"):
        assert str(err.message) == "The file <script>alert(1)</script>.pdf is empty."
        html = render_template_string("<p>{{ m }}</p>", m=err.message)
    assert html == "<p>The file &lt;script&gt;alert(1)&lt;/script&gt;.pdf is empty.</p>"
    assert ServiceError(err.message).message is err.message
