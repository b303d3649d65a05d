"""The yardstick: a bare Flask + SQLAlchemy app that validates a small JSON body and inserts
one row. Served by gunicorn as ``bench.bare_app:create_app()``."""

from __future__ import annotations

import os

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func
from sqlalchemy.orm import Session

metadata = MetaData()
items = Table(
    "bare_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
)


class ItemSchema(Schema):
    """The body: a SKU and a positive quantity."""

    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


def create_app() -> Flask:
    """The app on ``BARE_DATABASE_URL``, whose ``bare_items`` table the bench created."""
    app = Flask(__name__)
    engine = create_engine(os.environ["BARE_DATABASE_URL"], pool_pre_ping=True)
    schema = ItemSchema()

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify(status="ok")

    @app.post("/items")
    def insert_item() -> ResponseReturnValue:
        try:
            data = schema.load(request.get_json(silent=True) or {})
        except ValidationError as exc:
            return jsonify(errors=exc.messages), 422
        with Session(engine) as session, session.begin():
            new_id = session.execute(items.insert().values(**data).returning(items.c.id)).scalar()
        return jsonify(id=new_id, **data), 201

    return app
