// What only the PostgreSQL engine has: its connection string, its schema version, its options.
// Everything both engines share runs on both (the rest of this suite runs once per engine).
#include "support.hpp"

#include <doctest/doctest.h>

using namespace datatrail;

TEST_SUITE_BEGIN("postgres");

TEST_CASE("a PostgreSQL catalogue is created at the latest schema version, and a newer one is refused") {
    test::PostgresDatabase db;
    { Catalog cat(db.uri()); }
    CHECK(test::postgres_value(db.uri(), "SELECT value FROM catalog_info WHERE key = 'schema_version'") ==
          std::to_string(Catalog::latest_schema_version()));
    db.exec("UPDATE catalog_info SET value = '99' WHERE key = 'schema_version'");
    CHECK_THROWS_WITH_AS(Catalog(db.uri()), doctest::Contains("newer datatrail"), StorageError);
    CHECK(test::postgres_value(db.uri(), "SELECT value FROM catalog_info WHERE key = 'schema_version'") == "99");
}

TEST_CASE("a version 3 PostgreSQL catalogue is migrated to the latest version, its datasets valid") {
    test::PostgresDatabase db;
    std::string pid;
    {
        Catalog cat(db.uri());
        pid = cat.register_dataset(test::dataset("from v3", {{"energy", {12.7, "keV"}}})).pid;
    }
    db.exec(std::string(test::undo_schema_v5) + "DROP INDEX dataset_invalid; DROP INDEX dataset_schema; ALTER TABLE dataset DROP COLUMN valid; "
            "ALTER TABLE dataset DROP COLUMN violations; DROP TABLE metadata_schema; "
            "UPDATE catalog_info SET value = '3' WHERE key = 'schema_version'");
    Catalog cat(db.uri());
    CHECK(cat.schema_version() == Catalog::latest_schema_version());
    const auto d = cat.dataset(pid);
    CHECK(d.valid);
    CHECK(d.violations.empty());
    DatasetQuery q;
    q.valid = true;
    CHECK(cat.count_datasets(q) == 1);
}

TEST_CASE("a metadata value stored with an unknown type code is a StorageError on PostgreSQL too") {
    test::PostgresDatabase db;
    std::string pid;
    {
        Catalog cat(db.uri());
        pid = cat.register_dataset(test::dataset("scan", {{"energy", {12.0, "keV"}}})).pid;
    }
    db.exec("UPDATE dataset_metadata SET type = 42");
    CHECK_THROWS_WITH_AS(Catalog(db.uri()).dataset(pid), doctest::Contains("unknown type code 42"), StorageError);
}

TEST_CASE("a server that cannot be reached is a StorageError naming it, without the password") {
    test::TempDir dir;
    const auto uri = "postgresql://someone:s3cret@/nowhere?host=" + dir.path().string();
    try {
        Catalog cat(uri);
        FAIL("expected StorageError");
    } catch (const StorageError& e) {
        const std::string what = e.what();
        CHECK(what.find("nowhere") != std::string::npos);
        CHECK(what.find("s3cret") == std::string::npos);
    }
}

TEST_CASE("the pool size is an option of PostgreSQL catalogues; SQLite refuses it") {
    test::PostgresDatabase db;
    Catalog cat(db.uri(), {.postgres_pool_size = 2});
    cat.register_dataset(test::dataset("scan"));
    CHECK(cat.count_datasets() == 1);
    CHECK_THROWS_WITH_AS(Catalog(db.uri(), {.postgres_pool_size = 0}), doctest::Contains("at least 1"), ValidationError);
    test::TempDir dir;
    CHECK_THROWS_WITH_AS(Catalog(dir / "c.db", {.postgres_pool_size = 2}), doctest::Contains("PostgreSQL catalogues only"),
                         ValidationError);
    CHECK_FALSE(std::filesystem::exists(dir / "c.db"));
}

TEST_CASE("text is compared byte by byte, as on SQLite, whatever the server's locale") {
    test::PostgresDatabase db;
    Catalog cat(db.uri());
    cat.register_datasets({test::dataset("b"), test::dataset("B"), test::dataset("a"), test::dataset("_x")});
    std::vector<std::string> names;
    for (const auto& d : cat.find_datasets({.order = DatasetOrder::name})) names.push_back(d.name);
    CHECK(names == std::vector<std::string>{"B", "_x", "a", "b"});
}

TEST_CASE("read_only opens an existing PostgreSQL catalogue for reading and refuses every write") {
    test::PostgresDatabase db;
    CHECK_THROWS_WITH_AS(Catalog(db.uri(), {.read_only = true}), doctest::Contains("holds no datatrail catalogue"),
                         StorageError);
    CHECK(test::postgres_value(db.uri(), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "0");
    {
        Catalog cat(db.uri(), {.pid_prefix = "esrf"});
        cat.register_dataset(test::dataset("scan"));
    }
    Catalog cat(db.uri(), {.read_only = true});
    CHECK(cat.pid_prefix() == "esrf");
    CHECK(cat.count_datasets() == 1);
    CHECK_THROWS_WITH_AS(cat.register_dataset(test::dataset("more")), doctest::Contains("read-only"), StorageError);
    CHECK_THROWS_WITH_AS(cat.add_agent({.name = "Ada"}), doctest::Contains("read-only"), StorageError);
    CHECK(cat.count_datasets() == 1);
    CHECK_THROWS_WITH_AS(Catalog(db.uri(), {.sqlite_network_file_system = true}), doctest::Contains("SQLite catalogue files only"),
                         ValidationError);
}

TEST_SUITE_END();
