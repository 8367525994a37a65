"""Views, one module per domain. ``register_views`` adds them all to AppBuilder."""
from __future__ import annotations


def register_views(appbuilder) -> None:
    from portal.views import back_office
    from portal.views.accounts import account
    from portal.views.practitioners import directory
    from portal.views.search import api as search_api

    directory.register(appbuilder)
    from portal.views.catalog import home  # the home page (FAB adds the view: FAB_INDEX_VIEW)
    home.register(appbuilder)
    from portal.views.agreement import pages  # the agreement pages, "I accept" and the re-acceptance gate
    pages.register(appbuilder)
    search_api.register(appbuilder)
    from portal.views import api as api_base  # the whole API as one public OpenAPI document
    appbuilder.add_api(api_base.OpenApiDocument)
    from portal.views.catalog import api as catalog_api
    catalog_api.register(appbuilder)
    from portal.views.accounts import account_api
    from portal.views.agreement import api as agreement_api
    from portal.views.bookings import api as bookings_api
    from portal.views.exchange import api as exchange_api
    from portal.views.notifications import api as notifications_api
    from portal.views.practitioners import api as practitioners_api
    from portal.views.trust import api as trust_api
    for module in (account_api, agreement_api, exchange_api, notifications_api, practitioners_api, trust_api,
                   bookings_api):
        module.register(appbuilder)  # the mobile app's JSON API, one module per domain
    account.register(appbuilder)
    from portal.views.exchange import requests as request_views
    request_views.register(appbuilder)
    from portal.views.bookings import client as booking_client  # the booking page, "My bookings"
    booking_client.register(appbuilder)
    from portal.views.bookings import calendar as booking_calendar  # the practitioner's private calendar feed
    booking_calendar.register(appbuilder)
    from portal.views.bookings import review as booking_review  # the review after an appointment
    booking_review.register(appbuilder)
    from portal.views.bookings import practice as booking_practice  # schedule and price list
    booking_practice.register(appbuilder)
    from portal.views.bookings import practice_bookings  # the practitioner's bookings
    practice_bookings.register(appbuilder)
    from portal.views.notifications import inbox
    inbox.register(appbuilder)
    from portal.views.exchange import messages
    messages.register(appbuilder)
    from portal.views.practitioners import moderation  # first in "Back office"
    moderation.register(appbuilder)
    from portal.views.practitioners import practice
    practice.register(appbuilder)
    back_office.register(appbuilder)
    from portal.views.practitioners import quiz
    quiz.register(appbuilder)
    from portal.views.accounts import consent
    consent.register(appbuilder)
    from portal.views.accounts import (
        blocking,  # staff: accounts, block/unblock; ends a blocked user's session
    )
    blocking.register(appbuilder)
    from portal.views.accounts import privacy  # "Download my data", closing the account (5.1-5.2, 11.2)
    privacy.register(appbuilder)
    from portal.views.accounts import security  # login history, sessions, password reset (4b)
    security.register(appbuilder)
    from portal.views.trust import complaints  # reporting (users), the complaint queue (staff)
    complaints.register(appbuilder)
    from portal.views.trust import support  # the chat with support, visitors' feedback, the staff inbox
    support.register(appbuilder)
    from portal.views.practitioners import landing  # landing pages: a category x a region / a specialization
    landing.register(appbuilder)
    from portal.views.catalog import seo  # last (wraps the public pages): language URLs, robots.txt, sitemaps
    seo.register(appbuilder)
