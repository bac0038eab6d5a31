// Catalog::datasets_with_file: the datasets that hold a file, by its place or its checksum, on
// every engine; and the schema version 5 migration that indexes datafile for it.
#include "support.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace datatrail;

namespace {

std::string sha_of(char c) { return std::string(64, c); }

Dataset with_files(std::string name, std::string location, std::vector<Datafile> files) {
    auto d = test::dataset(std::move(name));
    d.location = std::move(location);
    d.files = std::move(files);
    return d;
}

// SQLite's plan for a statement: the detail of each step.
std::string plan_details(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.string().c_str(), &h) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(h, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &st, nullptr) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW) out += reinterpret_cast<const char*>(sqlite3_column_text(st, 3)) + std::string(" | ");
    sqlite3_finalize(st);
    sqlite3_close(h);
    return out;
}

}  // namespace

TEST_CASE("a file's place finds its dataset among many, written normalised or not") {
    test::CatalogLocation location;
    Catalog cat(location);
    std::vector<Dataset> many;
    for (int i = 0; i < 40; ++i)
        many.push_back(with_files("run" + std::to_string(i), "/data/beamline/run" + std::to_string(i),
                                  {{.path = "scan/frame.h5", .sha256 = sha_of('a' + static_cast<char>(i % 6))},
                                   {.path = "meta.json"}}));
    const auto stored = cat.register_datasets(many);

    const auto found = cat.datasets_with_file("/data/beamline/run17/scan/frame.h5");
    REQUIRE(found.size() == 1);
    CHECK(found[0].dataset == stored[17].pid);
    CHECK(found[0].dataset_name == "run17");
    CHECK(found[0].location == "/data/beamline/run17");
    CHECK(found[0].file.path == "scan/frame.h5");
    CHECK(found[0].file.sha256 == stored[17].files[0].sha256);
    CHECK(found[0].at_path);
    CHECK_FALSE(found[0].same_content);

    CHECK(cat.datasets_with_file("/data/beamline/run17/./scan//frame.h5") == found);
    CHECK(cat.datasets_with_file("/data/beamline/run17/other/../scan/frame.h5") == found);
    CHECK(cat.datasets_with_file("/data/beamline/run99/scan/frame.h5").empty());
    CHECK(cat.datasets_with_file("/elsewhere/run17/scan/frame.h5").empty());
    CHECK(cat.datasets_with_file("/data/beamline/run17/frame.h5").empty());
}

TEST_CASE("a checksum finds every copy; with a place, the file there is marked as such") {
    test::CatalogLocation location;
    Catalog cat(location);
    const auto a = cat.register_dataset(with_files("original", "/data/a", {{.path = "x.h5", .sha256 = sha_of('1')}}));
    const auto b = cat.register_dataset(with_files("copy", "/scratch/b/", {{.path = "sub/x.h5", .sha256 = sha_of('1')}}));
    cat.register_dataset(with_files("other", "/data/c", {{.path = "x.h5", .sha256 = sha_of('2')}}));

    const auto copies = cat.datasets_with_file("", sha_of('1'));
    REQUIRE(copies.size() == 2);
    CHECK(copies[0].dataset == a.pid);
    CHECK(copies[1].dataset == b.pid);
    CHECK(copies[0].same_content);
    CHECK_FALSE(copies[0].at_path);

    // A location with a trailing slash joins as a folder.
    const auto both = cat.datasets_with_file("/scratch/b/sub/x.h5", sha_of('1'));
    REQUIRE(both.size() == 2);
    CHECK(both[0].dataset == a.pid);
    CHECK_FALSE(both[0].at_path);
    CHECK(both[1].dataset == b.pid);
    CHECK(both[1].at_path);
    CHECK(both[1].same_content);

    // A file without a checksum is not matched by an empty one.
    cat.register_dataset(with_files("unhashed", "/data/d", {{.path = "y.h5"}}));
    CHECK(cat.datasets_with_file("", sha_of('3')).empty());
    const auto unhashed = cat.datasets_with_file("/data/d/y.h5", sha_of('3'));
    REQUIRE(unhashed.size() == 1);
    CHECK(unhashed[0].at_path);
    CHECK_FALSE(unhashed[0].same_content);
}

TEST_CASE("one place split differently between location and file path is found in both datasets") {
    test::CatalogLocation location;
    Catalog cat(location);
    const auto outer = cat.register_dataset(with_files("outer", "/data", {{.path = "run1/a.h5"}}));
    const auto inner = cat.register_dataset(with_files("inner", "/data/run1", {{.path = "a.h5"}}));
    const auto found = cat.datasets_with_file("/data/run1/a.h5");
    REQUIRE(found.size() == 2);
    CHECK(found[0].dataset == outer.pid);
    CHECK(found[1].dataset == inner.pid);
}

TEST_CASE("datasets_with_file refuses a lookup without a path or checksum, a relative path and a malformed checksum") {
    test::CatalogLocation location;
    Catalog cat(location);
    const auto violation = [&](const std::string& path, const std::string& sha) -> Violation {
        try {
            (void)cat.datasets_with_file(path, sha);
        } catch (const ValidationError& e) {
            REQUIRE(e.violations().size() == 1);
            return e.violations()[0];
        }
        FAIL("no ValidationError for path '" << path << "', sha256 '" << sha << "'");
        return {};
    };
    auto v = violation("", "");
    CHECK(v.field == "path");
    CHECK(v.rule.find("sha256") != std::string::npos);
    v = violation("data/x.h5", "");
    CHECK(v.field == "path");
    CHECK(v.value == "data/x.h5");
    CHECK(v.rule == "must be an absolute path");
    v = violation("/data/", "");
    CHECK(v.field == "path");
    CHECK(v.rule.find("file") != std::string::npos);
    v = violation("/data/x.h5", std::string(64, 'A'));
    CHECK(v.field == "sha256");
    CHECK(v.value == std::string(64, 'A'));
    CHECK(v.rule == "must be 64 lowercase hexadecimal digits");
    v = violation("", "abc");
    CHECK(v.field == "sha256");
    CHECK(v.value == "abc");
}

TEST_CASE("a version 4 catalogue gains the datafile indexes on opening, and its files are found") {
    test::CatalogLocation location;
    std::string pid;
    {
        Catalog cat(location);
        pid = cat.register_dataset(with_files("from v4", "/data/v4", {{.path = "f.h5", .sha256 = sha_of('e')}})).pid;
    }
    const std::string count_indexes =
        test::on_postgres()
            ? "SELECT count(*) FROM pg_indexes WHERE indexname IN ('datafile_path', 'datafile_sha256')"
            : "SELECT count(*) FROM sqlite_master WHERE name IN ('datafile_path', 'datafile_sha256')";
    REQUIRE(location.value(count_indexes) == "2");
    location.exec(std::string(test::undo_schema_v5) +
                  (test::on_postgres() ? "UPDATE catalog_info SET value = '4' WHERE key = 'schema_version'"
                                       : "PRAGMA user_version = 4"));
    REQUIRE(location.value(count_indexes) == "0");
    Catalog cat(location);
    CHECK(cat.schema_version() == Catalog::latest_schema_version());
    CHECK(Catalog::latest_schema_version() == 5);
    CHECK(location.value(count_indexes) == "2");
    const auto found = cat.datasets_with_file("/data/v4/f.h5", sha_of('e'));
    REQUIRE(found.size() == 1);
    CHECK(found[0].dataset == pid);
    CHECK(found[0].at_path);
    CHECK(found[0].same_content);
}

TEST_CASE("the lookup's statements use the datafile indexes, not a scan" * doctest::test_suite("sqlite")) {
    // SQLite only: its plan is read beside the library; PostgreSQL's planner may rightly scan a
    // table this small.
    test::TempDir dir;
    const auto path = dir / "plan.db";
    { Catalog cat(path); }
    const auto plan = [&](const std::string& where) {
        return plan_details(path, "SELECT f.id FROM datafile f JOIN dataset d ON d.id = f.dataset_id WHERE " + where);
    };
    CHECK(plan("f.path = 'x.h5'").find("USING INDEX datafile_path") != std::string::npos);
    CHECK(plan("f.sha256 = 'ab'").find("USING INDEX datafile_sha256") != std::string::npos);
}
