"""A stable code and parameters for each validation message, for pages that translate them.

The messages stay in English for the API and the command line; a page shows the text of
the code in its reader's language, filled with the parameters read from the message.
"""

import re

#: (code, pattern) in the order they are tried; named groups become the parameters.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern))
    for code, pattern in (
        ("unknown_fact", r"^unknown fact '(?P<fact>[^']*)'$"),
        ("fact_out_of_scope", r"^fact '(?P<fact>[^']*)' is not available"),
        ("unknown_operator", r"^unknown operator '(?P<op>[^']*)'"),
        ("operator_not_for_fact", r"^'(?P<op>[^']*)' does not apply to (?P<fact>\w+)"),
        ("no_value_expected", r"^'(?P<op>[^']*)' takes no value$"),
        ("value_required", r"^'(?P<op>[^']*)' needs a value$"),
        ("null_value", r"^the value must not be null"),
        ("range_expected", r"^'between' takes \[low, high\]"),
        ("list_expected", r"^'(?P<op>[^']*)' takes (a list|a non-empty list)"),
        ("not_integer", r"^(?P<fact>\w+) is an integer; got"),
        ("not_number", r"^(?P<fact>\w+) is a number; got"),
        ("not_boolean", r"^(?P<fact>\w+) is true or false; got"),
        ("not_text", r"^(?P<fact>\w+) compares with text; got"),
        ("not_a_fact_choice", r"^'(?P<value>[^']*)' is not a (?P<fact>\w+); use one of"),
        ("not_a_date", r"is not a date written YYYY-MM-DD$"),
        ("below_minimum", r"is below the smallest possible (?P<fact>\w+), (?P<limit>\S+)$"),
        ("above_maximum", r"is above the largest possible (?P<fact>\w+), (?P<limit>\S+)$"),
        ("range_reversed", r"^low .* is above high"),
        ("too_deep", r"^conditions may nest at most"),
        ("empty_any", r"^'any' needs at least one condition$"),
        ("malformed_condition", r"^(expected a condition|a condition has one key|expected a list)"),
        ("required", r"^Missing data for required field\.$"),
        ("unknown_field", r"^Unknown field\.$"),
        ("not_a_choice", r"^Must be one of: "),
        ("empty", r"^Shorter than minimum length 1\.$"),
        ("out_of_range", r"^Must be (greater|less) than"),
        ("wrong_type", r"^Not a valid "),
        ("not_for_outcome", r"^not allowed when the outcome is (?P<outcome>\w+)$"),
        ("reject_needs_message", r"^a reject needs a message"),
        ("review_needs_reason", r"^a review needs a reason"),
        ("keep_item_on_approval", r"^keep-the-item refunds are issued on_approval$"),
        ("keep_item_returns_only", r"^keep-the-item is for returns"),
        ("bonus_not_refund_only", r"^a bonus goes with exchange or store credit"),
        ("one_amount", r"^give exactly one of percent or fixed$"),
        ("repeated_resolution", r"^list each resolution once$"),
        ("unknown_placeholder", r"^unknown placeholder \{(?P<name>[^{}]*)\}"),
        ("duplicate_name", r"^duplicate rule name '(?P<name>[^']*)'"),
        ("unreachable_rules", r"^this rule matches everything"),
        ("default_has_condition", r"^the last rule is the default"),
        ("no_rules", r"^a rule set needs at least one rule"),
        ("not_yaml", r"^not valid (YAML|JSON)"),
        ("not_a_rule_set", r"^a rule set is a mapping"),
    )
)
#: The code of a message no pattern knows; pages show the English message as it is.
UNKNOWN = "invalid"


def classify(message: str) -> tuple[str, dict[str, str]]:
    """Return the code of a validation message and the parameters it names."""
    for code, pattern in _PATTERNS:
        found = pattern.search(message)
        if found:
            return code, {key: value for key, value in found.groupdict().items() if value}
    return UNKNOWN, {}


def with_code(problem: dict[str, str]) -> dict[str, str]:
    """The problem `{"path", "message"}` with its `code` added (kept if it has one)."""
    if "code" in problem:
        return problem
    return {**problem, "code": classify(problem["message"])[0]}
