"""Judged queries over bench/search_eval/fixture.py.

Each query lists the fixture profiles a person typing it wants to see, with a
grade: 2 = exactly what was asked for, 1 = useful too (a nearby specialization,
the same kind of practitioner in the asked-for city). Judgements come from the
meaning of the query and the profiles' category, specializations and city (the
``select`` helper reads those from the fixture), never from what an engine
returns. Filters are the search page's URL parameters (``region``, ``category``).

Groups: ru, kk (Kazakh Cyrillic), kk_latin (Kazakh Latin, 2021 alphabet, with
and without diacritics), translit (Russian typed in Latin letters), en, layout
(typed with the wrong keyboard layout, both ways), typo1 / typo2 (one / two
typos in the query), everyday (a situation in plain words), name, filters, and
heldout: situations in plain words in ru, kk and en written after the concept
dictionary was tuned on the other groups, and never used to tune it (a check of
how far the tuning generalises)."""
from __future__ import annotations

from dataclasses import dataclass, field

from bench.search_eval.fixture import select as S

GROUPS = ("ru", "kk", "kk_latin", "translit", "en", "layout", "typo1", "typo2", "everyday", "name", "filters",
          "heldout")


@dataclass(frozen=True)
class Query:
    group: str
    text: str
    relevant: dict[str, int]                 # fixture key -> grade (2 or 1)
    filters: dict[str, str] = field(default_factory=dict)   # URL parameters: region, category

    @property
    def label(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in self.filters.items())
        return f"{self.text!r}" + (f" [{extra}]" if extra else "")


def rel(*parts) -> dict[str, int]:
    """Merge (keys, grade) pairs or bare key sets (grade 2); a key keeps its highest grade."""
    out: dict[str, int] = {}
    for part in parts:
        keys, grade = part if isinstance(part, tuple) else (part, 2)
        for key in ({keys} if isinstance(keys, str) else keys):
            out[key] = max(grade, out.get(key, 0))
    return out


# --- wrong keyboard layout -----------------------------------------------------------------------
_EN = "`qwertyuiop[]asdfghjkl;'zxcvbnm,."
_RU = "ёйцукенгшщзхъфывапролджэячсмитьбю"
# Windows "Kazakh" layout: the Kazakh letters sit on the number row
_KK = {"ә": "2", "і": "3", "ң": "4", "ғ": "5", "ү": "8", "ұ": "9", "қ": "0", "ө": "-", "һ": "="}
_RU_TO_EN = dict(zip(_RU, _EN)) | _KK
_EN_TO_RU = dict(zip(_EN, _RU))


def on_en_layout(text: str) -> str:
    """Russian/Kazakh ``text`` as typed with the English layout on."""
    return "".join(_RU_TO_EN.get(ch, ch) for ch in text.lower())


def on_ru_layout(text: str) -> str:
    """Latin ``text`` as typed with the Russian layout on."""
    return "".join(_EN_TO_RU.get(ch, ch) for ch in text.lower())


# --- judged sets used by several queries -------------------------------------------------------
NOTARIES = S("notary")
BAILIFFS = S("bailiff")
EXPERTS = S("expert")
ADVOCATES = S("advocate")
CONSULTANTS = S("consultant")
ALMATY_NOTARIES = S("notary", "KZ-75")
INHERITANCE = rel(S("notary", spec="inheritance"))
INHERITANCE_WIDE = rel(INHERITANCE, ({"a_kos_boiko"}, 1))   # an advocate for inheritance disputes
POA = S("notary", spec="power-of-attorney")
REAL_ESTATE = S("notary", spec="real-estate")
MARRIAGE = S("notary", spec="marriage-contract")
COPIES = S("notary", spec="copies-translations")
TRAVEL = S("notary", spec="travel-consent")
HANDWRITING = S("expert", spec="handwriting")
AUTO = S("expert", spec="auto-technical")
VALUATION = S("expert", spec="valuation")
CONSTRUCTION = S("expert", spec="construction")
LINGUISTIC = S("expert", spec="linguistic")
CRIMINAL = S("advocate", spec="criminal-defence")
FAMILY = S("advocate", spec="family")
LAND = S("advocate", spec="land-disputes")
LABOUR = rel(S("advocate", spec="labour-disputes"), (S("consultant", spec="employer-labour-law"), 1))
TAX = S("consultant", spec="tax")
REGISTRATION = rel(S("consultant", spec="business-registration"), ({"c_alm_petrenko"}, 1))
IP = S("consultant", spec="intellectual-property")
ALIMONY = rel(S("bailiff", spec="alimony"), (FAMILY, 1))
DEBT = rel(S("bailiff", spec=("debt-individuals", "debt-companies")), ({"a_ast_goncharenko"}, 1))
EVICTION = S("bailiff", spec="eviction")
ZHUMABEKOV = rel("a_alm_zhumabekov", ({"n_alm_zhumabekova"}, 1))

Q = Query
QUERIES: tuple[Query, ...] = (
    # --- Russian ---------------------------------------------------------------------------------
    Q("ru", "нотариус Алматы", rel(ALMATY_NOTARIES)),
    Q("ru", "нотариус Атырау", rel(S("notary", "KZ-23"))),
    Q("ru", "наследство Караганда", rel("n_kar_bondarenko")),
    Q("ru", "адвокат по уголовным делам Астана", rel(S("advocate", "KZ-71", "criminal-defence"))),
    Q("ru", "почерковедческая экспертиза", rel(HANDWRITING)),
    Q("ru", "судебный исполнитель Караганда", rel(S("bailiff", "KZ-35"))),
    Q("ru", "брачный договор", rel(MARRIAGE)),
    Q("ru", "оценка имущества", rel(VALUATION)),
    Q("ru", "регистрация ТОО", REGISTRATION),
    Q("ru", "трудовые споры", LABOUR),
    Q("ru", "земельный спор Шымкент", rel(S("advocate", "KZ-79", "land-disputes"))),
    Q("ru", "строительная экспертиза", rel(CONSTRUCTION)),
    Q("ru", "налоговый консультант", rel(TAX)),
    Q("ru", "взыскание долгов с юридических лиц",
      rel(S("bailiff", spec="debt-companies"), ({"a_ast_goncharenko"}, 1))),
    Q("ru", "выселение", rel(EVICTION)),
    Q("ru", "заверить перевод документов", rel(COPIES)),
    Q("ru", "товарный знак", rel(IP)),
    Q("ru", "ЧСИ Астана", rel(S("bailiff", "KZ-71"))),
    Q("ru", "Гурьев нотариус", rel(S("notary", "KZ-23"))),
    Q("ru", "адвокат Семипалатинск", rel(S("advocate", "KZ-10"))),
    Q("ru", "нотариус Усть-Каменогорск", rel(S("notary", "KZ-63"))),
    Q("ru", "лингвистическая экспертиза", rel(LINGUISTIC)),
    # --- Kazakh, Cyrillic -----------------------------------------------------------------------
    Q("kk", "мұра нотариус Шымкент", rel("n_shy_toktarov", ({"n_shy_isabekova"}, 1))),
    Q("kk", "ажырасу адвокат Алматы", rel(S("advocate", "KZ-75", "family"))),
    Q("kk", "сот орындаушысы Астана", rel(S("bailiff", "KZ-71"))),
    Q("kk", "алимент өндіру", ALIMONY),
    Q("kk", "қылмыстық істер бойынша қорғаушы", rel(CRIMINAL)),
    Q("kk", "қолтаңба сараптамасы", rel(HANDWRITING)),
    Q("kk", "жол апаты сарапшы", rel(AUTO)),
    Q("kk", "салық бойынша кеңес", rel(TAX)),
    Q("kk", "бизнесті тіркеу Астана", rel(S("consultant", "KZ-71", "business-registration"))),
    Q("kk", "сенімхат нотариус", rel(POA)),
    Q("kk", "жер дауы Шымкент", rel(S("advocate", "KZ-79", "land-disputes"))),
    Q("kk", "пәтер сатып алу нотариус", rel(REAL_ESTATE)),
    Q("kk", "неке шарты", rel(MARRIAGE)),
    Q("kk", "еңбек дауы адвокат", rel(S("advocate", spec="labour-disputes"))),
    Q("kk", "мүлікті бағалау Алматы", rel(S("expert", "KZ-75", "valuation"))),
    Q("kk", "заң кеңесшісі Қарағанды", rel(S("consultant", "KZ-35"))),
    Q("kk", "баланың шетелге шығуына келісім", rel(TRAVEL)),
    Q("kk", "құрылыс сараптамасы", rel(CONSTRUCTION)),
    Q("kk", "Атырау адвокаттары", rel(S("advocate", "KZ-23"))),
    Q("kk", "нотариустар Ақтөбе", rel(S("notary", "KZ-15"))),
    # --- Kazakh, Latin (2021) -------------------------------------------------------------------
    Q("kk_latin", "notarius Almaty qalasy", rel(ALMATY_NOTARIES)),
    Q("kk_latin", "mūra notarius Şymkent", rel("n_shy_toktarov", ({"n_shy_isabekova"}, 1))),
    Q("kk_latin", "mura notarius shymkent", rel("n_shy_toktarov", ({"n_shy_isabekova"}, 1))),
    Q("kk_latin", "ajyrasu advokat Almaty", rel(S("advocate", "KZ-75", "family"))),
    Q("kk_latin", "sot oryndauşysy Astana", rel(S("bailiff", "KZ-71"))),
    Q("kk_latin", "qylmystyq ister boiynşa qorğau", rel(CRIMINAL)),
    Q("kk_latin", "qoltañba saraptamasy", rel(HANDWRITING)),
    Q("kk_latin", "salyq boiynşa keñes", rel(TAX)),
    Q("kk_latin", "biznestı tırkeu", REGISTRATION),
    Q("kk_latin", "senımhat notarius", rel(POA)),
    Q("kk_latin", "jer dauy advokat", rel(LAND)),
    Q("kk_latin", "alimenttı öndıru", ALIMONY),
    Q("kk_latin", "neke şarty", rel(MARRIAGE)),
    Q("kk_latin", "eñbek daulary", LABOUR),
    Q("kk_latin", "jol apaty saraptamasy", rel(AUTO)),
    Q("kk_latin", "Atyrau notariusy", rel(S("notary", "KZ-23"))),
    Q("kk_latin", "mülıktı bağalau", rel(VALUATION)),
    Q("kk_latin", "Qarağandy advokat", rel(S("advocate", "KZ-35"))),
    # --- Russian typed in Latin letters ---------------------------------------------------------
    Q("translit", "advokat po ugolovnym delam", rel(CRIMINAL)),
    Q("translit", "notarius almaty", rel(ALMATY_NOTARIES)),
    Q("translit", "razvod alimenty", rel(FAMILY, (S("bailiff", spec="alimony"), 1))),
    Q("translit", "nasledstvo notarius", rel(INHERITANCE)),
    Q("translit", "sudebnyi ispolnitel astana", rel(S("bailiff", "KZ-71"))),
    Q("translit", "pocherkovedcheskaya ekspertiza", rel(HANDWRITING)),
    Q("translit", "yurist po trudovym sporam", LABOUR),
    Q("translit", "ocenka imushestva", rel(VALUATION)),
    Q("translit", "dogovor kupli prodazhi kvartiry", rel(REAL_ESTATE)),
    Q("translit", "chsi karaganda", rel(S("bailiff", "KZ-35"))),
    Q("translit", "registraciya too", REGISTRATION),
    Q("translit", "avtotehnicheskaya ekspertiza", rel(AUTO)),
    Q("translit", "brachnyi dogovor", rel(MARRIAGE)),
    Q("translit", "notarius shymkent", rel(S("notary", "KZ-79"))),
    Q("translit", "advokat atyrau", rel(S("advocate", "KZ-23"))),
    Q("translit", "doverennost", rel(POA)),
    # --- English ----------------------------------------------------------------------------------
    Q("en", "power of attorney notary", rel(POA)),
    Q("en", "criminal defence lawyer Astana", rel(S("advocate", "KZ-71", "criminal-defence"))),
    Q("en", "handwriting expert", rel(HANDWRITING)),
    Q("en", "debt collection", DEBT),
    Q("en", "car accident expert", rel(AUTO)),
    Q("en", "divorce lawyer Almaty", rel(S("advocate", "KZ-75", "family"))),
    Q("en", "notary Shymkent", rel(S("notary", "KZ-79"))),
    Q("en", "inheritance notary Karaganda", rel("n_kar_bondarenko")),
    Q("en", "tax consultant", rel(TAX)),
    Q("en", "company registration", REGISTRATION),
    Q("en", "property valuation", rel(VALUATION)),
    Q("en", "bailiff Karaganda", rel(S("bailiff", "KZ-35"))),
    Q("en", "trademark lawyer", rel(IP)),
    Q("en", "land dispute lawyer", rel(LAND)),
    Q("en", "construction expert", rel(CONSTRUCTION)),
    Q("en", "labour lawyer", LABOUR),
    Q("en", "certified translation", rel(COPIES)),
    Q("en", "eviction", rel(EVICTION)),
    # --- wrong keyboard layout ------------------------------------------------------------------
    Q("layout", "celt,ysq 'rcgthn", rel(EXPERTS)),                      # судебный эксперт
    Q("layout", on_en_layout("нотариус"), rel(NOTARIES)),
    Q("layout", on_en_layout("нотариус алматы"), rel(ALMATY_NOTARIES)),
    Q("layout", on_en_layout("адвокат астана"), rel(S("advocate", "KZ-71"))),
    Q("layout", on_en_layout("наследство"), INHERITANCE_WIDE),
    Q("layout", on_en_layout("почерковедческая экспертиза"), rel(HANDWRITING)),
    Q("layout", on_en_layout("чси"), rel(BAILIFFS)),
    Q("layout", on_en_layout("развод"), rel(FAMILY)),
    Q("layout", on_en_layout("оценка ущерба"), rel(VALUATION, (AUTO | CONSTRUCTION, 1))),
    Q("layout", on_en_layout("доверенность"), rel(POA)),
    Q("layout", on_en_layout("ибраев"), rel("e_alm_ibraev")),
    Q("layout", on_en_layout("мұра нотариус"), rel(INHERITANCE)),
    Q("layout", on_en_layout("сот орындаушысы"), rel(BAILIFFS)),
    Q("layout", on_en_layout("қолтаңба"), rel(HANDWRITING)),
    Q("layout", on_ru_layout("notarius almaty"), rel(ALMATY_NOTARIES)),
    Q("layout", on_ru_layout("lawyer"), rel(ADVOCATES, (CONSULTANTS, 1))),
    Q("layout", on_ru_layout("handwriting expert"), rel(HANDWRITING)),
    # --- one typo -------------------------------------------------------------------------------
    Q("typo1", "натариус", rel(NOTARIES)),
    Q("typo1", "нотарус Алматы", rel(ALMATY_NOTARIES)),
    Q("typo1", "адвакат Шымкент", rel(S("advocate", "KZ-79"))),
    Q("typo1", "почерковедческая экспертеза", rel(HANDWRITING)),
    Q("typo1", "наследсво", INHERITANCE_WIDE),
    Q("typo1", "судебный исполнитль Астана", rel(S("bailiff", "KZ-71"))),
    Q("typo1", "алементы", ALIMONY),
    Q("typo1", "Жаксибеков", rel("a_alm_zhaksybekov")),
    Q("typo1", "Тасбалатов", rel("b_alm_tasbolatov")),
    Q("typo1", "оцнка имущества", rel(VALUATION)),
    Q("typo1", "notarius Almaty qalsy", rel(ALMATY_NOTARIES)),
    Q("typo1", "handwritting expert", rel(HANDWRITING)),
    Q("typo1", "нотариус Карганда", rel(S("notary", "KZ-35"))),
    # --- two typos ------------------------------------------------------------------------------
    Q("typo2", "натарус", rel(NOTARIES)),
    Q("typo2", "адвакат по уголовным делм", rel(CRIMINAL)),
    Q("typo2", "нотариос Алмати", rel(ALMATY_NOTARIES)),
    Q("typo2", "почерковеческая експертиза", rel(HANDWRITING)),
    Q("typo2", "судебнй исполнитль", rel(BAILIFFS)),
    Q("typo2", "довереность натариус", rel(POA)),
    Q("typo2", "Тасбалатав", rel("b_alm_tasbolatov")),
    Q("typo2", "строительна экспертза", rel(CONSTRUCTION)),
    Q("typo2", "развот Алмата", rel(S("advocate", "KZ-75", "family"))),
    Q("typo2", "оценка имушества Астна", rel(S("expert", "KZ-71", "valuation"))),
    Q("typo2", "налоговй кансультант", rel(TAX)),
    Q("typo2", "выселеня", rel(EVICTION)),
    # --- everyday phrasing ----------------------------------------------------------------------
    Q("everyday", "развод алименты Алматы", rel(S("advocate", "KZ-75", "family"), ({"b_alm_tasbolatov"}, 1))),
    Q("everyday", "меня уволили", LABOUR),
    Q("everyday", "разводиться", rel(FAMILY)),
    Q("everyday", "залили соседи", rel({"e_ukg_volkov", "e_ast_akhmetov"}, ({"e_shy_mukanov"}, 1))),
    Q("everyday", "подделали подпись", rel(HANDWRITING)),
    Q("everyday", "не платит алименты", ALIMONY),
    Q("everyday", "попал в аварию", rel(AUTO, ({"a_alm_zhaksybekov"}, 1))),
    Q("everyday", "как оформить наследство", rel(INHERITANCE)),
    Q("everyday", "долг не возвращают", rel(S("bailiff", spec="debt-individuals"),
                                            (S("bailiff", spec="debt-companies"), 1))),
    Q("everyday", "хочу открыть ТОО", REGISTRATION),
    Q("everyday", "купить квартиру", rel(REAL_ESTATE)),
    Q("everyday", "выселить квартирантов", rel(EVICTION)),
    Q("everyday", "ребёнок едет за границу с бабушкой", rel(TRAVEL)),
    Q("everyday", "обжаловать приговор", rel(CRIMINAL)),
    Q("everyday", "написать завещание", rel(INHERITANCE)),
    Q("everyday", "мені жұмыстан шығарып жіберді", LABOUR),
    Q("everyday", "ажырасқым келеді", rel(FAMILY)),
    Q("everyday", "қарызын қайтармай жүр", rel(S("bailiff", spec="debt-individuals"),
                                               (S("bailiff", spec="debt-companies"), 1))),
    Q("everyday", "сына задержали полиция", rel(CRIMINAL)),
    Q("everyday", "лишили водительских прав", rel(S("advocate", spec="administrative"))),
    # --- held out: written after tuning, never used to tune ------------------------------------
    Q("heldout", "нужна доверенность на машину", rel(POA)),
    Q("heldout", "оформить дарственную на квартиру", rel(REAL_ESTATE, (NOTARIES, 1))),
    Q("heldout", "муж не платит на ребёнка", ALIMONY),
    Q("heldout", "оспорить завещание отца", INHERITANCE_WIDE),
    Q("heldout", "экспертиза после аварии на дороге", rel(AUTO)),
    Q("heldout", "работодатель не платит зарплату", LABOUR),
    Q("heldout", "проверить договор перед подписанием", rel(S("consultant", spec="contracts"))),
    Q("heldout", "налоговая проверка ИП", rel(TAX)),
    Q("heldout", "зарегистрировать товарный знак", rel(IP)),
    Q("heldout", "трещины в новом доме", rel(CONSTRUCTION)),
    Q("heldout", "оскорбили в интернете", rel(LINGUISTIC)),
    Q("heldout", "хотим заключить брачный договор", rel(MARRIAGE)),
    Q("heldout", "согласие на выезд ребенка за границу", rel(TRAVEL)),
    Q("heldout", "көлік апатына сараптама керек", rel(AUTO)),
    Q("heldout", "мұраны қалай ресімдеймін", rel(INHERITANCE)),
    Q("heldout", "жалақы бермейді", LABOUR),
    Q("heldout", "шартты тексеру керек", rel(S("consultant", spec="contracts"))),
    Q("heldout", "my husband does not pay child support", ALIMONY),
    Q("heldout", "unfair dismissal lawyer", LABOUR),
    Q("heldout", "road accident damage assessment", rel(AUTO, (VALUATION, 1))),
    # --- names ------------------------------------------------------------------------------------
    Q("name", "Жұмабеков", ZHUMABEKOV),
    Q("name", "Zhumabekov", ZHUMABEKOV),
    Q("name", "Жумабеков", ZHUMABEKOV),
    Q("name", "Сейтказиева", rel("n_alm_seitkazieva")),
    Q("name", "Ким", rel("e_kar_kim")),
    Q("name", "Елкин", rel("n_alm_elkin")),
    Q("name", "Tasbolatov", rel("b_alm_tasbolatov")),
    Q("name", "Ковалева", rel("a_alm_kovaleva")),
    Q("name", "Nurlan Ibraev", rel("e_alm_ibraev")),
    Q("name", "Марат Жаксыбеков", rel("a_alm_zhaksybekov")),
    Q("name", "Қайратұлы", rel("c_ast_kairatuly")),
    Q("name", "Kairatuly", rel("c_ast_kairatuly")),
    Q("name", "Ыбырайұлы", rel("a_shy_ybyraiuly")),
    Q("name", "Әбдірахманова", rel("a_alm_abdirakhmanova")),
    Q("name", "Абдирахманова", rel("a_alm_abdirakhmanova")),
    Q("name", "Құдайбергенова нотариус", rel("n_atr_kudaibergenova")),
    Q("name", "Цой Тимур", rel("c_alm_tsoi")),
    Q("name", "Tkachenko", rel("a_kar_tkachenko")),
    # --- filters (search page parameters) ------------------------------------------------------
    Q("filters", "адвокат", rel(S("advocate", "KZ-23")), {"region": "KZ-23"}),
    Q("filters", "", rel(S("notary", "KZ-71")), {"category": "notary", "region": "KZ-71"}),
    Q("filters", "наследство", rel("n_shy_toktarov", ({"n_shy_isabekova"}, 1)), {"region": "KZ-79"}),
    Q("filters", "экспертиза", rel(S("expert", "KZ-75")), {"category": "expert", "region": "KZ-75"}),
    Q("filters", "развод", rel(S("advocate", "KZ-71", "family")), {"region": "KZ-71"}),
    Q("filters", "долги", rel(S("bailiff", spec=("debt-individuals", "debt-companies")), (BAILIFFS, 1)),
      {"category": "bailiff"}),
    Q("filters", "", rel(S("consultant", "KZ-35")), {"category": "consultant", "region": "KZ-35"}),
    Q("filters", "юрист", rel(S("advocate", "KZ-79") | S("consultant", "KZ-79")), {"region": "KZ-79"}),
    Q("filters", "alimony", rel(S("bailiff", spec="alimony")), {"category": "bailiff"}),
    Q("filters", "", rel(S("expert", "KZ-71")), {"category": "expert", "region": "KZ-71"}),
    Q("filters", "доверенность", rel(S("notary", "KZ-75", "power-of-attorney"), (ALMATY_NOTARIES, 1)),
      {"region": "KZ-75"}),
    Q("filters", "criminal", rel(S("advocate", "KZ-79", "criminal-defence")), {"region": "KZ-79"}),
    Q("filters", "", rel(S("advocate", "KZ-35")), {"category": "advocate", "region": "KZ-35"}),
    Q("filters", "оценка", rel(VALUATION), {"category": "expert"}),
    Q("filters", "трудовой спор", rel(S("advocate", spec="labour-disputes")), {"category": "advocate"}),
    Q("filters", "нотариус", rel(S("notary", "KZ-10")), {"region": "KZ-10"}),
)
