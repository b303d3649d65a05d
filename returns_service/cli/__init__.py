"""The ``returns-service`` command: serve, migrate, run workers, import, manage access."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from returns_service import create_app
from returns_service.cli.access import tokens, users
from returns_service.cli.rules import rules_cli
from returns_service.extensions import db
from returns_service.models import utcnow
from returns_service.orders.bulk_import import ImportReport
from returns_service.setting_values import ConfigError
from returns_service.shop import shop_settings


def _app_from_environment() -> Flask:
    """The app for a command; a wrong setting ends the command with its message alone."""
    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(cls=FlaskGroup, create_app=_app_from_environment)
def main() -> None:
    """Returns, exchanges and cancellations service."""


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database to the newest schema (or REVISION)."""
    from returns_service.migrate import upgrade

    upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"], revision)
    click.echo(f"database at {revision}")


@click.command()
@click.option("--burst", is_flag=True, help="Run what is pending, then exit.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run background jobs (and relay missed outbox rows)."""
    from returns_service.worker import work_burst, work_forever

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if burst:
        work_burst(app)
    else:
        work_forever(app)


@click.command()
@click.option("--once", is_flag=True, help="Relay once, then exit.")
@with_appcontext
def relay(once: bool) -> None:
    """Hand outbox rows that were not enqueued to the job queue."""
    from returns_service.outbox import relay as relay_once
    from returns_service.worker import relay_forever

    if once:
        click.echo(f"relayed {relay_once(db.session, utcnow())} messages")
    else:
        relay_forever(current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("import-orders")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_orders(file: Path) -> None:
    """Load orders from a CSV file or a JSON-lines file."""
    from returns_service.orders.bulk_import import import_file

    report = import_file(db.session, file, shop_settings(current_app), progress=True)
    _print_report(report, "orders")


def _print_report(report: ImportReport, noun: str) -> None:
    """Say what a bulk load did; exit 1 if anything was rejected."""
    for rejected in report.rejected:
        click.echo(f"rejected {rejected.where}: {rejected.reason}", err=True)
    click.echo(f"loaded {report.loaded} {noun}, rejected {len(report.rejected)}")
    if report.rejected:
        sys.exit(1)


@click.command("import-products")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_products(file: Path) -> None:
    """Load products with their variants and stock from a CSV file or a JSON-lines file."""
    from returns_service.catalogue.bulk_import import import_products as load

    _print_report(load(db.session, file, progress=True), "products")


def register_commands(app: Flask) -> None:
    """Put the service's commands on the app's CLI (``returns-service`` lists them)."""
    commands = (db_group, worker, relay, users, tokens, import_orders, import_products, rules_cli)
    for command in commands:
        app.cli.add_command(command)


# The demo builds its own app, with embedded defaults: it must not load one first.
@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def demo(host: str, port: int) -> None:
    """Run the demo shop on the embedded defaults: web, worker and relay; Ctrl-C stops all."""
    from returns_service.demo import run_demo

    run_demo(host, port)
