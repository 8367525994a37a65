"""Demo price lists and working hours of the practitioners whose category takes
bookings (notaries, legal consultants), set through the same services as the
practitioner's own pages (services.bookings.price_list and schedule), so the demo
profiles show prices and free times and can be booked at once."""
from __future__ import annotations

from portal.models.bookings import ServiceMode, ServicePriceKind
from portal.services.bookings import price_list, schedule

# category -> price list lines: (name kk, name ru, name en, price KZT, kind, minutes, mode)
PRICE_LISTS = {
    "notary": (
        ("Сенімхатты куәландыру", "Удостоверение доверенности", "Power of attorney", 5000,
         ServicePriceKind.FIXED, 30, ServiceMode.IN_PERSON),
        ("Баланың шетелге шығуына келісім", "Согласие на выезд ребёнка за границу", "Consent for a child to travel",
         4000, ServicePriceKind.FIXED, 30, ServiceMode.IN_PERSON),
        ("Мұраға құқық туралы куәлік", "Свидетельство о праве на наследство", "Certificate of inheritance",
         15000, ServicePriceKind.FROM, 60, ServiceMode.IN_PERSON),
        ("Құжат көшірмесін куәландыру", "Засвидетельствование копии документа", "Certified copy of a document",
         1000, ServicePriceKind.FIXED, 15, ServiceMode.IN_PERSON),
    ),
    "consultant": (
        ("Заң кеңесі (телефонмен)", "Юридическая консультация по телефону", "Legal advice by phone", 8000,
         ServicePriceKind.FIXED, 30, ServiceMode.PHONE),
        ("Онлайн кеңес", "Онлайн-консультация", "Online consultation", 12000,
         ServicePriceKind.FIXED, 60, ServiceMode.ONLINE),
        ("Шартты тексеру", "Проверка договора", "Contract review", 20000,
         ServicePriceKind.FROM, 60, ServiceMode.IN_PERSON),
    ),
}
# Monday to Friday 09:00-13:00 and 14:00-18:00 local time; notaries also Saturday 10:00-14:00.
WEEKDAYS = {day: [(9 * 60, 13 * 60), (14 * 60, 18 * 60)] for day in range(5)}
SATURDAY = {5: [(10 * 60, 14 * 60)]}
SLOT_MINUTES = {"notary": 15, "consultant": 30}


def set_up(profiles) -> int:
    """Hours, rules and a price list for every public profile of a category that takes
    bookings; returns how many profiles were set up."""
    done = 0
    for profile in profiles:
        code = profile.category.code
        if not profile.is_public or not profile.category.takes_bookings or code not in PRICE_LISTS:
            continue
        user = profile.user
        weekly = WEEKDAYS | (SATURDAY if code == "notary" else {})
        schedule.set_weekly_hours(user, weekly)
        schedule.set_rules(user, {"slot_minutes": SLOT_MINUTES[code], "buffer_minutes": 0,
                                  "min_notice_minutes": 120, "horizon_days": 60,
                                  "cancel_notice_minutes": 120, "auto_confirm": done % 3 == 2})
        for order, (kk, ru, en, price, kind, minutes, mode) in enumerate(PRICE_LISTS[code]):
            price_list.add_item(user, {"name_kk": kk, "name_ru": ru, "name_en": en, "price": price,
                                       "price_kind": kind, "duration_minutes": minutes, "mode": mode,
                                       "sort_order": order})
        done += 1
    return done
