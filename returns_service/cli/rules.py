"""``returns-service rules``: export, import and simulate rule sets from files."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

import rules
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.rulesets import operations as rule_sets
from returns_service.rulesets.models import RuleSetStatus, RuleSetVersion

rules_cli = AppGroup("rules", help="Auto-approval rule sets.")
_DURATION = re.compile(r"^(\d+)([dhw])$")


def _format_for(path: Path) -> str:
    return "json" if path.suffix.lower() == ".json" else "yaml"


def parse_since(value: str) -> timedelta:
    """``90d``, ``12h`` or ``2w`` as a time span."""
    match = _DURATION.match(value.strip())
    if not match:
        raise click.BadParameter("use a number and d, h or w, such as 90d", param_hint="--since")
    amount, unit = int(match[1]), match[2]
    return {
        "d": timedelta(days=amount),
        "h": timedelta(hours=amount),
        "w": timedelta(weeks=amount),
    }[unit]


def _load(path: Path) -> dict:
    try:
        document = rules.load_rule_set(path.read_text(encoding="utf-8"))
        return rules.validate_rule_set(document)
    except rules.RuleSetInvalid as exc:
        for error in exc.errors:
            click.echo(f"{path}: {error['path']}: {error['message']}", err=True)
        raise click.ClickException(f"{path} is not a valid rule set") from None


@rules_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_rules(file: Path) -> None:
    """Write the rule set in force to FILE (.yaml or .json)."""
    version = rule_sets.active_version(db.session, utcnow())
    db.session.commit()
    file.write_text(
        rules.dump_rule_set(version.document, format=_format_for(file)), encoding="utf-8"
    )
    click.echo(f"wrote version {version.number} to {file}")


@rules_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish it at once instead of keeping a draft.")
def import_rules(file: Path, publish: bool) -> None:
    """Save the rule set in FILE as a draft (validated first)."""
    document = _load(file)
    now = utcnow()
    draft = RuleSetVersion(
        status=RuleSetStatus.DRAFT,
        document=document,
        created_by="cli",
        created_at=now,
        updated_at=now,
    )
    db.session.add(draft)
    db.session.flush()
    if publish:
        rule_sets.publish(db.session, draft, now, "cli")
    db.session.commit()
    what = f"published as version {draft.number}" if publish else "saved as a draft"
    click.echo(f"{file} {what} (id {draft.id})")


@rules_cli.command("simulate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--since", "since", default=None, help="Requests filed in this span, e.g. 90d.")
@click.option("--last", type=int, default=None, help="The last N requests.")
def simulate_rules(file: Path, since: str | None, last: int | None) -> None:
    """Decide past requests again with the rule set in FILE and report what would change."""
    from returns_service.api.rules import run_simulation

    if since is None and last is None:
        since = "90d"
    report = run_simulation(
        _load(file),
        last=last,
        since=utcnow() - parse_since(since) if since else None,
        until=None,
        sample_size=20,
        link_base=current_app.config["PUBLIC_URL"],
    )
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
