"""The portal's clock: naive UTC datetimes, as every DateTime column stores them."""
from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
