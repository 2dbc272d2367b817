"""Reading a chart back: the texts of matplotlib's SVG (`<text>` elements)."""

from __future__ import annotations

import base64
import html
import re

TEXT = re.compile(r"<text[^>]*>(.*?)</text>", re.DOTALL)
DATA_URL = re.compile(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')


def svg_of(html: str) -> str:
    match = DATA_URL.search(html)
    assert match is not None, html[:500]
    return base64.b64decode(match.group(1)).decode("utf-8")


def texts(svg: str) -> list[str]:
    return [html.unescape(t) for t in TEXT.findall(svg)]
