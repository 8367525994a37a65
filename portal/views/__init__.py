"""Views, one module per domain. ``register_views`` adds them all to AppBuilder."""
from __future__ import annotations


def register_views(appbuilder) -> None:
    from portal.views import account, admin, public, search

    public.register(appbuilder)
    search.register(appbuilder)
    account.register(appbuilder)
    admin.register(appbuilder)
