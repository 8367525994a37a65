"""The language switch: replaces FAB's /lang/<locale>."""
from __future__ import annotations

from flask import abort, current_app, g, make_response, redirect, request, session
from flask_babel import refresh

from portal.core import lang_urls
from portal.core.i18n import is_supported, supported_locales
from portal.services.accounts import registration
from portal.views.accounts.consent import preferences_allowed, safe_next


def switch_language(locale: str):
    """Replaces FAB's /lang/<locale>: remembers the choice in the session,
    when logged in the user's preference and, only with consent to preference
    cookies, a year-long cookie."""
    if not is_supported(locale):
        abort(404)
    session["locale"] = locale
    user = getattr(g, "user", None)
    if user is not None and user.is_authenticated:
        registration.set_locale(user, locale)
    refresh()
    response = make_response(redirect(_target(locale)))
    # the language cookie is a preference cookie: only with consent (the
    # session and the user's profile keep the language otherwise)
    if preferences_allowed():
        response.set_cookie(current_app.config["LANGUAGE_COOKIE"], locale, max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True,
                            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]))
    return response


def _target(locale: str) -> str:
    """Back to the page the switch was used on (``?next=``, else the referrer, else
    home); a language URL (/kk/...) becomes the same page in the new language."""
    target, host = safe_next(request.args.get("next"), default=""), ""
    if not target:
        referrer = request.referrer or ""
        if not referrer.startswith(request.host_url):
            return "/"
        target, host = safe_next("/" + referrer[len(request.host_url):], default="/"), request.host_url[:-1]
    root = request.script_root
    if root and target.startswith(root + "/"):
        return host + root + lang_urls.swap_language(target[len(root):], locale, supported_locales())
    return host + lang_urls.swap_language(target, locale, supported_locales())
