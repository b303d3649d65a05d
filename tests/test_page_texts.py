"""A template's text alone is looked up in the page's language's translations, given as
Jinja's gettext gives it in an HTML page; a text with values is still a call."""

from __future__ import annotations

from gettext import NullTranslations
from typing import Any

import pytest
from flask import Flask
from jinja2 import Environment

from returns_service.page_texts import TEXTS, TextsByKey, Translated


class Catalogue(NullTranslations):
    """Translations of a few texts, counting how often each is asked for."""

    def __init__(self, texts: dict[str, str]) -> None:
        super().__init__()
        self.texts, self.asked = texts, 0

    def gettext(self, message: str) -> str:
        self.asked += 1
        return self.texts.get(message, message)


@pytest.fixture
def environment() -> Environment:
    return Environment(extensions=[TextsByKey], autoescape=True)


def _render(environment: Environment, source: str, texts: Translated, **context: Any) -> str:
    called: list[str] = []

    def gettext(text: str, **values: Any) -> str:
        called.append(text)
        return text % values

    page = environment.from_string(source).render({TEXTS: texts, "_": gettext, **context})
    return page + "".join(f"|called {text}" for text in called)


def test_a_text_alone_is_looked_up_once_per_catalogue_and_given_as_safe(
    environment: Environment,
) -> None:
    catalogue = Catalogue({"Returns": "返品", "Terms & rules": "規約 & ルール"})
    texts = Translated(catalogue)
    source = '<h1>{{ _("Returns") }}</h1><p>{{ _("Terms & rules") }} {{ _("100%% sure") }}</p>'
    expected = "<h1>返品</h1><p>規約 & ルール 100% sure</p>"
    assert _render(environment, source, texts) == expected
    assert _render(environment, source, texts) == expected
    assert catalogue.asked == 3  # each text once, however many pages


def test_a_text_with_values_or_not_written_out_is_still_a_call(environment: Environment) -> None:
    texts = Translated(Catalogue({}))
    source = '{{ _("%(n)d items", n=3) }} {{ _(word) }} {{ gettext_like("Returns") }}'
    page = _render(environment, source, texts, word="Order", gettext_like=str.upper)
    assert page == "3 items Order RETURNS|called %(n)d items|called Order"


def test_a_page_without_the_texts_in_its_context_reads_its_language(app: Flask) -> None:
    template = app.jinja_env.from_string('{{ _("Work list") }}')
    with app.test_request_context("/staff/?lang=en"):
        assert template.render() == "Work list"
    with app.test_request_context("/staff/?lang=ja"):
        assert template.render() == "案件一覧"
