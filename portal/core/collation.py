"""Sorting names the way readers of a language expect (ICU collation through PyICU).

Python's ``sorted`` compares code points: Kazakh letters (Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І)
come after Я, and lower-case after upper-case. ICU's collator for ``kk`` follows
the Kazakh alphabet (А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ
Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я), the one for ``ru`` the Russian one (the Kazakh letters
beside their base letters).

    sorted(names, key=sort_key("kk"))
    sorted_by_name(regions)                       # by each row's name in the page's language
    sorted_by_name(regions, first=is_city)        # cities first, then the rest, each by name
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

import icu

from portal.core.i18n import current_locale

T = TypeVar("T")


@lru_cache(maxsize=16)
def collator(locale: str) -> icu.Collator:
    """ICU's collator for ``locale`` ("kk", "ru", "en"; falls back to the root order)."""
    return icu.Collator.createInstance(icu.Locale(locale))


def sort_key(locale: str | None = None) -> Callable[[str | None], bytes]:
    """A ``key=`` for ``sorted`` that orders texts as in ``locale`` (default: the page's language)."""
    get_key = collator(locale or current_locale()).getSortKey
    return lambda text: get_key(text or "")


def _name(item, locale: str) -> str:
    tr = getattr(item, "tr", None)  # LocalizedMixin: the name in that language, with fallbacks
    return tr("name", locale) if callable(tr) else str(item or "")


def sorted_by_name(items: Iterable[T], key: Callable[[T], str] | None = None, locale: str | None = None,
                   first: Callable[[T], bool] | None = None) -> list[T]:
    """``items`` by name in the collation of ``locale`` (default: the page's language).

    ``key`` gives an item's text (default: its ``name`` in that language for
    reference rows, else ``str(item)``); ``first`` puts the items it is true for
    before the others (each group sorted by name); equal names keep their order."""
    locale = locale or current_locale()
    text = key or (lambda item: _name(item, locale))
    collate = sort_key(locale)
    if first is None:
        return sorted(items, key=lambda item: collate(text(item)))
    return sorted(items, key=lambda item: (not first(item), collate(text(item))))
