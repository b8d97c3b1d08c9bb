"""Page titles are plain text: markup in a title block shows as text in the browser tab."""

import re
from pathlib import Path

from django.conf import settings

TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)


def test_no_title_block_holds_markup() -> None:
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {title.strip()[:60]}"
        for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))
        for title in TITLE.findall(path.read_text(encoding="utf-8"))
        if "<" in title
    ]
    assert found == []
