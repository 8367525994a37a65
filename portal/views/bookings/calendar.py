"""A practitioner's private calendar feed (services.bookings.calendar).

* ``GET /calendar/<token>.ics``: the feed a calendar app subscribes to. Public (the
  token is the secret), no session is read or written, never cached; an unknown or
  replaced token is a 404.
* ``POST /practice/calendar-feed``: the practitioner creates the feed address; when one
  exists already it is replaced only with ``confirm=1`` (the confirmation page,
  ``GET /practice/calendar-feed/reset``, or the checkbox of the settings snippet
  ``portal/bookings/_calendar_feed.html``): the old address stops working.

Thin: the rules (who may, the audit entry) are in the service."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import gettext as _

from portal.core.errors import NotFound, ServiceError
from portal.core.http import refused
from portal.services.bookings import calendar as feed_service
from portal.views.accounts.consent import safe_next

FALLBACK_PAGE = "/practice/"


def _back() -> str:
    return safe_next(request.values.get("next"), default=FALLBACK_PAGE)


def _signin():
    return redirect(url_for("AuthDBView.login", next=request.full_path.rstrip("?")))


class CalendarFeedView(BaseView):
    route_base = ""

    @expose("/calendar/<token>.ics")
    def feed(self, token: str):
        try:
            body = feed_service.feed_for_token(token)
        except NotFound:
            abort(404)
        response = Response(body, mimetype="text/calendar")
        response.headers["Content-Disposition"] = 'inline; filename="alemtrust.ics"'
        response.headers["Cache-Control"] = "no-store, private"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @expose("/practice/calendar-feed/reset")
    def confirm_reset(self):
        if not g.user.is_authenticated:
            return _signin()
        from portal.services.bookings.schedule import own_profile

        try:
            profile = own_profile(g.user)
        except ServiceError as err:
            refused(err)
            flash(str(err.message), "danger")
            return redirect(_back())
        return self.render_template("portal/bookings/calendar_reset.html", profile=profile,
                                    feed_url=feed_service.feed_url(profile), next=_back())

    @expose("/practice/calendar-feed", methods=["POST"])
    def reset(self):
        if not g.user.is_authenticated:
            return _signin()
        from portal.services.bookings.schedule import own_profile

        try:
            profile = own_profile(g.user)
            if feed_service.feed_url(profile) and request.form.get("confirm") != "1":
                flash(_("Tick the box to confirm: the old calendar address will stop working."), "danger")
                return redirect(url_for("CalendarFeedView.confirm_reset", next=_back()))
            had = feed_service.feed_url(profile) is not None
            feed_service.reset_feed(g.user)
        except ServiceError as err:
            refused(err)
            flash(str(err.message), "danger")
            return redirect(_back())
        flash(_("New calendar address created. Add it to your calendar app again: the old one no longer works.")
              if had else _("Your calendar address is ready. Add it to your calendar app."), "success")
        return redirect(_back())


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(CalendarFeedView())
    # the settings snippet (portal/bookings/_calendar_feed.html) reads the address with it
    current_app.jinja_env.globals["calendar_feed_url"] = feed_service.feed_url
