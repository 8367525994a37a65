"""The booking page of a public profile, /<lang>/practitioners/<id>/book, in three
steps on one page (the state in the URL: ``service``, ``from``, ``day``, ``start``):
choose a service, a local day and a free slot, then add a note and files and book.

A visitor chooses everything; at "Book" the choice (profile, service, time, note) is
kept in their session and they sign in or register, coming back (``next``) to the
last step with the same choice, where files can be added and the booking made.
A time taken meanwhile (SlotTaken) shows its message and the next free slots,
keeping the note (files must be chosen again: a browser cannot resend them).

``/practitioners/<id>/slots`` is the profile's "next free slots" block: a small
fragment the cached profile page loads (js/booking_slots.js), so the profile page
stays in the page cache while the slots are always current."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, make_response, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.core.errors import NotFound, ServiceError
from portal.core.http import refused
from portal.services.bookings import booking as booking_service
from portal.services.bookings import client as client_service
from portal.services.bookings.slots import to_local
from portal.services.exchange import booking_files

T = "portal/bookings/client/"
SESSION_KEY = "booking_choice"  # a visitor's choice until they sign in: {profile, service, start, note}
NOTE_KEPT_BYTES = 1500  # a longer note is not kept in the session cookie (the visitor is told)


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _kept(profile_id: int) -> dict:
    """The visitor's kept choice for this profile ({} when none)."""
    kept = session.get(SESSION_KEY)
    return kept if isinstance(kept, dict) and kept.get("profile") == profile_id else {}


class BookView(BaseView):
    route_base = "/practitioners"

    @expose("/<int:profile_id>/slots")
    def slots(self, profile_id: int):
        """The profile's next free slots, grouped by local day (a fragment, never cached)."""
        try:
            profile = client_service.bookable_profile(profile_id)
        except NotFound:
            abort(404)
        items = client_service.services(profile)
        slots = client_service.next_slots(profile.id, client_service.shortest(items)) if items else []
        single = items[0] if len(items) == 1 else None
        response = make_response(self.render_template(
            T + "_slots.html", profile=profile, days=client_service.by_day(slots), single=single,
            start_arg=client_service.start_arg))
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/<int:profile_id>/book", methods=["GET", "POST"])
    def book(self, profile_id: int):
        try:
            profile = client_service.bookable_profile(profile_id)
        except NotFound:
            abort(404)
        items = client_service.services(profile)
        own = g.user.is_authenticated and g.user.id == profile.user_id
        form = request.form if request.method == "POST" else request.args
        item = client_service.service_of(profile, _int(form.get("service")))
        if item is None and len(items) == 1:
            item = items[0]
        start = client_service.parse_start(form.get("start"))
        kept = _kept(profile.id)
        note = request.form.get("note", kept.get("note", "")) if request.method == "POST" else kept.get("note", "")
        if request.method == "GET" and kept.get("note_dropped") and g.user.is_authenticated:
            flash(str(_l("Your note was too long to keep while you signed in: please write it again.")), "warning")
        state = {"profile": profile, "items": items, "item": item, "start": start, "note": note, "own": own,
                 "visitor": not g.user.is_authenticated, "error": None, "note_error": None, "files_error": None,
                 "alternatives": None, "files_dropped": False, "limits": _limits()}
        if request.method == "POST" and item is not None and start is not None and not own:
            done = self._submit(profile, item, start, note, state)
            if done is not None:
                return done
        elif request.method == "POST":
            state["error"] = _("Please choose a service and a free time.")
        return self._page(state)

    def _submit(self, profile, item, start, note, state):
        """Book (a signed-in user) or keep the choice and ask to sign in (a visitor);
        None: show the page again with what went wrong."""
        if len(note.strip()) > booking_service.NOTE_MAX:
            state["note_error"] = _("The note is too long (at most %(max)d characters).", max=booking_service.NOTE_MAX)
            return None
        if not g.user.is_authenticated:
            note = note.strip()
            # the session is a cookie (about 4 KB): a long note cannot travel in it
            fits = len(note.encode("utf-8")) <= NOTE_KEPT_BYTES
            session[SESSION_KEY] = {"profile": profile.id, "service": item.id,
                                    "start": client_service.start_arg(start), "note": note if fits else "",
                                    "note_dropped": not fits}
            back = url_for("BookView.book", profile_id=profile.id, service=item.id, start=client_service.start_arg(start))
            return redirect(url_for("AuthDBView.login", next=back))
        files = request.files.getlist("files")
        try:
            booking_files.check(files)
            booking = booking_service.book(g.user, profile.id, item.id, start, note)
        except booking_service.SlotTaken as err:
            refused(err)
            state.update(error=err.message, alternatives=err.next_slots, start=None,
                         files_dropped=bool([f for f in files if f and f.filename]))
            return None
        except ServiceError as err:
            refused(err)  # NotFound (the service went away, the profile is no longer public): 404
            key = {"note": "note_error", "files": "files_error"}.get(err.field or "", "error")
            state[key] = err.message
            state["files_dropped"] = bool([f for f in files if f and f.filename])
            return None
        booking_files.store(g.user, booking, files)
        session.pop(SESSION_KEY, None)
        if booking.status == "confirmed":
            flash(str(_l("Your booking is confirmed.")), "success")
        else:
            flash(str(_l("Your booking was sent. The practitioner will confirm it.")), "success")
        return redirect(url_for("ClientBookingsView.show", booking_id=booking.id))

    def _page(self, state: dict):
        profile, item, start = state["profile"], state["item"], state["start"]
        picker = day = None
        if item is not None and state["alternatives"] is None:
            if start is not None and not client_service.is_free(profile.id, start, item.duration_minutes):
                if request.method == "GET":
                    flash(str(_l("This time is no longer free. Please choose another one.")), "warning")
                start = state["start"] = None
            first = _day(request.args.get("from"))
            day = _day(request.args.get("day")) or (to_local(start).date() if start else None)
            if start is None:
                picker = client_service.free_days(profile.id, item.duration_minutes, first or day)
                if day is None or not picker.slots_of(day):
                    day = picker.days[0][0] if picker.days else None
        step = 1 if item is None else (3 if start is not None or state["alternatives"] is not None else 2)

        def link(day=None, start=None, from_=None) -> str:
            return url_for("BookView.book", profile_id=profile.id, service=item.id if item else None, day=day,
                           start=start, **{"from": from_})

        return self.render_template(T + "book.html", step=step, picker=picker, day=day, link=link,
                                    start_arg=client_service.start_arg, **state)


def _limits() -> dict:
    from flask import current_app

    return {"count": current_app.config["ATTACHMENT_MAX_COUNT"],
            "mb": current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024)}
