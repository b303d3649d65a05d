"""The page templates' texts translated once per language rather than at every page.

A template's ``_("...")`` of a text alone (no values to fill in) is compiled as a lookup
of the text in ``_texts``, the page's language's translations, instead of a call of the
templates' gettext: a call from a template cost a few microseconds, and a case page asks
for some fifty texts. A text with values (``_("%(n)d items", n=...)``) is still a call.
What a lookup gives is what Jinja's gettext gives in an HTML template: the translation,
marked safe, its ``%%`` read as ``%``.
"""

from __future__ import annotations

from collections.abc import Iterator
from gettext import NullTranslations
from weakref import WeakKeyDictionary

from flask import Flask
from flask_babel import get_translations
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

#: The name the templates' texts are looked up in (see :func:`page_texts`).
TEXTS = "_texts"


class TextsByKey(Extension):
    """Compile ``_("text")`` (one string literal, nothing else) as ``_texts["text"]``."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        """The template's tokens, each ``_ ( "text" )`` run of four replaced."""
        held: list[Token] = []
        for token in stream:
            held.append(token)
            if len(held) < 4:
                continue
            name, opening, text, closing = held
            if (
                name.test("name:_")
                and opening.type == "lparen"
                and text.type == "string"
                and closing.type == "rparen"
            ):
                yield Token(name.lineno, "name", TEXTS)
                yield Token(opening.lineno, "lbracket", "[")
                yield text
                yield Token(closing.lineno, "rbracket", "]")
                held = []
            else:
                yield held.pop(0)
        yield from held


class Translated(dict[str, Markup]):
    """One catalogue's translations of the templates' texts, each worked out when first
    asked for and kept (the templates hold a few hundred)."""

    def __init__(self, translations: NullTranslations) -> None:
        super().__init__()
        self._translations = translations

    def __missing__(self, text: str) -> Markup:
        translated = self[text] = Markup(self._translations.gettext(text)) % {}
        return translated


#: Each catalogue's texts. Flask-Babel keeps one catalogue per language for the process
#: (and makes an empty one per call outside an app): the texts go with their catalogue.
_BY_CATALOGUE: WeakKeyDictionary[NullTranslations, Translated] = WeakKeyDictionary()


def page_texts() -> Translated:
    """The texts of this page's language, for a page's context under :data:`TEXTS`."""
    translations = get_translations()
    found = _BY_CATALOGUE.get(translations)
    if found is None:
        found = _BY_CATALOGUE[translations] = Translated(translations)
    return found


class _TextsOfThePage:
    """:data:`TEXTS` for a template rendered without a page's context: the texts of the
    language of the request (or of ``force_locale``) at each lookup."""

    def __getitem__(self, text: str) -> Markup:
        return page_texts()[text]


def init_app(app: Flask) -> None:
    """Compile the app's templates' texts as lookups, found in a page's context or else
    in the language of the moment."""
    app.jinja_env.add_extension(TextsByKey)
    app.jinja_env.globals[TEXTS] = _TextsOfThePage()
