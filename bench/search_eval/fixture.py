"""A fixed fixture of practitioners for the search evaluation set.

Written like real profiles: names (Kazakh and Russian), category, specializations
(the codes of ``SPECIALIZATIONS`` in portal/services/catalog.py), home region by
code, city, "about" texts in Russian and Kazakh as practitioners write them,
languages of service, rating and reviews. Every profile is public (approved) and
serves its home region only, so a region filter or a city word means "lives and
works there".

:func:`build` writes the fixture into the database of an app (the catalog of
categories, specializations and regions must be there: ``create_app`` seeds it)
and returns ``{key: profile id}``; the runner then calls
``portal.services.search.reindex()``."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    key: str
    first: str
    last: str
    category: str            # notary, bailiff, expert, advocate, consultant
    region: str              # home region code (ISO 3166-2)
    city: str
    specs: tuple[str, ...]   # specialization codes of the category
    about_ru: str
    about_kk: str
    languages: str = "kk,ru"
    rating: float = 0.0
    reviews: int = 0
    experience: int = 5
    price: int | None = 20000
    online: bool = False


P = Person
PEOPLE: tuple[Person, ...] = (
    # --- notaries -----------------------------------------------------------------------------------
    P("n_alm_seitkazieva", "Гульнара", "Сейтказиева", "notary", "KZ-75", "Алматы",
      ("inheritance", "real-estate", "marriage-contract"),
      "Частный нотариус в Алматы с 2008 года. Оформляю наследство, договоры купли-продажи квартир и "
      "брачные договоры. Контора в Бостандыкском районе, рядом с метро «Алатау».",
      "2008 жылдан бері Алматыдағы жеке нотариуспын. Мұраны, пәтер сату-сатып алу шарттарын және неке "
      "шарттарын ресімдеймін.", "kk,ru", 4.8, 40, 17, 8000),
    P("n_alm_elkin", "Виктор", "Ёлкин", "notary", "KZ-75", "Алматы", ("power-of-attorney", "copies-translations"),
      "Удостоверяю доверенности на продажу автомобиля и представление интересов, свидетельствую копии "
      "документов и верность перевода. Работаю без выходных.", "", "ru", 4.2, 10, 8, 6000, True),
    P("n_alm_zhumabekova", "Әсел", "Жұмабекова", "notary", "KZ-75", "Алматы",
      ("travel-consent", "power-of-attorney"),
      "Согласия на выезд детей за границу, доверенности, заявления. Приму в день обращения.",
      "Баланың шетелге шығуына келісім, сенімхаттар мен өтініштерді куәландырамын. Алматы, Медеу ауданы.",
      "kk,ru", 4.9, 22, 6, 5000),
    P("n_alm_pak", "Ирина", "Пак", "notary", "KZ-75", "Алматы", ("executive-inscription", "real-estate"),
      "Нотариальное сопровождение сделок с жильём и земельными участками, исполнительные надписи "
      "для банков и микрофинансовых организаций.", "", "ru", 4.4, 15, 20, 10000),
    P("n_ast_nurlankyzy", "Айжан", "Нұрланқызы", "notary", "KZ-71", "Астана", ("inheritance", "marriage-contract"),
      "", "Астанадағы нотариус. Мұрагерлік істерді жүргіземін, неке шарттарын куәландырамын. Өсиет "
      "жасауға көмектесемін.", "kk", 4.5, 12, 10, 7000),
    P("n_ast_morozov", "Сергей", "Морозов", "notary", "KZ-71", "Астана", ("real-estate", "power-of-attorney"),
      "Нотариус в Астане, левый берег. Договоры купли-продажи и дарения квартир, генеральные "
      "доверенности, согласие супруга на сделку.", "", "ru", 4.0, 6, 14, 9000),
    P("n_ast_omarova", "Динара", "Омарова", "notary", "KZ-71", "Астана", ("copies-translations", "travel-consent"),
      "Заверяю копии дипломов и переводы для выезда за рубеж, оформляю согласие на выезд ребёнка.",
      "Құжат көшірмелерін және аудармаларды куәландырамын.", "kk,ru,en", 4.6, 9, 5, 4000, True),
    P("n_shy_toktarov", "Мұрат", "Тоқтаров", "notary", "KZ-79", "Шымкент", ("inheritance", "real-estate"),
      "Нотариус в Шымкенте: наследство, купля-продажа домов и квартир.",
      "Шымкент қаласындағы нотариус. Мұраны ресімдеу, үй мен пәтер сату-сатып алу шарттары.",
      "kk,ru", 4.7, 19, 12, 6000),
    P("n_shy_isabekova", "Салтанат", "Исабекова", "notary", "KZ-79", "Шымкент",
      ("power-of-attorney", "travel-consent"), "",
      "Сенімхаттар, баланың шетелге шығуына келісім. Шымкент, Әл-Фараби ауданы, сенбіде де жұмыс істеймін.",
      "kk", 4.3, 5, 4, 5000),
    P("n_atr_kudaibergenova", "Жанар", "Құдайбергенова", "notary", "KZ-23", "Атырау", ("inheritance", "real-estate"),
      "Нотариус города Атырау. Наследственные дела, сделки с недвижимостью, консультации по "
      "завещаниям.", "Атырау қаласының нотариусы. Мұрагерлік істер, жылжымайтын мүлік мәмілелері.",
      "kk,ru", 4.6, 14, 15, 7000),
    P("n_atr_sokolov", "Андрей", "Соколов", "notary", "KZ-23", "Атырау", ("power-of-attorney", "copies-translations"),
      "Доверенности, копии, переводы для работников нефтяных компаний и иностранцев.", "",
      "ru,en", 4.1, 8, 9, 6000),
    P("n_kar_bondarenko", "Людмила", "Бондаренко", "notary", "KZ-35", "Караганда", ("inheritance", "marriage-contract"),
      "Нотариус в Караганде с 1999 года. Наследство по закону и по завещанию, брачные договоры.", "",
      "ru", 4.8, 31, 26, 6000),
    P("n_sem_seitov", "Ержан", "Сейітов", "notary", "KZ-10", "Семей", ("inheritance", "power-of-attorney"),
      "Нотариус в городе Семей. Наследство, доверенности.",
      "Семей қаласындағы нотариус: мұра, сенімхат.", "kk,ru", 4.2, 4, 7, 5000),
    P("n_ukg_shevchenko", "Татьяна", "Шевченко", "notary", "KZ-63", "Усть-Каменогорск",
      ("real-estate", "copies-translations"),
      "Нотариус в Усть-Каменогорске. Сделки с квартирами и гаражами, заверение копий.", "",
      "ru", 4.5, 11, 18, 7000),
    P("n_akt_esenov", "Ақжол", "Есенов", "notary", "KZ-15", "Актобе", ("inheritance", "executive-inscription"),
      "Нотариус, Актобе. Наследство, исполнительные надписи.",
      "Ақтөбе қаласының нотариусы. Мұрагерлік, атқарушылық жазбалар.", "kk,ru", 3.9, 3, 3, 5000),
    P("n_ura_volkova", "Наталья", "Волкова", "notary", "KZ-27", "Уральск", ("power-of-attorney", "inheritance"),
      "Нотариус в Уральске. Доверенности на ведение дел и управление имуществом, наследство.", "",
      "ru", 4.4, 7, 11, 6000),
    # --- bailiffs -------------------------------------------------------------------------------------
    P("b_alm_tasbolatov", "Ерлан", "Тасболатов", "bailiff", "KZ-75", "Алматы", ("alimony", "debt-individuals"),
      "Частный судебный исполнитель. Взыскиваю алименты и долги по расписке, объявляю должников в розыск.",
      "Жеке сот орындаушысы. Алимент пен қарыз өндіремін.", "kk,ru", 4.1, 7, 6, None),
    P("b_alm_lebedeva", "Елена", "Лебедева", "bailiff", "KZ-75", "Алматы", ("debt-companies", "seizure"),
      "ЧСИ Алматы. Исполнительные производства по долгам организаций, арест счетов и имущества.", "",
      "ru", 4.3, 12, 9, None),
    P("b_ast_gabitov", "Нұрболат", "Ғабитов", "bailiff", "KZ-71", "Астана", ("alimony", "court-decisions"),
      "Исполняю решения судов, взыскиваю алименты на детей.",
      "Астанадағы жеке сот орындаушысы. Сот шешімдерін орындаймын, балаға алимент өндіремін.",
      "kk,ru", 4.0, 5, 5, None),
    P("b_ast_novikov", "Павел", "Новиков", "bailiff", "KZ-71", "Астана", ("debt-individuals", "eviction"),
      "Частный судебный исполнитель в Астане: возврат долгов с физических лиц, выселение по решению суда.",
      "", "ru", 3.8, 4, 4, None),
    P("b_shy_ospanov", "Бауыржан", "Оспанов", "bailiff", "KZ-79", "Шымкент", ("seizure", "court-decisions"), "",
      "Жеке сот орындаушысы. Сот шешімдерін орындаймын, борышкердің мүлкіне тыйым саламын.",
      "kk", 3.9, 3, 4, None),
    P("b_kar_kozlov", "Игорь", "Козлов", "bailiff", "KZ-35", "Караганда", ("alimony", "debt-individuals"),
      "ЧСИ в Караганде. Алименты, долги по займам и распискам.", "", "ru", 4.2, 9, 8, None),
    P("b_atr_smagulov", "Дастан", "Смағұлов", "bailiff", "KZ-23", "Атырау", ("debt-companies", "court-decisions"),
      "Взыскание задолженности с компаний и ИП, исполнение решений судов в Атырау.",
      "Компаниялардан қарыз өндіру, сот шешімдерін орындау.", "kk,ru", 4.4, 6, 7, None),
    P("b_pav_fedorova", "Ольга", "Фёдорова", "bailiff", "KZ-55", "Павлодар", ("eviction", "seizure"),
      "Судебный исполнитель, Павлодар. Выселение, арест имущества должников.", "", "ru", 4.0, 2, 10, None),
    P("b_tar_usenov", "Самат", "Үсенов", "bailiff", "KZ-31", "Тараз", ("alimony", "debt-individuals"), "",
      "Тараздағы жеке сот орындаушысы. Алимент өндіру, жеке тұлғалардан қарызды қайтару.", "kk", 4.5, 8, 6, None),
    # --- court experts --------------------------------------------------------------------------------
    P("e_alm_ibraev", "Нурлан", "Ибраев", "expert", "KZ-75", "Алматы", ("auto-technical", "valuation"),
      "Автотехническая экспертиза ДТП, оценка ущерба автомобилю для суда и страховой.",
      "Жол-көлік оқиғаларының сараптамасы.", "ru,kk", 4.7, 15, 14, 25000),
    P("e_alm_voronina", "Инна", "Воронина", "expert", "KZ-75", "Алматы", ("handwriting", "linguistic"),
      "Почерковедческая экспертиза: подлинность подписи в договоре, расписке, завещании.", "",
      "ru", 4.9, 21, 16, 30000),
    P("e_alm_kuznetsova", "Светлана", "Кузнецова", "expert", "KZ-75", "Алматы", ("forensic-accounting",),
      "Судебно-бухгалтерская экспертиза по хозяйственным и уголовным делам, анализ финансовой отчётности.",
      "", "ru,en", 4.6, 10, 19, 60000),
    P("e_kar_kim", "Елена", "Ким", "expert", "KZ-35", "Караганда", ("handwriting",),
      "Почерковедческая экспертиза подписей и рукописных записей.", "", "ru", 5.0, 1, 5, 20000),
    P("e_ast_baizhanova", "Гүлмира", "Байжанова", "expert", "KZ-71", "Астана", ("handwriting", "psychological"),
      "Исследую подписи и почерк, психологическая экспертиза по семейным спорам.",
      "Қолтаңба мен қолжазбаны зерттеймін.", "kk,ru", 4.5, 7, 9, 25000),
    P("e_ast_akhmetov", "Тимур", "Ахметов", "expert", "KZ-71", "Астана", ("construction", "valuation"),
      "Строительно-техническая экспертиза: дефекты новостроек, трещины, протечки, стоимость ремонта. "
      "Оценка квартир и домов.", "", "ru", 4.3, 11, 12, 50000),
    P("e_shy_mukanov", "Олжас", "Мұқанов", "expert", "KZ-79", "Шымкент", ("construction",), "",
      "Құрылыс-техникалық сараптама: үйдің жарықтары, сапасыз құрылыс, жөндеу құны.", "kk,ru", 4.2, 4, 7, 40000),
    P("e_ast_alieva", "Мәдина", "Әлиева", "expert", "KZ-71", "Астана", ("psychological", "linguistic"),
      "Психологическая и лингвистическая экспертиза: оскорбления, клевета, тексты в соцсетях.",
      "Психологиялық және лингвистикалық сараптама.", "kk,ru", 4.6, 5, 8, 45000),
    P("e_atr_erzhanov", "Руслан", "Ержанов", "expert", "KZ-23", "Атырау", ("auto-technical", "valuation"),
      "Эксперт-автотехник: разбор аварий, оценка повреждений машины после ДТП.", "", "ru,kk", 4.4, 9, 10, 30000),
    P("e_ukg_volkov", "Максим", "Волков", "expert", "KZ-63", "Усть-Каменогорск", ("valuation", "construction"),
      "Оценка недвижимости и ущерба после затопления квартиры, строительная экспертиза.", "",
      "ru", 4.1, 6, 13, 35000),
    P("e_shy_kasymova", "Айнұр", "Қасымова", "expert", "KZ-79", "Шымкент", ("linguistic", "psychological"), "",
      "Лингвистикалық сараптама: қорлау, жала жабу, әлеуметтік желідегі мәтіндер.", "kk", 4.0, 2, 5, 40000),
    P("e_pav_grinko", "Дмитрий", "Гринько", "expert", "KZ-55", "Павлодар", ("auto-technical",),
      "Автотехническая экспертиза дорожно-транспортных происшествий.", "", "ru", 4.3, 5, 11, 25000),
    # --- advocates ------------------------------------------------------------------------------------
    P("a_alm_zhaksybekov", "Марат", "Жаксыбеков", "advocate", "KZ-75", "Алматы", ("criminal-defence",),
      "Защита по уголовным делам на следствии и в суде присяжных. Мошенничество, ДТП с пострадавшими.",
      "Қылмыстық істер бойынша қорғау.", "kk,ru,en", 4.9, 60, 20, 50000, True),
    P("a_alm_li", "Алексей", "Ли", "advocate", "KZ-75", "Алматы", ("criminal-defence", "administrative"),
      "Адвокат по уголовным и административным делам. Задержание, обыск, лишение прав.", "",
      "ru", 4.5, 18, 12, 40000),
    P("a_alm_kovaleva", "Светлана", "Ковалёва", "advocate", "KZ-75", "Алматы", ("family", "civil-disputes"),
      "Развод, раздел имущества, алименты и споры о детях.", "", "ru", 4.6, 25, 12, 30000, True),
    P("a_alm_abdirakhmanova", "Гүлнар", "Әбдірахманова", "advocate", "KZ-75", "Алматы", ("family",),
      "Помогаю при расторжении брака и определении места жительства детей.",
      "Ажырасу, алимент, балалардың тұратын жерін анықтау істері бойынша адвокат.", "kk,ru", 4.7, 14, 9, 25000),
    P("a_alm_zhumabekov", "Арман", "Жұмабеков", "advocate", "KZ-75", "Алматы", ("labour-disputes", "civil-disputes"),
      "Восстанавливаю на работе после незаконного увольнения, взыскиваю невыплаченную зарплату.",
      "Еңбек даулары: жұмысқа қайта алу, жалақыны өндіру.", "kk,ru", 4.4, 11, 10, 30000),
    P("a_alm_frolov", "Евгений", "Фролов", "advocate", "KZ-75", "Алматы", ("economic-disputes",),
      "Представляю компании в специализированном межрайонном экономическом суде и в арбитраже.", "",
      "ru,en", 4.3, 8, 15, 80000),
    P("a_ast_abenov", "Данияр", "Абенов", "advocate", "KZ-71", "Астана", ("criminal-defence", "administrative"),
      "Адвокат в Астане: уголовная защита, административные правонарушения.",
      "Астанадағы адвокат: қылмыстық істер бойынша қорғау.", "kk,ru,en", 4.3, 9, 9, 40000),
    P("a_ast_serikbaeva", "Жұлдыз", "Серікбаева", "advocate", "KZ-71", "Астана", ("family", "labour-disputes"),
      "Семейные споры, развод, взыскание алиментов, трудовые споры с работодателем.",
      "Отбасылық даулар, ажырасу, еңбек даулары.", "kk,ru", 4.8, 16, 11, 30000, True),
    P("a_ast_goncharenko", "Владимир", "Гончаренко", "advocate", "KZ-71", "Астана",
      ("economic-disputes", "civil-disputes"),
      "Корпоративные и договорные споры, взыскание дебиторской задолженности через суд.", "",
      "ru", 4.2, 6, 22, 60000),
    P("a_ast_konysbaev", "Талғат", "Қонысбаев", "advocate", "KZ-71", "Астана", ("land-disputes", "administrative"),
      "", "Жер учаскелеріне қатысты даулар, әкімдіктің шешімдеріне шағымдану.", "kk", 4.0, 3, 7, 35000),
    P("a_shy_serikova", "Ғалия", "Серікова", "advocate", "KZ-79", "Шымкент", ("land-disputes",), "",
      "Жер даулары бойынша адвокатпын. Шымкент қаласының тұрғындарына көмектесемін.", "kk", 4.0, 2, 3, 15000, True),
    P("a_shy_ybyraiuly", "Айдос", "Ыбырайұлы", "advocate", "KZ-79", "Шымкент", ("criminal-defence",),
      "Защита по уголовным делам в Шымкенте и Туркестанской области.",
      "Қылмыстық істер бойынша қорғаушы.", "kk,ru", 4.6, 13, 14, 35000),
    P("a_shy_shakenova", "Меруерт", "Шәкенова", "advocate", "KZ-79", "Шымкент", ("family", "civil-disputes"),
      "Бракоразводные процессы, алименты, раздел совместно нажитого имущества.",
      "Ажырасу, мүлікті бөлу, алимент.", "kk,ru", 4.5, 10, 8, 20000),
    P("a_atr_duisenov", "Қайрат", "Дүйсенов", "advocate", "KZ-23", "Атырау", ("criminal-defence", "civil-disputes"),
      "Уголовные и гражданские дела в судах Атырауской области.", "Қылмыстық және азаматтық істер.",
      "kk,ru", 4.4, 7, 18, 30000),
    P("a_atr_sergeeva", "Юлия", "Сергеева", "advocate", "KZ-23", "Атырау", ("labour-disputes",),
      "Трудовые споры работников нефтегазовых компаний: увольнение, вахта, производственная травма.", "",
      "ru,en", 4.7, 12, 10, 35000),
    P("a_kar_tkachenko", "Мария", "Ткаченко", "advocate", "KZ-35", "Караганда", ("family", "civil-disputes"),
      "Адвокат в Караганде. Развод, алименты, жилищные споры.", "", "ru", 4.5, 9, 13, 25000),
    P("a_pav_akhmedov", "Руслан", "Ахмедов", "advocate", "KZ-55", "Павлодар", ("civil-disputes", "land-disputes"),
      "Гражданские споры и представительство в суде, споры о земле и границах участков.", "",
      "ru", 3.4, 31, 16, 35000),
    P("a_sem_kenzhebekov", "Серік", "Кенжебеков", "advocate", "KZ-10", "Семей", ("criminal-defence",),
      "Адвокат по уголовным делам, город Семей.", "Семей қаласындағы адвокат, қылмыстық істер.",
      "kk,ru", 4.2, 5, 21, 25000),
    P("a_kos_boiko", "Николай", "Бойко", "advocate", "KZ-39", "Костанай", ("civil-disputes", "family"),
      "Гражданские и семейные дела в Костанае: долги, наследственные споры, развод.", "", "ru", 4.1, 4, 25, 20000),
    P("a_akt_toleuov", "Әділет", "Төлеуов", "advocate", "KZ-47", "Актау", ("labour-disputes", "administrative"),
      "Трудовые и административные споры в Мангистауской области.",
      "Еңбек даулары және әкімшілік істер, Ақтау.", "kk,ru", 4.3, 6, 8, 30000),
    # --- legal consultants ----------------------------------------------------------------------------
    P("c_alm_petrenko", "Ольга", "Петренко", "consultant", "KZ-75", "Алматы", ("tax", "corporate"),
      "Юридический консультант: налоги, проверки КГД, корпоративные вопросы ТОО.", "",
      "ru,en", 4.4, 18, 11, 12000, True),
    P("c_alm_saparova", "Камила", "Сапарова", "consultant", "KZ-75", "Алматы", ("contracts", "employer-labour-law"),
      "Составляю и проверяю договоры, трудовые договоры и приказы для работодателей.",
      "Шарттар жасаймын, жұмыс берушілерге еңбек құқығы бойынша кеңес беремін.", "kk,ru", 4.6, 13, 7, 15000),
    P("c_alm_tsoi", "Тимур", "Цой", "consultant", "KZ-75", "Алматы", ("intellectual-property", "corporate"),
      "Регистрация товарных знаков, авторское право, защита бренда.", "", "ru,en", 4.8, 9, 9, 30000, True),
    P("c_ast_kairatuly", "Асхат", "Қайратұлы", "consultant", "KZ-71", "Астана",
      ("business-registration", "intellectual-property"), "",
      "Бизнесті тіркеу және зияткерлік меншік бойынша кеңес беремін.", "kk", 3.5, 4, 2, 10000, True),
    P("c_ast_romanova", "Алёна", "Романова", "consultant", "KZ-71", "Астана", ("employer-labour-law", "contracts"),
      "Кадровое делопроизводство и трудовое право для работодателей, аудит трудовых договоров.", "",
      "ru", 4.2, 5, 6, 15000),
    P("c_shy_nurgaliuly", "Ербол", "Нұрғалиұлы", "consultant", "KZ-79", "Шымкент", ("business-registration", "tax"),
      "Открою ИП или ТОО под ключ, налоговая отчётность для малого бизнеса.",
      "ЖК мен ЖШС ашу, шағын бизнеске салық есептілігі.", "kk,ru", 4.5, 7, 5, 8000),
    P("c_kar_lim", "Ксения", "Лим", "consultant", "KZ-35", "Караганда", ("tax", "contracts"),
      "Налоговые консультации и договорная работа для предпринимателей Караганды.", "", "ru", 4.3, 6, 9, 10000),
    P("c_atr_musin", "Бекзат", "Мусин", "consultant", "KZ-23", "Атырау", ("corporate", "contracts"),
      "Сопровождение сделок, корпоративное право, договоры подряда с нефтесервисными компаниями.",
      "Корпоративтік құқық, шарттар.", "kk,ru,en", 4.4, 5, 12, 20000),
    P("c_ukg_belova", "Анастасия", "Белова", "consultant", "KZ-63", "Усть-Каменогорск",
      ("contracts", "business-registration"),
      "Договоры аренды и поставки, регистрация ИП и ТОО в Усть-Каменогорске.", "", "ru", 4.0, 3, 4, 10000),
    P("c_kzo_alimov", "Жасұлан", "Әлімов", "consultant", "KZ-43", "Қызылорда", ("contracts", "tax"), "",
      "Қызылордадағы заң кеңесшісі: шарттар, салық бойынша кеңес.", "kk", 4.1, 2, 3, 7000),
)
BY_KEY: dict[str, Person] = {p.key: p for p in PEOPLE}


def select(category: str | None = None, region: str | None = None, spec: str | tuple[str, ...] | None = None,
           city: str | None = None) -> set[str]:
    """Keys of the fixture's people with every given attribute (``spec``: any of the codes)."""
    specs = (spec,) if isinstance(spec, str) else spec
    return {p.key for p in PEOPLE
            if (category is None or p.category == category) and (region is None or p.region == region)
            and (city is None or p.city == city) and (specs is None or set(specs) & set(p.specs))}


def build() -> dict[str, int]:
    """Insert the fixture (accounts and approved profiles) into the app's database
    (call inside an app context); returns {key: profile id}."""
    from sqlalchemy import select as sql_select

    from portal.core.extensions import db
    from portal.models.accounts import PortalUser
    from portal.models.catalog import Category, Region
    from portal.models.practitioners import PractitionerProfile, ProfileStatus

    categories = {c.code: c for c in db.session.scalars(sql_select(Category))}
    regions = {r.code: r for r in db.session.scalars(sql_select(Region))}
    verified = dt.datetime(2026, 1, 15)
    ids: dict[str, int] = {}
    for n, p in enumerate(PEOPLE, 1):
        email = f"eval{n}@eval.alemtrust.kz"
        user = PortalUser(first_name=p.first, last_name=p.last, username=email, email=email, password="!",
                          active=True, locale="kk" if "kk" in p.languages.split(",")[:1] else "ru",
                          phone=f"+770100{n:05d}", region_id=regions[p.region].id)
        db.session.add(user)
        db.session.flush()
        category = categories[p.category]
        known = {s.code: s for s in category.specializations}
        profile = PractitionerProfile(
            user_id=user.id, category_id=category.id, status=ProfileStatus.APPROVED, city=p.city,
            about_ru=p.about_ru, about_kk=p.about_kk, languages=p.languages, experience_years=p.experience,
            price_from=p.price, licence_number=f"EVAL-{n:03d}", verified_since=verified - dt.timedelta(days=7 * n),
            rating_avg=p.rating, reviews_count=p.reviews, online_consultation=p.online)
        profile.regions = [regions[p.region]]
        profile.specializations = [known[code] for code in p.specs]
        db.session.add(profile)
        db.session.flush()
        ids[p.key] = profile.id
    db.session.commit()
    return ids
