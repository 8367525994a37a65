"""A practitioner's price list: services with a kk/ru/en name, a price in tenge
(fixed, or "from"), an expected duration and a mode (in person, by phone,
online), in the practitioner's order.

Only the owner of a verified practice in a category that takes bookings edits
it (``practice.own_profile``); another practitioner's line is NotFound. Every
change is audited (entity "service_item"). A booking keeps its own copy of the
price, so editing or removing a line never changes existing bookings; a line
that bookings refer to is deactivated instead of deleted."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.core import audit, tx
from portal.core.clock import utcnow
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.models.bookings import Booking, ServiceItem, ServiceMode, ServicePriceKind
from portal.services.bookings.practice import own_profile, row_id, whole_number

AUDIT_ENTITY = "service_item"
NAME_MAX = 200
PRICE_MAX = 100_000_000  # tenge
DURATION_MIN, DURATION_MAX = 5, 480  # minutes
SORT_MAX = 100_000
ITEMS_MAX = 100  # active lines per practice

FIELDS = ("name_kk", "name_ru", "name_en", "price", "price_kind", "duration_minutes", "mode", "sort_order")
_NOT_YOURS = _l("This service does not exist or is not yours.")


def items(profile_id: int, *, active_only: bool = True) -> list[ServiceItem]:
    """The profile's price list in its order (sort_order, id)."""
    q = select(ServiceItem).where(ServiceItem.profile_id == profile_id)
    if active_only:
        q = q.where(ServiceItem.active.is_(True))
    return list(db.session.scalars(q.order_by(ServiceItem.sort_order, ServiceItem.id)))


def _clean(data: dict, current: ServiceItem | None) -> dict:
    """The checked values of ``data``; a key missing from ``data`` keeps the current
    value (the default for a new line). Raises ServiceError on the first bad one."""
    data = data or {}

    def value(key, default):
        if key in data and data[key] is not None:
            return data[key]
        return getattr(current, key) if current is not None else default

    out: dict = {}
    for key in ("name_kk", "name_ru", "name_en"):
        text = value(key, "")
        text = (text if isinstance(text, str) else str(text)).strip()
        if len(text) > NAME_MAX:
            raise ServiceError(_l("The name is too long (at most %(max)d characters).", max=NAME_MAX), key)
        out[key] = text
    if not out["name_kk"] and not out["name_ru"]:
        raise ServiceError(_l("Enter the name of the service in Kazakh or Russian."), "name_ru")
    out["price"] = whole_number(
        value("price", None), "price", 0, PRICE_MAX,
        _l("Enter the price in whole tenge, from 0 to %(max)s.", max="100 000 000"))
    kind = value("price_kind", ServicePriceKind.FIXED)
    if kind not in ServicePriceKind.ALL:
        raise ServiceError(_l("Choose whether the price is fixed or a starting price."), "price_kind")
    out["price_kind"] = kind
    out["duration_minutes"] = whole_number(
        value("duration_minutes", None), "duration_minutes", DURATION_MIN, DURATION_MAX,
        _l("Enter the duration in minutes, from %(min)d to %(max)d.", min=DURATION_MIN, max=DURATION_MAX))
    mode = value("mode", ServiceMode.IN_PERSON)
    if mode not in ServiceMode.ALL:
        raise ServiceError(_l("Choose how the service is given: in person, by phone or online."), "mode")
    out["mode"] = mode
    order = value("sort_order", None)
    if order is not None and order != "":
        out["sort_order"] = whole_number(order, "sort_order", 0, SORT_MAX,
                                         _l("Enter the position as a whole number from 0 to %(max)d.",
                                            max=SORT_MAX))
    return out


def _own_item(user, item_id) -> tuple[ServiceItem, int]:
    profile = own_profile(user)
    key = row_id(item_id)
    item = db.session.get(ServiceItem, key) if key is not None else None
    if item is None or item.profile_id != profile.id:
        raise NotFound(_NOT_YOURS)
    return item, profile.id


def _summary(item: ServiceItem) -> str:
    return f"{item.price} {item.price_kind} {item.duration_minutes}min {item.mode}"[:40]


def add_item(user, data: dict) -> ServiceItem:
    """Add a line to the user's price list (at the end unless ``sort_order`` is given)."""
    profile = own_profile(user)
    values = _clean(data, None)
    count = db.session.scalar(select(func.count()).select_from(ServiceItem).where(
        ServiceItem.profile_id == profile.id, ServiceItem.active.is_(True)))
    if count >= ITEMS_MAX:
        raise ServiceError(_l("A price list holds at most %(max)d services.", max=ITEMS_MAX))
    if "sort_order" not in values:
        last = db.session.scalar(select(func.max(ServiceItem.sort_order))
                                 .where(ServiceItem.profile_id == profile.id))
        values["sort_order"] = min((last or 0) + 1 if last is not None else 0, SORT_MAX)
    now = utcnow()
    item = ServiceItem(profile_id=profile.id, active=True, created_at=now, updated_at=now, **values)
    db.session.add(item)
    db.session.flush()
    audit.record(AUDIT_ENTITY, item.id, None, _summary(item), user.id, reason=item.name_ru or item.name_kk,
                 action="created")
    tx.commit()
    return item


def update_item(user, item_id: int, data: dict) -> ServiceItem:
    """Change a line of the user's price list; bookings made keep their price copy."""
    item, _ = _own_item(user, item_id)
    values = _clean(data, item)
    before = {key: getattr(item, key) for key in values}
    changed = {key: v for key, v in values.items() if before[key] != v}
    if not changed:
        return item
    previous = _summary(item)
    for key, v in changed.items():
        setattr(item, key, v)
    item.updated_at = utcnow()
    audit.record(AUDIT_ENTITY, item.id, previous, _summary(item), user.id,
                 reason="; ".join(f"{k}: {before[k]} -> {v}" for k, v in changed.items()), action="updated")
    tx.commit()
    return item


def remove_item(user, item_id: int) -> None:
    """Take a line off the price list: deactivated when bookings refer to it, else deleted."""
    item, _ = _own_item(user, item_id)
    used = db.session.scalar(select(Booking.id).where(Booking.service_item_id == item.id).limit(1))
    if used is not None:
        if not item.active:
            return
        item.active, item.updated_at = False, utcnow()
        audit.record(AUDIT_ENTITY, item.id, "active", "inactive", user.id, action="deactivated")
    else:
        audit.record(AUDIT_ENTITY, item.id, _summary(item), None, user.id,
                     reason=item.name_ru or item.name_kk, action="deleted")
        db.session.delete(item)
    tx.commit()


def move_item(user, item_id: int, offset: int) -> list[ServiceItem]:
    """Move an active line up (offset -1) or down (+1) the list; renumbers the order 0, 1, 2 ..."""
    item, profile_id = _own_item(user, item_id)
    lines = items(profile_id)
    if item not in lines:
        raise NotFound(_NOT_YOURS)
    index = lines.index(item)
    target = max(0, min(len(lines) - 1, index + (1 if offset > 0 else -1 if offset < 0 else 0)))
    if target == index:
        return lines
    lines.insert(target, lines.pop(index))
    for position, line in enumerate(lines):
        line.sort_order = position
    audit.record(AUDIT_ENTITY, item.id, str(index), str(target), user.id, action="reordered")
    tx.commit()
    return lines
