"""A three-step pipeline recorded as workflow tasks: raw detector images -> azimuthal profiles ->
a peak fit, run twice (the second time every task is a cache hit and nothing is computed), then
with another number of bins (the integration and the fit are redone, the raw data is not), and
the lineage of the last fit printed.

Run it with ``python examples/workflow/pipeline.py [catalogue path]``; the data goes into a
folder beside the catalogue.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

import datatrail as dt

PROGRAM_VERSION = "1.0"


@dt.task(program="example-integrate", version=PROGRAM_VERSION, inputs=["image"])
def integrate(image: dt.Dataset, out_dir: str, bins: int = 64) -> dict[str, Any]:
    """The mean intensity in rings around the image centre: a radial profile."""
    data = np.load(Path(image.location) / image.files[0].path)
    y, x = np.indices(data.shape)
    r = np.hypot(x - data.shape[1] / 2, y - data.shape[0] / 2)
    edges = np.linspace(0.0, float(r.max()), bins + 1)
    which = np.clip(np.digitize(r.ravel(), edges) - 1, 0, bins - 1)
    sums = np.bincount(which, weights=data.ravel(), minlength=bins)
    counts = np.maximum(np.bincount(which, minlength=bins), 1)
    path = Path(out_dir) / f"{image.name}_profile_{bins}.npy"
    np.save(path, np.stack([(edges[:-1] + edges[1:]) / 2, sums / counts]))
    return {"name": path.stem, "files": [str(path)], "metadata": {"bins": bins}}


@dt.task(program="example-fit", version=PROGRAM_VERSION, inputs=["profile"])
def fit(profile: dt.Dataset, out_dir: str) -> dict[str, Any]:
    """The ring's radius and width: the first two moments of the background-free profile."""
    radius, intensity = np.load(Path(profile.location) / profile.files[0].path)
    signal = np.clip(intensity - np.median(intensity), 0.0, None)
    centre = float((radius * signal).sum() / signal.sum())
    width = float(np.sqrt((signal * (radius - centre) ** 2).sum() / signal.sum()))
    path = Path(out_dir) / f"{profile.name}_fit.npy"
    np.save(path, np.array([centre, width]))
    return {"name": path.stem, "files": [str(path)], "metadata": {"ring.radius": centre, "ring.width": width}}


def make_raw(catalog: dt.Catalog, folder: Path) -> list[dt.Dataset]:
    """Two synthetic detector images with a diffraction ring each, registered as raw data."""
    raw = []
    rng = np.random.default_rng(7)
    y, x = np.indices((128, 128))
    r = np.hypot(x - 64, y - 64)
    for i, ring in enumerate((30.0, 42.0), start=1):
        image = 100.0 * np.exp(-((r - ring) ** 2) / 8.0) + rng.normal(5.0, 1.0, r.shape)
        np.save(folder / f"scan_{i:03d}.npy", image)
        raw.append(catalog.register_dataset(f"scan_{i:03d}", kind="raw", location=str(folder),
                                            files=[f"scan_{i:03d}.npy"], describe_files=True))
    return raw


def run_pipeline(catalog: dt.Catalog, raw: list[dt.Dataset], out_dir: Path, bins: int, label: str) -> dt.Dataset:
    """Integrates and fits every raw image in one workflow run; prints whether each task ran."""
    steps = []
    last: dt.Dataset | None = None
    with dt.workflow(catalog, f"reduce ({label})", program="pipeline.py", version=PROGRAM_VERSION):
        for image in raw:
            profile = integrate(image, str(out_dir), bins=bins)
            result = fit(profile[0], str(out_dir))
            steps += [profile, result]
            last = result[0]
    hits = sum(1 for s in steps if s.cache_hit)
    print(f"{label}: {len(steps)} tasks, {hits} cache hits, {len(steps) - hits} ran")
    assert last is not None
    return last


def print_lineage(catalog: dt.Catalog, dataset: dt.Dataset) -> None:
    print(f"lineage of {dataset.name}:")
    for pid, depth in catalog.ancestor_pids(dataset.pid).items():
        found = catalog.dataset(pid)
        made_by = catalog.get_activity(str(found.metadata["task.activity"])) if found.kind == "processed" else None
        how = f", made by {made_by.program} {made_by.version} {dict(made_by.parameters)['bins']} bins" \
            if made_by is not None and "bins" in made_by.parameters else ""
        print(f"{'  ' * depth}<- {found.name} ({found.kind}{how})")


def main(path: str) -> None:
    folder = Path(path).resolve().parent / "pipeline-data"
    folder.mkdir(exist_ok=True)
    with dt.Catalog(path) as catalog:
        raw = make_raw(catalog, folder)
        run_pipeline(catalog, raw, folder, 64, "first run")
        run_pipeline(catalog, raw, folder, 64, "second run")
        print("would integrating scan_001 with 96 bins hit the cache?")
        print("  " + str(dt.explain(catalog, integrate, raw[0], str(folder), bins=96)).replace("\n", "\n  "))
        last = run_pipeline(catalog, raw, folder, 96, "bins=96")
        print_lineage(catalog, last)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(str(Path(tmp) / "pipeline.db"))
