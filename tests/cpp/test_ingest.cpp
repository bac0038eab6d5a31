// ingest(): files written from one catalogue rebuild another (on every engine); broken files are
// reported while the rest go in; a second ingest changes nothing.
#include "support.hpp"

#include <datatrail/ingest.hpp>
#include <datatrail/nexus.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using namespace datatrail;
namespace fs = std::filesystem;

namespace {

// A catalogue with a raw dataset and one processed from it, and both files in `dir`.
struct Source {
    test::TempDir dir;
    Catalog cat{":memory:"};
    Dataset raw, processed;
    Activity step;
    std::vector<std::uint16_t> frames = std::vector<std::uint16_t>(2 * 3 * 4, 5);
    std::vector<double> profile = {4.0, 3.0, 2.0, 1.0};

    Source() {
        cat.add_instrument({"", "P11", "PETRA III", "beamline"});
        Investigation inv;
        inv.name = "11019362";
        inv.title = "Lysozyme";
        inv.instrument = "P11";
        inv.participants = {{"Ada Lovelace", "PI", "", ""}};
        cat.add_investigation(inv);
        cat.add_sample({"", "lyso-3", "", "C613H959N193O185S10", "11019362", "", {}});
        Dataset d = test::dataset("scan_001", {{"energy", {12.7, "keV"}},
                                               {"detector.distance", {250.0, "mm"}},
                                               {"collected", parse_time("2024-05-01T10:00:00Z")},
                                               {"comment", "first light"}});
        d.investigation = "11019362";
        d.instrument = "P11";
        d.sample = "lyso-3";
        d.keywords = {"lysozyme"};
        d.techniques = {"MX"};
        d.location = dir.path().string();
        raw = cat.register_dataset(d);
        NexusData data;
        data.signal = NexusArray::of<std::uint16_t>(frames, {2, 3, 4}, "counts");
        write_raw_file(dir / "scan_001.nxs", cat, raw.pid, data);

        Activity a;
        a.name = "integrate";
        a.program = "pyFAI";
        a.version = "2024.2";
        a.parameters = {{"npt", 4}, {"radius", {1.5, "mm"}}};
        a.used = {{raw.pid, "", "input"}};
        step = cat.start_activity(a);
        Dataset out = test::dataset("scan_001_integrated", {{"q_max", {6.4, "1/nm"}}});
        out.location = dir.path().string();
        out.kind = DatasetKind::processed;
        processed = cat.add_outputs(step.pid, {out}).front();
        cat.finish_activity(step.pid, ActivityStatus::succeeded);
        step = cat.activity(step.pid);
        NexusData reduced;
        reduced.signal_name = "I";
        reduced.signal = NexusArray::of<double>(profile, {}, "counts");
        write_processed_file(dir / "scan_001_integrated.nxs", cat, processed.pid, reduced, dir / "scan_001.nxs");
    }
};

std::vector<std::string> paths_of(const std::vector<IngestItem>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(fs::path(i.path).filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("ingest rebuilds datasets, metadata with units, files and lineage from the files alone") {
    Source src;
    test::CatalogLocation location;
    Catalog cat{location};
    std::vector<std::string> seen;
    IngestOptions options;
    options.progress = [&](const IngestProgress& p) {
        seen.push_back(std::string(p.stage) + " " + std::to_string(p.done) + "/" + std::to_string(p.total));
    };
    const IngestReport report = ingest(cat, src.dir.path(), options);
    CHECK(report.failed.empty());
    CHECK(paths_of(report.ingested) == std::vector<std::string>{"scan_001.nxs", "scan_001_integrated.nxs"});
    CHECK(seen == std::vector<std::string>{"reading 1/2", "reading 2/2", "registering 1/2", "registering 2/2"});

    for (const Dataset* original : {&src.raw, &src.processed}) {
        const Dataset d = cat.dataset(original->pid);
        CHECK(d.kind == original->kind);
        CHECK(d.name == original->name);
        CHECK(d.metadata == original->metadata);
        CHECK(d.keywords == original->keywords);
        CHECK(d.techniques == original->techniques);
        CHECK(d.location == original->location);
        CHECK(d.investigation == original->investigation);
        CHECK(d.instrument == original->instrument);
        CHECK(d.sample == original->sample);
        CHECK(d.created_by == original->created_by);
        REQUIRE(d.files.size() == 1);
        const std::string file = d.files[0].path;
        CHECK(d.files[0] == describe_file(src.dir.path(), file));
        CHECK(d.files[0].format == "nexus");
    }
    CHECK(cat.investigation("11019362").participants == src.cat.investigation("11019362").participants);
    CHECK(cat.instrument("P11").facility == "PETRA III");

    const Activity a = cat.activity(src.step.pid);
    CHECK(a.program == "pyFAI");
    CHECK(a.parameters == src.step.parameters);
    CHECK(a.status == ActivityStatus::succeeded);
    CHECK(a.start_time == src.step.start_time);
    CHECK(a.used == src.step.used);
    CHECK(a.generated == std::vector<std::string>{src.processed.pid});
    const auto sources = cat.raw_sources(src.processed.pid);
    REQUIRE(sources.size() == 1);
    CHECK(sources[0].pid == src.raw.pid);
    const auto ancestors = cat.ancestor_pids(src.processed.pid);
    CHECK(ancestors == src.cat.ancestor_pids(src.processed.pid));
}

TEST_CASE("ingesting again changes nothing; the same PID with other content is a Conflict for that file") {
    Source src;
    test::CatalogLocation location;
    Catalog cat{location};
    CHECK(ingest(cat, src.dir.path()).ingested.size() == 2);
    const IngestReport again = ingest(cat, src.dir.path());
    CHECK(again.ingested.empty());
    CHECK(paths_of(again.already_present) == std::vector<std::string>{"scan_001.nxs", "scan_001_integrated.nxs"});
    CHECK(cat.count_datasets() == 2);

    // The raw dataset's file written again with other data: same PID, another checksum.
    fs::create_directories(src.dir / "changed");
    std::vector<std::uint16_t> other(24, 9);
    NexusData data;
    data.signal = NexusArray::of<std::uint16_t>(other, {2, 3, 4});
    write_raw_file(src.dir / "changed" / "scan_001.nxs", src.cat, src.raw.pid, data);
    const IngestReport clash = ingest(cat, src.dir / "changed");
    REQUIRE(clash.failed.size() == 1);
    CHECK(clash.failed[0].error == "Conflict");
    CHECK(clash.failed[0].dataset == src.raw.pid);
    CHECK(clash.failed[0].reason.find("another content") != std::string::npos);
    CHECK(cat.dataset(src.raw.pid).files.size() == 1);
}

TEST_CASE("broken files are reported with their path and reason while the rest are ingested") {
    Source src;
    test::write_file(src.dir / "notes.h5", "plain text with an HDF5 suffix");
    const auto size = fs::file_size(src.dir / "scan_001.nxs");
    fs::copy_file(src.dir / "scan_001.nxs", src.dir / "cut.nxs");
    fs::resize_file(src.dir / "cut.nxs", size / 2);
    test::write_file(src.dir / "readme.txt", "not read: not a NeXus suffix");
    test::CatalogLocation location;
    Catalog cat{location};
    const IngestReport report = ingest(cat, src.dir.path());
    CHECK(paths_of(report.ingested) == std::vector<std::string>{"scan_001.nxs", "scan_001_integrated.nxs"});
    REQUIRE(paths_of(report.failed) == std::vector<std::string>{"cut.nxs", "notes.h5"});
    for (const auto& f : report.failed) {
        CHECK(f.error == "NexusError");
        CHECK(f.reason.find(f.path) != std::string::npos);
    }
    CHECK(cat.count_datasets() == 2);
}

TEST_CASE("ingest refuses bad arguments with the field named, before reading anything") {
    test::CatalogLocation location;
    Catalog cat{location};
    test::TempDir dir;
    try {
        ingest(cat, dir / "missing");
        FAIL("a missing path was accepted");
    } catch (const ValidationError& e) {
        REQUIRE(e.violations().size() == 1);
        CHECK(e.violations()[0].field == "path");
        CHECK(e.violations()[0].rule == "must be an existing file or folder");
    }
    IngestOptions options;
    options.suffixes = {"nxs", "."};
    try {
        ingest(cat, dir.path(), options);
        FAIL("bad suffixes were accepted");
    } catch (const ValidationError& e) {
        REQUIRE(e.violations().size() == 2);
        CHECK(e.violations()[0].field == "options.suffixes[0]");
        CHECK(e.violations()[1].field == "options.suffixes[1]");
    }
}

TEST_SUITE_BEGIN("sqlite");

TEST_CASE("a catalogue opened read-only stops the ingest with StorageError, and nothing is written") {
    Source src;
    test::TempDir dir;
    { Catalog create(dir / "cat.db"); }
    CatalogOptions ro;
    ro.read_only = true;
    Catalog cat(dir / "cat.db", ro);
    CHECK_THROWS_AS(ingest(cat, src.dir.path()), StorageError);
    CHECK(Catalog(dir / "cat.db").count_datasets() == 0);
}

TEST_SUITE_END();
