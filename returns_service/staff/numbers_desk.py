"""The numbers page's tables of the desk: promised response times kept, survey answers."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, ngettext

from returns_service.insight.satisfaction import UNASSIGNED
from returns_service.labels import REASON_LABELS, code_label
from returns_service.staff.charts import bar_chart
from returns_service.staff.numbers_tables import Cell, Measure, Share, Table, bars


def promises(cases: dict[str, Any]) -> Table:
    """Promised first responses and resolutions met and missed, with the share met."""
    caption = (
        gettext("Promised response times kept")
        + " · "
        + ngettext("%(num)d case", "%(num)d cases", cases["cases"])
    )
    labels = {"first_response": gettext("First response"), "resolution": gettext("Resolution")}
    rows: list[list[Cell]] = [
        [labels[name], row["met"], row["missed"], Share(row["share_met"])]
        for name, row in cases["promises"].items()
    ]
    headers = [gettext("Promise"), gettext("Met"), gettext("Missed"), gettext("Share met")]
    return Table("promises", caption, headers, rows, bar_chart(caption, bars(rows, 0, 3)))


def _group_label(dimension: str, key: str) -> str:
    if dimension in ("by_kind", "by_priority"):
        return code_label(key)
    if dimension == "by_reason":
        return str(REASON_LABELS.get(key, key))
    return gettext("Unassigned") if key == UNASSIGNED else key


def satisfaction(scale: str, numbers: dict[str, Any]) -> Table:
    """The answers of one scale (csat 1-5, nps 0-10), overall and by each dimension."""
    csat = scale == "csat"
    caption = gettext("Satisfaction (1-5)") if csat else gettext("Recommendation (0-10)")
    dimensions = {
        "by_kind": gettext("By kind of case"),
        "by_priority": gettext("By priority"),
        "by_reason": gettext("By reason"),
        "by_product": gettext("By product"),
        "by_agent": gettext("By agent"),
    }

    def row(group: str, label: str, summary: dict[str, Any]) -> list[Cell]:
        score: Cell = Share(summary["satisfied_share"]) if csat else Measure(summary["nps"])
        return [group, label, summary["answers"], Measure(summary["average"]), score]

    rows = [
        row(title, _group_label(dimension, key), summary)
        for dimension, title in dimensions.items()
        for key, summary in numbers[dimension].items()
    ]
    rows.append(row(gettext("All cases"), "", numbers["overall"]))
    headers = [
        gettext("Grouped by"),
        gettext("Group"),
        gettext("Answers"),
        gettext("Average"),
        gettext("Satisfied (4-5)") if csat else gettext("Net promoter score"),
    ]
    return Table(f"satisfaction-{scale}", caption, headers, rows)


def desk_tables(cases: dict[str, Any], survey: dict[str, Any]) -> list[Table]:
    """The promises table, and one table per survey scale answered in the period."""
    return [promises(cases), *(satisfaction(scale, n) for scale, n in survey.items())]
