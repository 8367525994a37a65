"""The practitioner's side of bookings in the API (``/api/v1/practice/...``):
the bookings of my profile, my price list, weekly hours, booking rules, one-off
changes of dates, and my private calendar feed. Only the owner of a verified
practice in a category that takes bookings (schedule.own_profile: 404 without
a profile, 422 saying why otherwise); a row of someone else is a 404. The
rules are services.bookings.price_list, schedule and calendar, as for the web
pages (views.bookings.practice). A booking's transitions are under
/api/v1/bookings/<id> (api_client), the same for both sides."""
from __future__ import annotations

from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l

from portal.core.errors import ServiceError
from portal.forms.api.bookings import BookingOut, PracticeBookingQuery
from portal.forms.api.bookings_practice import (
    ExceptionIn,
    ExceptionOut,
    FeedOut,
    OwnServiceItemOut,
    RulesIn,
    RulesOut,
    ServiceItemIn,
    WeeklyHoursIn,
    WeeklyHoursOut,
)
from portal.services.bookings import calendar, lists, price_list, schedule
from portal.views.api import Call, operation
from portal.views.bookings.api_common import BookingsBaseApi, api_fields

MINE = (404, 422)  # no practice (404), or not one that takes bookings (422)
# the web pages these endpoints mirror: the same roles reach them (portal.security)
BOOKINGS = "PracticeBookingsView"
SCHEDULE = "PracticeScheduleView"


def _ranges(ranges) -> list[tuple[int, int]]:
    return [(r["start"], r["end"]) for r in ranges or ()]


def _weekly_out(weekly: dict) -> dict:
    return {"weekly": [{"weekday": day, "ranges": [{"start": a, "end": b} for a, b in weekly.get(day, [])]}
                       for day in range(7)]}


class PracticeBookingsApi(BookingsBaseApi):
    resource_name = "practice"
    openapi_spec_tag = "My practice: bookings"

    # --- bookings --------------------------------------------------------------------------

    @expose("/bookings", methods=["GET"])
    @operation("The bookings of my profile: all (latest first), upcoming (soonest first) or past; "
               "optionally of one status", query=PracticeBookingQuery, response=BookingOut, paged=True,
               errors=MINE, permission=("can_index", BOOKINGS))
    def bookings(self, call: Call):
        profile = schedule.own_profile(call.user)
        return lists.profile_bookings(profile.id, call.query.get("status"), call.query.get("when"),
                                      page=call.page, per_page=call.per_page)

    # --- the price list --------------------------------------------------------------------

    @expose("/services", methods=["GET"])
    @operation("My price list, in its order", response=OwnServiceItemOut, many=True, errors=MINE,
               permission=("can_prices", SCHEDULE))
    def services(self, call: Call):
        return price_list.items(schedule.own_profile(call.user).id)

    @expose("/services", methods=["POST"])
    @operation("Add a service to my price list (a name in Kazakh or Russian, a price in tenge, fixed or "
               "from, a duration in minutes, a mode)", body=ServiceItemIn, response=OwnServiceItemOut,
               status=201, errors=(404,), permission=("can_prices", SCHEDULE))
    def add_service(self, call: Call):
        return price_list.add_item(call.user, call.data)

    @expose("/services/<int:service_id>", methods=["PUT"])
    @operation("Change a service of my price list; bookings made keep their price", body=ServiceItemIn,
               response=OwnServiceItemOut, permission=("can_edit_price", SCHEDULE))
    def update_service(self, service_id: int, call: Call):
        return price_list.update_item(call.user, service_id, call.data)

    @expose("/services/<int:service_id>", methods=["DELETE"])
    @operation("Remove a service from my price list (kept, inactive, when bookings refer to it); the rest "
               "of the list is returned", response=OwnServiceItemOut, many=True,
               permission=("can_remove_price", SCHEDULE))
    def remove_service(self, service_id: int, call: Call):
        price_list.remove_item(call.user, service_id)
        return price_list.items(schedule.own_profile(call.user).id)

    # --- weekly hours and rules ---------------------------------------------------------------

    @expose("/hours", methods=["GET"])
    @operation("My weekly working hours, Monday to Sunday, local time", response=WeeklyHoursOut, errors=MINE,
               permission=("can_schedule_page", SCHEDULE))
    def hours(self, call: Call):
        return _weekly_out(schedule.get_schedule(schedule.own_profile(call.user).id).weekly)

    @expose("/hours", methods=["PUT"])
    @operation("Replace my weekly working hours (several ranges a weekday; a weekday left out: not working)",
               body=WeeklyHoursIn, response=WeeklyHoursOut, errors=(404,), permission=("can_schedule_page", SCHEDULE))
    def set_hours(self, call: Call):
        weekly: dict[int, list[tuple[int, int]]] = {}
        for day in call.data["weekly"]:
            if day["weekday"] in weekly:
                raise ServiceError(_l("A weekday is given twice."), "weekly")
            weekly[day["weekday"]] = _ranges(day["ranges"])
        try:
            schedule.set_weekly_hours(call.user, weekly)
        except ServiceError as err:
            if (err.field or "").startswith("day_"):
                err.field = "weekly"
            raise
        return _weekly_out(schedule.get_schedule(schedule.own_profile(call.user).id).weekly)

    @expose("/rules", methods=["GET"])
    @operation("My booking rules (slot length, break, notice, horizon, cancel notice, auto-confirm)",
               response=RulesOut, errors=MINE, permission=("can_schedule_page", SCHEDULE))
    def rules(self, call: Call):
        return schedule.get_schedule(schedule.own_profile(call.user).id).rules

    @expose("/rules", methods=["PUT"])
    @operation("Set my booking rules; a field left out keeps its value", body=RulesIn, response=RulesOut,
               errors=(404,), permission=("can_schedule_page", SCHEDULE))
    def set_rules(self, call: Call):
        with api_fields():
            return schedule.set_rules(call.user, {k: v for k, v in call.data.items() if v is not None})

    # --- one-off changes of dates ---------------------------------------------------------------

    @expose("/exceptions", methods=["GET"])
    @operation("My upcoming changes of single dates (a day off, or other hours)", response=ExceptionOut,
               many=True, errors=MINE, permission=("can_schedule_page", SCHEDULE))
    def exceptions(self, call: Call):
        return schedule.get_schedule(schedule.own_profile(call.user).id).exceptions

    @expose("/exceptions", methods=["POST"])
    @operation("Change one local date: a day off (no ranges) or these hours instead of the weekday's; "
               "replaces an earlier change of that date. The date's rows are returned", body=ExceptionIn,
               response=ExceptionOut, many=True, status=201, errors=(404,), permission=("can_schedule_page", SCHEDULE))
    def add_exception(self, call: Call):
        data = call.data
        return schedule.add_exception(call.user, data["day"], _ranges(data["ranges"]) or None, data["note"])

    @expose("/exceptions/<int:exception_id>", methods=["DELETE"])
    @operation("Remove one change of a date; my other upcoming changes are returned", response=ExceptionOut,
               many=True, permission=("can_remove_exception", SCHEDULE))
    def remove_exception(self, exception_id: int, call: Call):
        schedule.remove_exception(call.user, exception_id)
        return schedule.get_schedule(schedule.own_profile(call.user).id).exceptions

    # --- the private calendar feed --------------------------------------------------------------

    @expose("/calendar", methods=["GET"])
    @operation("The address of my private iCalendar feed (null until created)", response=FeedOut, errors=MINE,
               permission=("can_schedule_page", SCHEDULE))
    def feed(self, call: Call):
        return {"feed_url": calendar.feed_url(schedule.own_profile(call.user))}

    @expose("/calendar/reset", methods=["POST"])
    @operation("Create my private iCalendar feed's address, or replace it (the old one stops working)",
               response=FeedOut, errors=(404,), permission=("can_schedule_page", SCHEDULE))
    def reset_feed(self, call: Call):
        return {"feed_url": calendar.reset_feed(call.user)}
