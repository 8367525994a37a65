"""Cookie notice and consent (agreement, section 8). Public, works without
JavaScript: the banner and the cookies page post plain forms here.

Categories: strictly necessary (session, CSRF token, the consent choice
itself: always on) and preferences (the ``portal_lang`` language cookie).
The portal sets no analytics or advertising cookies. The choice lives in the
``cookie_consent`` cookie: ``all`` or ``necessary``; no cookie = not chosen
yet, which counts as "necessary only"."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, session
from flask_appbuilder import BaseView, expose
from flask_wtf.csrf import CSRFError

from portal.core import page_cache
from portal.core.extensions import csrf
from portal.core.hardening import same_origin
from portal.core.i18n import is_supported

CONSENT_COOKIE = "cookie_consent"
CONSENT_MAX_AGE = 365 * 24 * 3600
ALL = "all"
NECESSARY = "necessary"
CHOICES = (ALL, NECESSARY)


def consent_choice(req=None) -> str | None:
    """``"all"``, ``"necessary"`` or None (no valid choice made yet)."""
    value = (req or request).cookies.get(CONSENT_COOKIE)
    return value if value in CHOICES else None


def preferences_allowed(req=None) -> bool:
    """May preference cookies (the language cookie) be set for this browser?"""
    return consent_choice(req) == ALL


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything off-site (scheme, host, ``//``,
    backslashes, control characters) becomes ``default``."""
    if not target or len(target) > 2000:
        return default
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def here() -> str:
    """The current page as a ``next`` value for the banner's forms (with its
    /kk/, /ru/ or /en/ prefix: the script root on a language URL)."""
    path = request.full_path if request.query_string else request.path
    return safe_next(request.script_root + path)


class CookiesView(BaseView):
    """GET /cookies/: what the cookies are, with per-category choices;
    POST /cookies/consent: saves the choice and goes back to ``next``."""

    route_base = "/cookies"
    default_view = "index"

    @expose("/")
    def index(self):
        return self.render_template(
            "portal/accounts/cookies.html",
            choice=consent_choice(),
            language_cookie=current_app.config["LANGUAGE_COOKIE"],
            consent_cookie=CONSENT_COOKIE,
            next_url=safe_next(request.args.get("next")),
        )

    @expose("/consent", methods=["POST"])
    def consent(self):
        _check_forgery()
        choice = request.form.get("choice")
        if choice == "custom":
            choice = ALL if request.form.get("preferences") else NECESSARY
        if choice not in CHOICES:
            abort(400)
        response = redirect(safe_next(request.form.get("next")))
        secure = bool(current_app.config["SESSION_COOKIE_SECURE"])
        response.set_cookie(CONSENT_COOKIE, choice, max_age=CONSENT_MAX_AGE, samesite="Lax",
                            secure=secure, httponly=True)
        language_cookie = current_app.config["LANGUAGE_COOKIE"]
        chosen_locale = session.get("locale")
        if choice == ALL and is_supported(chosen_locale):  # a language picked before consenting
            response.set_cookie(language_cookie, chosen_locale, max_age=365 * 24 * 3600,
                                samesite="Lax", secure=secure, httponly=True)
        elif choice == NECESSARY and language_cookie in request.cookies:
            response.delete_cookie(language_cookie, samesite="Lax", secure=secure, httponly=True)
        return response


def _check_forgery() -> None:
    """CSRF for the consent POST. The cookie notice on every public page posts without a
    token (a token would give every visitor a session cookie, and public pages could not be
    cached): such a POST must come from a page of this site (Fetch Metadata, Origin or
    Referer). A POST with a token (the cookies page) must carry a valid one."""
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return
    if request.form.get("csrf_token"):
        csrf.protect()
    elif not same_origin():
        raise CSRFError("The request did not come from a page of this site.")


def register(appbuilder) -> None:
    # checked in the view (_check_forgery): a token, or a POST sent by this site's own page
    csrf.exempt(f"{__name__}.{CookiesView.consent.__name__}")
    appbuilder.add_view_no_menu(CookiesView())
    current_app.jinja_env.globals.update(cookie_consent_choice=consent_choice, cookie_consent_next=here)
    page_cache.vary_on(consent_choice)  # cached public pages show the cookie notice until a choice
