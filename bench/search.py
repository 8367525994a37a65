"""Search speed at scale: N synthetic practitioner profiles (Kazakh and
Russian text), reindex throughput, and p50/p95 latency of a fixed query mix on
the search backend, through the search page and through the JSON API.

    python bench/search.py [--sizes 10000,100000] [--runs 200] [--osmem] [--keep DIR]

* The embedded (tantivy) backend is always measured; Elasticsearch as well when
  ELASTICSEARCH_URL is set, or on an osmem-server started here with --osmem.
* Profiles go into a fresh SQLite database in a temporary instance folder
  (``--keep DIR`` keeps it in DIR/n<size>/ and reuses it on the next run).
* Targets: reindex of 100k profiles < 30 s; embedded p95 < 10 ms at 100k for
  every query; search page p95 < 40 ms.

Prints figures (markdown tables to paste into a README); it is not a test."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import math
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, insert, select  # noqa: E402

import config  # noqa: E402
from portal import create_app  # noqa: E402
from portal.core.extensions import db  # noqa: E402
from portal.demo.data import lower_first, years_ru  # noqa: E402

SEED = 2026
DEFAULT_SIZES = (10_000, 100_000)
TARGET_REINDEX_S = 30.0      # for 100k profiles
TARGET_BACKEND_P95 = 10.0    # ms, embedded, at 100k
TARGET_PAGE_P95 = 40.0       # ms, full search page
TARGET_SIZE = 100_000

# --- synthetic data -----------------------------------------------------------
KK_MALE = ("Ерлан", "Нұрлан", "Данияр", "Асхат", "Бауыржан", "Ержан", "Мұрат", "Талғат", "Арман", "Дәурен",
           "Серік", "Ғалым", "Қайрат", "Айдос", "Жандос", "Олжас", "Әділет", "Руслан", "Тимур", "Нұрболат",
           "Ақжол", "Бекзат", "Дастан", "Еркебұлан", "Мейрам", "Самат", "Темірлан", "Жасұлан", "Ілияс", "Өмірзақ")
KK_FEMALE = ("Айгерім", "Гүлнар", "Динара", "Әсел", "Жанар", "Мәдина", "Салтанат", "Айнұр", "Ботагөз",
             "Ләззат", "Меруерт", "Гүлмира", "Назерке", "Жұлдыз", "Аружан", "Камила", "Әлия", "Дана",
             "Інкәр", "Сәуле", "Перизат", "Райхан", "Томирис", "Үміт")
KK_SURNAMES = ("Жұмабеков", "Сапаров", "Нұрланов", "Серікбаев", "Әбдірахманов", "Тоқтаров", "Қасымов",
               "Омаров", "Ахметов", "Исабеков", "Оспанов", "Төлеуов", "Мұқанов", "Байжанов", "Ержанов",
               "Есенов", "Құдайбергенов", "Сейітов", "Жақсылықов", "Бекмұхамбетов", "Смағұлов", "Әлиев",
               "Қонысбаев", "Ыбырайұлы", "Нұрғалиұлы", "Кенжебеков", "Шәкенов", "Үсенов", "Ғабитов", "Дүйсенов")
RU_MALE = ("Андрей", "Сергей", "Дмитрий", "Алексей", "Виктор", "Игорь", "Павел", "Максим", "Евгений",
           "Владимир", "Николай", "Артём")
RU_FEMALE = ("Ольга", "Елена", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Юлия", "Мария",
             "Ксения", "Людмила", "Алёна")
RU_SURNAMES = ("Иванов", "Ким", "Петренко", "Соколов", "Козлов", "Пак", "Шевченко", "Морозов", "Волков",
               "Цой", "Лебедев", "Новиков", "Фёдоров", "Ли", "Кузнецов", "Бондаренко")
# category -> share of profiles, price range (thousands of KZT)
CATEGORY_MIX = {"advocate": (0.35, (20, 150)), "consultant": (0.25, (10, 80)), "notary": (0.20, (5, 30)),
                "expert": (0.10, (40, 150)), "bailiff": (0.10, (10, 50))}
# region code -> weight (the three cities hold most practitioners)
REGION_WEIGHT = {"KZ-75": 25, "KZ-71": 20, "KZ-79": 10}
STATUS_MIX = (("approved", 0.88), ("warned", 0.02), ("submitted", 0.04), ("draft", 0.03),
              ("suspended", 0.01), ("revoked", 0.02))
LANGUAGES_KK = ("kk,ru",) * 5 + ("kk,ru,en",) * 2 + ("kk",)
LANGUAGES_RU = ("ru",) * 3 + ("kk,ru",) * 2 + ("ru,en",)
ROLE_RU = {"notary": "частным нотариусом", "bailiff": "частным судебным исполнителем",
           "expert": "судебным экспертом", "advocate": "адвокатом", "consultant": "юридическим консультантом"}
ROLE_NOM_RU = {"notary": "Частный нотариус", "bailiff": "Частный судебный исполнитель (ЧСИ)",
               "expert": "Судебный эксперт", "advocate": "Адвокат", "consultant": "Юрист, юридический консультант"}
ROLE_KK = {"notary": "жеке нотариус", "bailiff": "жеке сот орындаушысы", "expert": "сот сарапшысы",
           "advocate": "адвокат", "consultant": "заң кеңесшісі"}
OPENERS_RU = ("Работаю {role} {exp} {years}.", "Стаж работы {role} — {exp} {years}.",
              "{role_nom}, практика с {since} года.")
OPENERS_KK = ("{exp} жылдан бері {role} болып жұмыс істеймін.", "{role_cap} ретіндегі жұмыс өтілім — {exp} жыл.",
              "{role_cap}, {since} жылдан бері тәжірибем бар.")
FOCUS_RU = ("Основные направления: {specs}.", "Чаще всего помогаю по вопросам: {specs}.",
            "Специализация: {specs}.")
FOCUS_KK = ("Негізгі бағыттарым: {specs}.", "Көбінесе мына мәселелер бойынша көмектесемін: {specs}.",
            "Мамандануым: {specs}.")
PLACE = (  # (ru, kk)
    ("Принимаю в офисе в городе {city} по предварительной записи.",
     "{city_kk} қаласындағы кеңседе алдын ала жазылу арқылы қабылдаймын."),
    ("Офис в центре города {city}, рядом с ЦОНом.", "Кеңсем {city_kk} қаласының орталығында, ХҚКО жанында."),
    ("Выезжаю к клиентам по городу {city} и области.", "{city_kk} қаласы мен облысы бойынша клиенттерге барамын."),
    ("Консультирую клиентов из городов {city} и {city2}.",
     "{city_kk} және {city2_kk} қалаларының клиенттеріне кеңес беремін."),
)
EXTRA = (  # (ru, kk), mixing category words, synonyms and typical requests
    ("Помогаю с оформлением наследства и доверенностей.", "Мұраны және сенімхаттарды ресімдеуге көмектесемін."),
    ("Консультирую по сделкам с недвижимостью и покупке квартиры.",
     "Жылжымайтын мүлік мәмілелері және пәтер сатып алу бойынша кеңес беремін."),
    ("Веду дела о взыскании алиментов и долгов.", "Алимент пен қарызды өндіру істерін жүргіземін."),
    ("Представляю интересы в суде по гражданским и уголовным делам.",
     "Азаматтық және қылмыстық істер бойынша сотта мүдделерді білдіремін."),
    ("Готовлю договоры и проверяю документы перед сделкой.", "Шарттар дайындаймын, мәміле алдында құжаттарды тексеремін."),
    ("Провожу экспертизу по назначению суда и по заявлению сторон.",
     "Сот тағайындауы және тараптардың өтініші бойынша сараптама жүргіземін."),
    ("Сотрудничаю с нотариусами, адвокатами и частными судебными исполнителями.",
     "Нотариустармен, адвокаттармен және жеке сот орындаушыларымен бірге жұмыс істеймін."),
    ("Работаю с ЧСИ и банками по исполнительным производствам.",
     "Атқарушылық іс жүргізу бойынша сот орындаушыларымен және банктермен жұмыс істеймін."),
    ("Развод, раздел имущества, алименты — помогу разобраться.",
     "Ажырасу, мүлікті бөлу, алимент — түсіндіріп беремін."),
    ("Первичная консультация бесплатно, можно онлайн через WhatsApp или Zoom.",
     "Алғашқы кеңес тегін, WhatsApp немесе Zoom арқылы онлайн болады."),
    ("Юрист с опытом работы в банке и в крупных компаниях.", "Банкте және ірі компанияларда жұмыс тәжірибесі бар заңгер."),
    ("Всегда заранее объясняю порядок действий, сроки и стоимость.",
     "Іс-әрекеттер тәртібін, мерзімі мен құнын әрқашан алдын ала түсіндіремін."),
    ("Работаю с физическими и юридическими лицами, в том числе с иностранцами.",
     "Жеке және заңды тұлғалармен, соның ішінде шетел азаматтарымен жұмыс істеймін."),
    ("Регистрация ТОО и ИП, устав, учредительный договор.", "ЖШС пен ЖК тіркеу, жарғы, құрылтай шарты."),
    ("Оценка ущерба после ДТП и затопления квартиры.", "Жол апаты мен пәтерді су басқаннан кейінгі залалды бағалау."),
)
UNIVERSITIES = (
    ("Казахский национальный университет имени аль-Фараби", "Әл-Фараби атындағы Қазақ ұлттық университеті"),
    ("Евразийский национальный университет имени Л. Н. Гумилёва", "Л. Н. Гумилев атындағы Еуразия ұлттық университеті"),
    ("Университет КАЗГЮУ имени М. С. Нарикбаева", "М. С. Нарикбаев атындағы KAZGUU университеті"),
    ("Карагандинский университет имени академика Е. А. Букетова",
     "Академик Е. А. Бөкетов атындағы Қарағанды университеті"),
)
CHAMBER = {"notary": "Нотариальная палата", "advocate": "Коллегия адвокатов",
           "bailiff": "Региональная палата частных судебных исполнителей",
           "expert": "Палата судебных экспертов Республики Казахстан",
           "consultant": "Палата юридических консультантов"}
BATCH = 10_000


def _weighted(rng: random.Random, items: list, weights: list) -> object:
    return rng.choices(items, weights=weights, k=1)[0]


def generate(n: int) -> float:
    """Insert ``n`` practitioners (users, profiles, regions, specializations) with
    Core executemany in one transaction; returns the seconds it took."""
    from portal.models.accounts import PortalUser
    from portal.models.catalog import Category, Region, Specialization
    from portal.models.practitioners import PractitionerProfile, profile_regions, profile_specializations

    start = time.perf_counter()
    rng = random.Random(SEED)
    now = dt.datetime(2026, 3, 1, 12, 0)
    regions = list(db.session.scalars(select(Region).order_by(Region.sort_order)))
    region_weights = [REGION_WEIGHT.get(r.code, 2.5) for r in regions]
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    specs = {code: list(db.session.scalars(select(Specialization).where(Specialization.category_id == c.id)
                                            .order_by(Specialization.sort_order)))
             for code, c in categories.items()}
    cat_codes = list(CATEGORY_MIX)
    cat_weights = [CATEGORY_MIX[c][0] for c in cat_codes]
    statuses, status_weights = zip(*STATUS_MIX)
    first_user = (db.session.scalar(select(func.max(PortalUser.id))) or 0) + 1
    first_profile = (db.session.scalar(select(func.max(PractitionerProfile.id))) or 0) + 1
    db.session.remove()
    users, profiles, pregions, pspecs = [], [], [], []

    def flush(conn):
        for table, rows in ((PortalUser.__table__, users), (PractitionerProfile.__table__, profiles),
                            (profile_regions, pregions), (profile_specializations, pspecs)):
            if rows:
                conn.execute(insert(table), rows)
                rows.clear()

    with db.engine.begin() as conn:
        for i in range(n):
            uid, pid = first_user + i, first_profile + i
            female, kazakh = rng.random() < 0.5, rng.random() < 0.75
            first = rng.choice((KK_FEMALE if female else KK_MALE) if kazakh else (RU_FEMALE if female else RU_MALE))
            last = rng.choice(KK_SURNAMES if kazakh else RU_SURNAMES)
            if female and last.endswith(("ов", "ев", "ин")):
                last += "а"
            elif female and last.endswith("ұлы"):
                last = last[:-3] + "қызы"
            home = _weighted(rng, regions, region_weights)
            code = _weighted(rng, cat_codes, cat_weights)
            status = _weighted(rng, list(statuses), list(status_weights))
            blocked = rng.random() < 0.01
            users.append({
                "id": uid, "first_name": first, "last_name": last, "username": f"bench{uid}@bench.alemtrust.kz",
                "email": f"bench{uid}@bench.alemtrust.kz", "password": "!", "active": True,
                "last_login": None, "login_count": 0, "fail_login_count": 0, "created_on": now, "changed_on": now,
                "created_by_fk": None, "changed_by_fk": None,
                "phone": f"+77{rng.randint(0, 99_999_999):08d}"[:12], "locale": "kk" if kazakh else "ru",
                "region_id": home.id, "status": "blocked" if blocked else "active", "blocked_reason": None,
                "blocked_note": None, "iin": None,
            })
            exp = rng.randint(1, 35)
            chosen = rng.sample(specs[code], k=rng.choice((1, 1, 2, 2, 3)))
            extra_regions = rng.sample([r for r in regions if r is not home], k=rng.choice((0, 0, 0, 1, 2, 3)))
            other_city = rng.choice(regions)
            place = rng.choice(PLACE)
            extras = rng.sample(EXTRA, k=rng.choice((0, 1, 1, 2, 3)))
            fmt = {"role": ROLE_RU[code], "role_nom": ROLE_NOM_RU[code], "exp": exp, "years": years_ru(exp),
                   "since": 2026 - exp, "role_cap": ROLE_KK[code].capitalize(), "city": home.centre_ru,
                   "city2": other_city.centre_ru, "city_kk": home.centre_kk, "city2_kk": other_city.centre_kk}
            about_ru = " ".join([rng.choice(OPENERS_RU).format(**fmt),
                                 rng.choice(FOCUS_RU).format(specs=", ".join(lower_first(s.name_ru) for s in chosen)),
                                 place[0].format(**fmt)] + [e[0] for e in extras])
            fmt["role"] = ROLE_KK[code]
            about_kk = " ".join([rng.choice(OPENERS_KK).format(**fmt),
                                 rng.choice(FOCUS_KK).format(specs=", ".join(lower_first(s.name_kk) for s in chosen)),
                                 place[1].format(**fmt)] + [e[1] for e in extras])
            reviews = 0 if rng.random() < 0.3 else int(rng.paretovariate(1.3))
            rating = round(min(5.0, max(1.0, rng.gauss(4.4, 0.5))), 2) if reviews else 0.0
            low, high = CATEGORY_MIX[code][1]
            uni = rng.choice(UNIVERSITIES)
            profiles.append({
                "id": pid, "user_id": uid, "external_id": None, "category_id": categories[code].id,
                "status": status, "city": home.centre_ru, "licence_number": f"{rng.randint(14, 19)}{pid:07d}",
                "licence_date": dt.date(2026 - exp, rng.randint(1, 12), rng.randint(1, 28)),
                "licensor": "Министерство юстиции РК",
                "chamber": f"{CHAMBER[code]} ({home.name_ru})", "membership_id": str(rng.randint(100, 4999)),
                "languages": rng.choice(LANGUAGES_KK if kazakh else LANGUAGES_RU), "experience_years": exp,
                "education_kk": f"{uni[1]}, құқықтану ({2026 - exp - rng.randint(1, 4)})",
                "education_ru": f"{uni[0]}, юриспруденция ({2026 - exp - rng.randint(1, 4)})",
                "about_kk": about_kk, "about_ru": about_ru,
                "price_from": None if rng.random() < 0.1 else rng.randint(low, high) * 1000,
                "online_consultation": rng.random() < 0.6, "rating_avg": rating, "reviews_count": reviews,
                "negative_reviews_count": sum(rng.random() < 0.08 for _ in range(min(reviews, 50))),
                "verified_since": now - dt.timedelta(days=rng.randint(10, 900)) if status in ("approved", "warned")
                else None,
                "created_at": now, "updated_at": now,
            })
            pregions += [{"profile_id": pid, "region_id": r.id} for r in [home] + extra_regions]
            pspecs += [{"profile_id": pid, "specialization_id": s.id} for s in chosen]
            if len(profiles) >= BATCH:
                flush(conn)
        flush(conn)
    return time.perf_counter() - start


# --- backends -------------------------------------------------------------------
def _plain_json_node_class():
    """elastic_transport node that sends plain application/json (osmem answers 406
    to Elasticsearch's vendor media type, see search-notes.md)."""
    servers = Path(__file__).resolve().parent.parent / "tests" / "search_servers.py"
    if servers.exists():  # use the test suite's node class when it has one
        from elastic_transport import BaseNode

        import tests.search_servers as mod

        for value in vars(mod).values():
            if isinstance(value, type) and issubclass(value, BaseNode) and value is not BaseNode \
                    and value.__module__ == mod.__name__:
                return value
    from elastic_transport import Urllib3HttpNode

    class PlainJsonNode(Urllib3HttpNode):
        def perform_request(self, method, target, body=None, headers=None, **kwargs):
            if headers:
                headers = headers.copy()
                for name in ("accept", "content-type"):
                    value = headers.get(name)
                    if value and "vnd.elasticsearch" in value:
                        headers[name] = "application/x-ndjson" if "ndjson" in value else "application/json"
            return super().perform_request(method, target, body=body, headers=headers, **kwargs)

    return PlainJsonNode


@contextlib.contextmanager
def start_osmem():
    """An in-memory osmem-server, started the way tests/search_servers.py does."""
    try:
        from tests.search_servers import start_server, stop_server
    except ImportError:
        start_server = stop_server = None
    if start_server is not None:
        server = start_server()
    else:
        from osmem_server import OsmemServer

        server = OsmemServer.start(japanese=False)
    try:
        yield server.url
    finally:
        if stop_server is not None:
            stop_server(server)
        else:
            server.close()


def use_backend(app, name: str, url: str = "", node_class=None) -> None:
    app.config["ELASTICSEARCH_URL"] = url if name != "embedded" else ""
    app.config["ELASTICSEARCH_NODE_CLASS"] = node_class
    old = app.extensions.get("search")
    if old is not None:
        old.close()
    app.extensions["search"] = None


# --- measuring -----------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    name: str
    params: dict
    facets: bool = True   # the backend query computes facets (the page always does)


CASES = (
    Case("text", {"q": "нотариус"}, facets=False),
    Case("text+filters", {"q": "адвокат", "region": "KZ-75", "language": "kk"}),
    Case("facets", {"q": "нотариус"}),
    Case("browse", {}),
    Case("typo", {"q": "нотариул"}),
    Case("latin", {"q": "notarius almaty"}),
    Case("sort rating", {"q": "адвокат", "sort": "rating"}),
    Case("3 words", {"q": "адвокат развод Алматы"}),
)


@dataclass
class Timing:
    p50: float
    p95: float
    note: str = ""


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    def at(q: float) -> float:
        return times[max(0, math.ceil(q * len(times)) - 1)]
    return at(0.5), at(0.95)


def measure(fn, runs: int, warmup: int = 5, after=None) -> Timing:
    for _ in range(warmup):
        fn()
        if after:
            after()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        if after:
            after()
    return Timing(*percentiles(times))


class SqlTimer:
    """Counts statements and the time spent in them (per request)."""

    def __init__(self, engine):
        self.n, self.ms, self._start = 0, 0.0, []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *args, **kwargs):
        self._start.append(time.perf_counter())

    def _after(self, *args, **kwargs):
        self.n += 1
        self.ms += (time.perf_counter() - self._start.pop()) * 1000

    def reset(self):
        self.n, self.ms = 0, 0.0


class FailureCounter(logging.Handler):
    """Counts the search service's "backend failed, falling back" log records."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.n = 0

    def emit(self, record):
        self.n += 1


@dataclass
class Row:
    size: int
    backend: str
    case: str
    total: int
    backend_t: Timing
    page_t: Timing
    page_via: str
    api_t: Timing
    api_via: str
    sql_n: int = 0
    sql_ms: float = 0.0


@dataclass
class IndexRow:
    size: int
    backend: str
    docs: int
    seconds: float
    build_only: float | None = None


@dataclass
class Results:
    generated: dict[int, float] = field(default_factory=dict)
    index: list[IndexRow] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


PAGE = "/ru/practitioners/"   # public pages have a language prefix (the bare path redirects)


def run_queries(app, size: int, backend_name: str, runs: int, res: Results, sql: SqlTimer) -> None:
    from portal.search import backend as get_backend
    from portal.services import search as search_service

    client = app.test_client()
    per_page = app.config["PUBLIC_PAGE_SIZE"]
    failures = FailureCounter()
    logging.getLogger("portal.services.search").addHandler(failures)
    for _ in range(3):  # warm caches (SQLite pages, index files, templates) for the whole mix first
        for case in CASES:
            url_args = urlencode(case.params)
            client.get(PAGE + "?" + url_args)
            client.get("/api/v1/search/?" + url_args)
    for case in CASES:
        url_args = urlencode(case.params)
        with app.test_request_context("/practitioners/?" + url_args):
            from flask import request

            query, errors = search_service.query_from_args(request.args, per_page)
        if errors:
            res.notes.append(f"{case.name}: query_from_args rejected {errors}")
        if not case.facets:
            query = replace(query, with_facets=False)
        with app.app_context():
            search = get_backend(app)
            result = search.search(query)
            backend_t = measure(lambda: search.search(query), runs)

        def service():
            with app.test_request_context("/practitioners/?" + url_args):
                found = search_service.search_profiles(query if case.facets else replace(query, with_facets=True))
                if found.unavailable:
                    raise RuntimeError("search_profiles fell back to the database directory")
                db.session.remove()

        service_t: Timing | None = None

        def via(path: str) -> tuple[Timing, str]:
            nonlocal service_t
            url = f"{path}?{url_args}" if url_args else path
            response = client.get(url)
            if response.status_code == 200:
                return measure(lambda: client.get(url), runs), "http"
            res.notes.append(f"{size} {backend_name} {case.name}: GET {url} -> {response.status_code}; "
                             "measured portal.services.search.search_profiles instead")
            if service_t is None:
                service_t = measure(service, runs)
            return service_t, "service"

        page_t, page_via = via(PAGE)
        sql.reset()
        client.get(PAGE + "?" + url_args)
        sql_n, sql_ms = sql.n, sql.ms
        api_t, api_via = via("/api/v1/search/")
        if failures.n:
            res.notes.append(f"{size} {backend_name} {case.name}: the backend failed {failures.n} times during "
                             "the page/API runs (those requests fell back to the database directory)")
            failures.n = 0
        res.rows.append(Row(size, backend_name, case.name, result.total, backend_t, page_t, page_via, api_t,
                            api_via, sql_n, sql_ms))
        print(f"  {backend_name:9} {case.name:13} hits {result.total:7d}  backend {backend_t.p50:6.2f}/"
              f"{backend_t.p95:6.2f}  page {page_t.p50:6.1f}/{page_t.p95:6.1f} ({page_via})  "
              f"api {api_t.p50:6.1f}/{api_t.p95:6.1f} ({api_via})  sql {sql_n} q {sql_ms:.1f} ms",
              file=sys.stderr, flush=True)
    logging.getLogger("portal.services.search").removeHandler(failures)


def reindex_timed(app, size: int, backend_name: str, res: Results, build_only: bool) -> None:
    from portal.search.documents import public_documents
    from portal.services import search as search_service

    with app.app_context():
        start = time.perf_counter()
        docs = search_service.reindex()
        seconds = time.perf_counter() - start
        indexed = search_service.backend().count()
        if indexed != docs:
            res.notes.append(f"{size} {backend_name}: reindex returned {docs} but the index holds {indexed}")
        only = None
        if build_only:  # the database + document-building share of a reindex
            start = time.perf_counter()
            sum(1 for _ in public_documents())
            only = time.perf_counter() - start
        db.session.remove()
    res.index.append(IndexRow(size, backend_name, docs, seconds, only))
    print(f"  {backend_name}: reindexed {docs} docs in {seconds:.1f} s"
          + (f" (reading + building documents alone {only:.1f} s)" if only is not None else ""),
          file=sys.stderr, flush=True)


def bench_size(size: int, args, res: Results, elastic: list[tuple[str, str, object]]) -> None:
    keep = Path(args.keep) / f"n{size}" if args.keep else None
    tmp = str(keep) if keep else tempfile.mkdtemp(prefix=f"bench-search-{size}-")
    os.makedirs(tmp, exist_ok=True)

    class Bench(config.Config):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.db"
        INSTANCE_PATH = tmp
        LOAD_DEMO_DATA = False
        ADMIN_PASSWORD = "Bench-pass-1"
        SEARCH_SYNC = "worker"
        SEARCH_INDEX_PATH = ""
        ELASTICSEARCH_URL = ""
        AUTH_RATE_LIMITED = False
        RATELIMIT_ENABLED = False
        PAGE_CACHE_ENABLED = False   # every page is rendered (a cache hit would measure nothing)

    try:
        print(f"== {size} profiles in {tmp}", file=sys.stderr, flush=True)
        app = create_app(Bench)
        with app.app_context():
            from portal.models.practitioners import PractitionerProfile

            present = db.session.scalar(select(func.count()).select_from(PractitionerProfile)) or 0
            db.session.remove()
            if present == 0:
                res.generated[size] = generate(size)
                print(f"  generated in {res.generated[size]:.1f} s", file=sys.stderr, flush=True)
            elif present != size:
                raise SystemExit(f"{tmp} holds {present} profiles, not {size}: use an empty --keep folder")
        sql = SqlTimer(_engine(app))
        for name, url, node_class in [("embedded", "", None)] + elastic:
            use_backend(app, name, url, node_class)
            try:
                reindex_timed(app, size, name, res, build_only=name == "embedded")
                run_queries(app, size, name, args.runs, res, sql)
            except Exception as exc:  # e.g. the Elasticsearch backend is not there yet
                res.notes.append(f"{size} {name}: skipped ({type(exc).__name__}: {exc})")
                print(f"  {name}: skipped ({type(exc).__name__}: {exc})", file=sys.stderr, flush=True)
        use_backend(app, "embedded")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def _engine(app):
    with app.app_context():
        return db.engine


# --- report -------------------------------------------------------------------------
def report(res: Results, sizes: list[int], runs: int) -> str:
    out = ["### Indexing (`portal.services.search.reindex()`, SQLite)", "",
           "| profiles | backend | indexed docs | reindex s | docs/s | of which DB read + documents s |",
           "|---:|---|---:|---:|---:|---:|"]
    for r in res.index:
        only = f"{r.build_only:.1f}" if r.build_only is not None else "—"
        out.append(f"| {r.size:,} | {r.backend} | {r.docs:,} | {r.seconds:.1f} | {r.docs / r.seconds:,.0f} | {only} |")
    out += ["", f"### Queries, p50 / p95 ms over {runs} runs", "",
            "| profiles | backend | query | hits | backend | search page | page/backend (p50) "
            "| SQL per page (n / ms) | JSON API | API/backend (p50) |",
            "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in res.rows:
        mark = {"http": "", "service": " †"}
        out.append(
            f"| {r.size:,} | {r.backend} | {r.case} | {r.total:,} | {r.backend_t.p50:.2f} / {r.backend_t.p95:.2f} "
            f"| {r.page_t.p50:.1f} / {r.page_t.p95:.1f}{mark[r.page_via]} | {r.page_t.p50 / r.backend_t.p50:.1f}× "
            f"| {r.sql_n} / {r.sql_ms:.1f} | {r.api_t.p50:.1f} / {r.api_t.p95:.1f}{mark[r.api_via]} "
            f"| {r.api_t.p50 / r.backend_t.p50:.1f}× |")
    out += ["", "Queries: " + "; ".join(
        f"{c.name} `{'&'.join(f'{k}={v}' for k, v in c.params.items()) or '(empty)'}`" + ("" if c.facets else " (backend without facets)")
        for c in CASES) + ". Every page and API call computes facets."]
    if any(r.page_via == "service" or r.api_via == "service" for r in res.rows):
        out.append("† the HTTP endpoint failed; the figure is `portal.services.search.search_profiles` alone.")
    if res.generated:
        out.append("Data generation (bulk insert): " + ", ".join(f"{n:,}: {s:.1f} s" for n, s in res.generated.items()))
    for note in res.notes:
        out.append(f"- {note}")
    return "\n".join(out)


def summary(res: Results, sizes: list[int]) -> str:
    size = TARGET_SIZE if TARGET_SIZE in sizes else max(sizes)
    parts = []
    emb = [r for r in res.index if r.backend == "embedded" and r.size == size]
    if emb:
        secs = emb[0].seconds * (TARGET_SIZE / size)
        ok = secs < TARGET_REINDEX_S
        parts.append(f"reindex 100k < {TARGET_REINDEX_S:.0f} s: {'MET' if ok else 'MISSED'} "
                     f"({emb[0].seconds:.1f} s for {size:,}{'' if size == TARGET_SIZE else ', scaled'})")
    rows = [r for r in res.rows if r.backend == "embedded" and r.size == size]
    if rows:
        worst = max(rows, key=lambda r: r.backend_t.p95)
        parts.append(f"embedded p95 < {TARGET_BACKEND_P95:.0f} ms at {size:,}: "
                     f"{'MET' if worst.backend_t.p95 < TARGET_BACKEND_P95 else 'MISSED'} "
                     f"(worst {worst.case} {worst.backend_t.p95:.2f} ms)")
        worst = max(rows, key=lambda r: r.page_t.p95)
        via = "" if worst.page_via == "http" else " [service only, page failed]"
        parts.append(f"page p95 < {TARGET_PAGE_P95:.0f} ms at {size:,}: "
                     f"{'MET' if worst.page_t.p95 < TARGET_PAGE_P95 else 'MISSED'} "
                     f"(worst {worst.case} {worst.page_t.p95:.1f} ms{via})")
    return "Targets: " + "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated numbers of profiles (default 10000,100000)")
    parser.add_argument("--runs", type=int, default=200, help="measured runs per query and path")
    parser.add_argument("--osmem", action="store_true", help="also measure Elasticsearch on a local osmem-server")
    parser.add_argument("--keep", metavar="DIR", help="keep (and reuse) databases and indexes in DIR/n<size>/")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    res = Results()
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        elastic: list[tuple[str, str, object]] = []
        if os.environ.get("ELASTICSEARCH_URL"):
            elastic.append(("elastic", os.environ["ELASTICSEARCH_URL"], None))
        if args.osmem:
            url = stack.enter_context(start_osmem())
            elastic.append(("osmem", url, _plain_json_node_class()))
        for size in sizes:
            bench_size(size, args, res, elastic)
    print(report(res, sizes, args.runs))
    print()
    print(summary(res, sizes))
    print(f"(whole run {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
