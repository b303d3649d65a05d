"""JSON through orjson, for Flask's requests and answers and for the database's JSON columns.

Every API call parses a body or writes an answer, and most write JSON columns (events,
outbox messages, decisions): the standard library's encoder was a few per cent of each.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider
from flask.wrappers import Response

#: Keys that are not strings (an id as a key) written as strings, as ``json.dumps`` does;
#: dates and times handed to the provider's ``default``, so answers word them as before.
_ANSWER_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def dumps_column(value: Any) -> str:
    """A JSON column's text (the engine's ``json_serializer``)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


#: A JSON column's value from its text (the engine's ``json_deserializer``).
loads_column = orjson.loads


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with orjson's encoder and decoder.

    Answers keep the keys in the order their schemas give them and non-ASCII text as
    UTF-8 (rather than ``\\u`` escapes); anything orjson does not know (dates, decimals,
    markup) is turned into JSON by Flask's own ``default``. A call with the standard
    library's options (``indent`` and the like) is left to it.
    """

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=_ANSWER_OPTIONS).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if kwargs:
            return super().loads(s, **kwargs)
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(obj)  # indented, as Flask's own
        body = orjson.dumps(obj, default=self.default, option=_ANSWER_OPTIONS)
        return self._app.response_class(body + b"\n", mimetype=self.mimetype)
