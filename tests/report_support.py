"""Reading a written HTML report back: its resource URLs, headings and images."""

from __future__ import annotations

import base64
from html.parser import HTMLParser

import numpy as np


class ReportParser(HTMLParser):
    """Collects every src/href value, the h2 headings and the tags used."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.headings: list[str] = []
        self.tags: set[str] = set()
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self._in_h2 = tag == "h2"
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action"):
                self.urls.append((tag, name, value or ""))

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.headings.append(data.strip())


def parse_report(text: str) -> ReportParser:
    parser = ReportParser()
    parser.feed(text)
    parser.close()
    return parser


def assert_self_contained(text: str) -> ReportParser:
    """No resource is fetched from anywhere: every image is an inline PNG."""
    parser = parse_report(text)
    assert "script" not in parser.tags
    assert "http://" not in text and "https://" not in text
    for tag, name, value in parser.urls:
        assert not value.startswith(("http:", "https:", "//", "file:")), (tag, name)
        if tag == "img":
            assert value.startswith("data:image/png;base64,"), value[:40]
    return parser


def embedded_pngs(parser: ReportParser, folder) -> list:
    """Write the report's embedded images into ``folder``; return their paths."""
    paths = []
    for tag, _, value in parser.urls:
        if tag == "img":
            path = folder / f"embedded{len(paths)}.png"
            path.write_bytes(base64.b64decode(value.split(",", 1)[1]))
            paths.append(path)
    return paths


def check_png(path, min_width=300, min_height=200, min_colours=20):
    """The file is a PNG of a reasonable size with varied content."""
    from matplotlib.image import imread

    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    image = imread(path)
    height, width = image.shape[:2]
    assert width >= min_width and height >= min_height
    pixels = image[..., :3].reshape(-1, 3)
    assert pixels.std() > 0.05  # not a blank canvas
    rgb = np.round(pixels * 255).astype(np.int64) @ np.array([65536, 256, 1])
    assert len(np.unique(rgb)) >= min_colours
    return image
