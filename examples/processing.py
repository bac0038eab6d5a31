"""Processing with provenance: raw data registered, two processing steps with parameters, a
reprocessing with other parameters, then lineage, an impact query and a PROV export.

Run it with ``python examples/processing.py [catalogue path]``; it prints what it does.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import datatrail as dt


def main(path: str) -> None:
    catalog = dt.Catalog(path, pid_prefix="hzdr")

    # Who and what takes part.
    catalog.add_agent("Ada Lovelace", type="person", orcid="0000-0002-1825-0097")
    catalog.add_agent("pyFAI", type="software", version="2025.1")

    # Raw data, as the acquisition registered it.
    raw = catalog.register_datasets(
        [
            {"name": f"scan_{i:03d}", "kind": "raw", "metadata": {"energy": (12.7, "keV"), "frames": 100}}
            for i in range(1, 3)
        ]
    )
    dark = catalog.register_dataset("dark_001", kind="raw", metadata={"exposure_time": (0.1, "s")})
    print(f"registered {len(raw) + 1} raw datasets")

    # Step 1: azimuthal integration of each scan, with the dark as a second input.
    integrated = []
    for scan in raw:
        with catalog.activity(
            "azimuthal_integration",
            program="pyFAI",
            version="2025.1",
            parameters={"npt": 1000, "unit": "q_nm^-1", "distance": (250.0, "mm")},
            inputs=[scan, (dark, "dark")],
            agents=[("Ada Lovelace", "operator"), ("pyFAI", "software")],
        ) as run:
            run.log(f"integrating {scan.name}")
            integrated.append(run.output(f"{scan.name}_integrated", metadata={"npt": 1000}))
    print(f"step 1: integrated {len(integrated)} scans")

    # Step 2: merge the integrated patterns into one.
    with catalog.activity("merge", program="merger", version="0.3", inputs=integrated) as run:
        merged = run.output("merged", metadata={"patterns": len(integrated)})
    print(f"step 2: merged into {merged.pid}")

    # A reprocessing of the first scan with another number of points: a new activity and a
    # new output; the first stays findable.
    with catalog.activity(
        "azimuthal_integration", program="pyFAI", version="2025.2", parameters={"npt": 2000}, inputs=[raw[0], dark]
    ) as run:
        reprocessed = run.output(f"{raw[0].name}_integrated_npt2000")
    print(f"reprocessed {raw[0].name} with npt=2000: {reprocessed.pid}")

    # A run that fails: recorded as failed, with the error in its log; its output is marked failed.
    try:
        with catalog.activity("merge", program="merger", version="0.3", inputs=integrated) as run:
            run.output("merged_again")
            raise RuntimeError("out of memory")
    except RuntimeError:
        failed = catalog.get_activity(run.pid)
        print(f"failed run {failed.pid}: status {failed.status}, output state {catalog.dataset(failed.generated[0]).state}")

    # Lineage: what the merged pattern was made from, and the raw data at its root.
    ancestors = catalog.ancestors(merged)
    print(f"ancestors of {merged.name}: {sorted(n.name for n in ancestors.datasets)}")
    print(f"raw sources of {merged.name}: {sorted(d.name for d in catalog.raw_sources(merged))}")
    lineage = catalog.lineage_path(raw[1], merged)
    print(f"path from {raw[1].name} to {merged.name}: {' -> '.join(n.name for n in lineage.datasets)}")

    # Impact: a bug is found in pyFAI 2025.1. What did it make, and what was made from that?
    impacted = catalog.generated_by_program("pyFAI", min_version="2025.1", max_version="2025.2", include_downstream=True)
    print(f"made with pyFAI 2025.1 or from its results: {sorted(d.name for d in impacted)}")
    print(f"downstream of {raw[0].name}: {sorted(d.name for d in catalog.downstream(raw[0]))}")
    # The same walk without the graph or the records: PIDs and how many steps on, nearest first.
    steps = catalog.descendant_pids(raw[0])
    print(f"{len(steps)} datasets made from {raw[0].name}, the farthest {max(steps.values())} steps on")

    # Export: W3C PROV-JSON and PROV-N of the merged pattern's lineage, Graphviz DOT.
    document = json.loads(ancestors.to_prov_json())
    print(
        f"PROV-JSON: {len(document['entity'])} entities, {len(document['activity'])} activities, "
        f"{len(document['agent'])} agents, {len(document['wasDerivedFrom'])} derivations"
    )
    print(ancestors.to_prov_n().splitlines()[0], "...", ancestors.to_prov_n().splitlines()[-1])
    print(f"DOT: {len(ancestors.to_dot().splitlines())} lines")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(str(Path(folder) / "processing.db"))
