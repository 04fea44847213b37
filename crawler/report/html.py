"""report.html: one self-contained file (inline CSS and SVG, no script, no external asset)."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from crawler.report import svg
from crawler.report.sections import Section, human_bytes, sections
from crawler.report.timeline import Bars

_CHART_ROWS = 20
_NUMBER = re.compile(r"\d[\d,]*")
_CODE = re.compile(r"`([^`]+)`")
_HYPHENATED = re.compile(r"\S*-\S*")
# A cell word longer than this (a hash, a path, a URL) may wrap anywhere; shorter words never
# break, so "chain" or "intact" stay whole however narrow the column.
_LONG_WORD = 30
_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:#1b1b1b;background:#fff;max-width:62rem;margin:2rem auto;padding:0 1.2rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;
border-bottom:1px solid #ddd;padding-bottom:.2rem}
.meta,.muted,.empty{color:#555}table{border-collapse:collapse;margin:.6rem 0;width:100%}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:top;
overflow-wrap:normal}th{background:#f6f6f6}td.long{overflow-wrap:anywhere}
.w{white-space:nowrap}
code{font:13px ui-monospace,"DejaVu Sans Mono",monospace;background:#f3f3f3;padding:0 .2em}
.n{text-align:right;white-space:nowrap}
svg{max-width:100%;height:auto;display:block;margin:.6rem 0}
svg text{font:12px system-ui,"DejaVu Sans",sans-serif;fill:#1b1b1b}svg .muted{fill:#666}
svg .axis{stroke:#999;stroke-width:1}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}svg{break-inside:avoid}}
"""


def render_html(summary: dict[str, Any]) -> str:
    """The whole report as one HTML document."""
    charts = _charts(summary)
    body = [
        "<h1>Heed crawl summary</h1>",
        f'<p class="meta">Generated {escape(summary["generated_at"])} from '
        f"{len(summary['logs']):,} decision log(s), every hash chain verified.</p>",
    ]
    for section in sections(summary):
        body.append(_section(section, charts.get(section.key, "")))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Heed crawl summary</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _charts(summary: dict[str, Any]) -> dict[str, str]:
    bars = Bars.from_json(summary["timeline"]) if summary["timeline"] else None
    denials = [(f"{o['reason']} ({o['stage']})", o["denials"]) for o in summary["opt_outs"]]
    domains = [(d["domain"], d["bytes"]) for d in summary["top_domains"][:_CHART_ROWS]]
    return {
        "volumes": svg.decisions_over_time(bars),
        "opt_outs": svg.horizontal_bars(
            "Denials by check and reason", denials[:_CHART_ROWS], _count, svg.DENY_COLOUR
        ),
        "top_domains": svg.horizontal_bars(
            "Top domains by content size", domains, human_bytes, svg.ALLOW_COLOUR
        ),
    }


def _count(n: int) -> str:
    return f"{n:,}"


def _section(section: Section, chart: str) -> str:
    parts = [f'<section id="{section.key}"><h2>{escape(section.title)}</h2>']
    parts += [f"<p>{_inline(sentence)}</p>" for sentence in section.text]
    parts.append(chart)
    if section.headers:
        parts.append(_table(section))
    parts.append("</section>")
    return "\n".join(parts)


def _inline(text: str) -> str:
    """Escaped text, with the sections' `command` spans set as code (as Markdown shows them)."""
    return _CODE.sub(r"<code>\1</code>", _words(text))


def _words(text: str) -> str:
    """Escaped text whose hyphenated words (``ai-txt.disallow``, dates) never wrap at a
    hyphen: a reason code split over two lines reads as two words."""
    return _HYPHENATED.sub(lambda m: f'<span class="w">{m.group()}</span>', escape(text))


def _cell(text: str, numeric: bool) -> str:
    if numeric:
        return f'<td class="n">{escape(text)}</td>'
    if any(len(word) > _LONG_WORD for word in text.split()):
        return f'<td class="long">{escape(text)}</td>'
    return f"<td>{_words(text)}</td>"


def _table(section: Section) -> str:
    if not section.rows:
        return '<p class="empty">(none)</p>'
    numeric = [
        all(_NUMBER.fullmatch(row[i]) for row in section.rows) for i in range(len(section.headers))
    ]
    head = "".join(
        f'<th class="n">{escape(h)}</th>' if numeric[i] else f"<th>{escape(h)}</th>"
        for i, h in enumerate(section.headers)
    )
    body = "".join(
        "<tr>" + "".join(_cell(c, numeric[i]) for i, c in enumerate(row)) + "</tr>"
        for row in section.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
