"""The standalone HTML pages in a real headless browser (Debian's chromium).

A report's page and a history's page are loaded from files, screenshotted and
their DOM dumped: the screenshots must not be blank and must show the progress
bars, and the DOM must hold the requirement (or period) rows.

The browser is ``$CEU_CHROMIUM`` if set, else ``chromium`` (or
``chromium-browser``) on the PATH. Without it the tests skip, saying how to
enable them, so that the README's test command passes on any machine; with
``CEU_REQUIRE_BROWSER=1`` (set by .ci/run) they fail instead, so that CI never
passes without rendering the pages (tests/test_browser_switch.py checks both).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from ceu_compliance import ComplianceReport, History, evaluate, evaluate_history

WIDTH, HEIGHT = 1000, 800
BAR_COLOUR = (0x1F, 0x4E, 0x79)  # .ceu-bar in the page's light scheme

MEMBER: dict[str, Any] = {
    "member_id": "M-20417",
    "renewal_due": "2027-03-31",
    "credentials": [
        {"code": "CPC", "earned": "2016-05-14"},
        {"code": "CPMA", "earned": "2021-02-01"},
        {"code": "CEMC", "earned": "2020-06-01"},
    ],
    "records": [
        {"id": "r1", "date": "2025-06-10", "ceus": 2, "activity": "webinar",
         "title": "Audit Sampling Basics", "provider": "AAPC", "index_number": "AAPC-48211",
         "quiz_passed": True, "approved_for": ["CPMA"]},
        {"id": "r2", "date": "2026-01-20", "activity": "post_secondary",
         "provider": "State College", "approved": True, "credit_hours": 3,
         "field": "health_care"},
        {"id": "r3", "date": "2026-05-02", "ceus": 8, "activity": "workshop",
         "title": "E/M Workshop", "provider": "AAPC", "index_number": "AAPC-50112",
         "approved_for": ["CEMC"]},
        {"id": "r4", "date": "2026-06-02", "ceus": 1, "activity": "course",
         "title": "<script>document.title='pwned'</script>", "provider": "Acme"},
    ],
}  # fmt: skip


# CPC and CPMA over two periods; record m (March 2025) is split between them.
HISTORY_MEMBER: dict[str, Any] = {
    "member_id": "M-2001",
    "renewal_due": "2027-03-31",
    "credentials": [{"code": "CPC", "earned": "2015-01-10"},
                    {"code": "CPMA", "earned": "2018-02-01"}],
    "records": [
        {"id": "a1", "date": "2023-06-10", "ceus": 30, "activity": "course", "provider": "AAPC"},
        {"id": "a2", "date": "2024-05-10", "ceus": 12, "activity": "course", "provider": "AAPC",
         "approved_for": ["CPMA"]},
        {"id": "m", "date": "2025-03-15", "ceus": 6, "activity": "conference",
         "index_number": "AAPC-77", "approved_for": ["CPMA"]},
        {"id": "b1", "date": "2025-09-10", "ceus": 22, "activity": "course", "provider": "AAPC"},
        {"id": "b2", "date": "2026-06-10", "ceus": 16, "activity": "course", "provider": "AAPC",
         "approved_for": ["CPMA"]},
    ],
}  # fmt: skip


INSTALL = "install chromium (apt-get install -y chromium) or set CEU_CHROMIUM to the browser's path"


@pytest.fixture(scope="module")
def chromium() -> str:
    """The browser's path; skips the tests without one, or fails them if it is required."""
    wanted = os.environ.get("CEU_CHROMIUM")
    found = shutil.which(wanted) if wanted else None
    if not wanted:
        found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    missing = f"no browser at CEU_CHROMIUM={wanted}" if wanted else "chromium is not installed"
    if os.environ.get("CEU_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{missing} and CEU_REQUIRE_BROWSER=1 requires it: {INSTALL}", pytrace=False)
    pytest.skip(f"{missing}: {INSTALL} to run the browser tests")


def _run_chromium(chromium: str, page: Path, profile: Path, *mode: str) -> str:
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
        *mode,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, f"chromium failed ({done.returncode}):\n{done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def report() -> ComplianceReport:
    return evaluate(MEMBER, as_of=dt.date(2026, 11, 26))


@pytest.fixture(scope="module")
def page(report: ComplianceReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page") / "report.html"
    path.write_text(report.to_html(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def history() -> History:
    return evaluate_history(HISTORY_MEMBER, periods=2, as_of=dt.date(2027, 4, 15))


@pytest.fixture(scope="module")
def history_page(history: History, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page") / "history.html"
    path.write_text(history.to_html(), encoding="utf-8")
    return path


def test_screenshot_is_not_blank(chromium: str, page: Path, tmp_path: Path) -> None:
    _assert_not_blank(chromium, page, tmp_path)


def test_history_screenshot_is_not_blank(chromium: str, history_page: Path, tmp_path: Path) -> None:
    _assert_not_blank(chromium, history_page, tmp_path)


def _assert_not_blank(chromium: str, page: Path, tmp_path: Path) -> None:
    png = tmp_path / "screenshot.png"
    _run_chromium(chromium, page, tmp_path / "profile", f"--screenshot={png}")
    assert png.is_file(), "chromium wrote no screenshot"
    width, height, pixels = _decode_png(png.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    counts = Counter(pixels)
    background, most = counts.most_common(1)[0]
    assert len(counts) >= 16, f"only {len(counts)} distinct colours: the page looks blank"
    assert most / len(pixels) < 0.97, "almost every pixel is the background colour"
    assert background[:3] == (255, 255, 255)
    assert counts[BAR_COLOUR] >= 200, "the progress bars were not drawn"


def test_dom_holds_the_requirement_rows(
    chromium: str, report: ComplianceReport, page: Path, tmp_path: Path
) -> None:
    dom = _Cells(_run_chromium(chromium, page, tmp_path / "profile", "--dump-dom"))
    assert [r.id for r in report.requirements] == ["total", "CPMA", "CEMC"]
    for requirement in report.requirements:
        assert requirement.id in dom.row_headers
    assert {"Requirement", "Rule", "Required", "Counted", "Short", "Progress"} <= set(
        dom.column_headers
    )
    assert {"r1", "r2", "r3", "r4"} <= set(dom.row_headers)
    assert dom.svg_labels[0] == "total: 36 of 44 CEUs counted, 8 short"
    assert "script" not in dom.tags, "a record's title became a script element"
    assert "<script>document.title='pwned'</script>" in dom.text


def test_history_dom_holds_the_period_rows(
    chromium: str, history: History, history_page: Path, tmp_path: Path
) -> None:
    dom = _Cells(_run_chromium(chromium, history_page, tmp_path / "profile", "--dump-dom"))
    periods = [f"{r.period.start} to {r.period.end}" for r in history.periods]
    assert periods == ["2023-04-01 to 2025-03-31", "2025-04-01 to 2027-03-31"]
    assert set(periods) <= set(dom.row_headers)
    assert {"Period", "Status", "Required", "Counted", "Rollover", "Progress"} <= set(
        dom.column_headers
    )
    # Each period's requirements and records, and the split record's row.
    assert dom.row_headers.count("total") == dom.row_headers.count("CPMA") == 2
    assert {"a1", "a2", "b1", "b2"} <= set(dom.row_headers)
    assert dom.row_headers.count("m") == 3
    assert dom.svg_labels[:2] == [
        "2023-04-01 to 2025-03-31: 46 of 40 CEUs counted, 0 short, 2 rollover",
        "2025-04-01 to 2027-03-31: 40 of 40 CEUs counted, 0 short",
    ]
    assert "script" not in dom.tags


class _Cells(HTMLParser):
    """Row and column headers, SVG labels, tag names and text of a dumped DOM."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.row_headers: list[str] = []
        self.column_headers: list[str] = []
        self.svg_labels: list[str] = []
        self.tags: set[str] = set()
        self.text = ""
        self._header: list[str] | None = None
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = dict(attrs)
        if tag == "th":
            self._header = self.row_headers if found.get("scope") == "row" else self.column_headers
            self._header.append("")
        if tag == "svg":
            self.svg_labels.append(found.get("aria-label") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._header = None

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._header is not None:
            self._header[-1] += data.strip()


def _decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and every pixel of an 8-bit, non-interlaced RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, "unexpected PNG format"
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    previous = bytearray(stride)
    pixels: list[tuple[int, ...]] = []
    for y in range(height):
        start = y * (stride + 1)
        row = _unfilter(
            raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, channels
        )
        pixels += [tuple(row[x : x + 3]) for x in range(0, stride, channels)]
        previous = row
    return width, height, pixels


def _unfilter(kind: int, row: bytearray, above: bytearray, bpp: int) -> bytearray:
    """Undo one scanline's PNG filter (None, Sub, Up, Average, Paeth)."""
    for i in range(len(row)):
        left = row[i - bpp] if i >= bpp else 0
        up = above[i]
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 2:
            row[i] = (row[i] + up) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            corner = above[i - bpp] if i >= bpp else 0
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            row[i] = (row[i] + best) & 0xFF
    return row
