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
from portal.demo import documents as demo_documents
from portal.demo.data import (  # noqa: F401  (DEMO_PASSWORD, EMAIL_DOMAIN: read by tests and README)
    APPROVE_MESSAGES,
    CHAMBER_OVERRIDES,
    CHAMBERS,
    CITY_SLOTS,
    CLIENT_LOGIN,
    CLIENT_REGIONS,
    CLOSERS,
    COMMENTS,
    DEMO_PASSWORD,
    EMAIL_DOMAIN,
    EXPERT_DEGREES,
    FOCUS_KK,
    FOCUS_RU,
    INTERVIEW_NOTES,
    KK_FEMALE,
    KK_MALE,
    KK_SURNAMES,
    LANGUAGES_KK,
    LANGUAGES_RU,
    LAW_DEGREE,
    LICENCE_FILES,
    LICENSOR,
    MEMBERSHIP_FILE,
    MOBILE_PREFIXES,
    MODERATOR_LOGIN,
    MODERATOR_NAME,
    OFFER_MESSAGES,
    OPENERS_KK,
    OPENERS_RU,
    OTHER_FILES,
    PLAN,
    PRACTITIONER_LOGINS,
    PRICE_RANGE,
    RATINGS,
    REPLIES,
    REQUEST_STATUSES,
    REQUESTS,
    REVOKE_MESSAGES,
    REVOKE_REASON,
    ROLE_KK,
    ROLE_RU,
    RU_FEMALE,
    RU_MALE,
    RU_SURNAMES,
    SEED,
    TRANSLIT,
    UNIVERSITIES,
)
from portal.models.accounts import PortalUser
from portal.models.catalog import Category, Chamber, City, Licensor, Region
from portal.models.exchange import (
    Offer,
    OfferStatus,
    PriceKind,
    RequestStatus,
    Review,
    ReviewStatus,
    ServiceRequest,
)
from portal.models.notifications import EmailState, MailOutbox, Notification
from portal.models.practitioners import (
    DocumentKind,
    InterviewMode,
    InterviewOutcome,
    PractitionerProfile,
    ProfileStatus,
)
from portal.services.agreement import accept_agreement, current_agreement
from portal.services.practitioners import decisions, questionnaire, quiz, verification
from portal.services.practitioners import profiles as profiles_service

# The columns a step's new rows are dated with (whichever of them a table has).
_STAMPED = ("created_at", "updated_at", "created_on", "changed_on", "accepted_at")


def _ascii(text: str) -> str:
    return "".join(TRANSLIT.get(c, c) for c in text.lower())


def _years_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    return "года" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "лет"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class _Seeder:
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
            address = email or f"{_ascii(first)}.{_ascii(last)}@{EMAIL_DOMAIN}"
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

    def application(self, category: Category, region: Region, regions: list[Region], kazakh: bool):
        """The questionnaire's answers, as an applicant of ``category`` in ``region`` fills it."""
        rng, code = self.rng, category.code
        exp = rng.randint(2, 28)
        licence_date = dt.date(self.now.year - exp, rng.randint(1, 12), rng.randint(1, 28))
        specs = rng.sample(category.specializations, k=min(rng.randint(1, 3), len(category.specializations)))
        degree = EXPERT_DEGREES.get(specs[0].code, LAW_DEGREE) if code == "expert" else LAW_DEGREE
        uni, graduated = rng.choice(UNIVERSITIES), licence_date.year - rng.randint(1, 4)
        closer = rng.choice(CLOSERS)
        about_ru = " ".join((
            rng.choice(OPENERS_RU).format(role=ROLE_RU[code], exp=exp, years=_years_ru(exp)),
            rng.choice(FOCUS_RU).format(specs=", ".join(_lower_first(s.name_ru) for s in specs)),
            closer[0].format(city=region.centre_ru)))
        about_kk = " ".join((
            rng.choice(OPENERS_KK).format(role=ROLE_KK[code], role_cap=ROLE_KK[code].capitalize(), exp=exp),
            rng.choice(FOCUS_KK).format(specs=", ".join(_lower_first(s.name_kk) for s in specs)),
            closer[1].format(city_kk=region.centre_kk)))
        low, high = PRICE_RANGE[code]
        extra = rng.sample([r for r in regions if r is not region], k=rng.choice((0, 0, 1, 2)))
        licence = f"{rng.randint(14, 19)}{rng.randint(0, 999_999):06d}" if rng.random() < 0.7 \
            else f"ЛЦ-{rng.randint(1, 99_999):07d}"
        return questionnaire.ApplicationInput(
            category_id=category.id, city_id=self.centres.get(region.id),
            region_ids=[r.id for r in [region] + extra],
            specialization_ids=[s.id for s in specs],
            languages=rng.choice(LANGUAGES_KK if kazakh else LANGUAGES_RU).split(","), experience_years=exp,
            licence_number=licence, licence_date=licence_date, licensor_id=self.licensors.get(LICENSOR),
            chamber_id=self.chambers.get(CHAMBER_OVERRIDES.get((code, region.code))
                                         or rng.choice(CHAMBERS[code]).format(region=region.code)),
            membership_id=str(rng.randint(100, 4999)),
            education_ru=f"{uni[0]}, {degree[0]} ({graduated})",
            education_kk=f"{uni[1]}, {degree[1]} ({graduated})",
            about_ru=about_ru, about_kk=about_kk, price_from=rng.randint(low, high) * 1000,
            online_consultation=rng.random() < 0.6)

    def files(self, user: PortalUser, category: Category, data, complete: bool) -> dict:
        """The documents the applicant uploads with the questionnaire (a draft may lack the licence)."""
        holder = f"{_ascii(user.first_name).title()} {_ascii(user.last_name).title()}"
        sample = ["AlemTrust demo data: a sample, not a real document.", f"Holder: {holder}"]
        files: dict[str, list] = {}
        code = category.code
        if code in LICENCE_FILES and complete:
            number = "".join(TRANSLIT.get(c.lower(), c) for c in data.licence_number).upper()
            files[DocumentKind.LICENCE] = [demo_documents.upload(LICENCE_FILES[code], sample + [
                f"Licence No. {number}", f"Issued: {data.licence_date:%d.%m.%Y}"])]
        others = [demo_documents.upload(OTHER_FILES[code], sample)] if code in OTHER_FILES else []
        if code == "advocate" and self.rng.random() < 0.4:
            others.append(demo_documents.upload(MEMBERSHIP_FILE, sample + [f"Member No. {data.membership_id}"]))
        if others:
            files[DocumentKind.OTHER] = others
        return files

    def answer(self, user: PortalUser, when: dt.datetime, wrong: int) -> None:
        """Take the agreement quiz at ``when``, answering all but ``wrong`` questions right."""
        with self.at(when):
            attempt = quiz.start(user, now=when, rng=self.rng)
        chosen = {}
        lines = quiz.questions(attempt)
        mistakes = set(self.rng.sample(range(len(lines)), k=min(wrong, len(lines))))
        for i, question in enumerate(lines):
            right = [o for o in question.options if o.is_correct]
            other = [o for o in question.options if not o.is_correct]
            chosen[question.id] = (self.rng.choice(other) if i in mistakes else right[0]).id
        finished = when + dt.timedelta(minutes=self.rng.randint(6, 25))
        with self.at(finished):
            quiz.submit(user, attempt.id, chosen, now=finished)

    def profile(self, category: Category, status: str, region: Region, regions: list[Region],
                email: str | None = None) -> PractitionerProfile:
        """An applicant who reached ``status`` (draft, submitted, approved or revoked) through the services."""
        rng = self.rng
        # when the application was submitted: long ago for verified practitioners, lately for the others
        if status in (ProfileStatus.APPROVED, ProfileStatus.REVOKED):
            submitted = self.now - dt.timedelta(days=rng.randint(25, 410), hours=rng.randint(0, 23))
        else:
            submitted = self.now - dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 23))
        drafted = submitted - dt.timedelta(days=rng.randint(0, 4), hours=rng.randint(1, 20))
        user, kazakh = self.user(region, email=email,
                                 when=drafted - dt.timedelta(days=rng.randint(0, 60), hours=rng.randint(1, 5)))
        data = self.application(category, region, regions, kazakh)
        complete = status != ProfileStatus.DRAFT or rng.random() < 0.5
        files = self.files(user, category, data, complete)
        with self.at(drafted):
            profile = verification.save_draft(user, data, files=files)
        self.changed[profile.id] = drafted
        if status == ProfileStatus.DRAFT:
            return profile
        with self.at(submitted, profile):
            verification.submit(user, now=submitted)
        if status == ProfileStatus.SUBMITTED:
            return profile
        rules = quiz.rules()
        allowed = rules.questions - rules.pass_mark(rules.questions)  # mistakes that still pass
        taken = submitted + dt.timedelta(hours=rng.randint(1, 30))
        if rng.random() < 0.15:  # failed once, passed after the cool-down
            self.answer(user, taken, wrong=allowed + 1 + rng.randint(0, 2))
            taken += rules.cooldown + dt.timedelta(hours=rng.randint(2, 40))
        self.answer(user, taken, wrong=rng.choice([0, 0, 1, 1, 2][:allowed + 1] or [0]))
        scheduled = taken + dt.timedelta(hours=rng.randint(3, 30))
        meeting = (scheduled + dt.timedelta(days=rng.randint(1, 4))).replace(
            hour=rng.randint(4, 11), minute=rng.choice((0, 30)), second=0, microsecond=0)  # 9:00-16:30 in Almaty
        mode = InterviewMode.IN_PERSON if rng.random() < 0.6 else InterviewMode.PHONE
        with self.at(scheduled):
            interview = decisions.schedule_interview(self.staff, profile.id, meeting, mode, now=scheduled)
        recorded = meeting + dt.timedelta(minutes=rng.randint(20, 50))
        with self.at(recorded):
            decisions.record_interview(self.staff, interview.id, InterviewOutcome.PASSED,
                                       rng.choice(INTERVIEW_NOTES), True, f"{rng.randint(0, 9999):04d}")
        interview.recorded_at = interview.passport_checked_at = recorded  # the service dates them now
        approved = recorded + dt.timedelta(hours=rng.randint(1, 40))
        lang = "kk" if user.locale == "kk" else "ru"
        with self.at(approved, profile):
            decisions.approve(self.staff, profile.id, message=rng.choice(APPROVE_MESSAGES[lang]), now=approved)
        if status == ProfileStatus.REVOKED:
            revoked = min(self.now - dt.timedelta(days=2), approved + dt.timedelta(days=rng.randint(60, 150)))
            with self.at(revoked, profile):
                decisions.revoke(self.staff, profile.id, reason=REVOKE_REASON, message=REVOKE_MESSAGES[lang])
        return profile

    def feed_of(self, profile: PractitionerProfile, specializations, regions, when: dt.datetime) -> None:
        """The practitioner widens their public profile (specializations, regions) on the edit page."""
        data = questionnaire.input_from(profile)
        data.specialization_ids = [s.id for s in specializations]
        data.region_ids = list(dict.fromkeys(data.region_ids + [r.id for r in regions]))
        when = min(self.now - dt.timedelta(hours=1), max(when, self.changed[profile.id] + dt.timedelta(days=1)))
        with self.at(when, profile):
            verification.update_public_profile(profile.user, data, now=when)

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

    def request(self, template, status: str, clients, approved):
        rng = self.rng
        cat_code, spec_code, lang, title, description, budget = template
        client = rng.choice(clients)
        days_ago = {RequestStatus.COMPLETED: (30, 150),
                    RequestStatus.IN_PROGRESS: (5, 30)}.get(status, (0, 12))
        created = self.now - dt.timedelta(days=rng.randint(*days_ago), hours=rng.randint(0, 23))
        category = approved[cat_code][0].category
        request = ServiceRequest(
            client=client, category=category, region=client.region, city=client.region.centre_ru,
            title=title, description=description, budget=budget, status=status, created_at=created,
            updated_at=created, specializations=[s for s in category.specializations if s.code == spec_code],
            desired_date=((created + dt.timedelta(days=rng.randint(7, 30))).date()
                          if rng.random() < 0.5 else None),
            published_at=created,
            expires_at=created + dt.timedelta(days=30) if status == RequestStatus.OPEN else None)
        if status != RequestStatus.OPEN:
            request.selected_at = created + dt.timedelta(days=rng.randint(3, 5))
        if status == RequestStatus.COMPLETED:
            request.closed_at = created + dt.timedelta(days=rng.randint(6, 20))
        # only practitioners verified before the request was published offered on it
        verified = [p for p in approved[cat_code] if p.verified_since < created - dt.timedelta(hours=2)]
        local = [p for p in verified if client.region in p.regions]
        others = [p for p in verified if p not in local]
        count = rng.randint(1, 4)
        chosen = rng.sample(local, k=min(count, len(local)))
        chosen += rng.sample(others, k=min(count - len(chosen), len(others)))
        accepted = rng.choice(chosen) if status != RequestStatus.OPEN else None
        for profile in chosen:
            days = rng.randint(1, 30)
            offer_status = OfferStatus.ACTIVE if accepted is None else (
                OfferStatus.ACCEPTED if profile is accepted else OfferStatus.DECLINED)
            offered = created + dt.timedelta(hours=rng.randint(2, 72))
            if status == RequestStatus.OPEN and profile not in local:
                continue  # an open request only gets offers from practitioners it matches
            db.session.add(Offer(
                request=request, profile=profile,
                price=max(5000, int(round(budget * rng.uniform(0.6, 1.15), -3))),
                price_kind=PriceKind.FIXED if rng.random() < 0.7 else PriceKind.FROM, term_days=days,
                message=rng.choice(OFFER_MESSAGES[lang]).format(days=days), status=offer_status,
                created_at=offered, updated_at=offered, decided_at=request.selected_at))
        db.session.add(request)
        return request, accepted, lang

    def review(self, request: ServiceRequest, profile: PractitionerProfile, lang: str, rating: int):
        rng = self.rng
        # written once the client marked the request completed
        created = min(self.now, request.closed_at + dt.timedelta(days=rng.randint(0, 5), hours=rng.randint(1, 12)))
        review = Review(request=request, client=request.client, profile=profile, rating=rating,
                        comment=rng.choice(COMMENTS[lang][rating]), status=ReviewStatus.PUBLISHED,
                        created_at=created, updated_at=created)
        if rating <= 3 or rng.random() < 0.35:
            review.reply = REPLIES[lang][rating <= 3]
            review.reply_at = min(self.now, created + dt.timedelta(days=rng.randint(1, 5)))
        db.session.add(review)
        return review


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
    }
    db.session.commit()
    return counts
