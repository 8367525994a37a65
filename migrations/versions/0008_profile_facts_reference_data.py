"""Profile facts in kk/ru/en: cities, licensors and chambers as reference data

The profile keeps its free-text city, licensor and chamber as the fallback and
gets city_id, licensor_id, chamber_id. The reference rows are inserted here (a
frozen copy of portal/content/places.py as of this revision, for the regions and
categories the database has; services.catalog.ensure_reference_data adds what is
missing at every start), then the free-text values that name a row exactly
(case- and ё-insensitive, its Russian or Kazakh name) are mapped onto it and
emptied; the downgrade writes the Russian names back.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-12 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# (code, region code, kk, ru, en)
CITIES = (
    ('almaty', 'KZ-75', 'Алматы', 'Алматы', 'Almaty'),
    ('astana', 'KZ-71', 'Астана', 'Астана', 'Astana'),
    ('shymkent', 'KZ-79', 'Шымкент', 'Шымкент', 'Shymkent'),
    ('semey', 'KZ-10', 'Семей', 'Семей', 'Semey'),
    ('ayagoz', 'KZ-10', 'Аягөз', 'Аягоз', 'Ayagoz'),
    ('kurchatov', 'KZ-10', 'Курчатов', 'Курчатов', 'Kurchatov'),
    ('kokshetau', 'KZ-11', 'Көкшетау', 'Кокшетау', 'Kokshetau'),
    ('stepnogorsk', 'KZ-11', 'Степногорск', 'Степногорск', 'Stepnogorsk'),
    ('shchuchinsk', 'KZ-11', 'Щучинск', 'Щучинск', 'Shchuchinsk'),
    ('kosshy', 'KZ-11', 'Қосшы', 'Косшы', 'Kosshy'),
    ('aktobe', 'KZ-15', 'Ақтөбе', 'Актобе', 'Aktobe'),
    ('kandyagash', 'KZ-15', 'Қандыағаш', 'Кандыагаш', 'Kandyagash'),
    ('khromtau', 'KZ-15', 'Хромтау', 'Хромтау', 'Khromtau'),
    ('konaev', 'KZ-19', 'Қонаев', 'Конаев', 'Konaev'),
    ('kaskelen', 'KZ-19', 'Қаскелең', 'Каскелен', 'Kaskelen'),
    ('talgar', 'KZ-19', 'Талғар', 'Талгар', 'Talgar'),
    ('esik', 'KZ-19', 'Есік', 'Есик', 'Esik'),
    ('atyrau', 'KZ-23', 'Атырау', 'Атырау', 'Atyrau'),
    ('kulsary', 'KZ-23', 'Құлсары', 'Кульсары', 'Kulsary'),
    ('oskemen', 'KZ-63', 'Өскемен', 'Усть-Каменогорск', 'Oskemen'),
    ('ridder', 'KZ-63', 'Риддер', 'Риддер', 'Ridder'),
    ('altai', 'KZ-63', 'Алтай', 'Алтай', 'Altai'),
    ('taraz', 'KZ-31', 'Тараз', 'Тараз', 'Taraz'),
    ('shu', 'KZ-31', 'Шу', 'Шу', 'Shu'),
    ('karatau', 'KZ-31', 'Қаратау', 'Каратау', 'Karatau'),
    ('taldykorgan', 'KZ-33', 'Талдықорған', 'Талдыкорган', 'Taldykorgan'),
    ('tekeli', 'KZ-33', 'Текелі', 'Текели', 'Tekeli'),
    ('zharkent', 'KZ-33', 'Жаркент', 'Жаркент', 'Zharkent'),
    ('ushtobe', 'KZ-33', 'Үштөбе', 'Уштобе', 'Ushtobe'),
    ('oral', 'KZ-27', 'Орал', 'Уральск', 'Oral'),
    ('aksay', 'KZ-27', 'Ақсай', 'Аксай', 'Aksay'),
    ('karaganda', 'KZ-35', 'Қарағанды', 'Караганда', 'Karaganda'),
    ('temirtau', 'KZ-35', 'Теміртау', 'Темиртау', 'Temirtau'),
    ('balkhash', 'KZ-35', 'Балқаш', 'Балхаш', 'Balkhash'),
    ('saran', 'KZ-35', 'Саран', 'Сарань', 'Saran'),
    ('shakhtinsk', 'KZ-35', 'Шахтинск', 'Шахтинск', 'Shakhtinsk'),
    ('kostanay', 'KZ-39', 'Қостанай', 'Костанай', 'Kostanay'),
    ('rudny', 'KZ-39', 'Рудный', 'Рудный', 'Rudny'),
    ('lisakovsk', 'KZ-39', 'Лисаков', 'Лисаковск', 'Lisakovsk'),
    ('arkalyk', 'KZ-39', 'Арқалық', 'Аркалык', 'Arkalyk'),
    ('kyzylorda', 'KZ-43', 'Қызылорда', 'Кызылорда', 'Kyzylorda'),
    ('baikonur', 'KZ-43', 'Байқоңыр', 'Байконыр', 'Baikonur'),
    ('aral', 'KZ-43', 'Арал', 'Аральск', 'Aral'),
    ('aktau', 'KZ-47', 'Ақтау', 'Актау', 'Aktau'),
    ('zhanaozen', 'KZ-47', 'Жаңаөзен', 'Жанаозен', 'Zhanaozen'),
    ('pavlodar', 'KZ-55', 'Павлодар', 'Павлодар', 'Pavlodar'),
    ('ekibastuz', 'KZ-55', 'Екібастұз', 'Экибастуз', 'Ekibastuz'),
    ('aksu', 'KZ-55', 'Ақсу', 'Аксу', 'Aksu'),
    ('petropavl', 'KZ-59', 'Петропавл', 'Петропавловск', 'Petropavl'),
    ('tayynsha', 'KZ-59', 'Тайынша', 'Тайынша', 'Tayynsha'),
    ('bulaevo', 'KZ-59', 'Булаев', 'Булаево', 'Bulaevo'),
    ('turkistan', 'KZ-61', 'Түркістан', 'Туркестан', 'Turkistan'),
    ('kentau', 'KZ-61', 'Кентау', 'Кентау', 'Kentau'),
    ('zhetisay', 'KZ-61', 'Жетісай', 'Жетысай', 'Zhetisay'),
    ('saryagash', 'KZ-61', 'Сарыағаш', 'Сарыагаш', 'Saryagash'),
    ('arys', 'KZ-61', 'Арыс', 'Арыс', 'Arys'),
    ('zhezkazgan', 'KZ-62', 'Жезқазған', 'Жезказган', 'Zhezkazgan'),
    ('satbayev', 'KZ-62', 'Сәтбаев', 'Сатпаев', 'Satbayev'),
    ('karazhal', 'KZ-62', 'Қаражал', 'Каражал', 'Karazhal'),
)
# (code, kk, ru, en)
LICENSORS = (
    ('moj', 'Қазақстан Республикасының Әділет министрлігі', 'Министерство юстиции Республики Казахстан', 'Ministry of Justice of the Republic of Kazakhstan'),
)
# (code, category code, region code or None, kk, ru, en)
CHAMBERS = (
    ('notary-KZ-75', 'notary', 'KZ-75', 'Алматы қаласының нотариаттық палатасы', 'Нотариальная палата города Алматы', 'Notary Chamber of Almaty'),
    ('notary-KZ-71', 'notary', 'KZ-71', 'Астана қаласының нотариаттық палатасы', 'Нотариальная палата города Астаны', 'Notary Chamber of Astana'),
    ('notary-KZ-79', 'notary', 'KZ-79', 'Шымкент қаласының нотариаттық палатасы', 'Нотариальная палата города Шымкента', 'Notary Chamber of Shymkent'),
    ('notary-KZ-10', 'notary', 'KZ-10', 'Абай облысының нотариаттық палатасы', 'Нотариальная палата области Абай', 'Notary Chamber of Abai Region'),
    ('notary-KZ-11', 'notary', 'KZ-11', 'Ақмола облысының нотариаттық палатасы', 'Нотариальная палата Акмолинской области', 'Notary Chamber of Akmola Region'),
    ('notary-KZ-15', 'notary', 'KZ-15', 'Ақтөбе облысының нотариаттық палатасы', 'Нотариальная палата Актюбинской области', 'Notary Chamber of Aktobe Region'),
    ('notary-KZ-19', 'notary', 'KZ-19', 'Алматы облысының нотариаттық палатасы', 'Нотариальная палата Алматинской области', 'Notary Chamber of Almaty Region'),
    ('notary-KZ-23', 'notary', 'KZ-23', 'Атырау облысының нотариаттық палатасы', 'Нотариальная палата Атырауской области', 'Notary Chamber of Atyrau Region'),
    ('notary-KZ-63', 'notary', 'KZ-63', 'Шығыс Қазақстан облысының нотариаттық палатасы', 'Нотариальная палата Восточно-Казахстанской области', 'Notary Chamber of East Kazakhstan Region'),
    ('notary-KZ-31', 'notary', 'KZ-31', 'Жамбыл облысының нотариаттық палатасы', 'Нотариальная палата Жамбылской области', 'Notary Chamber of Jambyl Region'),
    ('notary-KZ-33', 'notary', 'KZ-33', 'Жетісу облысының нотариаттық палатасы', 'Нотариальная палата области Жетісу', 'Notary Chamber of Jetisu Region'),
    ('notary-KZ-27', 'notary', 'KZ-27', 'Батыс Қазақстан облысының нотариаттық палатасы', 'Нотариальная палата Западно-Казахстанской области', 'Notary Chamber of West Kazakhstan Region'),
    ('notary-KZ-35', 'notary', 'KZ-35', 'Қарағанды облысының нотариаттық палатасы', 'Нотариальная палата Карагандинской области', 'Notary Chamber of Karaganda Region'),
    ('notary-KZ-39', 'notary', 'KZ-39', 'Қостанай облысының нотариаттық палатасы', 'Нотариальная палата Костанайской области', 'Notary Chamber of Kostanay Region'),
    ('notary-KZ-43', 'notary', 'KZ-43', 'Қызылорда облысының нотариаттық палатасы', 'Нотариальная палата Кызылординской области', 'Notary Chamber of Kyzylorda Region'),
    ('notary-KZ-47', 'notary', 'KZ-47', 'Маңғыстау облысының нотариаттық палатасы', 'Нотариальная палата Мангистауской области', 'Notary Chamber of Mangystau Region'),
    ('notary-KZ-55', 'notary', 'KZ-55', 'Павлодар облысының нотариаттық палатасы', 'Нотариальная палата Павлодарской области', 'Notary Chamber of Pavlodar Region'),
    ('notary-KZ-59', 'notary', 'KZ-59', 'Солтүстік Қазақстан облысының нотариаттық палатасы', 'Нотариальная палата Северо-Казахстанской области', 'Notary Chamber of North Kazakhstan Region'),
    ('notary-KZ-61', 'notary', 'KZ-61', 'Түркістан облысының нотариаттық палатасы', 'Нотариальная палата Туркестанской области', 'Notary Chamber of Turkistan Region'),
    ('notary-KZ-62', 'notary', 'KZ-62', 'Ұлытау облысының нотариаттық палатасы', 'Нотариальная палата области Ұлытау', 'Notary Chamber of Ulytau Region'),
    ('advocate-KZ-75', 'advocate', 'KZ-75', 'Алматы қалалық адвокаттар алқасы', 'Алматинская городская коллегия адвокатов', 'Almaty City Collegium of Advocates'),
    ('advocate-KZ-71', 'advocate', 'KZ-71', 'Астана қаласының адвокаттар алқасы', 'Коллегия адвокатов города Астаны', 'Collegium of Advocates of Astana'),
    ('advocate-KZ-79', 'advocate', 'KZ-79', 'Шымкент қаласының адвокаттар алқасы', 'Коллегия адвокатов города Шымкента', 'Collegium of Advocates of Shymkent'),
    ('advocate-KZ-10', 'advocate', 'KZ-10', 'Абай облысының адвокаттар алқасы', 'Коллегия адвокатов области Абай', 'Collegium of Advocates of Abai Region'),
    ('advocate-KZ-11', 'advocate', 'KZ-11', 'Ақмола облысының адвокаттар алқасы', 'Коллегия адвокатов Акмолинской области', 'Collegium of Advocates of Akmola Region'),
    ('advocate-KZ-15', 'advocate', 'KZ-15', 'Ақтөбе облысының адвокаттар алқасы', 'Коллегия адвокатов Актюбинской области', 'Collegium of Advocates of Aktobe Region'),
    ('advocate-KZ-19', 'advocate', 'KZ-19', 'Алматы облысының адвокаттар алқасы', 'Коллегия адвокатов Алматинской области', 'Collegium of Advocates of Almaty Region'),
    ('advocate-KZ-23', 'advocate', 'KZ-23', 'Атырау облысының адвокаттар алқасы', 'Коллегия адвокатов Атырауской области', 'Collegium of Advocates of Atyrau Region'),
    ('advocate-KZ-63', 'advocate', 'KZ-63', 'Шығыс Қазақстан облысының адвокаттар алқасы', 'Коллегия адвокатов Восточно-Казахстанской области', 'Collegium of Advocates of East Kazakhstan Region'),
    ('advocate-KZ-31', 'advocate', 'KZ-31', 'Жамбыл облысының адвокаттар алқасы', 'Коллегия адвокатов Жамбылской области', 'Collegium of Advocates of Jambyl Region'),
    ('advocate-KZ-33', 'advocate', 'KZ-33', 'Жетісу облысының адвокаттар алқасы', 'Коллегия адвокатов области Жетісу', 'Collegium of Advocates of Jetisu Region'),
    ('advocate-KZ-27', 'advocate', 'KZ-27', 'Батыс Қазақстан облысының адвокаттар алқасы', 'Коллегия адвокатов Западно-Казахстанской области', 'Collegium of Advocates of West Kazakhstan Region'),
    ('advocate-KZ-35', 'advocate', 'KZ-35', 'Қарағанды облысының адвокаттар алқасы', 'Коллегия адвокатов Карагандинской области', 'Collegium of Advocates of Karaganda Region'),
    ('advocate-KZ-39', 'advocate', 'KZ-39', 'Қостанай облысының адвокаттар алқасы', 'Коллегия адвокатов Костанайской области', 'Collegium of Advocates of Kostanay Region'),
    ('advocate-KZ-43', 'advocate', 'KZ-43', 'Қызылорда облысының адвокаттар алқасы', 'Коллегия адвокатов Кызылординской области', 'Collegium of Advocates of Kyzylorda Region'),
    ('advocate-KZ-47', 'advocate', 'KZ-47', 'Маңғыстау облысының адвокаттар алқасы', 'Коллегия адвокатов Мангистауской области', 'Collegium of Advocates of Mangystau Region'),
    ('advocate-KZ-55', 'advocate', 'KZ-55', 'Павлодар облысының адвокаттар алқасы', 'Коллегия адвокатов Павлодарской области', 'Collegium of Advocates of Pavlodar Region'),
    ('advocate-KZ-59', 'advocate', 'KZ-59', 'Солтүстік Қазақстан облысының адвокаттар алқасы', 'Коллегия адвокатов Северо-Казахстанской области', 'Collegium of Advocates of North Kazakhstan Region'),
    ('advocate-KZ-61', 'advocate', 'KZ-61', 'Түркістан облысының адвокаттар алқасы', 'Коллегия адвокатов Туркестанской области', 'Collegium of Advocates of Turkistan Region'),
    ('advocate-KZ-62', 'advocate', 'KZ-62', 'Ұлытау облысының адвокаттар алқасы', 'Коллегия адвокатов области Ұлытау', 'Collegium of Advocates of Ulytau Region'),
    ('bailiff-KZ-75', 'bailiff', 'KZ-75', 'Алматы қаласының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей города Алматы', 'Regional Chamber of Private Bailiffs of Almaty'),
    ('bailiff-KZ-71', 'bailiff', 'KZ-71', 'Астана қаласының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей города Астаны', 'Regional Chamber of Private Bailiffs of Astana'),
    ('bailiff-KZ-79', 'bailiff', 'KZ-79', 'Шымкент қаласының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей города Шымкента', 'Regional Chamber of Private Bailiffs of Shymkent'),
    ('bailiff-KZ-10', 'bailiff', 'KZ-10', 'Абай облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей области Абай', 'Regional Chamber of Private Bailiffs of Abai Region'),
    ('bailiff-KZ-11', 'bailiff', 'KZ-11', 'Ақмола облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Акмолинской области', 'Regional Chamber of Private Bailiffs of Akmola Region'),
    ('bailiff-KZ-15', 'bailiff', 'KZ-15', 'Ақтөбе облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Актюбинской области', 'Regional Chamber of Private Bailiffs of Aktobe Region'),
    ('bailiff-KZ-19', 'bailiff', 'KZ-19', 'Алматы облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Алматинской области', 'Regional Chamber of Private Bailiffs of Almaty Region'),
    ('bailiff-KZ-23', 'bailiff', 'KZ-23', 'Атырау облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Атырауской области', 'Regional Chamber of Private Bailiffs of Atyrau Region'),
    ('bailiff-KZ-63', 'bailiff', 'KZ-63', 'Шығыс Қазақстан облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Восточно-Казахстанской области', 'Regional Chamber of Private Bailiffs of East Kazakhstan Region'),
    ('bailiff-KZ-31', 'bailiff', 'KZ-31', 'Жамбыл облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Жамбылской области', 'Regional Chamber of Private Bailiffs of Jambyl Region'),
    ('bailiff-KZ-33', 'bailiff', 'KZ-33', 'Жетісу облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей области Жетісу', 'Regional Chamber of Private Bailiffs of Jetisu Region'),
    ('bailiff-KZ-27', 'bailiff', 'KZ-27', 'Батыс Қазақстан облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Западно-Казахстанской области', 'Regional Chamber of Private Bailiffs of West Kazakhstan Region'),
    ('bailiff-KZ-35', 'bailiff', 'KZ-35', 'Қарағанды облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Карагандинской области', 'Regional Chamber of Private Bailiffs of Karaganda Region'),
    ('bailiff-KZ-39', 'bailiff', 'KZ-39', 'Қостанай облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Костанайской области', 'Regional Chamber of Private Bailiffs of Kostanay Region'),
    ('bailiff-KZ-43', 'bailiff', 'KZ-43', 'Қызылорда облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Кызылординской области', 'Regional Chamber of Private Bailiffs of Kyzylorda Region'),
    ('bailiff-KZ-47', 'bailiff', 'KZ-47', 'Маңғыстау облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Мангистауской области', 'Regional Chamber of Private Bailiffs of Mangystau Region'),
    ('bailiff-KZ-55', 'bailiff', 'KZ-55', 'Павлодар облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Павлодарской области', 'Regional Chamber of Private Bailiffs of Pavlodar Region'),
    ('bailiff-KZ-59', 'bailiff', 'KZ-59', 'Солтүстік Қазақстан облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Северо-Казахстанской области', 'Regional Chamber of Private Bailiffs of North Kazakhstan Region'),
    ('bailiff-KZ-61', 'bailiff', 'KZ-61', 'Түркістан облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей Туркестанской области', 'Regional Chamber of Private Bailiffs of Turkistan Region'),
    ('bailiff-KZ-62', 'bailiff', 'KZ-62', 'Ұлытау облысының жеке сот орындаушыларының өңірлік палатасы', 'Региональная палата частных судебных исполнителей области Ұлытау', 'Regional Chamber of Private Bailiffs of Ulytau Region'),
    ('expert-rk', 'expert', None, 'Қазақстан Республикасының Сот сарапшылары палатасы', 'Палата судебных экспертов Республики Казахстан', 'Chamber of Forensic Experts of the Republic of Kazakhstan'),
    ('consultant-kba', 'consultant', None, '«Kazakhstan Bar Association» заң консультанттары палатасы', 'Палата юридических консультантов «Kazakhstan Bar Association»', 'Chamber of Legal Consultants “Kazakhstan Bar Association”'),
    ('consultant-slk', 'consultant', None, '«Қазақстан заңгерлерінің қоғамдастығы» заң консультанттары палатасы', 'Палата юридических консультантов «Сообщество юристов Казахстана»', 'Chamber of Legal Consultants “Community of Lawyers of Kazakhstan”'),
)

def _key(text):
    return " ".join((text or "").casefold().replace("ё", "е").split())


def upgrade():
    op.create_table(
        'city',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('name_kk', sa.String(length=80), nullable=False),
        sa.Column('name_ru', sa.String(length=80), nullable=False),
        sa.Column('name_en', sa.String(length=80), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    with op.batch_alter_table('city', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_city_region_id'), ['region_id'], unique=False)
    op.create_table(
        'licensor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name_kk', sa.String(length=255), nullable=False),
        sa.Column('name_ru', sa.String(length=255), nullable=False),
        sa.Column('name_en', sa.String(length=255), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    op.create_table(
        'chamber',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=True),
        sa.Column('name_kk', sa.String(length=255), nullable=False),
        sa.Column('name_ru', sa.String(length=255), nullable=False),
        sa.Column('name_en', sa.String(length=255), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'], ),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    with op.batch_alter_table('chamber', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chamber_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chamber_region_id'), ['region_id'], unique=False)
    with op.batch_alter_table('practitioner_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('licensor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('chamber_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_practitioner_profile_city_id_city', 'city',
                                    ['city_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_practitioner_profile_licensor_id_licensor', 'licensor',
                                    ['licensor_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_practitioner_profile_chamber_id_chamber', 'chamber',
                                    ['chamber_id'], ['id'], ondelete='SET NULL')
    _seed_and_map(op.get_bind())


def _seed_and_map(bind):
    """Insert the reference rows (for the regions and categories present) and map the
    profiles' free text onto them."""
    meta = sa.MetaData()
    region = sa.Table('region', meta, sa.Column('id', sa.Integer), sa.Column('code', sa.String))
    category = sa.Table('category', meta, sa.Column('id', sa.Integer), sa.Column('code', sa.String))
    city = sa.Table('city', meta, *(sa.Column(n, sa.Integer) for n in ('id', 'region_id', 'sort_order')),
                    *(sa.Column(n, sa.String) for n in ('code', 'name_kk', 'name_ru', 'name_en')))
    licensor = sa.Table('licensor', meta, *(sa.Column(n, sa.Integer) for n in ('id', 'sort_order')),
                        *(sa.Column(n, sa.String) for n in ('code', 'name_kk', 'name_ru', 'name_en')))
    chamber = sa.Table('chamber', meta,
                       *(sa.Column(n, sa.Integer) for n in ('id', 'category_id', 'region_id', 'sort_order')),
                       *(sa.Column(n, sa.String) for n in ('code', 'name_kk', 'name_ru', 'name_en')))
    profile = sa.Table('practitioner_profile', meta,
                       *(sa.Column(n, sa.Integer) for n in ('id', 'category_id', 'city_id', 'licensor_id',
                                                            'chamber_id')),
                       *(sa.Column(n, sa.String) for n in ('city', 'licensor', 'chamber')))
    regions = dict(bind.execute(sa.select(region.c.code, region.c.id)).all())
    categories = dict(bind.execute(sa.select(category.c.code, category.c.id)).all())
    rows = [dict(code=c, region_id=regions[r], name_kk=kk, name_ru=ru, name_en=en, sort_order=i)
            for i, (c, r, kk, ru, en) in enumerate(CITIES, 1) if r in regions]
    if rows:
        bind.execute(city.insert(), rows)
    bind.execute(licensor.insert(), [dict(code=c, name_kk=kk, name_ru=ru, name_en=en, sort_order=i)
                                     for i, (c, kk, ru, en) in enumerate(LICENSORS, 1)])
    rows = [dict(code=c, category_id=categories[cat], region_id=regions[r] if r else None,
                 name_kk=kk, name_ru=ru, name_en=en, sort_order=i)
            for i, (c, cat, r, kk, ru, en) in enumerate(CHAMBERS, 1)
            if cat in categories and (r is None or r in regions)]
    if rows:
        bind.execute(chamber.insert(), rows)

    def index(table, *extra):
        out = {}
        for row in bind.execute(sa.select(table.c.id, table.c.name_ru, table.c.name_kk, *extra)):
            for name in (row[1], row[2]):
                ids = out.setdefault((_key(name), *row[3:]), set())
                ids.add(row[0])
        return {key: next(iter(ids)) for key, ids in out.items() if len(ids) == 1}

    cities, licensors = index(city), index(licensor)
    chambers = index(chamber, chamber.c.category_id)
    for pid, cat, city_text, licensor_text, chamber_text in bind.execute(sa.select(
            profile.c.id, profile.c.category_id, profile.c.city, profile.c.licensor, profile.c.chamber)).all():
        values = {}
        for column, found in (("city", cities.get((_key(city_text),))),
                              ("licensor", licensors.get((_key(licensor_text),))),
                              ("chamber", chambers.get((_key(chamber_text), cat)))):
            if found is not None:
                values[column + "_id"], values[column] = found, ""
        if values:
            bind.execute(profile.update().where(profile.c.id == pid).values(**values))


def downgrade():
    for column, table in (("city", "city"), ("licensor", "licensor"), ("chamber", "chamber")):
        op.execute(f"UPDATE practitioner_profile SET {column} = (SELECT name_ru FROM {table} "
                   f"WHERE {table}.id = practitioner_profile.{column}_id) WHERE {column}_id IS NOT NULL")
    with op.batch_alter_table('practitioner_profile', schema=None) as batch_op:
        batch_op.drop_constraint('fk_practitioner_profile_chamber_id_chamber', type_='foreignkey')
        batch_op.drop_constraint('fk_practitioner_profile_licensor_id_licensor', type_='foreignkey')
        batch_op.drop_constraint('fk_practitioner_profile_city_id_city', type_='foreignkey')
        batch_op.drop_column('chamber_id')
        batch_op.drop_column('licensor_id')
        batch_op.drop_column('city_id')
    with op.batch_alter_table('chamber', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chamber_region_id'))
        batch_op.drop_index(batch_op.f('ix_chamber_category_id'))
    op.drop_table('chamber')
    op.drop_table('licensor')
    with op.batch_alter_table('city', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_city_region_id'))
    op.drop_table('city')
