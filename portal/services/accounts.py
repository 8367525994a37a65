"""Accounts: registration with agreement acceptance, language preference,
the first admin. The agreement itself lives in portal.services.agreement."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from flask_appbuilder.security.registerviews import get_first_last_name
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.accounts import PortalUser
from portal.services.agreement import accept_agreement, current_agreement
from portal.services.agreement import acceptances_of  # noqa: F401  (kept for callers of accounts.acceptances_of)
from portal.services.errors import ServiceError
from portal.services.validation import normalize_phone, password_problem

log = logging.getLogger(__name__)

CLIENT_ROLE = "Client"


@dataclass
class Registration:
    email: str
    password: str
    full_name: str
    phone: str
    locale: str
    agreed: bool
    ip_address: str = ""
    user_agent: str = ""


def email_taken(email: str) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(PortalUser).where(func.lower(PortalUser.email) == email.lower())
    ) > 0


def register_client(sm, data: Registration) -> PortalUser:
    """Create an active Client account and record the agreement acceptance
    in one transaction; on any error nothing is saved."""
    if not data.agreed:
        raise ServiceError(_l("You must accept the user agreement to register."), field="agree")
    email = data.email.strip().lower()
    if email_taken(email):
        raise ServiceError(_l("An account with this email already exists."), field="email")
    try:
        phone = normalize_phone(data.phone)
    except ValueError:
        raise ServiceError(_l("Enter a valid phone number, for example +7 701 234 56 78."),
                           field="phone") from None
    problem = password_problem(data.password)
    if problem:
        raise ServiceError(problem, field="password")
    agreement = current_agreement()
    if agreement is None:
        raise ServiceError(_l("Registration is closed: no user agreement is published yet."))
    first_name, last_name = get_first_last_name(data.full_name.strip())
    role = sm.find_role(CLIENT_ROLE)
    try:
        user = sm.add_user(username=email, first_name=first_name[:64], last_name=(last_name or "-")[:64],
                           email=email, role=role, password=data.password, commit=False)
        if not user:
            raise ServiceError(_l("Registration failed. Please try again."))
        user.phone = phone
        user.locale = data.locale
        db.session.flush()
        accept_agreement(user, agreement, data.ip_address, data.user_agent)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return user


def set_locale(user: PortalUser | None, locale: str) -> None:
    if user is not None and getattr(user, "id", None) and user.locale != locale:
        user.locale = locale
        db.session.commit()


def ensure_admin(sm, email: str, password: str = "") -> tuple[PortalUser, str | None]:
    """Create the admin account if no user has the Admin role. Returns the user
    and the generated password (None when it came from configuration or the
    admin already existed)."""
    admin_role = sm.find_role(sm.auth_role_admin)
    existing = db.session.scalars(
        select(PortalUser).where(PortalUser.roles.any(id=admin_role.id)).limit(1)
    ).first()
    if existing:
        return existing, None
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12) + "1a"
    user = sm.add_user(username=email, first_name="Admin", last_name="AlemTrust", email=email,
                       role=admin_role, password=password, commit=False)
    user.locale = "ru"
    db.session.flush()
    agreement = current_agreement()
    if agreement is not None:  # set up with the agreement in force: not stopped by the gate
        accept_agreement(user, agreement, "", "initial setup")
    db.session.commit()
    return user, generated
