"""The first bank of the agreement quiz (agreement 6.2: "проверка ознакомленности
Пользователя с настоящим Соглашением путем прохождения тестирования").

Every question is answerable from the user agreement itself
(content/agreement_v1_ru.txt); ``clause`` names the clause it is taken from.
``portal.services.catalog.ensure_reference_data`` inserts the questions whose
``code`` is not in the database yet and never touches the ones that are: after
the first load the bank belongs to the admins (Back office → Quiz questions).
The one exception is ``EARLIER_KK``: a stored text that is still exactly what an
earlier release shipped gets the reworded text (an admin's edit never matches).

Each option is (is_correct, ru, kk, en); exactly one option is correct and the
options are shown in this order.
"""
from __future__ import annotations

from typing import NamedTuple


class Option(NamedTuple):
    correct: bool
    ru: str
    kk: str
    en: str


class Question(NamedTuple):
    code: str
    clause: str
    ru: str
    kk: str
    en: str
    options: tuple[Option, ...]


TD_RU = "ТОО «Turan Daughters»"
TD_KK = "«Turan Daughters» ЖШС"

QUESTIONS: tuple[Question, ...] = (
    Question(
        "q-1-7-practitioner", "1.7",
        "Кто по Соглашению является лицом, занимающимся частной практикой?",
        "Келісім бойынша жеке практикамен айналысатын тұлға кім?",
        "Who is a “person engaged in private practice” under the agreement?",
        (
            Option(True,
                   "Частный судебный исполнитель, частный нотариус, частный судебный эксперт, адвокат или "
                   "юридический консультант, прошедший регистрацию в ИС",
                   "АЖ-да тіркелген жеке сот орындаушысы, жеке нотариус, жеке сот сарапшысы, адвокат немесе "
                   "заң консультанты",
                   "A private bailiff, private notary, private forensic expert, advocate or legal consultant "
                   "who has registered in the system"),
            Option(False, "Любой пользователь, разместивший запрос",
                   "Сұрау орналастырған кез келген пайдаланушы",
                   "Any user who has posted a request"),
            Option(False, "Любой юрист, даже не зарегистрированный в ИС",
                   "АЖ-да тіркелмеген болса да, кез келген заңгер",
                   "Any lawyer, even one not registered in the system"),
            Option(False, f"Сотрудник {TD_RU}", f"{TD_KK} қызметкері",
                   "An employee of Turan Daughters LLP"),
        ),
    ),
    Question(
        "q-1-15-request", "1.15",
        "Что по Соглашению является «запросом»?",
        "Келісім бойынша «сұрау» дегеніміз не?",
        "Under the agreement, what is a “request”?",
        (
            Option(True,
                   "Приглашение делать оферты, которое человек, намеревающийся воспользоваться услугами, "
                   "размещает в ИС для лиц, занимающихся частной практикой",
                   "Қызметтерді пайдаланғысы келетін адамның АЖ-да жеке практикамен айналысатын тұлғаларға "
                   "арнап орналастыратын оферта жасауға шақыруы",
                   "An invitation to make offers that a person who intends to use services posts in the "
                   "system for private practitioners"),
            Option(False, "Оферта лица, занимающегося частной практикой",
                   "Жеке практикамен айналысатын тұлғаның офертасы",
                   "An offer made by a private practitioner"),
            Option(False, "Договор, обязательный к исполнению с момента размещения",
                   "Орналастырылған сәттен бастап орындалуы міндетті шарт",
                   "A contract that binds from the moment it is posted"),
            Option(False, f"Жалоба в {TD_RU} на другого пользователя",
                   f"Басқа пайдаланушыға қатысты {TD_KK}-ке берілген шағым",
                   "A complaint to Turan Daughters LLP about another user"),
        ),
    ),
    Question(
        "q-1-16-response-is-offer", "1.16",
        "Чем по Соглашению является отклик лица, занимающегося частной практикой, на запрос?",
        "Келісім бойынша жеке практикамен айналысатын тұлғаның сұрауға берген ұсынысы (жауабы) "
        "не болып табылады?",
        "Under the agreement, what is a practitioner's response to a request?",
        (
            Option(False, "Акцепт запроса, после которого договор считается заключённым",
                   "Шарт жасалды деп есептелетін сұрауды акцептеу",
                   "An acceptance of the request that concludes the contract"),
            Option(True, "Оферта, адресованная человеку, намеревающемуся воспользоваться услугами",
                   "Қызметтерді пайдаланғысы келетін адамға бағытталған оферта",
                   "An offer addressed to the person who intends to use the services"),
            Option(False, "Отзыв о выполнении запроса",
                   "Сұраудың орындалуы туралы пікір",
                   "A review of how the request was fulfilled"),
            Option(False, "Приглашение делать оферты, адресованное другим практикующим лицам",
                   "Басқа мамандарға бағытталған оферта жасауға шақыру",
                   "An invitation to make offers addressed to other practitioners"),
        ),
    ),
    Question(
        "q-1-17-choice-is-acceptance", "1.17",
        "Чем по Соглашению является выбор человеком лица, занимающегося частной практикой?",
        "Келісім бойынша адамның жеке практикамен айналысатын тұлғаны таңдауы не болып табылады?",
        "Under the agreement, what is a client's choice of a practitioner?",
        (
            Option(False, "Новым запросом", "Жаңа сұрау", "A new request"),
            Option(False, "Приглашением делать оферты", "Оферта жасауға шақыру",
                   "An invitation to make offers"),
            Option(True, "Акцептом отклика этого лица", "Сол тұлғаның ұсынысын акцептеу",
                   "Acceptance of that practitioner's response (offer)"),
            Option(False, "Жалобой на остальных откликнувшихся",
                   "Ұсыныс берген басқа мамандарға шағым",
                   "A complaint about the other practitioners who responded"),
        ),
    ),
    Question(
        "q-1-20-profile-content", "1.20",
        "Что, помимо информации о себе, содержит анкета лица, занимающегося частной практикой?",
        "Жеке практикамен айналысатын тұлғаның сауалнамасында өзі туралы ақпараттан басқа не болады?",
        "Besides information about themselves, what does a practitioner's profile contain?",
        (
            Option(True, "Сведения о категориях оказываемых услуг и иную сопутствующую информацию",
                   "Көрсетілетін қызметтер санаттары туралы мәліметтер және өзге де ілеспе ақпарат",
                   "The categories of services they provide and other related information"),
            Option(False, "Полные паспортные данные", "Паспорттың толық деректері",
                   "Full passport details"),
            Option(False, "Список клиентов и их запросов", "Клиенттер мен олардың сұрауларының тізімі",
                   "A list of clients and their requests"),
            Option(False, "Реквизиты банковской карты", "Банк картасының деректемелері",
                   "Bank card details"),
        ),
    ),
    Question(
        "q-1-21-review", "1.21",
        "Что такое «отзыв» по Соглашению?",
        "Келісім бойынша «пікір» дегеніміз не?",
        "What is a “review” under the agreement?",
        (
            Option(False, f"Официальное заключение {TD_RU} о качестве услуг",
                   f"Қызмет сапасы туралы {TD_KK}-тің ресми қорытындысы",
                   "An official conclusion of Turan Daughters LLP on the quality of services"),
            Option(True,
                   "Субъективное мнение человека, намеревающегося воспользоваться или уже воспользовавшегося "
                   "услугами, о выполнении запроса — в виде оценок и/или словесных комментариев",
                   "Қызметтерді пайдаланғысы келетін немесе пайдаланып қойған адамның сұраудың орындалуы "
                   "туралы бағалар және/немесе сөзбен берілген түсініктемелер түріндегі субъективті пікірі",
                   "The subjective opinion, in ratings and/or comments, of a person who intends to use or has "
                   "used the services about how the request was fulfilled"),
            Option(False, "Решение палаты или коллегии о дисциплинарной ответственности",
                   "Палатаның немесе алқаның тәртіптік жауапкершілік туралы шешімі",
                   "A decision of a chamber or collegium on disciplinary liability"),
            Option(False, "Ответ практикующего лица на запрос", "Маманның сұрауға берген жауабы",
                   "A practitioner's answer to a request"),
        ),
    ),
    Question(
        "q-2-2-changes", "2.2",
        "Как может быть изменено Соглашение?",
        "Келісім қалай өзгертілуі мүмкін?",
        "How can the agreement be changed?",
        (
            Option(False, "Только с письменного согласия каждого пользователя",
                   "Тек әр пайдаланушының жазбаша келісімімен",
                   "Only with the written consent of every user"),
            Option(False, "Только по решению суда", "Тек сот шешімімен", "Only by a court decision"),
            Option(True,
                   f"{TD_RU} в одностороннем порядке без предварительного уведомления; новая редакция "
                   "вступает в силу с момента размещения в интерфейсе ИС, если в ней не предусмотрено иное",
                   f"{TD_KK} біржақты тәртіппен, алдын ала хабарламай өзгертеді; жаңа редакция, егер онда "
                   "өзгеше көзделмесе, АЖ интерфейсінде орналастырылған сәттен бастап күшіне енеді",
                   "Unilaterally by Turan Daughters LLP without prior notice; the new version takes effect "
                   "once published in the system, unless it says otherwise"),
            Option(False, "Через 30 дней после рассылки уведомления по электронной почте",
                   "Электрондық поштамен хабарлама жіберілгеннен кейін 30 күн өткен соң",
                   "30 days after a notice is sent by e-mail"),
        ),
    ),
    Question(
        "q-3-1-ways-to-accept", "3.1",
        "Каким способом пользователь соглашается с условиями Соглашения?",
        "Пайдаланушы Келісім талаптарымен қалай келіседі?",
        "How does a user accept the terms of the agreement?",
        (
            Option(True,
                   "Нажатием кнопки «Я соглашаюсь», любым использованием ИС или даже простым просмотром "
                   "размещённой в ней информации",
                   "«Мен келісемін» түймесін басу, АЖ-ны кез келген тәсілмен пайдалану немесе ондағы "
                   "ақпаратты жай ғана қарау арқылы",
                   "By pressing “I agree”, by using the system in any way, or even just by viewing the "
                   "information in it"),
            Option(False, "Только подписанием бумажного договора в офисе",
                   "Тек кеңседе қағаз шартқа қол қою арқылы",
                   "Only by signing a paper contract at the office"),
            Option(False, "Только после нотариального удостоверения",
                   "Тек нотариус куәландырғаннан кейін",
                   "Only once it has been notarised"),
            Option(False, "Только после первой оплаты услуг",
                   "Тек қызметтерге алғашқы төлем жасалғаннан кейін",
                   "Only after the first payment for services"),
        ),
    ),
    Question(
        "q-3-1-disagree", "3.1",
        "Что следует, если пользователь не согласен с условиями Соглашения?",
        "Пайдаланушы Келісім талаптарымен келіспесе, не болады?",
        "What follows if a user does not agree with the terms of the agreement?",
        (
            Option(False, "Он может пользоваться ИС, но не может оставлять отзывы",
                   "Ол АЖ-ны пайдалана алады, бірақ пікір қалдыра алмайды",
                   "They may use the system but may not leave reviews"),
            Option(True, "Он не вправе пользоваться ИС", "Ол АЖ-ны пайдалануға құқылы емес",
                   "They may not use the system"),
            Option(False, "Он может пользоваться ИС в течение 30 дней",
                   "Ол АЖ-ны 30 күн бойы пайдалана алады",
                   "They may use the system for 30 days"),
            Option(False, "Вместо Соглашения действуют его собственные условия",
                   "Келісімнің орнына оның өз талаптары қолданылады",
                   "Their own terms apply instead of the agreement"),
        ),
    ),
    Question(
        "q-3-consent-to-notices", "3",
        "На что даёт согласие пользователь, используя ИС?",
        "АЖ-ны пайдалана отырып, пайдаланушы неге келісім береді?",
        "By using the system, what does a user consent to?",
        (
            Option(False, "На списание абонентской платы", "Абоненттік төлемнің алынуына",
                   "To being charged a subscription fee"),
            Option(False, "На передачу своей учётной записи третьим лицам",
                   "Өз тіркелгісінің үшінші тұлғаларға берілуіне",
                   "To their account being handed over to third parties"),
            Option(False, "На публикацию своего пароля", "Өз құпиясөзінің жариялануына",
                   "To their password being published"),
            Option(True,
                   f"На получение информационных и/или рекламных сообщений, писем и PUSH-уведомлений от "
                   f"{TD_RU} и/или его партнёров",
                   f"{TD_KK}-тен және/немесе оның серіктестерінен ақпараттық және/немесе жарнамалық "
                   "хабарламалар, хаттар мен PUSH-хабарламалар алуға",
                   "To receiving informational and/or advertising messages, e-mails and push notifications "
                   "from Turan Daughters LLP and/or its partners"),
        ),
    ),
    Question(
        "q-4-1-b-password", "4.1 b",
        "Может ли пользователь передать свой пароль или доступ к учётной записи другому человеку?",
        "Пайдаланушы өз құпиясөзін немесе тіркелгісіне кіру мүмкіндігін басқа адамға бере ала ма?",
        "May a user give their password or access to their account to someone else?",
        (
            Option(True,
                   "Нет; пользователь несёт полную ответственность за все действия, совершённые с "
                   "использованием его учётной записи",
                   "Жоқ; пайдаланушы өз тіркелгісі арқылы жасалған барлық әрекет үшін толық жауап береді",
                   "No; the user is fully responsible for everything done with their account"),
            Option(False, "Да, члену своей семьи", "Иә, өз отбасының мүшесіне", "Yes, to a family member"),
            Option(False, "Да, помощнику, если пользователь — лицо, занимающееся частной практикой",
                   "Иә, егер пайдаланушы жеке практикамен айналысатын тұлға болса, көмекшісіне",
                   "Yes, to an assistant if the user is a practitioner"),
            Option(False, f"Да, если сообщить об этом в {TD_RU}",
                   f"Иә, бұл туралы {TD_KK}-ке хабарласа",
                   "Yes, if Turan Daughters LLP is told about it"),
        ),
    ),
    Question(
        "q-4-1-b-unauthorised-use", "4.1 b",
        "Что обязан сделать пользователь, если узнал о несанкционированном использовании своей учётной записи?",
        "Пайдаланушы өз тіркелгісінің рұқсатсыз пайдаланылғанын білсе, не істеуге міндетті?",
        "What must a user do on learning that their account is being used without authorisation?",
        (
            Option(False, f"Ничего: за это отвечает {TD_RU}",
                   f"Ештеңе: бұған {TD_KK} жауап береді",
                   "Nothing: Turan Daughters LLP is responsible for that"),
            Option(False, "Создать вторую учётную запись и продолжить работу в ней",
                   "Екінші тіркелгі ашып, жұмысты сонда жалғастыру",
                   "Open a second account and carry on there"),
            Option(True, f"Немедленно уведомить {TD_RU}", f"{TD_KK}-ке дереу хабарлау",
                   "Notify Turan Daughters LLP immediately"),
            Option(False, "Дождаться конца месяца и написать отзыв",
                   "Ай соңын күтіп, пікір жазу",
                   "Wait until the end of the month and write a review"),
        ),
    ),
    Question(
        "q-4-1-e-inaccurate-data", "4.1 e",
        "Пользователь увидел, что в ИС отображаются неточные или устаревшие сведения (например, его ФИО). "
        "Что ему следует сделать?",
        "Пайдаланушы АЖ-да дәл емес немесе ескірген мәліметтер (мысалы, өзінің аты-жөні) көрсетіліп "
        "тұрғанын байқады. Ол не істеуі керек?",
        "A user sees inaccurate or outdated information in the system (for example, their own name). "
        "What should they do?",
        (
            Option(True, f"Уведомить {TD_RU}, чтобы данные привели в актуальное состояние",
                   f"Деректерді өзекті күйге келтіру үшін {TD_KK}-ке хабарлау",
                   "Tell Turan Daughters LLP so that the data is brought up to date"),
            Option(False, "Ничего не делать", "Ештеңе істемеу", "Nothing"),
            Option(False, "Опубликовать исправление в отзыве о практикующем лице",
                   "Түзетуді маман туралы пікірде жариялау",
                   "Publish a correction in a review of a practitioner"),
            Option(False, "Зарегистрировать новую учётную запись с верными данными",
                   "Дұрыс деректермен жаңа тіркелгі ашу",
                   "Register a new account with the correct details"),
        ),
    ),
    Question(
        "q-4-1-f-forbidden-content", "4.1 f",
        "Какую информацию запрещено размещать в ИС?",
        "АЖ-да қандай ақпаратты орналастыруға тыйым салынған?",
        "Which information may not be posted in the system?",
        (
            Option(False, "Описание своих специализаций", "Өз мамандануларының сипаттамасы",
                   "A description of one's specialisations"),
            Option(False, "Стоимость своих услуг", "Өз қызметтерінің құны", "The price of one's services"),
            Option(False, "Языки, на которых оказываются услуги", "Қызмет көрсетілетін тілдер",
                   "The languages in which one serves clients"),
            Option(True,
                   "Информацию оскорбительного содержания, а также пропагандирующую дискриминацию, "
                   "насилие или ненависть",
                   "Қорлайтын, сондай-ақ кемсітушілікті, зорлық-зомбылықты немесе өшпенділікті насихаттайтын "
                   "ақпаратты",
                   "Offensive content, or content promoting discrimination, violence or hatred"),
        ),
    ),
    Question(
        "q-4-1-robots", "4.1",
        "Можно ли применять к ИС роботов и другие автоматические средства сбора и извлечения данных?",
        "АЖ-ға қатысты роботтарды және деректерді жинау мен алудың басқа да автоматты құралдарын "
        "қолдануға бола ма?",
        "May robots or other automatic data-collection and extraction tools be used on the system?",
        (
            Option(False, "Да, практикующим лицам для поиска запросов",
                   "Иә, мамандарға сұрауларды іздеу үшін",
                   "Yes, by practitioners looking for requests"),
            Option(True, "Нет, это запрещено", "Жоқ, бұған тыйым салынған", "No, this is prohibited"),
            Option(False, "Да, если собранные данные не продаются",
                   "Иә, егер жиналған деректер сатылмаса",
                   "Yes, if the collected data is not sold"),
            Option(False, "Да, в ночное время", "Иә, түнгі уақытта", "Yes, at night"),
        ),
    ),
    Question(
        "q-4-1-o-licences", "4.1 o",
        "Кто несёт полную ответственность за правомерность регистрации в качестве лица, занимающегося "
        "частной практикой, и за наличие разрешений, лицензий и членства в палатах?",
        "Жеке практикамен айналысатын тұлға ретінде тіркелудің заңдылығы және рұқсаттардың, "
        "лицензиялардың, палаталарға мүшеліктің болуы үшін кім толық жауап береді?",
        "Who is fully responsible for the lawfulness of registering as a practitioner and for holding "
        "the permits, licences and chamber memberships?",
        (
            Option(False, TD_RU, TD_KK, "Turan Daughters LLP"),
            Option(False, "Клиенты, выбравшие это лицо", "Осы тұлғаны таңдаған клиенттер",
                   "The clients who chose that practitioner"),
            Option(False, "Модератор, одобривший анкету", "Сауалнаманы мақұлдаған модератор",
                   "The moderator who approved the profile"),
            Option(True, "Сам пользователь, зарегистрировавшийся как лицо, занимающееся частной практикой",
                   "Жеке практикамен айналысатын тұлға ретінде тіркелген пайдаланушының өзі",
                   "The user who registered as a practitioner"),
        ),
    ),
    Question(
        "q-4-1-p-read-notices", "4.1 p",
        "Кто отвечает за своевременное ознакомление с полученными уведомлениями и с актуальной версией "
        "Соглашения?",
        "Алынған хабарламалармен және Келісімнің өзекті нұсқасымен уақтылы танысу үшін кім жауап береді?",
        "Who is responsible for reading the notifications received and the current version of the "
        "agreement in good time?",
        (
            Option(True, "Каждый пользователь самостоятельно", "Әр пайдаланушы өзі",
                   "Each user themselves"),
            Option(False, f"{TD_RU}: оно обязано зачитать их по телефону",
                   f"{TD_KK}: ол оларды телефонмен оқып беруге міндетті",
                   "Turan Daughters LLP: it must read them out by phone"),
            Option(False, "Модератор, отправивший уведомление", "Хабарламаны жіберген модератор",
                   "The moderator who sent the notification"),
            Option(False, "Никто: уведомления носят справочный характер",
                   "Ешкім: хабарламалар тек анықтама ретінде жіберіледі",
                   "Nobody: notifications are for information only"),
        ),
    ),
    Question(
        "q-4-1-q-payment-risks", "4.1 q",
        "Кто несёт риски и ответственность, связанные с оплатой услуг, в том числе услуг лиц, "
        "занимающихся частной практикой?",
        "Қызметтерге, оның ішінде жеке практикамен айналысатын тұлғалардың қызметтеріне ақы төлеуге "
        "байланысты тәуекелдер мен жауапкершілікті кім көтереді?",
        "Who bears the risks and responsibility of paying for services, including practitioners' services?",
        (
            Option(False, TD_RU, TD_KK, "Turan Daughters LLP"),
            Option(True, "Сам пользователь, который платит", "Төлем жасайтын пайдаланушының өзі",
                   "The user who pays"),
            Option(False, "Палата или коллегия практикующего лица", "Маманның палатасы немесе алқасы",
                   "The practitioner's chamber or collegium"),
            Option(False, f"Пользователь и {TD_RU} поровну", f"Пайдаланушы мен {TD_KK} тең бөліп",
                   "The user and Turan Daughters LLP in equal shares"),
        ),
    ),
    Question(
        "q-5-4-own-information", "5.4",
        "Кто несёт ответственность за достоверность и своевременное обновление информации, "
        "предоставленной пользователем?",
        "Пайдаланушы ұсынған ақпараттың дұрыстығы мен уақтылы жаңартылуы үшін кім жауап береді?",
        "Who is responsible for the accuracy and timely updating of the information a user provides?",
        (
            Option(False, f"{TD_RU}, поскольку оно её проверило",
                   f"{TD_KK}, өйткені ол ақпаратты тексерген",
                   "Turan Daughters LLP, since it checked the information"),
            Option(False, "Пользователи, которые её просматривают", "Оны қарайтын пайдаланушылар",
                   "The users who view it"),
            Option(True, "Только сам пользователь", "Тек пайдаланушының өзі", "Only the user"),
            Option(False, f"Партнёры {TD_RU}", f"{TD_KK} серіктестері",
                   "The partners of Turan Daughters LLP"),
        ),
    ),
    Question(
        "q-6-2-quiz-and-interview", "6.2",
        f"Что {TD_RU} вправе потребовать от пользователя при регистрации в качестве лица, занимающегося "
        "частной практикой?",
        f"Жеке практикамен айналысатын тұлға ретінде тіркелу кезінде {TD_KK} пайдаланушыдан нені талап "
        "етуге құқылы?",
        "What may Turan Daughters LLP require of a user who registers as a practitioner?",
        (
            Option(True,
                   "Пройти тестирование на знание Соглашения и подтвердить личность по паспортным данным "
                   "на собеседовании",
                   "Келісімді білуге тестілеуден өтуді және сұхбатта паспорт деректері бойынша жеке "
                   "басын растауды",
                   "To pass a test on the agreement and to confirm their identity with passport details "
                   "at an interview"),
            Option(False, "Внести регистрационный взнос", "Тіркеу жарнасын төлеуді",
                   "To pay a registration fee"),
            Option(False, "Представить рекомендации трёх клиентов", "Үш клиенттің ұсынымын тапсыруды",
                   "To provide references from three clients"),
            Option(False, "Разместить видеозапись своей работы", "Өз жұмысының бейнежазбасын орналастыруды",
                   "To post a video of their work"),
        ),
    ),
    Question(
        "q-6-2-interview-mode", "6.2",
        "Как проводится собеседование для подтверждения личности?",
        "Жеке басты растауға арналған сұхбат қалай өткізіледі?",
        "How is the identity interview held?",
        (
            Option(False, "Только письменно по электронной почте", "Тек электрондық пошта арқылы жазбаша",
                   "Only in writing by e-mail"),
            Option(True, f"Очно или по телефону с сотрудником {TD_RU}",
                   f"{TD_KK} қызметкерімен бетпе-бет немесе телефон арқылы",
                   "In person or by phone with an employee of Turan Daughters LLP"),
            Option(False, "В суде в присутствии судьи", "Сотта судьяның қатысуымен",
                   "In court before a judge"),
            Option(False, "У нотариуса по выбору пользователя", "Пайдаланушы таңдаған нотариуста",
                   "At a notary of the user's choice"),
        ),
    ),
    Question(
        "q-6-3-refusal", "6.3",
        f"Может ли {TD_RU} отказать пользователю в регистрации в качестве лица, занимающегося частной "
        "практикой?",
        f"{TD_KK} пайдаланушыны жеке практикамен айналысатын тұлға ретінде тіркеуден бас тарта ала ма?",
        "May Turan Daughters LLP refuse to register a user as a practitioner?",
        (
            Option(False, "Только с письменным обоснованием причин", "Тек себептерін жазбаша негіздеп",
                   "Only with written reasons"),
            Option(False, "Только по решению суда", "Тек сот шешімімен", "Only by a court decision"),
            Option(False, "Нет, если представлены все документы", "Жоқ, егер барлық құжаттар берілсе",
                   "No, once all documents have been provided"),
            Option(True, "Да, без объяснения причин и независимо от затрат и усилий пользователя",
                   "Иә, себебін түсіндірмей және пайдаланушының шығындары мен күш-жігеріне қарамастан",
                   "Yes, without giving reasons and whatever the user's costs and efforts"),
        ),
    ),
    Question(
        "q-6-4-public-profile", "6.4",
        "Кому доступна информация, которую пользователь указал в своей анкете?",
        "Пайдаланушы өз сауалнамасында көрсеткен ақпарат кімге қолжетімді?",
        "Who can see the information a user puts in their profile?",
        (
            Option(True, "Она публична, т. е. потенциально доступна всем пользователям и посетителям ИС",
                   "Ол жария, яғни АЖ-ның барлық пайдаланушылары мен келушілеріне қолжетімді болуы мүмкін",
                   "It is public: potentially available to every user and visitor of the system"),
            Option(False, f"Только сотрудникам {TD_RU}", f"Тек {TD_KK} қызметкерлеріне",
                   "Only employees of Turan Daughters LLP"),
            Option(False, "Только клиентам, выбравшим отклик этого лица",
                   "Тек осы тұлғаның ұсынысын таңдаған клиенттерге",
                   "Only clients who selected that person's offer"),
            Option(False, "Только зарегистрированным практикующим лицам", "Тек тіркелген мамандарға",
                   "Only registered practitioners"),
        ),
    ),
    Question(
        "q-6-5-status-removal", "6.5",
        "Когда с пользователя может быть снят статус лица, занимающегося частной практикой?",
        "Пайдаланушыдан жеке практикамен айналысатын тұлға мәртебесі қашан алынуы мүмкін?",
        "When can a user's practitioner status be withdrawn?",
        (
            Option(False, "Только по решению суда", "Тек сот шешімімен", "Only by a court decision"),
            Option(False, "Только после истечения срока лицензии", "Тек лицензияның мерзімі біткеннен кейін",
                   "Only when the licence expires"),
            Option(True, f"В любой момент по усмотрению {TD_RU} без объяснения причин",
                   f"Кез келген уақытта {TD_KK} қалауы бойынша, себебін түсіндірмей",
                   "At any time at the discretion of Turan Daughters LLP, without giving reasons"),
            Option(False, "Никогда: статус предоставляется бессрочно", "Ешқашан: мәртебе мерзімсіз беріледі",
                   "Never: the status is granted for good"),
        ),
    ),
    Question(
        "q-6-6-negative-reviews", "6.6",
        "Сколько отрицательных отзывов может повлечь строгое предупреждение или лишение статуса лица, "
        "занимающегося частной практикой?",
        "Неше теріс пікір қатаң ескертуге немесе жеке практикамен айналысатын тұлға мәртебесінен "
        "айыруға әкелуі мүмкін?",
        "How many negative reviews can lead to a strict warning or the loss of practitioner status?",
        (
            Option(False, "Один", "Біреу", "One"),
            Option(True, "Три и более", "Үш және одан көп", "Three or more"),
            Option(False, "Десять и более", "Он және одан көп", "Ten or more"),
            Option(False, "Отрицательные отзывы на статус не влияют", "Теріс пікірлер мәртебеге әсер етпейді",
                   "Negative reviews never affect the status"),
        ),
    ),
    Question(
        "q-6-6-consequences", "6.6",
        "К чему могут привести нарушения, перечисленные в пункте 6.6 Соглашения?",
        "Келісімнің 6.6-тармағында аталған бұзушылықтар неге әкелуі мүмкін?",
        "What can the violations listed in clause 6.6 of the agreement lead to?",
        (
            Option(False, "К штрафу в пользу клиентов", "Клиенттердің пайдасына айыппұл салуға",
                   "A fine paid to the clients"),
            Option(False, "К автоматическому удалению всех отзывов", "Барлық пікірдің автоматты түрде жойылуына",
                   "Automatic deletion of all reviews"),
            Option(True, "К строгому предупреждению или лишению статуса лица, занимающегося частной практикой",
                   "Қатаң ескертуге немесе жеке практикамен айналысатын тұлға мәртебесінен айыруға",
                   "A strict warning or the loss of practitioner status"),
            Option(False, "Ни к каким последствиям", "Ешқандай салдарға әкелмейді", "No consequences at all"),
        ),
    ),
    Question(
        "q-8-2-cookies", "8.2",
        "Могут ли пользователи и посетители ИС отказаться от сохранения куки-файлов (cookies)?",
        "АЖ пайдаланушылары мен келушілері куки-файлдарды (cookies) сақтаудан бас тарта ала ма?",
        "Can users and visitors refuse to have cookies stored?",
        (
            Option(True, "Да, в настройках своего браузера", "Иә, өз браузерінің баптауларында",
                   "Yes, in their browser settings"),
            Option(False, "Нет, куки-файлы обязательны", "Жоқ, куки-файлдар міндетті",
                   "No, cookies are mandatory"),
            Option(False, f"Только по письменному заявлению в {TD_RU}",
                   f"Тек {TD_KK}-ке жазбаша өтініш беру арқылы",
                   "Only by a written application to Turan Daughters LLP"),
            Option(False, "Только лица, занимающиеся частной практикой",
                   "Тек жеке практикамен айналысатын тұлғалар",
                   "Only practitioners can"),
        ),
    ),
    Question(
        "q-10-6-other-users", "10.6",
        f"Отвечает ли {TD_RU} перед пользователем за действия других пользователей?",
        f"{TD_KK} пайдаланушы алдында басқа пайдаланушылардың әрекеттері үшін жауап бере ме?",
        "Is Turan Daughters LLP liable to a user for what other users do?",
        (
            Option(False, "Да, всегда", "Иә, әрқашан", "Yes, always"),
            Option(False, "Да, если другой пользователь — лицо, занимающееся частной практикой",
                   "Иә, егер басқа пайдаланушы жеке практикамен айналысатын тұлға болса",
                   "Yes, if the other user is a practitioner"),
            Option(False, "Да, в пределах стоимости услуги", "Иә, қызмет құнының шегінде",
                   "Yes, up to the price of the service"),
            Option(True, "Нет", "Жоқ", "No"),
        ),
    ),
    Question(
        "q-11-2-close-account", "11.2",
        "Когда пользователь вправе закрыть свою учётную запись?",
        "Пайдаланушы өз тіркелгісін қашан жабуға құқылы?",
        "When may a user close their account?",
        (
            Option(True, "В любое время", "Кез келген уақытта", "At any time"),
            Option(False, "Только через год после регистрации", "Тіркелгеннен кейін бір жыл өткен соң ғана",
                   "Only a year after registering"),
            Option(False, f"Только с согласия {TD_RU}", f"Тек {TD_KK} келісімімен",
                   "Only with the consent of Turan Daughters LLP"),
            Option(False, "Никогда", "Ешқашан", "Never"),
        ),
    ),
    Question(
        "q-11-4-duplicate-account", "11.4",
        "Что из перечисленного Соглашение называет основанием для блокировки учётной записи?",
        "Төмендегілердің қайсысын Келісім тіркелгіні бұғаттауға негіз ретінде атайды?",
        "Which of these does the agreement name as a ground for blocking an account?",
        (
            Option(False, "Вход в ИС в ночное время", "АЖ-ға түнгі уақытта кіру", "Signing in at night"),
            Option(False, "Использование интерфейса на казахском языке", "Интерфейсті қазақ тілінде пайдалану",
                   "Using the interface in Kazakh"),
            Option(True, "Дублирование учётной записи", "Тіркелгінің қайталануы (екінші тіркелгі)",
                   "A duplicate account"),
            Option(False, "Запрос без указания бюджета", "Бюджеті көрсетілмеген сұрау",
                   "A request without a budget"),
        ),
    ),
    Question(
        "q-11-4-ip-device-changes", "11.4",
        "Какое из этих обстоятельств может стать основанием для блокировки учётной записи?",
        "Мына жағдайлардың қайсысы тіркелгіні бұғаттауға негіз бола алады?",
        "Which of these can be a ground for blocking an account?",
        (
            Option(False, "Смена фотографии в анкете", "Сауалнамадағы фотосуретті ауыстыру",
                   "Changing the profile photo"),
            Option(True, "Частая смена IP-адреса и/или устройства",
                   "IP-мекенжайдың және/немесе құрылғының жиі ауысуы",
                   "Frequent changes of IP address and/or device"),
            Option(False, "Отказ от куки-файлов в настройках браузера",
                   "Браузер баптауларында куки-файлдардан бас тарту",
                   "Refusing cookies in the browser settings"),
            Option(False, "Редкие входы в ИС", "АЖ-ға сирек кіру", "Rarely signing in"),
        ),
    ),
    Question(
        "q-11-4-complaints", "11.4",
        "Какое из перечисленного Соглашение называет основанием для блокировки учётной записи?",
        "Төмендегілердің қайсысын Келісім тіркелгіні бұғаттау негізі деп атайды?",
        "Which of these does the agreement name as a ground for blocking an account?",
        (
            Option(True, "Многочисленные жалобы других пользователей",
                   "Басқа пайдаланушылардың көптеген шағымдары",
                   "Many complaints from other users"),
            Option(False, "Один отказ клиента от отклика", "Клиенттің ұсыныстан бір рет бас тартуы",
                   "One client declining an offer"),
            Option(False, "Отсутствие фотографии в анкете", "Сауалнамада фотосуреттің болмауы",
                   "No photo in the profile"),
            Option(False, "Высокие цены на услуги", "Қызметтердің жоғары бағасы",
                   "High prices for services"),
        ),
    ),
    Question(
        "q-12-1-claims", "12.1",
        "Куда пользователь должен направлять претензии?",
        "Пайдаланушы наразылықтарын (претензияларын) қайда жолдауы керек?",
        "Where should a user send claims?",
        (
            Option(False, "В отзыв о практикующем лице", "Маман туралы пікірге",
                   "Into a review of a practitioner"),
            Option(False, "В переписку с другим пользователем", "Басқа пайдаланушымен хат алмасуға",
                   "Into a conversation with another user"),
            Option(True, "В службу поддержки ИС через форму обратной связи или по электронной почте",
                   "АЖ-ның қолдау қызметіне кері байланыс нысаны арқылы немесе электрондық поштамен",
                   "To the system's support service through the feedback form or by e-mail"),
            Option(False, "Сразу в суд по месту жительства пользователя",
                   "Бірден пайдаланушының тұрғылықты жеріндегі сотқа",
                   "Straight to a court where the user lives"),
        ),
    ),
    Question(
        "q-13-3-ignorance", "13.3",
        "Освобождает ли незнание положений Соглашения от ответственности за несоблюдение его условий?",
        "Келісім ережелерін білмеу оның талаптарын сақтамағаны үшін жауапкершіліктен босата ма?",
        "Does not knowing the agreement release a user from responsibility for breaking its terms?",
        (
            Option(False, "Да, если пользователь не нажимал кнопку «Я соглашаюсь»",
                   "Иә, егер пайдаланушы «Мен келісемін» түймесін баспаса",
                   "Yes, if the user never pressed “I agree”"),
            Option(False, "Да, в первый месяц после регистрации", "Иә, тіркелгеннен кейінгі алғашқы айда",
                   "Yes, during the first month after registering"),
            Option(True, "Нет", "Жоқ", "No"),
            Option(False, "Да, для посетителей без регистрации", "Иә, тіркелмеген келушілер үшін",
                   "Yes, for visitors who have not registered"),
        ),
    ),
)


# Kazakh texts of an earlier release that were reworded to follow docs/glossary.md (issue 18):
# question code -> {0: the question, n: option n}. ``ensure_reference_data`` gives a stored text that
# still equals its earlier text the current one; a text an admin has edited is left alone.
EARLIER_KK: dict[str, dict[int, str]] = {
    "q-1-7-practitioner": {
        1: "АЖ-да тіркелген жеке сот орындаушысы, жеке нотариус, жеке сот сарапшысы, адвокат "
            "немесе заң кеңесшісі",
    },
    "q-1-15-request": {
        4: "Басқа пайдаланушыға қатысты «Turan Daughters» ЖШС-ге берілген шағым",
    },
    "q-1-21-review": {
        1: "Қызмет сапасы туралы «Turan Daughters» ЖШС-нің ресми қорытындысы",
    },
    "q-3-1-ways-to-accept": {
        1: "«Мен келісемін» батырмасын басу, АЖ-ны кез келген тәсілмен пайдалану немесе "
            "ондағы ақпаратты жай ғана қарау арқылы",
    },
    "q-3-consent-to-notices": {
        2: "Өз есептік жазбасының үшінші тұлғаларға берілуіне",
        4: "«Turan Daughters» ЖШС-ден және/немесе оның серіктестерінен ақпараттық "
            "және/немесе жарнамалық хабарламалар, хаттар мен PUSH-хабарламалар алуға",
    },
    "q-4-1-b-password": {
        0: "Пайдаланушы өз құпиясөзін немесе есептік жазбасына кіру мүмкіндігін басқа адамға "
            "бере ала ма?",
        1: "Жоқ; пайдаланушы өз есептік жазбасы арқылы жасалған барлық әрекет үшін толық "
            "жауап береді",
        4: "Иә, бұл туралы «Turan Daughters» ЖШС-ге хабарласа",
    },
    "q-4-1-b-unauthorised-use": {
        0: "Пайдаланушы өз есептік жазбасының рұқсатсыз пайдаланылғанын білсе, не істеуге "
            "міндетті?",
        2: "Екінші есептік жазба ашып, жұмысты сонда жалғастыру",
        3: "«Turan Daughters» ЖШС-ге дереу хабарлау",
    },
    "q-4-1-e-inaccurate-data": {
        1: "Деректерді өзекті күйге келтіру үшін «Turan Daughters» ЖШС-ге хабарлау",
        4: "Дұрыс деректермен жаңа есептік жазба тіркеу",
    },
    "q-6-2-quiz-and-interview": {
        1: "Келісімді білуге тестілеуден өтуді және әңгімелесуде паспорт деректері бойынша "
            "жеке басын растауды",
    },
    "q-6-2-interview-mode": {
        0: "Жеке басты растауға арналған әңгімелесу қалай өткізіледі?",
    },
    "q-8-2-cookies": {
        3: "Тек «Turan Daughters» ЖШС-ге жазбаша өтініш беру арқылы",
    },
    "q-11-2-close-account": {
        0: "Пайдаланушы өз есептік жазбасын қашан жабуға құқылы?",
    },
    "q-11-4-duplicate-account": {
        0: "Төмендегілердің қайсысын Келісім есептік жазбаны бұғаттауға негіз ретінде "
            "атайды?",
        3: "Есептік жазбаның қайталануы (екінші есептік жазба)",
    },
    "q-11-4-ip-device-changes": {
        0: "Мына жағдайлардың қайсысы есептік жазбаны бұғаттауға негіз бола алады?",
    },
    "q-11-4-complaints": {
        0: "Төмендегілердің қайсысын Келісім есептік жазбаны бұғаттау негізі деп атайды?",
    },
    "q-13-3-ignorance": {
        1: "Иә, егер пайдаланушы «Мен келісемін» батырмасын баспаса",
    },
}
