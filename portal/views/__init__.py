"""Views, one module per domain. ``register_views`` adds them all to AppBuilder."""
from __future__ import annotations


def register_views(appbuilder) -> None:
    from portal.views import account, admin, public, search

    public.register(appbuilder)
    from portal.views import agreement  # the agreement pages, "I accept" and the re-acceptance gate
    agreement.register(appbuilder)
    search.register(appbuilder)
    account.register(appbuilder)
    from portal.views import requests as request_views
    request_views.register(appbuilder)
    from portal.views import notifications
    notifications.register(appbuilder)
    from portal.views import messages
    messages.register(appbuilder)
    from portal.views import moderation  # first in "Back office"
    moderation.register(appbuilder)
    from portal.views import practice
    practice.register(appbuilder)
    admin.register(appbuilder)
    from portal.views import quiz
    quiz.register(appbuilder)
    from portal.views import consent
    consent.register(appbuilder)
    from portal.views import blocking  # staff: accounts, block/unblock; ends a blocked user's session
    blocking.register(appbuilder)
    from portal.views import privacy  # "Download my data", closing the account (5.1-5.2, 11.2)
    privacy.register(appbuilder)
    from portal.views import security_account  # login history, sessions, password reset (4b)
    security_account.register(appbuilder)
    from portal.views import complaints  # reporting (users), the complaint queue (staff)
    complaints.register(appbuilder)
    from portal.views import support  # the chat with support, visitors' feedback, the staff inbox
    support.register(appbuilder)
