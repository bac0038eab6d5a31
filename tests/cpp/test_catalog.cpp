#include "support.hpp"

#include <algorithm>

#include <doctest/doctest.h>

using namespace datatrail;
using test::sql_exec;
using test::sql_value;


TEST_CASE("a catalogue file is created in WAL mode at the latest schema, with its PID prefix" * doctest::test_suite("sqlite")) {
    test::TempDir dir;
    const auto path = dir / "beamtime.db";
    {
        Catalog cat(path, {.pid_prefix = "esrf"});
        CHECK(cat.pid_prefix() == "esrf");
        CHECK(cat.schema_version() == Catalog::latest_schema_version());
        CHECK(cat.path() == path);
        CHECK(cat.register_dataset(test::dataset("scan")).pid.starts_with("esrf/"));
    }
    CHECK(std::filesystem::exists(path));
    CHECK(sql_value(path, "PRAGMA journal_mode") == "wal");
    CHECK(sql_value(path, "PRAGMA user_version") == std::to_string(Catalog::latest_schema_version()));

    Catalog again(path);  // the prefix is the catalogue's, not the caller's
    CHECK(again.pid_prefix() == "esrf");
    CHECK(again.count_datasets() == 1);
    CHECK_THROWS_AS(Catalog(path, {.pid_prefix = "hzdr"}), Conflict);
    CHECK(Catalog(path, {.pid_prefix = "esrf"}).pid_prefix() == "esrf");
}

TEST_CASE("a catalogue keeps the PID prefix it was created with; the default is 'local'") {
    test::CatalogLocation where, other;
    {
        Catalog cat(where, {.pid_prefix = "esrf"});
        CHECK(cat.pid_prefix() == "esrf");
        CHECK(cat.schema_version() == Catalog::latest_schema_version());
        CHECK(cat.register_dataset(test::dataset("scan")).pid.starts_with("esrf/"));
    }
    Catalog again(where);
    CHECK(again.pid_prefix() == "esrf");
    CHECK(again.count_datasets() == 1);
    CHECK_THROWS_WITH_AS(Catalog(where, {.pid_prefix = "hzdr"}), doctest::Contains("keeps it"), Conflict);
    CHECK(Catalog(other).pid_prefix() == "local");
}

TEST_CASE("the default prefix is 'local'; :memory: catalogues are private" * doctest::test_suite("sqlite")) {
    Catalog a(":memory:");
    Catalog b(":memory:");
    CHECK(a.pid_prefix() == "local");
    a.register_dataset(test::dataset("only in a"));
    CHECK(a.count_datasets() == 1);
    CHECK(b.count_datasets() == 0);
}

TEST_CASE("opening a catalogue written by a newer datatrail is refused, and nothing is changed" * doctest::test_suite("sqlite")) {
    test::TempDir dir;
    const auto path = dir / "future.db";
    { Catalog cat(path); }
    sql_exec(path, "PRAGMA user_version = 99");
    try {
        Catalog cat(path);
        FAIL("expected StorageError");
    } catch (const StorageError& e) {
        const std::string what = e.what();
        CHECK(what.find("99") != std::string::npos);
        CHECK(what.find("newer datatrail") != std::string::npos);
    }
    CHECK(sql_value(path, "PRAGMA user_version") == "99");
}

TEST_CASE("an empty SQLite file is migrated to the latest schema" * doctest::test_suite("sqlite")) {
    test::TempDir dir;
    const auto path = dir / "old.db";
    sql_exec(path, "PRAGMA user_version = 0");
    Catalog cat(path);
    CHECK(cat.schema_version() == Catalog::latest_schema_version());
    CHECK(sql_value(path, "SELECT count(*) FROM sqlite_master WHERE name = 'dataset_metadata'") == "1");
}

TEST_CASE("opening in a folder that does not exist names the folder" * doctest::test_suite("sqlite")) {
    test::TempDir dir;
    try {
        Catalog cat(dir / "missing" / "catalog.db");
        FAIL("expected StorageError");
    } catch (const StorageError& e) {
        CHECK(std::string(e.what()).find("missing") != std::string::npos);
    }
}

TEST_CASE("instruments, investigations and samples round-trip, by PID and by name") {
    test::CatalogLocation where;
    Catalog cat(where);
    const auto id11 = cat.add_instrument({.name = "ID11", .facility = "ESRF", .type = "beamline"});
    CHECK(id11.pid.starts_with("local/"));
    CHECK(cat.instrument("ID11") == id11);
    CHECK(cat.instrument(id11.pid) == id11);
    CHECK(cat.instruments().size() == 1);

    Investigation inv;
    inv.name = "ma1234";
    inv.title = "Strain in additively manufactured steel";
    inv.instrument = "ID11";
    inv.start_time = parse_time("2026-11-20T08:00:00Z");
    inv.end_time = parse_time("2026-11-23T08:00:00Z");
    inv.release_date = parse_time("2029-11-23");
    inv.doi = "10.15151/ESRF-ES-123456";
    inv.participants = {{"Ada Lovelace", "PI", "0000-0002-1825-0097", "ada@example.org"}, {"Bob", "co-investigator", "", ""}};
    const auto stored = cat.add_investigation(inv);
    CHECK(stored.instrument == id11.pid);  // references come back as PIDs
    CHECK(cat.investigation("ma1234") == stored);
    CHECK(cat.investigation(stored.pid).participants.size() == 2);

    Sample parent;
    parent.name = "steel rod";
    parent.metadata["mass"] = {2.5, "g"};
    const auto p = cat.add_sample(parent);
    Sample slice;
    slice.name = "slice 1";
    slice.parent = "steel rod";
    slice.investigation = "ma1234";
    slice.formula = "Fe";
    const auto s = cat.add_sample(slice);
    CHECK(s.parent == p.pid);
    CHECK(s.investigation == stored.pid);
    CHECK(cat.sample("slice 1") == s);
    CHECK(cat.sample(p.pid).metadata.at("mass") == MetadataValue(2.5, "g"));
    CHECK(cat.samples().size() == 2);

    CHECK_THROWS_AS(cat.instrument("nope"), NotFound);
    CHECK_THROWS_AS(cat.investigation("nope"), NotFound);
    CHECK_THROWS_AS(cat.sample("nope"), NotFound);
    CHECK_THROWS_AS(cat.dataset("local/nope"), NotFound);
}

TEST_CASE("a dataset round-trips every field and metadata type") {
    test::CatalogLocation where;
    Catalog cat(where);
    cat.add_instrument({.name = "ID11", .facility = "ESRF"});
    // A lenient schema that knows one key, so the dataset is stored as given but for its check.
    cat.add_schema(parse_schema("name: xrd\nversion: '1'\nstrict: false\nfields:\n  frames: {type: integer, minimum: 1}\n"));
    Dataset d;
    d.name = "scan_001";
    d.description = "first powder scan";
    d.instrument = "ID11";
    d.techniques = {"XRD", "PDF"};
    d.keywords = {"calibration"};
    d.start_time = parse_time("2026-11-20T10:00:00.123456Z");
    d.end_time = parse_time("2026-11-20T10:05:00Z");
    d.location = "/data/visitor/ma1234/id11";
    d.schema = "xrd@1";
    d.state = DatasetState::acquiring;
    d.created_by = "opid11";
    d.metadata = {
        {"energy", {12.7, "keV", 0.001}},
        {"frames", 3600},
        {"detector.name", "eiger2"},
        {"detector.cooled", true},
        {"detector.pixel_size", {75, "um/pixel"}},
        {"started", parse_time("2026-11-20T10:00:00Z")},
        {"roi", std::vector<std::int64_t>{0, 0, 1024, 1024}},
        {"wavelengths", {std::vector<double>{0.97, 0.98}, "angstrom"}},
        {"filters", std::vector<std::string>{"Al", "Cu"}},
        {"config", Json{R"({"mode": "fast", "gain": [1, 2]})"}},
    };
    d.files = {{.path = "scan_001/data_000001.h5", .size = 1024, .sha256 = std::string(64, 'a')},
               {.path = "scan_001/master.nxs", .format = "NeXus-custom"}};
    const auto stored = cat.register_dataset(d);
    const auto got = cat.dataset(stored.pid);
    CHECK(got == stored);
    CHECK(got.metadata == d.metadata);
    CHECK(got.instrument == cat.instrument("ID11").pid);
    CHECK(got.files[0].format == "hdf5");  // guessed from the extension
    CHECK(got.files[1].format == "NeXus-custom");
    CHECK(got.created_by == "opid11");
    REQUIRE(got.created_at);
    CHECK(*got.created_at <= now());
    CHECK(got.state == DatasetState::acquiring);
}

TEST_CASE("files are described from disk when asked: size, SHA-256, time, format") {
    test::TempDir dir;
    test::write_file(dir / "scan_001" / "frames.h5", "abc");
    test::CatalogLocation where;
    Catalog cat(where);
    Dataset d = test::dataset("scan_001");
    d.location = dir.path().string();
    d.files = {{.path = "scan_001/frames.h5"}};
    const auto stored = cat.register_dataset(d, {.describe_files = true});
    const auto f = cat.dataset(stored.pid).files.at(0);
    CHECK(f.size == 3u);
    // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
    CHECK(f.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(f.format == "hdf5");
    REQUIRE(f.modified);
    CHECK(*f.modified <= now());
    CHECK(sha256_file(dir / "scan_001" / "frames.h5") == f.sha256);

    // A given checksum must match the content.
    Dataset wrong = d;
    wrong.name = "scan_001 again";
    wrong.files[0].sha256 = std::string(64, '0');
    CHECK_THROWS_AS(cat.register_dataset(wrong, {.describe_files = true}), ValidationError);
    CHECK(cat.count_datasets() == 1);
}

TEST_CASE("acquisition: files and metadata are added as they are written, then the dataset is complete") {
    test::TempDir dir;
    test::CatalogLocation where;
    Catalog cat(where);
    Dataset d = test::dataset("scan_002");
    d.state = DatasetState::acquiring;
    d.location = dir.path().string();
    const auto pid = cat.register_dataset(d).pid;

    test::write_file(dir / "frames_0001.h5", "frame data");
    cat.add_files(pid, {{.path = "frames_0001.h5"}}, {.describe_files = true});
    cat.add_files(pid, {{.path = "frames_0002.h5", .size = 10}});
    cat.set_metadata(pid, {{"frames", 2}, {"detector.name", "jungfrau"}});
    cat.set_metadata(pid, {{"frames", 3}});  // replaces
    const auto end = parse_time("2026-11-20T12:00:00Z");
    cat.set_state(pid, DatasetState::complete, end);

    const auto got = cat.dataset(pid);
    CHECK(got.state == DatasetState::complete);
    CHECK(got.end_time == end);
    CHECK(got.files.size() == 2);
    CHECK(got.files[0].sha256.size() == 64);
    CHECK(got.metadata.at("frames").value == Value(3));
    DatasetQuery q;
    q.text = "jungfrau";  // metadata set later is searchable too
    CHECK(cat.count_datasets(q) == 1);

    CHECK_THROWS_AS(cat.add_files(pid, {{.path = "frames_0002.h5"}}), Conflict);
    CHECK_THROWS_AS(cat.add_files("local/missing", {{.path = "x.h5"}}), NotFound);
    CHECK_THROWS_AS(cat.set_state("local/missing", DatasetState::failed), NotFound);
    CHECK(cat.dataset(pid).files.size() == 2);
}

TEST_CASE("batch registration keeps the order and mints sortable PIDs") {
    test::CatalogLocation where;
    Catalog cat(where);
    std::vector<Dataset> batch;
    for (int i = 0; i < 500; ++i) batch.push_back(test::dataset("scan_" + std::to_string(i), {{"index", i}}));
    const auto stored = cat.register_datasets(batch);
    REQUIRE(stored.size() == 500);
    for (int i = 0; i < 500; ++i) CHECK(stored[i].name == "scan_" + std::to_string(i));
    CHECK(std::is_sorted(stored.begin(), stored.end(), [](auto& a, auto& b) { return a.pid < b.pid; }));
    CHECK(cat.count_datasets() == 500);
    const auto all = cat.find_datasets();
    CHECK(all.back().metadata.at("index").value == Value(499));
}

TEST_CASE("caller-supplied PIDs are kept") {
    test::CatalogLocation where;
    Catalog cat(where);
    Dataset d = test::dataset("external");
    d.pid = "10.15151/ESRF-DC-1534175008";
    CHECK(cat.register_dataset(d).pid == d.pid);
    CHECK(cat.dataset(d.pid).name == "external");
}

TEST_CASE("a version 1 catalogue (no provenance tables) is migrated on opening, its data kept" * doctest::test_suite("sqlite")) {
    test::TempDir dir;
    const auto path = dir / "v1.db";
    std::string pid;
    {
        Catalog cat(path);
        pid = cat.register_dataset(test::dataset("from v1", {{"energy", {12.7, "keV"}}})).pid;
    }
    // Take the catalogue back to what schema version 1 wrote.
    sql_exec(path, std::string(test::undo_schema_v5) + test::undo_schema_v4 +
             "DROP TABLE association; DROP TABLE communication; DROP TABLE derivation; DROP TABLE generation; "
             "DROP TABLE used; DROP TABLE activity_parameter; DROP TABLE activity; DROP TABLE agent; "
             "PRAGMA user_version = 1");
    Catalog cat(path);
    CHECK(cat.schema_version() == Catalog::latest_schema_version());
    CHECK(cat.dataset(pid).metadata.at("energy") == MetadataValue(12.7, "keV"));
    Activity a;
    a.name = "after the migration";
    a.used = {{pid}};
    CHECK(cat.start_activity(a).used.size() == 1);
}

TEST_CASE("a version 3 catalogue gains metadata schemas and validity on opening, its datasets valid" * doctest::test_suite("sqlite")) {
    test::TempDir dir;
    const auto path = dir / "v3.db";
    std::string pid;
    {
        Catalog cat(path);
        pid = cat.register_dataset(test::dataset("from v3", {{"energy", {12.7, "keV"}}})).pid;
    }
    sql_exec(path, std::string(test::undo_schema_v5) + test::undo_schema_v4 + "PRAGMA user_version = 3");
    Catalog cat(path);
    CHECK(cat.schema_version() == Catalog::latest_schema_version());
    const auto d = cat.dataset(pid);
    CHECK(d.valid);
    CHECK(d.violations.empty());
    DatasetQuery q;
    q.valid = false;
    CHECK(cat.count_datasets(q) == 0);
    CHECK(sql_value(path, "SELECT count(*) FROM metadata_schema") == "0");
}

TEST_CASE("a metadata value stored with a type code this library does not know is a StorageError, not a guess" * doctest::test_suite("sqlite")) {
    test::TempDir dir;
    const auto path = dir / "future.db";
    std::string pid;
    {
        Catalog cat(path);
        pid = cat.register_dataset(test::dataset("scan", {{"energy", {12.0, "keV"}}})).pid;
    }
    test::sql_exec(path, "UPDATE dataset_metadata SET type = 42");
    Catalog cat(path);
    CHECK_THROWS_WITH_AS(cat.dataset(pid), doctest::Contains("unknown type code 42"), StorageError);
}

TEST_CASE("catalogue locations: a path, :memory:, sqlite:///abs/path; unknown schemes are refused" * doctest::test_suite("sqlite")) {
    test::TempDir dir;
    const auto file = dir / "by-uri.db";
    {
        Catalog cat("sqlite://" + file.string());
        cat.register_dataset(test::dataset("scan"));
    }
    CHECK(Catalog(file).count_datasets() == 1);
    CHECK_THROWS_WITH_AS(Catalog("sqlite://relative.db"), doctest::Contains("absolute path"), ValidationError);
    CHECK_THROWS_WITH_AS(Catalog("mysql://host/db"), doctest::Contains("unknown scheme 'mysql'"), ValidationError);
    CHECK_FALSE(std::filesystem::exists("relative.db"));
}
