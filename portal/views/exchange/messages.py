"""Conversation pages (one thread per request and practitioner) and the
download of attached files. Thin: every rule (who may read, write, open a
thread, which files pass) is in services.messages and services.attachments."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from portal.core import links
from portal.core.errors import NotFound, ServiceError
from portal.core.files import send_private
from portal.core.http import refuse, refused
from portal.core.paging import Page
from portal.forms.exchange import MessageForm, StaffReasonForm
from portal.models.exchange import Thread
from portal.services.bookings import conversation as booking_threads
from portal.services.exchange import attachment_access
from portal.services.exchange import attachments as attachments_service
from portal.services.exchange import messages as messages_service

PER_PAGE = 20
# The pages of a booking for each side (views.bookings), the first whose route exists is linked.
BOOKING_PAGES = {"client": ("/bookings/{id}",), "practitioner": ("/practice/bookings/{id}", "/bookings/{id}")}


def other_party(thread: Thread, role: str):
    """The user on the other side of the thread (None for staff)."""
    if role == "client":
        return thread.profile.user
    if role == "practitioner":
        return booking_threads.client_of(thread)
    return None


def subject_link(thread: Thread, role: str) -> str | None:
    """The page of what the conversation is about: the request, or the booking (for its side)."""
    if thread.booking_id is None:
        return links.request_page(thread.request_id)
    adapter = current_app.url_map.bind("localhost")
    for pattern in BOOKING_PAGES.get(role, ()):
        path = pattern.format(id=thread.booking_id)
        try:
            adapter.match(path, method="GET")
        except Exception:  # noqa: BLE001 - no such page: try the next
            continue
        return path
    return None


@dataclass
class ThreadRow:
    thread: Thread
    role: str
    unread: int
    other: object

    @property
    def title(self) -> str:
        return booking_threads.title(self.thread)

    @property
    def status(self) -> str:
        return booking_threads.status_of(self.thread)


class ThreadsView(BaseView):
    route_base = "/threads"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        found = messages_service.mine(g.user, page=request.args.get("page", 1, type=int), per_page=PER_PAGE)
        page = Page([ThreadRow(t, role, unread, other_party(t, role)) for t, role, unread in found.items],
                    found.total, found.page, found.per_page)
        return self.render_template("portal/exchange/messages/index.html", page=page)

    @expose("/open", methods=["GET", "POST"])
    @has_access
    def start(self):
        """Start (or reopen) the conversation on ``?request=`` (the client adds
        ``&profile=``). Starting one writes a row, so only a POST (with the CSRF
        token) does it; a GET goes to the conversation when it exists already,
        else shows a page with the button."""
        request_id = request.args.get("request", type=int)
        if request_id is None:
            abort(404)
        profile_id = request.args.get("profile", type=int)
        if request.method == "GET":
            thread = self._existing(request_id, profile_id)
            if thread is not None:
                return redirect(url_for("ThreadsView.show", thread_id=thread.id))
            return self.render_template("portal/exchange/messages/start.html", request_id=request_id, profile_id=profile_id,
                                        request_link=links.request_page(request_id))
        try:
            thread = messages_service.open_thread(g.user, request_id, profile_id)
        except ServiceError as err:
            refuse(err)
            return redirect(links.request_page(request_id))
        return redirect(url_for("ThreadsView.show", thread_id=thread.id))

    def _existing(self, request_id: int, profile_id: int | None) -> Thread | None:
        """The user's conversation on the request, if it was started already (nothing is created)."""
        try:
            if profile_id is None:  # a practitioner: their own thread
                return messages_service.my_thread(g.user, request_id)
            return next((t for t, _unread in messages_service.threads_of_request(g.user, request_id)
                         if t.profile_id == profile_id), None)
        except NotFound:
            return None

    @expose("/<int:thread_id>")
    @has_access
    def show(self, thread_id: int):
        thread = messages_service.get_thread(g.user, thread_id, audit=False)
        if messages_service.role_in(g.user, thread) == "staff":
            reason = StaffReasonForm(request.args)
            if "reason" not in request.args or not reason.validate():
                return self.render_template("portal/exchange/messages/reason.html", thread=thread, form=reason,
                                            title=booking_threads.title(thread))
            view = messages_service.view(g.user, thread_id, audit_reason=reason.reason.data.strip())
        else:
            view = messages_service.view(g.user, thread_id)
        return self._render(view, MessageForm())

    @expose("/<int:thread_id>/post", methods=["POST"])
    @has_access
    def post(self, thread_id: int):
        form = MessageForm()
        try:
            message = messages_service.post(g.user, thread_id, form.body.data or "",
                                            request.files.getlist("files"))
        except ServiceError as err:
            refused(err)
            thread = messages_service.get_thread(g.user, thread_id, audit=False)
            if messages_service.role_in(g.user, thread) == "staff":
                flash(str(err.message), "danger")
                return redirect(url_for("ThreadsView.show", thread_id=thread_id))
            had_files = any(f.filename for f in request.files.getlist("files"))
            return self._render(messages_service.view(g.user, thread_id), form, error=err.message,
                                files_dropped=had_files)
        return redirect(url_for("ThreadsView.show", thread_id=thread_id, _anchor=f"m{message.id}"))

    def _render(self, view, form, error=None, files_dropped: bool = False):
        return self.render_template(
            "portal/exchange/messages/show.html", view=view, thread=view.thread, form=form, error=error,
            files_dropped=files_dropped, other=other_party(view.thread, view.role),
            request_link=subject_link(view.thread, view.role), title=booking_threads.title(view.thread),
            subject_status=booking_threads.status_of(view.thread),
        )

    @expose("/booking/<int:booking_id>", methods=["GET", "POST"])
    @has_access
    def booking(self, booking_id: int):
        """The conversation of a booking (its client or practitioner): a GET goes to it when
        it exists, else shows the page with the button; the POST starts it."""
        if request.method == "GET":
            thread = messages_service.booking_thread(g.user, booking_id)
            if thread is not None:
                return redirect(url_for("ThreadsView.show", thread_id=thread.id))
            return self.render_template("portal/exchange/messages/start.html", booking_id=booking_id,
                                        request_link=None)
        try:
            thread = messages_service.open_booking_thread(g.user, booking_id)
        except ServiceError as err:
            refuse(err)
            return redirect(url_for("ThreadsView.index"))
        return redirect(url_for("ThreadsView.show", thread_id=thread.id))


class AttachmentsView(BaseView):
    """Files are read from the instance folder (never the static folder) and
    always sent as downloads, so a browser never renders them in the portal's origin."""

    route_base = "/attachments"

    @expose("/<int:attachment_id>")
    @has_access
    def download(self, attachment_id: int):
        att = attachment_access.get_for(g.user, attachment_id)
        return send_private(attachments_service.key_of(att), att.content_type, att.original_name)


def register(appbuilder) -> None:
    # what a conversation or a booking is about, in templates of other pages (complaints, reviews received)
    current_app.jinja_env.globals.update(thread_title=booking_threads.title,
                                         booking_title=booking_threads.booking_title)
    appbuilder.add_view(ThreadsView, "Messages", href="/threads/", icon="fa-comments", label=_l("Messages"),
                        category="My area")
    appbuilder.add_view_no_menu(AttachmentsView)
