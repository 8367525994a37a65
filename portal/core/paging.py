"""Paging of lists: the ``Page`` a list page renders (with the pagination
macro of portal/templates/portal/_macros.html) and ``paged``, which counts
the rows of a query and loads one page of them. A page number out of range
(0, negative, or past the last page, e.g. an old link after rows went away)
shows the nearest page that exists instead of an empty list."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request
from sqlalchemy import Select, func, select

from portal.core.extensions import db


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def clamp(page: int | None, total: int, per_page: int) -> int:
    """``page`` within 1 .. the last page of ``total`` rows (1 when there are none)."""
    return min(max(1, page or 1), max(1, -(-total // per_page)))


def paged(stmt: Select, order_by: tuple, page: int | None, per_page: int) -> Page:
    """One page of the rows of ``stmt`` in ``order_by`` order (loader options
    on ``stmt`` apply to the rows, not to the count)."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = clamp(page, total, per_page)
    items = db.session.scalars(stmt.order_by(*order_by).offset((page - 1) * per_page).limit(per_page)).all()
    return Page(list(items), total, page, per_page)


def page_arg() -> int:
    """The ``page`` query argument (1 when absent or not a number)."""
    return request.args.get("page", 1, type=int) or 1
