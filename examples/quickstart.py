"""A beamtime as a user would record it, end to end on the embedded SQLite catalogue.

An investigation at a beamline, a sample, a few raw scans with their files and typed,
unit-aware metadata, then queries by metadata in other units. This is what ``make demo`` runs:
``python examples/quickstart.py [catalogue path]`` (a temporary catalogue by default).
"""

from __future__ import annotations

import datetime as dtm
import sys
import tempfile
from pathlib import Path

import datatrail as dt


def record_beamtime(catalog: dt.Catalog, data: Path) -> list[dt.Dataset]:
    """Registers what a week at a beamline produces; returns the raw scans."""
    beamline = catalog.add_instrument(name="ID11", facility="ESRF", type="beamline")
    beamtime = catalog.add_investigation(
        name="ma1234",
        title="Strain in additively manufactured steel",
        instrument=beamline,
        start_time=dtm.datetime(2026, 11, 20, 8, 0, tzinfo=dtm.timezone.utc),
        participants=[
            dt.Participant(name="Ada Lovelace", role="PI", orcid="0000-0002-1825-0097", email="ada@example.org"),
            dt.Participant(name="Charles Babbage", role="co-investigator"),
        ],
    )
    print(f"investigation {beamtime.name} ({beamtime.pid}) at {beamline.name}, {beamline.facility}")

    sample = catalog.add_sample(
        name="steel_rod_3",
        formula="Fe",
        investigation=beamtime,
        metadata={"mass": (2.5, "g"), "temperature": (25, "degC")},
    )
    print(f"sample {sample.name} ({sample.pid})")

    # Three scans at different energies and detector distances; the energies are entered in
    # the units each scan's software happened to use.
    scans = [
        ("scan_001", (12.7, "keV"), (250.0, "mm")),
        ("scan_002", (12700.0, "eV"), (0.3, "m")),
        ("scan_003", (0.0087, "MeV"), (250.0, "mm")),
    ]
    batch = []
    for i, (name, energy, distance) in enumerate(scans):
        (data / name).mkdir(parents=True, exist_ok=True)
        for frame in range(2):
            (data / name / f"frame_{frame:04d}.h5").write_bytes(f"{name} frame {frame}".encode())
        batch.append(
            {
                "name": name,
                "kind": "raw",
                "investigation": beamtime,
                "instrument": beamline,
                "sample": sample,
                "techniques": ["XRD"],
                "keywords": ["strain", "steel"],
                "start_time": dtm.datetime(2026, 11, 20, 9 + i, 0, tzinfo=dtm.timezone.utc),
                "location": str(data),
                "files": [f"{name}/frame_{frame:04d}.h5" for frame in range(2)],
                "metadata": {
                    "energy": energy,
                    "detector.distance": distance,
                    "detector.name": "eiger2_4m",
                    "detector.pixel_size": (75.0, "um/pixel"),
                    "exposure_time": dt.Quantity(0.1, "s", uncertainty=0.001),
                    "frames": 2,
                    "shutter_open": True,
                },
            }
        )
    # One transaction for the lot; the library hashes each file (SHA-256) as it registers it.
    raw = catalog.register_datasets(batch, describe_files=True)
    for ds in raw:
        sizes = sum(f.size or 0 for f in ds.files)
        print(f"  {ds.name}: {ds.pid}, {len(ds.files)} files ({sizes} bytes), energy {ds.metadata['energy']}")
    return raw


def look_things_up(catalog: dt.Catalog) -> None:
    """Queries as a scientist would ask them, in whatever units come to mind."""
    found = catalog.find_datasets(where="energy between 12 and 13 keV")
    print(f"energy between 12 and 13 keV: {[d.name for d in found]}  (scan_002 was entered in eV)")

    found = catalog.find_datasets(where="detector.distance >= 27 cm")
    print(f"detector.distance >= 27 cm: {[d.name for d in found]}  (entered as 0.3 m)")

    found = catalog.find_datasets(where="energy < 10000 eV and detector.name = eiger2_4m")
    print(f"energy < 10000 eV with the Eiger: {[d.name for d in found]}  (entered as 0.0087 MeV)")

    found = catalog.find_datasets(investigation="ma1234", name="scan_00[12]", order="start_time")
    print(f"scans 1 and 2 of ma1234: {[d.name for d in found]}")

    found = catalog.find_datasets(text="strain", started_after="2026-11-20T09:30:00Z")
    print(f"about strain, started after 09:30: {[d.name for d in found]}")

    # The query language: fields and metadata, and/or/not, in [...], glob (~), exists, text(...).
    query = 'energy > 12 keV and (detector.name ~ "eiger*" or not exists detector.distance) and start >= 2026-11-20'
    found = catalog.find_datasets(query, order="energy", descending=True)
    print(f"{query}:\n  {[d.name for d in found]}  (highest energy first)")

    scan = catalog.find_datasets(name="scan_002")[0]
    energy = scan.metadata["energy"]
    print(f"{scan.name} energy as entered: {energy}, in keV: {energy.to('keV')}")

    try:
        catalog.register_dataset("typo", metadata={"energy": (12.7, "kev")})
    except dt.UnitError as e:
        print(f"bad input is refused and nothing is written: {e}")


def main(path: str) -> None:
    with dt.Catalog(path, pid_prefix="esrf") as catalog:
        print(f"catalogue {catalog.path} (prefix {catalog.pid_prefix}, schema {catalog.schema_version})")
        record_beamtime(catalog, Path(path).parent / "data" if path != ":memory:" else Path(tempfile.mkdtemp()))
        look_things_up(catalog)
        print(f"{catalog.count_datasets()} datasets in the catalogue")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(str(Path(folder) / "beamtime.db"))
