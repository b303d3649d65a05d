"""The API's answers written by orjson.

Every API call writes an answer, and the standard library's encoder was a few per cent of
the cheaper ones (a portal order's answer took 0.055 ms to write, 0.004 ms with orjson).
Only writing answers goes through it: request bodies and the database's JSON columns keep
the standard library, whose numbers are exact at any size (orjson reads an integer past
64 bits as a float and will not write one).
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider
from flask.wrappers import Response

#: As Flask writes answers: keys sorted (an idempotent replay, read back from a JSON
#: column, is the same bytes as the first answer), keys that are not strings written as
#: strings, dates and times handed to the provider's ``default``.
_ANSWER_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, writing answers with orjson.

    Answers are what Flask's own would write, but for non-ASCII text, kept as UTF-8 rather
    than ``\\u`` escapes (here and in debug mode's indented answers alike): keys sorted,
    anything orjson does not know (dates, decimals, markup) turned into JSON by Flask's own
    ``default``. What orjson refuses (an integer past 64 bits) is written by the standard
    library; orjson writes a float that is not a number as ``null``.
    """

    ensure_ascii = False

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(obj)  # indented, as Flask's own
        try:
            body = orjson.dumps(obj, default=self.default, option=_ANSWER_OPTIONS)
        except TypeError:
            return super().response(obj)
        return self._app.response_class(body + b"\n", mimetype=self.mimetype)
