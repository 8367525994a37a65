"""Complaints (agreement 11.4c, 12.1) and reports of inaccurate information
(4e): users report what they can see, staff work the queue.

* ``file`` is for any active user, about something they see as a party or
  as the public does: a public profile, a published review, a request or
  offer they are a party to, a message in their own conversation (the rules
  of services.requests / messages, without the staff exception: staff act,
  they do not report). Never about oneself; one open report per reporter,
  kind and thing (a repeat is a friendly error).
* ``take``, ``add_note``, ``resolve`` and ``dismiss`` are staff decisions:

      new -> in_review -> resolved | dismissed      (new -> resolved | dismissed too)

  each writes an audit entry (entity "complaint"); resolving or dismissing
  tells the reporter the outcome in their language. Illegal moves change
  nothing. Staff never handle a complaint about themselves.
* ``signals`` lists accounts with many complaints (11.4c) for the accounts page;
  bookings marked no_show count towards it too (services.trust.no_shows).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.core import audit, links, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.paging import Page, paged
from portal.models.accounts import PortalUser, is_staff
from portal.models.trust import Complaint, ComplaintKind, ComplaintNote, ComplaintStatus, ComplaintTarget
from portal.services.notifications import inbox
from portal.services.trust import no_shows
from portal.services.trust.complaint_targets import (  # noqa: F401 (re-exported for the views)
    COMPLAINT_REASONS,
    INACCURACY_REASONS,
    Target,
    as_reporter_sees,
    describe,
    reasons,
    target_for,
)

ENTITY = "complaint"
TEXT_MIN, TEXT_MAX = 10, 3000
NOTE_MAX = 2000
OUTCOME_MIN, OUTCOME_MAX = 5, 2000
TITLE_OUTCOME_MAX = 200  # of the outcome in the notification title (the full text is on "My complaints")
PER_PAGE = 20
QUEUE_STATUSES = ("open",) + ComplaintStatus.ALL  # "open": new and in review


# --- filing --------------------------------------------------------------------------------------

def open_duplicate(user: PortalUser, kind: str, target_type: str, target_id: int) -> Complaint | None:
    """The reporter's open report of this kind about this thing, if any."""
    return db.session.scalars(select(Complaint).where(
        Complaint.reporter_id == user.id, Complaint.kind == kind, Complaint.target_type == target_type,
        Complaint.target_id == target_id, Complaint.status.in_(ComplaintStatus.OPEN))).first()


def _text(value: str | None, field: str, low: int, high: int, missing) -> str:
    value = (value or "").strip()
    if len(value) < low:
        raise ServiceError(missing, field=field)
    if len(value) > high:
        raise ServiceError(_l("At most %(max)d characters.", max=high), field=field)
    return value


def file(user: PortalUser, target_type: str, target_id: int, reason: str, text: str,
         kind: str = ComplaintKind.COMPLAINT) -> Complaint:
    """File a complaint (or, with ``kind=inaccuracy``, a report of inaccurate information on a profile)."""
    if user is None or not user.is_active:
        raise ServiceError(_l("Only an active account can send reports."))
    target = target_for(user, target_type, target_id, kind)
    if reason not in reasons(kind, target_type):
        raise ServiceError(_l("Choose a reason from the list."), field="reason")
    text = _text(text, "text", TEXT_MIN, TEXT_MAX,
                 _l("Describe what is wrong in at least %(min)d characters.", min=TEXT_MIN))
    # one reporter at a time (PostgreSQL): two quick submits cannot both pass the duplicate check
    db.session.execute(select(PortalUser.id).where(PortalUser.id == user.id).with_for_update())
    if open_duplicate(user, kind, target_type, target_id) is not None:
        db.session.rollback()
        raise ServiceError(_l("You have already reported this and staff have not finished with it yet. "
                              "You will be told the outcome; see “My complaints”."))
    now = utcnow()
    complaint = Complaint(kind=kind, reporter_id=user.id, target_type=target_type, target_id=target_id,
                          target_user_id=target.owner_id, reason=reason, text=text,
                          status=ComplaintStatus.NEW, created_at=now, updated_at=now)
    db.session.add(complaint)
    tx.commit()
    return complaint


def mine(user: PortalUser, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The reporter's complaints and reports, newest first."""
    stmt = select(Complaint).where(Complaint.reporter_id == user.id)
    return paged(stmt, (Complaint.created_at.desc(), Complaint.id.desc()), page, per_page)


# --- the staff queue -----------------------------------------------------------------------------

def queue(staff: PortalUser, status: str | None = "open", kind: str | None = None,
          target_type: str | None = None, target_user_id: int | None = None,
          page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Complaints for staff, filtered; open ones (new, in review) oldest first: they wait; others newest first."""
    _require_staff(staff)
    stmt = select(Complaint).options(selectinload(Complaint.reporter), selectinload(Complaint.target_user))
    if status == "open":
        stmt = stmt.where(Complaint.status.in_(ComplaintStatus.OPEN))
    elif status in ComplaintStatus.ALL:
        stmt = stmt.where(Complaint.status == status)
    if kind in ComplaintKind.ALL:
        stmt = stmt.where(Complaint.kind == kind)
    if target_type in ComplaintTarget.ALL:
        stmt = stmt.where(Complaint.target_type == target_type)
    if target_user_id:
        stmt = stmt.where(Complaint.target_user_id == target_user_id)
    waiting = status == "open" or status in ComplaintStatus.OPEN
    order = (Complaint.created_at, Complaint.id) if waiting else (Complaint.created_at.desc(), Complaint.id.desc())
    return paged(stmt, order, page, per_page)


def open_counts() -> dict[str, int]:
    """Open complaints for the moderation dashboard: by status, and open inaccuracy reports."""
    rows = db.session.execute(select(Complaint.status, Complaint.kind, func.count()).where(
        Complaint.status.in_(ComplaintStatus.OPEN)).group_by(Complaint.status, Complaint.kind)).all()
    counts = {ComplaintStatus.NEW: 0, ComplaintStatus.IN_REVIEW: 0, ComplaintKind.INACCURACY: 0}
    for status, kind, n in rows:
        counts[status] += n
        if kind == ComplaintKind.INACCURACY:
            counts[ComplaintKind.INACCURACY] += n
    counts["open"] = counts[ComplaintStatus.NEW] + counts[ComplaintStatus.IN_REVIEW]
    return counts


def get(staff: PortalUser, complaint_id: int) -> Complaint:
    _require_staff(staff)
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(_l("Complaint not found."))
    return complaint


def history(complaint_id: int):
    return audit.history(ENTITY, complaint_id)


def _require_staff(user: PortalUser) -> None:
    if not is_staff(user):
        raise NotFound(_l("Complaint not found."))


def _for_decision(staff: PortalUser, complaint_id: int) -> Complaint:
    complaint = get(staff, complaint_id)
    db.session.refresh(complaint, with_for_update=True)  # another moderator's decision finishes first
    if staff.id in (complaint.target_user_id, complaint.reporter_id):
        raise ServiceError(_l("You cannot handle a complaint that you filed or that is about you."))
    return complaint


def _move(staff: PortalUser, complaint: Complaint, to: str, action: str, reason: str = "") -> None:
    now = utcnow()
    audit.record(ENTITY, complaint.id, complaint.status, to, staff.id, reason=reason, action=action)
    complaint.status, complaint.handled_by_id, complaint.updated_at = to, staff.id, now
    if to in (ComplaintStatus.RESOLVED, ComplaintStatus.DISMISSED):
        complaint.closed_at = now


@tx.atomic
def take(staff: PortalUser, complaint_id: int) -> Complaint:
    """A moderator starts working on a new complaint."""
    complaint = _for_decision(staff, complaint_id)
    if complaint.status != ComplaintStatus.NEW:
        raise ServiceError(_l("Only a new complaint can be taken into review."))
    _move(staff, complaint, ComplaintStatus.IN_REVIEW, "take")
    return complaint


@tx.atomic
def add_note(staff: PortalUser, complaint_id: int, text: str) -> ComplaintNote:
    """An internal note (never shown to the reporter)."""
    complaint = _for_decision(staff, complaint_id)
    text = _text(text, "note", 1, NOTE_MAX, _l("Write the note."))
    note = ComplaintNote(complaint_id=complaint.id, author_id=staff.id, text=text, created_at=utcnow())
    db.session.add(note)
    complaint.updated_at = utcnow()
    audit.record(ENTITY, complaint.id, None, None, staff.id, action="note")
    return note


def resolve(staff: PortalUser, complaint_id: int, outcome: str) -> Complaint:
    """Staff acted on the complaint; ``outcome`` is what the reporter is told."""
    return _close(staff, complaint_id, outcome, ComplaintStatus.RESOLVED, "complaint_resolved")


def dismiss(staff: PortalUser, complaint_id: int, outcome: str) -> Complaint:
    """Staff found no grounds to act; ``outcome`` is what the reporter is told."""
    return _close(staff, complaint_id, outcome, ComplaintStatus.DISMISSED, "complaint_dismissed")


@tx.atomic
def _close(staff: PortalUser, complaint_id: int, outcome: str, to: str, kind: str) -> Complaint:
    complaint = _for_decision(staff, complaint_id)
    if complaint.status not in ComplaintStatus.OPEN:
        raise ServiceError(_l("This complaint is already closed."))
    outcome = _text(outcome, "outcome", OUTCOME_MIN, OUTCOME_MAX,
                    _l("Write the outcome for the reporter (at least %(min)d characters).", min=OUTCOME_MIN))
    action = "resolve" if to == ComplaintStatus.RESOLVED else "dismiss"
    _move(staff, complaint, to, action, reason=outcome)
    complaint.outcome = outcome
    short = outcome if len(outcome) <= TITLE_OUTCOME_MAX else outcome[:TITLE_OUTCOME_MAX - 1].rstrip() + "…"
    inbox.notify(complaint.reporter, kind, links.my_complaints_page(),
                         number=str(complaint.id), outcome=short)
    return complaint


# --- the "many complaints" signal (agreement 11.4c) ----------------------------------------------

@dataclass
class Signal:
    user: PortalUser
    count: int      # complaints (not dismissed) in the window
    reporters: int  # distinct reporters among them
    no_shows: int = 0  # bookings this account missed (marked no_show) in the window

    @property
    def total(self) -> int:
        return self.count + self.no_shows


def signal_days() -> int:
    """The window of the "many complaints" signal in days (COMPLAINT_SIGNAL_DAYS)."""
    return int(current_app.config["COMPLAINT_SIGNAL_DAYS"])


def _since(now: dt.datetime | None, days: int | None) -> dt.datetime:
    return (now or utcnow()) - dt.timedelta(days=days if days is not None else signal_days())


def _window(now: dt.datetime | None, days: int | None):
    return (Complaint.kind == ComplaintKind.COMPLAINT, Complaint.status != ComplaintStatus.DISMISSED,
            Complaint.created_at >= _since(now, days))


def signals(now: dt.datetime | None = None, threshold: int | None = None, days: int | None = None,
            limit: int = 50) -> list[Signal]:
    """Accounts with at least ``threshold`` complaints (not dismissed; inaccuracy reports are not
    complaints) and missed bookings (no-shows) together in the last ``days`` days, the most
    first."""
    threshold = max(1, threshold if threshold is not None else int(
        current_app.config["COMPLAINT_SIGNAL_THRESHOLD"]))
    since = _since(now, days)
    complained = {uid: (n, reporters) for uid, n, reporters in db.session.execute(
        select(Complaint.target_user_id, func.count(Complaint.id), func.count(func.distinct(Complaint.reporter_id)))
        .where(Complaint.target_user_id.is_not(None), *_window(now, days))
        .group_by(Complaint.target_user_id)).all()}
    missed = no_shows.counts(since)
    totals = {uid: complained.get(uid, (0, 0))[0] + missed.get(uid, 0) for uid in set(complained) | set(missed)}
    chosen = sorted((uid for uid, total in totals.items() if total >= threshold),
                    key=lambda uid: (-totals[uid], uid))[:limit]
    users = {u.id: u for u in db.session.scalars(select(PortalUser).where(PortalUser.id.in_(chosen)))}
    return [Signal(users[uid], *complained.get(uid, (0, 0)), no_shows=missed.get(uid, 0))
            for uid in chosen if uid in users]


def no_shows_about(user_id: int, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Bookings this account missed (marked no_show) in the signal window."""
    return no_shows.count_about(user_id, _since(now, days))


def count_about(user_id: int, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Complaints (not dismissed) about this account in the signal window."""
    return db.session.scalar(select(func.count(Complaint.id)).where(
        Complaint.target_user_id == user_id, *_window(now, days))) or 0
