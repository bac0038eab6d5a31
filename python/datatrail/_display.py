"""The HTML a Jupyter notebook shows for datatrail's objects (docs/jupyter.md).

The bound classes' ``_repr_html_`` call the renderers here (python/src/display.hpp). Records bound
from a field table (Dataset, Activity, Datafile, Sample ...) carry their fields' names in
``_fields``, so one renderer draws them all, in the table's order: what a record holds, its repr,
its pickle state and its HTML come from one list.

Every value passes through :func:`html.escape` (quotes included), long listings stop at the
limits below with an "… and N more" row, and the markup carries no colours of its own: text,
backgrounds and borders inherit from the notebook's theme (borders are a half-transparent grey),
so it reads in light and dark themes alike. No external CSS or JavaScript.
"""

from __future__ import annotations

import datetime
import html
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._quantity import Quantity

if TYPE_CHECKING:
    from ._core import IngestReport, MergeReport, ProvGraph, Schema, SchemaReport

__all__ = [
    "MAX_COLUMNS",
    "MAX_ITEMS",
    "MAX_LOG_LINES",
    "MAX_ROWS",
    "MAX_TEXT",
    "datasets_html",
    "graph_html",
    "ingest_report_html",
    "merge_report_html",
    "record_html",
    "schema_html",
    "schema_report_html",
]

# Rows of one table: metadata, parameters, files, violations, schema fields, a result's datasets,
# a graph's nodes and edges when Graphviz is missing.
MAX_ROWS = 50
# Items of a list shown in one cell: techniques, keywords, generated PIDs.
MAX_ITEMS = 20
# Characters of one value: a description, an array, a command line.
MAX_TEXT = 300
# Lines of an activity's log (its last ones: a failed run's traceback ends it).
MAX_LOG_LINES = 20
# Metadata keys a result table shows as columns: those most of its datasets have.
MAX_COLUMNS = 6
# Hex digits of a checksum shown; the whole is in the cell's tooltip.
SHORT_DIGEST = 12

_GRID = "rgba(128, 128, 128, 0.35)"
_BOX = "color: inherit; background: transparent; line-height: 1.45; margin: 0.25em 0"
_TABLE = "border-collapse: collapse; margin: 0.2em 0 0.6em 0; color: inherit; background: transparent"
_CELL = f"padding: 0.15em 0.7em 0.15em 0; text-align: left; vertical-align: top; border-bottom: 1px solid {_GRID}"
_HEAD = _CELL.replace(_GRID, "rgba(128, 128, 128, 0.7)") + "; font-weight: 600"
_NAME = _CELL + "; font-weight: 600; white-space: nowrap"
_DIM = "opacity: 0.7"
_CODE = "font-family: monospace; font-size: 0.95em"
_SECTION = "margin: 0.5em 0 0.1em 0; font-weight: 600"


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, the cut marked; cut before escaping, so that no
    entity is split."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _esc(value: object, limit: int = MAX_TEXT) -> str:
    return html.escape(_clip(str(value), limit), quote=True)


def _more(hidden: int, noun: str) -> str:
    return f"… and {hidden} more {noun}"


def _time(value: datetime.datetime) -> str:
    return value.isoformat(sep=" ", timespec="seconds")


def _text(value: object) -> str:
    """A value as text for one cell, before escaping."""
    if isinstance(value, datetime.datetime):
        return _time(value)
    if isinstance(value, Quantity):
        return str(value)
    if isinstance(value, bool) or value is None:
        return "—" if value is None else ("yes" if value else "no")
    if isinstance(value, (list, tuple)):
        shown = ", ".join(_text(v) for v in value[:MAX_ITEMS])
        return shown + (f", {_more(len(value) - MAX_ITEMS, 'items')}" if len(value) > MAX_ITEMS else "")
    return str(value)


def _cell(value: object) -> str:
    return _esc(_text(value))


def _code(value: object, title: str | None = None) -> str:
    tip = f' title="{_esc(title, len(title))}"' if title else ""
    return f'<code style="{_CODE}"{tip}>{_cell(value)}</code>'


def _size(n: int) -> str:
    """A byte count as people read it; the exact count is in the tooltip."""
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    value, i = float(n), 0
    while value >= 1024 and i < len(units) - 1:
        value /= 1024
        i += 1
    text = f"{n} B" if i == 0 else f"{value:.1f} {units[i]}"
    return f'<span title="{n} bytes">{text}</span>'


def _digest(sha256: str) -> str:
    if len(sha256) <= SHORT_DIGEST:
        return _code(sha256)
    return _code(sha256[:SHORT_DIGEST] + "…", title=sha256)


# How a field is shown where its name says more than its type: checksums short, sizes in
# units, PIDs and paths in a fixed-width font.
_BY_NAME: dict[str, Callable[[Any], str]] = {
    "sha256": _digest,
    "size": lambda n: _size(n) if isinstance(n, int) else _cell(n),
    "pid": _code,
    "dataset": _code,
    "parent": _code,
    "path": _code,
    "location": _code,
    "git_commit": lambda c: _code(c[:SHORT_DIGEST], title=c),
}


def _field(name: str, value: object) -> str:
    show = _BY_NAME.get(name)
    return show(value) if show else _cell(value)


def _table(headers: Sequence[str] | None, rows: Sequence[Sequence[str]], total: int, noun: str) -> str:
    """A table of rows of cells that are HTML already; ``total`` rows in all, the rest counted in
    a last row. With no headers, the first cell of a row names it."""
    out = [f'<table style="{_TABLE}">']
    if headers:
        out.append("<thead><tr>")
        out.extend(f'<th style="{_HEAD}">{_esc(h)}</th>' for h in headers)
        out.append("</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        cells = [
            f'<td style="{_NAME if not headers and i == 0 else _CELL}">{cell}</td>' for i, cell in enumerate(row)
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    if total > len(rows):
        width = len(headers) if headers else max((len(r) for r in rows), default=1)
        out.append(
            f'<tr><td colspan="{width}" style="{_CELL}; {_DIM}">{_esc(_more(total - len(rows), noun))}</td></tr>'
        )
    out.append("</tbody></table>")
    return "".join(out)


def _box(title: str, *parts: str) -> str:
    return f'<div class="datatrail" style="{_BOX}"><div>{title}</div>{"".join(parts)}</div>'


def _section(name: str, body: str, *, count: int | None = None, open_: bool = True) -> str:
    """A titled part of a record, folded away when it is long to read (an environment, a log)."""
    label = _esc(name) + (f' <span style="{_DIM}">({count})</span>' if count is not None else "")
    # open="" rather than a bare attribute: the markup stays well-formed XML as well as HTML.
    opened = ' open=""' if open_ else ""
    return f'<details{opened}><summary style="{_SECTION}">{label}</summary>{body}</details>'


def _title(kind: str, name: str = "", pid: str = "", note: str = "") -> str:
    parts = [f'<span style="{_DIM}">{_esc(kind)}</span>']
    if name:
        parts.append(f"<strong>{_esc(name)}</strong>")
    if pid:
        parts.append(_code(pid))
    if note:
        parts.append(f'<span style="{_DIM}">{note}</span>')
    return " ".join(parts)


# --- records --------------------------------------------------------------------------------


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, dict)) and len(value) == 0)


def _mapping_table(values: Mapping[str, object]) -> str:
    """Metadata or parameters: key, value, unit (and uncertainty where there is one)."""
    items = sorted(values.items())
    has_unit = any(isinstance(v, Quantity) for _, v in items)
    rows = []
    for key, value in items[:MAX_ROWS]:
        if isinstance(value, Quantity):
            shown = _text(value.value) + (f" ± {value.uncertainty}" if value.uncertainty is not None else "")
            row = [_code(key), _esc(shown), _esc(value.unit)]
        else:
            row = [_code(key), _cell(value)] + ([""] if has_unit else [])
        rows.append(row)
    headers = ["key", "value", "unit"] if has_unit else ["key", "value"]
    return _table(headers, rows, len(items), "keys")


def _records_table(records: Sequence[Any], noun: str) -> str:
    """Records of one class (files, inputs, agents) as rows, a column per field that any of them
    sets."""
    names = [n for n in type(records[0])._fields if any(not _is_empty(getattr(r, n)) for r in records)]
    rows = [[_field(n, getattr(r, n)) for n in names] for r in records[:MAX_ROWS]]
    return _table(names, rows, len(records), noun)


def _violations_table(violations: Sequence[Any]) -> str:
    rows = [[_code(v.field), _cell(v.value), _cell(v.rule)] for v in violations[:MAX_ROWS]]
    return _table(["field", "value", "rule"], rows, len(violations), "violations")


def _log(text: str) -> str:
    lines = text.rstrip("\n").split("\n")
    hidden = max(0, len(lines) - MAX_LOG_LINES)
    shown = "\n".join(_clip(line) for line in lines[hidden:])
    head = f'<div style="{_DIM}">{_esc(f"… {hidden} earlier lines")}</div>' if hidden else ""
    return f'{head}<pre style="{_CODE}; margin: 0; white-space: pre-wrap; background: transparent">{html.escape(shown)}</pre>'


def _fields_html(record: Any, skip: Iterable[str] = ()) -> tuple[list[list[str]], list[str]]:
    """A record's simple fields as (name, value) rows, and its lists, mappings and nested records
    as sections, in field order; empty fields are left out."""
    rows: list[list[str]] = []
    sections: list[str] = []
    skipped = set(skip)
    for name in type(record)._fields:
        value = getattr(record, name)
        if name in skipped or _is_empty(value):
            continue
        if isinstance(value, Mapping):
            sections.append(_section(name, _mapping_table(value), count=len(value), open_=len(value) <= MAX_ROWS))
        elif isinstance(value, list) and hasattr(value[0], "_fields"):
            sections.append(_section(name, _records_table(value, name), count=len(value)))
        elif isinstance(value, list) and hasattr(value[0], "rule"):
            sections.append(_section(name, _violations_table(value), count=len(value)))
        elif hasattr(value, "_fields"):
            sub_rows, sub_sections = _fields_html(value)
            if sub_rows or sub_sections:
                body = (_table(None, sub_rows, len(sub_rows), "fields") if sub_rows else "") + "".join(sub_sections)
                sections.append(_section(name, body, open_=False))
        elif name == "log":
            sections.append(_section(name, _log(str(value)), open_=False))
        elif name == "valid" and value is False:
            rows.append([_esc(name), "<strong>✗ no</strong>"])
        else:
            rows.append([_esc(name), _field(name, value)])
    return rows, sections


def record_html(record: Any) -> str:
    """Any record bound from a field table: a Dataset, Activity, Datafile, Sample, Agent ... Its
    name and PID head it; its other fields follow in a table, then its metadata or parameters,
    files, inputs, agents, violations, environment and log."""
    # A file has no name: its path heads it instead.
    title = "name" if hasattr(record, "name") else "path"
    name = getattr(record, title, "")
    pid = getattr(record, "pid", "")
    note = ""
    for flag in ("kind", "type", "status", "state"):
        value = getattr(record, flag, "")
        if isinstance(value, str) and value:
            note += ("" if not note else " · ") + _esc(value)
    rows, sections = _fields_html(record, skip=(title, "pid"))
    table = _table(None, rows, len(rows), "fields") if rows else ""
    return _box(_title(type(record).__name__, name, pid, note), table, *sections)


# --- query results --------------------------------------------------------------------------


def _columns(datasets: Sequence[Any]) -> list[str]:
    """The metadata keys most of the datasets have, first seen first among equals."""
    counts: Counter[str] = Counter()
    for ds in datasets:
        counts.update(ds.metadata.keys())
    return [key for key, _ in counts.most_common(MAX_COLUMNS)]


def datasets_html(datasets: Sequence[Any]) -> str:
    """A list of datasets as a table: a row per dataset (the first :data:`MAX_ROWS`), with its
    name, PID, kind, state, start, files, and a column for each of the metadata keys most of them
    have."""
    n = len(datasets)
    title = _title("Datasets", note=_esc(f"{n} dataset{'' if n == 1 else 's'}"))
    if n == 0:
        return _box(title)
    shown = datasets[:MAX_ROWS]
    keys = _columns(shown)
    invalid = any(not ds.valid for ds in shown)
    headers = ["name", "pid", "kind", "state", "start_time", "files", *keys] + (["valid"] if invalid else [])
    rows = []
    for ds in shown:
        metadata = ds.metadata
        row = [
            f"<strong>{_esc(ds.name)}</strong>",
            _code(ds.pid),
            _esc(ds.kind),
            _esc(ds.state),
            _cell(ds.start_time) if ds.start_time else "",
            str(len(ds.files)),
            *(_cell(metadata[k]) if k in metadata else "" for k in keys),
        ]
        if invalid:
            row.append("" if ds.valid else "✗")
        rows.append(row)
    return _box(title, _table(headers, rows, n, "datasets"))


# --- schemas --------------------------------------------------------------------------------


def _rule_text(f: Any) -> dict[str, str]:
    """One schema field's rules, a cell each, before escaping."""
    kind = f.type
    if f.element_type:
        kind += f" of {f.element_type}"
    if f.shape:
        kind += " [" + ", ".join("*" if n < 0 else str(n) for n in f.shape) + "]"
    low, high = f.minimum, f.maximum
    bounds = "" if low is None and high is None else f"{'' if low is None else low} … {'' if high is None else high}"
    return {
        "key": f.key,
        "type": kind,
        "unit": f.unit or (f"[{f.dimension}]" if f.dimension else ""),
        "required": "yes" if f.required else "",
        "range": bounds.strip(),
        "allowed": _text(f.allowed) if f.allowed else "",
        "default": "" if f.default is None else _text(f.default),
        "pattern": f.pattern,
        "nexus_path": f.nexus_path,
        "description": f.description,
    }


def schema_html(schema: Schema) -> str:
    """A schema: its name, version and mode, what it applies to, and its fields as a table (a row
    per metadata key, a column per kind of rule any of them sets)."""
    note = _esc("strict" if schema.strict else "lenient")
    rows: list[list[str]] = []
    if schema.description:
        rows.append(["description", _cell(schema.description)])
    if schema.extends:
        rows.append(["extends", _code(schema.extends)])
    if schema.inherits:
        rows.append(["inherits", _cell(schema.inherits)])
    applies = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(schema.applies_to.items()) if v)
    if applies:
        rows.append(["applies to", _esc(applies)])
    rows.append(["other keys", "allowed" if schema.additional else "refused"])
    fields = schema.fields
    rules = [_rule_text(f) for f in fields[:MAX_ROWS]]
    names = [n for n in (rules[0] if rules else {}) if n == "key" or any(r[n] for r in rules)]
    body = [[_code(r[n]) if n in ("key", "nexus_path") and r[n] else _esc(r[n]) for n in names] for r in rules]
    table = _table(names, body, len(fields), "fields") if fields else f'<div style="{_DIM}">no fields</div>'
    return _box(
        _title("Schema", schema.id, note=note),
        _table(None, rows, len(rows), "rows"),
        _section("fields", table, count=len(fields)),
    )


def schema_report_html(report: SchemaReport) -> str:
    """One dataset's validation: valid, or invalid with every violation."""
    against = f" against {_code(report.schema)}" if report.schema else ""
    n = len(report.violations)
    verdict = "<strong>✓ valid</strong>" if report.ok else f"<strong>✗ invalid</strong>: {n} violation{'s' * (n != 1)}"
    title = _title("SchemaReport", pid=report.dataset)
    body = f"<div>{verdict}{against}</div>"
    return _box(title, body, _violations_table(report.violations) if n else "")


# --- reports --------------------------------------------------------------------------------


def merge_report_html(report: MergeReport) -> str:
    """A merge's counts: a row per kind of record, added and skipped."""
    names = type(report)._fields
    counts = [getattr(report, n) for n in names]
    rows = [[_esc(n), str(c.added), str(c.skipped)] for n, c in zip(names, counts)]
    rows.append(["<strong>total</strong>", str(sum(c.added for c in counts)), str(sum(c.skipped for c in counts))])
    return _box(_title("MergeReport"), _table(["records", "added", "skipped"], rows, len(rows), "rows"))


def ingest_report_html(report: IngestReport) -> str:
    """An ingest's counts by outcome, then the files that failed or were skipped, and the notes."""
    outcomes = ("ingested", "already_present", "skipped", "failed")
    lists = {name: getattr(report, name) for name in outcomes}
    counts = _table(["outcome", "files"], [[_esc(k), str(len(v))] for k, v in lists.items()], len(lists), "rows")
    parts = [counts]
    for name in ("failed", "skipped"):
        items = lists[name]
        if items:
            rows = [[_code(i.path), _esc(i.error), _cell(i.reason)] for i in items[:MAX_ROWS]]
            parts.append(_section(name, _table(["path", "error", "reason"], rows, len(items), "files"), count=len(items)))
    noted = [i for i in (*lists["ingested"], *lists["already_present"]) if i.notes]
    if noted:
        rows = [[_code(i.path), _cell("; ".join(i.notes))] for i in noted[:MAX_ROWS]]
        parts.append(_section("notes", _table(["path", "notes"], rows, len(noted), "files"), count=len(noted), open_=False))
    return _box(_title("IngestReport"), *parts)


# --- lineage graphs -------------------------------------------------------------------------


def _svg_element(svg: str) -> str:
    """Graphviz's document without its XML declaration and doctype, which HTML does not take."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else ""


def graph_html(graph: ProvGraph) -> str:
    """A provenance graph drawn by Graphviz (its own drawing, labels escaped by Graphviz), under a
    line that counts its nodes; without Graphviz, its nodes and edges as tables."""
    from ._core import Error

    kinds = Counter(node.kind for node in graph)
    edges = graph.edges
    summary = ", ".join(f"{n} {k}{'s' * (n != 1)}" for k, n in sorted(kinds.items()))
    note = _esc(f"{summary or 'no nodes'}; {len(edges)} edge{'s' * (len(edges) != 1)}")
    title = _title("ProvGraph", note=note)
    if len(graph) == 0:
        return _box(title)
    try:
        svg = _svg_element(graph.to_svg())
    except Error:
        svg = ""
    if svg:
        return _box(title, f'<div style="overflow: auto; max-width: 100%">{svg}</div>')
    nodes = graph.nodes
    names = {n.id: n.name or n.id for n in nodes}
    node_rows = [[_esc(n.kind), f"<strong>{_esc(n.name)}</strong>", _code(n.id)] for n in nodes[:MAX_ROWS]]
    edge_rows = [
        [_esc(names.get(e.source, e.source)), _esc(e.kind), _esc(names.get(e.target, e.target)), _esc(e.role)]
        for e in edges[:MAX_ROWS]
    ]
    return _box(
        title,
        f'<div style="{_DIM}">Graphviz is not installed: the graph as tables.</div>',
        _section("nodes", _table(["kind", "name", "id"], node_rows, len(nodes), "nodes"), count=len(nodes)),
        _section(
            "edges", _table(["from", "relation", "to", "role"], edge_rows, len(edges), "edges"), count=len(edges)
        ),
    )
