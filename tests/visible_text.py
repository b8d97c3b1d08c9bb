"""The text a person reads on a page: element text outside scripts and styles, no attributes."""

import re
from html.parser import HTMLParser

RAW_TAG_ID = re.compile(r"\b(?:agency|law|prov):")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def raw_ids(html: str) -> list[str]:
    """Each raw tag id a person would read on the page, with a little context."""
    text = visible_text(html)
    return [text[max(0, m.start() - 40) : m.end() + 20] for m in RAW_TAG_ID.finditer(text)]
