"""Demo content for a new database: ~50 practitioners, 8 clients, requests with
offers and reviews. Deterministic (seeded); every account's password is
DEMO_PASSWORD. Needs the reference data (``ensure_reference_data``) first."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from portal.extensions import db
from portal.models.accounts import utcnow
from portal.models.catalog import Category, Region
from portal.models.practitioners import PractitionerProfile, ProfileStatus
from portal.models.requests import Offer, OfferStatus, PriceKind, RequestStatus, ServiceRequest
from portal.models.reviews import NEGATIVE_RATING_MAX, Review, ReviewStatus
from portal.services.agreement import accept_agreement, current_agreement

SEED = 2026
DEMO_PASSWORD = "Demo-pass-1"
EMAIL_DOMAIN = "demo.alemtrust.kz"

KK_MALE = ("Ерлан", "Нұрлан", "Данияр", "Асхат", "Бауыржан", "Ержан", "Мұрат", "Талғат", "Арман", "Дәурен",
           "Серік", "Ғалым", "Қайрат", "Айдос", "Жандос", "Олжас", "Әділет", "Руслан", "Тимур", "Нұрболат")
KK_FEMALE = ("Айгерім", "Гүлнар", "Динара", "Әсел", "Жанар", "Мәдина", "Салтанат", "Айнұр", "Ботагөз",
             "Ләззат", "Меруерт", "Гүлмира", "Назерке", "Жұлдыз", "Аружан", "Камила")
KK_SURNAMES = ("Жұмабеков", "Сапаров", "Нұрланов", "Серікбаев", "Әбдірахманов", "Тоқтаров", "Қасымов",
               "Омаров", "Ахметов", "Исабеков", "Оспанов", "Төлеуов", "Мұқанов", "Байжанов", "Ержанов",
               "Есенов", "Құдайбергенов", "Сейітов", "Жақсылықов", "Бекмұхамбетов")
RU_MALE = ("Андрей", "Сергей", "Дмитрий", "Алексей", "Виктор", "Игорь", "Павел", "Максим")
RU_FEMALE = ("Ольга", "Елена", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Юлия")
RU_SURNAMES = ("Иванов", "Ким", "Петренко", "Соколов", "Козлов", "Пак", "Шевченко", "Морозов", "Волков",
               "Цой", "Лебедев", "Новиков")
TRANSLIT = dict(zip("абвгдезиклмнопрстуфыэ", "abvgdeziklmnoprstufye")) | {
    "ё": "e", "ж": "zh", "й": "i", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": "",
    "ю": "yu", "я": "ya", "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
    "і": "i"}

# category -> (number of profiles, statuses of the non-public ones; the rest are approved)
PLAN = {"advocate": (15, ("submitted", "revoked")), "notary": (10, ("draft",)),
        "consultant": (11, ("submitted",)), "expert": (7, ("draft",)), "bailiff": (7, ())}
CITY_SLOTS = {"KZ-75": 13, "KZ-71": 12, "KZ-79": 8}  # plus one slot for each of the 17 oblasts = 50
CLIENT_REGIONS = ("KZ-75", "KZ-75", "KZ-71", "KZ-71", "KZ-79", "KZ-35", "KZ-23", "KZ-55")
MOBILE_PREFIXES = ("700", "701", "702", "705", "707", "708", "747", "751", "760", "771", "775", "776",
                   "777", "778")
LANGUAGES_KK = ("kk,ru",) * 5 + ("kk,ru,en",) * 2 + ("kk",)
LANGUAGES_RU = ("ru",) * 3 + ("kk,ru",) * 2 + ("ru,en",)
LICENSOR = "Министерство юстиции РК"
CHAMBERS = {
    "notary": ("Нотариальная палата {gen}",),
    "advocate": ("Коллегия адвокатов {gen}",),
    "bailiff": ("Региональная палата частных судебных исполнителей {gen}",),
    "expert": ("Палата судебных экспертов Республики Казахстан",),
    "consultant": ("Палата юридических консультантов «Kazakhstan Bar Association»",
                   "Палата юридических консультантов «Сообщество юристов Казахстана»"),
}
CHAMBER_OVERRIDES = {("advocate", "KZ-75"): "Алматинская городская коллегия адвокатов"}
CITY_GENITIVE = {"KZ-75": "города Алматы", "KZ-71": "города Астаны", "KZ-79": "города Шымкента"}
PRICE_RANGE = {"notary": (5, 30), "bailiff": (10, 50), "expert": (40, 150), "advocate": (20, 150),
               "consultant": (10, 80)}  # thousands of KZT
UNIVERSITIES = (
    ("Казахский национальный университет имени аль-Фараби", "Әл-Фараби атындағы Қазақ ұлттық университеті"),
    ("Евразийский национальный университет имени Л. Н. Гумилёва",
     "Л. Н. Гумилев атындағы Еуразия ұлттық университеті"),
    ("Университет КАЗГЮУ имени М. С. Нарикбаева", "М. С. Нарикбаев атындағы KAZGUU университеті"),
    ("Карагандинский университет имени академика Е. А. Букетова",
     "Академик Е. А. Бөкетов атындағы Қарағанды университеті"),
    ("Южно-Казахстанский университет имени М. Ауэзова", "М. Әуезов атындағы Оңтүстік Қазақстан университеті"),
)
LAW_DEGREE = ("юриспруденция", "құқықтану")
EXPERT_DEGREES = {"forensic-accounting": ("учёт и аудит", "есеп және аудит"),
                  "construction": ("строительство", "құрылыс"), "valuation": ("оценка", "бағалау"),
                  "auto-technical": ("транспорт, транспортная техника и технологии",
                                     "көлік, көлік техникасы және технологиялары"),
                  "psychological": ("психология", "психология"), "linguistic": ("филология", "филология")}

ROLE_RU = {"notary": "частным нотариусом", "bailiff": "частным судебным исполнителем",
           "expert": "судебным экспертом", "advocate": "адвокатом", "consultant": "юридическим консультантом"}
ROLE_KK = {"notary": "жеке нотариус", "bailiff": "жеке сот орындаушысы", "expert": "сот сарапшысы",
           "advocate": "адвокат", "consultant": "заң кеңесшісі"}
OPENERS_RU = ("Работаю {role} {exp} {years}.", "Стаж работы {role} — {exp} {years}.")
OPENERS_KK = ("{exp} жылдан бері {role} болып жұмыс істеймін.",
              "{role_cap} ретіндегі жұмыс өтілім — {exp} жыл.")
FOCUS_RU = ("Основные направления: {specs}.", "Чаще всего помогаю по вопросам: {specs}.")
FOCUS_KK = ("Негізгі бағыттарым: {specs}.", "Көбінесе мына мәселелер бойынша көмектесемін: {specs}.")
CLOSERS = (  # (ru, kk), chosen together so both texts say the same
    ("Принимаю в офисе в городе {city} по предварительной записи.",
     "{city_kk} қаласындағы кеңседе алдын ала жазылу арқылы қабылдаймын."),
    ("Всегда заранее объясняю порядок действий, сроки и стоимость.",
     "Іс-әрекеттер тәртібін, мерзімі мен құнын әрқашан алдын ала түсіндіремін."),
    ("Отвечаю на обращения в течение рабочего дня, документы можно прислать онлайн.",
     "Өтініштерге жұмыс күні ішінде жауап беремін, құжаттарды онлайн жіберуге болады."),
    ("Помогаю подготовить документы так, чтобы не пришлось приходить повторно.",
     "Құжаттарды қайта келудің қажеті болмайтындай етіп дайындауға көмектесемін."),
    ("Работаю с физическими и юридическими лицами, в том числе с иностранцами.",
     "Жеке және заңды тұлғалармен, соның ішінде шетел азаматтарымен жұмыс істеймін."),
)

# (category, specialization, language, title, description, budget in KZT)
REQUESTS = (
    ("advocate", "criminal-defence", "ru", "Нужен адвокат по делу о ДТП",
     "Сына вызвали к следователю как подозреваемого по делу о ДТП с пострадавшим. Нужен адвокат для "
     "участия в допросе и дальнейшей защиты.", 300_000),
    ("advocate", "family", "ru", "Развод и раздел имущества",
     "Супруг не согласен на развод, есть общая квартира и автомобиль, двое детей. Нужна помощь с иском "
     "о расторжении брака и разделе имущества.", 250_000),
    ("advocate", "labour-disputes", "kk", "Жұмыстан заңсыз шығару",
     "Мені ескертусіз жұмыстан шығарды, соңғы екі айдың жалақысы төленбеді. Жұмысқа қайта алу және "
     "жалақыны өндіру туралы талап арыз беруге көмек керек.", 150_000),
    ("advocate", "civil-disputes", "ru", "Взыскание долга по расписке",
     "Знакомый занял 2 000 000 тенге по расписке и уже год не возвращает. Нужно подготовить иск и "
     "представлять мои интересы в суде.", 120_000),
    ("advocate", "land-disputes", "kk", "Жер учаскесі бойынша дау",
     "Көршім учаске шекарасын өзгертіп, қоршауды біздің жерге қойды. Сотта мүддемді білдіретін адвокат "
     "іздеймін.", 200_000),
    ("advocate", "administrative", "ru", "Обжалование административного штрафа",
     "Получил штраф за нарушение, которого не совершал. Нужна помощь с жалобой и при необходимости "
     "представительство в суде.", 60_000),
    ("notary", "inheritance", "ru", "Оформление наследства после смерти отца",
     "Отец оставил квартиру и дачу, завещания нет, наследников трое. Нужно открыть наследственное дело "
     "и узнать, какие документы собрать.", 50_000),
    ("notary", "real-estate", "kk", "Пәтер сатып алу шартын куәландыру",
     "Екінші нарықтан пәтер сатып аламыз. Сатып алу-сату шартын куәландыру және құжаттарды тексеру "
     "қажет.", 40_000),
    ("notary", "power-of-attorney", "ru", "Доверенность на продажу автомобиля",
     "Нужно оформить доверенность на брата на продажу моего автомобиля с правом получения денег.", 10_000),
    ("notary", "marriage-contract", "ru", "Брачный договор перед покупкой квартиры",
     "Планируем брачный договор перед покупкой квартиры в ипотеку. Нужна консультация и удостоверение "
     "договора.", 45_000),
    ("notary", "travel-consent", "kk", "Баланың шетелге шығуына келісім",
     "Балам әжесімен Түркияға демалысқа барады. Ата-аналардың келісімін ресімдеу керек.", 8_000),
    ("consultant", "business-registration", "ru", "Регистрация ТОО и устав",
     "Открываем ТОО с двумя учредителями. Нужна помощь с уставом, учредительным договором и регистрацией "
     "через eGov.", 70_000),
    ("consultant", "contracts", "ru", "Проверка договора поставки",
     "Поставщик прислал свой договор поставки на 40 страниц. Нужно оценить риски и подготовить протокол "
     "разногласий.", 60_000),
    ("consultant", "intellectual-property", "kk", "Тауар белгісін тіркеу",
     "Кофеханамыздың атауы мен логотипін тауар белгісі ретінде тіркегіміз келеді. Өтінімді дайындауға "
     "көмек керек.", 120_000),
    ("consultant", "tax", "ru", "Консультация по налогам для ИП",
     "Я ИП на упрощённой декларации, доход растёт. Нужно понять, когда переходить на другой режим и как "
     "вести учёт.", 30_000),
    ("consultant", "employer-labour-law", "ru", "Трудовые договоры для кафе",
     "Открываем кафе на 12 сотрудников. Нужны трудовые договоры, правила внутреннего распорядка и "
     "консультация по сменному графику.", 90_000),
    ("consultant", "corporate", "kk", "Серіктестіктегі үлесті сату",
     "ЖШС-дағы үлесімді басқа қатысушыға сатқым келеді. Шарт пен құжаттарды дайындауға көмек керек.", 80_000),
    ("expert", "valuation", "ru", "Оценка ущерба после затопления",
     "Соседи сверху затопили квартиру: пострадали потолок, ламинат и мебель. Нужна оценка ущерба для "
     "претензии и суда.", 60_000),
    ("expert", "handwriting", "kk", "Қолтаңбаны тексеру",
     "Тілхаттағы қолтаңба менікі емес. Сотқа ұсыну үшін қолтаңбатану сараптамасы қажет.", 100_000),
    ("expert", "auto-technical", "ru", "Автотехническая экспертиза после ДТП",
     "Страховая считает виновником ДТП меня. Нужна независимая экспертиза механизма столкновения.", 150_000),
    ("expert", "construction", "ru", "Проверка качества строительства дома",
     "Подрядчик построил дом с трещинами в фундаменте и отказывается их устранять. Нужна "
     "строительно-техническая экспертиза.", 200_000),
)
REQUEST_STATUSES = ((RequestStatus.COMPLETED,) * 13 + (RequestStatus.IN_PROGRESS,) * 3
                    + (RequestStatus.OPEN,) * 5)
OFFER_MESSAGES = {
    "ru": ("Здравствуйте! Могу взяться за ваш вопрос, срок — {days} дн. В стоимость входит подготовка всех "
           "документов.",
           "Добрый день! Похожие дела веду регулярно. Предлагаю начать с консультации, затем согласуем план.",
           "Здравствуйте! Могу начать на этой неделе. Пришлите, пожалуйста, копии документов, которые "
           "у вас есть."),
    "kk": ("Сәлеметсіз бе! Мәселеңізді шешуге көмектесе аламын, мерзімі — {days} күн. Бағаға барлық "
           "құжаттарды дайындау кіреді.",
           "Қайырлы күн! Мұндай істермен жиі жұмыс істеймін. Алдымен кеңесейік, кейін жоспарды келісеміз.",
           "Сәлеметсіз бе! Осы аптада бастай аламын. Қолыңыздағы құжаттардың көшірмелерін жіберіңізші."),
}
RATINGS = (5, 4, 5, 5, 3, 4, 5, 2, 5, 4, 3)  # one per reviewed request, in order
COMMENTS = {
    "ru": {5: ("Всё сделали быстро и понятно объяснили. Рекомендую!", "Очень внимательный специалист, "
               "результатом довольны.", "Отличная работа: всё в срок и без лишних трат."),
           4: ("Хороший результат, но пару раз пришлось напоминать о сроках.",
               "Грамотная консультация, цена соответствует качеству."),
           3: ("В целом помогли, но сроки затянулись на две недели.",),
           2: ("Ответы приходили с большой задержкой, документы пришлось переделывать.",)},
    "kk": {5: ("Бәрін тез әрі түсінікті етіп жасады. Ұсынамын!", "Өте ұқыпты маман, нәтижеге ризамыз."),
           4: ("Нәтиже жақсы, бірақ мерзім туралы бірнеше рет еске салуға тура келді.",),
           3: ("Жалпы көмектесті, бірақ мерзім екі аптаға созылды.",),
           2: ("Жауаптар өте кеш келді, құжаттарды қайта жасауға тура келді.",)},
}
REPLIES = {
    "ru": ("Спасибо за доверие! Обращайтесь.", "Благодарю за отзыв. Задержка была связана с ответом "
           "госоргана, но вы правы: об этом нужно было предупредить заранее."),
    "kk": ("Сенім артқаныңызға рахмет! Әрқашан көмектесуге дайынмын.", "Пікіріңізге рахмет. Кешігу "
           "мемлекеттік органның жауабына байланысты болды, бірақ алдын ала ескертуім керек еді."),
}


def _ascii(text: str) -> str:
    return "".join(TRANSLIT.get(c, c) for c in text.lower())


def _years_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    return "года" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "лет"


def _genitive(region: Region) -> str:
    if region.code in CITY_GENITIVE:
        return CITY_GENITIVE[region.code]
    if region.name_ru.startswith("Область "):
        return "области " + region.name_ru.split(" ", 1)[1]
    return region.name_ru.replace("ская область", "ской области")


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

    def user(self, region: Region, practitioner: bool, email: str | None = None):
        first, last, email, kazakh = self.person(email)
        password = {"hashed_password": self.hashed} if self.hashed else {"password": DEMO_PASSWORD}
        user = self.sm.add_user(username=email, first_name=first, last_name=last, email=email,
                                role=self.client_role, commit=False, **password)
        if not user:
            raise RuntimeError(f"Could not create demo user {email}")
        self.hashed = user.password  # hash the shared demo password only once
        if practitioner:
            user.roles = [self.client_role, self.practitioner_role]
        user.phone, user.region_id = self.phone(), region.id
        user.locale = "kk" if kazakh and self.rng.random() < 0.6 else "ru"
        accept_agreement(user, self.agreement, "127.0.0.1", "demo-seed")
        return user, kazakh

    def profile(self, category: Category, status: str, region: Region, regions: list[Region]):
        rng, code = self.rng, category.code
        user, kazakh = self.user(region, practitioner=True)
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
        profile = PractitionerProfile(
            user=user, category=category, status=status, city=region.centre_ru,
            regions=[region] + extra, specializations=specs,
            languages=rng.choice(LANGUAGES_KK if kazakh else LANGUAGES_RU), experience_years=exp,
            licence_number=licence, licence_date=licence_date, licensor=LICENSOR,
            chamber=CHAMBER_OVERRIDES.get((code, region.code))
            or rng.choice(CHAMBERS[code]).format(gen=_genitive(region)),
            membership_id=str(rng.randint(100, 4999)),
            education_ru=f"{uni[0]}, {degree[0]} ({graduated})",
            education_kk=f"{uni[1]}, {degree[1]} ({graduated})",
            about_ru=about_ru, about_kk=about_kk, price_from=rng.randint(low, high) * 1000,
            online_consultation=rng.random() < 0.6,
            verified_since=(self.now - dt.timedelta(days=rng.randint(10, 400))
                            if status == ProfileStatus.APPROVED else None),
        )
        db.session.add(profile)
        return profile

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
        local = [p for p in approved[cat_code] if client.region in p.regions]
        others = [p for p in approved[cat_code] if p not in local]
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
        created = min(self.now, request.created_at + dt.timedelta(days=rng.randint(7, 25)))
        review = Review(request=request, client=request.client, profile=profile, rating=rating,
                        comment=rng.choice(COMMENTS[lang][rating]), status=ReviewStatus.PUBLISHED,
                        created_at=created, updated_at=created)
        if rating <= 3 or rng.random() < 0.35:
            review.reply = REPLIES[lang][rating <= 3]
            review.reply_at = min(self.now, created + dt.timedelta(days=rng.randint(1, 5)))
        db.session.add(review)
        return review


def load_demo_data(sm) -> dict:
    """Fill a new database with demo users, profiles, requests, offers and
    reviews in one transaction; returns what was created."""
    try:
        seeder, counts = _Seeder(sm), {}
        rng = seeder.rng
        regions = list(db.session.scalars(select(Region).order_by(Region.sort_order)))
        by_code = {r.code: r for r in regions}
        categories = {c.code: c for c in db.session.scalars(select(Category))}

        slots = [(code, status) for code, (n, others) in PLAN.items()
                 for status in others + (ProfileStatus.APPROVED,) * (n - len(others))]
        region_slots = [r for r in regions if r.code not in CITY_SLOTS]
        region_slots += [by_code[code] for code, n in CITY_SLOTS.items() for _ in range(n)]
        rng.shuffle(slots)
        rng.shuffle(region_slots)
        profiles = [seeder.profile(categories[code], status, region, regions)
                    for (code, status), region in zip(slots, region_slots)]
        for p in profiles:  # when each application reached the moderators
            if p.status != ProfileStatus.DRAFT:
                p.submitted_at = ((p.verified_since or seeder.now) - dt.timedelta(days=rng.randint(3, 30)))

        clients = [seeder.user(by_code[code], practitioner=False,
                               email=f"client@{EMAIL_DOMAIN}" if i == 0 else None)[0]
                   for i, code in enumerate(CLIENT_REGIONS)]
        db.session.flush()
        # Known practitioner logins: two approved advocates serving the demo client's region.
        local_advocates = [p for p in profiles if p.category.code == "advocate"
                           and p.status == ProfileStatus.APPROVED and clients[0].region in p.regions]
        for login, profile in zip(("practitioner", "practitioner2"), local_advocates):
            profile.user.email = profile.user.username = f"{login}@{EMAIL_DOMAIN}"

        approved = {code: [p for p in profiles
                           if p.category.code == code and p.status == ProfileStatus.APPROVED]
                    for code in categories}
        statuses = list(REQUEST_STATUSES)
        rng.shuffle(statuses)
        requests = [seeder.request(t, s, clients, approved) for t, s in zip(REQUESTS, statuses)]
        # The demo advocates' feeds: every advocate specialization and the regions of the
        # open advocate requests, so logging in as practitioner@ shows requests to answer.
        open_regions = [r.region for r, _, _ in requests
                        if r.status == RequestStatus.OPEN and r.category.code == "advocate"]
        for profile in local_advocates[:2]:
            profile.specializations = list(categories["advocate"].specializations)
            profile.regions = profile.regions + [g for g in dict.fromkeys(open_regions)
                                                 if g not in profile.regions]
        completed = [(r, p, lang) for r, p, lang in requests if r.status == RequestStatus.COMPLETED]
        reviews = [seeder.review(r, p, lang, rating) for (r, p, lang), rating in zip(completed, RATINGS)]
        db.session.flush()

        for profile in profiles:
            ratings = [r.rating for r in reviews
                       if r.profile is profile and r.status == ReviewStatus.PUBLISHED]
            profile.reviews_count = len(ratings)
            profile.rating_avg = round(sum(ratings) / len(ratings), 2) if ratings else 0.0
            profile.negative_reviews_count = sum(1 for x in ratings if x <= NEGATIVE_RATING_MAX)
            if profile.negative_reviews_count >= 3:  # agreement 6.6, as services.reviews does
                profile.flagged_at, profile.flag_reason = seeder.now, "negative_reviews"
        counts = {
            "practitioners": len(profiles),
            "approved": len([p for p in profiles if p.status == ProfileStatus.APPROVED]),
            "clients": len(clients),
            "requests": len(requests),
            "offers": sum(len(r.offers) for r, _, _ in requests),
            "reviews": len(reviews),
        }
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts
