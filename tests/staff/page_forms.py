"""Reading a page's form as a browser would send it, for HTTP tests of the staff pages."""

from __future__ import annotations

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class _FormFields(HTMLParser):
    """The fields of the form with the given id, as the browser would submit them."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: MultiDict[str, str] = MultiDict()
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = found.get("id") == self.form_id
        if not self.inside:
            return
        name = found.get("name")
        if tag == "input" and name and found.get("type") not in ("submit", "button"):
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            self.fields.add(name, found.get("value", ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((found.get("value", ""), "selected" in found))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected] or [
                self._options[0][0] if self._options else ""
            ]
            self.fields.add(self._select, chosen[0])
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None


def form_fields(page: str, form_id: str) -> MultiDict[str, str]:
    """The named fields of form `form_id` on `page`, with their current values."""
    parser = _FormFields(form_id)
    parser.feed(page)
    return parser.fields


def element(page: str, element_id: str, tag: str = "li") -> str:
    """The HTML of the element with the id, up to its closing tag (elements of one tag
    nested inside it are counted)."""
    start = page.index(f'id="{element_id}"')
    depth, position = 1, page.index(">", start)
    while depth:
        opening = page.find(f"<{tag}", position + 1)
        closing = page.find(f"</{tag}>", position + 1)
        if opening != -1 and opening < closing:
            depth, position = depth + 1, opening
        else:
            depth, position = depth - 1, closing
    return page[start:position]
