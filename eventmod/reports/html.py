"""Self-contained HTML reports: one file, inline CSS, SVG and a little JS, no network access.

- `observe_html`: coverage bars per component (static and runtime side by side), events over
  time per severity, the 12-day plan with each phase's status, and the lists to act on.
- `coverage_html`: the static coverage and the 12-day plan (no database).
- `timeline_html`: one incident's events.

Every figure is in the markup (`data-*` attributes and text), so the page reads the same with
scripts off; the script only filters tables.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Iterable

from eventmod.model.record import record
from eventmod.reports.coverage import Coverage, PlanRow
from eventmod.reports.observe import (
    SEVERITY_ORDER, ObserveReport, PhaseObservation, TimeBucket, phase_rows, severities_text, when, window_text,
)
from eventmod.reports.summary import days_text, percent_of
from eventmod.reports.timeline import Timeline, offset

SEVERITY_COLORS = {"DEBUG": "#9aa5b1", "INFO": "#3b82f6", "WARNING": "#f59e0b", "ERROR": "#ef4444", "CRITICAL": "#7f1d1d"}
STATUS_COLORS = {"verified": "#16a34a", "partly seen": "#84cc16", "instrumented": "#3b82f6", "in progress": "#f59e0b",
                 "not started": "#9ca3af", "no events specified": "#e5e7eb"}
DAYS = 12
BUCKET_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "month": 30 * 86400}

CSS = """
:root { --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --static: #3b82f6; --runtime: #16a34a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0 auto;
       max-width: 1180px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: var(--muted); margin: 0; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-top: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 170px; }
.card .big { display: block; font-size: 24px; font-weight: 600; }
.card.bad .big { color: #b91c1c; } .card.good .big { color: #15803d; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.bars td.bar-cell { width: 34%; }
.bar { position: relative; height: 14px; background: #f3f4f6; border-radius: 3px; overflow: hidden; }
.bar .fill { position: absolute; left: 0; top: 0; bottom: 0; }
.bar.static .fill { background: var(--static); } .bar.runtime .fill { background: var(--runtime); }
.bar-label { font-size: 12px; color: var(--muted); }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.sev { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; font-size: 12px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.filter { margin: 4px 0 8px; padding: 4px 8px; width: 280px; }
.count { color: var(--muted); margin-left: 8px; font-size: 12px; }
svg text { font: 11px system-ui, sans-serif; fill: var(--fg); }
.empty { color: var(--muted); }
tr.component { cursor: pointer; }
tr.component.selected { background: #eff6ff; }
"""

SCRIPT = """
(function () {
  function applyFilter(input) {
    var table = document.getElementById(input.dataset.table);
    if (!table) return;
    var q = input.value.toLowerCase(), shown = 0;
    table.querySelectorAll('tbody tr').forEach(function (tr) {
      var hit = tr.textContent.toLowerCase().indexOf(q) !== -1;
      tr.hidden = !hit;
      if (hit) shown++;
    });
    var count = document.getElementById(input.dataset.table + '-count');
    if (count) count.textContent = shown + ' shown';
  }
  document.querySelectorAll('input.filter').forEach(function (input) {
    input.addEventListener('input', function () { applyFilter(input); });
  });
  document.querySelectorAll('tr.component').forEach(function (row) {
    row.addEventListener('click', function () {
      var input = document.querySelector('input.filter[data-table="never-seen"]');
      if (!input) return;
      var same = row.classList.contains('selected');
      document.querySelectorAll('tr.component').forEach(function (r) { r.classList.remove('selected'); });
      if (!same) row.classList.add('selected');
      input.value = same ? '' : row.dataset.component;
      applyFilter(input);
    });
  });
})();
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _card(element_id: str, big: str, label: str, tone: str = "", **data: object) -> str:
    attrs = "".join(f' data-{k.replace("_", "-")}="{escape(str(v))}"' for k, v in data.items())
    return (f'<div class="card {tone}" id="{element_id}"{attrs}><span class="big">{escape(big)}</span>'
            f'<span>{escape(label)}</span></div>')


def _filter(table_id: str, placeholder: str) -> str:
    return (f'<input class="filter" type="search" data-table="{table_id}" placeholder="{escape(placeholder)}">'
            f'<span class="count" id="{table_id}-count"></span>')


@record
class BarRow:
    """One component's coverage bars in an HTML report: the events specified, instrumented in the
    code and, for `observe`, seen in the events table."""

    component: str
    file: str
    priority: str
    specified: int
    instrumented: int
    seen: int | None  # None: no runtime figure (coverage report)


def _bar(kind: str, part: int, whole: int) -> str:
    pct = percent_of(part, whole)
    return (f'<div class="bar {kind}" data-percent="{pct:.1f}"><div class="fill" style="width:{pct:.1f}%"></div></div>'
            f'<span class="bar-label {kind}-label">{part}/{whole} ({pct:.0f}%)</span>')


def _bars(rows: list[BarRow]) -> str:
    runtime = any(r.seen is not None for r in rows)
    legend = ('<p class="legend"><span><i class="swatch" style="background:var(--static)"></i>static: instrumented in the code</span>'
              + ('<span><i class="swatch" style="background:var(--runtime)"></i>runtime: seen in the events table</span>' if runtime else
                 '<span>runtime: run <code>eventmod observe --format html</code></span>') + "</p>")
    head = ("<tr><th>component</th><th>priority</th><th class=\"num\">events</th><th>static</th>"
            + ("<th>runtime</th>" if runtime else "") + "</tr>")
    body = []
    for r in rows:
        seen_attr = f' data-seen="{r.seen}"' if r.seen is not None else ""
        cells = (f'<th>{escape(r.component)}<br><code>{escape(r.file)}</code></th><td>{escape(r.priority)}</td>'
                 f'<td class="num">{r.specified}</td><td class="bar-cell">{_bar("static", r.instrumented, r.specified)}</td>')
        if runtime:
            cells += f'<td class="bar-cell">{_bar("runtime", r.seen or 0, r.specified)}</td>'
        body.append(f'<tr class="component" data-component="{escape(r.component)}" data-specified="{r.specified}" '
                    f'data-instrumented="{r.instrumented}"{seen_attr}>{cells}</tr>')
    return f'{legend}<table class="bars" id="coverage-bars"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _plan_svg(components: list[tuple[str, tuple[int, ...], int, str]], phases: list[PhaseObservation]) -> str:
    """The 12-day plan: a band per phase over its days, a bar per component, coloured by status."""
    label_w, day_w, row_h, top = 200, 70, 22, 58
    width = label_w + DAYS * day_w + 10
    height = top + row_h * max(len(components), 1) + 10
    parts = [f'<svg id="plan" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="12-day plan">']
    for day in range(1, DAYS + 1):
        x = label_w + (day - 1) * day_w
        parts.append(f'<line x1="{x}" y1="20" x2="{x}" y2="{height - 6}" stroke="#e5e7eb"/>'
                     f'<text x="{x + day_w / 2}" y="{top - 6}" text-anchor="middle">day {day}</text>')
    for p in phases:
        if not p.days:
            continue
        x = label_w + (min(p.days) - 1) * day_w + 2
        w = (max(p.days) - min(p.days) + 1) * day_w - 4
        color = STATUS_COLORS.get(p.status, "#9ca3af")
        parts.append(f'<g class="phase" data-phase="{p.phase}" data-status="{escape(p.status)}">'
                     f'<rect x="{x}" y="4" width="{w}" height="22" rx="4" fill="{color}" opacity="0.25"/>'
                     f'<text x="{x + 6}" y="19">Phase {p.phase}: {escape(p.status)}</text>'
                     f'<title>Phase {p.phase}, days {days_text(p.days)}: {escape(p.status)} '
                     f'({p.seen}/{p.specified} seen, {p.instrumented}/{p.specified} instrumented)</title></g>')
    for i, (name, days, specified, status) in enumerate(components):
        y = top + i * row_h
        parts.append(f'<text x="4" y="{y + 15}">{escape(name)}</text>')
        if days:
            x = label_w + (min(days) - 1) * day_w + 4
            w = (max(days) - min(days) + 1) * day_w - 8
            parts.append(f'<g class="plan-component" data-component="{escape(name)}" data-status="{escape(status)}">'
                         f'<rect x="{x}" y="{y + 3}" width="{w}" height="{row_h - 6}" rx="3" '
                         f'fill="{STATUS_COLORS.get(status, "#9ca3af")}"/><title>{escape(name)}, days {days_text(days)}: '
                         f'{escape(status)} ({specified} events)</title></g>')
    parts.append("</svg>")
    legend = "".join(f'<span><i class="swatch" style="background:{c}"></i>{escape(s)}</span>'
                     for s, c in STATUS_COLORS.items())
    items = "".join(
        f'<li class="phase-status" data-phase="{p.phase}" data-status="{escape(p.status if p.specified else "no events specified")}">'
        f'Phase {p.phase}{f" (days {days_text(p.days)})" if p.days else ""}: <strong>{escape(p.status if p.specified else "no events specified")}</strong>'
        + (f", {p.instrumented}/{p.specified} instrumented" + (f", {p.seen}/{p.specified} seen" if p.seen else "") if p.specified else "")
        + "</li>"
        for p in phases
    )
    return f'{"".join(parts)}<p class="legend">{legend}</p><ul id="phase-list">{items}</ul>'


def _component_status(specified: int, instrumented: int, seen: int) -> str:
    return PhaseObservation(0, (), specified, instrumented, seen).status


def _over_time(buckets: tuple[TimeBucket, ...], unit: str) -> str:
    if not buckets:
        return '<p class="empty" id="over-time-empty">no rows in the window</p>'
    starts = sorted({b.start for b in buckets})
    counts: dict[datetime, dict[str, int]] = {s: {} for s in starts}
    for b in buckets:
        counts[b.start][b.severity.upper()] = counts[b.start].get(b.severity.upper(), 0) + b.count
    peak = max(sum(c.values()) for c in counts.values())
    severities = [s for s in SEVERITY_ORDER if any(s in c for c in counts.values())]
    severities += sorted({s for c in counts.values() for s in c} - set(severities))
    left, chart_w, chart_h, bottom = 50, 1000, 180, 30
    width = BUCKET_SECONDS.get(unit, 3600)
    span = (starts[-1] - starts[0]).total_seconds() + width  # the time axis: first bucket .. end of the last
    bar_w = max(chart_w * width / span * 0.85, 1.0)
    parts = [f'<svg id="over-time" xmlns="http://www.w3.org/2000/svg" width="{left + chart_w + 10}" '
             f'height="{chart_h + bottom + 10}" viewBox="0 0 {left + chart_w + 10} {chart_h + bottom + 10}" '
             f'role="img" aria-label="events over time per severity" data-bucket="{unit}">']
    parts.append(f'<line x1="{left}" y1="{chart_h + 5}" x2="{left + chart_w}" y2="{chart_h + 5}" stroke="#9ca3af"/>'
                 f'<text x="{left - 6}" y="14" text-anchor="end">{peak}</text>'
                 f'<text x="{left - 6}" y="{chart_h + 5}" text-anchor="end">0</text>')
    for start in starts:
        x = left + chart_w * (start - starts[0]).total_seconds() / span
        y = chart_h + 5.0
        for severity in severities:
            n = counts[start].get(severity, 0)
            if not n:
                continue
            h = max(chart_h * n / peak, 1.5)  # a lone row stays visible
            y -= h
            parts.append(f'<rect class="bucket" x="{x:.2f}" y="{y:.2f}" width="{bar_w:.2f}" height="{h:.2f}" '
                         f'fill="{SEVERITY_COLORS.get(severity, "#6b7280")}" data-severity="{escape(severity)}" '
                         f'data-count="{n}" data-start="{escape(when(start))}"><title>{escape(when(start))} UTC: '
                         f'{n} {escape(severity)}</title></rect>')
    parts.append(f'<text x="{left}" y="{chart_h + 22}">{escape(when(starts[0]))} UTC</text>'
                 f'<text x="{left + chart_w}" y="{chart_h + 22}" text-anchor="end">{escape(when(starts[-1]))} UTC</text>')
    parts.append("</svg>")
    legend = "".join(f'<span><i class="swatch" style="background:{SEVERITY_COLORS.get(s, "#6b7280")}"></i>{escape(s)}</span>'
                     for s in severities)
    return f'{"".join(parts)}<p class="legend">{legend}<span>one bar per {escape(unit)}</span></p>'


def _sev(severity: str) -> str:
    color = SEVERITY_COLORS.get(severity.upper(), "#6b7280")
    return f'<span class="sev" style="background:{color}">{escape(severity)}</span>'


def _table(table_id: str, headers: list[str], rows: list[list[str]], numeric: Iterable[int] = ()) -> str:
    numeric = set(numeric)
    head = "".join(f'<th class="num">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>" for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r))
                   + "</tr>" for r in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


# -- observe -----------------------------------------------------------------------------------
def observe_html(report: ObserveReport) -> str:
    never = report.never_seen()
    body = [
        "<header><h1>Runtime coverage</h1>",
        f'<p class="meta">{escape(report.source)}, table <code>{escape(report.table)}</code>, '
        f'{escape(window_text(report))}; generated {escape(when(report.generated))} UTC by eventmod observe</p></header>',
        '<section class="cards" id="summary">',
        _card("runtime-total", f"{report.seen}/{report.specified}", f"{report.percent:.1f}% seen at runtime "
              f"(target {report.target:g}%)", "good" if report.percent >= report.target else "bad",
              seen=report.seen, specified=report.specified, percent=f"{report.percent:.1f}"),
        _card("static-total", f"{report.instrumented}/{report.specified}", f"{report.static_percent:.1f}% instrumented in the code",
              instrumented=report.instrumented, specified=report.specified),
        _card("never-seen-total", str(len(never)), "specified events never seen", "bad" if never else "good", count=len(never)),
        _card("rows-total", str(report.total_rows), "rows in the window", rows=report.total_rows),
        "</section>",
        "<section><h2>Coverage per component: static and runtime</h2>",
        _bars([BarRow(c.spec.component, c.spec.file, c.spec.priority, c.specified, c.instrumented, c.seen)
               for c in report.components]),
        "</section>",
        "<section><h2>Events over time, per severity</h2>", _over_time(report.buckets, report.bucket_unit), "</section>",
        "<section><h2>The 12-day plan</h2>",
        _plan_svg([(c.spec.component, c.spec.days, c.specified, _component_status(c.specified, c.instrumented, c.seen))
                   for c in report.components], report.phases()),
        "</section>",
    ]
    body.append(f"<section><h2>Never seen ({len(never)})</h2>")
    if never:
        body.append("<p>Drive a scenario that reaches each site; click a component above to filter.</p>"
                    + _filter("never-seen", "filter: component, event, file..."))
        body.append(_table("never-seen", ["file:line", "component", "id", "event", "function and anchor", "in the code"], [
            [f"<code>{escape(e.site.where())}</code>", escape(c.spec.component), escape(e.event.id), escape(e.event.event),
             f"<code>{escape(e.event.function)}</code> {escape(e.event.anchor.describe())}", escape(e.site.status)]
            for c, e in never]))
    else:
        body.append('<p class="empty">every selected event was seen</p>')
    body.append("</section>")
    mismatched = [e for e in report.events() if e.severity_mismatches]
    if mismatched:
        body.append("<section><h2>Severity differs from the spec</h2>" + _table("severity-mismatches", ["id", "event", "spec", "rows"], [
            [escape(e.event.id), escape(e.event.event), _sev(e.event.severity),
             ", ".join(f"{_sev(s)} {n}" for s, n in e.severity_mismatches)] for e in mismatched]) + "</section>")
    diffs = [(e, d) for e in report.events() for d in e.payload_diffs]
    if diffs:
        body.append("<section><h2>Payload keys differ from the spec</h2>" + _table("payload-diffs", ["id", "event", "rows", "difference"], [
            [escape(e.event.id), escape(e.event.event), str(d.rows), escape(d.describe())] for e, d in diffs], (2,)) + "</section>")
    if report.unknown:
        body.append("<section><h2>Event types no spec or EventType member names</h2>" + _table("unknown-types", ["event_type", "rows", "first seen", "last seen"], [
            [f"<code>{escape(r.event_type)}</code>", str(r.rows), escape(when(r.first)), escape(when(r.last))] for r in report.unknown], (1,))
            + "</section>")
    body.append("<section><h2>Per component</h2>" + _table("components", ["component", "rows", "first seen", "last seen", "severities"], [
        [escape(c.spec.component), str(c.rows), escape(when(c.first)), escape(when(c.last)), escape(severities_text(c.severities))]
        for c in report.components], (1,)) + "</section>")
    return _page("eventmod: runtime coverage", "\n".join(body))


# -- coverage (static) -------------------------------------------------------------------------
def coverage_html(coverage: Coverage, plan_rows: list[PlanRow]) -> str:
    """The static coverage (`measure_coverage`) and the rollout plan (`rollout_plan`)."""
    rows = [BarRow(r.component + ("" if r.has_spec else " (no spec)"), r.file, r.priority, r.specified, r.instrumented, None)
            for r in coverage.rows]
    phases = phase_rows((p.phase, p.days, p.events, p.present, 0) for p in plan_rows)
    body = [
        "<header><h1>Coverage, measured from the code</h1>",
        f'<p class="meta">generated {escape(when(datetime.now(timezone.utc)))} UTC by eventmod coverage; target '
        f'{coverage.target:g}%</p></header>',
        '<section class="cards" id="summary">',
        _card("static-total", f"{coverage.instrumented}/{coverage.specified}", f"{coverage.percent:.1f}% instrumented "
              f"(target {coverage.target:g}%)", "good" if coverage.percent >= coverage.target else "bad",
              instrumented=coverage.instrumented, specified=coverage.specified, percent=f"{coverage.percent:.1f}"),
        "</section>",
        "<section><h2>Coverage per component</h2>", _bars(rows), "</section>",
        "<section><h2>The 12-day plan</h2>",
        _plan_svg([(p.component, p.days, p.events, _component_status(p.events, p.present, 0)) for p in plan_rows], phases),
        "</section>",
    ]
    return _page("eventmod: coverage", "\n".join(body))


# -- timeline ----------------------------------------------------------------------------------
def timeline_html(timeline: Timeline) -> str:
    entries = timeline.entries
    start = entries[0].at if entries else None
    body = [
        f"<header><h1>Timeline of {escape(timeline.key)} {escape(timeline.value)}</h1>",
        f'<p class="meta">{escape(timeline.source)}, table <code>{escape(timeline.table)}</code>; '
        f'{escape(timeline.title())}</p></header>',
    ]
    if entries and start is not None and entries[-1].at is not None:
        span = max((entries[-1].at - start).total_seconds(), 1e-3)
        width, left = 1000, 20
        dots = "".join(
            f'<circle cx="{left + width * ((e.at - start).total_seconds() / span):.1f}" cy="20" r="5" '
            f'fill="{SEVERITY_COLORS.get(e.severity.upper(), "#6b7280")}"><title>{escape(e.event)} '
            f'{escape(offset(e, start))}</title></circle>' for e in entries if e.at is not None)
        body.append(f'<svg id="strip" xmlns="http://www.w3.org/2000/svg" width="{width + 2 * left}" height="40">'
                    f'<line x1="{left}" y1="20" x2="{left + width}" y2="20" stroke="#9ca3af"/>{dots}</svg>')
    body.append(_filter("timeline", "filter: event, component, payload..."))
    body.append(_table("timeline", ["time (UTC)", "offset", "severity", "component", "event", "payload"], [
        [escape(when(e.at)), escape(offset(e, start)), _sev(e.severity), escape(e.component or "-"), escape(e.event),
         f"<code>{escape(e.summary(400))}</code>"] for e in entries]))
    return _page(f"eventmod: timeline of {timeline.key} {timeline.value}", "\n".join(body))
