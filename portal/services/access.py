"""Who a user is, for the row rules of requests, offers, threads and files."""
from __future__ import annotations

from portal.models.accounts import PortalUser
from portal.models.practitioners import PractitionerProfile

STAFF_ROLES = ("Admin", "Moderator")


def is_staff(user: PortalUser | None) -> bool:
    return bool(user) and any(user.has_role(r) for r in STAFF_ROLES)


def active_profile(user: PortalUser | None) -> PractitionerProfile | None:
    """The user's practitioner profile if it may act (verified, account active)."""
    profile = getattr(user, "practitioner_profile", None)
    return profile if profile is not None and profile.is_public else None
