"""The operators a condition leaf can use, and which fact types allow each."""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from rules.facts import FactType


class Op(StrEnum):
    """A comparison between a fact's value and the leaf's value."""

    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    CONTAINS_ANY = "contains_any"
    STARTS_WITH = "starts_with"
    BETWEEN = "between"
    IS_NULL = "is_null"
    IS_NOT_NULL = "is_not_null"


class Operand(StrEnum):
    """The shape of the value an operator takes."""

    NONE = "none"
    SCALAR = "scalar"
    LIST = "list"
    RANGE = "range"


_NOT_SCALAR = {
    Op.IN: Operand.LIST,
    Op.NOT_IN: Operand.LIST,
    Op.CONTAINS_ANY: Operand.LIST,
    Op.BETWEEN: Operand.RANGE,
    Op.IS_NULL: Operand.NONE,
    Op.IS_NOT_NULL: Operand.NONE,
}


def operand(op: Op) -> Operand:
    """Return the shape of value `op` takes."""
    return _NOT_SCALAR.get(op, Operand.SCALAR)


def _ops(*ops: Op) -> tuple[Op, ...]:
    # Keep the declaration order of Op so docs and error messages list them the same way.
    chosen = set(ops) | {Op.IS_NULL, Op.IS_NOT_NULL}
    return tuple(op for op in Op if op in chosen)


_ORDERED = _ops(Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.IN, Op.NOT_IN, Op.BETWEEN)

OPERATORS_BY_TYPE: Mapping[FactType, tuple[Op, ...]] = MappingProxyType(
    {
        FactType.INTEGER: _ORDERED,
        FactType.NUMBER: _ORDERED,
        FactType.DATE: _ORDERED,
        FactType.STRING: _ops(Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.STARTS_WITH, Op.CONTAINS),
        FactType.ENUM: _ops(Op.EQ, Op.NE, Op.IN, Op.NOT_IN),
        FactType.BOOLEAN: _ops(Op.EQ, Op.NE),
        FactType.STRING_LIST: _ops(Op.CONTAINS, Op.CONTAINS_ANY),
    }
)
