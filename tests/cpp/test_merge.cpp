// Merging catalogues by PID: a beamline's catalogue into a facility's, record for record.
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <tuple>

using namespace datatrail;

namespace {

// A beamline's catalogue with one of everything: references by name and PID, nested samples,
// every metadata type, files, an activity tree with inputs by file, agents, informants, a failed
// run, and derivations recorded directly and through activities.
void fill(Catalog& cat) {
    cat.add_instrument({.name = "ID11", .facility = "ESRF", .type = "beamline"});
    cat.add_investigation({.name = "ma1234",
                           .title = "Strain in steel",
                           .start_time = parse_time("2026-03-01T08:00:00Z"),
                           .instrument = "ID11",
                           .participants = {{"Ada Lovelace", "PI", "0000-0002-1825-0097", "ada@example.org"}},
                           .doi = "10.15151/ESRF-ES-1234"});
    cat.add_sample({.name = "steel", .investigation = "ma1234", .metadata = {{"mass", {2.5, "g"}}}});
    cat.add_sample({.name = "steel-cut", .parent = "steel"});
    cat.add_agent({.type = AgentType::person, .name = "Ada Lovelace", .orcid = "0000-0002-1825-0097"});
    cat.add_agent({.type = AgentType::software, .name = "pyFAI", .version = "2025.1"});
    Dataset raw = test::dataset("scan_001", {{"energy", {12.7, "keV", 0.01}},
                                             {"frames", 100},
                                             {"detector.name", "eiger"},
                                             {"calibrated", true},
                                             {"started", parse_time("2026-03-01T09:00:00Z")},
                                             {"roi", std::vector<std::int64_t>{1, 2, 3, 4}},
                                             {"weights", std::vector<double>{0.5, 0.25}},
                                             {"tags", std::vector<std::string>{"a", "b"}},
                                             {"config", Json{R"({"mode": "fast"})"}}});
    raw.investigation = "ma1234";
    raw.instrument = "ID11";
    raw.sample = "steel-cut";
    raw.techniques = {"XRD"};
    raw.keywords = {"steel", "strain"};
    raw.location = "/data/ma1234/scan_001";
    raw.files = {{.path = "scan_001.h5", .size = 1024, .sha256 = std::string(64, 'a')}, {.path = "master.h5"}};
    const auto raws = cat.register_datasets({raw, test::dataset("dark_001")});
    const auto workflow = cat.start_activity({.name = "workflow", .type = ActivityType::workflow});
    Activity integrate{.name = "integrate", .program = "pyFAI", .version = "2025.1"};
    integrate.parameters = {{"npt", 1000}, {"distance", {250.0, "mm"}}};
    integrate.parent = workflow.pid;
    integrate.used = {{raws[0].pid, "scan_001.h5", "input"}, {raws[1].pid, "", "dark"}};
    integrate.agents = {{"Ada Lovelace", "operator"}, {"pyFAI", "software"}};
    integrate.environment.packages = {{"numpy", "2.4.6"}};
    const auto run = cat.start_activity(integrate);
    const auto out = cat.add_outputs(run.pid, {test::dataset("integrated_001", {{"q_max", {30.0, "nm^-1"}}})}, "result");
    cat.append_log(run.pid, "done\n");
    cat.finish_activity(run.pid, ActivityStatus::succeeded);
    Activity fit{.name = "fit", .program = "fitter", .version = "1.0"};
    fit.used = {{out[0].pid, "", "input"}};
    fit.informed_by = {run.pid};
    const auto fitting = cat.start_activity(fit);
    cat.add_outputs(fitting.pid, {test::dataset("fit_001")});
    cat.finish_activity(fitting.pid, ActivityStatus::failed);
    const auto manual = cat.register_dataset(test::dataset("mask", {}));
    cat.add_derivation(out[0].pid, manual.pid, "mask");
}

std::vector<Dataset> all_datasets(const Catalog& cat) { return cat.find_datasets(); }

// The graph's nodes and edges as sets: the same graph, whatever order each catalogue wrote in.
auto as_sets(const ProvGraph& g) {
    std::set<std::tuple<std::string, std::string, std::string, std::map<std::string, std::string>, int>> nodes;
    for (const auto& n : g.nodes) nodes.emplace(n.id, std::string(to_string(n.kind)), n.name, n.attributes, n.depth);
    std::set<std::tuple<std::string, std::string, std::string, std::string, std::string>> edges;
    for (const auto& e : g.edges) edges.emplace(e.from, e.to, std::string(to_string(e.kind)), e.role, e.activity);
    return std::pair(nodes, edges);
}

void check_same_records(const Catalog& a, const Catalog& b) {
    CHECK(a.instruments() == b.instruments());
    CHECK(a.investigations() == b.investigations());
    CHECK(a.samples() == b.samples());
    CHECK(a.agents() == b.agents());
    CHECK(all_datasets(a) == all_datasets(b));
    CHECK(a.find_activities() == b.find_activities());
    CHECK(as_sets(a.provenance()) == as_sets(b.provenance()));
    for (const auto& d : all_datasets(a)) {
        CAPTURE(d.name);
        CHECK(as_sets(a.ancestors(d.pid)) == as_sets(b.ancestors(d.pid)));
        CHECK(as_sets(a.descendants(d.pid)) == as_sets(b.descendants(d.pid)));
    }
}

}  // namespace

TEST_CASE("merging into an empty catalogue copies every record and link, PIDs and prefixes kept; twice adds nothing") {
    test::TempDir dir;
    Catalog beamline(dir / "beamline.db", {.pid_prefix = "id11"});
    fill(beamline);
    test::CatalogLocation facility_location;  // the engine under test: SQLite -> it -> SQLite
    Catalog facility(facility_location, {.pid_prefix = "esrf"});
    std::vector<std::string> stages;
    std::size_t last_done = 0, last_total = 0;
    const auto report = facility.merge_from(beamline, [&](const MergeProgress& p) {
        if (stages.empty() || stages.back() != p.stage) stages.emplace_back(p.stage);
        CHECK(p.done <= p.total);
        last_done = p.done, last_total = p.total;
    });
    CHECK(report.instruments == MergeCount{1, 0});
    CHECK(report.investigations == MergeCount{1, 0});
    CHECK(report.samples == MergeCount{2, 0});
    CHECK(report.agents == MergeCount{2, 0});
    CHECK(report.datasets == MergeCount{5, 0});
    CHECK(report.activities == MergeCount{3, 0});
    CHECK(report.links == MergeCount{4, 0});  // integrated <- scan, dark, mask; fit <- integrated
    CHECK(stages == std::vector<std::string>{"schemas", "instruments", "investigations", "samples", "agents", "datasets",
                                             "activities", "links"});
    CHECK(last_done == last_total);
    check_same_records(beamline, facility);
    CHECK(facility.pid_prefix() == "esrf");
    CHECK(facility.find_datasets().front().pid.starts_with("id11/"));
    // The full-text index and the metadata index hold the merged datasets too.
    CHECK(facility.count_datasets({.text = "eiger"}) == 1);
    CHECK(facility.count_datasets({.metadata = parse_conditions("energy > 12000 eV")}) == 1);

    const auto again = facility.merge_from(beamline);
    CHECK(again.datasets == MergeCount{0, 5});
    CHECK(again.activities == MergeCount{0, 3});
    CHECK(again.links == MergeCount{0, 4});  // compared with the links here, not added again
    CHECK(again.instruments == MergeCount{0, 1});
    check_same_records(beamline, facility);

    // A catalogue round trip through a second file gives the same records again.
    Catalog copy(dir / "copy.db");
    copy.merge_from(facility);
    check_same_records(beamline, copy);
}

TEST_CASE("records that differ are a Conflict listing every difference, and nothing is merged") {
    test::TempDir dir;
    Catalog beamline(dir / "beamline.db");
    fill(beamline);
    test::CatalogLocation facility_location;
    Catalog facility(facility_location);
    facility.merge_from(beamline);
    const auto scan = beamline.find_datasets({.name = "scan_001"}).front();
    // The same PIDs, other content: a dataset renamed and re-valued, an agent with another email.
    Catalog other(dir / "other.db");
    other.merge_from(beamline);
    other.set_metadata(scan.pid, {{"frames", 200}});
    other.register_dataset(test::dataset("only_in_other"));
    auto agent = other.agent("pyFAI");
    Catalog changed(dir / "changed.db");
    changed.add_agent({.pid = agent.pid, .type = AgentType::software, .name = "pyFAI", .version = "2026.1"});
    const auto before = facility.count_datasets();

    const auto check_refused = [&](const Catalog& source, std::vector<std::string> fields) {
        try {
            facility.merge_from(source);
            FAIL("the merge was not refused");
        } catch (const Conflict& e) {
            std::vector<std::string> found;
            for (const auto& d : e.differences()) found.push_back(d.field);
            for (const auto& f : fields) CHECK_MESSAGE(std::find(found.begin(), found.end(), f) != found.end(), f, " in ", e.what());
            CHECK(std::string(e.what()).find("nothing was merged") != std::string::npos);
        }
        CHECK(facility.count_datasets() == before);
    };
    check_refused(other, {"dataset " + scan.pid + ".metadata.frames"});
    CHECK(facility.count_datasets({.name = "only_in_other"}) == 0);  // nothing of the merge was written
    check_refused(changed, {"agent " + agent.pid + ".version"});

    // A unique name taken by another PID, and a key of another dimension.
    Catalog clash(dir / "clash.db");
    clash.add_instrument({.name = "ID11", .facility = "ESRF"});
    clash.register_dataset(test::dataset("odd", {{"energy", {3.0, "mm"}}}));
    check_refused(clash, {"instrument " + clash.instruments().front().pid + ".name"});
    CHECK(facility.count_datasets({.name = "odd"}) == 0);
}

TEST_CASE("a merge whose links would close a cycle with the target's links is refused") {
    test::TempDir dir;
    Catalog source(dir / "source.db");
    const auto ds = source.register_datasets({test::dataset("a"), test::dataset("b")});
    test::CatalogLocation target_location;
    Catalog target(target_location);
    target.merge_from(source);
    target.add_derivation(ds[0].pid, ds[1].pid);  // here: a made from b
    source.add_derivation(ds[1].pid, ds[0].pid);  // there: b made from a
    CHECK_THROWS_WITH_AS(target.merge_from(source), doctest::Contains("would make a cycle"), Conflict);
    CHECK(target.ancestor_pids(ds[1].pid).empty());
}

TEST_CASE("a catalogue is not merged into itself") {
    test::CatalogLocation where;
    Catalog cat(where);
    cat.register_dataset(test::dataset("scan"));
    CHECK_THROWS_WITH_AS(cat.merge_from(cat), doctest::Contains("into itself"), ValidationError);
    Catalog memory(":memory:");
    CHECK_THROWS_AS(memory.merge_from(memory), ValidationError);
    Catalog again(where);  // another handle on the same catalogue: everything is there already
    CHECK(cat.merge_from(again).datasets == MergeCount{0, 1});
}
