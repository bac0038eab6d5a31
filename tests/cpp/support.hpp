#pragma once
// Shared by the C++ tests: a temporary folder that removes itself, small builders, direct
// SQL on a catalogue file (beside the library, to check or arrange what is on disk), and a fresh
// database on the test PostgreSQL server.
#include <datatrail/datatrail.hpp>

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string_view>
#include <fstream>
#include <random>
#include <string>

namespace test {

class TempDir {
public:
    TempDir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() / ("datatrail-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& p, const std::string& content) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
}

inline datatrail::Dataset dataset(std::string name, datatrail::Metadata metadata = {}) {
    datatrail::Dataset d;
    d.name = std::move(name);
    d.metadata = std::move(metadata);
    return d;
}

// Reads one value with the SQLite C API.
inline std::string sql_value(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.string().c_str(), &h) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return out;
}

// Takes a catalogue back from schema version 5 to what version 4 wrote (no datafile indexes on
// path and sha256); the version number is the caller's to set. Works on both engines.
inline constexpr const char* undo_schema_v5 = "DROP INDEX datafile_path; DROP INDEX datafile_sha256; ";

// Takes a catalogue back from schema version 4 to what version 3 wrote (no metadata schemas, no
// validity columns); the version number is the caller's to set.
inline constexpr const char* undo_schema_v4 =
    "DROP INDEX dataset_invalid; DROP INDEX dataset_schema; ALTER TABLE dataset DROP COLUMN valid; "
    "ALTER TABLE dataset DROP COLUMN violations; DROP TABLE metadata_schema; ";

inline void sql_exec(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.string().c_str(), &h) == SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &error);
    INFO(sql, ": ", error ? error : "");
    sqlite3_free(error);
    sqlite3_close(h);
    REQUIRE(rc == SQLITE_OK);
}

// The test PostgreSQL server: DATATRAIL_TEST_POSTGRES when set (make test starts one for the
// whole run; a developer may name their own), else the one ctest's postgres fixture started.
// There is always a server: a test that needs one fails without it, it is never skipped.
inline std::string postgres_server_uri() {
    if (const char* uri = std::getenv("DATATRAIL_TEST_POSTGRES"); uri && *uri) return uri;
    const std::filesystem::path file = std::filesystem::path(DATATRAIL_TEST_BINARY_DIR) / "postgres" / "uri";
    std::string uri;
    std::ifstream in(file);
    std::getline(in, uri);
    if (uri.empty())
        FAIL("no PostgreSQL server for the tests: DATATRAIL_TEST_POSTGRES is not set and ", file.string(),
             " does not exist. Run the tests through ctest (its postgres fixture starts a server), `make test`, "
             "or scripts/with-postgres.sh.");
    return uri;
}

// `uri` (postgresql://[authority][/database][?parameters]) pointing at another database.
inline std::string postgres_uri_for(const std::string& uri, const std::string& database) {
    const auto scheme = uri.find("://");
    if (scheme == std::string::npos) FAIL("DATATRAIL_TEST_POSTGRES must be a postgresql:// URI, not '", uri, "'");
    const auto path = uri.find_first_of("/?", scheme + 3);
    if (path == std::string::npos) return uri + "/" + database;
    const auto query = uri.find('?', path);
    return uri.substr(0, path) + "/" + database + (query == std::string::npos ? "" : uri.substr(query));
}

// Runs one statement on `uri` with libpq directly (the tests must not depend on the wrappers
// they test); fails the test with PostgreSQL's message.
inline void postgres_exec(const std::string& uri, const std::string& sql) {
    PGconn* conn = PQconnectdb(uri.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        const std::string message = PQerrorMessage(conn);
        PQfinish(conn);
        FAIL("cannot connect to ", uri, ": ", message);
    }
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    const std::string message = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(conn);
    if (!ok) FAIL(sql, ": ", message);
}

// Reads one value with libpq directly.
inline std::string postgres_value(const std::string& uri, const std::string& sql) {
    PGconn* conn = PQconnectdb(uri.c_str());
    std::string out, error;
    if (PQstatus(conn) != CONNECTION_OK) {
        error = PQerrorMessage(conn);
    } else {
        PGresult* r = PQexec(conn, sql.c_str());
        if (PQresultStatus(r) != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
        else if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) out = PQgetvalue(r, 0, 0);
        PQclear(r);
    }
    PQfinish(conn);
    if (!error.empty()) FAIL(sql, ": ", error);
    return out;
}

// A database of its own on the test server for one test, dropped when the test ends, so that
// tests neither see each other's rows nor depend on their order.
class PostgresDatabase {
public:
    PostgresDatabase() : server_(postgres_server_uri()) {
        std::random_device rd;
        name_ = "dt_" + std::to_string(rd()) + "_" + std::to_string(rd());
        postgres_exec(server_, "CREATE DATABASE " + name_);
        uri_ = postgres_uri_for(server_, name_);
    }
    ~PostgresDatabase() {
        // FORCE: a test that failed half-way may have left connections open.
        PGconn* conn = PQconnectdb(server_.c_str());
        const std::string drop = "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)";
        if (PQstatus(conn) == CONNECTION_OK) PQclear(PQexec(conn, drop.c_str()));
        PQfinish(conn);
    }
    PostgresDatabase(const PostgresDatabase&) = delete;
    PostgresDatabase& operator=(const PostgresDatabase&) = delete;

    const std::string& uri() const { return uri_; }
    const std::string& name() const { return name_; }
    void exec(const std::string& sql) const { postgres_exec(uri_, sql); }

private:
    std::string server_;
    std::string name_;
    std::string uri_;
};

// The engine this run of the suite tests: the C++ suite runs once per engine (ctest registers
// it twice), with DATATRAIL_TEST_ENGINE=sqlite (the default) or postgres. Test cases that only
// make sense on one engine are in the doctest suite "sqlite" or "postgres" and say why.
inline bool on_postgres() {
    const char* engine = std::getenv("DATATRAIL_TEST_ENGINE");
    return engine && std::string_view(engine) == "postgres";
}

// A catalogue of its own for one test, on the engine under test: a file in a temporary folder
// (SQLite) or a fresh database on the test server (PostgreSQL); removed when the test ends.
class CatalogLocation {
public:
    CatalogLocation() {
        if (on_postgres()) database_ = std::make_unique<PostgresDatabase>();
        else folder_ = std::make_unique<TempDir>();
    }
    std::string str() const { return database_ ? database_->uri() : (folder_->path() / "catalog.db").string(); }
    operator std::filesystem::path() const { return str(); }

    // SQL run directly on the catalogue, beside the library, to arrange or check what is stored
    // (written for both engines: what both dialects accept).
    void exec(const std::string& sql) const {
        if (database_) database_->exec(sql);
        else sql_exec(str(), sql);
    }
    std::string value(const std::string& sql) const { return database_ ? postgres_value(str(), sql) : sql_value(str(), sql); }

private:
    std::unique_ptr<TempDir> folder_;
    std::unique_ptr<PostgresDatabase> database_;
};

}  // namespace test
