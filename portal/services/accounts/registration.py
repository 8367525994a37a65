"""Accounts: registration with agreement acceptance, language preference,
the first admin. The agreement itself lives in portal.services.agreement.

Emails are unique by their look-alike key (``PortalUser.email_skeleton``, the
Unicode TR39 skeleton of portal.core.confusables): ``аdmin@...`` with a
Cyrillic "а" or fullwidth ``ａｄｍｉｎ@...`` counts as ``admin@...``. The key is
kept up to date by an attribute event, so every place that sets a user's email
(FAB's ``add_user``, the importer, the demo seed, closing an account, FAB's
user admin) stores it without thinking about it."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from flask_appbuilder.security.registerviews import get_first_last_name
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, or_, select

from portal.core.confusables import email_skeleton
from portal.core.errors import ServiceError
from portal.core.extensions import db
from portal.core.i18n import is_supported
from portal.core.validation import EMAIL_MAX, normalize_email, normalize_phone, password_problem
from portal.models.accounts import CLIENT_ROLE, PortalUser
from portal.services.agreement import (
    accept_agreement,
    current_agreement,
)

log = logging.getLogger(__name__)

FULL_NAME_MAX = 128
NAME_MAX = 64  # ab_user.first_name / last_name


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
    agreement_version: int | None = None  # the number the person read (the API sends it; the form shows the current one)


@event.listens_for(PortalUser.email, "set")
def _keep_skeleton(target: PortalUser, value, _old, _initiator) -> None:
    """Whenever an email is set, its look-alike key follows."""
    target.email_skeleton = email_skeleton(value)


def email_taken(email: str) -> bool:
    """An account has this email, or one that only looks different (case,
    fullwidth letters, Cyrillic or Greek look-alikes: the TR39 skeleton)."""
    conditions = [func.lower(PortalUser.email) == email.strip().lower()]
    key = email_skeleton(email)
    if key:
        conditions.append(PortalUser.email_skeleton == key)
    return db.session.scalar(select(func.count()).select_from(PortalUser).where(or_(*conditions))) > 0


# Registration says that an email is in use (the person is told to sign in or reset the
# password instead); the per-IP limit on the form (REGISTRATION_RATE_LIMIT) slows down
# anyone probing which emails have accounts. Full non-disclosure would need the email to be
# confirmed before the first sign-in, so that the page can answer the same in both cases.
EMAIL_TAKEN = _l("An account with this email already exists. Sign in, or reset the password if you "
                 "forgot it.")


def _check_fields(data: Registration) -> None:
    """The registration form's field rules (the web form checks them first with the same
    messages; the JSON API relies on these): name, email syntax, phone present, password
    present, a language we speak. The first broken rule is raised, on its field."""
    full_name = (data.full_name or "").strip()
    if not full_name:
        raise ServiceError(_l("Enter your full name."), field="full_name")
    if len(full_name) > FULL_NAME_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=FULL_NAME_MAX), field="full_name")
    email = (data.email or "").strip()
    if not email:
        raise ServiceError(_l("Enter your email address."), field="email")
    if len(email) > EMAIL_MAX:
        raise ServiceError(_l("At most %(max)d characters.", max=EMAIL_MAX), field="email")
    try:
        normalize_email(email)
    except ValueError:
        raise ServiceError(_l("Enter a valid email address."), field="email") from None
    if not (data.phone or "").strip():
        raise ServiceError(_l("Enter your phone number."), field="phone")
    if not data.password:
        raise ServiceError(_l("Enter a password."), field="password")
    if not is_supported(data.locale):
        raise ServiceError(_l("Choose a language from the list."), field="locale")


def register_client(sm, data: Registration) -> PortalUser:
    """Create an active Client account and record the agreement acceptance
    in one transaction; on any error nothing is saved."""
    if not data.agreed:
        raise ServiceError(_l("You must accept the user agreement to register."), field="agree")
    _check_fields(data)
    email = data.email.strip().lower()
    if email_taken(email):
        raise ServiceError(EMAIL_TAKEN, field="email")
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
    if data.agreement_version is not None and data.agreement_version != agreement.version:
        raise ServiceError(_l("The agreement has changed while you were reading. Please read the current "
                              "version and accept it."), field="agreement_version")
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


def update_account(user: PortalUser, first_name: str | None = None, last_name: str | None = None,
                   locale: str | None = None) -> PortalUser:
    """What a user changes on their own account: first and last name (FAB's "Edit my
    name" asks for both) and the preferred language. ``None`` leaves a value as it is."""
    changes = {}
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if value is None:
            continue
        value = value.strip()
        if not value:
            raise ServiceError(_l("This field is required."), field=field)
        if len(value) > NAME_MAX:
            raise ServiceError(_l("At most %(max)d characters.", max=NAME_MAX), field=field)
        changes[field] = value
    if locale is not None:
        if not is_supported(locale):
            raise ServiceError(_l("Choose a language from the list."), field="locale")
        changes["locale"] = locale
    for field, value in changes.items():
        setattr(user, field, value)
    db.session.commit()
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
    if email_taken(email):  # by a non-admin account, maybe only a look-alike ("аdmin" with a Cyrillic а)
        raise RuntimeError(f"Cannot create the admin account {email}: an account with this email, or one "
                           "that looks like it, already exists. Set PORTAL_ADMIN_EMAIL to another address "
                           "or give that account the Admin role.")
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
