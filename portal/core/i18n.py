"""Locale selection and helpers for admin-written content in kk/ru/en."""
from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale

from portal.core.lang_urls import referrer_language, url_language

FALLBACK_ORDER = ("ru", "kk", "en")


def supported_locales() -> list[str]:
    return list(current_app.config["LANGUAGES"].keys())


def is_supported(code: str | None) -> bool:
    return bool(code) and code in current_app.config["LANGUAGES"]


def select_locale() -> str:
    """Locale for this request: the language of the URL (/kk/..., /ru/..., /en/...:
    then nothing else counts), else ?_l_=, session, the user's preference,
    the language cookie, the browser's Accept-Language, the default."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    in_url = url_language()
    if is_supported(in_url):
        return in_url
    if request.path.startswith("/api/") and request.headers.get("Accept-Language"):
        # an API client says which language it wants in every call (a mobile app's setting)
        return request.accept_languages.best_match(supported_locales()) or default
    return chosen_locale()


def chosen_locale() -> str:
    """The language chosen without the URL: ?_l_=, session, the user's preference,
    the language cookie, the language URL this site's page came from (a visitor
    following a link from /ru/... to sign in), the browser's Accept-Language, the default."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    candidates = [
        request.args.get("_l_"),
        session.get("locale"),
        getattr(getattr(g, "user", None), "locale", None),
        request.cookies.get(current_app.config["LANGUAGE_COOKIE"]),
        referrer_language(),
    ]
    for code in candidates:
        if is_supported(code):
            return code
    return request.accept_languages.best_match(supported_locales()) or default


def current_locale() -> str:
    try:
        return str(get_locale() or "ru").split("_")[0]
    except RuntimeError:  # outside a request/app context
        return "ru"


class LocalizedMixin:
    """``obj.tr("name")`` reads ``name_<locale>`` and falls back to ru, kk, en."""

    def tr(self, field: str, locale: str | None = None) -> str:
        order = (locale or current_locale(),) + FALLBACK_ORDER
        for code in order:
            value = getattr(self, f"{field}_{code}", None)
            if value:
                return value
        return ""

    @property
    def name(self) -> str:
        return self.tr("name")

    def __str__(self) -> str:
        return self.name or ""
