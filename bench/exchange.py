"""Speed of the exchange pages (requests, offers, threads, notifications,
reviews) on embedded defaults: p50/p95 latency, requests per second and SQL
queries per page, through the WSGI app (no network), logged in as real users.
Also times the service calls select_offer and create+publish (with the
fan-out of new_request notifications). It only prints figures.

    python bench/exchange.py [--requests 2000] [--offers-per-request 5] [--messages 50] [--runs 200]

Uses a temporary SQLite database with the demo data; everything on top of it
is made through the services (portal/services/exchange/requests.py,
request_lifecycle.py, offers.py, messages.py, reviews.py). NOTIFY_SYNC="worker": no mail is sent or written."""
from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select  # noqa: E402

import config  # noqa: E402
from portal import create_app  # noqa: E402
from portal.core.extensions import db  # noqa: E402

DEMO_PASSWORD = "Demo-pass-1"
BENCH_PASSWORD = "Bench-pass-1"
BENCH_DOMAIN = "bench.alemtrust.kz"
SEED = 4
SMALL_OFFERS, BIG_OFFERS = 5, 20  # the two sizes of the offer comparison (N+1 check)

TITLES = ("Нужна консультация по договору аренды", "Помощь с наследством после смерти отца",
          "Представительство в суде по трудовому спору", "Проверка договора купли-продажи квартиры",
          "Раздел имущества при разводе", "Взыскание долга по расписке", "Оформление доверенности",
          "Сопровождение сделки с земельным участком")
DESCRIPTION = ("Подробное описание ситуации: документы на руках, сроки поджимают, "
               "нужна помощь специалиста и понятная оценка перспектив. Заявка №{i}.")


# --- SQL counting ----------------------------------------------------------------

class SqlCounter:
    """Counts (and, while recording, keeps) the statements the engine runs."""

    def __init__(self, engine):
        self.n, self.ms, self.recording, self.statements = 0, 0.0, False, []
        self._start = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self.n += 1
        self._start = time.perf_counter()
        if self.recording:
            self.statements.append(statement)

    def _after(self, *args, **kwargs):
        self.ms += (time.perf_counter() - self._start) * 1000

    def start(self, record: bool = False) -> None:
        self.n, self.ms, self.recording, self.statements = 0, 0.0, record, []

    def repeated(self, at_least: int = 3) -> list[tuple[int, str]]:
        counts = Counter(re.sub(r"\s+", " ", s).strip() for s in self.statements)
        return [(n, s) for s, n in counts.most_common() if n >= at_least]


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


# --- data -------------------------------------------------------------------------

class Builder:
    """Makes users and profiles (plain rows, like tests/factories.py) and
    everything of the exchange through the services."""

    def __init__(self, app, rng: random.Random):
        from portal.models.catalog import Category, Region
        from portal.services.agreement import current_agreement

        self.app, self.sm, self.rng = app, app.appbuilder.sm, rng
        self.hashed = ""
        self.seq = 0
        self.agreement = current_agreement()
        self.client_role, self.practitioner_role = self.sm.find_role("Client"), self.sm.find_role("Practitioner")
        self.categories = {c.code: c for c in db.session.scalars(select(Category))}
        self.regions = {r.code: r for r in db.session.scalars(select(Region))}
        self.almaty = self.regions["KZ-75"]

    def user(self, kind: str, practitioner: bool = False, first_name: str = "Бенч"):
        from portal.services.agreement import accept_agreement

        self.seq += 1
        email = f"{kind}{self.seq}@{BENCH_DOMAIN}"
        roles = [self.client_role, self.practitioner_role] if practitioner else [self.client_role]
        password = {"hashed_password": self.hashed} if self.hashed else {"password": BENCH_PASSWORD}
        user = self.sm.add_user(username=email, first_name=first_name, last_name=f"{kind.capitalize()} {self.seq}",
                                email=email, role=roles, commit=False, **password)
        if not user:
            raise RuntimeError(f"could not create {email}")
        self.hashed = user.password  # hash the known password once
        user.phone, user.locale, user.region_id = f"+7709{self.seq:07d}", "ru", self.almaty.id
        if self.agreement is not None:
            accept_agreement(user, self.agreement, "127.0.0.1", "bench")
        db.session.commit()
        return user

    def practitioner(self, category_code: str = "advocate"):
        """A verified practitioner serving Almaty (KZ-75) with every specialization
        of the category: matches every broadcast request of that category there."""
        import datetime as dt

        from portal.core.clock import utcnow
        from portal.models.practitioners import PractitionerProfile, ProfileStatus

        category = self.categories[category_code]
        user = self.user("practitioner", practitioner=True, first_name="Адвокат")
        profile = PractitionerProfile(
            user_id=user.id, category_id=category.id, status=ProfileStatus.APPROVED, city="Алматы",
            regions=[self.almaty], specializations=list(category.specializations), languages="kk,ru",
            experience_years=self.rng.randint(2, 25), licence_number=f"BENCH-{self.seq}",
            about_ru="Адвокат по гражданским и семейным делам.", about_kk="Азаматтық және отбасылық істер.",
            price_from=self.rng.randint(10, 90) * 1000, verified_since=utcnow() - dt.timedelta(days=100))
        db.session.add(profile)
        db.session.commit()
        return profile

    def request(self, client, category_code: str = "advocate", region_code: str = "KZ-75",
                spec_ids=(), target=None, publish: bool = True):
        from portal.services.exchange import requests as requests_service

        i = self.rng.randint(1, 999_999)
        data = requests_service.RequestInput(
            category_id=self.categories[category_code].id, title=f"{self.rng.choice(TITLES)} ({i})",
            description=DESCRIPTION.format(i=i), region_id=self.regions[region_code].id, city="",
            specialization_ids=list(spec_ids), budget=self.rng.randint(20, 300) * 1000,
            target_profile_id=target.id if target is not None else None)
        return requests_service.create(client, data, publish=publish)

    def offer(self, profile, request_id: int):
        from portal.services.exchange import offers as offers_service

        return offers_service.make(profile.user, request_id, offers_service.OfferInput(
            price=self.rng.randint(15, 250) * 1000, price_kind="fixed", term_days=self.rng.randint(3, 60),
            message="Готов помочь: изучу документы и подготовлю позицию."))

    def chat(self, client, profile, request_id: int, count: int) -> int:
        """A thread on the request between its client and the practitioner with
        ``count`` messages (the practitioner writes first, then they alternate)."""
        from portal.services.exchange import messages as messages_service

        thread = messages_service.open_thread(profile.user, request_id)
        for k in range(len(thread.messages), count):
            sender = profile.user if k % 2 == 0 else client
            messages_service.post(sender, thread.id, f"Сообщение {k + 1}: уточните, пожалуйста, детали дела.")
        return thread.id


def load_user(email: str):
    from portal.models.accounts import PortalUser

    return db.session.scalars(select(PortalUser).where(PortalUser.email == email)).one()


def build(app, args) -> dict:
    """The data set on top of the demo data; returns the ids/emails the measurements need."""
    from portal.models.practitioners import active_profile
    from portal.services.exchange import request_lifecycle
    from portal.services.exchange import requests as requests_service
    from portal.services.exchange import reviews as reviews_service

    rng = random.Random(SEED)
    b = Builder(app, rng)
    ids: dict = {}
    p1_user = load_user("practitioner@demo.alemtrust.kz")
    p2_user = load_user("practitioner2@demo.alemtrust.kz")
    p1, p2 = active_profile(p1_user), active_profile(p2_user)
    n_extra = max(BIG_OFFERS, args.offers_per_request)
    extras = [b.practitioner() for _ in range(n_extra)]
    clients = [b.user("client") for _ in range(8)]  # clients[0] is the one measured
    small_client, big_client = b.user("client"), b.user("client")

    # 1. the bulk: --requests open requests over categories and regions; about a
    # third are advocate requests in Almaty, the demo practitioners' feed
    started = time.perf_counter()
    categories = [c for c, cat in b.categories.items() if cat.takes_requests]
    region_codes = sorted(b.regions)
    p1_offered, p1_matching, p2_matching = 0, [], []
    for i in range(args.requests):
        if rng.random() < 0.35:
            code, region = "advocate", "KZ-75"
        else:
            code, region = rng.choice(categories), rng.choice(region_codes)
        specs = b.categories[code].specializations
        spec_ids = [rng.choice(specs).id] if specs and rng.random() < 0.5 else []
        req = b.request(clients[i % len(clients)], code, region, spec_ids)
        if requests_service.matches(req, p1):
            if rng.random() < 0.1:
                b.offer(p1, req.id)  # "You offered" rows in the feed
                p1_offered += 1
            p1_matching.append(req)
        if requests_service.matches(req, p2):
            p2_matching.append(req)
    ids["bulk_s"] = time.perf_counter() - started
    ids["p1_offered"] = p1_offered

    # 2. the measured request (--offers-per-request offers, one of them by the demo
    # practitioner, each offerer with a 2-message thread) and the two sizes
    # of the comparison (5 and 20 offers) for the N+1 check
    def request_with_offers(client, profiles):
        req = b.request(client)
        for profile in profiles:
            b.offer(profile, req.id)
            b.chat(client, profile, req.id, 2)
        return req.id

    offerers = [p1] + extras[:args.offers_per_request - 1] if args.offers_per_request else []
    ids["req_main"] = request_with_offers(clients[0], offerers)
    ids["req_small"] = request_with_offers(small_client, extras[:SMALL_OFFERS])
    ids["req_big"] = request_with_offers(big_client, extras[:BIG_OFFERS])
    for _ in range(2):  # a few more rows in small_client's own list
        b.request(small_client, "notary", "KZ-71")

    # 3. threads: --messages messages with the demo practitioner, a shorter one for the N+1 check
    if args.offers_per_request:
        ids["thread_main"] = b.chat(clients[0], p1, ids["req_main"], args.messages)
    else:
        ids["thread_main"] = b.chat(clients[0], p2, ids["req_main"], args.messages)
    ids["small_messages"] = 20 if args.messages > 20 else max(2, args.messages // 4)
    ids["thread_small"] = b.chat(clients[0], p2, ids["req_main"], ids["small_messages"])
    # the practitioners' lists: a question on 3 (practitioner@) and 20 (practitioner2@) other requests
    for profile, reqs, count in ((p1, p1_matching, 3), (p2, p2_matching, 20)):
        for req in reqs[:count]:
            b.chat(req.client, profile, req.id, 1)

    # 4. reviews: a practitioner with 12 reviews (more than a page) and one with 2,
    # each one the whole way: targeted request, offer, selection, completion, review
    def reviewed(profile, count):
        for k in range(count):
            client = clients[k % len(clients)]
            req = b.request(client, target=profile)
            offer = b.offer(profile, req.id)
            request_lifecycle.select_offer(client, req.id, offer.id)
            request_lifecycle.complete(client, req.id)
            review = reviews_service.create(client, req.id, rng.choice((3, 4, 5, 5, 5)),
                                            "Всё сделано в срок, рекомендую.")
            if k % 3 == 0:
                reviews_service.reply(profile.user, review.id, "Спасибо за отзыв!")
        return profile.id

    ids["profile_big"] = reviewed(extras[-1], 12)
    ids["profile_small"] = reviewed(extras[-2], 2)

    # a few requests targeted at practitioner@ (they show in the feed too), so that
    # the feed's last page is a short one (5 rows): the small size of the N+1 check
    pad = (5 - requests_service.feed(p1_user).total % 20) % 20
    for k in range(pad):
        b.request(clients[k % len(clients)], target=p1)

    ids.update(
        p1=p1_user.email, p2=p2_user.email, p1_profile=p1.id, client=clients[0].email,
        small_client=small_client.email, big_client=big_client.email, extras=[p.id for p in extras],
        almaty=b.almaty.id, p1_spec=(p1.specializations[0].id if p1.specializations else None),
        bulk_clients=[c.id for c in clients])
    return ids


def feed_small(user, last_page: int) -> tuple[str, int]:
    """A feed URL of practitioner@ that shows fewer rows than a full page: the
    last page, or page 1 filtered by one of their specializations."""
    from portal.models.practitioners import active_profile
    from portal.services.exchange import requests as requests_service

    options = [(f"/feed/?page={last_page}", len(requests_service.feed(user, page=last_page).items))]
    for spec in active_profile(user).specializations:
        options.append((f"/feed/?specialization={spec.id}", len(requests_service.feed(user, None, spec.id).items)))
    return min((o for o in options if o[1] > 0), key=lambda o: o[1], default=options[0])


def sizes(app, ids: dict) -> dict:
    """How many rows each measured page shows (from the services the views call)."""
    from portal.models.exchange import Thread
    from portal.services.exchange import messages as messages_service
    from portal.services.exchange import offers as offers_service
    from portal.services.exchange import requests as requests_service
    from portal.services.notifications import inbox as notifications_service
    from portal.services.practitioners.profiles import profile_reviews

    with app.app_context():
        u = {k: load_user(ids[k]) for k in ("p1", "p2", "client", "small_client", "big_client")}
        feed_total = requests_service.feed(u["p1"]).total
        last_page = max(1, -(-feed_total // 20))
        out = {
            "feed": len(requests_service.feed(u["p1"]).items),
            "feed_filtered": len(requests_service.feed(u["p1"], ids["almaty"], ids["p1_spec"]).items),
            "feed_total": feed_total,
            "feed_small": feed_small(u["p1"], last_page),
            "offers_main": len(offers_service.for_client(u["client"], ids["req_main"])),
            "offers_small": len(offers_service.for_client(u["small_client"], ids["req_small"])),
            "offers_big": len(offers_service.for_client(u["big_client"], ids["req_big"])),
            "requests_client": len(requests_service.mine(u["client"]).items),
            "requests_client_total": requests_service.mine(u["client"]).total,
            "requests_small": len(requests_service.mine(u["small_client"]).items),
            "threads_client": messages_service.mine(u["client"]).total,
            "threads_small": messages_service.mine(u["small_client"]).total,
            "threads_big": messages_service.mine(u["big_client"]).total,
            "threads_p1": messages_service.mine(u["p1"]).total,
            "threads_p2": messages_service.mine(u["p2"]).total,
            "messages_main": len(db.session.get(Thread, ids["thread_main"]).messages),
            "messages_small": len(db.session.get(Thread, ids["thread_small"]).messages),
            "notes_p1": len(notifications_service.page_for(u["p1"].id).items),
            "notes_client": len(notifications_service.page_for(u["client"].id).items),
            "notes_small": len(notifications_service.page_for(u["small_client"].id).items),
            "reviews_big": len(profile_reviews(ids["profile_big"]).items),
            "reviews_small": len(profile_reviews(ids["profile_small"]).items),
        }
    return out


# --- measuring ------------------------------------------------------------------------

def login(app, email: str, password: str):
    client = app.test_client()
    response = client.post("/login/", data={"username": email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} failed: {response.status_code}")
    return client


def measure(client, url: str, counter: SqlCounter, runs: int) -> dict:
    client.get(url)  # warm up (templates, caches)
    counter.start(record=True)
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code} {response.headers.get('Location', '')}")
    queries, sql_ms, repeated = counter.n, counter.ms, counter.repeated()
    counter.start()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    p50, p95 = percentiles(times)
    return {"p50": p50, "p95": p95, "rps": 1000 / statistics.mean(times), "queries": queries, "sql_ms": sql_ms,
            "repeated": repeated}


def query_count(client, url: str, counter: SqlCounter) -> tuple[int, list]:
    client.get(url)
    counter.start(record=True)
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")
    return counter.n, counter.repeated()


def time_services(app, ids: dict, args, counter: SqlCounter) -> tuple[list[tuple], dict]:
    """create+publish (fan-out of new_request), offers.make and select_offer, each
    call in a fresh session; also the statements repeated in one call of each."""
    from portal.models.accounts import PortalUser
    from portal.models.exchange import Offer, ServiceRequest
    from portal.services.exchange import request_lifecycle
    from portal.services.exchange import requests as requests_service

    rows, repeated = [], {}
    with app.app_context():
        rng = random.Random(SEED + 1)
        b = Builder(app, rng)
        client_ids = ids["bulk_clients"]
        from portal.models.practitioners import PractitionerProfile

        def fresh(model, pk):
            return db.session.get(model, pk)

        # create+publish broadcast to every advocate in Almaty; and targeted at one practitioner
        for label, targeted in (("broadcast", False), ("targeted", True)):
            times, queries, fanout, made = [], [], set(), []
            n = args.runs if not targeted else max(10, args.runs // 4)
            for k in range(n):
                db.session.close()
                client = fresh(PortalUser, client_ids[k % len(client_ids)])
                target = fresh(PractitionerProfile, ids["extras"][0]) if targeted else None
                counter.start(record=k == 0)
                start = time.perf_counter()
                req = b.request(client, target=target)
                times.append((time.perf_counter() - start) * 1000)
                queries.append(counter.n)
                if k == 0 and not targeted:
                    repeated["requests.create+publish, broadcast"] = counter.repeated()
                fanout.add(len(requests_service.matching_profiles(req)))
                made.append(req.id)
            p50, p95 = percentiles(times)
            rows.append((f"requests.create+publish, {label}", n, p50, p95, statistics.median(queries),
                         "M=" + "/".join(str(m) for m in sorted(fanout))))
            if not targeted:
                broadcast_ids = made

        # select_offer: the broadcast requests above, each with --offers-per-request offers
        per = max(1, args.offers_per_request)
        extras = ids["extras"]
        make_times, make_queries = [], []
        for k, rid in enumerate(broadcast_ids):
            for j in range(per):
                db.session.close()
                profile = fresh(PractitionerProfile, extras[(k + j) % len(extras)])
                profile.user  # noqa: B018 (loaded before the clock starts, as Flask-Login does)
                counter.start()
                start = time.perf_counter()
                b.offer(profile, rid)
                make_times.append((time.perf_counter() - start) * 1000)
                make_queries.append(counter.n)
        times, queries = [], []
        for k, rid in enumerate(broadcast_ids):
            client_id = db.session.scalar(select(ServiceRequest.client_id).where(ServiceRequest.id == rid))
            offer_id = db.session.scalar(select(Offer.id).where(Offer.request_id == rid).order_by(Offer.price))
            db.session.close()
            client = fresh(PortalUser, client_id)
            counter.start(record=k == 0)
            start = time.perf_counter()
            request_lifecycle.select_offer(client, rid, offer_id)
            times.append((time.perf_counter() - start) * 1000)
            queries.append(counter.n)
            if k == 0:
                repeated["request_lifecycle.select_offer"] = counter.repeated()
        p50, p95 = percentiles(times)
        rows.append((f"request_lifecycle.select_offer, {per} offers", len(broadcast_ids), p50, p95,
                     statistics.median(queries), f"{per - 1} declined"))
        p50, p95 = percentiles(make_times)
        rows.insert(-1, ("offers.make", len(make_times), p50, p95, statistics.median(make_queries),
                         "mail to the client queued"))
    return rows, repeated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="open requests in the bulk (default 2000)")
    parser.add_argument("--offers-per-request", type=int, default=5,
                        help="offers on the measured request and on each select_offer request (default 5)")
    parser.add_argument("--messages", type=int, default=50, help="messages in the measured thread (default 50)")
    parser.add_argument("--runs", type=int, default=200, help="timed requests per page and service calls")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database (path is printed)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-exchange-")

    class Bench(config.Config):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.db"
        INSTANCE_PATH = tmp
        ADMIN_PASSWORD = "Bench-pass-1"
        LOAD_DEMO_DATA = True
        RATELIMIT_ENABLED = False
        WTF_CSRF_ENABLED = False  # the bench posts the login form directly
        NOTIFY_SYNC = "worker"  # mails stay in the outbox: nothing is sent or written
        SEARCH_SYNC = "worker"
        SEARCH_INDEX_PATH = ":memory:"

    total = time.perf_counter()
    started = time.perf_counter()
    app = create_app(Bench)
    demo_s = time.perf_counter() - started
    started = time.perf_counter()
    with app.app_context():
        ids = build(app, args)
        engine = db.engine
    build_s = time.perf_counter() - started
    counter = SqlCounter(engine)
    n = sizes(app, ids)
    print(f"Data: demo data {demo_s:.1f} s; build {build_s:.1f} s (of which {args.requests} open requests "
          f"{ids['bulk_s']:.1f} s, {ids['p1_offered']} offers by practitioner@ on them); "
          f"feed of practitioner@: {n['feed_total']} open requests; {len(ids['extras'])} extra practitioners")
    print(f"Database: {tmp}/bench.db\n")

    clients = {
        "p1": login(app, ids["p1"], DEMO_PASSWORD),
        "p2": login(app, ids["p2"], DEMO_PASSWORD),
        "client": login(app, ids["client"], BENCH_PASSWORD),
        "small_client": login(app, ids["small_client"], BENCH_PASSWORD),
        "big_client": login(app, ids["big_client"], BENCH_PASSWORD),
    }
    spec = f"&specialization={ids['p1_spec']}" if ids["p1_spec"] else ""
    pages = [
        ("feed, page 1", "p1", "/feed/", f"{n['feed']} requests"),
        ("feed, region+specialization filter", "p1", f"/feed/?region={ids['almaty']}{spec}",
         f"{n['feed_filtered']} requests"),
        ("request page, client (offer table)", "client", f"/requests/{ids['req_main']}",
         f"{n['offers_main']} offers"),
        ("request page, practitioner", "p1", f"/requests/{ids['req_main']}", "own offer"),
        ("/requests/ (client's list)", "client", "/requests/",
         f"{n['requests_client']} of {n['requests_client_total']}"),
        ("/threads/ (client)", "client", "/threads/", f"{min(20, n['threads_client'])} of {n['threads_client']}"),
        ("/threads/ (practitioner)", "p2", "/threads/", f"{min(20, n['threads_p2'])} of {n['threads_p2']}"),
        ("thread page", "client", f"/threads/{ids['thread_main']}", f"{n['messages_main']} messages"),
        ("/notifications/ (practitioner)", "p1", "/notifications/", f"{n['notes_p1']} rows"),
        ("/notifications/ (client)", "client", "/notifications/", f"{n['notes_client']} rows"),
        ("public profile with reviews", "client", f"/practitioners/{ids['profile_big']}",
         f"{n['reviews_big']} reviews"),
    ]
    results = []
    print(f"{'page':38} {'as':13} {'shows':14} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>6} {'queries':>7} "
          f"{'SQL ms':>6}")
    for label, who, url, shows in pages:
        r = measure(clients[who], url, counter, args.runs)
        results.append((label, url, r))
        who_label = {"p1": "practitioner@", "p2": "practitioner2@"}.get(who, who)
        print(f"{label:38} {who_label:13} {shows:14} {r['p50']:7.1f} {r['p95']:7.1f} {r['rps']:6.0f} "
              f"{r['queries']:7d} {r['sql_ms']:6.1f}", flush=True)

    # N+1 check: the same page at two sizes
    print("\nQueries per page at two sizes (N+1 check: growth with the rows shown)")
    pairs = [
        ("request page, client", ("small_client", f"/requests/{ids['req_small']}", n["offers_small"]),
         ("big_client", f"/requests/{ids['req_big']}", n["offers_big"]), "offers"),
        ("thread page", ("client", f"/threads/{ids['thread_small']}", n["messages_small"]),
         ("client", f"/threads/{ids['thread_main']}", n["messages_main"]), "messages"),
        ("/threads/ (client)", ("small_client", "/threads/", n["threads_small"]),
         ("big_client", "/threads/", n["threads_big"]), "threads"),
        ("/threads/ (practitioner)", ("p1", "/threads/", n["threads_p1"]),
         ("p2", "/threads/", n["threads_p2"]), "threads"),
        ("/requests/", ("small_client", "/requests/", n["requests_small"]),
         ("client", "/requests/", n["requests_client"]), "requests"),
        ("feed", ("p1", n["feed_small"][0], n["feed_small"][1]),
         ("p1", "/feed/", n["feed"]), "requests"),
        ("/notifications/", ("small_client", "/notifications/", n["notes_small"]),
         ("p1", "/notifications/", n["notes_p1"]), "rows"),
        ("public profile", ("client", f"/practitioners/{ids['profile_small']}", n["reviews_small"]),
         ("client", f"/practitioners/{ids['profile_big']}", n["reviews_big"]), "reviews"),
    ]
    growth = []
    print(f"{'page':22} {'small':>14} {'queries':>8} {'big':>14} {'queries':>8} {'extra/row':>9}")
    for label, (who_a, url_a, rows_a), (who_b, url_b, rows_b), unit in pairs:
        qa, _ = query_count(clients[who_a], url_a, counter)
        qb, repeated_b = query_count(clients[who_b], url_b, counter)
        per_row = (qb - qa) / (rows_b - rows_a) if rows_b != rows_a else 0.0
        print(f"{label:22} {f'{rows_a} {unit}':>14} {qa:8d} {f'{rows_b} {unit}':>14} {qb:8d} {per_row:9.2f}")
        if per_row >= 0.5:
            growth.append((label, url_b, repeated_b))
    for label, url, repeated in growth:
        print(f"\n  {label} ({url}): statements run 3 or more times in one request")
        for count, statement in repeated:
            print(f"    {count:4d} × {statement[:300]}")

    print("\nService calls (each in a fresh session; p50/p95 ms)")
    print(f"{'call':46} {'calls':>6} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7}  note")
    rows, repeated = time_services(app, ids, args, counter)
    for label, calls, p50, p95, queries, note in rows:
        print(f"{label:46} {calls:6d} {p50:7.1f} {p95:7.1f} {queries:7.0f}  {note}")
    for label, statements in repeated.items():
        print(f"\n  {label}: statements run 3 or more times in one call")
        for count, statement in statements:
            print(f"    {count:4d} × {statement[:300]}")
    print(f"\nWhole run: {time.perf_counter() - total:.0f} s")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
