"""Schemas whose dumps and loads run from plans worked out once per schema object.

marshmallow dumps an object field by field through general machinery: each field looks
its value up through the schema's accessor (which tries ``obj[key]`` before
``obj.key``), checks its default, and calls its own ``_serialize``; a nested schema goes
through ``dump`` again. Loading is the same in reverse, with a closure, an error store's
bookkeeping and a validator chain built for every field of every document. An answer of a
few dozen values, or an order document of eighty, spent most of its time there, not in
the values. :class:`Schema` works out once, per schema object and set of fields, what
each field needs, and dumps and loads with that plan: the same output, and ``dump`` and
``load`` still run the hooks.

A dump's plan reads a field's value itself unless the field's class has its own
``serialize`` or ``get_value`` (money), reads no attribute (methods, constants), or names
a dotted path, or the schema's class has its own ``get_attribute``: those are dumped by
marshmallow's code for the field. The value is then turned into its dumped form the short
way for text, integers, booleans, nested schemas without hooks and lists of those, and by
the field's own ``_serialize`` for any other kind.

A load's plan converts and validates a value present in the document directly where the
field's class keeps marshmallow's own ``deserialize`` and validation and the field has no
functions of its own to run before or after; other fields, missing values and nulls go
through the field's ``deserialize``. The moment anything is wrong (an error, an unknown
key, data that is not a mapping, ``unknown=INCLUDE``) the outermost schema loads the
document again by marshmallow's own code, nested schemas included, which gathers every
error with its messages: a refused document is refused in marshmallow's words, for one
load more at any depth. What a nested schema's hooks and validators did in the first
attempt is done again in the second (the service's are pure); a schema with a nested
``pre_load`` hook, which may change the document in place, and ``partial`` given as a
list of fields, are loaded marshmallow's way from the start.

Fields are read once, when a plan is made: a field changed in place after a schema
object's first dump or load is not seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import marshmallow
from marshmallow import EXCLUDE, RAISE, ValidationError, fields
from marshmallow.decorators import POST_DUMP, PRE_DUMP, PRE_LOAD
from marshmallow.error_store import ErrorStore
from marshmallow.utils import (
    ensure_text_type,
    get_value,
    is_collection,
    is_sequence_but_not_string,
    missing,
    set_value,
)

#: ``convert(value, attr, obj)``, the signature of a field's ``_serialize``.
_Convert = Callable[[Any, str, Any], Any]


def _text(value: Any, attr: str, obj: Any) -> Any:
    if value is None or type(value) is str:
        return value
    return ensure_text_type(value)


def _converter(field: fields.Field) -> _Convert:
    """What turns a field's value into its dumped form: a short way for the kinds whose
    ``_serialize`` is marshmallow's own and known here, else the field's own."""
    kind = type(field)
    serialize = kind._serialize
    if serialize is fields.String._serialize:
        return _text
    if (
        serialize is fields.Number._serialize
        and kind.num_type is int
        and kind._format_num is fields.Number._format_num
    ):
        as_string = field.as_string  # type: ignore[attr-defined]
        own = field._serialize

        def integer(value: Any, attr: str, obj: Any) -> Any:
            if value is None or (type(value) is int and not as_string):
                return value
            return own(value, attr, obj)

        return integer
    if serialize is fields.Boolean._serialize:
        own = field._serialize

        def boolean(value: Any, attr: str, obj: Any) -> Any:
            return value if value is None or type(value) is bool else own(value, attr, obj)

        return boolean
    if serialize is fields.Nested._serialize:
        return _nested(field)  # type: ignore[arg-type]
    if serialize is fields.List._serialize:
        inner = _converter(field.inner)  # type: ignore[attr-defined]

        def listed(value: Any, attr: str, obj: Any) -> Any:
            return None if value is None else [inner(each, attr, obj) for each in value]

        return listed
    return field._serialize


def _nested(field: fields.Nested) -> _Convert:
    """A nested schema dumped by its own plan, unless it has hooks (then by ``dump``)."""

    def nested(value: Any, attr: str, obj: Any) -> Any:
        schema = field.schema  # first, as marshmallow does: an unknown schema fails here
        if value is None:
            return None
        many = schema.many or field.many
        if (
            isinstance(schema, Schema)
            and type(schema).dump is marshmallow.Schema.dump
            and not schema._has_dump_hooks()
        ):
            return schema._serialize(value, many=many)
        return schema.dump(value, many=many)

    return nested


def _takes_short_way(field: fields.Field, name: str) -> bool:
    kind = type(field)
    return (
        kind.serialize is fields.Field.serialize
        and kind.get_value is fields.Field.get_value
        and field._CHECK_ATTRIBUTE
        and "." not in name
    )


#: One field's part of a plan: its key in the output, the name it reads, its default and
#: converter; or, for a field dumped marshmallow's way, ``field`` set and the rest unused.
_Step = tuple[str, str, Any, _Convert, fields.Field | None, str]
#: A dump plan: the fields it was made of, and a step for each.
_DumpPlan = tuple[dict[str, fields.Field], list[_Step]]


class _ReferToMarshmallow(Exception):
    """The short way met something marshmallow's own loading must handle (an error above
    all, whose messages it gathers)."""


#: How the loads under way in this context go: ``_FAST`` inside a document's first, short
#: attempt (a nested schema that fails there hands the whole document back to the
#: outermost schema), ``_MARSHMALLOWS`` while marshmallow loads a document again (nested
#: schemas load marshmallow's way too, so a refusal costs one load more, at any depth).
_LOADING: ContextVar[str | None] = ContextVar("compiled_schemas_loading", default=None)
_FAST, _MARSHMALLOWS = "fast", "marshmallow's"


def _loads_plainly(field: fields.Field) -> bool:
    kind = type(field)
    return (
        kind.deserialize is fields.Field.deserialize
        and kind._validate_missing is fields.Field._validate_missing
        and kind._validate is fields.Field._validate
        and kind._validate_all is fields.Field._validate_all
        and not field.pre_load
        and not field.post_load
    )


def _schemas_within(field: fields.Field) -> Iterator[marshmallow.Schema]:
    """The schemas a field loads with, in containers of fields included."""
    if isinstance(field, fields.Nested):
        yield field.schema
    contained = [getattr(field, name, None) for name in ("inner", "key_field", "value_field")]
    for part in [*contained, *getattr(field, "tuple_fields", ())]:
        if isinstance(part, fields.Field):
            yield from _schemas_within(part)


def _prepares_nested_input(schema: marshmallow.Schema, seen: set[type]) -> bool:
    """Whether a schema nested in ``schema`` has ``pre_load`` hooks: they may change the
    document in place, so a second load of it could not be trusted."""
    for field in schema.load_fields.values():
        for nested in _schemas_within(field):
            if type(nested) in seen:
                continue
            seen.add(type(nested))
            if nested._hooks[PRE_LOAD] or _prepares_nested_input(nested, seen):
                return True
    return False


#: One load field's part of a load plan: the key it is read from, the key it is stored
#: under, the field, and whether its value may be converted and validated directly.
_LoadStep = tuple[str, str, fields.Field, bool]
#: A load plan: the fields it was made of, a step for each, the keys a document may hold,
#: and whether the short way may be tried at all.
_LoadPlan = tuple[dict[str, fields.Field], list[_LoadStep], frozenset[str], bool]


def _load_one(
    schema: Schema, steps: list[_LoadStep], accepted: frozenset[str], data: Any,
    partial: bool | None, unknown: str,
) -> Any:  # fmt: skip
    if not isinstance(data, Mapping):
        raise _ReferToMarshmallow
    if unknown != EXCLUDE and (unknown != RAISE or not accepted.issuperset(data)):
        raise _ReferToMarshmallow
    loaded = schema.dict_class()
    kwargs = {} if partial is None else {"partial": partial}
    for data_key, key, field, plain in steps:
        raw = data.get(data_key, missing)
        if raw is missing and partial is True:
            continue
        if plain and raw is not missing and raw is not None:
            value = field._deserialize(raw, data_key, data, **kwargs)
            for validator in field.validators:
                validator(value)
        else:
            value = field.deserialize(raw, data_key, data, **kwargs)
        if value is not missing:
            if "." in key:
                set_value(loaded, key, value)
            else:
                loaded[key] = value
    return loaded


class Schema(marshmallow.Schema):
    """A marshmallow schema whose dumps and loads follow plans made once per schema object."""

    _plan: _DumpPlan | None = None
    _load_plan: _LoadPlan | None = None

    def _has_dump_hooks(self) -> bool:
        return bool(self._hooks[PRE_DUMP] or self._hooks[POST_DUMP])

    def _steps(self) -> list[_Step]:
        dump_fields = self.dump_fields  # once: the plan must match the fields it was made of
        plan = self._plan
        if plan is not None and plan[0] is dump_fields:
            return plan[1]
        own_accessor = type(self).get_attribute is not marshmallow.Schema.get_attribute
        steps: list[_Step] = []
        for attr_name, field in dump_fields.items():
            key = field.data_key if field.data_key is not None else attr_name
            name = field.attribute or attr_name
            if own_accessor or not _takes_short_way(field, name):
                steps.append((key, name, missing, field._serialize, field, attr_name))
            else:
                steps.append((key, name, field.dump_default, _converter(field), None, attr_name))
        self._plan = (dump_fields, steps)
        return steps

    def _load_steps(self) -> tuple[list[_LoadStep], frozenset[str], bool]:
        """The load plan's steps, keys and whether the short way may be tried at all."""
        load_fields = self.load_fields
        plan = self._load_plan
        if plan is not None and plan[0] is load_fields:
            return plan[1], plan[2], plan[3]
        steps = [
            (
                field.data_key if field.data_key is not None else attr_name,
                field.attribute or attr_name,
                field,
                _loads_plainly(field),
            )
            for attr_name, field in load_fields.items()
        ]
        accepted = frozenset(step[0] for step in steps)
        short = not _prepares_nested_input(self, set())
        self._load_plan = (load_fields, steps, accepted, short)
        return steps, accepted, short

    def _deserialize(
        self, data: Any, *, error_store: ErrorStore, many: bool = False, partial: Any = None,
        unknown: Any = RAISE, index: int | None = None,
    ) -> Any:  # fmt: skip
        loading = _LOADING.get()
        if loading != _MARSHMALLOWS and not is_collection(partial):
            steps, accepted, short = self._load_steps()
            if short and (not many or is_sequence_but_not_string(data)):
                attempt = _LOADING.set(_FAST)
                try:
                    if not many:
                        return _load_one(self, steps, accepted, data, partial, unknown)
                    return [_load_one(self, steps, accepted, d, partial, unknown) for d in data]
                except (ValidationError, _ReferToMarshmallow):
                    if loading == _FAST:  # nested: the outermost schema loads again
                        raise _ReferToMarshmallow from None
                finally:
                    _LOADING.reset(attempt)
        again = _LOADING.set(_MARSHMALLOWS)
        try:
            return super()._deserialize(
                data, error_store=error_store, many=many, partial=partial, unknown=unknown,
                index=index,
            )  # fmt: skip
        finally:
            _LOADING.reset(again)

    def _serialize(self, obj: Any, *, many: bool = False) -> Any:
        if many and obj is not None:
            return [self._serialize(each) for each in obj]
        steps = self._steps()
        accessor = self.get_attribute
        plain = not hasattr(obj, "__getitem__")
        dumped = self.dict_class()
        for key, name, default, convert, field, attr_name in steps:
            if field is not None:
                value = field.serialize(attr_name, obj, accessor=accessor)
                if value is not missing:
                    dumped[key] = value
                continue
            value = getattr(obj, name, missing) if plain else get_value(obj, name, missing)
            if value is missing:
                value = default() if callable(default) else default
                if value is missing:
                    continue
            dumped[key] = convert(value, attr_name, obj)
        return dumped
