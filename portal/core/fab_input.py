"""FAB's list arguments and routes a view would crash on, for the input guard
(``input_guard``): unknown order columns, page numbers and sizes that are not
sane, filters on an unknown column or with out-of-range ids, ``/download/`` of
a missing file, ``/chart/`` past the chart's definitions, and numbers the
database cannot take in a REST API ``q=(...)`` argument."""
from __future__ import annotations

import json
import logging
import re

from flask import current_app, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import NotFound

from portal.core.input_checks import BAD_NUMBERS, INT_MAX, INT_MIN, as_int, bad_numbers, refuse

log = logging.getLogger(__name__)

PAGE_MAX = INT_MAX                        # page numbers FAB multiplies by a page size
PAGE_SIZE_MAX = 1000                      # FAB's page-size menu offers 25 to 100
# FAB's own regular expressions (flask_appbuilder/urltools.py): searched anywhere in an argument name
FAB_PAGE = re.compile("page_(.*)")
FAB_PAGE_SIZE = re.compile("psize_(.*)")
FAB_ORDER = re.compile("_oc_(.*)")
FAB_FILTER = re.compile(r"_flt_(\d)_(.*)")


def _view_of_endpoint():
    endpoint = request.endpoint
    if not endpoint:
        return None
    return getattr(current_app.view_functions.get(endpoint), "__self__", None)


def _views_by_name() -> dict[str, list]:
    """FAB views (and the related views shown inside them) by class name."""
    cache = current_app.extensions.get("fab_input_views")
    if cache is None:
        cache = {}
        appbuilder = current_app.extensions.get("appbuilder") or getattr(current_app, "appbuilder", None)
        seen = set()
        stack = list(getattr(appbuilder, "baseviews", []) or [])
        while stack:
            view = stack.pop()
            if id(view) in seen:
                continue
            seen.add(id(view))
            cache.setdefault(view.__class__.__name__, []).append(view)
            stack.extend(getattr(view, "_related_views", None) or [])
            stack.extend(getattr(view, "_views", None) or [])
        current_app.extensions["fab_input_views"] = cache
    return cache


def _is_fab_model_view(view) -> bool:
    from flask_appbuilder.baseviews import BaseModelView
    from flask_appbuilder.views import MultipleView

    return isinstance(view, (BaseModelView, MultipleView))


def _sane(value, low: int, high: int) -> bool:
    number = as_int(value)
    return number is not None and low <= number <= high


def _int_column_type(datamodel, column: str):
    """'int' for an INTEGER column, 'relation' for a relation to a model with an integer key, else None."""
    from sqlalchemy import BigInteger, Integer

    try:
        if datamodel.is_relation(column):
            model = datamodel.get_related_model(column)
            keys = list(model.__mapper__.primary_key)
            if len(keys) == 1 and isinstance(keys[0].type, Integer) and not isinstance(keys[0].type, BigInteger):
                return "relation"
            return None
        col = datamodel.list_columns.get(column)
        kind = getattr(col, "type", None)
        if isinstance(kind, Integer) and not isinstance(kind, BigInteger):
            return "int"
    except Exception:  # noqa: BLE001  (an unusual column: leave it to FAB)
        return None
    return None


def _filter_ok(view, column: str, index: int, values: list[str]) -> bool:
    filters = getattr(getattr(view, "_filters", None), "_all_filters", None)
    if filters is None:
        return True
    if column not in filters or index >= len(filters[column]):
        return False
    kind = _int_column_type(view.datamodel, column)
    for value in values:
        number = as_int(value)
        if kind == "relation" and (number is None or not INT_MIN <= number <= INT_MAX):
            return False
        if kind == "int" and number is not None and not INT_MIN <= number <= INT_MAX:
            return False
    return True


def clean_fab_args() -> None:
    """Drop the FAB list arguments a FAB view would crash on."""
    view = _view_of_endpoint()
    if view is None or not _is_fab_model_view(view) or not request.args:
        return
    args = request.args
    views = _views_by_name()
    drop: set[str] = set()
    for name in args:
        match = FAB_PAGE.search(name)
        if match and not _sane(args.get(name), 0, PAGE_MAX):
            drop.add(name)
        match = FAB_PAGE_SIZE.search(name)
        if match and not _sane(args.get(name), 1, PAGE_SIZE_MAX):
            drop.add(name)
        match = FAB_ORDER.search(name)
        if match:
            targets = views.get(match.group(1)) or []
            column = args.get(name)
            if not targets or any(column not in (getattr(v, "order_columns", None) or []) for v in targets):
                drop.update((name, "_od_" + match.group(1)))
        match = FAB_FILTER.search(name)
        if match:
            index, column = int(match.group(1)), match.group(2)
            if not _filter_ok(view, column, index, args.getlist(name)):
                drop.add(name)
    drop &= set(args)
    if drop:
        log.info("ignored FAB list arguments %s on %s", sorted(drop)[:10], request.path[:200])
        request.args = ImmutableMultiDict([(k, v) for k, v in args.items(multi=True) if k not in drop])


def check_fab_routes() -> None:
    """FAB routes that crash on a value they do not expect: ``/download/<filename>`` of a
    file that is not there (or not named ``<uuid>_sep_<name>``), ``/chart/<group_by>`` past
    the chart's definitions."""
    endpoint = request.endpoint or ""
    args = request.view_args or {}
    view = _view_of_endpoint()
    if view is None or not endpoint.startswith(view.__class__.__name__ + "."):
        return
    if endpoint.endswith(".download") and "filename" in args and _is_fab_model_view(view):
        import os

        name = str(args["filename"])
        folder = current_app.config["UPLOAD_FOLDER"] or ""
        if ("_sep_" not in name or name.startswith(".") or "/" in name or "\\" in name
                or not os.path.isfile(os.path.join(folder, name))):
            raise NotFound()
    if endpoint.endswith(".chart") and args.get("group_by") not in (None, ""):
        group_by = args["group_by"]
        definitions = getattr(view, "definitions", None)
        if isinstance(definitions, list):
            if not _sane(group_by, 0, len(definitions) - 1):
                raise NotFound()
            return
        columns = getattr(view, "group_by_columns", None)
        if columns is not None and group_by not in columns:
            raise NotFound()
        direct = getattr(view, "direct_columns", None)
        if isinstance(direct, dict) and columns is None and group_by not in direct:
            raise NotFound()


def check_rison() -> None:
    """FAB REST API ``q=(...)``: numbers the database cannot take are refused (FAB's ``@safe``
    would turn the database error into a 500)."""
    raw = request.args.get("q")
    if not raw:
        return
    view = _view_of_endpoint()
    from flask_appbuilder.api import BaseApi

    if view is None or not isinstance(view, BaseApi):
        return
    try:
        import prison

        data = prison.loads(raw)
    except Exception:  # noqa: BLE001  (FAB answers its own 400 for a bad rison argument)
        try:
            data = json.loads(raw)
        except ValueError:
            return
    if bad_numbers(data):
        refuse(BAD_NUMBERS, "number out of range in q")
    datamodel = getattr(view, "datamodel", None)
    filters = data.get("filters") if isinstance(data, dict) else None
    if datamodel is None or not isinstance(filters, list):
        return
    for item in filters:
        if not isinstance(item, dict) or not isinstance(item.get("col"), str):
            continue
        kind = _int_column_type(datamodel, item["col"])
        values = item.get("value")
        values = values if isinstance(values, list) else [values]
        for value in values:
            number = as_int(value)
            if kind == "relation" and (number is None or not INT_MIN <= number <= INT_MAX):
                refuse(BAD_NUMBERS, "bad id in a q filter")
            if kind == "int" and number is not None and not INT_MIN <= number <= INT_MAX:
                refuse(BAD_NUMBERS, "number out of range in a q filter")
