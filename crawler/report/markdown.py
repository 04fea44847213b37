"""summary.md: the report's sections as Markdown, ready to paste into the public summary."""

from __future__ import annotations

from typing import Any

from crawler.report.sections import Section, sections


def render_markdown(summary: dict[str, Any]) -> str:
    """The whole report as one Markdown document."""
    logs = len(summary["logs"])
    lines = [
        "# Heed crawl summary",
        "",
        f"Generated {summary['generated_at']} from {logs:,} decision "
        f"log{'s' * (logs != 1)}, every hash chain verified.",
    ]
    for section in sections(summary):
        lines += ["", f"## {section.title}", "", *_paragraphs(section), *_table(section)]
    return "\n".join(lines) + "\n"


def _paragraphs(section: Section) -> list[str]:
    out: list[str] = []
    for sentence in section.text:
        out += [sentence, ""]
    return out


def _table(section: Section) -> list[str]:
    if not section.headers:
        return []
    if not section.rows:
        return ["(none)"]
    head = "| " + " | ".join(_cell(h) for h in section.headers) + " |"
    rule = "|" + "|".join(" --- " for _ in section.headers) + "|"
    body = ["| " + " | ".join(_cell(c) for c in row) + " |" for row in section.rows]
    return [head, rule, *body]


def _cell(text: str) -> str:
    """A table cell that cannot break the table (pipes, newlines) whatever a site sent."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())
