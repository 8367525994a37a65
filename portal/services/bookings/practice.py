"""What the practitioner's booking pages share: the acting user's own practice
(verified, in a category that takes bookings) and input checks on whole numbers
and local time ranges. The messages are lazy gettext strings (ServiceError)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.bookings import MINUTES_PER_DAY
from portal.models.practitioners import PractitionerProfile, ProfileStatus

MAX_RANGES_PER_DAY = 6


def own_profile(user) -> PractitionerProfile:
    """The user's practitioner profile when it may take bookings; else NotFound (no
    profile) or ServiceError saying why (not verified, category without bookings)."""
    profile = any_profile(user)
    if profile.status not in ProfileStatus.PUBLIC or not profile.is_public:
        raise ServiceError(_l("Only a verified practitioner can set up bookings."))
    if profile.category is None or not profile.category.takes_bookings:
        raise ServiceError(_l("Your category does not take bookings. Clients reach you through requests."))
    return profile


def any_profile(user) -> PractitionerProfile:
    """The user's practitioner profile whatever its status (its bookings stay the
    practitioner's to manage when the practice or its category changes); else NotFound."""
    if user is None or getattr(user, "id", None) is None:
        raise NotFound(_l("You have no practitioner profile."))
    profile = db.session.scalars(
        select(PractitionerProfile).where(PractitionerProfile.user_id == user.id)).first()
    if profile is None:
        raise NotFound(_l("You have no practitioner profile."))
    return profile


def row_id(value) -> int | None:
    """``value`` as a database id (a positive 32-bit integer), or None."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number < 2**31 else None


def whole_number(value, field: str, low: int, high: int, message) -> int:
    """``value`` (an int or a string of digits) within [low, high]; else ServiceError(message, field)."""
    if isinstance(value, bool):
        raise ServiceError(message, field)
    if isinstance(value, str):
        value = value.strip().replace(" ", "").replace("\u00a0", "")
        if not value.lstrip("-").isdigit() or len(value) > 12:
            raise ServiceError(message, field)
        value = int(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not low <= value <= high:
        raise ServiceError(message, field)
    return value


def parse_hhmm(text: str | None) -> int | None:
    """"09:30" -> 570; "24:00" -> 1440; None for anything else."""
    text = (text or "").strip()
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(hours) > 2 or len(minutes) != 2:
        return None
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def hhmm(minute: int) -> str:
    """570 -> "09:30"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def clean_ranges(ranges, field: str) -> list[tuple[int, int]]:
    """Local minute ranges [(start, end)], each within the day, sorted, none
    overlapping, at most MAX_RANGES_PER_DAY; ServiceError(…, field) otherwise."""
    if ranges is None:
        return []
    try:
        pairs = [(r[0], r[1]) for r in ranges]
    except (TypeError, IndexError, KeyError):
        raise ServiceError(_l("Enter each range as a start and an end time."), field) from None
    if len(pairs) > MAX_RANGES_PER_DAY:
        raise ServiceError(_l("At most %(max)d time ranges a day.", max=MAX_RANGES_PER_DAY), field)
    out: list[tuple[int, int]] = []
    bad = _l("A time range must start and end within the day (00:00 to 24:00).")
    for a, b in pairs:
        a = whole_number(a, field, 0, MINUTES_PER_DAY, bad)
        b = whole_number(b, field, 0, MINUTES_PER_DAY, bad)
        if a >= b:
            raise ServiceError(_l("A time range must end after it starts (%(start)s - %(end)s).",
                                  start=hhmm(a), end=hhmm(b)), field)
        out.append((a, b))
    out.sort()
    for (a1, b1), (a2, b2) in zip(out, out[1:]):
        if a2 < b1:
            raise ServiceError(_l("The time ranges %(first)s and %(second)s overlap.",
                                  first=f"{hhmm(a1)}-{hhmm(b1)}", second=f"{hhmm(a2)}-{hhmm(b2)}"), field)
    return out


def ranges_text(ranges) -> str:
    return ", ".join(f"{hhmm(a)}-{hhmm(b)}" for a, b in ranges)
