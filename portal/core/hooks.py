"""The app's request hooks, in one explicit order (portal.create_app lists
them): modules define their hooks, and only this module puts them on the app.

``before_request`` runs ``first`` (input checks, the signed-in session), then
the hooks that Flask-WTF (CSRF) and Flask-AppBuilder (``g.user``) installed
themselves, in their order, then ``last`` (the rules that need ``g.user``)."""
from __future__ import annotations

from typing import Callable, Iterable

from flask import Flask


def install(app: Flask, first: Iterable[Callable], last: Iterable[Callable]) -> None:
    first, last = list(first), list(last)
    ours = set(first) | set(last)
    theirs = [f for f in app.before_request_funcs.get(None, []) if f not in ours]
    app.before_request_funcs[None] = first + theirs + last
