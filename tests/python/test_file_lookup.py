"""Catalog.datasets_with_file on every engine: a file's datasets by its place or its checksum."""

from __future__ import annotations

from pathlib import Path

import pytest

import datatrail as dt

SHA_A = "a" * 64
SHA_B = "b" * 64


def test_a_place_finds_its_dataset_among_many(catalog: dt.Catalog) -> None:
    stored = catalog.register_datasets(
        [
            {"name": f"run{i}", "location": f"/data/bt/run{i}", "files": [{"path": "scan/f.h5", "sha256": SHA_A if i % 2 else SHA_B}]}
            for i in range(30)
        ]
    )
    [found] = catalog.datasets_with_file("/data/bt/run7/scan/f.h5")
    assert (found.dataset, found.dataset_name, found.location) == (stored[7].pid, "run7", "/data/bt/run7")
    assert found.file.path == "scan/f.h5" and found.file.sha256 == SHA_A
    assert found.at_path and not found.same_content
    assert catalog.datasets_with_file(Path("/data/bt/run7/./scan//f.h5")) == [found]
    assert catalog.datasets_with_file("/data/bt/run70/scan/f.h5") == []

    copies = catalog.datasets_with_file(sha256=SHA_A)
    assert [c.dataset for c in copies] == [d.pid for d in stored[1::2]]
    assert all(c.same_content and not c.at_path for c in copies)
    both = catalog.datasets_with_file("/data/bt/run7/scan/f.h5", SHA_A)
    assert [(c.dataset, c.at_path) for c in both if c.at_path] == [(stored[7].pid, True)]
    assert len(both) == 15


@pytest.mark.parametrize(
    ("kwargs", "field", "value", "rule"),
    [
        ({}, "path", "", "path or sha256 must be given"),
        ({"path": "relative/f.h5"}, "path", "relative/f.h5", "must be an absolute path"),
        ({"path": "/data/"}, "path", "/data/", "must name a file"),
        ({"sha256": "ABC"}, "sha256", "ABC", "must be 64 lowercase hexadecimal digits"),
        ({"path": "/data/f.h5", "sha256": "A" * 64}, "sha256", "A" * 64, "must be 64 lowercase hexadecimal digits"),
    ],
)
def test_bad_input_names_the_field_value_and_rule(catalog: dt.Catalog, kwargs: dict[str, str], field: str, value: str, rule: str) -> None:
    with pytest.raises(dt.ValidationError) as e:
        catalog.datasets_with_file(**kwargs)
    [v] = e.value.violations
    assert (v.field, v.value) == (field, value)
    assert rule in v.rule


def test_a_path_of_the_wrong_type_is_a_validation_error(catalog: dt.Catalog) -> None:
    with pytest.raises(dt.ValidationError) as e:
        catalog.datasets_with_file(path=12)  # type: ignore[arg-type]
    assert e.value.violations[0].field == "path"
