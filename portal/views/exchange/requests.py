"""Requests as web pages: the client's requests and the request form, and one
request page for every party (client, practitioner, staff) with the client's
actions. The offer and review actions on that page are mixed in from
``offers`` and ``reviews``; the feed is ``feed``. Every change goes through a
service; a ServiceError becomes a message on its form field or a flash
(core.http.refuse), NotFound a 404."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access, permission_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.core import links
from portal.core.collation import sorted_by_name
from portal.core.errors import NotFound, ServiceError
from portal.core.http import refuse
from portal.core.paging import page_arg
from portal.forms.exchange import OfferForm, RequestForm, ReviewForm
from portal.models.exchange import OfferStatus, RequestStatus
from portal.models.practitioners import active_profile
from portal.services.exchange import messages as messages_service
from portal.services.exchange import offers as offers_service
from portal.services.exchange import request_lifecycle
from portal.services.exchange import requests as requests_service
from portal.services.exchange import reviews as reviews_service
from portal.services.notifications import inbox
from portal.services.practitioners import profiles
from portal.views.exchange.feed import FeedView
from portal.views.exchange.offers import OfferActions
from portal.views.exchange.pending import PENDING_LIMITS, PendingActions, continue_url, flash_published
from portal.views.exchange.reviews import ReviewActions

T = "portal/exchange/requests/"


def _to_int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None




def _limits() -> dict:
    return {"count": current_app.config["ATTACHMENT_MAX_COUNT"],
            "mb": current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024)}



class RequestsView(PendingActions, OfferActions, ReviewActions, BaseView):
    route_base = "/requests"
    default_view = "index"
    limits = PENDING_LIMITS  # visitors' submissions per IP

    # --- the client's list and form ----------------------------------------

    @expose("/")
    @has_access
    def index(self):
        status = request.args.get("status") or None
        page = requests_service.mine(g.user, status, page=page_arg())
        return self.render_template(T + "index.html", page=page, status=status, statuses=RequestStatus.ALL)

    @expose("/new", methods=["GET", "POST"])
    def new(self):
        """Open to visitors too (views.exchange.pending: what they write is kept
        until they sign in or register); a signed-in user needs the permission."""
        if not g.user.is_authenticated:
            return self._visitor_new()
        return self._client_new()

    @has_access
    @permission_name("new")
    def _client_new(self):
        form = RequestForm()
        target_id = self._to_target_id(form)
        target = self._target(target_id)
        if request.method == "GET" and target is not None:
            form.category_id.data, form.target_profile_id.data = target.category_id, str(target.id)
        self._preset_category(form)
        self._prefill_description(form)
        if request.method == "POST" and not self._changing_category() and form.validate():
            publish = request.form.get("action") == "publish"
            try:
                req = requests_service.create(g.user, self._input(form, target_id), publish=publish,
                                              files=request.files.getlist("attachments"))
            except ServiceError as err:
                refuse(err, form)
            else:
                self._flash_saved(req, publish)
                return redirect(url_for(".show", request_id=req.id))
        return self._form_page(form, target=target, target_id=target_id, kept=self._pending())

    @staticmethod
    def _to_target_id(form: RequestForm) -> int | None:
        return _to_int(form.target_profile_id.data or request.args.get("profile"))

    @staticmethod
    def _preset_category(form: RequestForm) -> None:
        """A new form's category from ``?category=`` (a link, or the category step
        sent with GET); _form_page ignores an id that is not a category taking requests."""
        if request.method == "GET" and not form.category_id.data:
            form.category_id.data = _to_int(request.args.get("category"))

    @staticmethod
    def _prefill_description(form: RequestForm) -> None:
        """A new form's description from ``?description=`` (or ``?q=``): the search
        page's "File a request" carries what the visitor searched for. Cut to the
        description's maximum; WTForms escapes it in the textarea."""
        text = request.args.get("description") or request.args.get("q") or ""
        if request.method == "GET" and not form.description.data and text.strip():
            form.description.data = text.strip()[:requests_service.DESCRIPTION_MAX]

    @staticmethod
    def _changing_category() -> bool:
        """The form's "Continue" button (pages without JavaScript): show the chosen
        category's specializations again with what was typed, save nothing."""
        return request.form.get("action") == "category"

    @expose("/<int:request_id>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, request_id: int):
        req = requests_service.get_own(g.user, request_id)
        if not requests_service.can_edit(req):
            flash(str(_l("This request can no longer be edited.")), "warning")
            return redirect(url_for(".show", request_id=req.id))
        if request.method == "GET":
            form = RequestForm(formdata=None, data={
                "category_id": req.category_id, "region_id": req.region_id, "title": req.title,
                "description": req.description, "city": req.city, "budget": req.budget,
                "desired_date": req.desired_date, "specialization_ids": [s.id for s in req.specializations]})
        else:
            form = RequestForm()
            if not self._changing_category() and form.validate():
                publish = request.form.get("action") == "publish" and req.status == RequestStatus.DRAFT
                try:
                    req = requests_service.edit(g.user, req.id, self._input(form, req.target_profile_id),
                                                publish=publish,
                                                files=request.files.getlist("attachments"))
                except ServiceError as err:
                    refuse(err, form)
                    req = requests_service.get_own(g.user, request_id)
                else:
                    self._flash_saved(req, publish, edited=True)
                    return redirect(url_for(".show", request_id=req.id))
        return self._form_page(form, target=req.target_profile, req=req)

    @staticmethod
    def _target(profile_id: int | None):
        """The practitioner a request goes to (?profile=), for the page. On
        POST the service checks the id again and refuses if it is not public."""
        try:
            return profiles.public_profile(profile_id) if profile_id else None
        except NotFound:
            if request.method == "GET":
                flash(str(_l("This practitioner is not available for requests.")), "warning")
            return None

    @staticmethod
    def _input(form: RequestForm, target_id: int | None) -> requests_service.RequestInput:
        return requests_service.RequestInput(
            category_id=form.category_id.data,
            title=form.title.data or "", description=form.description.data or "",
            region_id=form.region_id.data, city=form.city.data or "",
            specialization_ids=[i for i in form.specialization_ids.data or []],
            budget=form.budget.data, desired_date=form.desired_date.data,
            target_profile_id=target_id)

    @staticmethod
    def _flash_saved(req, publish: bool, edited: bool = False) -> None:
        if publish:
            flash_published(req)
        elif edited:
            flash(str(_l("Your changes were saved.")), "success")
        else:
            flash(str(_l("Your request was saved as a draft. Publish it when it is ready.")), "success")

    def _form_page(self, form, target=None, req=None, target_id=None, kept=None):
        categories = profiles.categories()
        if target is not None:
            categories = [target.category]
        open_to_requests = [c for c in categories if c.takes_requests]
        # only the chosen category's specializations; the others go to js/request_form.js as data
        chosen = next((c for c in open_to_requests if c.id == form.category_id.data), None)
        return self.render_template(T + "form.html", form=form, target=target, req=req, categories=categories,
                                    chosen=chosen, specializations=sorted_by_name(chosen.specializations) if chosen else [],
                                    spec_map={c.id: [[s.id, s.name] for s in sorted_by_name(c.specializations)]
                                              for c in open_to_requests},
                                    regions=profiles.regions(), limits=_limits(), target_id=target_id,
                                    selected_specs=set(form.specialization_ids.data or []), kept=kept,
                                    visitor=not g.user.is_authenticated, continue_url=continue_url())

    # --- one page for every party ------------------------------------------------

    @expose("/<int:request_id>")
    @has_access
    def show(self, request_id: int):
        return self._show(request_id)

    def _show(self, request_id: int, offer_form=None, review_form=None):
        user = g.user
        req = requests_service.get_visible(user, request_id)
        role = requests_service.viewer_role(user, req)
        if role != "staff":  # notifications about this request are now seen
            inbox.mark_read(user.id, link=links.request_page(req.id))
        ctx = {"req": req, "role": role, "attachments": req.attachments}
        if role == "client":
            ctx.update(self._client_context(req, review_form))
        elif role == "practitioner":
            ctx.update(self._practitioner_context(req, offer_form))
        else:
            ctx["offers"] = list(req.offers)
        return self.render_template(T + "show.html", **ctx)

    def _client_context(self, req, review_form):
        user = g.user
        review = req.review
        review_editable = review is not None and reviews_service.can_edit(review)
        if review_form is None:
            data = {"rating": review.rating, "comment": review.comment} if review is not None else {}
            review_form = ReviewForm(formdata=None, data=data)
        return {
            "offers": offers_service.for_client(user, req.id),
            "threads": {t.profile_id: (t, unread) for t, unread in
                        messages_service.threads_of_request(user, req.id)},
            "can_edit": requests_service.can_edit(req),
            "review": review, "can_review": reviews_service.can_review(user, req.id),
            "review_editable": review_editable,
            "review_until": reviews_service.editable_until(review) if review is not None else None,
            "review_form": review_form,
            "next_step": request_lifecycle.next_step(user, req),
        }

    def _practitioner_context(self, req, offer_form):
        user = g.user
        profile = active_profile(user)
        offer = offers_service.own_offer(user, req.id)
        offer_editable = offers_service.is_changeable(offer)
        may_offer = offers_service.can_offer(user, req)
        blocker = None
        if not may_offer and (offer is None or offer.status == OfferStatus.WITHDRAWN):
            blocker = (_l("Only verified practitioners see requests and make offers.") if profile is None
                       else _l("Offers can only be made on open requests that match your practice."))
        if offer_form is None:
            data = ({"price": offer.price, "price_kind": offer.price_kind, "term_days": offer.term_days,
                     "message": offer.message} if offer_editable else {})
            offer_form = OfferForm(formdata=None, data=data)
        thread = messages_service.my_thread(user, req.id)
        return {
            "offer": offer, "offer_editable": offer_editable, "may_offer": may_offer, "blocker": blocker,
            "offer_form": offer_form, "thread": thread,
            # questions before the selection; the work after it (selected practitioner only)
            "can_ask": thread is not None or may_offer or offer_editable or (
                offer is not None and offer.status == OfferStatus.ACCEPTED),
            "targeted": req.target_profile_id is not None and req.target_profile_id == getattr(
                user.practitioner_profile, "id", None),
            "can_ask_completion": request_lifecycle.may_ask_completion(user, req),
            "next_step": request_lifecycle.next_step(user, req),
        }

    # --- the client's actions ----------------------------------------------------

    def _act(self, request_id: int, action, success):
        try:
            action()
        except ServiceError as err:
            refuse(err)
        else:
            flash(str(success), "success")
        return redirect(url_for(".show", request_id=request_id))

    @staticmethod
    def _refuse(request_id: int, message):
        """A confirm page for an action that is no longer possible: say why."""
        flash(str(message), "warning")
        return redirect(url_for(".show", request_id=request_id))

    def _confirm(self, req, title, text, button, danger=False, details=None):
        # plain text: a lazy string counts as safe HTML in a template, and ``text`` may name a person
        return self.render_template(T + "confirm.html", req=req, title=str(title), text=str(text),
                                    button=str(button), danger=danger, details=details or [])

    @expose("/<int:request_id>/publish", methods=["POST"])
    @has_access
    def publish(self, request_id: int):
        try:
            req = requests_service.publish(g.user, request_id)
        except ServiceError as err:
            refuse(err)
        else:
            flash_published(req)
        return redirect(url_for(".show", request_id=request_id))

    @expose("/<int:request_id>/cancel", methods=["GET", "POST"])
    @has_access
    def cancel(self, request_id: int):
        if request.method == "GET":
            req = requests_service.get_own(g.user, request_id)
            if req.status not in requests_service.EDITABLE:
                return self._refuse(req.id, _l("Only a draft or an open request can be cancelled."))
            return self._confirm(req, _l("Cancel this request?"), _l(
                "The request will be closed and every active offer on it declined. This cannot be undone."),
                _l("Cancel the request"), danger=True)
        return self._act(request_id, lambda: request_lifecycle.cancel(g.user, request_id),
                         _l("The request was cancelled."))

    @expose("/<int:request_id>/select/<int:offer_id>", methods=["GET", "POST"])
    @has_access
    def select(self, request_id: int, offer_id: int):
        if request.method == "GET":
            offers = offers_service.for_client(g.user, request_id)
            offer = next((o for o in offers if o.id == offer_id), None)
            if offer is None:
                abort(404)
            if offer.status != OfferStatus.ACTIVE or offer.request.status != RequestStatus.OPEN:
                return self._refuse(request_id, _l("This offer is no longer available."))
            others = sum(1 for o in offers if o.status == OfferStatus.ACTIVE and o.id != offer.id)
            if others:
                text = ngettext("The request goes to work with %(name)s and the other %(num)d active offer will be "
                                "declined. This cannot be undone.",
                                "The request goes to work with %(name)s and the other %(num)d active offers "
                                "will be declined. This cannot be undone.", others, name=offer.profile.name)
            else:
                text = _("The request goes to work with %(name)s. This cannot be undone.",
                         name=offer.profile.name)
            return self._confirm(offer.request, _l("Select this offer?"), text, _l("Select this offer"),
                                 details=[offer])
        return self._act(request_id, lambda: request_lifecycle.select_offer(g.user, request_id, offer_id),
                         _l("You selected an offer. The practitioner has been notified; the other offers "
                            "were declined."))

    @expose("/<int:request_id>/complete", methods=["GET", "POST"])
    @has_access
    def complete(self, request_id: int):
        if request.method == "GET":
            req = requests_service.get_own(g.user, request_id)
            if req.status != RequestStatus.IN_PROGRESS:
                return self._refuse(req.id, _l("Only a request in progress can be completed."))
            return self._confirm(req, _l("Mark this request completed?"), _l(
                "Confirm that the work is done. The request will be closed and you can review the practitioner."),
                _l("Mark completed"))
        return self._act(request_id, lambda: request_lifecycle.complete(g.user, request_id),
                         _l("The request is completed. You can now review the practitioner."))


def register(appbuilder) -> None:
    appbuilder.add_view(RequestsView, "My requests", href="/requests/", icon="fa-file-lines",
                        label=_l("My requests"), category="My area")
    appbuilder.add_link("New request", href="/requests/new", icon="fa-file-circle-plus",
                        label=_l("New request"), category="My area")
    appbuilder.add_view(FeedView, "Request feed", href="/feed/", icon="fa-inbox",
                        label=_l("Request feed"), category="My area")
