"""The practitioner's actions on a request page: make, edit and withdraw an offer, ask the
client to confirm completion. Routes of RequestsView (``/requests/...``)."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from portal.core.errors import ServiceError
from portal.core.http import refuse
from portal.forms.exchange import OfferForm
from portal.services.exchange import offers as offers_service
from portal.services.exchange import request_lifecycle


def _offer_input(form: OfferForm) -> offers_service.OfferInput:
    return offers_service.OfferInput(price=form.price.data, price_kind=form.price_kind.data or "",
                                     term_days=form.term_days.data, message=form.message.data or "")


class OfferActions:
    """Mixed into RequestsView: uses its ``_act``, ``_show`` and ``_confirm``."""

    @expose("/<int:request_id>/ask-completion", methods=["POST"])
    @has_access
    def ask_completion(self, request_id: int):
        done = request.form.get("work_done") == "1"  # the practitioner's own "the work is done" box
        return self._act(request_id, lambda: request_lifecycle.request_completion(g.user, request_id,
                                                                                  work_done=done),
                         _l("The client was asked to confirm that the work is done."))

    @expose("/<int:request_id>/offer", methods=["POST"])
    @has_access
    def offer(self, request_id: int):
        form = OfferForm()
        if form.validate():
            try:
                offers_service.make(g.user, request_id, _offer_input(form))
            except ServiceError as err:
                refuse(err, form)
            else:
                flash(str(_l("Your offer was sent to the client.")), "success")
                return redirect(url_for(".show", request_id=request_id))
        return self._show(request_id, offer_form=form)

    @expose("/offers/<int:offer_id>/edit", methods=["POST"])
    @has_access
    def offer_edit(self, offer_id: int):
        form = OfferForm()
        if form.validate():
            try:
                offer = offers_service.edit(g.user, offer_id, _offer_input(form))
            except ServiceError as err:
                refuse(err, form)
            else:
                flash(str(_l("Your offer was updated.")), "success")
                return redirect(url_for(".show", request_id=offer.request_id))
        return self._show(self._offer_request_id(offer_id), offer_form=form)

    @expose("/offers/<int:offer_id>/withdraw", methods=["GET", "POST"])
    @has_access
    def offer_withdraw(self, offer_id: int):
        if request.method == "GET":
            try:
                offer = offers_service.get_active_own(g.user, offer_id)
            except ServiceError as err:
                refuse(err)
                return redirect(url_for(".show", request_id=self._offer_request_id(offer_id)))
            return self._confirm(offer.request, _l("Withdraw your offer?"), _l(
                "The client will no longer see your offer. While the request is open you can make a new one."),
                _l("Withdraw the offer"), danger=True, details=[offer])
        try:
            offer = offers_service.withdraw(g.user, offer_id)
        except ServiceError as err:
            refuse(err)
            return redirect(url_for(".show", request_id=self._offer_request_id(offer_id)))
        flash(str(_l("Your offer was withdrawn.")), "success")
        return redirect(url_for(".show", request_id=offer.request_id))

    @staticmethod
    def _offer_request_id(offer_id: int) -> int:
        """Only called after a service confirmed the offer is the user's own."""
        return offers_service.get_own(g.user, offer_id).request_id
