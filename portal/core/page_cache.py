"""Public pages for visitors: compressed, validated, cacheable and kept in a page cache.

Views declare their public pages with :func:`public_page` and the tags of what each
shows (``profile:7``, ``listings``); whoever applies a change calls :func:`invalidate` with
the tags it touched. This module knows no domain.

An anonymous GET (or HEAD) of a declared page, that is one with no session or remember
cookie and no ``Authorization`` header:

- is answered with ``Cache-Control: public, max-age=PUBLIC_PAGE_MAX_AGE``, ``Vary: Cookie,
  Accept-Language`` (not on a language URL, /kk/...: core.lang_urls; Flask-Compress adds
  ``Accept-Encoding``) and a strong ETag, and with ``304 Not Modified`` when
  ``If-None-Match`` names it (Flask-Compress sends brotli or gzip; the ETag then ends in
  ``:br`` / ``:gzip``);
- carries a CSP script nonce derived from the page itself (an HMAC, with the secret key, of
  the hash of the page without its nonce), so the same page is the same bytes for every
  visitor and every worker, and a 304's policy still matches the page the browser kept. It
  cannot be guessed before the page exists: it depends on all of it and on the key;
- with ``PAGE_CACHE_ENABLED``, is kept in the page cache (Flask-Caching: Redis when
  ``REDIS_URL`` is set, else in-process), keyed by scheme and host, language prefix, path,
  query string, language and the :func:`vary_on` values (the cookie choice), for
  ``PAGE_CACHE_TIMEOUT`` seconds, with its brotli and gzip forms (a hit costs no
  compression). Only 200 responses that set no cookie and leave the session untouched are
  kept. The next such GET is answered from the cache by a ``before_request`` hook that
  runs right after the input checks, before any other hook or the view. A cache that fails
  (Redis down) is left alone for ``REST_SECONDS``; pages are then rendered as without one.

Invalidation by tags: each tag has a random version token in the cache (no expiry). A page
is stored with the tokens read *before* its view ran and served only while they are all
still current, so ``invalidate("profile:7")`` drops every cached page of that tag, in every
language and with any query string, at once, and a page rendered from data older than the
change is never served after it. A token lost from the cache (evicted) gets a new one:
pages of the tag are then rendered again, never served stale.

Pages on the same routes for signed-in users are never stored or served from the cache
(core.hardening sends them ``no-store``); visitors with a session cookie get ``private,
no-cache``.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import logging
import secrets
import time
from typing import Callable, Iterable

import brotli
from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import config as login_config

from portal.core import hardening
from portal.core.lang_urls import url_language

log = logging.getLogger(__name__)
EXTENSION = "portal.page_cache"
SAFE_METHODS = ("GET", "HEAD")
TAG_PREFIX = "t:"
PAGE_PREFIX = "p:"
# headers a stored page keeps (the rest are set again for every response)
SKIPPED_HEADERS = {"content-length", "set-cookie", "date", "etag", "cache-control", "vary"}
ENCODINGS = ("br", "gzip")  # a cached page is kept compressed with each (as Flask-Compress would send it)
COMPRESSED_TYPES = {"text/html", "application/json", "application/xml", "text/plain"}
MIN_COMPRESSED_SIZE = 500
BROTLI_QUALITY = 4  # Flask-Compress's default level: the same bytes whichever of the two sends the page
REST_SECONDS = 10
Tags = Callable[[dict], Iterable[str]]


class PageCache:
    """Per app: the declared pages, the key parts, the store (None when the cache is off)."""

    def __init__(self, app: Flask):
        self.pages: dict[str, Tags] = {}
        self.variants: list[Callable[[], object]] = []
        self.store = _backend(app) if app.config["PAGE_CACHE_ENABLED"] else None
        self.resting_until = 0.0  # after a failure the cache is left alone for a while

    def usable(self) -> bool:
        return self.store is not None and time.monotonic() >= self.resting_until

    def failed(self, what: str) -> None:
        """A store that failed (Redis down) is not asked again for REST_SECONDS: pages are
        rendered as without a cache, without waiting for its timeout on every request."""
        self.resting_until = time.monotonic() + REST_SECONDS
        log.warning("page cache: %s failed; not used for %d s", what, REST_SECONDS, exc_info=True)


def _backend(app: Flask):
    from flask_caching import Cache

    config = {"CACHE_KEY_PREFIX": app.config["PAGE_CACHE_KEY_PREFIX"],
              "CACHE_DEFAULT_TIMEOUT": app.config["PAGE_CACHE_TIMEOUT"]}
    if app.config["REDIS_URL"]:
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=app.config["REDIS_URL"],
                      # a Redis that does not answer slows pages down by at most this, never stops them
                      CACHE_OPTIONS={"socket_timeout": 0.5, "socket_connect_timeout": 0.5})
    else:
        config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=app.config["PAGE_CACHE_THRESHOLD"])
        if app.config["SEARCH_SYNC"] != "inline":
            log.warning("page cache: in-process (no REDIS_URL) while the worker applies changes "
                        "(SEARCH_SYNC=%s): this process's pages are not dropped on a change and may be "
                        "stale for up to PAGE_CACHE_TIMEOUT seconds; set REDIS_URL", app.config["SEARCH_SYNC"])
    cache = Cache(config=config)
    cache.init_app(app)
    return cache


def _state(app: Flask | None = None) -> PageCache:
    return (app or current_app).extensions[EXTENSION]


# --- declaring pages and invalidating them --------------------------------------------------

def public_page(endpoint: str, tags: Tags | Iterable[str]) -> None:
    """``endpoint`` is a public page; ``tags``: its tags, or a function of the URL's
    arguments (``view_args``) giving them."""
    _state().pages[endpoint] = tags if callable(tags) else (lambda args, fixed=tuple(tags): fixed)


def vary_on(part: Callable[[], object]) -> None:
    """Pages differ by ``part()`` too (e.g. whether the visitor chose their cookies)."""
    _state().variants.append(part)


def invalidate(*tags: str, app: Flask | None = None, quiet: bool = False) -> None:
    """Drop every cached page of these tags (a new version token for each). A failing
    cache raises (the caller retries), or with ``quiet`` is logged: its pages then expire
    after PAGE_CACHE_TIMEOUT."""
    state = (app or current_app).extensions.get(EXTENSION)
    store = state.store if state is not None else None
    if store is None or not tags:
        return
    try:
        store.set_many({TAG_PREFIX + tag: secrets.token_hex(8) for tag in set(tags)}, timeout=0)
    except Exception:
        if not quiet:
            raise
        log.warning("page cache: could not drop %d tags", len(set(tags)), exc_info=True)


# --- the request hooks ------------------------------------------------------------------

def _visitor() -> bool:
    """No sign of a user: no session or remember cookie, no Authorization header."""
    cookies = request.cookies
    return not (request.headers.get("Authorization") or cookies.get(current_app.config["SESSION_COOKIE_NAME"])
                or cookies.get(login_config.COOKIE_NAME))


def _page_key(state: PageCache) -> str:
    environ = request.environ  # as routing saw it (after ProxyFix; a language prefix in SCRIPT_NAME)
    parts = [environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
             environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
             str(get_locale())]
    parts += [str(part()) for part in state.variants]
    return PAGE_PREFIX + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _tokens(store, tag_keys: list[str], found: list) -> tuple:
    """The current token of each tag; a missing one gets a new token (a concurrent first one wins)."""
    tokens = list(found)
    for i, token in enumerate(tokens):
        if token is None:
            token = secrets.token_hex(8)
            if not store.add(tag_keys[i], token, timeout=0):
                token = store.get(tag_keys[i]) or token
            tokens[i] = token
    return tuple(tokens)


def serve_cached():
    """``before_request``, right after the input checks: a visitor's GET of a public page
    from the page cache; also marks the request for :func:`finish`."""
    state = _state()
    tags_of = state.pages.get(request.endpoint or "")
    if tags_of is None or request.method not in SAFE_METHODS:
        return None
    if not _visitor():
        g._public_page = "private"
        return None
    g._public_page = "public"
    if not state.usable():
        return None
    try:
        tag_keys = [TAG_PREFIX + tag for tag in sorted(set(tags_of(request.view_args or {})))]
        key = _page_key(state)
        found = state.store.get_many(key, *tag_keys)
        tokens = _tokens(state.store, tag_keys, found[1:])
        g._page_cache = (key, tokens)
        entry = found[0]
        if entry is None or entry[0] != tokens:
            return None
        _tokens_, body, headers, nonce, etag, compressed = entry
    except Exception:  # noqa: BLE001  (a cache that fails: the page is rendered as without one)
        state.failed("lookup")
        g.pop("_page_cache", None)
        return None
    if nonce:
        hardening.use_nonce(nonce)
    g._page_cache_hit = (etag, compressed)
    response = current_app.response_class(body, 200, headers)
    response.set_etag(etag)
    return response


def _stable_nonce(body: bytes) -> tuple[bytes, str, str | None]:
    """(the body with a nonce derived from it, its ETag, that nonce or None)."""
    nonce = hardening.current_nonce()
    masked = body.replace(nonce.encode("ascii"), b"") if nonce else body
    digest = hashlib.sha256(masked).digest()
    if nonce:
        key = current_app.secret_key
        key = key.encode("utf-8") if isinstance(key, str) else key
        stable = base64.urlsafe_b64encode(hmac.new(key, digest, hashlib.sha256).digest()[:18]).decode("ascii")
        body = body.replace(nonce.encode("ascii"), stable.encode("ascii"))
        hardening.use_nonce(stable)
        nonce = stable
    return body, digest.hex()[:32], nonce


def _public_headers(response: Response) -> None:
    response.headers["Cache-Control"] = f"public, max-age={int(current_app.config['PUBLIC_PAGE_MAX_AGE'])}"
    response.vary.add("Cookie")
    if url_language() is None:  # the language came from the cookie or the browser, not the URL
        response.vary.add("Accept-Language")


def finish(response: Response) -> Response:
    """``after_request``, before Flask-Compress: the caching headers, the ETag and 304 of a
    public page, and keeping a visitor's page in the cache."""
    kind = g.get("_public_page")
    if kind is None or response.status_code != 200 or response.is_streamed:
        return response
    if kind == "private":  # core.hardening makes it no-store for a signed-in user
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    hit = g.get("_page_cache_hit")
    if hit:
        _public_headers(response)
        return _encoded(response, *hit).make_conditional(request)
    shared = not response.headers.getlist("Set-Cookie") and not session.modified
    body, etag, nonce = _stable_nonce(response.get_data())
    response.set_data(body)
    response.set_etag(etag)
    if not shared:
        response.headers["Cache-Control"] = "private, no-cache"
        return response.make_conditional(request)
    _public_headers(response)
    cached = g.get("_page_cache")
    if cached is not None:
        key, tokens = cached
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in SKIPPED_HEADERS]
        compressed = _compress(body) if response.mimetype in COMPRESSED_TYPES else {}
        try:
            _state().store.set(key, (tokens, body, headers, nonce, etag, compressed))
        except Exception:  # noqa: BLE001
            _state().failed("store")
        response = _encoded(response, etag, compressed)
    return response.make_conditional(request)


def _compress(body: bytes) -> dict[str, bytes]:
    """The page compressed once for the cache, so a hit costs no compression."""
    if len(body) < MIN_COMPRESSED_SIZE:
        return {}
    return {"br": brotli.compress(body, quality=BROTLI_QUALITY), "gzip": gzip.compress(body, 6, mtime=0)}


def _encoded(response: Response, etag: str, compressed: dict[str, bytes]) -> Response:
    """A cached page in the encoding the client prefers (brotli, else gzip; Flask-Compress
    then leaves it alone), with its ETag marked as Flask-Compress marks them (``"<etag>:br"``)."""
    encoding = request.accept_encodings.best_match(ENCODINGS) if compressed else None
    if encoding in compressed:
        response.set_data(compressed[encoding])
        response.headers["Content-Encoding"] = encoding
        response.set_etag(f"{etag}:{encoding}")
        response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask) -> None:
    """After core.hardening.init_app: Flask-Compress, then :func:`finish` (hooks registered
    later run earlier, so ``finish`` sees the uncompressed page). ``serve_cached`` is put
    in order by create_app (core.hooks)."""
    from flask_compress import Compress

    app.extensions[EXTENSION] = PageCache(app)
    Compress(app)  # one per app: it keeps the app's settings
    app.after_request(finish)
