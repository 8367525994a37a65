"""Reference data of the profile facts in kk, ru and en: the cities of each
region, the licensors and the chambers and collegia practitioners belong to.
services.catalog.ensure_reference_data inserts the rows whose code is missing;
the importer matches registry values on the names and on ``*_VARIANTS``."""
from __future__ import annotations

CITY_FIELDS = ("code", "name_kk", "name_ru", "name_en")
# region code -> cities, the regional centre first (the importer's default city of the region)
CITIES = {
    "KZ-75": (("almaty", "Алматы", "Алматы", "Almaty"),),
    "KZ-71": (("astana", "Астана", "Астана", "Astana"),),
    "KZ-79": (("shymkent", "Шымкент", "Шымкент", "Shymkent"),),
    "KZ-10": (("semey", "Семей", "Семей", "Semey"), ("ayagoz", "Аягөз", "Аягоз", "Ayagoz"),
              ("kurchatov", "Курчатов", "Курчатов", "Kurchatov")),
    "KZ-11": (("kokshetau", "Көкшетау", "Кокшетау", "Kokshetau"),
              ("stepnogorsk", "Степногорск", "Степногорск", "Stepnogorsk"),
              ("shchuchinsk", "Щучинск", "Щучинск", "Shchuchinsk"), ("kosshy", "Қосшы", "Косшы", "Kosshy")),
    "KZ-15": (("aktobe", "Ақтөбе", "Актобе", "Aktobe"), ("kandyagash", "Қандыағаш", "Кандыагаш", "Kandyagash"),
              ("khromtau", "Хромтау", "Хромтау", "Khromtau")),
    "KZ-19": (("konaev", "Қонаев", "Конаев", "Konaev"), ("kaskelen", "Қаскелең", "Каскелен", "Kaskelen"),
              ("talgar", "Талғар", "Талгар", "Talgar"), ("esik", "Есік", "Есик", "Esik")),
    "KZ-23": (("atyrau", "Атырау", "Атырау", "Atyrau"), ("kulsary", "Құлсары", "Кульсары", "Kulsary")),
    "KZ-63": (("oskemen", "Өскемен", "Усть-Каменогорск", "Oskemen"), ("ridder", "Риддер", "Риддер", "Ridder"),
              ("altai", "Алтай", "Алтай", "Altai")),
    "KZ-31": (("taraz", "Тараз", "Тараз", "Taraz"), ("shu", "Шу", "Шу", "Shu"),
              ("karatau", "Қаратау", "Каратау", "Karatau")),
    "KZ-33": (("taldykorgan", "Талдықорған", "Талдыкорган", "Taldykorgan"),
              ("tekeli", "Текелі", "Текели", "Tekeli"), ("zharkent", "Жаркент", "Жаркент", "Zharkent"),
              ("ushtobe", "Үштөбе", "Уштобе", "Ushtobe")),
    "KZ-27": (("oral", "Орал", "Уральск", "Oral"), ("aksay", "Ақсай", "Аксай", "Aksay")),
    "KZ-35": (("karaganda", "Қарағанды", "Караганда", "Karaganda"),
              ("temirtau", "Теміртау", "Темиртау", "Temirtau"), ("balkhash", "Балқаш", "Балхаш", "Balkhash"),
              ("saran", "Саран", "Сарань", "Saran"), ("shakhtinsk", "Шахтинск", "Шахтинск", "Shakhtinsk")),
    "KZ-39": (("kostanay", "Қостанай", "Костанай", "Kostanay"), ("rudny", "Рудный", "Рудный", "Rudny"),
              ("lisakovsk", "Лисаков", "Лисаковск", "Lisakovsk"), ("arkalyk", "Арқалық", "Аркалык", "Arkalyk")),
    "KZ-43": (("kyzylorda", "Қызылорда", "Кызылорда", "Kyzylorda"),
              ("baikonur", "Байқоңыр", "Байконыр", "Baikonur"), ("aral", "Арал", "Аральск", "Aral")),
    "KZ-47": (("aktau", "Ақтау", "Актау", "Aktau"), ("zhanaozen", "Жаңаөзен", "Жанаозен", "Zhanaozen")),
    "KZ-55": (("pavlodar", "Павлодар", "Павлодар", "Pavlodar"),
              ("ekibastuz", "Екібастұз", "Экибастуз", "Ekibastuz"), ("aksu", "Ақсу", "Аксу", "Aksu")),
    "KZ-59": (("petropavl", "Петропавл", "Петропавловск", "Petropavl"),
              ("tayynsha", "Тайынша", "Тайынша", "Tayynsha"), ("bulaevo", "Булаев", "Булаево", "Bulaevo")),
    "KZ-61": (("turkistan", "Түркістан", "Туркестан", "Turkistan"), ("kentau", "Кентау", "Кентау", "Kentau"),
              ("zhetisay", "Жетісай", "Жетысай", "Zhetisay"), ("saryagash", "Сарыағаш", "Сарыагаш", "Saryagash"),
              ("arys", "Арыс", "Арыс", "Arys")),
    "KZ-62": (("zhezkazgan", "Жезқазған", "Жезказган", "Zhezkazgan"),
              ("satbayev", "Сәтбаев", "Сатпаев", "Satbayev"), ("karazhal", "Қаражал", "Каражал", "Karazhal")),
}
# Other spellings registries use (matched like the names: case-, ё- and space-insensitive,
# after "г."/"город"/"қ."/"қаласы" are taken off).
CITY_VARIANTS = {
    "oskemen": ("Устькаменогорск", "Ust-Kamenogorsk"),
    "astana": ("Нур-Султан", "Нұр-Сұлтан", "Nur-Sultan"),
    "konaev": ("Капшагай", "Қапшағай", "Kapchagay"),
    "semey": ("Семипалатинск",),
    "oral": ("Uralsk",),
    "aktobe": ("Актюбинск",),
    "satbayev": ("Сатбаев",),
    "almaty": ("Алма-Ата",),
}

LICENSOR_FIELDS = ("code", "name_kk", "name_ru", "name_en")
LICENSORS = (
    ("moj", "Қазақстан Республикасының Әділет министрлігі", "Министерство юстиции Республики Казахстан",
     "Ministry of Justice of the Republic of Kazakhstan"),
)
LICENSOR_VARIANTS = {
    "moj": ("Министерство юстиции РК", "Министерство юстиции", "МЮ РК", "Минюст РК", "Минюст",
            "Министерство юстиции Республики Казахстан (МЮ РК)", "ҚР Әділет министрлігі",
            "ҚР ӘМ", "Әділет министрлігі", "Ministry of Justice", "Ministry of Justice of Kazakhstan",
            "Ministry of Justice of the RK"),
}

# The regions in the names of their chambers: (ru genitive, en). kk: "<name_kk>ның" ("Абай облысының").
REGION_GENITIVE = {
    "KZ-75": ("города Алматы", "Almaty"), "KZ-71": ("города Астаны", "Astana"),
    "KZ-79": ("города Шымкента", "Shymkent"), "KZ-10": ("области Абай", "Abai Region"),
    "KZ-11": ("Акмолинской области", "Akmola Region"), "KZ-15": ("Актюбинской области", "Aktobe Region"),
    "KZ-19": ("Алматинской области", "Almaty Region"), "KZ-23": ("Атырауской области", "Atyrau Region"),
    "KZ-63": ("Восточно-Казахстанской области", "East Kazakhstan Region"),
    "KZ-31": ("Жамбылской области", "Jambyl Region"), "KZ-33": ("области Жетісу", "Jetisu Region"),
    "KZ-27": ("Западно-Казахстанской области", "West Kazakhstan Region"),
    "KZ-35": ("Карагандинской области", "Karaganda Region"), "KZ-39": ("Костанайской области", "Kostanay Region"),
    "KZ-43": ("Кызылординской области", "Kyzylorda Region"), "KZ-47": ("Мангистауской области", "Mangystau Region"),
    "KZ-55": ("Павлодарской области", "Pavlodar Region"),
    "KZ-59": ("Северо-Казахстанской области", "North Kazakhstan Region"),
    "KZ-61": ("Туркестанской области", "Turkistan Region"), "KZ-62": ("области Ұлытау", "Ulytau Region"),
}
REGION_KK_GENITIVE = {
    "KZ-75": "Алматы қаласының", "KZ-71": "Астана қаласының", "KZ-79": "Шымкент қаласының",
    "KZ-10": "Абай облысының", "KZ-11": "Ақмола облысының", "KZ-15": "Ақтөбе облысының",
    "KZ-19": "Алматы облысының", "KZ-23": "Атырау облысының", "KZ-63": "Шығыс Қазақстан облысының",
    "KZ-31": "Жамбыл облысының", "KZ-33": "Жетісу облысының", "KZ-27": "Батыс Қазақстан облысының",
    "KZ-35": "Қарағанды облысының", "KZ-39": "Қостанай облысының", "KZ-43": "Қызылорда облысының",
    "KZ-47": "Маңғыстау облысының", "KZ-55": "Павлодар облысының", "KZ-59": "Солтүстік Қазақстан облысының",
    "KZ-61": "Түркістан облысының", "KZ-62": "Ұлытау облысының",
}
# category code -> (kk pattern, ru pattern, en pattern) of its regional chamber: {kk} is the region's
# name_kk in the genitive, {ru} the Russian genitive, {en} the English name.
REGIONAL_CHAMBERS = {
    "notary": ("{kk} нотариаттық палатасы", "Нотариальная палата {ru}", "Notary Chamber of {en}"),
    "advocate": ("{kk} адвокаттар алқасы", "Коллегия адвокатов {ru}", "Collegium of Advocates of {en}"),
    "bailiff": ("{kk} жеке сот орындаушыларының өңірлік палатасы",
                "Региональная палата частных судебных исполнителей {ru}",
                "Regional Chamber of Private Bailiffs of {en}"),
}
# (category, region) -> the official name where it is not the pattern's, with the pattern's as a variant
CHAMBER_NAMES = {
    ("advocate", "KZ-75"): ("Алматы қалалық адвокаттар алқасы", "Алматинская городская коллегия адвокатов",
                            "Almaty City Collegium of Advocates"),
}
CHAMBER_FIELDS = ("code", "category", "region", "name_kk", "name_ru", "name_en")
# The chambers of the whole country: (code, category, region code or None, kk, ru, en).
NATIONAL_CHAMBERS = (
    ("expert-rk", "expert", None, "Қазақстан Республикасының Сот сарапшылары палатасы",
     "Палата судебных экспертов Республики Казахстан", "Chamber of Forensic Experts of the Republic of Kazakhstan"),
    ("consultant-kba", "consultant", None, "«Kazakhstan Bar Association» заң консультанттары палатасы",
     "Палата юридических консультантов «Kazakhstan Bar Association»",
     "Chamber of Legal Consultants “Kazakhstan Bar Association”"),
    ("consultant-slk", "consultant", None, "«Қазақстан заңгерлерінің қоғамдастығы» заң консультанттары палатасы",
     "Палата юридических консультантов «Сообщество юристов Казахстана»",
     "Chamber of Legal Consultants “Community of Lawyers of Kazakhstan”"),
)
CHAMBER_VARIANTS = {
    "expert-rk": ("Палата судебных экспертов РК", "Палата судебных экспертов"),
    "consultant-kba": ("Kazakhstan Bar Association", "ПЮК «Kazakhstan Bar Association»"),
    "consultant-slk": ("Сообщество юристов Казахстана", "ПЮК «Сообщество юристов Казахстана»"),
}


def chambers() -> list[tuple]:
    """Every chamber as (code, category, region code or None, kk, ru, en, variants), in order:
    per category the regional chambers in the order of ``CITIES``, then the national ones."""
    out = []
    for category, (kk, ru, en) in REGIONAL_CHAMBERS.items():
        for region, (ru_gen, en_name) in REGION_GENITIVE.items():
            names = (kk.format(kk=REGION_KK_GENITIVE[region]), ru.format(ru=ru_gen), en.format(en=en_name))
            official = CHAMBER_NAMES.get((category, region))
            variants = names if official else ()
            out.append((f"{category}-{region}", category, region, *(official or names), variants))
    out += [(*row, CHAMBER_VARIANTS.get(row[0], ())) for row in NATIONAL_CHAMBERS]
    return out

