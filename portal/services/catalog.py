"""Reference data the portal always needs (also in production): the 20 regions,
the five practitioner categories with their specializations, the user
agreement v1 and v2 and the agreement quiz bank (content/quiz_bank.py). ``ensure_reference_data`` inserts only what is missing, so admins'
later edits are never overwritten."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import select

from portal.core.extensions import db
from portal.models.agreement import AgreementVersion
from portal.models.catalog import Category, Chamber, City, Licensor, Region, Specialization
from portal.models.practitioners import QuizOption, QuizQuestion
from portal.search import concepts as search_concepts

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

# (code, name_kk, name_ru, name_en, centre_kk, centre_ru); sort_order follows this order:
# the three cities first, then the oblasts alphabetically by their Russian name. Pages list
# them by name in their own language instead (profiles.regions), the cities first.
CITY_REGIONS = ("KZ-75", "KZ-71", "KZ-79")  # cities of republican significance
REGION_FIELDS = ("code", "name_kk", "name_ru", "name_en", "centre_kk", "centre_ru")
REGIONS = (
    ("KZ-75", "Алматы қаласы", "г. Алматы", "Almaty", "Алматы", "Алматы"),
    ("KZ-71", "Астана қаласы", "г. Астана", "Astana", "Астана", "Астана"),
    ("KZ-79", "Шымкент қаласы", "г. Шымкент", "Shymkent", "Шымкент", "Шымкент"),
    ("KZ-10", "Абай облысы", "Абайская область", "Abai Region", "Семей", "Семей"),
    ("KZ-11", "Ақмола облысы", "Акмолинская область", "Akmola Region", "Көкшетау", "Кокшетау"),
    ("KZ-15", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region", "Ақтөбе", "Актобе"),
    ("KZ-19", "Алматы облысы", "Алматинская область", "Almaty Region", "Қонаев", "Конаев"),
    ("KZ-23", "Атырау облысы", "Атырауская область", "Atyrau Region", "Атырау", "Атырау"),
    ("KZ-63", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область", "East Kazakhstan Region",
     "Өскемен", "Усть-Каменогорск"),
    ("KZ-31", "Жамбыл облысы", "Жамбылская область", "Jambyl Region", "Тараз", "Тараз"),
    ("KZ-33", "Жетісу облысы", "Область Жетісу", "Jetisu Region", "Талдықорған", "Талдыкорган"),
    ("KZ-27", "Батыс Қазақстан облысы", "Западно-Казахстанская область", "West Kazakhstan Region",
     "Орал", "Уральск"),
    ("KZ-35", "Қарағанды облысы", "Карагандинская область", "Karaganda Region", "Қарағанды", "Караганда"),
    ("KZ-39", "Қостанай облысы", "Костанайская область", "Kostanay Region", "Қостанай", "Костанай"),
    ("KZ-43", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region", "Қызылорда", "Кызылорда"),
    ("KZ-47", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region", "Ақтау", "Актау"),
    ("KZ-55", "Павлодар облысы", "Павлодарская область", "Pavlodar Region", "Павлодар", "Павлодар"),
    ("KZ-59", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область", "North Kazakhstan Region",
     "Петропавл", "Петропавловск"),
    ("KZ-61", "Түркістан облысы", "Туркестанская область", "Turkistan Region", "Түркістан", "Туркестан"),
    ("KZ-62", "Ұлытау облысы", "Область Ұлытау", "Ulytau Region", "Жезқазған", "Жезказган"),
)

CATEGORY_FIELDS = ("code", "name_kk", "name_ru", "name_en", "description_kk", "description_ru",
                   "description_en", "regulator_kk", "regulator_ru", "icon", "takes_requests")
CATEGORIES = (
    ("notary", "Жеке нотариус", "Частный нотариус", "Private notary",
     "Мәмілелерді, сенімхаттар мен келісімдерді куәландырады, мұраны ресімдейді және құжат "
     "көшірмелері мен аудармалардың дұрыстығын куәландырады. Нотариаттық қызмет кәсіпкерлік болып "
     "табылмайды.",
     "Удостоверяет сделки, доверенности и согласия, оформляет наследство и свидетельствует верность "
     "копий и переводов. Нотариальная деятельность не является предпринимательской.",
     "Certifies transactions, powers of attorney and consents, handles inheritance and certifies "
     "copies and translations. Notarial activity is not a business activity.",
     "Аумақтық нотариаттық палаталар, Республикалық нотариаттық палата",
     "Территориальные нотариальные палаты, Республиканская нотариальная палата",
     "fa-stamp", True),
    ("bailiff", "Жеке сот орындаушысы", "Частный судебный исполнитель", "Private bailiff",
     "Сот актілерін және өзге де атқарушылық құжаттарды орындайды: қарыздар мен алименттерді өндіреді, "
     "мүлікке тыйым салады. Атқарушылық құжаттарды жеке сот орындаушылары арасында мемлекеттік жүйе бөледі.",
     "Исполняет судебные акты и другие исполнительные документы: взыскивает долги и алименты, "
     "арестовывает имущество. Исполнительные документы распределяет между ЧСИ государственная система.",
     "Enforces court decisions and other enforcement documents: recovers debts and alimony and seizes "
     "property. Enforcement documents are distributed among private bailiffs by a state system.",
     "Жеке сот орындаушыларының республикалық палатасы",
     "Республиканская палата частных судебных исполнителей",
     "fa-gavel", False),
    ("expert", "Жеке сот сарапшысы", "Частный судебный эксперт", "Private forensic expert",
     "Сот немесе қылмыстық қудалау органы тағайындауы бойынша не тараптардың өтініші бойынша сот "
     "сараптамаларын жүргізеді. Біліктілік куәлігі бар және Сот сарапшыларының мемлекеттік тізіліміне "
     "енгізілген.",
     "Проводит судебные экспертизы по назначению суда или органа уголовного преследования либо по "
     "ходатайству сторон. Имеет квалификационное свидетельство и включён в Государственный реестр "
     "судебных экспертов.",
     "Performs forensic examinations ordered by a court or an investigating authority or requested by "
     "the parties. Holds a qualification certificate and is listed in the State Register of Forensic "
     "Experts.",
     "Біліктілік куәлігі, Сот сарапшыларының мемлекеттік тізілімі",
     "Квалификационное свидетельство, Государственный реестр судебных экспертов",
     "fa-magnifying-glass", True),
    ("advocate", "Адвокат", "Адвокат", "Advocate",
     "Білікті заң көмегін көрсетеді, қылмыстық, азаматтық және әкімшілік істер бойынша сотта "
     "мүдделерді білдіреді және қорғайды. Аумақтық адвокаттар алқасының мүшесі болуға міндетті.",
     "Оказывает квалифицированную юридическую помощь, представляет интересы и защищает в суде по "
     "уголовным, гражданским и административным делам. Обязательно состоит в коллегии адвокатов.",
     "Provides qualified legal assistance and represents and defends clients in criminal, civil and "
     "administrative cases. Must be a member of a regional collegium of advocates.",
     "Аумақтық адвокаттар алқалары, Республикалық адвокаттар алқасы",
     "Территориальные коллегии адвокатов, Республиканская коллегия адвокатов",
     "fa-scale-balanced", True),
    ("consultant", "Заң консультанты", "Юридический консультант", "Legal consultant",
     "Азаматтар мен компанияларға кеңес береді, шарттар мен құжаттар жасайды, сотта мүдделерді "
     "білдіреді. Заң консультанттары палаталарының біріне мүше болып табылады.",
     "Консультирует граждан и компании, составляет договоры и документы, представляет интересы в суде. "
     "Состоит в одной из палат юридических консультантов.",
     "Advises individuals and companies, drafts contracts and documents and represents clients in court. "
     "Is a member of one of the chambers of legal consultants.",
     "Заң консультанттары палаталары",
     "Палаты юридических консультантов",
     "fa-briefcase", True),
)
# Categories whose clients book a time from the price list (notarial acts at the state tariff, a
# consultation): set on new rows only; staff switch it per category (Category.takes_bookings).
TAKES_BOOKINGS = frozenset({"notary", "consultant"})
# Category texts of an earlier release, reworded to follow docs/glossary.md (issue 18). A stored value
# that still equals its earlier text gets the current one (reword_earlier_texts); an admin's edit stays.
EARLIER_CATEGORY_TEXTS = {
    ("consultant", "name_kk"): "Заң кеңесшісі",
    ("consultant", "description_kk"):
        "Азаматтар мен компанияларға кеңес береді, шарттар мен құжаттар жасайды, сотта мүдделерді "
        "білдіреді. Заң консультанттары палаталарының біріне мүше.",
    ("consultant", "regulator_kk"): "Заң консультанттарының палаталары",
}

# category code -> ((code, name_kk, name_ru, name_en), ...)
SPECIALIZATION_FIELDS = ("code", "name_kk", "name_ru", "name_en")
SPECIALIZATIONS = {
    "notary": (
        ("inheritance", "Мұрагерлік істер", "Наследственные дела", "Inheritance"),
        ("real-estate", "Жылжымайтын мүлік мәмілелері", "Сделки с недвижимостью", "Real-estate transactions"),
        ("power-of-attorney", "Сенімхаттар", "Доверенности", "Powers of attorney"),
        ("marriage-contract", "Неке шарттары", "Брачные договоры", "Marriage contracts"),
        ("copies-translations", "Көшірмелер мен аудармаларды куәландыру",
         "Свидетельствование копий и переводов", "Certification of copies and translations"),
        ("executive-inscription", "Атқарушылық жазбалар", "Исполнительные надписи", "Executive inscriptions"),
        ("travel-consent", "Баланың шетелге шығуына келісім", "Согласие на выезд ребёнка за границу",
         "Consent for a child's travel abroad"),
    ),
    "bailiff": (
        ("alimony", "Алимент өндіру", "Взыскание алиментов", "Alimony collection"),
        ("debt-individuals", "Жеке тұлғалардан қарыз өндіру", "Взыскание долгов с физических лиц",
         "Debt recovery from individuals"),
        ("debt-companies", "Заңды тұлғалардан қарыз өндіру", "Взыскание долгов с юридических лиц",
         "Debt recovery from companies"),
        ("seizure", "Мүлікке тыйым салу", "Арест имущества", "Seizure of property"),
        ("court-decisions", "Сот шешімдерін орындау", "Исполнение судебных решений",
         "Enforcement of court decisions"),
        ("eviction", "Тұрғын үйден шығару", "Выселение", "Eviction"),
    ),
    "expert": (
        ("forensic-accounting", "Сот-бухгалтерлік сараптама", "Судебно-бухгалтерская экспертиза",
         "Forensic accounting"),
        ("construction", "Құрылыс-техникалық сараптама", "Строительно-техническая экспертиза",
         "Construction and technical examination"),
        ("handwriting", "Қолтаңбатану сараптамасы", "Почерковедческая экспертиза", "Handwriting examination"),
        ("auto-technical", "Автотехникалық сараптама", "Автотехническая экспертиза",
         "Vehicle and road accident examination"),
        ("valuation", "Мүлікті бағалау", "Оценка имущества", "Property valuation"),
        ("psychological", "Психологиялық сараптама", "Психологическая экспертиза",
         "Psychological examination"),
        ("linguistic", "Лингвистикалық сараптама", "Лингвистическая экспертиза", "Linguistic examination"),
    ),
    "advocate": (
        ("criminal-defence", "Қылмыстық істер бойынша қорғау", "Защита по уголовным делам",
         "Criminal defence"),
        ("civil-disputes", "Азаматтық даулар", "Гражданские споры", "Civil disputes"),
        ("family", "Отбасылық даулар және ажырасу", "Семейные споры и развод", "Family disputes and divorce"),
        ("labour-disputes", "Еңбек даулары", "Трудовые споры", "Labour disputes"),
        ("administrative", "Әкімшілік істер", "Административные дела", "Administrative cases"),
        ("economic-disputes", "Экономикалық және арбитраждық даулар", "Экономические и арбитражные споры",
         "Economic and arbitration disputes"),
        ("land-disputes", "Жер даулары", "Земельные споры", "Land disputes"),
    ),
    "consultant": (
        ("corporate", "Корпоративтік құқық", "Корпоративное право", "Corporate law"),
        ("contracts", "Шарттарды жасау және сараптау", "Составление и экспертиза договоров",
         "Drafting and review of contracts"),
        ("tax", "Салықтық кеңес беру", "Налоговое консультирование", "Tax consulting"),
        ("business-registration", "Бизнесті тіркеу", "Регистрация бизнеса", "Business registration"),
        ("intellectual-property", "Зияткерлік меншік", "Интеллектуальная собственность",
         "Intellectual property"),
        ("employer-labour-law", "Жұмыс берушілерге арналған еңбек құқығы", "Трудовое право для работодателей",
         "Labour law for employers"),
    ),
}

AGREEMENT_V1 = dict(version=1, title_ru="Пользовательское соглашение", title_kk="Пайдаланушы келісімі",
                    title_en="User agreement", text_kk="", effective_from=dt.date(2026, 1, 1))
AGREEMENT_V1_FILE = CONTENT_DIR / "agreement_v1_ru.txt"
# Version 2: the same obligations, the Russian text cleaned of copy residue, a Kazakh translation and an
# English courtesy translation (docs/agreement-v1-v2.md lists every change). In force from its date, so
# every user, new or existing, accepts it at the gate; the support contacts are filled in when shown.
AGREEMENT_V2 = dict(version=2, title_ru="Пользовательское соглашение", title_kk="Пайдаланушы келісімі",
                    title_en="User agreement", effective_from=dt.date(2026, 12, 7))


def agreement_v2_text(lang: str) -> str:
    return (CONTENT_DIR / f"agreement_v2_{lang}.txt").read_text(encoding="utf-8")


def missing_quiz_questions() -> list[QuizQuestion]:
    """New rows for the questions of content/quiz_bank.py whose ``code`` is not
    in the database. Existing questions (and their options) are left exactly
    as the admins made them, even when the bank file says otherwise."""
    from portal.content.quiz_bank import QUESTIONS

    present = set(db.session.scalars(select(QuizQuestion.code)))
    return [QuizQuestion(code=q.code, clause=q.clause, text_ru=q.ru, text_kk=q.kk, text_en=q.en,
                         active=True, sort_order=i,
                         options=[QuizOption(text_ru=o.ru, text_kk=o.kk, text_en=o.en, is_correct=o.correct,
                                             sort_order=j) for j, o in enumerate(q.options, 1)])
            for i, q in enumerate(QUESTIONS, 1) if q.code not in present]


# --- the profile facts: cities, licensors, chambers (content/places.py) -----------------------------


def missing_places(new_regions: list[Region], categories: dict[str, Category]) -> list:
    """New rows for the cities, licensors and chambers of content/places.py whose code
    is not in the database (``new_regions``: regions about to be inserted with them)."""
    from portal.content import places

    regions = {r.code: r for r in db.session.scalars(select(Region))} | {r.code: r for r in new_regions}
    new: list = []
    present = set(db.session.scalars(select(City.code)))
    order = 0
    for region_code, rows in places.CITIES.items():
        for row in rows:
            order += 1
            if row[0] not in present and region_code in regions:
                new.append(City(**dict(zip(places.CITY_FIELDS, row)), region=regions[region_code],
                                sort_order=order))
    present = set(db.session.scalars(select(Licensor.code)))
    new += [Licensor(**dict(zip(places.LICENSOR_FIELDS, row)), sort_order=i)
            for i, row in enumerate(places.LICENSORS, 1) if row[0] not in present]
    present = set(db.session.scalars(select(Chamber.code)))
    for i, (code, category, region, kk, ru, en, _variants) in enumerate(places.chambers(), 1):
        if code not in present and category in categories and (region is None or region in regions):
            new.append(Chamber(code=code, category=categories[category],
                               region=regions[region] if region else None,
                               name_kk=kk, name_ru=ru, name_en=en, sort_order=i))
    return new


def fact_key(text: str | None) -> str:
    """How a city, licensor or chamber name is matched: case-, ё-, quote-, dot- and
    space-insensitive, without a leading "г."/"город"/"қ." or a trailing "қаласы"."""
    text = (text or "").casefold().replace("ё", "е")
    text = re.sub(r"[«»“”\"'`.,()]", " ", text)
    words = text.replace("-", " - ").split()
    while words and words[0] in ("г", "город", "гор", "қ", "қала", "city"):
        words = words[1:]
    while words and words[-1] in ("қаласы", "қ", "city", "г"):
        words = words[:-1]
    return " ".join(words).replace(" - ", "-")


class FactMatcher:
    """Maps free-text values onto the reference rows: ``city(text, regions)``,
    ``licensor(text)``, ``chamber(text, category_id)`` return a row or None."""

    def __init__(self):
        from portal.content import places

        self.cities: dict[str, list[City]] = {}
        self.centres: dict[int, City] = {}  # region id -> its first city (the regional centre)
        for city in db.session.scalars(select(City).order_by(City.sort_order)):
            self.centres.setdefault(city.region_id, city)
            for name in (city.name_kk, city.name_ru, city.name_en, *places.CITY_VARIANTS.get(city.code, ())):
                self._add(self.cities, name, city)
        self.licensors: dict[str, list[Licensor]] = {}
        for licensor in db.session.scalars(select(Licensor).order_by(Licensor.sort_order)):
            for name in (licensor.name_kk, licensor.name_ru, licensor.name_en,
                         *places.LICENSOR_VARIANTS.get(licensor.code, ())):
                self._add(self.licensors, name, licensor)
        variants = {row[0]: row[-1] for row in places.chambers()}
        self.chambers: dict[str, list[Chamber]] = {}
        for chamber in db.session.scalars(select(Chamber).order_by(Chamber.sort_order)):
            for name in (chamber.name_kk, chamber.name_ru, chamber.name_en, *variants.get(chamber.code, ())):
                self._add(self.chambers, name, chamber)

    @staticmethod
    def _add(index: dict, name: str, row) -> None:
        key = fact_key(name)
        if key and row not in index.setdefault(key, []):
            index[key].append(row)

    @staticmethod
    def _one(found: list, fits=None):
        if fits is not None and len(found) > 1:
            found = [row for row in found if fits(row)] or found
        return found[0] if len(found) == 1 else None

    def city(self, text: str, regions=()) -> City | None:
        region_ids = {r.id for r in regions}
        return self._one(self.cities.get(fact_key(text), []), lambda c: c.region_id in region_ids)

    def licensor(self, text: str) -> Licensor | None:
        return self._one(self.licensors.get(fact_key(text), []))

    def chamber(self, text: str, category_id: int | None) -> Chamber | None:
        found = [c for c in self.chambers.get(fact_key(text), []) if c.category_id == category_id]
        return self._one(found)


def reword_earlier_texts() -> int:
    """Give the stored category and quiz texts that are still exactly what an earlier release
    shipped the current wording (EARLIER_CATEGORY_TEXTS, quiz_bank.EARLIER_KK); a text an admin
    has edited never equals the earlier one and is left alone. Returns how many texts changed."""
    from portal.content.quiz_bank import EARLIER_KK, QUESTIONS

    changed = 0
    current = {row[0]: dict(zip(CATEGORY_FIELDS, row)) for row in CATEGORIES}
    codes = {code for code, _ in EARLIER_CATEGORY_TEXTS}
    stored = {c.code: c for c in db.session.scalars(select(Category).where(Category.code.in_(codes)))}
    for (code, field), earlier in EARLIER_CATEGORY_TEXTS.items():
        if code in stored and getattr(stored[code], field) == earlier:
            setattr(stored[code], field, current[code][field])
            changed += 1
    bank = {q.code: q for q in QUESTIONS}
    for question in db.session.scalars(select(QuizQuestion).where(QuizQuestion.code.in_(list(EARLIER_KK)))):
        earlier, shipped = EARLIER_KK[question.code], bank.get(question.code)
        if shipped is None:
            continue
        if 0 in earlier and question.text_kk == earlier[0]:
            question.text_kk = shipped.kk
            changed += 1
        options = {text: shipped.options[n - 1].kk for n, text in earlier.items() if n}
        for option in question.options:
            if option.text_kk in options:
                option.text_kk = options[option.text_kk]
                changed += 1
    return changed


def ensure_reference_data() -> bool:
    """Insert the missing regions, categories, specializations, agreement v1 and v2
    and quiz questions (matched by code / version), reword the texts an earlier release
    shipped (reword_earlier_texts) and commit. Returns True if anything was inserted or reworded."""
    new: list = []
    regions = set(db.session.scalars(select(Region.code)))
    new += [Region(**dict(zip(REGION_FIELDS, row)), sort_order=i)
            for i, row in enumerate(REGIONS, 1) if row[0] not in regions]
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    for i, row in enumerate(CATEGORIES, 1):
        if row[0] not in categories:
            categories[row[0]] = Category(**dict(zip(CATEGORY_FIELDS, row)), sort_order=i,
                                          takes_bookings=row[0] in TAKES_BOOKINGS)
            new.append(categories[row[0]])
    for cat_code, rows in SPECIALIZATIONS.items():
        category = categories[cat_code]
        present = {s.code for s in category.specializations}
        new += [Specialization(**dict(zip(SPECIALIZATION_FIELDS, row)), category=category, sort_order=i)
                for i, row in enumerate(rows, 1) if row[0] not in present]
    if db.session.scalar(select(AgreementVersion.id).where(AgreementVersion.version == 1)) is None:
        new.append(AgreementVersion(**AGREEMENT_V1, text_ru=AGREEMENT_V1_FILE.read_text(encoding="utf-8")))
    if db.session.scalar(select(AgreementVersion.id).where(AgreementVersion.version == 2)) is None:
        new.append(AgreementVersion(**AGREEMENT_V2, **{f"text_{lang}": agreement_v2_text(lang)
                                                       for lang in ("kk", "ru", "en")}))
    new += missing_quiz_questions()
    new += missing_places([r for r in new if isinstance(r, Region)], categories)
    new += search_concepts.missing_concepts()
    reworded = reword_earlier_texts()
    if new or reworded:
        db.session.add_all(new)
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return bool(new or reworded)
