"""The user's own data as one JSON document ("Download my data", agreement
5.1-5.2): profile, requests, offers, conversations, reviews, agreement
acceptances, login history and sessions, notification consent, support
messages and complaints filed.

Only what the user already sees: other people appear by the name the portal
shows them (a practitioner's public name, the other party of a conversation),
never with their email, phone, IP or account data; staff appear as
"support". Internal staff records (notes, audit reasons) are not included.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import or_, select

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.models.accounts import LoginEvent, PortalUser, UserSession
from portal.models.agreement import AgreementAcceptance
from portal.models.bookings import Booking
from portal.models.exchange import Offer, OfferStatus, Review, ReviewStatus, ServiceRequest, Thread
from portal.models.notifications import Notification, NotificationPreference
from portal.models.trust import Complaint, SupportConversation
from portal.services.bookings import conversation as booking_threads
from portal.services.notifications import kinds

FORMAT = "alemtrust-personal-data/1"


def _time(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _file(a) -> dict:
    return {"id": a.id, "name": a.original_name, "content_type": a.content_type, "size": a.size,
            "uploaded_at": _time(a.created_at)}


def export(user: PortalUser) -> dict:
    profile = getattr(user, "practitioner_profile", None)
    return {
        "format": FORMAT,
        "generated_at": _time(utcnow()),
        "account": _account(user),
        "practitioner_profile": _profile(profile) if profile is not None else None,
        "requests": _requests(user),
        "offers": _offers(profile) if profile is not None else [],
        "conversations": _conversations(user, profile),
        "reviews_written": _reviews(Review.client_id == user.id, written=True),
        "reviews_received": _reviews(Review.profile_id == profile.id, written=False) if profile else [],
        "agreement_acceptances": [
            {"version": a.version.version, "accepted_at": _time(a.accepted_at), "ip_address": a.ip_address,
             "user_agent": a.user_agent}
            for a in db.session.scalars(select(AgreementAcceptance).where(AgreementAcceptance.user_id == user.id)
                                        .order_by(AgreementAcceptance.accepted_at, AgreementAcceptance.id))],
        "login_history": [
            {"at": _time(e.created_at), "success": e.success, "ip_address": e.ip_address,
             "user_agent": e.user_agent}
            for e in db.session.scalars(select(LoginEvent).where(LoginEvent.user_id == user.id)
                                        .order_by(LoginEvent.created_at, LoginEvent.id))],
        "sessions": [
            {"started_at": _time(s.created_at), "last_seen_at": _time(s.last_seen_at), "ip_address": s.ip_address,
             "user_agent": s.user_agent, "ended_at": _time(s.ended_at), "ended_reason": s.ended_reason}
            for s in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                                        .order_by(UserSession.created_at, UserSession.id))],
        "notification_consent": {"informational": bool(user.consent_info), "advertising": bool(user.consent_ads),
                                 "changed_at": _time(user.consent_changed_at)},
        "notification_preferences": [
            {"kind": p.kind, "on_the_site": p.in_app, "by_email": p.email}
            for p in db.session.scalars(select(NotificationPreference)
                                        .where(NotificationPreference.user_id == user.id)
                                        .order_by(NotificationPreference.kind))],
        "notifications": [
            {"text": kinds.render(n), "link": n.link, "at": _time(n.created_at), "read_at": _time(n.read_at)}
            for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                                   Notification.in_app.is_(True))
                                        .order_by(Notification.created_at, Notification.id))],
        "support_conversations": _support(user),
        "complaints_filed": [
            {"id": c.id, "kind": c.kind, "about": c.target_type, "about_id": c.target_id, "reason": c.reason,
             "text": c.text, "status": c.status, "outcome": c.outcome, "filed_at": _time(c.created_at),
             "closed_at": _time(c.closed_at)}
            for c in db.session.scalars(select(Complaint).where(Complaint.reporter_id == user.id)
                                        .order_by(Complaint.created_at, Complaint.id))],
    }


def to_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def file_name(now: dt.datetime | None = None) -> str:
    """The name the download is saved under (the web page and the API give the same)."""
    return f"alemtrust-my-data-{(now or utcnow()):%Y%m%d}.json"


def _account(user: PortalUser) -> dict:
    return {"id": user.id, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "phone": user.phone, "iin": user.iin, "language": user.locale,
            "region": user.region.code if user.region is not None else None, "status": user.status,
            "roles": sorted(r.name for r in user.roles), "registered_at": _time(user.created_on),
            "last_login_at": _time(user.last_login), "login_count": user.login_count or 0}


def _profile(p) -> dict:
    return {"id": p.id, "status": p.status, "category": p.category.code if p.category else None,
            "city": p.city_name, "licence_number": p.licence_number, "licence_date": _time(p.licence_date),
            "licensor": p.licensor_name, "chamber": p.chamber_name, "membership_id": p.membership_id,
            "languages": p.language_codes, "experience_years": p.experience_years,
            "education_kk": p.education_kk, "education_ru": p.education_ru, "about_kk": p.about_kk,
            "about_ru": p.about_ru, "price_from": p.price_from, "online_consultation": p.online_consultation,
            "regions": [r.code for r in p.regions], "specializations": [s.code for s in p.specializations],
            "rating": p.rating_avg, "reviews_count": p.reviews_count, "verified_since": _time(p.verified_since),
            "documents": [dict(_file(d), kind=d.kind) for d in p.documents],
            "notices": [{"action": n.action, "message": n.message, "at": _time(n.created_at)} for n in p.notices]}


def _requests(user: PortalUser) -> list[dict]:
    out = []
    for r in db.session.scalars(select(ServiceRequest).where(ServiceRequest.client_id == user.id)
                                .order_by(ServiceRequest.created_at, ServiceRequest.id)):
        out.append({
            "id": r.id, "title": r.title, "description": r.description, "status": r.status,
            "category": r.category.code, "region": r.region.code, "city": r.city, "budget": r.budget,
            "desired_date": _time(r.desired_date), "specializations": [s.code for s in r.specializations],
            "sent_to_practitioner": r.target_profile.name if r.target_profile is not None else None,
            "created_at": _time(r.created_at), "published_at": _time(r.published_at),
            "closed_at": _time(r.closed_at), "attachments": [_file(a) for a in r.attachments],
            # the offers as the client sees them (withdrawn ones are not shown)
            "offers_received": [
                {"id": o.id, "practitioner": o.profile.name, "price": o.price, "price_kind": o.price_kind,
                 "term_days": o.term_days, "message": o.message, "status": o.status, "at": _time(o.created_at)}
                for o in r.offers if o.status != OfferStatus.WITHDRAWN],
        })
    return out


def _offers(profile) -> list[dict]:
    return [{"id": o.id, "request_id": o.request_id, "request_title": o.request.title, "price": o.price,
             "price_kind": o.price_kind, "term_days": o.term_days, "message": o.message, "status": o.status,
             "created_at": _time(o.created_at), "decided_at": _time(o.decided_at)}
            for o in db.session.scalars(select(Offer).where(Offer.profile_id == profile.id)
                                        .order_by(Offer.created_at, Offer.id))]


def _conversations(user: PortalUser, profile) -> list[dict]:
    """Conversations about requests and about bookings (request_id or booking_id)."""
    mine = or_(ServiceRequest.client_id == user.id, Booking.client_id == user.id)
    if profile is not None:
        mine = or_(mine, Thread.profile_id == profile.id)
    out = []
    for t in db.session.scalars(select(Thread).outerjoin(ServiceRequest, ServiceRequest.id == Thread.request_id)
                                .outerjoin(Booking, Booking.id == Thread.booking_id)
                                .where(mine).order_by(Thread.created_at, Thread.id)):
        as_client = booking_threads.client_id_of(t) == user.id
        other = t.profile.user if as_client else booking_threads.client_of(t)
        out.append({
            "id": t.id, "request_id": t.request_id, "booking_id": t.booking_id,
            "request_title": booking_threads.title(t),
            "my_role": "client" if as_client else "practitioner",
            "with": other.display_name if other is not None else None,
            "messages": [{"id": m.id, "from_me": m.sender_id == user.id, "sent_at": _time(m.created_at),
                          "text": m.body, "attachments": [_file(a) for a in m.attachments]}
                         for m in t.messages],
        })
    return out


def _reviews(condition, written: bool) -> list[dict]:
    stmt = select(Review).where(condition)
    if not written:  # reviews of my work: those the public sees
        stmt = stmt.where(Review.status == ReviewStatus.PUBLISHED)
    out = []
    for r in db.session.scalars(stmt.order_by(Review.created_at, Review.id)):
        row = {"id": r.id, "request_id": r.request_id, "booking_id": r.booking_id, "rating": r.rating,
               "comment": r.comment,
               "reply": r.reply, "created_at": _time(r.created_at)}
        if written:
            row.update(practitioner=r.profile.name, status=r.status)
        out.append(row)
    return out


def _support(user: PortalUser) -> list[dict]:
    return [{"id": c.id, "kind": c.kind, "status": c.status, "started_at": _time(c.created_at),
             "messages": [{"from": "support" if m.from_staff else "me", "text": m.body, "sent_at": _time(m.created_at)}
                          for m in c.messages]}
            for c in db.session.scalars(select(SupportConversation).where(SupportConversation.user_id == user.id)
                                        .order_by(SupportConversation.created_at, SupportConversation.id))]
