"""The practitioner's booking set-up: /<lang>/practice/schedule (weekly hours with
several ranges a weekday, the booking rules, one-off changes of dates) and
/<lang>/practice/prices (the price list: add, edit, remove after a confirmation,
order). Thin: services.bookings.schedule and price_list check and store; their
errors go on the form fields (or into a flash); a row of someone else is a 404.

Only the owner of a verified practice in a category that takes bookings gets the
pages; anyone else with the Practitioner role sees why not (403)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from portal.core.errors import NotFound, ServiceError
from portal.core.http import put_error, refuse, refused
from portal.forms.bookings import (
    MODE_LABELS,
    PRICE_KIND_LABELS,
    ExceptionForm,
    RulesForm,
    ServiceItemForm,
    WeeklyHoursForm,
)
from portal.models.bookings import ServiceItem
from portal.services.bookings import price_list, schedule
from portal.services.bookings.practice import hhmm

T = "portal/bookings/practice/"


def practice_or_refusal(view: BaseView):
    """(profile, None), or (None, the page that says why this user has no booking pages)."""
    try:
        return schedule.own_profile(g.user), None
    except ServiceError as err:
        refused(ServiceError(err.message))  # roll back; never a bare 404 here: say why
        return None, (view.render_template(T + "unavailable.html", message=err.message), 403)


def _page_context() -> dict:
    return {"hhmm": hhmm, "mode_labels": MODE_LABELS, "price_kind_labels": PRICE_KIND_LABELS}


class PracticeScheduleView(BaseView):
    route_base = "/practice"
    default_view = "schedule_page"

    # --- the schedule ---------------------------------------------------------------

    @expose("/schedule", methods=["GET", "POST"])
    @has_access
    def schedule_page(self):
        profile, refusal = practice_or_refusal(self)
        if refusal:
            return refusal
        current = schedule.get_schedule(profile.id)
        hours_form = WeeklyHoursForm.from_weekly(current.weekly)
        rules_form = RulesForm(formdata=None, data={k: getattr(current.rules, k) for k in schedule.RULE_KEYS})
        exception_form = ExceptionForm(formdata=None)
        status = 200
        if request.method == "POST":
            action = request.form.get("action")
            if action == "hours":
                hours_form = WeeklyHoursForm()
                if self._save_hours(hours_form):
                    return redirect(url_for(".schedule_page") + "#hours")
                hours_form.add_blank_rows()
            elif action == "rules":
                rules_form = RulesForm()
                if self._save_rules(rules_form):
                    return redirect(url_for(".schedule_page") + "#rules")
            elif action == "exception":
                exception_form = ExceptionForm()
                if self._save_exception(exception_form):
                    return redirect(url_for(".schedule_page") + "#exceptions")
            else:
                flash(str(_l("Nothing was saved. Please try again.")), "warning")
                return redirect(url_for(".schedule_page"))
            status = 400
            current = schedule.get_schedule(profile.id)
        return self.render_template(
            T + "schedule.html", profile=profile, schedule=current, hours_form=hours_form, rules_form=rules_form,
            exception_form=exception_form, feed_snippet="portal/bookings/_calendar_feed.html",
            **_page_context()), status

    def _save_hours(self, form: WeeklyHoursForm) -> bool:
        weekly = form.weekly() if form.validate() else None
        if weekly is None:
            flash(str(_l("The working hours were not saved: please correct the marked times.")), "danger")
            return False
        try:
            schedule.set_weekly_hours(g.user, weekly)
        except ServiceError as err:
            refused(err)
            if err.field and err.field.startswith("day_"):
                form.day_errors[err.field] = [err.message]  # shown under that weekday
            else:
                flash(str(err.message), "danger")
            return False
        flash(str(_l("Your working hours were saved.")), "success")
        return True

    def _save_rules(self, form: RulesForm) -> bool:
        if not form.validate():
            return False
        try:
            schedule.set_rules(g.user, form.values())
        except ServiceError as err:
            refuse(err, form)
            return False
        flash(str(_l("Your booking rules were saved.")), "success")
        return True

    def _save_exception(self, form: ExceptionForm) -> bool:
        if not form.validate():
            return False
        hours = form.hours()
        if hours is None:
            return False
        if form.day.data is None:
            form.day.errors = list(form.day.errors or ()) + [str(_l("Enter a date."))]
            return False
        try:
            schedule.add_exception(g.user, form.day.data, hours, form.note.data or "")
        except ServiceError as err:
            refused(err)
            message = put_error(form, err)
            if message is not None:  # "ranges": on the first range
                form.ranges.entries[0].form.start.errors = [str(message)]
            return False
        flash(str(_l("The change for %(date)s was saved.", date=form.day.data.strftime("%d.%m.%Y"))), "success")
        return True

    @expose("/schedule/exceptions/<int:exception_id>/remove", methods=["GET", "POST"])
    @has_access
    def remove_exception(self, exception_id: int):
        profile, refusal = practice_or_refusal(self)
        if refusal:
            return refusal
        row = next((e for e in schedule.get_schedule(profile.id).exceptions if e.id == exception_id), None)
        if row is None:
            abort(404)
        if request.method == "GET":
            return self.render_template(T + "confirm.html", title=_l("Remove this change of hours?"),
                                        what=f"{row.day:%d.%m.%Y}: " + (
                                            str(_l("Day off")) if row.is_day_off
                                            else f"{hhmm(row.start_minute)}–{hhmm(row.end_minute)}"),
                                        action=url_for(".remove_exception", exception_id=exception_id),
                                        button=_l("Remove"), back=url_for(".schedule_page") + "#exceptions")
        try:
            schedule.remove_exception(g.user, exception_id)
        except ServiceError as err:
            refuse(err)
        else:
            flash(str(_l("The change of hours was removed.")), "success")
        return redirect(url_for(".schedule_page") + "#exceptions")

    # --- the price list ---------------------------------------------------------------

    @expose("/prices", methods=["GET", "POST"])
    @has_access
    def prices(self):
        profile, refusal = practice_or_refusal(self)
        if refusal:
            return refusal
        form = ServiceItemForm() if request.method == "POST" else ServiceItemForm(formdata=None)
        status = 200
        if request.method == "POST":
            if form.validate():
                try:
                    price_list.add_item(g.user, form.values())
                except ServiceError as err:
                    refuse(err, form)
                else:
                    flash(str(_l("The service was added to your price list.")), "success")
                    return redirect(url_for(".prices"))
            status = 400
        return self.render_template(T + "prices.html", profile=profile, items=price_list.items(profile.id),
                                    form=form, **_page_context()), status

    def _own_item(self, profile, item_id: int) -> ServiceItem:
        item = next((i for i in price_list.items(profile.id) if i.id == item_id), None)
        if item is None:
            refused(NotFound(_l("This service does not exist or is not yours.")))
        return item

    @expose("/prices/<int:item_id>/edit", methods=["GET", "POST"])
    @has_access
    def edit_price(self, item_id: int):
        profile, refusal = practice_or_refusal(self)
        if refusal:
            return refusal
        item = self._own_item(profile, item_id)
        if request.method == "GET":
            form = ServiceItemForm(formdata=None, obj=item)
            return self.render_template(T + "price_form.html", item=item, form=form)
        form = ServiceItemForm()
        if form.validate():
            try:
                price_list.update_item(g.user, item.id, form.values())
            except ServiceError as err:
                refuse(err, form)
            else:
                flash(str(_l("The service was saved. Bookings made already keep their price.")), "success")
                return redirect(url_for(".prices"))
        item = self._own_item(profile, item_id)
        return self.render_template(T + "price_form.html", item=item, form=form), 400

    @expose("/prices/<int:item_id>/remove", methods=["GET", "POST"])
    @has_access
    def remove_price(self, item_id: int):
        profile, refusal = practice_or_refusal(self)
        if refusal:
            return refusal
        item = self._own_item(profile, item_id)
        if request.method == "GET":
            return self.render_template(T + "confirm.html", title=_l("Remove this service?"), what=item.name,
                                        note=_l("Clients will no longer see it or book it. Bookings made "
                                                "already stay as they are, with their price."),
                                        action=url_for(".remove_price", item_id=item.id), button=_l("Remove"),
                                        back=url_for(".prices"))
        name = item.name
        try:
            price_list.remove_item(g.user, item.id)
        except ServiceError as err:
            refuse(err)
        else:
            flash(str(_l("%(name)s was removed from your price list.", name=name)), "success")
        return redirect(url_for(".prices"))

    @expose("/prices/<int:item_id>/move", methods=["POST"])
    @has_access
    def move_price(self, item_id: int):
        profile, refusal = practice_or_refusal(self)
        if refusal:
            return refusal
        item = self._own_item(profile, item_id)
        offset = -1 if request.form.get("direction") == "up" else 1
        try:
            price_list.move_item(g.user, item.id, offset)
        except ServiceError as err:
            refuse(err)
        return redirect(url_for(".prices") + f"#item-{item.id}")


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(PracticeScheduleView)
