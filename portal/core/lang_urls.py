"""The language in the URL: /kk/..., /ru/..., /en/...

``LanguagePrefixMiddleware`` takes a leading language segment off ``PATH_INFO``
and moves it to ``SCRIPT_NAME``, so routing sees the unprefixed path and
``url_for`` on such a request builds prefixed URLs by itself; the language is
kept in the WSGI environ (``url_language()``) and the locale selector takes it
first, so a language URL never depends on cookies, the session or headers.

``install`` also makes the given public page endpoints answer an unprefixed
GET with a 301 to the prefixed URL (the language chosen the old way), and
keeps ``url_for`` of files and of the language switch unprefixed (one URL per
file)."""
from __future__ import annotations

import functools
from typing import Callable, Iterable
from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, redirect, request

ENVIRON_KEY = "portal.url_language"
ROOT_KEY = "portal.url_language_root"  # SCRIPT_NAME before the language was moved there
SKIP_ARGS = ("_l_",)  # FAB's language argument: meaningless on a language URL


class LanguagePrefixMiddleware:
    def __init__(self, wsgi_app, languages: Iterable[str]):
        self.wsgi_app = wsgi_app
        self.languages = frozenset(languages)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or ""
        head, sep, rest = path.lstrip("/").partition("/")
        if path.startswith("/") and head in self.languages:
            root = environ.get("SCRIPT_NAME", "")
            environ[ROOT_KEY] = root
            environ[ENVIRON_KEY] = head
            environ["SCRIPT_NAME"] = f"{root}/{head}"
            environ["PATH_INFO"] = "/" + rest
        return self.wsgi_app(environ, start_response)


def url_language() -> str | None:
    """The language of this request's URL prefix, or None (an unprefixed URL)."""
    if not has_request_context():
        return None
    return request.environ.get(ENVIRON_KEY)


def referrer_language() -> str | None:
    """The language prefix of the page of this site the request came from (the Referer), or None."""
    referrer = request.referrer or ""
    host = request.host_url
    if not referrer.startswith(host):
        return None
    root = request.environ.get(ROOT_KEY, request.script_root)
    path = "/" + referrer[len(host):]
    if root and path.startswith(root + "/"):
        path = path[len(root):]
    head = path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
    return head if head in current_app.config["LANGUAGES"] else None


def base_url() -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/")


def page_path(language: str | None, path: str | None = None, query: dict | None = None) -> str:
    """This page's path (or ``path``) under ``language`` (None: unprefixed), with ``query``."""
    path = request.path if path is None else path
    url = (f"/{language}" if language else "") + path
    if query:
        url += "?" + urlencode(query, doseq=True)
    return url


def absolute(path: str) -> str:
    return base_url() + path


def swap_language(target: str, language: str, languages: Iterable[str]) -> str:
    """``/kk/practitioners/5?x=1`` -> ``/ru/practitioners/5?x=1``; an unprefixed path is returned as is."""
    head, sep, rest = target.lstrip("/").partition("/")
    if target.startswith("/") and head.split("?", 1)[0] in set(languages):
        head, qsep, query = head.partition("?")
        return f"/{language}/{rest}" if not qsep else f"/{language}/?{query}"
    return target


def _strip_prefix(url: str) -> str:
    language = request.environ.get(ENVIRON_KEY)
    if not language:
        return url
    prefix = request.environ.get(ROOT_KEY, "") + "/" + language
    scheme_end = url.find("://")
    start = url.find("/", scheme_end + 3) if scheme_end >= 0 else 0
    if start >= 0 and url.startswith(prefix + "/", start):
        return url[:start] + url[start + len(prefix):]
    return url


def _redirect_to_language(view: Callable, choose: Callable[[], str]) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if request.method in ("GET", "HEAD") and request.environ.get(ENVIRON_KEY) is None:
            query = [(k, v) for k, v in request.args.items(multi=True) if k not in SKIP_ARGS]
            target = request.script_root + page_path(choose(), query=None)
            if query:
                target += "?" + urlencode(query)
            response = redirect(target, 301)
            # the target depends on the session, the cookie and Accept-Language
            response.headers["Vary"] = "Cookie, Accept-Language"
            response.headers["Cache-Control"] = "private, no-cache"
            return response
        return view(*args, **kwargs)
    return wrapped


def install(app: Flask, public_endpoints: Iterable[str], unprefixed: Callable[[str], bool],
            choose: Callable[[], str]) -> None:
    """Language prefixes on the app: the middleware, the 301 of the public pages'
    unprefixed GETs (to ``choose()``'s language), and ``url_for`` of endpoints for
    which ``unprefixed(endpoint)`` is true built without the prefix."""
    app.wsgi_app = LanguagePrefixMiddleware(app.wsgi_app, app.config["LANGUAGES"].keys())
    for endpoint in public_endpoints:
        app.view_functions[endpoint] = _redirect_to_language(app.view_functions[endpoint], choose)
    original = app.url_for

    def url_for(endpoint: str, **values):
        url = original(endpoint, **values)
        if has_request_context() and unprefixed(endpoint):
            return _strip_prefix(url)
        return url

    app.url_for = url_for
    app.jinja_env.globals["url_for"] = url_for
