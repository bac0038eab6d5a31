// A C++ processing step that records its provenance: the run is an ActivityRun, its output
// a processed dataset derived from the raw scan it read. Leaving the scope normally marks the
// run succeeded; an exception marks it (and its output) failed.
// Run: reduction [catalogue path]
#include <datatrail/datatrail.hpp>

#include <iostream>
#include <stdexcept>

int main(int argc, char** argv) {
    try {
        datatrail::Catalog catalog(argc > 1 ? argv[1] : ":memory:");
        datatrail::Dataset scan;
        scan.name = "scan_001";
        scan.metadata["energy"] = {12.7, "keV"};
        scan = catalog.register_dataset(scan);

        // [snippet:run]
        datatrail::Activity step;
        step.name = "dark subtraction";
        step.program = "darkcorr";
        step.version = "1.4.2";
        step.parameters = {{"threshold", {20.0, "counts"}}, {"method", "median"}};
        step.used = {{scan.pid, "", "input"}};
        std::string output;
        {
            datatrail::ActivityRun run(catalog, step);
            run.log("subtracting the median dark");
            datatrail::Dataset corrected;
            corrected.name = "scan_001_corrected";
            corrected.metadata["mean_intensity"] = {812.5, "counts"};
            output = run.output(corrected).pid;
        }  // succeeded here
        // [snippet:run]

        // A run that throws: recorded as failed, its output marked failed.
        try {
            datatrail::ActivityRun run(catalog, step);
            datatrail::Dataset partial;
            partial.name = "scan_001_corrected_again";
            run.output(partial);
            throw std::runtime_error("dark frame missing");
        } catch (const std::runtime_error& e) {
            std::cout << "second run failed as expected: " << e.what() << '\n';
        }

        // [snippet:lineage]
        const auto graph = catalog.ancestors(output);
        for (const auto* node : graph.nodes_of(datatrail::NodeKind::dataset))
            std::cout << node->name << " (" << node->attributes.at("kind") << ", depth " << node->depth << ")\n";
        std::cout << datatrail::to_prov_n(graph);
        // Without the graph: each dataset it was made from, with how many steps back.
        for (const auto& [pid, depth] : catalog.ancestor_pids(output))
            std::cout << pid << " is " << depth << " step(s) back\n";
        // [snippet:lineage]
        datatrail::Dataset d;
        d.name = "typo";
        d.metadata["energy"] = {12.7, "kev"};  // UDUNITS-2 units are case-sensitive: keV
        // [snippet:errors]
        try {
            catalog.register_dataset(d);
        } catch (const datatrail::UnitError& e) {  // unknown unit, wrong dimension
            for (const auto& v : e.violations()) std::cerr << v.field << " = " << v.value << ": " << v.rule << '\n';
        } catch (const datatrail::ValidationError& e) {  // any other broken rule; nothing was written
            std::cerr << e.what() << '\n';
        } catch (const datatrail::Conflict& e) {  // a duplicate PID or name
            std::cerr << e.what() << '\n';
        }
        // [snippet:errors]
        for (const auto& a : catalog.find_activities({.program = "darkcorr"}))
            std::cout << a.pid << ' ' << datatrail::to_string(a.status) << '\n';

        // [snippet:merge]
        // The facility's catalogue: a PostgreSQL database at a facility, e.g.
        // datatrail::Catalog facility("postgresql://datatrail@db.example.org/facility");
        datatrail::Catalog facility(":memory:", {.pid_prefix = "facility"});
        const auto merged = facility.merge_from(catalog, [](const datatrail::MergeProgress& p) {
            if (p.done == p.total) std::cout << "merged " << p.stage << ": " << p.total << '\n';
        });
        std::cout << merged.datasets.added << " datasets added, " << merged.datasets.skipped << " already there\n";
        std::cout << facility.merge_from(catalog).datasets.added << " added the second time\n";
        // [snippet:merge]
    } catch (const datatrail::Error& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
