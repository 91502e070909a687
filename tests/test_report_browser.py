"""``jobsim report`` in a real browser: Debian's headless ``chromium`` driven by playwright
(whose driver ships in its wheel; no browser is downloaded).

Without chromium the tests skip on a workstation and fail in CI (``CI`` or
``JOBSIM_REQUIRE_BROWSER`` set; ``.ci/run`` sets the latter and installs chromium).
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import jobsim
from jobsim.api import write_report

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 1280

pytestmark = pytest.mark.slow


def _missing(what: str) -> None:
    if os.environ.get("CI") or os.environ.get("JOBSIM_REQUIRE_BROWSER"):
        pytest.fail(f"{what}: the report's browser test needs it in CI (.ci/run installs it)")
    pytest.skip(f"{what} (apt-get install chromium; pip install playwright)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium")
    if chromium is None:
        _missing("no chromium on PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def open_report(browser: Any, tmp_path: Path) -> Iterator[Any]:
    """Open a scenario's report; yield (page, result, problems) where problems collects
    console errors, page errors and any request that leaves the file."""
    pages = []

    def opener(name: str) -> tuple[Any, jobsim.Result, list[str]]:
        result = jobsim.simulate(jobsim.load_scenario(ROOT / "scenarios" / f"{name}.yaml"))
        path = write_report(result, tmp_path / f"{name}.html")
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        pages.append(page)
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "request",
            lambda r: None if r.url.startswith("file://") else problems.append(f"fetch {r.url}"),
        )
        page.goto(path.as_uri())
        page.wait_for_selector("#timeline-job .trace.bars .point")
        page.wait_for_selector("#charts .scatterlayer .trace", state="attached")
        return page, result, problems

    yield opener
    for p in pages:
        p.close()


def _points(page: Any, div: str) -> dict[str, int]:
    """Rendered bars per segment (the ``meta`` of each bar trace, in drawing order)."""
    counts: dict[str, int] = page.evaluate(
        """div => {
            const gd = document.getElementById(div);
            const metas = gd._fullData.filter(t => t.type === 'bar').map(t => t.meta);
            const groups = gd.querySelectorAll('.barlayer .trace.bars');
            const out = {};
            groups.forEach((g, i) => {
                out[metas[i]] = g.querySelectorAll('.point path').length;
            });
            return out;
        }""",
        div,
    )
    return counts


def _hover(page: Any, div: str, meta: str, nth: int) -> str:
    """Move the mouse over the centre of a bar and return the hover label's text."""
    i = page.evaluate(
        """([div, meta]) => document.getElementById(div)._fullData
            .filter(t => t.type === 'bar').findIndex(t => t.meta === meta)""",
        [div, meta],
    )
    bar = page.locator(f"#{div} .barlayer .trace.bars").nth(i).locator(".point path").nth(nth)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    label = page.locator(f"#{div} .hoverlayer .hovertext")
    label.wait_for()
    text: str = label.text_content()
    return text


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_backoff_report_renders_a_bar_per_run(open_report: Any, tmp_path: Path) -> None:
    """scenarios/backoff.yaml: three pods, one failed run each (backoffLimit 2: the third
    failure fails the Job), two backoff gaps between them (10 s, 20 s)."""
    page, result, problems = open_report("backoff")
    bars = _points(page, "timeline-job")
    assert bars["run:failed"] == 3
    assert "run:succeeded" not in bars
    assert bars["backoff"] == 2
    assert _points(page, "timeline-node")["run:failed"] == 3
    lanes = page.locator("#timeline-job .yaxislayer-above .ytick").count()
    assert lanes == 3  # one lane per pod
    second = list(result.lives.pods)[1]
    text = _hover(page, "timeline-job", "run:failed", 1)
    assert f"pod {second} (Job default/flaky)" in text
    assert "run 1: t=15s–20s (5s), exit code 1 (failed)" in text
    assert "node: worker-0" in text
    assert "after: Job default/flaky waits 10s before creating pods" in text
    shot = page.screenshot(full_page=True)
    width, height = _png_size(shot)
    assert width == WIDTH
    assert 2000 < height < 6000  # six sections, the timelines sized to their three lanes
    assert len(shot) > 100_000
    (tmp_path / "backoff.png").write_bytes(shot)
    assert problems == []


def test_node_failure_report_hover_says_why_a_pod_was_deleted(open_report: Any) -> None:
    """scenarios/node-failure.yaml: the pod on the silent node is evicted by the taint
    manager, and its replacement succeeds."""
    page, result, problems = open_report("node-failure")
    bars = _points(page, "timeline-job")
    assert (bars["run:evicted"], bars["run:succeeded"], bars["terminating"]) == (1, 1, 1)
    assert _points(page, "timeline-node")["node-down"] == 1
    old = next(iter(result.lives.pods))
    text = _hover(page, "timeline-job", "run:evicted", 0)
    assert f"pod {old} deleted (DeletionByTaintManager)" in text
    assert problems == []


def test_nightly_report_renders_every_pod(open_report: Any) -> None:
    """scenarios/nightly.yaml: six Jobs of 20 completions; each pod's one run is a bar."""
    page, result, problems = open_report("nightly")
    bars = _points(page, "timeline-job")
    runs = len(result.runs())
    assert bars.get("run:succeeded", 0) + bars.get("run:failed", 0) == runs
    assert bars["run:succeeded"] == 6 * 20  # every Job completes: 20 succeeded pods each
    assert problems == []
