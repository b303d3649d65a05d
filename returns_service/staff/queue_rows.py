"""The work list's rows as ``staff/_work_row.html`` writes them, each kept per what it shows.

A page lists mostly the cases the page before it listed, and writing its rows (their words,
due times, arrivals in the shop's time, links) was most of its rendering. A row is written
again whenever anything it shows changes: it is kept under the row itself (its tag, so its
due time and lateness, included) with the page's language, time zone and root address.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask_babel import get_timezone
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from returns_service.cases.work_rows import WorkRow

#: The template whose ``work_row`` macro writes a row.
ROW_TEMPLATE = "staff/_work_row.html"
#: How many rows are kept before they are all written afresh.
_REMEMBERED_ROWS = 4096

_written: dict[tuple[Any, ...], Markup] = {}


def row_writer() -> Callable[..., Markup]:
    """The work list template's ``row_markup(row)`` for one page: a kept row, or the row
    written by the macro with the page's own variables (words, times, ``_``)."""
    page: dict[str, Any] = {}

    @pass_context
    def row_markup(context: Context, row: WorkRow) -> Markup:
        if not page:
            page["key"] = (context["lang"], str(get_timezone()), request.script_root)
        key = (page["key"], row)
        written = _written.get(key)
        if written is None:
            if "macros" not in page:
                template = context.environment.get_template(ROW_TEMPLATE)
                page["macros"] = template.make_module(context.get_all())
            if len(_written) >= _REMEMBERED_ROWS:
                _written.clear()
            written = _written[key] = page["macros"].work_row(row)
        return written

    return row_markup
