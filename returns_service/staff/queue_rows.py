"""The work list's rows as ``staff/_work_row.html`` writes them, each kept per what it shows,
and its scan box and filters as ``staff/_work_filters.html`` writes them, kept likewise.

A page lists mostly the cases the page before it listed, and writing its rows (their words,
due times, arrivals in the shop's time, links) was most of its rendering. A row is written
again whenever anything it shows changes: it is kept under the row itself (its tag, so its
due time and lateness, included) with the page's language, time zone and root address. The
filters are kept under the page's query string, language, root address and choices; never
while the search box holds text (often a customer's e-mail or phone number).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

from flask import request
from flask_babel import get_timezone
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from returns_service.cases.work_rows import WorkRow
from returns_service.kept_values import KeptValues

#: The template whose ``work_row`` macro writes a row.
ROW_TEMPLATE = "staff/_work_row.html"
#: The template whose ``filters`` macro writes the scan box and the filters.
FILTERS_TEMPLATE = "staff/_work_filters.html"
#: How many rows, and how many sets of filters, are kept before they are written afresh.
_written: KeptValues[Markup] = KeptValues(4096)
_filters: KeptValues[Markup] = KeptValues(256)


def _macros(context: Context, template: str) -> Any:
    """``template``'s macros, seeing the page's own variables (words, forms, ``_``)."""
    return context.environment.get_template(template).make_module(context.get_all())


@pass_context
def rows_markup(context: Context, rows: list[WorkRow]) -> Markup:
    """The work list template's ``rows_markup(rows)``: each row kept, or written by the
    macro with the page's own variables (words, times, ``_``). One call writes the page's
    rows: a template's call costs more than fetching a kept row."""
    page = (context["lang"], str(get_timezone()), request.script_root)
    macros: list[Any] = []

    def write(row: WorkRow) -> Markup:
        if not macros:
            macros.append(_macros(context, ROW_TEMPLATE))
        return macros[0].work_row(row)

    return Markup("").join(_written.get((page, row), partial(write, row)) for row in rows)


def filters_writer(shown: Hashable | None) -> Callable[..., Markup]:
    """The work list template's ``filters_markup()``: the scan box and filters kept under
    ``shown`` (everything they show but the page's language and root address), or written
    afresh and not kept where ``shown`` is None."""

    @pass_context
    def filters_markup(context: Context) -> Markup:
        def write() -> Markup:
            return _macros(context, FILTERS_TEMPLATE).filters()

        if shown is None:
            return write()
        return _filters.get((context["lang"], request.script_root, shown), write)

    return filters_markup
