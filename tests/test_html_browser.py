"""The HTML reports in a real browser: headless Chromium (the distribution's package, which
`.ci/run` installs when missing) loads each file; the checks read the rendered page (text,
data attributes, laid-out bar widths), use its script, and fail on any script error. A
screenshot of each page is saved in the test's temp dir. Skips, with the reason in the
summary, only where no Chromium is installed."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from tests.browser import Browser, find_browser
from tests.observe_project import make_project, rows, write_sqlite


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = find_browser()
    if executable is None:
        from tests.runtime.conftest import skip_visibly

        skip_visibly("HTML browser test skipped: no Chromium found (apt-get install chromium, or set EVENTMOD_CHROMIUM)")
    instance = Browser.launch(executable, tmp_path_factory.mktemp("chromium-profile"))
    yield instance
    instance.close()


@pytest.fixture
def reports(eventmod):
    """The small project, instrumented (static 4/4), with its standard rows (runtime 3/4)."""
    make_project(eventmod.cwd)
    result = eventmod("apply")
    assert result.exit_code == 0, result.stderr
    write_sqlite(eventmod.cwd / "events.db", rows())
    out = {}
    for name, args in {
        "observe": ["observe", "--db", "sqlite:///events.db", "--format", "html", "--out", "observe.html"],
        "timeline": ["timeline", "--db", "sqlite:///events.db", "--position-id", "7", "--format", "html", "--out", "timeline.html"],
    }.items():
        result = eventmod(*args)
        assert result.exit_code == 0, result.stderr
        out[name] = eventmod.cwd / f"{name}.html"
    result = eventmod("coverage", "--format", "html")
    assert result.exit_code == 0, result.stderr
    out["coverage"] = eventmod.cwd / "coverage.html"
    out["coverage"].write_text(result.stdout)
    return out


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def shoot(page, tmp_path: Path, name: str) -> None:
    shot = page.screenshot(tmp_path / f"{name}.png")
    width, height = png_size(shot)
    assert width >= 1000 and height >= 600, (width, height)
    print(f"screenshot: {shot} ({width}x{height})")


COMPONENT_ROWS = """JSON.stringify([...document.querySelectorAll('#coverage-bars tbody tr')].map(tr => {
  const ratio = kind => { const bar = tr.querySelector('.bar.' + kind); if (!bar) return null;
    return bar.querySelector('.fill').getBoundingClientRect().width / bar.getBoundingClientRect().width; };
  const label = kind => { const el = tr.querySelector('.' + kind + '-label'); return el ? el.textContent : null; };
  return {component: tr.dataset.component, static: label('static'), runtime: label('runtime'),
          staticRatio: ratio('static'), runtimeRatio: ratio('runtime'),
          barWidth: tr.querySelector('.bar').getBoundingClientRect().width};
}))"""


def test_observe_report_renders_its_figures(browser, reports, tmp_path):
    page = browser.open(reports["observe"])
    assert page.evaluate("document.title") == "eventmod: runtime coverage"
    assert page.evaluate("document.querySelector('#runtime-total .big').textContent") == "3/4"
    assert page.evaluate("document.querySelector('#runtime-total').dataset.percent") == "75.0"
    assert page.evaluate("document.querySelector('#static-total .big').textContent") == "4/4"
    assert page.evaluate("document.querySelector('#never-seen-total .big').textContent") == "1"
    assert page.evaluate("document.querySelector('#rows-total .big').textContent") == "8"

    components = json.loads(page.evaluate(COMPONENT_ROWS))
    assert [c["component"] for c in components] == ["desk", "risk"]
    desk, risk = components
    assert (desk["static"], desk["runtime"]) == ("3/3 (100%)", "2/3 (67%)")
    assert (risk["static"], risk["runtime"]) == ("1/1 (100%)", "1/1 (100%)")
    assert desk["barWidth"] > 100  # laid out, not collapsed
    assert desk["staticRatio"] == pytest.approx(1.0, abs=0.01)
    assert desk["runtimeRatio"] == pytest.approx(2 / 3, abs=0.01)  # the drawn bar is two thirds long
    assert risk["runtimeRatio"] == pytest.approx(1.0, abs=0.01)

    phases = json.loads(page.evaluate("JSON.stringify([...document.querySelectorAll('#phase-list li')]"
                                      ".map(li => [li.dataset.phase, li.dataset.status, li.textContent]))"))
    assert [p[:2] for p in phases] == [["1", "partly seen"], ["2", "verified"], ["3", "no events specified"],
                                       ["4", "no events specified"]]
    assert phases[0][2] == "Phase 1 (days 1-2): partly seen, 3/3 instrumented, 2/3 seen"
    bands = json.loads(page.evaluate("JSON.stringify([...document.querySelectorAll('#plan g.phase')].map(g => "
                                     "[g.dataset.phase, g.querySelector('text').textContent, "
                                     "g.querySelector('rect').getBoundingClientRect().width]))"))
    assert [b[:2] for b in bands] == [["1", "Phase 1: partly seen"], ["2", "Phase 2: verified"]]
    assert bands[0][2] == pytest.approx(2 * bands[1][2] + 4, abs=2)  # days 1-2 vs day 5: twice as wide

    buckets = json.loads(page.evaluate("JSON.stringify([...document.querySelectorAll('#over-time rect.bucket')]"
                                       ".map(r => [r.dataset.severity, +r.dataset.count, r.getBoundingClientRect().height]))"))
    assert sum(b[1] for b in buckets) == 8 and {b[0] for b in buckets} == {"DEBUG", "INFO", "WARNING", "ERROR"}
    assert all(b[2] > 0 for b in buckets)

    never = page.evaluate("[...document.querySelectorAll('#never-seen tbody tr')].map(tr => tr.textContent).join('|')")
    assert "svc/desk.py:" in never and "desk_cancelled" in never and "ORDER_CANCELLED" in never

    # the script: filtering, and a click on a component row filters the never-seen list
    visible = ("[...document.querySelectorAll('#never-seen tbody tr')].filter(tr => !tr.hidden).length")
    page.evaluate("(() => { const i = document.querySelector('input.filter'); i.value = 'risk';"
                  " i.dispatchEvent(new Event('input')); })()")
    assert page.evaluate(visible) == 0
    assert page.evaluate("document.getElementById('never-seen-count').textContent") == "0 shown"
    page.evaluate("document.querySelector('tr.component[data-component=\"desk\"]').click()")
    assert page.evaluate("document.querySelector('input.filter').value") == "desk"
    assert page.evaluate(visible) == 1
    assert page.errors() == []
    shoot(page, tmp_path, "observe")


def test_coverage_report_renders_the_plan(browser, reports, tmp_path):
    page = browser.open(reports["coverage"])
    assert page.evaluate("document.querySelector('#static-total .big').textContent") == "4/4"
    components = json.loads(page.evaluate(COMPONENT_ROWS))
    assert [(c["component"], c["static"], c["runtime"]) for c in components] == [
        ("desk", "3/3 (100%)", None), ("risk", "1/1 (100%)", None)]
    statuses = page.evaluate("[...document.querySelectorAll('#plan g.plan-component')].map(g => g.dataset.component + '=' + g.dataset.status).join(' ')")
    assert statuses == "desk=instrumented risk=instrumented"
    assert page.evaluate("[...document.querySelectorAll('#phase-list li')].map(li => li.dataset.status).join(',')") == \
        "instrumented,instrumented,no events specified,no events specified"
    assert page.errors() == []
    shoot(page, tmp_path, "coverage")


def test_timeline_report_renders_the_incident(browser, reports, tmp_path):
    page = browser.open(reports["timeline"])
    cells = json.loads(page.evaluate("JSON.stringify([...document.querySelectorAll('#timeline tbody tr')]"
                                     ".map(tr => [...tr.cells].map(td => td.textContent)))"))
    assert [(c[2], c[3], c[4]) for c in cells] == [("ERROR", "risk", "ORDER_REJECTED"), ("WARNING", "desk", "ORDER_REJECTED"),
                                                 ("INFO", "desk", "ORDER_PLACED"), ("DEBUG", "-", "HAND_WRITTEN")]
    assert [c[1] for c in cells] == ["+0.000s", "+10.000s", "+30.000s", "+2:00"]
    assert page.evaluate("document.querySelectorAll('#strip circle').length") == 4
    assert page.errors() == []
    shoot(page, tmp_path, "timeline")
