"""The user agreement and its versions (agreement section 3).

* Reading: the current version (the newest whose effective date has come),
  one version by number, the history, the status of a version (in force,
  scheduled, earlier).
* Publishing (Admin only): a new version gets the previous number + 1, kk and
  ru title and text (en optional) and an effective date of today or later,
  never before the newest version's date. A scheduled version (its date has
  not come) may still be corrected or withdrawn; once its date has come users
  accept that text, so it can no longer be changed or deleted. Every change
  writes an audit entry (entity "agreement_version").
* Acceptance (3.1a): recorded once per user and version with IP and user
  agent; ``needs_acceptance`` tells the re-acceptance gate
  (portal.views.agreement.pages) whether a signed-in user must accept first.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, fields

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.core import audit, page_cache, tx
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.accounts import PortalUser
from portal.models.agreement import AgreementAcceptance, AgreementVersion

ENTITY = "agreement_version"
ADMIN_ROLE = "Admin"
TITLE_MAX = 255
TEXT_MAX = 500_000

IN_FORCE, SCHEDULED, EARLIER = "in_force", "scheduled", "earlier"


def today() -> dt.date:
    return dt.date.today()


# The cached public agreement pages (core.page_cache): dropped when a version is published,
# corrected or withdrawn, and each day (a scheduled version comes into force by its date).
PAGES_TAG = "agreement"


def page_tags() -> list[str]:
    return [PAGES_TAG, f"{PAGES_TAG}:{today().isoformat()}"]


def _drops_pages(change):
    """After the change is committed: the cached agreement pages go."""
    @functools.wraps(change)
    def wrapper(*args, **kwargs):
        result = change(*args, **kwargs)
        page_cache.invalidate(PAGES_TAG, quiet=True)
        return result
    return wrapper


# --- reading ------------------------------------------------------------------------------------

def current_agreement(on: dt.date | None = None) -> AgreementVersion | None:
    """The version in force: the highest number whose effective date has come."""
    return db.session.scalars(
        select(AgreementVersion)
        .where(AgreementVersion.effective_from <= (on or today()))
        .order_by(AgreementVersion.version.desc())
        .limit(1)
    ).first()


def agreement_version(version: int) -> AgreementVersion | None:
    return db.session.scalars(select(AgreementVersion).where(AgreementVersion.version == version)).first()


def agreement_history() -> list[AgreementVersion]:
    """Every version, newest first (scheduled ones included)."""
    return list(db.session.scalars(select(AgreementVersion).order_by(AgreementVersion.version.desc())))


def status_of(version: AgreementVersion, current: AgreementVersion | None) -> str:
    if version.effective_from > today():
        return SCHEDULED
    return IN_FORCE if current is not None and version.id == current.id else EARLIER


@dataclass
class HistoryLine:
    version: AgreementVersion
    status: str
    until: dt.date | None  # an earlier version: the date the next one took effect


def history_lines() -> list[HistoryLine]:
    """The history with each version's status, newest first."""
    versions = agreement_history()
    current = current_agreement()
    lines, newer = [], None
    for v in versions:
        status = status_of(v, current)
        lines.append(HistoryLine(v, status, newer.effective_from if status == EARLIER and newer else None))
        newer = v
    return lines


def is_locked(version: AgreementVersion) -> bool:
    """True once the effective date has come (or anyone accepted it): the
    text is then what users agreed to and must stay as it is."""
    return version.effective_from <= today() or acceptance_count(version.id) > 0


def acceptance_count(version_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(AgreementAcceptance)
                             .where(AgreementAcceptance.version_id == version_id)) or 0


# --- publishing ---------------------------------------------------------------------------------

@dataclass
class Draft:
    """What an admin writes for a version."""

    title_kk: str = ""
    title_ru: str = ""
    title_en: str = ""
    text_kk: str = ""
    text_ru: str = ""
    text_en: str = ""
    effective_from: dt.date | None = None


def _require_admin(actor: PortalUser | None) -> None:
    if actor is None or not actor.has_role(ADMIN_ROLE):
        raise ServiceError(_l("Only an administrator can publish or change agreement versions."))


def _neighbours(number: int) -> tuple[AgreementVersion | None, AgreementVersion | None]:
    before = db.session.scalars(select(AgreementVersion).where(AgreementVersion.version < number)
                                .order_by(AgreementVersion.version.desc()).limit(1)).first()
    after = db.session.scalars(select(AgreementVersion).where(AgreementVersion.version > number)
                               .order_by(AgreementVersion.version.asc()).limit(1)).first()
    return before, after


def next_number() -> int:
    return (db.session.scalar(select(func.max(AgreementVersion.version))) or 0) + 1


def check_draft(actor: PortalUser | None, draft: Draft, number: int | None = None) -> Draft:
    """The cleaned draft for version ``number`` (None: a new version), or a
    ServiceError naming the field. Changes nothing."""
    _require_admin(actor)
    clean = Draft(**{f.name: (getattr(draft, f.name) or "").replace("\r\n", "\n").strip()
                     for f in fields(Draft) if f.name != "effective_from"}, effective_from=draft.effective_from)
    for lang in ("kk", "ru"):
        for kind, message in (("title", _l("Enter the title.")), ("text", _l("Enter the text."))):
            if not getattr(clean, f"{kind}_{lang}"):
                raise ServiceError(message, field=f"{kind}_{lang}")
    if bool(clean.title_en) != bool(clean.text_en):
        raise ServiceError(_l("The English version needs both a title and a text, or neither."),
                           field="text_en" if clean.title_en else "title_en")
    for lang in ("kk", "ru", "en"):
        if len(getattr(clean, f"title_{lang}")) > TITLE_MAX:
            raise ServiceError(_l("At most %(max)d characters.", max=TITLE_MAX), field=f"title_{lang}")
        if len(getattr(clean, f"text_{lang}")) > TEXT_MAX:
            raise ServiceError(_l("At most %(max)d characters.", max=TEXT_MAX), field=f"text_{lang}")
    when = clean.effective_from
    if when is None:
        raise ServiceError(_l("Enter the date the version takes effect."), field="effective_from")
    if when < today():
        raise ServiceError(_l("The effective date cannot be in the past."), field="effective_from")
    before, after = _neighbours(number if number is not None else next_number())
    if before is not None and when < before.effective_from:
        raise ServiceError(_l("The effective date cannot be before that of version %(version)d (%(date)s).",
                              version=before.version, date=before.effective_from.isoformat()),
                           field="effective_from")
    if number is not None and after is not None and when > after.effective_from:
        raise ServiceError(_l("The effective date cannot be after that of version %(version)d (%(date)s).",
                              version=after.version, date=after.effective_from.isoformat()),
                           field="effective_from")
    return clean


@_drops_pages
def publish(actor: PortalUser | None, draft: Draft) -> AgreementVersion:
    """Publish a new version (number = previous + 1) and audit it."""
    clean = check_draft(actor, draft)
    version = AgreementVersion(version=next_number(), **vars(clean))
    try:
        db.session.add(version)
        db.session.flush()
        audit.record(ENTITY, version.id, None, clean.effective_from.isoformat(), actor.id,
                     reason=clean.title_ru, action="publish")
        db.session.commit()
    except IntegrityError:  # another admin published the same number a moment ago
        db.session.rollback()
        raise ServiceError(_l("Another version was published at the same time. "
                              "Check the list and try again.")) from None
    except Exception:
        db.session.rollback()
        raise
    return version


def scheduled_version(actor: PortalUser | None, number: int) -> AgreementVersion:
    """Version ``number`` if it may still be changed or withdrawn."""
    _require_admin(actor)
    version = agreement_version(number)
    if version is None:
        raise NotFound(_l("There is no such version."))
    if is_locked(version):
        raise ServiceError(_l("Version %(version)d is in force or was in force: users accepted this text, "
                              "so it cannot be changed or deleted. Publish a new version instead.",
                              version=version.version))
    return version


@_drops_pages
@tx.atomic
def update_scheduled(actor: PortalUser | None, number: int, draft: Draft) -> AgreementVersion:
    """Correct a version whose effective date has not come yet."""
    version = scheduled_version(actor, number)
    clean = check_draft(actor, draft, number=number)
    old_date = version.effective_from.isoformat()
    for name, value in vars(clean).items():
        setattr(version, name, value)
    audit.record(ENTITY, version.id, old_date, clean.effective_from.isoformat(), actor.id,
                 reason=clean.title_ru, action="edit")
    return version


@_drops_pages
@tx.atomic
def withdraw(actor: PortalUser | None, number: int) -> None:
    """Delete a scheduled version; only the newest, so numbers stay continuous."""
    version = scheduled_version(actor, number)
    if number != next_number() - 1:
        raise ServiceError(_l("Withdraw the newer scheduled versions first."))
    audit.record(ENTITY, version.id, version.effective_from.isoformat(), "withdrawn", actor.id,
                 reason=version.title_ru, action="withdraw")
    db.session.delete(version)


# --- acceptance ---------------------------------------------------------------------------------

def acceptance_of(user_id: int, version_id: int) -> AgreementAcceptance | None:
    return db.session.scalars(select(AgreementAcceptance).where(
        AgreementAcceptance.user_id == user_id, AgreementAcceptance.version_id == version_id)).first()


def accept_agreement(user: PortalUser, agreement: AgreementVersion, ip_address: str,
                     user_agent: str) -> AgreementAcceptance:
    """Add the user's acceptance of ``agreement`` to the transaction (the
    caller commits); an existing acceptance is returned as it is."""
    existing = acceptance_of(user.id, agreement.id) if user.id else None
    if existing is not None:
        return existing
    acceptance = AgreementAcceptance(user_id=user.id, version_id=agreement.id,
                                     ip_address=(ip_address or "")[:45],
                                     user_agent=(user_agent or "")[:512])
    db.session.add(acceptance)
    return acceptance


def accept_current(user: PortalUser, version_number: int | None, ip_address: str,
                   user_agent: str) -> AgreementAcceptance:
    """The "I accept" button: records the acceptance of the version the user
    read, which must still be the current one."""
    current = current_agreement()
    if current is None:
        raise NotFound(_l("No user agreement is published yet."))
    if version_number != current.version:
        raise ServiceError(_l("The agreement has changed while you were reading. Please read the current "
                              "version and accept it."))
    acceptance = accept_agreement(user, current, ip_address, user_agent)
    try:
        tx.commit()
    except IntegrityError:  # the same acceptance from a second tab, a moment earlier
        acceptance = acceptance_of(user.id, current.id)
        if acceptance is None:
            raise
    return acceptance


def current_version_id() -> int | None:
    """The id of the version in force (one small query), or None."""
    return db.session.scalar(
        select(AgreementVersion.id).where(AgreementVersion.effective_from <= today())
        .order_by(AgreementVersion.version.desc()).limit(1))


def needs_acceptance(user: PortalUser | None, current_id: int | None = None) -> bool:
    """A signed-in user who has not accepted the version in force (``current_id``
    when the caller has just read it)."""
    if user is None or not getattr(user, "id", None):
        return False
    current_id = current_id or current_version_id()
    return current_id is not None and acceptance_of(user.id, current_id) is None


# What changed in a version, in a sentence for the users who accepted the one before (the accept page).
# docs/agreement-v1-v2.md lists every change of version 2 for a lawyer.
CHANGES = {
    2: _l("Version 2 changes no obligation. The agreement is now published in Kazakh as well as Russian "
          "(and in English for information); copy errors in the Russian text were corrected and the support "
          "contacts filled in."),
}


def changes_summary(version: int) -> str | None:
    """The short "what changed" of ``version``, when there is one."""
    summary = CHANGES.get(version)
    return str(summary) if summary is not None else None


def last_accepted(user_id: int) -> AgreementAcceptance | None:
    return db.session.scalars(
        select(AgreementAcceptance).join(AgreementVersion)
        .where(AgreementAcceptance.user_id == user_id)
        .order_by(AgreementVersion.version.desc()).limit(1)).first()


def acceptances_of(user_id: int) -> list[AgreementAcceptance]:
    return list(db.session.scalars(
        select(AgreementAcceptance).where(AgreementAcceptance.user_id == user_id)
        .order_by(AgreementAcceptance.accepted_at.desc())
    ))
