"""Reading the forms of a page as a browser would submit them: every named field with its value (the
checked boxes, the selected options, the hidden fields), so that a test posts back what a person
opened, changing only what it means to change."""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._options: list[tuple[str, bool]] = []

    def _put(self, name: str, value: str, multiple: bool = False) -> None:
        if not self.forms:
            return
        fields = self.forms[-1]
        if multiple or name in fields:
            previous = fields.get(name, [])
            fields[name] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            fields[name] = value

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self.forms.append({})
        elif tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._put(name, attrs.get("value", "y"), multiple=attrs.get("type") == "checkbox")
            else:
                self._put(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea = name
            self._put(name, "")

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            chosen = (
                [value for value, selected in self._options if selected] or [self._options[0][0]]
                if self._options
                else []
            )
            if chosen:
                self._put(self._select, chosen[0])
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field: str) -> dict:
    """The fields of the page's first form that has `field`."""
    found = [form for form in forms(html) if field in form]
    assert found, f"no form with {field!r}"
    return found[0]


def opened(client, url: str, field: str) -> dict:
    """GET the page, and the form with `field` as it would be submitted unchanged."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return form_with(response.get_data(as_text=True), field)


def version_of(client, url: str) -> str:
    """The record version an edit page was opened at (hotline.core.versions), which its form posts back."""
    return opened(client, url, "version")["version"]
