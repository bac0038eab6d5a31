"""The query language against a plain Python filter: random catalogues, random queries, both engines.

Each example registers a fresh random catalogue, then runs random queries through the engine
and through `evaluate` below, which states the language's semantics in a few lines of Python:
a condition on a key or field the dataset lacks is false; `!=` needs the key present;
`technique != X` means "has no technique X"; numbers compare in SI across units.

The values are chosen so that no order comparison lands on a boundary where SI rounding could
decide (thresholds never equal a stored value); equality is within the library's tolerance.
"""

from __future__ import annotations

import contextlib
import datetime as dtime
import fnmatch
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datatrail as dt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import fresh_database

SI = {"keV": 1000.0, "eV": 1.0, "K": 1.0}
ENERGIES = [(8, "keV"), (12, "keV"), (12000, "eV"), (12.7, "keV"), (13500, "eV")]
TEMPERATURES = [(25, "degC"), (298.15, "K"), (100, "K"), (-10, "degC")]
DETECTORS = ["eiger", "pilatus", "eiger 2"]
WORDS = ["lysozyme", "powder", "calibration", "insulin"]
TECHNIQUES = ["MX", "SAXS", "XRD"]
SAMPLES = ["LaB6", "lyso_01"]
BASE = dtime.datetime(2026, 3, 1, 8, 0, tzinfo=dtime.timezone.utc)


def si(value: float, unit: str) -> float:
    if unit == "degC":
        return value + 273.15
    return value * SI[unit]


@dataclass
class Row:
    name: str
    kind: str
    state: str
    techniques: list[str]
    keywords: list[str]
    description: str
    start: dtime.datetime | None
    sample: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def tokens(self) -> set[str]:
        texts = [self.name, self.description, *self.keywords, *self.techniques]
        texts += [v for v in self.metadata.values() if isinstance(v, str)]
        return {t for s in texts for t in re.findall(r"[a-z0-9]+", s.lower())}


@st.composite
def rows(draw: st.DrawFn) -> list[Row]:
    out = []
    for i in range(draw(st.integers(min_value=0, max_value=14))):
        metadata: dict[str, Any] = {}
        if draw(st.booleans()):
            metadata["energy"] = draw(st.sampled_from(ENERGIES))
        if draw(st.booleans()):
            metadata["temperature"] = draw(st.sampled_from(TEMPERATURES))
        if draw(st.booleans()):
            metadata["detector.name"] = draw(st.sampled_from(DETECTORS))
        if draw(st.booleans()):
            metadata["cooled"] = draw(st.booleans())
        if draw(st.booleans()):
            metadata["frames"] = draw(st.integers(min_value=1, max_value=5))
        hour = draw(st.none() | st.integers(min_value=0, max_value=5))
        out.append(
            Row(
                name=f"{draw(st.sampled_from(['scan', 'dark', 'flat']))}_{i:03d}",
                kind=draw(st.sampled_from(["raw", "processed"])),
                state=draw(st.sampled_from(["acquiring", "complete", "failed"])),
                techniques=draw(st.lists(st.sampled_from(TECHNIQUES), unique=True, max_size=2)),
                keywords=draw(st.lists(st.sampled_from(WORDS[:2]), unique=True, max_size=2)),
                description=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=3))),
                start=None if hour is None else BASE + dtime.timedelta(hours=hour),
                sample=draw(st.sampled_from([None, *SAMPLES])),
                metadata=metadata,
            )
        )
    return out


Predicate = Callable[[Row], bool]


def number(key: str, row: Row) -> float | None:
    v = row.metadata.get(key)
    if v is None:
        return None
    return si(*v) if isinstance(v, tuple) else float(v)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * abs(b)


ORDER: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b
}


def q(text: str, predicate: Predicate) -> tuple[str, Predicate]:
    return text, predicate


def leaves() -> st.SearchStrategy[tuple[str, Predicate]]:
    def order(key: str, thresholds: list[tuple[float, str]]) -> st.SearchStrategy[tuple[str, Predicate]]:
        def make(op: str, t: tuple[float, str]) -> tuple[str, Predicate]:
            bound = si(*t)
            return q(f"{key} {op} {t[0]} {t[1]}",
                     lambda r: (x := number(key, r)) is not None and ORDER[op](x, bound))
        return st.builds(make, st.sampled_from(list(ORDER)), st.sampled_from(thresholds))

    def equal(key: str, values: list[tuple[float, str]]) -> st.SearchStrategy[tuple[str, Predicate]]:
        def make(negated: bool, v: tuple[float, str]) -> tuple[str, Predicate]:
            target = si(*v)
            return q(f"{key} {'!=' if negated else '=='} {v[0]} {v[1]}",
                     lambda r: (x := number(key, r)) is not None and close(x, target) != negated)
        return st.builds(make, st.booleans(), st.sampled_from(values))

    def energy_in(values: list[tuple[float, str]]) -> tuple[str, Predicate]:
        targets = [si(*v) for v in values]
        text = ", ".join(f"{v} {u}" for v, u in values)
        return q(f"energy in [{text}]", lambda r: (x := number("energy", r)) is not None and any(close(x, t) for t in targets))

    def between(low: float, high: float, unit: str) -> tuple[str, Predicate]:
        lo, hi = si(low, unit), si(high, unit)
        return q(f"energy between {low} and {high} {unit}",
                 lambda r: (x := number("energy", r)) is not None and lo <= x <= hi)

    def detector(op: str, value: str) -> tuple[str, Predicate]:
        def get(r: Row) -> str | None:
            return r.metadata.get("detector.name")
        if op == "~":
            return q(f'detector.name ~ "{value}"', lambda r: (x := get(r)) is not None and fnmatch.fnmatchcase(x, value))
        if op == "!=":
            return q(f'detector.name != "{value}"', lambda r: (x := get(r)) is not None and x != value)
        return q(f'detector.name == "{value}"', lambda r: get(r) == value)

    def frames(op: str, k: int) -> tuple[str, Predicate]:
        if op == "==":
            return q(f"frames == {k}", lambda r: r.metadata.get("frames") == k)
        return q(f"frames {op} {k}", lambda r: (x := r.metadata.get("frames")) is not None and ORDER[op](x, k))

    def exists(key: str) -> tuple[str, Predicate]:
        checks: dict[str, Predicate] = {
            "start": lambda r: r.start is not None,
            "technique": lambda r: bool(r.techniques),
            "keyword": lambda r: bool(r.keywords),
        }
        return q(f"exists {key}", checks.get(key, lambda r: key in r.metadata))

    def start(op: str, hours: int) -> tuple[str, Predicate]:
        t = BASE + dtime.timedelta(hours=hours)
        text = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        cmp = {**ORDER, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}[op]
        return q(f"start {op} {text}", lambda r: r.start is not None and cmp(r.start, t))

    def field_eq(name: str, attr: str, value: str, negated: bool) -> tuple[str, Predicate]:
        return q(f"{name} {'!=' if negated else '=='} {value}", lambda r: (getattr(r, attr) == value) != negated)

    def technique(value: str, negated: bool) -> tuple[str, Predicate]:
        return q(f"technique {'!=' if negated else '=='} {value}", lambda r: (value in r.techniques) != negated)

    def name_glob(pattern: str) -> tuple[str, Predicate]:
        # The query's negated set is [^...]; fnmatch spells it [!...].
        return q(f'name ~ "{pattern}"', lambda r: fnmatch.fnmatchcase(r.name, pattern.replace("[^", "[!")))

    def sample(op: str, value: str) -> tuple[str, Predicate]:
        if op == "exists":
            return q("exists sample", lambda r: r.sample is not None)
        if op == "~":
            return q(f'sample ~ "{value}"', lambda r: r.sample is not None and fnmatch.fnmatchcase(r.sample, value))
        if op == "!=":
            return q(f'sample != "{value}"', lambda r: r.sample is not None and r.sample != value)
        if op == "in":
            return q(f'sample in ["{value}", nobody]', lambda r: r.sample == value)
        return q(f'sample == "{value}"', lambda r: r.sample == value)

    def text(word: str) -> tuple[str, Predicate]:
        return q(f'text("{word}")', lambda r: word in r.tokens())

    return st.one_of(
        order("energy", [(10, "keV"), (12.5, "keV"), (13000, "eV")]),
        equal("energy", ENERGIES),
        st.builds(energy_in, st.lists(st.sampled_from(ENERGIES), min_size=1, max_size=3)),
        st.sampled_from([(10, 12.5, "keV"), (12.5, 14, "keV"), (11000, 13000, "eV")]).map(lambda b: between(*b)),
        order("temperature", [(200, "K"), (0, "degC"), (20, "degC")]),
        equal("temperature", TEMPERATURES),
        st.builds(detector, st.sampled_from(["==", "!=", "~"]), st.sampled_from(DETECTORS + ["eig*", "*2", "p?latus"])),
        st.booleans().map(lambda b: q(f"cooled == {str(b).lower()}", lambda r: r.metadata.get("cooled") is b)),
        st.builds(frames, st.sampled_from(["==", "<", ">="]), st.integers(min_value=0, max_value=6)),
        st.builds(exists, st.sampled_from(["energy", "cooled", "start", "technique", "keyword", "humidity"])),
        st.builds(start, st.sampled_from(["<", ">=", "==", "!="]), st.integers(min_value=0, max_value=5)),
        st.builds(field_eq, st.just("kind"), st.just("kind"), st.sampled_from(["raw", "processed"]), st.booleans()),
        st.builds(field_eq, st.just("state"), st.just("state"), st.sampled_from(["acquiring", "failed"]), st.booleans()),
        st.builds(technique, st.sampled_from(TECHNIQUES), st.booleans()),
        st.builds(name_glob, st.sampled_from(["scan_*", "*_00?", "dark_0[01]*", "flat*", "*_00[^0-4]", "*[1-3]"])),
        st.builds(sample, st.sampled_from(["==", "!=", "~", "in", "exists"]), st.sampled_from([*SAMPLES, "ly*", "nobody"])),
        st.builds(text, st.sampled_from(WORDS + ["eiger", "pilatus", "mx"])),
        st.just(q("humidity > 3", lambda r: False)),
    )


def combine(children: st.SearchStrategy[tuple[str, Predicate]]) -> st.SearchStrategy[tuple[str, Predicate]]:
    def all_of(parts: list[tuple[str, Predicate]]) -> tuple[str, Predicate]:
        return q(" and ".join(f"({t})" for t, _ in parts), lambda r: all(p(r) for _, p in parts))

    def any_of(parts: list[tuple[str, Predicate]]) -> tuple[str, Predicate]:
        return q(" or ".join(f"({t})" for t, _ in parts), lambda r: any(p(r) for _, p in parts))

    def negation(part: tuple[str, Predicate]) -> tuple[str, Predicate]:
        return q(f"not ({part[0]})", lambda r: not part[1](r))

    return st.one_of(
        st.lists(children, min_size=2, max_size=3).map(all_of),
        st.lists(children, min_size=2, max_size=3).map(any_of),
        children.map(negation),
    )


queries = st.recursive(leaves(), combine, max_leaves=6)


@contextlib.contextmanager
def fresh_catalog(engine: str, postgres_uri: Callable[[], str]) -> Iterator[dt.Catalog]:
    if engine == "postgres":
        with fresh_database(postgres_uri()) as uri, dt.Catalog(uri) as cat:
            yield cat
    else:
        with tempfile.TemporaryDirectory() as folder, dt.Catalog(Path(folder) / "c.db") as cat:
            yield cat


def register(cat: dt.Catalog, data: list[Row]) -> None:
    for name in SAMPLES:
        cat.add_sample(name=name)
    if not data:
        return
    cat.register_datasets([
        {
            "name": r.name, "kind": r.kind, "state": r.state, "techniques": r.techniques, "keywords": r.keywords,
            "description": r.description, "start_time": r.start, "metadata": r.metadata, "sample": r.sample,
        }
        for r in data
    ])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=rows(), cases=st.lists(queries, min_size=1, max_size=8))
def test_the_engine_finds_what_a_python_filter_finds(
    engine: str, request: pytest.FixtureRequest, data: list[Row], cases: list[tuple[str, Predicate]]
) -> None:
    with fresh_catalog(engine, lambda: str(request.getfixturevalue("postgres_uri"))) as cat:
        register(cat, data)
        for text, predicate in cases:
            expected = sorted(r.name for r in data if predicate(r))
            found = sorted(d.name for d in cat.find_datasets(text))
            assert found == expected, text
            assert cat.count_datasets(text) == len(expected), text
            # The tree's own text means the same.
            parsed = dt.parse_query(text)
            assert dt.parse_query(str(parsed)) == parsed
            assert sorted(d.name for d in cat.find_datasets(parsed)) == expected, str(parsed)
