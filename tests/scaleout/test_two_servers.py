"""Two app servers behave as one portal (issue 20, item 2).

Two gunicorn processes (``-w 1``, ``config.ProductionConfig`` from the environment, see
tests/scaleout/servers.py) on two loopback ports share one PostgreSQL database (a throwaway
one this module creates and drops), one Redis (rate limits and the page cache, under key
prefixes of this run), one search engine (the tests' Elasticsearch-compatible server,
tests/search_servers.py) and one S3-compatible object store (moto's server,
tests/storage_servers.py). Each server has an instance folder of its own: nothing is shared
through a local disk. Every case goes through real HTTP (``requests``, a cookie jar per
browser; cookies are per host, not per port, so one jar is a browser behind a load balancer
that sends it to either server), each request with the one public ``Host`` such a load
balancer passes on:

0. both servers start at the same time on a database that has only its schema (the release
   step ran ``flask db upgrade``): neither fails to boot or logs a duplicate;
1. a file uploaded through A downloads through B (and A) with the same bytes; a visitor's
   request with a file, written on A, is claimed when the visitor signs in through B; a
   practitioner's photo uploaded through A is sent by B, the original and each WebP copy;
2. failed logins alternating between A and B hit the per-account limit at its configured count;
3. a visitor's profile page cached by A is served by B from the cache, and dropped when the
   practitioner edits the profile through B: A then serves the new text;
4. a session cookie from A works on B, and "end all other sessions" through B signs that
   browser out on A;
5. a new agreement version published through A sends a user signed in on B to the accept
   page, and B's cached public agreement page shows the new version.

The cases run in this order (the last publishes an agreement version for everybody); the
servers start once for the module. PostgreSQL only: on a SQLite run the module is skipped
(several processes on one database file is not the deployment this checks).

A failing case prints what each server logged during it (pytest shows it with the failure);
the whole logs are in the module's temporary folder (``scaleout*/logs/``).
"""
from __future__ import annotations

import os
import re
import secrets
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from limits import parse
from sqlalchemy import text

from tests import factories
from tests.scaleout import servers as srv

PASSWORD = factories.PASSWORD
FAST_HASH = "pbkdf2:sha256:1000"  # as config.TestConfig: the servers check any method werkzeug knows
WRONG_PASSWORD = "Wrong-pass-1"
TIMEOUT = 30  # seconds per HTTP request
# The Host every request carries, as a load balancer in front of both servers passes it on: the
# page cache keys pages by host (each server's own 127.0.0.1:<port> would give each its own pages)
PUBLIC_HOST = "alemtrust.test"


# --- skipping ----------------------------------------------------------------------------------

def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        pytest.skip("the two-server test needs PostgreSQL (two app processes over one database) — "
                    "set DATABASE_URL=postgresql://... to run it")
    return url


def _redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001
        pytest.skip(f"the two-server test needs Redis (shared rate limits and page cache) at {url} "
                    "(TEST_REDIS_URL)")
    return url


# --- the shared services, the seed app and the two servers ------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """Overrides the session app for this module. Deploys as docs/deployment.md says: the
    release step (``flask db upgrade``) once, then servers A and B started at the same time
    (each writes FAB's permissions, the roles and the first data at start-up, on a new
    database). Yields an app in this process on the same database and services (it seeds the
    people and checks what the servers stored); no snapshot, nothing restored between cases.
    The servers are stopped (their process groups), the database dropped and this run's keys,
    index and bucket removed after the module."""
    from config import _database_url
    from portal import create_app
    from tests.conftest import _postgres_throwaway
    from tests.search_servers import elasticsearch_url, node_class
    from tests.storage_servers import make_bucket, s3_config

    _postgres_url()
    redis_url = _redis_url()
    folder = tmp_path_factory.mktemp("scaleout")
    run = uuid.uuid4().hex[:10]
    storage = s3_config(bucket=f"alemtrust-scaleout-{run}")
    store = make_bucket(storage)
    database, drop = _postgres_throwaway(_database_url())
    settings = {
        "DATABASE_URL": database,
        "SECRET_KEY": secrets.token_urlsafe(48),  # the same on every server
        "REDIS_URL": redis_url,
        "RATELIMIT_ENABLED": "1",
        "RATELIMIT_KEY_PREFIX": f"scaleout-{run}-limits",
        "PAGE_CACHE": "1",
        "PAGE_CACHE_KEY_PREFIX": f"scaleout-{run}-page:",
        "ELASTICSEARCH_URL": elasticsearch_url(),
        srv.PLAIN_JSON_ENV: "1" if node_class() is not None else "0",
        "SEARCH_INDEX_NAME": f"scaleout-{run}",
        "SEARCH_SYNC": "inline",
        "NOTIFY_SYNC": "inline",
        "PORTAL_DEMO_DATA": "0",
        "PORTAL_AUTO_MIGRATE": "0",
        "PORTAL_ADMIN_PASSWORD": secrets.token_urlsafe(16) + "-Aa1",
        "PORTAL_BASE_URL": "http://127.0.0.1",
        "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
        **{k: str(v) for k, v in storage.items()},
    }

    def env(instance: str) -> dict:
        return srv.server_env({**settings, "PORTAL_INSTANCE_PATH": str(folder / instance)})

    two = [srv.AppServer(name, env(name), folder / "logs" / f"{name}.log") for name in ("A", "B")]
    seed = None
    try:
        started = time.monotonic()
        srv.release(env("release"), folder / "logs" / "release.log")
        timings = {"release (flask db upgrade)": time.monotonic() - started}
        srv.start_all(two)
        timings["both servers answering"] = time.monotonic() - started - sum(timings.values())
        boot_logs = {server.name: server.log_path.read_text("utf-8", "replace") for server in two}
        seed_config = type("SeedConfig", (srv.config_class(env("seed")),),
                           {"FAB_PASSWORD_HASH_METHOD": FAST_HASH})  # the people's passwords, quickly
        seed = create_app(seed_config, announce=False)
        timings["the app of this process"] = time.monotonic() - started - sum(timings.values())
        seed.extensions["scaleout"] = SimpleNamespace(settings=settings, folder=folder, store=store, run=run,
                                                      a=two[0], b=two[1], boot_logs=boot_logs,
                                                      timings=timings)
        yield seed
    finally:
        srv.stop_all(two)
        if seed is not None:
            from portal.core.extensions import db

            with seed.app_context():
                db.session.remove()
                db.engine.dispose()
        drop()
        _forget(settings, store)


def _forget(settings: dict, store) -> None:
    """What this run left in the shared services: its Redis keys, search index, bucket."""
    import redis

    try:
        client = redis.Redis.from_url(settings["REDIS_URL"])
        for pattern in (settings["PAGE_CACHE_KEY_PREFIX"] + "*", "*" + settings["RATELIMIT_KEY_PREFIX"] + "*"):
            keys = list(client.scan_iter(pattern, count=500))
            if keys:
                client.delete(*keys)
    except Exception:  # noqa: BLE001  (best effort)
        pass
    try:
        url, name = settings["ELASTICSEARCH_URL"].rstrip("/"), settings["SEARCH_INDEX_NAME"]
        found = requests.get(f"{url}/_alias/{name}", timeout=5)
        for index in (found.json() if found.ok else {}):
            requests.delete(f"{url}/{index}", timeout=5)
    except Exception:  # noqa: BLE001
        pass
    try:
        for area in ("attachments", "profiles", "pending"):
            for obj in list(store.listing(area)):
                store.delete(obj.key)
        store.client.delete_bucket(Bucket=settings["STORAGE_S3_BUCKET"])
    except Exception:  # noqa: BLE001
        pass


def _seed(app) -> SimpleNamespace:
    """The users of the cases (each case its own), made in the shared database."""
    from portal.models.practitioners import ProfileStatus

    sm = app.appbuilder.sm
    with app.app_context():
        profile = factories.make_applicant(sm, stage=ProfileStatus.APPROVED, locale="ru")
        return SimpleNamespace(
            uploader=factories.make_user(sm, ("Client",)).email,
            victim=factories.make_user(sm, ("Client",)).email,
            practitioner=profile.user.email,
            profile_id=profile.id,
            about_ru=profile.about_ru,
            traveller=factories.make_user(sm, ("Client",)).email,
            reader=factories.make_user(sm, ("Client",)).email,
            member=factories.make_user(sm, ("Client",)).email,
            visitor=factories.make_user(sm, ("Client",)).email,
            admin=factories.make_user(sm, ("Admin",)).email,
            category_id=factories.category("advocate").id,
            region_id=factories.region("KZ-75").id,
        )


@pytest.fixture(scope="module")
def portal(app):
    """Servers A and B, the people of the cases, the shared settings and services."""
    return SimpleNamespace(app=app, people=_seed(app), **vars(app.extensions["scaleout"]))


@pytest.fixture(autouse=True)
def server_logs(portal):
    """What each server logged during the case, printed after it (shown when it fails)."""
    sizes = {s.name: _size(s.log_path) for s in (portal.a, portal.b)}
    yield
    for server in (portal.a, portal.b):
        with open(server.log_path, "rb") as log:
            log.seek(sizes[server.name])
            lines = log.read().decode("utf-8", "replace").splitlines()
        alive = "running" if server.running() else f"EXITED ({server.proc and server.proc.returncode})"
        print(f"--- server {server.name} ({server.url}, {alive}), last {min(len(lines), 60)} of "
              f"{len(lines)} lines logged during the case:")
        print("\n".join(lines[-60:]))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# --- HTML forms and a browser ---------------------------------------------------------------

class _Forms(HTMLParser):
    """The forms of a page as a browser would submit them: (name, value) of every
    successful control (checked boxes, selected options, textareas), buttons apart."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": [], "buttons": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif kind in ("submit", "button", "image", "reset"):
                self._form["buttons"].append((name, a.get("value", "")))
            elif kind != "file":
                self._form["fields"].append((name, a.get("value", "")))
        elif tag == "button" and name:
            self._form["buttons"].append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "first": None, "chosen": []}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"].append(value)
        elif tag == "textarea" and name:
            self._textarea = [name]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            name, *parts = self._textarea
            self._form["fields"].append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["first"] is not None:
                chosen = [self._select["first"]]
            self._form["fields"] += [(self._select["name"], v) for v in chosen]
            self._select = None
        elif tag == "form":
            self._form = None


def form_of(page: requests.Response, field: str) -> dict:
    """The first form of ``page`` with a control named ``field``."""
    parser = _Forms()
    parser.feed(page.text)
    for form in parser.forms:
        if any(name == field for name, _ in form["fields"] + form["buttons"]):
            return form
    raise AssertionError(f"no form with {field!r} on {page.url} ({page.status_code}):\n{page.text[:2000]}")


def with_values(fields: list, **values) -> list:
    """``fields`` with each named field replaced by ``values[name]`` (a list: several values)."""
    kept = [(k, v) for k, v in fields if k not in values]
    for name, value in values.items():
        kept += [(name, v) for v in (value if isinstance(value, list) else [value])]
    return kept


def csrf_token(page: requests.Response) -> str:
    return dict(form_of(page, "csrf_token")["fields"])["csrf_token"]


def new_browser() -> requests.Session:
    """A browser behind the load balancer (see PUBLIC_HOST); its cookies go to either server."""
    browser = requests.Session()
    browser.headers["Host"] = PUBLIC_HOST
    return browser


def sign_in(server, email: str, password: str = PASSWORD, browser: requests.Session | None = None
            ) -> requests.Session:
    """A browser signed in through ``server``."""
    browser = browser or new_browser()
    response = attempt_login(browser, server, email, password)
    assert response.status_code == 302 and "/login" not in response.headers["Location"], (
        f"sign-in of {email} through {server.name}: {response.status_code} {response.headers.get('Location')}")
    return browser


def attempt_login(browser: requests.Session, server, email: str, password: str,
                  token: str | None = None) -> requests.Response:
    token = token or csrf_token(browser.get(server.url + "/login/", timeout=TIMEOUT))
    return browser.post(server.url + "/login/", data={"csrf_token": token, "username": email, "password": password},
                        allow_redirects=False, timeout=TIMEOUT)


def get(browser, server, path: str) -> requests.Response:
    """A GET through ``server``; ``browser`` None: a visitor without cookies."""
    if browser is None:
        return requests.get(server.url + path, headers={"Host": PUBLIC_HOST}, allow_redirects=False,
                            timeout=TIMEOUT)
    return browser.get(server.url + path, allow_redirects=False, timeout=TIMEOUT)


def local_path(response: requests.Response) -> str:
    """The Location of a redirect as a path (relative, or absolute on either server)."""
    location = response.headers.get("Location", "")
    return re.sub(r"^https?://[^/]+", "", location)


# --- 0. starting together ------------------------------------------------------------------------

BOOT_PROBLEM = re.compile(r"Traceback|duplicate key|IntegrityError|\bError\b|\[ERROR\]")


def test_both_servers_start_together_on_a_new_database(portal):
    """Both wrote their start-up data (FAB's permissions, roles, reference data, the first
    admin) at the same moment on a database that had only its schema: they take turns
    (portal.create_app's start-up lock), so neither logs a duplicate or fails to boot."""
    print("start-up, seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in portal.timings.items()))
    for name, log in portal.boot_logs.items():
        problems = [line for line in log.splitlines() if BOOT_PROBLEM.search(line)]
        assert problems == [], f"server {name} at start-up:\n" + "\n".join(problems[:20])
    with portal.app.app_context():
        from portal.core.extensions import db

        admins = db.session.execute(text("SELECT count(*) FROM ab_user WHERE lower(email) = :e"),
                                    {"e": portal.app.config["ADMIN_EMAIL"].lower()}).scalar()
        versions = db.session.execute(text("SELECT count(*), count(DISTINCT version) FROM agreement_version")).one()
    assert admins == 1 and versions[0] == versions[1] >= 1
    for server in (portal.a, portal.b):
        assert server.running() and get(None, server, "/ru/").status_code == 200


def local_files(portal) -> list[Path]:
    """Files the servers kept in their own upload folders (none: everything is in the store)."""
    return [p for name in ("A", "B") for p in (portal.folder / name / "uploads").rglob("*") if p.is_file()]


# --- 1. files ------------------------------------------------------------------------------------

def test_a_file_uploaded_through_one_server_downloads_through_the_other(portal):
    a, b, who = portal.a, portal.b, portal.people
    browser = sign_in(a, who.uploader)
    content = b"%PDF-1.4\n% scale-out " + secrets.token_hex(4096).encode() + b"\n%%EOF\n"
    form = form_of(browser.get(a.url + "/requests/new", timeout=TIMEOUT), "title")
    data = with_values(form["fields"], category_id=str(who.category_id), region_id=str(who.region_id),
                       title="Договор аренды", city="Алматы", action="draft",
                       description="Прошу проверить договор аренды офиса до подписания.")
    saved = browser.post(a.url + "/requests/new", data=data, files=[("attachments", ("договор.pdf", content,
                                                                                     "application/pdf"))],
                         allow_redirects=False, timeout=TIMEOUT)
    assert saved.status_code == 302, saved.text[:3000]
    request_page = get(browser, b, local_path(saved))
    assert request_page.status_code == 200
    links = sorted(set(re.findall(r'href="(/attachments/\d+)"', request_page.text)))
    assert len(links) == 1, f"one attachment link expected on B's page: {links}"
    for server in (b, a):
        download = get(browser, server, links[0])
        assert download.status_code == 200, (server.name, download.status_code, download.headers)
        assert download.content == content, f"{server.name} sent other bytes"
        assert "attachment" in download.headers["Content-Disposition"]
    # the file is in the shared object store, not on A's disk
    from tests.storage_servers import s3_objects

    assert len(content) in s3_objects(portal.store, "attachments").values()
    assert local_files(portal) == []
    # a stranger is refused on either server
    stranger = sign_in(b, who.traveller)
    for server in (a, b):
        assert get(stranger, server, links[0]).status_code in (403, 404)
    for browser_ in (browser, stranger):
        browser_.close()


def test_a_visitors_request_with_a_file_written_on_one_server_is_claimed_after_signing_in_on_the_other(portal):
    """A visitor writes a request with a file on A (kept as a pending request: the row, the
    file in the store, the token in the session cookie), signs in through B, which publishes
    it with the file; the file downloads through A."""
    a, b, who = portal.a, portal.b, portal.people
    browser = new_browser()
    content = b"%PDF-1.4\n% pending " + secrets.token_hex(2048).encode() + b"\n%%EOF\n"
    form = form_of(browser.get(a.url + "/requests/new", timeout=TIMEOUT), "title")
    data = with_values(form["fields"], category_id=str(who.category_id), region_id=str(who.region_id),
                       title="Раздел имущества", city="Алматы", action="publish",
                       description="Нужна консультация по разделу имущества после развода.")
    kept = browser.post(a.url + "/requests/new", data=data, files=[("attachments", ("опись.pdf", content,
                                                                                  "application/pdf"))],
                        allow_redirects=False, timeout=TIMEOUT)
    assert kept.status_code == 302 and local_path(kept).startswith("/login"), (kept.status_code, kept.text[:3000])
    login_page = browser.get(b.url + local_path(kept), timeout=TIMEOUT)
    signed_in = browser.post(b.url + local_path(kept), data={"csrf_token": csrf_token(login_page),
                                                             "username": who.visitor, "password": PASSWORD},
                             allow_redirects=False, timeout=TIMEOUT)
    assert signed_in.status_code == 302 and re.match(r"/requests/\d+$", local_path(signed_in)), (
        signed_in.status_code, local_path(signed_in))
    page = get(browser, a, local_path(signed_in))
    links = sorted(set(re.findall(r'href="(/attachments/\d+)"', page.text)))
    assert page.status_code == 200 and len(links) == 1, links
    download = get(browser, a, links[0])
    assert download.status_code == 200 and download.content == content
    assert local_files(portal) == []
    browser.close()


def test_a_photo_uploaded_through_one_server_is_shown_in_its_sizes_by_the_other(portal):
    """The practitioner's photo goes up through A (the original and its WebP copies into the
    store); B sends the original and each copy to a visitor, and B's profile page shows it."""
    import io

    from PIL import Image

    a, b, who = portal.a, portal.b, portal.people
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (11, 95, 127)).save(picture, "PNG")
    practitioner = sign_in(a, who.practitioner)
    form = form_of(get(practitioner, a, "/practice/edit"), "about_ru")
    saved = practitioner.post(a.url + "/practice/edit", data=form["fields"],
                              files=[("photo", ("фото.png", picture.getvalue(), "image/png"))],
                              allow_redirects=False, timeout=TIMEOUT)
    assert saved.status_code == 302 and local_path(saved).endswith("/practice/edit"), saved.text[:3000]
    photo = f"/practitioners/{who.profile_id}/photo"
    original = get(None, b, photo)
    assert original.status_code == 200 and original.headers["Content-Type"] == "image/png"
    assert original.content == picture.getvalue()
    for width in portal.app.config["PHOTO_WIDTHS"]:
        copy = get(None, b, f"{photo}?w={width}")
        assert copy.status_code == 200 and copy.headers["Content-Type"] == "image/webp", width
        assert Image.open(io.BytesIO(copy.content)).width == width
    assert photo + "?w=" in get(None, b, f"/ru/practitioners/{who.profile_id}").text
    assert local_files(portal) == []
    practitioner.close()


# --- 2. rate limits ---------------------------------------------------------------------------------

def test_failed_logins_alternating_between_the_servers_hit_the_limit_at_its_count(portal):
    """A new device (no device cookie): each failure counts on the address and the account;
    the account's limit is the lower one. Alternating, each server sees half the failures:
    only a shared counter reaches the limit."""
    a, b, email = portal.a, portal.b, portal.people.victim
    config = srv.config_class(srv.server_env(portal.settings))
    limit = parse(config.AUTH_ACCOUNT_RATE_LIMIT).amount
    assert parse(config.AUTH_RATE_LIMIT).amount > limit  # the account's limit comes first
    browser = new_browser()
    token = csrf_token(browser.get(a.url + "/login/", timeout=TIMEOUT))  # A's token, good on B too
    for i in range(limit):
        server = (a, b)[i % 2]
        refused = attempt_login(browser, server, email, WRONG_PASSWORD, token)
        assert refused.status_code == 302 and "/login" in refused.headers["Location"], (
            f"failure {i + 1} through {server.name}: {refused.status_code}")
    for server in (a, b):
        limited = attempt_login(browser, server, email, WRONG_PASSWORD, token)
        assert limited.status_code == 429, f"attempt {limit + 1} through {server.name}: {limited.status_code}"
        assert int(limited.headers["Retry-After"]) > 0
    # the right password from this (new) device waits too, on either server
    assert attempt_login(browser, b, email, PASSWORD, token).status_code == 429
    browser.close()


# --- 3. the page cache ---------------------------------------------------------------------------------

def test_a_page_cached_by_one_server_is_dropped_when_the_profile_changes_through_the_other(portal):
    a, b, who = portal.a, portal.b, portal.people
    url = f"/ru/practitioners/{who.profile_id}"
    first = get(None, a, url)
    assert first.status_code == 200 and who.about_ru in first.text
    assert first.headers["Cache-Control"].startswith("public") and "Set-Cookie" not in first.headers
    import redis

    cache = redis.Redis.from_url(portal.settings["REDIS_URL"])
    assert list(cache.scan_iter(portal.settings["PAGE_CACHE_KEY_PREFIX"] + "p:*")), "no page in Redis"
    # change the text behind the portal's back (no outbox, so nothing is invalidated): whoever
    # still shows the old text answers from the cache, and B has it from A through Redis
    with portal.app.app_context():
        from portal.core.extensions import db

        db.session.execute(text("UPDATE practitioner_profile SET about_ru = :t WHERE id = :id"),
                           {"t": "Текст, которого нет в кэше.", "id": who.profile_id})
        db.session.commit()
    for server in (a, b):
        cached = get(None, server, url)
        assert cached.status_code == 200 and who.about_ru in cached.text, f"{server.name} rendered the page"
        assert cached.headers["ETag"] == first.headers["ETag"]
    # the practitioner edits the profile through B
    practitioner = sign_in(b, who.practitioner)
    new_about = f"Семейные споры и наследство, проверено {portal.run}."
    form = form_of(get(practitioner, b, "/practice/edit"), "about_ru")
    saved = practitioner.post(b.url + "/practice/edit", data=with_values(form["fields"], about_ru=new_about),
                              allow_redirects=False, timeout=TIMEOUT)
    assert saved.status_code == 302 and local_path(saved).endswith("/practice/edit"), saved.text[:3000]
    fresh = get(None, a, url)
    assert fresh.status_code == 200 and new_about in fresh.text, "A served the page cached before the change"
    assert who.about_ru not in fresh.text and fresh.headers["ETag"] != first.headers["ETag"]
    assert new_about in get(None, b, url).text
    # and the shared search engine has the change for either server
    for server in (a, b):
        found = get(None, server, f"/ru/practitioners/?q={portal.run}")
        assert found.status_code == 200 and f"/practitioners/{who.profile_id}" in found.text, server.name
    practitioner.close()


# --- 4. sessions ------------------------------------------------------------------------------

def test_a_session_from_one_server_works_on_the_other_and_ends_everywhere(portal):
    a, b, email = portal.a, portal.b, portal.people.reader
    laptop = sign_in(a, email)
    assert get(laptop, b, "/account/security/").status_code == 200  # A's cookie, B's answer
    phone = sign_in(b, email)
    page = get(phone, b, "/account/security/sessions/end-others")
    assert page.status_code == 200
    ended = phone.post(b.url + "/account/security/sessions/end-others", data={"csrf_token": csrf_token(page)},
                       allow_redirects=False, timeout=TIMEOUT)
    assert ended.status_code == 302, ended.status_code
    out = get(laptop, a, "/account/security/")
    assert out.status_code == 302 and local_path(out).startswith("/login"), (out.status_code, local_path(out))
    assert get(laptop, b, "/account/security/").status_code == 302  # and stays signed out on B
    for server in (a, b):
        assert get(phone, server, "/account/security/").status_code == 200, server.name
    laptop.close()
    phone.close()


# --- 5. the agreement gate (last: the new version is in force for everybody after it) ----------------

def test_a_new_agreement_version_published_through_one_server_is_enforced_by_the_other(portal):
    a, b, who = portal.a, portal.b, portal.people
    user = sign_in(b, who.member)
    assert get(user, b, "/requests/").status_code == 200
    public = get(None, b, "/ru/agreement/")
    assert public.status_code == 200
    assert get(None, b, "/ru/agreement/").headers["ETag"] == public.headers["ETag"]  # cached
    admin = sign_in(a, who.admin)
    marker = f"Редакция {portal.run}"
    form = form_of(get(admin, a, "/admin/agreements/publish"), "text_ru")
    fields = dict(form["fields"])
    data = with_values(form["fields"], title_ru=marker, text_ru=fields["text_ru"] + "\n\n" + marker)
    confirm = admin.post(a.url + "/admin/agreements/publish", data=data, allow_redirects=False, timeout=TIMEOUT)
    assert confirm.status_code == 200, confirm.text[:3000]
    final = form_of(confirm, "confirm")
    published = admin.post(a.url + "/admin/agreements/publish", data=final["fields"] + [("confirm", "1")],
                           allow_redirects=False, timeout=TIMEOUT)
    assert published.status_code == 302 and "/admin/agreements/show/" in local_path(published), (
        published.status_code, published.text[:3000])
    gated = get(user, b, "/requests/")  # ("Security" stays open to a user who has not accepted)
    assert gated.status_code == 302 and local_path(gated).startswith("/agreement/accept"), (
        gated.status_code, local_path(gated))
    assert marker in get(None, b, "/ru/agreement/").text  # B's cached agreement page was dropped
    accept = get(user, a, local_path(gated))
    assert accept.status_code == 200 and marker in accept.text
    accepted = user.post(a.url + "/agreement/accept", data=form_of(accept, "version")["fields"],
                         allow_redirects=False, timeout=TIMEOUT)
    assert accepted.status_code in (302, 303) and local_path(accepted).startswith("/requests/"), (
        accepted.status_code, local_path(accepted))
    assert get(user, b, "/requests/").status_code == 200
    user.close()
    admin.close()
