"""From a raw NeXus file to a processed one that carries its provenance, and back into a fresh
catalogue from the two files alone.

A raw scan is registered and written as NeXus; a numpy step (background subtraction and an
azimuthal average) runs as a recorded activity; its result is written as a processed NeXus file
with one NXprocess and a link to the raw file. A new, empty catalogue then ingests the folder and
shows the same lineage.

Run it with ``python examples/nexus_processed.py [catalogue path]``; it prints what it does.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt

import datatrail as dt


def radial_profile(frames: npt.NDArray[np.uint16], background: float, bins: int) -> npt.NDArray[np.float64]:
    """The mean of the background-subtracted frames, averaged over rings around the centre."""
    image = frames.mean(axis=0) - background
    y, x = np.indices(image.shape)
    r = np.hypot(x - image.shape[1] / 2, y - image.shape[0] / 2)
    ring = np.minimum((r / r.max() * bins).astype(int), bins - 1)
    sums = np.bincount(ring.ravel(), weights=image.ravel(), minlength=bins)
    counts = np.bincount(ring.ravel(), minlength=bins)
    return np.asarray(sums / np.maximum(counts, 1), dtype=np.float64)


def main(catalogue: str, folder: Path) -> None:
    # The acquisition: a raw scan, registered and written as NeXus.
    cat = dt.Catalog(catalogue)
    cat.add_instrument("P11", facility="PETRA III", type="beamline")
    cat.add_investigation("11019362", title="Lysozyme", instrument="P11",
                          participants=[{"name": "Ada Lovelace", "role": "PI"}])
    scan = cat.register_dataset("scan_001", investigation="11019362", instrument="P11", location=str(folder),
                                metadata={"energy": (12.7, "keV"), "detector.distance": (250.0, "mm")})
    frames = np.random.default_rng(1).poisson(5.0, size=(10, 64, 64)).astype(np.uint16)
    angles = np.linspace(0.0, 4.5, 10)
    raw_file = folder / "scan_001.nxs"
    dt.nexus.write_raw_file(raw_file, cat, scan, frames, axes={"rotation_angle": (angles, "deg")}, units="counts")
    print(f"raw file: {raw_file.name} ({scan.pid})")

    # The processing, read from the file and recorded as an activity.
    signal, _ = dt.nexus.read_data(raw_file)
    parameters = {"background": (1.0, "counts"), "bins": 32}
    with cat.activity("radial_profile", program="numpy", version=np.__version__, parameters=parameters,
                      inputs=[scan]) as run:
        profile = radial_profile(signal, background=1.0, bins=32)
        result = run.output("scan_001_profile", location=str(folder), metadata={"bins": 32})
    radius = np.arange(32, dtype=np.float64)
    processed_file = folder / "scan_001_profile.nxs"
    dt.nexus.write_processed_file(processed_file, cat, result, profile, axes={"radius": (radius, "pixel")},
                                  units="counts", signal_name="I", raw_file=raw_file)
    entry = dt.nexus.read_file(processed_file)
    (process,) = entry.processes
    print(f"processed file: {processed_file.name} ({result.pid}), made by {process.program} {process.version} "
          f"from {[i.dataset for i in process.inputs]}")
    cat.close()

    # A fresh catalogue rebuilt from the two files alone.
    with dt.Catalog(":memory:") as fresh:
        report = fresh.ingest(folder)
        print(f"ingested {len(report.ingested)} files, {len(report.failed)} failed")
        rebuilt = fresh.dataset(result.pid)
        print(f"rebuilt: {rebuilt.name}, metadata {rebuilt.metadata}, file {rebuilt.files[0].path}")
        print("lineage:")
        for node in sorted(fresh.ancestors(result.pid), key=lambda n: (n.depth, n.kind, n.name)):
            print(f"  {node.kind}: {node.name or node.id} (depth {node.depth})")
        print(f"raw sources: {[d.name for d in fresh.raw_sources(result.pid)]}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        path = sys.argv[1] if len(sys.argv) > 1 else str(Path(tmp) / "catalog.db")
        files = Path(tmp) / "files"
        files.mkdir()
        main(path, files)
