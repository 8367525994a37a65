"""Seed data of the search concept dictionary (portal.models.search.SearchConcept).

A concept is how people say one legal thing: every phrase of it (kk in Cyrillic or
Latin 2021, ru, en; verbs, nouns and adjectives of one root, everyday words, old and
new place names) adds the token ``qq<code>`` to a document that contains it, and a
query with any of its phrases looks for that token. ``categories`` are the
practitioner categories that handle the matter (the search guide offers them).
A *query-only* concept changes no document: its phrases widen a query to the
concepts named by its categories (e.g. "юрист" -> advocates and consultants).

services.search.ensure_concepts inserts the concepts missing from the database
(by code) at every start; staff edits in the back office are never overwritten.
Phrases are separated by " / " below; the database keeps one phrase per line."""
from __future__ import annotations

from typing import NamedTuple


class SeedConcept(NamedTuple):
    code: str
    name_kk: str
    name_ru: str
    name_en: str
    categories: tuple[str, ...]
    phrases_kk: tuple[str, ...]
    phrases_ru: tuple[str, ...]
    phrases_en: tuple[str, ...]
    query_only: bool = False


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(" / ") if p.strip())


def _c(code: str, names: str, categories: str, kk: str, ru: str, en: str,
       query_only: bool = False) -> SeedConcept:
    name_kk, name_ru, name_en = (n.strip() for n in names.split("|"))
    return SeedConcept(code, name_kk, name_ru, name_en, tuple(categories.split()), _split(kk),
                       _split(ru), _split(en), query_only)


# Specialization names (kk / ru / en), repeated in the concepts that point to them so
# that a profile with the specialization carries the concept token.
_LABOUR = ("еңбек даулары / еңбек дауы", "трудовые споры / трудовой спор",
           "labour disputes / labour dispute / labor dispute")
_FAMILY = ("отбасылық даулар және ажырасу / отбасылық даулар / отбасылық дау",
           "семейные споры и развод / семейные споры / семейный спор",
           "family disputes and divorce / family disputes / family dispute")
_CRIMINAL = ("қылмыстық істер бойынша қорғау / қылмыстық іс / қылмыстық істер",
             "защита по уголовным делам / уголовное дело / уголовные дела",
             "criminal defence / criminal defense / criminal case")


_INHERITANCE = ("мұрагерлік істер", "наследственные дела", "inheritance cases")
_REALTY = ("жылжымайтын мүлік мәмілелері", "сделки с недвижимостью", "real-estate transactions")
_ADMINISTRATIVE = ("әкімшілік істер / әкімшілік іс", "административные дела / административное дело",
                   "administrative cases / administrative case")
_CONSTRUCTION = ("құрылыс-техникалық сараптама", "строительно-техническая экспертиза",
                 "construction and technical examination")
_CORPORATE = ("корпоративтік құқық", "корпоративное право", "corporate law")


def _with(base: tuple[str, str, str], kk: str, ru: str, en: str) -> tuple[str, str, str]:
    return (base[0] + " / " + kk, base[1] + " / " + ru, base[2] + " / " + en)


CONCEPTS: tuple[SeedConcept, ...] = (
    # --- the five categories ------------------------------------------------------
    _c("notary", "Нотариус | Нотариус | Notary", "notary",
       "нотариус / нотариат / нотариалдық / notarius / notariat",
       "нотариус / нотариат / нотариальный / нотариальная контора / нотариальное удостоверение",
       "notary / notary public / notarius / notarial"),
    _c("bailiff", "Сот орындаушысы | Судебный исполнитель | Bailiff", "bailiff",
       "жеке сот орындаушысы / сот орындаушысы / сот орындаушы / sot oryndauşysy / sot oryndaushy",
       "ЧСИ / частный судебный исполнитель / судебный исполнитель / судебный пристав / пристав / "
       "судисполнитель",
       "bailiff / private bailiff / enforcement officer"),
    _c("advocate", "Адвокат | Адвокат | Advocate", "advocate",
       "адвокат / қорғаушы / advokat / qorğauşy / qorgaushy",
       "адвокат / защитник / адвокатура / адвокатская контора",
       "advocate / defence lawyer / defense lawyer / defense attorney / attorney at law / barrister / "
       "solicitor / criminal defence lawyer / criminal defense lawyer"),
    _c("consultant", "Заң консультанты | Юридический консультант | Legal consultant", "consultant",
       "заң кеңесшісі / заң консультанты / заң кеңесі / zañ keñesşisi / zan konsultanty",
       "юридический консультант / юрконсультант / юридическая консультация / юридические услуги",
       "legal consultant / legal adviser / legal advisor / legal advice / legal services"),
    _c("expert", "Сот сарапшысы | Судебный эксперт | Court expert", "expert",
       "сот сарапшысы / сарапшы / сараптама / сот сараптамасы / sarapşy / sarapshy / saraptama",
       # "экспертиза" alone is also a lawyer's review of a contract, so only forensic phrases count
       "судебный эксперт / эксперт / судебная экспертиза / независимая экспертиза / экспертное заключение",
       "court expert / forensic expert / expert / expert witness / expert examination"),
    _c("lawyer", "Заңгер | Юрист | Lawyer", "advocate consultant",
       "заңгер / заңгерлер / zañger / zanger / заң көмегі",
       "юрист / юристы / юридическая помощь / правовая помощь",
       "lawyer / lawyers / legal help / legal aid", query_only=True),

    # --- notary -------------------------------------------------------------------
    _c("inheritance", "Мұрагерлік | Наследство | Inheritance", "notary",
       "мұрагерлік істер / мұра / мұрагерлік / мұрагер / мұрагерлер / мұраны ресімдеу / mūra / mura / "
       "mūrager / murager / mūragerlik",
       "наследственные дела / наследство / наследование / наследственный / наследственное дело / "
       "наследник / наследники / вступить в наследство / вступление в наследство / оформить наследство / "
       "отказ от наследства",
       "inheritance / inheritance cases / heir / heirs / estate of a deceased / probate"),
    _c("will", "Өсиет | Завещание | Will", "notary",
       *_with(_INHERITANCE, "өсиет / өсиетхат / өсиет қалдыру / өсиет жазу / ösiet / osiet",
              "завещание / завещать / завещал / завещала / составить завещание / написать завещание / "
              "оспорить завещание / завещанию",
              "will / last will / testament / make a will")),
    _c("realty", "Жылжымайтын мүлік | Недвижимость | Real estate", "notary",
       "жылжымайтын мүлік мәмілелері / жылжымайтын мүлік / пәтер / үй / jyljymaityn mülik / päter / pater",
       "сделки с недвижимостью / недвижимость / квартира / квартиры / квартиру / дом / жилой дом / "
       "доля в квартире",
       "real-estate transactions / real estate / property / flat / apartment / house"),
    _c("flat-purchase", "Пәтер сатып алу | Покупка квартиры | Buying a flat", "notary",
       *_with(_REALTY, "пәтер сатып алу / пәтер сату / үй сату / үй сатып алу / сатып алу-сату шарты / "
              "päter satyp alu",
              "купить квартиру / покупка квартиры / продать квартиру / продажа квартиры / купля-продажа / "
              "договор купли-продажи / купли-продажи / сделки с жильём",
              "buying a flat / buy a flat / buy an apartment / sale of a flat / sale and purchase agreement")),
    _c("gift", "Сыйға тарту | Дарение | Gift deed", "notary",
       "сыйға тарту / сыйға тарту шарты / сыйлау / syiğa tartu",
       "дарение / договор дарения / дарственная / подарить квартиру / подарить",
       "gift deed / deed of gift / donation of property"),
    _c("proxy", "Сенімхат | Доверенность | Power of attorney", "notary",
       "сенімхаттар / сенімхат / сенімхат беру / senımhat / senimhat",
       "доверенности / доверенность / генеральная доверенность / доверенность на машину / "
       "отозвать доверенность",
       "powers of attorney / power of attorney / proxy / letter of attorney"),
    _c("marriage-contract", "Неке шарты | Брачный договор | Marriage contract", "notary",
       "неке шарттары / неке шарты / neke şarty / neke sharty",
       "брачные договоры / брачный договор / брачного договора / брачный контракт",
       "marriage contracts / marriage contract / prenuptial agreement / prenup"),
    _c("copies", "Көшірмелерді куәландыру | Заверение копий | Certified copies", "notary",
       "көшірмелер мен аудармаларды куәландыру / көшірме / көшірмені куәландыру / köşirme",
       "свидетельствование копий и переводов / заверить копию / заверение копии / нотариальная копия / "
       "копия документа",
       "certification of copies and translations / certified copy / certify a copy / true copy"),
    _c("translation", "Аударманы куәландыру | Нотариальный перевод | Certified translation", "notary",
       "аударма / аударманы куәландыру / құжат аудармасы / audarma / "
       "көшірмелер мен аудармаларды куәландыру",  # the specialization's name carries both concepts
       "перевод документов / нотариальный перевод / заверить перевод / заверение перевода / "
       "свидетельствование копий и переводов",
       "certified translation / notarised translation / translation of documents / "
       "certification of copies and translations"),
    _c("executive-inscription", "Атқарушылық жазба | Исполнительная надпись | Executive inscription",
       "notary bailiff",
       "атқарушылық жазбалар / атқарушылық жазба / atqaruşylyq jazba",
       "исполнительные надписи / исполнительная надпись / исполнительной надписи",
       "executive inscriptions / executive inscription / notarial writ"),
    _c("travel-consent", "Шетелге шығуға келісім | Согласие на выезд | Travel consent", "notary",
       "баланың шетелге шығуына келісім / шетелге шығуға келісім / баланың шетелге шығуы / "
       "шетелге шығу / şetelge şyğu",
       "согласие на выезд ребёнка за границу / согласие на выезд / выезд ребенка / "
       "разрешение на выезд ребенка / выезд за границу",
       "consent for a child's travel abroad / travel consent / child travel consent / consent to travel"),
    _c("spouse-consent", "Жұбайының келісімі | Согласие супруга | Spouse's consent", "notary",
       "жұбайының келісімі / ерлі-зайыптының келісімі / jūbaiynyñ kelisimi",
       "согласие супруга / согласие супруги / нотариальное согласие",
       "spouse consent / spousal consent"),
    _c("signature", "Қолды куәландыру | Свидетельствование подписи | Signature certification", "notary",
       "қолды куәландыру / қолдың түпнұсқалығы",
       "засвидетельствовать подпись / подлинность подписи / свидетельствование подписи",
       "certify a signature / signature certification"),
    _c("apostille", "Апостиль | Апостиль | Apostille", "notary",
       "апостиль / apostil", "апостиль / апостилирование / легализация документов",
       "apostille / legalisation of documents"),
    _c("privatization", "Жекешелендіру | Приватизация | Privatisation", "notary",
       "жекешелендіру / jekeşelendiru", "приватизация / приватизировать",
       "privatisation / privatization"),
    _c("property-registration", "Құқықты тіркеу | Регистрация права | Title registration", "notary",
       "құқықты тіркеу / меншік құқығы / тіркеу куәлігі",
       "регистрация права / переоформить квартиру / переоформление / право собственности",
       "title registration / ownership rights / re-registration of property"),
    _c("share-sale", "Үлесті сату | Продажа доли | Sale of a share", "notary consultant",
       "үлесті сату / үлесті иеліктен шығару",
       "продажа доли / отчуждение доли / доля в ТОО",
       "sale of a share / share transfer"),
    _c("lease", "Жалға алу | Аренда | Lease", "notary consultant",
       "жалға алу / жалға беру / жалдау шарты / jalğa alu",
       "аренда / договор аренды / снять квартиру / сдать квартиру / наем жилья",
       "lease / rent / tenancy agreement / rental agreement"),
    _c("mortgage", "Ипотека | Ипотека и залог | Mortgage", "notary consultant",
       "ипотека / кепіл / кепілдік шарты / kepil",
       "ипотека / залог / договор залога / залог имущества",
       "mortgage / pledge / collateral"),
    _c("car", "Көлік | Автомобиль | Car", "notary expert",
       "көлік / автокөлік / машина / kölik / kolik",
       "автомобиль / машина / авто / машину / автомобиля",
       "car / vehicle / automobile"),

    # --- bailiff ------------------------------------------------------------------
    _c("alimony", "Алимент | Алименты | Alimony", "bailiff advocate",
       *_with(_FAMILY, "алимент өндіру / алимент / алименттер / алимент төлемейді / aliment",
              "взыскание алиментов / алименты / алимент / алиментов / взыскать алименты / "
              "не платит алименты / задолженность по алиментам",
              "alimony collection / alimony / child support / maintenance payments")),
    _c("debt", "Қарыз өндіру | Взыскание долга | Debt collection", "bailiff",
       "жеке тұлғалардан қарыз өндіру / қарыз өндіру / қарыз / қарызды қайтару / қарызды өндіру / "
       "борыш / борышкер / qaryz / karyz / qaryz öndiru",
       "взыскание долгов с физических лиц / взыскание долга / взыскание долгов / долг / долги / долгов / "
       "должник / задолженность / вернуть долг / не возвращает долг / не отдает долг / взыскать долг",
       "debt recovery from individuals / debt collection / debt recovery / debt / debts / debtor / "
       "collect a debt / recover a debt"),
    _c("debt-companies", "Заңды тұлғалардан қарыз | Долги юридических лиц | Corporate debt", "bailiff",
       "заңды тұлғалардан қарыз өндіру / дебиторлық берешек / берешек",
       "взыскание долгов с юридических лиц / дебиторская задолженность / контрагент не платит / "
       "долг компании / дебиторская задолженность через суд",
       "debt recovery from companies / receivables / unpaid invoices / corporate debt"),
    _c("loan", "Несие | Кредит и заём | Loan", "bailiff consultant",
       "несие / несиелер / қарыз алу / микрокредит / nesie",
       "кредит / кредиты / кредита / кредиту / заём / заем / займ / займы / микрокредит / "
       "микрозайм / долг по кредиту / не могу платить кредит",
       "loan / loans / credit / microloan / payday loan"),
    _c("receipt", "Қолхат | Расписка | IOU", "bailiff advocate",
       "қолхат / qolhat", "расписка / расписку / долговая расписка", "IOU / promissory note / receipt"),
    _c("guarantor", "Кепілгер | Поручитель | Guarantor", "bailiff advocate",
       "кепілгер / кепілдік", "поручитель / поручительство / гарант", "guarantor / surety"),
    _c("collector", "Коллектор | Коллекторы | Debt collector", "bailiff advocate",
       "коллектор / коллекторлар", "коллектор / коллекторы / коллекторское агентство",
       "debt collector / collection agency"),
    _c("enforcement", "Сот шешімін орындау | Исполнение решений | Enforcement", "bailiff",
       "сот шешімдерін орындау / сот шешімін орындау / атқарушылық іс жүргізу / атқарушылық парақ / "
       "атқарушылық құжат",
       "исполнение судебных решений / исполнение решения суда / исполнительное производство / "
       "исполнительный лист / исполнительный документ / решение суда не исполняется",
       "enforcement of court decisions / enforcement / writ of execution / enforcement proceedings / "
       "enforce a judgment"),
    _c("seizure", "Тыйым салу | Арест имущества | Seizure", "bailiff",
       "мүлікке тыйым салу / тыйым салу / шотқа тыйым салу / шотты бұғаттау / tyiym salu",
       "арест имущества / арест счета / арестовали счет / наложить арест / снять арест / "
       "опись имущества / арестовали машину / блокировка счета",
       "seizure of property / seizure / asset freeze / frozen account / arrest of property"),
    _c("eviction", "Үйден шығару | Выселение | Eviction", "bailiff advocate",
       "тұрғын үйден шығару / үйден шығару / пәтерден шығару / üiden şyğaru",
       "выселение / выселить / выселили / выселить квартиранта / выселение жильцов",
       "eviction / evict / evict a tenant"),
    _c("travel-ban", "Шетелге шығуға тыйым | Запрет на выезд | Travel ban", "bailiff",
       "шетелге шығуға тыйым / шығуға шектеу", "запрет на выезд / ограничение выезда / не выпускают за границу",
       "travel ban / exit ban"),

    # --- court expert -------------------------------------------------------------
    _c("forensic-accounting", "Сот-бухгалтерлік сараптама | Бухгалтерская экспертиза | Forensic accounting",
       "expert",
       "сот-бухгалтерлік сараптама / бухгалтерлік сараптама / жымқыру / кемшілік",
       "судебно-бухгалтерская экспертиза / бухгалтерская экспертиза / растрата / недостача / "
       "финансовая экспертиза",
       "forensic accounting / accounting examination / embezzlement / shortage"),
    _c("construction", "Құрылыс сараптамасы | Строительная экспертиза | Construction expertise", "expert",
       "құрылыс-техникалық сараптама / құрылыс сараптамасы / сапасыз жөндеу / үй жарылды",
       "строительно-техническая экспертиза / строительная экспертиза / некачественный ремонт / "
       "трещины в доме / трещина в стене / брак строительства / строительные недостатки",
       "construction and technical examination / construction expertise / building defects / "
       "poor repairs / cracks in the walls"),
    _c("contractor", "Мердігер | Подрядчик | Contractor", "expert advocate",
       "мердігер / құрылысшы / merdiger", "подрядчик / строители / строительная компания / застройщик",
       "contractor / builder / developer"),
    _c("flood", "Су басу | Затопление | Flood damage", "expert advocate",
       *_with(_CONSTRUCTION, "су басу / су басты / көршілер су басты / пәтерді су басты / su basu / жөндеу құны",
              "залили соседи / залили / затопление / затопили / затопили соседи / потоп / ущерб квартире / "
              "протечка / прорвало трубу / стоимость ремонта",
              "flood damage / flooded flat / water damage / flooded by neighbours / leak / cost of repairs")),
    _c("handwriting", "Қолтаңбатану сараптамасы | Почерковедческая экспертиза | Handwriting examination",
       "expert",
       "қолтаңбатану сараптамасы / қолтаңба / қолтаңбатану / қолды қолдан жасау / қолы жалған / "
       "qoltañba / qoltanba / koltanba",
       "почерковедческая экспертиза / почерковедческая / почерковед / почерк / подделали подпись / "
       "поддельная подпись / подделка подписи / подпись не моя / проверка подписи / подлинность подписи",
       "handwriting examination / handwriting / handwriting expert / forged signature / "
       "signature forgery / fake signature"),
    _c("forgery", "Құжатты қолдан жасау | Подделка документов | Forged documents", "expert advocate",
       "құжатты қолдан жасау / жалған құжат", "подделка документов / поддельный документ / подделали документ",
       "forged document / document forgery"),
    _c("auto-technical", "Автотехникалық сараптама | Автотехническая экспертиза | Car accident expertise",
       "expert",
       "автотехникалық сараптама / жол-көлік оқиғасы / жкo / апат / жол апаты / көлік апаты / "
       "avtotehnikalyq saraptama / jol apaty",
       "автотехническая экспертиза / ДТП / авария / автоавария / столкновение / разбили машину / "
       "ущерб от ДТП / попал в аварию",
       "vehicle and road accident examination / car accident / road accident / accident expert / "
       "car accident expert / crash / traffic accident / collision"),
    _c("valuation", "Мүлікті бағалау | Оценка имущества | Valuation", "expert",
       "мүлікті бағалау / бағалау / бағалаушы / bağalau / bagalau",
       "оценка имущества / оценка / оценщик / оценить квартиру / рыночная стоимость / оценка ущерба / "
       "оценка автомобиля",
       "property valuation / valuation / appraisal / appraiser / market value / damage assessment"),
    _c("psychological", "Психологиялық сараптама | Психологическая экспертиза | Psychological examination",
       "expert",
       "психологиялық сараптама / психолог / psihologiialyq saraptama",
       "психологическая экспертиза / психолого-психиатрическая экспертиза / психолог",
       "psychological examination / psychological assessment / psychologist"),
    _c("linguistic", "Лингвистикалық сараптама | Лингвистическая экспертиза | Linguistic examination",
       "expert",
       "лингвистикалық сараптама / мәтін сараптамасы / lingvistikalyq saraptama",
       "лингвистическая экспертиза / экспертиза текста / лингвист",
       "linguistic examination / text examination / linguist"),
    _c("defamation", "Жала жабу | Клевета и оскорбление | Defamation", "advocate expert",
       "жала жабу / қорлау / ар-намыс / ар-намысты қорғау / jala jabu",
       "клевета / оскорбление / оскорбили / защита чести и достоинства / честь и достоинство / "
       "деловая репутация",
       "defamation / libel / slander / insult / protection of honour"),
    _c("medical-expertise", "Сот-медициналық сараптама | Судебно-медицинская экспертиза | Medical expertise",
       "expert advocate",
       "сот-медициналық сараптама / дәрігер қателігі / медициналық қате",
       "судебно-медицинская экспертиза / врачебная ошибка / медицинская ошибка / побои снять",
       "forensic medical examination / medical malpractice / medical error"),
    _c("fire-expertise", "Өрт-техникалық сараптама | Пожарно-техническая экспертиза | Fire investigation",
       "expert",
       "өрт-техникалық сараптама / өрт / өрт шықты", "пожарно-техническая экспертиза / пожар / сгорел дом",
       "fire investigation / fire damage"),
    _c("computer-expertise", "Компьютерлік сараптама | Компьютерная экспертиза | Digital forensics", "expert",
       "компьютерлік сараптама / телефон сараптамасы", "компьютерная экспертиза / экспертиза телефона / "
       "переписка в мессенджере", "digital forensics / computer forensics / phone examination"),
    _c("audit", "Аудит | Аудит | Audit", "expert consultant",
       "аудит / тексеру", "аудит / аудитор / финансовая проверка", "audit / auditor / financial review"),
    _c("damage", "Залалды өтеу | Возмещение ущерба | Damages", "advocate expert",
       "залалды өтеу / залал / шығынды өтеу / zalal",
       "возмещение ущерба / ущерб / возместить ущерб / компенсация ущерба / материальный ущерб",
       "damages / compensation for damage / damage compensation"),

    # --- advocate -----------------------------------------------------------------
    _c("criminal", "Қылмыстық іс | Уголовное дело | Criminal case", "advocate",
       *_with(_CRIMINAL,
              "қылмыстық / айыптау / айыпталушы / күдікті / qylmystyq is / kylmystyk / үкім / "
              "үкімге шағымдану",
              "уголовный / обвинение / обвиняют / обвиняемый / подозреваемый / подозревают / уголовка / "
              "возбудили уголовное дело / статья УК / приговор / обжаловать приговор / "
              "обжалование приговора / уголовная защита / уголовные",
              "criminal lawyer / criminal defence lawyer / criminal defense lawyer / accused / "
              "suspect / criminal charges / sentence / verdict / appeal a sentence")),
    _c("fraud", "Алаяқтық | Мошенничество | Fraud", "advocate",
       "алаяқтық / алаяқ / алаяқтар / алдап кетті / alaiaqtyq",
       "мошенничество / мошенники / мошенник / обманули / развели на деньги / обман",
       "fraud / scam / scammers / swindle"),
    _c("theft", "Ұрлық | Кража | Theft", "advocate",
       "ұрлық / ұрлады / ұры / ūrlyq", "кража / украли / вор / грабеж / разбой", "theft / robbery / stolen"),
    _c("detention", "Ұстау | Задержание | Detention", "advocate",
       *_with(_CRIMINAL, "ұстау / ұсталды / қамауға алу / қамау / ustau",
              "задержание / задержали / арестовали сына / арестовали мужа / мера пресечения / "
              "взятие под стражу / СИЗО",
              "detention / detained / arrested / custody pending trial / pre-trial detention")),
    _c("investigation", "Тергеу | Следствие | Investigation", "advocate",
       *_with(_CRIMINAL, "тергеу / тергеуші / жауап алу / полиция / tergeu",
              "следствие / следователь / допрос / вызвали на допрос / вызов к следователю / полиция",
              "investigation / investigator / interrogation / questioning by police / police")),
    _c("bribery", "Пара алу | Взятка | Bribery", "advocate",
       "пара / пара алу / сыбайлас жемқорлық", "взятка / коррупция / взяточничество",
       "bribe / bribery / corruption"),
    _c("violence", "Тұрмыстық зорлық | Бытовое насилие | Domestic violence", "advocate",
       "тұрмыстық зорлық-зомбылық / тұрмыстық зорлық / ұрып-соғу",
       "бытовое насилие / побои / избил / избиение / телесные повреждения",
       "domestic violence / assault / battery / bodily harm"),
    _c("drugs", "Есірткі | Наркотики | Drugs", "advocate",
       "есірткі / esirtki", "наркотики / наркотическое / хранение наркотиков", "drugs / drug charges / narcotics"),
    _c("drunk-driving", "Мас күйде көлік жүргізу | Пьяный за рулём | Drunk driving", "advocate",
       "мас күйде көлік жүргізу / мас күйде", "пьяный за рулем / вождение в нетрезвом виде / в нетрезвом виде",
       "drunk driving / driving under the influence / DUI"),
    _c("driving-licence", "Жүргізуші куәлігі | Лишение прав | Driving licence", "advocate",
       *_with(_ADMINISTRATIVE, "жүргізуші куәлігінен айыру / жүргізуші куәлігі / куәлігін алып қойды",
              "лишение прав / лишили прав / лишили водительских прав / водительские права / "
              "вернуть права / административные правонарушения",
              "driving licence / driving license / licence suspension")),
    _c("juvenile", "Кәмелетке толмағандар | Несовершеннолетние | Juveniles", "advocate",
       "кәмелетке толмаған / жасөспірім", "несовершеннолетний / несовершеннолетние / подросток",
       "juvenile / minor / teenager"),
    _c("extortion", "Бопсалау | Вымогательство | Extortion", "advocate",
       "бопсалау / бопсалап", "вымогательство / вымогают / шантаж", "extortion / blackmail"),
    _c("civil", "Азаматтық даулар | Гражданские споры | Civil disputes", "advocate",
       "азаматтық даулар / азаматтық дау / азаматтық іс / талап арыз / талап қою / azamattyq dau",
       "гражданские споры / гражданский спор / гражданское дело / иск / исковое заявление / "
       "подать иск / подать в суд",
       "civil disputes / civil dispute / civil case / lawsuit / sue / file a claim"),
    _c("court", "Сот | Суд | Court", "advocate",
       "сот / сотта өкілдік / сотқа жүгіну / сот отырысы / sot",
       "суд / судебное заседание / представительство в суде / представитель в суде / судиться",
       "court / court hearing / court representation / litigation"),
    _c("appeal", "Шағымдану | Обжалование | Appeal", "advocate",
       "шағымдану / шағым / апелляциялық шағым / сот шешіміне шағымдану / кассациялық шағым / şağymdanu / "
       "shagymdanu / shagym",
       "обжаловать / обжалование / обжаловать решение / апелляция / апелляционная жалоба / кассация / "
       "кассационная жалоба / жалоба на решение суда / пересмотр решения",
       "appeal / appeals / cassation / appeal a decision / challenge a court decision"),
    _c("family", "Отбасылық даулар | Семейные споры | Family disputes", "advocate",
       *_with(_FAMILY, "отбасы / отбасылық құқық / ерлі-зайыптылар",
              "семейное право / семья / супруг / супруга / муж / жена",
              "family law / family / spouse / husband / wife")),
    _c("divorce", "Ажырасу | Развод | Divorce", "advocate",
       *_with(_FAMILY,
              "ажырасу / ажырасқым / ажырасқысы / ажырасамын / ажырасу туралы / некені бұзу / ajyrasu / "
              "ajyrasqym / ajyrasu turaly",
              "развод / разводиться / развестись / развелись / разведусь / развода / расторжение брака / "
              "расторгнуть брак / хочу развестись",
              "divorce / get divorced / divorce lawyer / dissolution of marriage")),
    _c("custody", "Баланың тұрғылықты жері | Опека и место жительства ребёнка | Child custody",
       "advocate",
       "баланың тұрғылықты жері / қамқоршылық / қорғаншылық / ата-ана құқығынан айыру / баламен кездесу",
       "определение места жительства ребенка / опека / опекунство / с кем останется ребенок / "
       "порядок общения с ребенком / лишение родительских прав",
       "child custody / custody / guardianship / visitation rights / parental rights"),
    _c("property-division", "Мүлікті бөлу | Раздел имущества | Division of property", "advocate",
       "мүлікті бөлу / ортақ мүлікті бөлу / mülikti bölu",
       "раздел имущества / раздел совместного имущества / поделить имущество / раздел квартиры",
       "division of property / property division / marital property"),
    _c("paternity", "Әкелікті анықтау | Установление отцовства | Paternity", "advocate expert",
       "әкелікті анықтау / әкелік", "установление отцовства / отцовство / ДНК тест / тест ДНК",
       "paternity / paternity test / DNA test"),
    _c("adoption", "Бала асырап алу | Усыновление | Adoption", "advocate",
       "бала асырап алу / асырап алу / asyrap alu", "усыновление / удочерение / усыновить",
       "adoption / adopt a child"),
    _c("labour", "Еңбек даулары | Трудовые споры | Labour disputes", "advocate consultant",
       *_with(_LABOUR, "еңбек құқығы / жұмыс беруші / eñbek dauy / enbek dauy",
              "трудовое право / работодатель / трудовая инспекция / права работника",
              "employment dispute / employment law / employer / employee rights")),
    _c("dismissal", "Жұмыстан шығару | Увольнение | Dismissal", "advocate",
       *_with(_LABOUR,
              "жұмыстан шығару / жұмыстан шығарды / жұмыстан шығарып жіберді / жұмыстан босату / "
              "жұмысқа қайта алу / жұмысқа қайта орналастыру / qysqartu / қысқарту / jūmystan şyğaru / "
              "jumystan shygaru",
              "уволили / уволил / уволить / уволен / уволена / увольнение / незаконное увольнение / "
              "восстановление на работе / восстановить на работе / сократили / сокращение / "
              "сокращение штата / заставили написать заявление",
              "dismissal / wrongful dismissal / unfair dismissal / fired / dismissed / laid off / "
              "reinstatement")),
    _c("wages", "Жалақы | Зарплата | Unpaid wages", "advocate",
       "жалақы / жалақы төленбеді / жалақыны бермейді / jalaqy",
       "невыплата зарплаты / задержка зарплаты / не платят зарплату / зарплата / заработная плата / "
       "расчет при увольнении",
       "unpaid wages / salary arrears / wages / salary"),
    _c("workplace-injury", "Өндірістік жарақат | Производственная травма | Workplace injury", "advocate",
       "өндірістік жарақат / жұмыстағы жарақат", "производственная травма / несчастный случай на работе / "
       "травма на работе", "workplace injury / work accident / industrial injury"),
    _c("administrative", "Әкімшілік істер | Административные дела | Administrative cases", "advocate",
       "әкімшілік істер / әкімшілік іс / әкімшілік құқық бұзушылық / айыппұл / äkimşilik is / akimshilik",
       "административные дела / административное дело / административное правонарушение / штраф / "
       "административный штраф / штрафы / обжаловать штраф",
       "administrative cases / administrative case / administrative offence / fine / penalty"),
    _c("state-bodies", "Мемлекеттік органдар | Госорганы | State bodies", "advocate",
       "мемлекеттік орган / әкімдік / әкімшілік рәсім / мемлекеттік органның әрекеті",
       "госорган / акимат / действия госоргана / обжалование действий / административная процедура",
       "government agency / state body / public authority"),
    _c("economic", "Экономикалық даулар | Экономические споры | Economic disputes", "advocate",
       "экономикалық және арбитраждық даулар / экономикалық дау / арбитраж / шаруашылық дау",
       "экономические и арбитражные споры / экономический спор / арбитражный спор / арбитраж / "
       "хозяйственный спор / спор с контрагентом",
       "economic and arbitration disputes / economic dispute / arbitration / commercial dispute / "
       "business dispute"),
    _c("bankruptcy", "Банкроттық | Банкротство | Bankruptcy", "advocate consultant",
       "банкроттық / банкрот / төлем қабілеттілігін қалпына келтіру / bankrottyq",
       "банкротство / банкрот / банкротство физических лиц / восстановление платежеспособности",
       "bankruptcy / insolvency / personal bankruptcy"),
    _c("land", "Жер даулары | Земельные споры | Land disputes", "advocate",
       "жер даулары / жер дауы / жер / жер учаскесі / жер телімі / jer dauy",
       "земельные споры / земельный спор / земля / земельный участок / участок / межевание",
       "land disputes / land dispute / land / land plot / plot of land"),
    _c("neighbours", "Көршілермен дау | Спор с соседями | Neighbour disputes", "advocate",
       "көршілермен дау / көршілер / көрші", "спор с соседями / соседи / сосед",
       "neighbour dispute / neighbors / neighbours"),
    _c("consumer", "Тұтынушылар құқығы | Защита прав потребителей | Consumer rights", "advocate consultant",
       "тұтынушылардың құқығын қорғау / тұтынушылар құқығы / тауарды қайтару",
       "защита прав потребителей / права потребителя / вернуть товар / некачественный товар / "
       "вернуть деньги за товар",
       "consumer rights / consumer protection / return goods / faulty goods"),
    _c("insurance", "Сақтандыру | Страховка | Insurance", "advocate",
       "сақтандыру / сақтандыру төлемі / saqtandyru", "страховка / страховая / страховая выплата / "
       "страховая компания / ОСАГО", "insurance / insurance claim / insurer"),
    _c("housing", "Тұрғын үй дауы | Жилищные споры | Housing disputes", "advocate",
       "тұрғын үй дауы / тұрғын үй / баспана / коммуналдық қызметтер / ПИК / ОСИ",
       "жилищный спор / жилье / коммунальные услуги / КСК / ОСИ / управляющая компания",
       "housing dispute / housing / utilities / homeowners association"),
    _c("migration", "Көші-қон | Миграция и гражданство | Migration", "advocate consultant",
       "көші-қон / азаматтық алу / ықтиярхат / тұруға рұқсат",
       "миграция / гражданство / вид на жительство / депортация / РВП",
       "migration / citizenship / residence permit / deportation / visa"),
    _c("pension", "Зейнетақы | Пенсия и пособия | Pension", "advocate consultant",
       "зейнетақы / жәрдемақы / зейнетке шығу / zeinetaqy",
       "пенсия / пособие / пенсионные отчисления / социальные выплаты / ЕНПФ",
       "pension / benefits / social payments"),
    _c("moral-damage", "Моральдық зиян | Моральный вред | Moral damages", "advocate",
       "моральдық зиян / моральдық зиянды өтеу", "моральный вред / компенсация морального вреда",
       "moral damages / emotional distress"),
    _c("bank-dispute", "Банкпен дау | Спор с банком | Bank dispute", "advocate consultant",
       "банкпен дау / банк", "спор с банком / банк / банк списал деньги", "bank dispute / bank"),
    _c("mediation", "Медиация | Медиация | Mediation", "advocate consultant",
       "медиация / медиатор / татуласу", "медиация / медиатор / мировое соглашение / примирение",
       "mediation / mediator / settlement"),

    # --- legal consultant ---------------------------------------------------------
    _c("corporate", "Корпоративтік құқық | Корпоративное право | Corporate law", "consultant",
       "корпоративтік құқық / ЖШС / құрылтайшы / акционер / qatysuşy / korporativtik",
       "корпоративное право / корпоративный юрист / ТОО / учредитель / учредители / акционер / "
       "акционеры / участник ТОО",
       "corporate law / corporate lawyer / LLP / shareholder / founder / company law"),
    _c("contracts", "Шарттар | Договоры | Contracts", "consultant",
       "шарттарды жасау және сараптау / шарт / шарт жасау / шартты тексеру / келісімшарт / şart / shart",
       "составление и экспертиза договоров / договор / договора / составить договор / проверить договор / "
       "экспертиза договора / контракт",
       "drafting and review of contracts / contract / contract drafting / contract review / agreement"),
    _c("tax", "Салық | Налоги | Tax", "consultant",
       "салықтық кеңес беру / салық / салықтар / салық декларациясы / салықтық тексеру / salyq",
       "налоговое консультирование / налог / налоги / налоговая / налоговая проверка / декларация / "
       "налоговый спор / налоговый консультант",
       "tax consulting / tax / taxes / tax return / tax audit / tax adviser"),
    _c("business-registration", "Бизнесті тіркеу | Регистрация бизнеса | Business registration", "consultant",
       *_with(_CORPORATE, "бизнесті тіркеу / ЖК ашу / ЖШС ашу / жеке кәсіпкер / компания тіркеу / biznesti tirkeu",
              "регистрация бизнеса / регистрация ТОО / открыть ТОО / открыть ИП / регистрация ИП / ИП / "
              "открыть бизнес / зарегистрировать компанию",
              "business registration / register a company / start a business / company registration / "
              "sole proprietor")),
    _c("liquidation", "Тарату | Ликвидация | Liquidation", "consultant",
       "таратуы / тарату / ЖШС жабу", "ликвидация / ликвидация ТОО / закрыть ТОО / закрыть ИП",
       "liquidation / close a company"),
    _c("intellectual-property", "Зияткерлік меншік | Интеллектуальная собственность | Intellectual property",
       "consultant",
       "зияткерлік меншік / тауар белгісі / авторлық құқық / патент / ziiatkerlik menşik",
       "интеллектуальная собственность / товарный знак / авторское право / патент / бренд / "
       "регистрация товарного знака",
       "intellectual property / trademark / copyright / patent / brand"),
    _c("employer-labour-law", "Жұмыс берушілерге еңбек құқығы | Трудовое право для работодателей | "
       "Labour law for employers", "consultant",
       "жұмыс берушілерге арналған еңбек құқығы / еңбек шарты / кадр құжаттары / бұйрық",
       "трудовое право для работодателей / трудовой договор / кадровые документы / кадровое делопроизводство / "
       "приказ об увольнении",
       "labour law for employers / employment contract / HR documents / HR law"),
    _c("licensing", "Лицензиялау | Лицензии и разрешения | Licensing", "consultant",
       "лицензия / лицензиялау / рұқсат алу", "лицензия / лицензирование / разрешение / получить лицензию",
       "license / licence / permit / licensing"),
    _c("procurement", "Мемлекеттік сатып алу | Госзакупки | Public procurement", "consultant advocate",
       "мемлекеттік сатып алу / тендер", "госзакупки / государственные закупки / тендер",
       "public procurement / tender"),
    _c("customs", "Кеден | Таможня | Customs", "consultant",
       "кеден / кедендік ресімдеу", "таможня / таможенное оформление / растаможка", "customs / customs clearance"),
    _c("due-diligence", "Контрагентті тексеру | Проверка контрагента | Due diligence", "consultant",
       "контрагентті тексеру", "проверка контрагента / дью дилидженс / проверка компании",
       "due diligence / counterparty check"),
    _c("investment", "Инвестиция | Инвестиции | Investment", "consultant",
       "инвестиция / инвестор", "инвестиции / инвестор / инвестиционный договор", "investment / investor"),
    _c("personal-data", "Дербес деректер | Персональные данные | Personal data", "consultant",
       "дербес деректер", "персональные данные / защита данных", "personal data / data protection"),
)

# Old and new place names: (code, names kk | ru | en, kk phrases, ru phrases, en phrases)
_PLACES = (
    ("astana", "Астана | Астана | Astana", "Астана / Нұр-Сұлтан / Ақмола / Целиноград",
     "Астана / Нур-Султан / Целиноград / Акмола / Акмолинск", "Astana / Nur-Sultan / Tselinograd / Akmola"),
    ("almaty", "Алматы | Алматы | Almaty", "Алматы / Almaty", "Алматы / Алма-Ата / Алмата / Верный",
     "Almaty / Alma-Ata / Alma Ata"),
    ("shymkent", "Шымкент | Шымкент | Shymkent", "Шымкент / Şymkent", "Шымкент / Чимкент",
     "Shymkent / Chimkent"),
    ("atyrau", "Атырау | Атырау | Atyrau", "Атырау / Atyrau", "Атырау / Гурьев", "Atyrau / Guryev / Gurev"),
    ("semey", "Семей | Семей | Semey", "Семей / Semei", "Семей / Семипалатинск", "Semey / Semipalatinsk"),
    ("oskemen", "Өскемен | Усть-Каменогорск | Oskemen", "Өскемен / Öskemen", "Усть-Каменогорск / Оскемен",
     "Oskemen / Ust-Kamenogorsk"),
    ("oral", "Орал | Уральск | Oral", "Орал / Oral", "Уральск / Орал", "Oral / Uralsk"),
    ("petropavl", "Петропавл | Петропавловск | Petropavl", "Петропавл / Petropavl", "Петропавловск / Петропавл",
     "Petropavl / Petropavlovsk"),
    ("kostanay", "Қостанай | Костанай | Kostanay", "Қостанай / Qostanai", "Костанай / Кустанай",
     "Kostanay / Kustanai"),
    ("taraz", "Тараз | Тараз | Taraz", "Тараз / Taraz", "Тараз / Джамбул / Жамбыл / Аулие-Ата",
     "Taraz / Dzhambul / Zhambyl / Auliye-Ata"),
    ("aktobe", "Ақтөбе | Актобе | Aktobe", "Ақтөбе / Aqtöbe", "Актобе / Актюбинск", "Aktobe / Aktyubinsk"),
    ("taldykorgan", "Талдықорған | Талдыкорган | Taldykorgan", "Талдықорған / Taldyqorğan",
     "Талдыкорган / Талды-Курган", "Taldykorgan / Taldy-Kurgan"),
    ("kyzylorda", "Қызылорда | Кызылорда | Kyzylorda", "Қызылорда / Qyzylorda", "Кызылорда / Кзыл-Орда",
     "Kyzylorda / Kzyl-Orda"),
    ("aktau", "Ақтау | Актау | Aktau", "Ақтау / Aqtau", "Актау / Шевченко", "Aktau / Shevchenko"),
    ("konaev", "Қонаев | Конаев | Konaev", "Қонаев / Қапшағай / Qonaev", "Конаев / Капчагай / Капшагай",
     "Konaev / Kapchagay / Kapshagay"),
    ("karaganda", "Қарағанды | Караганда | Karaganda", "Қарағанды / Qarağandy", "Караганда",
     "Karaganda / Karagandy"),
    ("kokshetau", "Көкшетау | Кокшетау | Kokshetau", "Көкшетау / Kökşetau", "Кокшетау / Кокчетав",
     "Kokshetau / Kokchetav"),
    ("turkistan", "Түркістан | Туркестан | Turkistan", "Түркістан / Türkistan", "Туркестан / Туркистан",
     "Turkistan / Turkestan"),
    ("zhezkazgan", "Жезқазған | Жезказган | Zhezkazgan", "Жезқазған / Jezqazğan", "Жезказган / Джезказган",
     "Zhezkazgan / Dzhezkazgan"),
    ("baikonur", "Байқоңыр | Байконур | Baikonur", "Байқоңыр / Baiqoñyr", "Байконур / Ленинск",
     "Baikonur / Leninsk"),
    ("ridder", "Риддер | Риддер | Ridder", "Риддер", "Риддер / Лениногорск", "Ridder / Leninogorsk"),
    ("satpayev", "Сәтбаев | Сатпаев | Satpayev", "Сәтбаев / Sätbaev", "Сатпаев / Никольский",
     "Satpayev / Satbayev"),
    ("zhanaozen", "Жаңаөзен | Жанаозен | Zhanaozen", "Жаңаөзен / Jañaözen", "Жанаозен / Новый Узень",
     "Zhanaozen / Novy Uzen"),
    ("aksu", "Ақсу | Аксу | Aksu", "Ақсу / Aqsu", "Аксу / Ермак", "Aksu / Yermak"),
    ("balkhash", "Балқаш | Балхаш | Balkhash", "Балқаш / Balqaş", "Балхаш", "Balkhash"),
    ("arkalyk", "Арқалық | Аркалык | Arkalyk", "Арқалық / Arqalyq", "Аркалык", "Arkalyk"),
    ("mangystau", "Маңғыстау | Мангистау | Mangystau", "Маңғыстау / Mañğystau",
     "Мангистау / Мангышлак / Мангистауская область", "Mangystau / Mangyshlak"),
    ("ekibastuz", "Екібастұз | Экибастуз | Ekibastuz", "Екібастұз / Ekibastūz", "Экибастуз", "Ekibastuz"),
    ("temirtau", "Теміртау | Темиртау | Temirtau", "Теміртау / Temirtau", "Темиртау", "Temirtau"),
    ("pavlodar", "Павлодар | Павлодар | Pavlodar", "Павлодар", "Павлодар", "Pavlodar"),
)

CONCEPTS += tuple(_c(code, names, "", kk, ru, en) for code, names, kk, ru, en in _PLACES)

CONCEPTS += (
    _c("citizen-registration", "Тіркеу | Прописка | Residence registration", "consultant",
       "тұрақты тіркеу / тіркеуден шығару", "прописка / выписать из квартиры / снять с регистрации",
       "residence registration / deregistration"),
    _c("personal-injury", "Денсаулыққа зиян | Вред здоровью | Personal injury", "advocate expert",
       "денсаулыққа зиян / жарақат", "вред здоровью / травма / тяжкий вред", "personal injury / injury"),
    _c("murder", "Кісі өлтіру | Убийство | Homicide", "advocate",
       "кісі өлтіру", "убийство / причинение смерти", "homicide / murder / manslaughter"),
    _c("cybercrime", "Интернет алаяқтығы | Интернет-мошенничество | Online fraud", "advocate expert",
       "интернет алаяқтығы / картадан ақша шешілді", "интернет-мошенничество / списали деньги с карты / "
       "взлом аккаунта", "online fraud / card fraud / hacked account"),
    _c("car-purchase", "Көлік сатып алу | Покупка автомобиля | Buying a car", "notary",
       "көлік сатып алу / көлік сату", "купить машину / продать машину / купля-продажа автомобиля",
       "buy a car / sell a car / car sale"),
    _c("housing-queue", "Тұрғын үй кезегі | Очередь на жильё | Housing queue", "advocate",
       "тұрғын үй кезегі / баспана кезегі", "очередь на жилье / жилищная очередь", "housing queue / social housing"),
    _c("contract-breach", "Шартты бұзу | Нарушение договора | Breach of contract", "advocate consultant",
       "шартты бұзу / шарт орындалмады", "нарушение договора / не выполнил договор / расторжение договора",
       "breach of contract / contract termination"),
    _c("loan-agreement", "Қарыз шарты | Договор займа | Loan agreement", "notary bailiff",
       "қарыз шарты", "договор займа / займ под расписку", "loan agreement"),
    _c("inheritance-dispute", "Мұра дауы | Спор о наследстве | Inheritance dispute", "advocate notary",
       "мұра дауы / мұраны бөлу", "спор о наследстве / раздел наследства / оспорить наследство",
       "inheritance dispute / contest a will"),
    _c("missed-deadline", "Мерзімді қалпына келтіру | Восстановление срока | Restoring a deadline", "advocate",
       "мерзімді қалпына келтіру / өткізіп алған мерзім", "восстановление срока / пропустил срок / "
       "пропущенный срок", "restore a deadline / missed deadline"),
    _c("court-order", "Сот бұйрығы | Судебный приказ | Court order", "advocate bailiff",
       "сот бұйрығы", "судебный приказ / отмена судебного приказа", "court order / cancel a court order"),
    _c("probation", "Шартты жаза | Условный срок | Probation", "advocate",
       "шартты жаза / шартты түрде мерзімінен бұрын босату", "условный срок / условно-досрочное освобождение / "
       "УДО", "probation / parole / early release"),
    _c("military", "Әскери қызмет | Военная служба | Military service", "advocate",
       "әскери қызмет / әскерге шақыру", "военная служба / призыв / военкомат", "military service / conscription"),
    _c("education-dispute", "Білім беру дауы | Споры в образовании | Education disputes", "advocate",
       "мектеп / оқудан шығару", "отчисление / спор со школой / спор с вузом", "school dispute / expulsion"),
    _c("animal", "Жануарлар | Животные | Animals", "advocate",
       "ит қапты / жануар", "укусила собака / животные / собака", "dog bite / animals"),
    _c("tenant-dispute", "Жалға алушымен дау | Спор с арендатором | Tenant dispute", "advocate bailiff",
       "жалға алушы / жалға алушымен дау", "квартирант / арендатор / не платит аренду / спор с арендатором",
       "tenant dispute / tenant does not pay"),
)
