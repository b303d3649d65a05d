"""The service's schemas dump and load by plans made once: exactly what marshmallow does."""

from __future__ import annotations

import datetime as dt
import enum
import json
from types import SimpleNamespace
from typing import Any

import marshmallow
import pytest
from marshmallow import (
    EXCLUDE,
    INCLUDE,
    ValidationError,
    fields,
    post_dump,
    post_load,
    pre_dump,
    pre_load,
    validate,
)

from returns_service.compiled_schemas import Schema
from returns_service.schemas import MoneyField, Text


class Colour(enum.Enum):
    RED = "red"


class Size(enum.StrEnum):
    LARGE = "large"


class Shouting(fields.String):
    """A field with a ``_serialize`` of its own: dumped its own way."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value).upper()


class Twice(fields.Integer):
    def _format_num(self, value: Any) -> int:
        return int(value) * 2


def _part_fields() -> dict[str, Any]:
    return {"sku": fields.String(), "quantity": fields.Integer()}


def _fields(part: type[marshmallow.Schema]) -> dict[str, Any]:
    """One of each kind of field the service's schemas use, and some they may."""
    return {
        "name": Text(),
        "number": fields.String(attribute="code"),
        "count": fields.Integer(),
        "count_text": fields.Integer(as_string=True, attribute="count", dump_only=True),
        "flag": fields.Boolean(),
        "flag_from_int": fields.Boolean(attribute="count", dump_only=True),
        "count_from_bool": fields.Integer(attribute="flag", dump_only=True),
        "size": fields.String(),
        "when": fields.DateTime(),
        "day": fields.Date(),
        "colour": fields.Enum(Colour),
        "amount": MoneyField(currency_of=lambda obj: _value(obj, "currency")),
        "shout": Shouting(attribute="name", dump_only=True),
        "twice": Twice(attribute="count", dump_only=True),
        "renamed": fields.String(data_key="otherName", attribute="name", dump_only=True),
        "absent": fields.String(),
        "absent_default": fields.String(dump_default="none given"),
        "absent_called": fields.Integer(dump_default=lambda: 7),
        "nothing": fields.String(allow_none=True),
        "secret": fields.String(load_only=True),
        "tags": fields.List(fields.String()),
        "parts": fields.List(fields.Nested(part)),
        "main": fields.Nested(part),
        "others": fields.Nested(part, many=True, only=("sku",)),
        "others_of_one": fields.Nested(part(many=True, exclude=("sku",))),
        "missing_part": fields.Nested(part, allow_none=True),
        "deep": fields.String(attribute="main.sku", dump_only=True),
        "method": fields.Method("described"),
        "constant": fields.Constant("always"),
        "plucked": fields.Pluck(part, "sku", attribute="main", dump_only=True),
    }


def _schemas() -> tuple[marshmallow.Schema, marshmallow.Schema]:
    """The same fields on marshmallow's schema and on the compiled one."""
    made = []
    for base in (marshmallow.Schema, Schema):
        part = type("Part", (base,), _part_fields())
        body = _fields(part) | {"described": lambda self, obj: f"#{_value(obj, 'code')}"}
        made.append(type("Whole", (base,), body)())
    return made[0], made[1]


def _value(obj: Any, key: str) -> Any:
    return obj[key] if isinstance(obj, dict) else getattr(obj, key)


def _as_object(**values: Any) -> SimpleNamespace:
    return SimpleNamespace(**values)


def _whole(make: Any) -> Any:
    part = make(sku="A-1", quantity=2)
    return make(
        name="Tote",
        code=12,
        count=3,
        flag=True,
        size=Size.LARGE,
        when=dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.UTC),
        day=dt.date(2026, 12, 6),
        colour=Colour.RED,
        amount=1200,
        currency="JPY",
        nothing=None,
        secret="never shown",
        tags=["gift", 3],
        parts=[part, make(sku="B-2", quantity=1)],
        main=part,
        others=[part],
        others_of_one=[part, part],
        missing_part=None,
    )


@pytest.mark.parametrize("make", [_as_object, dict], ids=["attributes", "mapping"])
def test_dumps_as_marshmallow_does(make: Any) -> None:
    plain, compiled = _schemas()
    whole = _whole(make)
    expected = plain.dump(whole)
    dumped = compiled.dump(whole)
    assert json.dumps(dumped) == json.dumps(expected)  # the same, nested keys in the same order
    assert compiled.dump([whole, whole], many=True) == plain.dump([whole, whole], many=True)
    assert dumped["count_text"] == "3" and dumped["twice"] == 6 and dumped["shout"] == "TOTE"
    assert dumped["tags"] == ["gift", "3"] and "secret" not in dumped and "absent" not in dumped
    assert dumped["count_from_bool"] == 1 and type(dumped["size"]) is str


def test_plain_fields_take_the_plan_and_others_marshmallows_way() -> None:
    _, compiled = _schemas()
    marshmallows_way = {step[5] for step in compiled._steps() if step[4] is not None}
    assert marshmallows_way == {"amount", "deep", "method", "constant"}


def test_the_plan_follows_fields_set_again() -> None:
    class Part(Schema):
        sku = fields.String()
        quantity = fields.Integer()

    part = Part()
    item = {"sku": "A", "quantity": 1}
    assert part.dump(item) == {"sku": "A", "quantity": 1}
    part.only = {"quantity"}
    part._init_fields()
    assert part.dump(item) == {"quantity": 1}


@pytest.mark.parametrize("refusal", [KeyError, IndexError, TypeError, AttributeError])
def test_a_row_that_refuses_a_key_is_read_by_attribute(refusal: type[Exception]) -> None:
    class Row:
        code = 5

        def __getitem__(self, key: str) -> Any:
            raise refusal(key)

    plain = type("P", (marshmallow.Schema,), {"code": fields.Integer()})()
    compiled = type("C", (Schema,), {"code": fields.Integer()})()
    assert compiled.dump(Row()) == plain.dump(Row()) == {"code": 5}


def test_a_nested_schema_with_its_own_dump_is_dumped_by_it() -> None:
    class Part(Schema):
        sku = fields.String()

        def dump(self, obj: Any, *, many: bool | None = None) -> Any:
            return {"wrapped": super().dump(obj, many=many)}

    class Whole(Schema):
        main = fields.Nested(Part)

    assert Whole().dump({"main": {"sku": "A"}}) == {"main": {"wrapped": {"sku": "A"}}}


def test_an_unknown_nested_schema_fails_as_in_marshmallow() -> None:
    class Whole(Schema):
        main = fields.Nested("NoSuchSchemaAnywhere", allow_none=True)

    with pytest.raises(marshmallow.exceptions.RegistryError):
        Whole().dump({"main": None})


def test_hooks_run_on_the_schema_and_on_nested_ones() -> None:
    class Part(Schema):
        sku = fields.String()

        @post_dump
        def _lower(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            return {"sku": data["sku"].lower()}

    class Whole(Schema):
        main = fields.Nested(Part)

        @pre_dump
        def _wrapped(self, obj: Any, **kwargs: Any) -> Any:
            return {"main": obj}

    assert Whole().dump({"sku": "ABC"}) == {"main": {"sku": "abc"}}


def test_each_schema_object_keeps_its_own_fields() -> None:
    class Part(Schema):
        sku = fields.String()
        quantity = fields.Integer()

    item = {"sku": "A", "quantity": 1}
    assert Part().dump(item) == {"sku": "A", "quantity": 1}
    assert Part(only=("sku",)).dump(item) == {"sku": "A"}
    assert Part(exclude=("sku",)).dump(item) == {"quantity": 1}
    assert Part().dump(item) == {"sku": "A", "quantity": 1}


def test_a_schema_reading_its_own_way_is_followed() -> None:
    class Upper(Schema):
        sku = fields.String()

        def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
            return obj[attr.upper()]

    assert Upper().dump({"SKU": "x"}) == {"sku": "x"}


def _shout(value: str) -> str:
    return value.upper()


def _even(number: int) -> None:
    if number % 2:
        raise ValidationError("must be even")


def _load_fields(part: type[marshmallow.Schema]) -> dict[str, Any]:
    """One of each kind of field the service's documents use, and some they may."""
    return {
        "name": Text(required=True),
        "quantity": fields.Integer(strict=True, validate=validate.Range(1, 10)),
        "even": fields.Integer(validate=[validate.Range(0, 100), _even]),
        "price": fields.Decimal(),
        "gift": fields.Boolean(load_default=False),
        "when": fields.AwareDateTime(),
        "colour": fields.Enum(Colour, by_value=True),
        "renamed": fields.String(data_key="otherName", attribute="title"),
        "deep": fields.String(attribute="extra.note"),
        "listed": fields.Integer(load_default=list),
        "nothing": fields.String(allow_none=True),
        "shouted": fields.String(post_load=[_shout]),
        "tags": fields.List(fields.String()),
        "parts": fields.List(fields.Nested(part)),
        "main": fields.Nested(part),
        "others": fields.Nested(part, many=True),
        "secret": fields.String(dump_only=True),
    }


class _Part(marshmallow.Schema):
    sku = fields.String(required=True)
    quantity = fields.Integer(strict=True, validate=validate.Range(min=1))
    note = fields.String(load_default="none")


def _load_schemas() -> tuple[marshmallow.Schema, marshmallow.Schema]:
    """The same fields on marshmallow's schema and on the compiled one."""
    made = []
    for base in (marshmallow.Schema, Schema):
        part = type("Part", (base,), dict(_Part._declared_fields))
        made.append(type("Document", (base,), _load_fields(part))())
    return made[0], made[1]


_DOCUMENT = {
    "name": "Tote",
    "quantity": 3,
    "even": 4,
    "price": "12.50",
    "when": "2026-12-06T09:30:00+09:00",
    "colour": "red",
    "otherName": "A tote",
    "deep": "note",
    "nothing": None,
    "shouted": "quiet",
    "tags": ["gift"],
    "parts": [{"sku": "A-1", "quantity": 2}],
    "main": {"sku": "B-2", "quantity": 1},
    "others": [{"sku": "C-3", "quantity": 5}],
}


@pytest.mark.parametrize("partial", [None, True, False])
def test_loads_as_marshmallow_does(partial: bool | None) -> None:
    plain, compiled = _load_schemas()
    loaded = compiled.load(_DOCUMENT, partial=partial)
    assert repr(loaded) == repr(plain.load(_DOCUMENT, partial=partial))  # order, types
    assert loaded["shouted"] == "QUIET" and ("gift" not in loaded) is (partial is True)
    assert loaded["extra"]["note"] == "note" and loaded["title"] == "A tote"
    many = compiled.load([_DOCUMENT, _DOCUMENT], many=True)
    assert repr(many) == repr(plain.load([_DOCUMENT, _DOCUMENT], many=True))
    if partial:  # partial reaches the nested schemas: their required fields may be left out
        parts = _DOCUMENT | {"parts": [{"quantity": 2}], "main": {}, "others": [{"sku": "C"}]}
        assert repr(compiled.load(parts, partial=True)) == repr(plain.load(parts, partial=True))


def test_plain_fields_load_by_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    _, compiled = _load_schemas()
    steps, _, short = compiled._load_steps()
    assert short and {field.name for _, _, field, plain in steps if not plain} == {"shouted"}
    loads = _counted(monkeypatch, marshmallow.Schema, "_deserialize")
    compiled.load(_DOCUMENT)
    assert loads == []  # no schema of the document, nested ones included, went the long way


@pytest.mark.parametrize(
    "change",
    [
        {"name": None},
        {"quantity": "3"},
        {"quantity": None},
        {"quantity": 11},
        {"even": 3},
        {"even": 101},
        {"price": "twelve"},
        {"when": "2026-12-06T09:30:00"},
        {"colour": "blue"},
        {"parts": [{"sku": "A-1", "quantity": 0}, {"quantity": 1}]},
        {"main": "not a part"},
        {"others": {"sku": "C-3"}},
        {"unexpected": 1},
        {"secret": "dump only"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_refused_document_is_refused_in_marshmallows_words(change: dict[str, Any]) -> None:
    plain, compiled = _load_schemas()
    document = _DOCUMENT | change
    with pytest.raises(ValidationError) as expected:
        plain.load(document)
    with pytest.raises(ValidationError) as refused:
        compiled.load(document)
    assert refused.value.messages == expected.value.messages
    assert refused.value.valid_data == expected.value.valid_data


def test_a_missing_required_field_and_unknown_keys_left_out() -> None:
    plain, compiled = _load_schemas()
    document = {k: v for k, v in _DOCUMENT.items() if k != "name"} | {"extra": 1}
    with pytest.raises(ValidationError) as expected:
        plain.load(document)
    with pytest.raises(ValidationError) as refused:
        compiled.load(document)
    assert (
        refused.value.messages
        == expected.value.messages
        == {
            "name": ["Missing data for required field."],
            "extra": ["Unknown field."],
        }
    )
    assert compiled.load(_DOCUMENT | {"extra": 1}, unknown=EXCLUDE) == plain.load(
        _DOCUMENT | {"extra": 1}, unknown=EXCLUDE
    )


def test_load_hooks_run_and_the_plan_follows_fields_set_again() -> None:
    class Part(Schema):
        sku = fields.String()
        quantity = fields.Integer()

        @post_load
        def _counted(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            return data | {"counted": True}

    part = Part()
    assert part.load({"sku": "A", "quantity": 1}) == {"sku": "A", "quantity": 1, "counted": True}
    part.only = {"quantity"}
    part._init_fields()
    with pytest.raises(ValidationError) as refused:
        part.load({"sku": "A", "quantity": 1})
    assert refused.value.messages == {"sku": ["Unknown field."]}


def _counted(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[Any]:
    """Calls to ``owner.name`` from now on, each still made."""
    calls: list[Any] = []
    original = getattr(owner, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def _chain(depth: int, base: type[marshmallow.Schema]) -> marshmallow.Schema:
    """A schema nesting another ``depth`` deep, the innermost with one integer."""
    schema: type[marshmallow.Schema] = type("Leaf", (base,), {"n": fields.Integer()})
    for level in range(depth):
        schema = type(f"Level{level}", (base,), {"inner": fields.Nested(schema)})
    return schema()


def test_a_refusal_deep_down_is_loaded_again_once(monkeypatch: pytest.MonkeyPatch) -> None:
    document: Any = {"n": "x"}
    for _ in range(4):
        document = {"inner": document}
    with pytest.raises(ValidationError) as expected:
        _chain(4, marshmallow.Schema).load(document)
    leaf = _counted(monkeypatch, fields.Integer, "_deserialize")
    with pytest.raises(ValidationError) as refused:
        _chain(4, Schema).load(document)
    assert refused.value.messages == expected.value.messages
    assert len(leaf) == 2  # the short attempt, then marshmallow's


def test_refusals_of_many_documents_are_marshmallows() -> None:
    plain, compiled = _load_schemas()
    documents = [_DOCUMENT, _DOCUMENT | {"quantity": 0}, _DOCUMENT | {"name": 5}]
    for loaded in (documents, "not a list"):
        with pytest.raises(ValidationError) as expected:
            plain.load(loaded, many=True)
        with pytest.raises(ValidationError) as refused:
            compiled.load(loaded, many=True)
        assert refused.value.messages == expected.value.messages
        assert refused.value.valid_data == expected.value.valid_data


def test_unknown_keys_as_each_schema_takes_them() -> None:
    made = []
    for base in (marshmallow.Schema, Schema):
        meta = type("Meta", (), {"unknown": EXCLUDE})
        part = type("Part", (base,), {"sku": fields.String(), "Meta": meta})
        made.append(type("Whole", (base,), {"main": fields.Nested(part), "n": fields.Integer()}))
    document = {"main": {"sku": "A", "extra": 1}, "n": 1, "more": 2}
    for unknown in (EXCLUDE, INCLUDE):
        plain, compiled = (schema(unknown=unknown) for schema in made)
        assert repr(compiled.load(document)) == repr(plain.load(document))
    with pytest.raises(ValidationError) as refused:
        made[1]().load(document)
    assert refused.value.messages == {"more": ["Unknown field."]}


def test_partial_given_as_fields_goes_marshmallows_way() -> None:
    plain, compiled = _load_schemas()
    document = {k: v for k, v in _DOCUMENT.items() if k not in {"name", "main"}}
    document["parts"] = [{"quantity": 2}]
    partial = ("name", "parts.sku")
    assert repr(compiled.load(document, partial=partial)) == repr(
        plain.load(document, partial=partial)
    )


def test_a_nested_schema_preparing_its_input_is_loaded_marshmallows_way() -> None:
    made = []
    for base in (marshmallow.Schema, Schema):

        class Part(base):  # type: ignore[valid-type, misc]
            sku = fields.String()

            @pre_load
            def _renamed(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
                data["sku"] = data.pop("code")  # in place, as a hook may
                return data

        made.append(type("Whole", (base,), {"main": fields.Nested(Part), "n": fields.Integer()}))
    plain, compiled = (schema() for schema in made)
    assert compiled._load_steps()[2] is False
    with pytest.raises(ValidationError) as expected:
        plain.load({"main": {"code": "A"}, "n": "x"})
    with pytest.raises(ValidationError) as refused:
        compiled.load({"main": {"code": "A"}, "n": "x"})
    assert refused.value.messages == expected.value.messages
    assert refused.value.valid_data == expected.value.valid_data == {"main": {"sku": "A"}}
