"""Demo content for a new database: ~50 practitioners, 8 clients, a moderator,
requests with offers and reviews. Deterministic (seeded); every account's
password is DEMO_PASSWORD (tables in portal.demo.data). Needs the reference
data (``ensure_reference_data``) first.

Every practitioner profile reaches its status the way a real applicant does,
through the services: the questionnaire and its documents
(verification.save_draft), submitting it, the agreement quiz answered through
services.quiz, the interview and the approval (or revocation) by the demo
moderator (services.decisions). The services commit each step; the steps are
dated back afterwards (the rows each step creates get the step's time) so the
demo looks lived in. The demo sends no email: the mail the steps queued is
dropped and their notifications are marked read. Requests, offers and reviews
are written as rows."""
from __future__ import annotations

import contextlib
import datetime as dt
import random

from flask import current_app
from sqlalchemy import delete, event, select

from portal.core.clock import utcnow
from portal.core.extensions import db
from portal.demo import bookings as demo_bookings
from portal.demo.data import (  # noqa: F401  (DEMO_PASSWORD, EMAIL_DOMAIN: read by tests and README)
    CITY_SLOTS,
    CLIENT_LOGIN,
    CLIENT_REGIONS,
    DEMO_PASSWORD,
    EMAIL_DOMAIN,
    KK_FEMALE,
    KK_MALE,
    KK_SURNAMES,
    MOBILE_PREFIXES,
    MODERATOR_LOGIN,
    MODERATOR_NAME,
    NOTARY_LOGIN,
    PLAN,
    PRACTITIONER_LOGINS,
    RATINGS,
    REQUEST_STATUSES,
    REQUESTS,
    RU_FEMALE,
    RU_MALE,
    RU_SURNAMES,
    SEED,
    ascii_name,
)
from portal.demo.exchange import ExchangeSteps
from portal.demo.practitioners import PractitionerSteps
from portal.models.accounts import PortalUser
from portal.models.catalog import Category, Chamber, City, Licensor, Region
from portal.models.exchange import RequestStatus
from portal.models.notifications import EmailState, MailOutbox, Notification
from portal.models.practitioners import PractitionerProfile, ProfileStatus
from portal.services.agreement import accept_agreement, current_agreement
from portal.services.practitioners import profiles as profiles_service

# The columns a step's new rows are dated with (whichever of them a table has).
_STAMPED = ("created_at", "updated_at", "created_on", "changed_on", "accepted_at")


class _Seeder(PractitionerSteps, ExchangeSteps):
    def __init__(self, sm):
        self.sm, self.rng, self.now = sm, random.Random(SEED), utcnow()
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.hashed = ""
        self.agreement = current_agreement()
        if self.agreement is None:
            raise RuntimeError("No user agreement: run ensure_reference_data() first.")
        self.client_role, self.practitioner_role = sm.find_role("Client"), sm.find_role("Practitioner")
        self.users: list[PortalUser] = []
        self.when: dt.datetime | None = None  # the time of the step running now (see ``at``)
        self.staff: PortalUser | None = None
        self.changed: dict[int, dt.datetime] = {}  # profile id -> when its last step ran
        # the profile facts' reference rows: each region's centre (its first city), chambers, licensors
        self.centres: dict[int, int] = {}
        for city in db.session.scalars(select(City).order_by(City.sort_order)):
            self.centres.setdefault(city.region_id, city.id)
        self.chambers = dict(db.session.execute(select(Chamber.code, Chamber.id)).all())
        self.licensors = dict(db.session.execute(select(Licensor.code, Licensor.id)).all())

    # --- dating the steps back -------------------------------------------------------------

    def stamp(self, session, flush_context, instances) -> None:
        """before_flush: the rows a step creates carry the step's time."""
        if self.when is None:
            return
        for obj in session.new:
            for name in _STAMPED:
                if hasattr(type(obj), name):
                    setattr(obj, name, self.when)

    @contextlib.contextmanager
    def at(self, when: dt.datetime, profile: PractitionerProfile | None = None):
        """Run a step as if at ``when``: the rows it creates are dated ``when``
        (and ``profile``, when given, was last changed then)."""
        self.when = when
        try:
            yield
        finally:
            self.when = None
        if profile is not None:
            self.changed[profile.id] = when

    # --- accounts -------------------------------------------------------------------------

    def person(self, email: str | None = None):
        rng = self.rng
        while True:
            female, kazakh = rng.random() < 0.5, rng.random() < 0.78
            names = (KK_FEMALE if female else KK_MALE) if kazakh else (RU_FEMALE if female else RU_MALE)
            first = rng.choice(names)
            last = rng.choice(KK_SURNAMES if kazakh else RU_SURNAMES)
            last += "а" if female and last.endswith(("ов", "ев", "ин")) else ""
            address = email or f"{ascii_name(first)}.{ascii_name(last)}@{EMAIL_DOMAIN}"
            if address not in self.emails:
                self.emails.add(address)
                return first, last, address, kazakh

    def phone(self) -> str:
        while True:
            phone = f"+7{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randint(0, 9_999_999):07d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def account(self, email: str, first: str, last: str, role, when: dt.datetime) -> PortalUser:
        """A registered account that accepted the agreement at ``when``."""
        password = {"hashed_password": self.hashed} if self.hashed else {"password": DEMO_PASSWORD}
        with self.at(when):
            user = self.sm.add_user(username=email, first_name=first, last_name=last, email=email,
                                    role=role, commit=False, **password)
            if not user:
                raise RuntimeError(f"Could not create demo user {email}")
            self.hashed = user.password  # hash the shared demo password only once
            accept_agreement(user, self.agreement, "127.0.0.1", "demo-seed")
            db.session.flush()
        self.users.append(user)
        return user

    def user(self, region: Region, email: str | None = None, when: dt.datetime | None = None):
        """A client account (practitioners apply from one; the approval adds the Practitioner role)."""
        first, last, email, kazakh = self.person(email)
        when = when or self.now - dt.timedelta(days=self.rng.randint(30, 500))
        user = self.account(email, first, last, self.client_role, when)
        user.phone, user.region_id = self.phone(), region.id
        user.locale = "kk" if kazakh and self.rng.random() < 0.6 else "ru"
        return user, kazakh

    def moderator(self) -> PortalUser:
        first, last = MODERATOR_NAME
        staff = self.account(MODERATOR_LOGIN, first, last, self.sm.find_role("Moderator"),
                             self.now - dt.timedelta(days=500))
        staff.locale = "ru"
        self.staff = staff
        return staff

    # --- practitioners ----------------------------------------------------------------------

    def quiet(self) -> None:
        """The demo sends no email: drop the mail the steps queued, and what waits for a digest;
        the practitioners have read their notifications."""
        ids = [u.id for u in self.users]
        db.session.execute(delete(MailOutbox).where(MailOutbox.user_id.in_(ids)))
        for note in db.session.scalars(select(Notification).where(Notification.user_id.in_(ids))):
            if note.email_state == EmailState.PENDING:
                note.email_state = EmailState.NONE
            if note.read_at is None:
                note.read_at = min(self.now, note.created_at + dt.timedelta(hours=self.rng.randint(1, 30)))

@contextlib.contextmanager
def _unsynced(engine):
    """SQLite: no fsync at each commit while the demo is loaded (a crash meanwhile leaves a new
    database to delete anyway); the pooled connections are closed afterwards, so no connection
    keeps the setting."""
    if engine.dialect.name != "sqlite":
        yield
        return

    def unsynced(dbapi_connection, record, proxy):
        dbapi_connection.execute("PRAGMA synchronous = OFF")

    event.listen(engine, "checkout", unsynced)
    try:
        yield
    finally:
        event.remove(engine, "checkout", unsynced)
        db.session.close()
        engine.dispose()


def load_demo_data(sm) -> dict:
    """Fill a new database with demo users, profiles, requests, offers and
    reviews; returns what was created. The practitioners' steps are committed
    one by one by the services; on an error the half-loaded demo stays (start
    again on a new database)."""
    seeder = _Seeder(sm)
    session = db.session()
    config = current_app.config
    inline = {key: config[key] for key in ("SEARCH_SYNC", "NOTIFY_SYNC")}
    config.update(SEARCH_SYNC="worker", NOTIFY_SYNC="worker")  # one index update at the end, no mail
    event.listen(session, "before_flush", seeder.stamp)
    # The services commit every step (~350 commits): nothing else uses this session meanwhile,
    # so nothing needs reloading after a commit, and a new SQLite file need not be synced each time.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        with _unsynced(db.engine):
            counts = _load(seeder)
    except Exception:
        db.session.rollback()
        raise
    finally:
        session.expire_on_commit = expire_on_commit
        event.remove(session, "before_flush", seeder.stamp)
        config.update(inline)
    if inline["SEARCH_SYNC"] == "inline":
        from portal.search import sync

        sync.drain(current_app._get_current_object())
    return counts


def _load(seeder: _Seeder) -> dict:
    rng = seeder.rng
    regions = list(db.session.scalars(select(Region).order_by(Region.sort_order)))
    by_code = {r.code: r for r in regions}
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    seeder.moderator()

    slots = [(code, status) for code, (n, others) in PLAN.items()
             for status in others + (ProfileStatus.APPROVED,) * (n - len(others))]
    region_slots = [r for r in regions if r.code not in CITY_SLOTS]
    region_slots += [by_code[code] for code, n in CITY_SLOTS.items() for _ in range(n)]
    rng.shuffle(slots)
    rng.shuffle(region_slots)
    # Known practitioner logins: the first approved advocates based in the demo client's region.
    home = by_code[CLIENT_REGIONS[0]]
    local = [i for i, ((code, status), region) in enumerate(zip(slots, region_slots))
             if code == "advocate" and status == ProfileStatus.APPROVED and region is home]
    if len(local) < len(PRACTITIONER_LOGINS):
        raise RuntimeError("The demo plan has too few approved advocates in the demo client's region.")
    logins = dict(zip(local, PRACTITIONER_LOGINS))
    notaries = [i for i, ((code, status), region) in enumerate(zip(slots, region_slots))
                if code == "notary" and status == ProfileStatus.APPROVED]
    notaries.sort(key=lambda i: region_slots[i] is not home)  # one in the client's region when there is one
    logins[notaries[0]] = NOTARY_LOGIN
    profiles = [seeder.profile(categories[code], status, region, regions, email=logins.get(i))
                for i, ((code, status), region) in enumerate(zip(slots, region_slots))]
    known = [profiles[i] for i in local[:len(PRACTITIONER_LOGINS)]]

    clients = [seeder.user(by_code[code], email=CLIENT_LOGIN if i == 0 else None,
                           when=seeder.now - dt.timedelta(days=rng.randint(160, 600)))[0]  # before their requests
               for i, code in enumerate(CLIENT_REGIONS)]
    db.session.flush()
    approved = {code: [p for p in profiles if p.category.code == code and p.status == ProfileStatus.APPROVED]
                for code in categories}
    statuses = list(REQUEST_STATUSES)
    rng.shuffle(statuses)
    requests = [seeder.request(t, s, clients, approved) for t, s in zip(REQUESTS, statuses)]
    db.session.commit()
    # The demo advocates' feeds: every advocate specialization and the regions of the
    # open advocate requests, so logging in as practitioner@ shows requests to answer.
    open_regions = [r.region for r, _, _ in requests
                    if r.status == RequestStatus.OPEN and r.category.code == "advocate"]
    for profile in known:
        seeder.feed_of(profile, categories["advocate"].specializations, dict.fromkeys(open_regions),
                       seeder.now - dt.timedelta(days=rng.randint(20, 40)))
    completed = [(r, p, lang) for r, p, lang in requests if r.status == RequestStatus.COMPLETED]
    reviews = [seeder.review(r, p, lang, rating) for (r, p, lang), rating in zip(completed, RATINGS)]
    db.session.flush()
    for profile in profiles:
        with seeder.at(seeder.now):
            profiles_service.recompute(profile, now=seeder.now)  # rating, counts, the 6.6 flag
    bookable = demo_bookings.set_up(profiles)
    seeder.quiet()
    for profile in profiles:  # last changed by its last step, not by the seeding
        profile.updated_at = seeder.changed[profile.id]
    counts = {
        "practitioners": len(profiles),
        "approved": sum(1 for p in profiles if p.status == ProfileStatus.APPROVED),
        "clients": len(clients),
        "requests": len(requests),
        "offers": sum(len(r.offers) for r, _, _ in requests),
        "reviews": len(reviews),
        "bookable": bookable,
    }
    db.session.commit()
    return counts
