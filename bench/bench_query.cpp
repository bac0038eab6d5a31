// A selective metadata range query over a large catalogue: Catalog::count_datasets and
// Catalog::find_datasets with metadata conditions in the query language, against a full scan of
// dataset_metadata computing the same predicate, on the same database, in one process, rounds
// interleaved. The design's budget for 1,000,000 datasets: the query at least 100 times faster
// than the scan, and under 50 ms.
//
// The fixture is written by Catalog::register_datasets, so its tables and indexes are exactly
// the ones the library writes. The library's SQL is not rebuilt here: its plan is taken from
// Catalog::explain, so the benchmark times and shows whatever SQL the library writes today. The
// baseline is written here by hand from the query's meaning (one `d.id IN (SELECT dataset_id
// FROM dataset_metadata ...)` per condition) with the indexes of dataset_metadata taken away: on
// SQLite `NOT INDEXED` (or, where SQLite ignores it, the table's own b-tree named with INDEXED
// BY), through the sqlite3 C API on the same file, configured as the library's readers are; on
// PostgreSQL a libpq session with index, bitmap and index-only scans off (and nested loops: see
// postgres_scan_settings). The baseline's plan must read dataset_metadata in full and its answer
// must be the library's, dataset for dataset, or the run fails: a fast answer to another question
// proves nothing.
#include <datatrail/catalog.hpp>
#include <datatrail/error.hpp>
#include <datatrail/query.hpp>
#include <datatrail/time.hpp>
#include <datatrail/units.hpp>
#include <datatrail/version.hpp>

#include "bench_support.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

namespace fs = std::filesystem;
using namespace datatrail;
using namespace bench;

namespace {

constexpr double speedup_target = 100;   // full scan time / library time
constexpr double latency_target_ms = 50;  // the library's query, per call
constexpr std::string_view investigation_name = "bench-query";

constexpr std::string_view usage =
    "usage: bench_query [--engine sqlite|postgres] [--uri URI] [--datasets N] [--batch B] [--repeat R]\n"
    "                   [--catalogue LOCATION] [--write-docs] [--docs PATH]\n"
    "  --engine E          sqlite (default): a catalogue file, the baseline through the sqlite3 C API;\n"
    "                      postgres: a new database on the server at --uri, the baseline through libpq\n"
    "  --uri URI           PostgreSQL: a libpq URI of a role that may create databases\n"
    "                      (default: $DATATRAIL_TEST_POSTGRES, which scripts/with-postgres.sh sets)\n"
    "  --datasets N        datasets in the catalogue (default 1000000)\n"
    "  --batch B           datasets per register_datasets call while building it (default 10000)\n"
    "  --repeat R          timed rounds, every side once per round, interleaved; medians reported (default 7)\n"
    "  --catalogue LOC     build the catalogue at LOC (a file, or a postgresql:// URI of an existing\n"
    "                      database) and keep it; a later run with the same N reuses it. Without it the\n"
    "                      catalogue is built in a temporary file or database and removed at the end\n"
    "  --write-docs        rewrite this engine's section of docs/benchmarks.md from this run\n"
    "  --docs PATH         the file --write-docs rewrites (default: docs/benchmarks.md of the source tree)\n"
    "  --corrupt-baseline  for the tests: drop one dataset from the baseline's answer, which must fail the run\n";

#ifndef DATATRAIL_BENCH_SOURCE_DIR
#define DATATRAIL_BENCH_SOURCE_DIR "."
#endif
#ifndef DATATRAIL_BENCH_COMPILER
#define DATATRAIL_BENCH_COMPILER "unknown"
#endif

struct Options {
    std::string engine = "sqlite";
    std::string uri;
    std::size_t datasets = 1'000'000;
    std::size_t batch = 10'000;
    std::size_t repeat = 7;
    std::string catalogue;
    bool write_docs = false;
    fs::path docs = fs::path(DATATRAIL_BENCH_SOURCE_DIR) / "docs" / "benchmarks.md";
    bool corrupt_baseline = false;

    bool postgres() const { return engine == "postgres"; }
};

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "-h" || a == "--help") {
            fmt::print("{}", usage);
            std::exit(0);
        }
        if (a == "--write-docs") {
            o.write_docs = true;
            continue;
        }
        if (a == "--corrupt-baseline") {
            o.corrupt_baseline = true;
            continue;
        }
        if (i + 1 >= argc) throw std::invalid_argument(fmt::format("{} needs a value (or is unknown)\n{}", a, usage));
        const std::string_view v = argv[++i];
        if (a == "--engine") {
            if (v != "sqlite" && v != "postgres")
                throw std::invalid_argument(fmt::format("--engine must be sqlite or postgres, not '{}'", v));
            o.engine = v;
        } else if (a == "--uri") o.uri = v;
        else if (a == "--datasets") o.datasets = parse_count(a, v);
        else if (a == "--batch") o.batch = parse_count(a, v);
        else if (a == "--repeat") o.repeat = parse_count(a, v);
        else if (a == "--catalogue") o.catalogue = v;
        else if (a == "--docs") o.docs = v;
        else throw std::invalid_argument(fmt::format("unknown option '{}'\n{}", a, usage));
    }
    if (o.postgres()) {
        if (o.uri.empty())
            if (const char* env = std::getenv("DATATRAIL_TEST_POSTGRES"); env && *env) o.uri = env;
        if (o.uri.empty() && !is_postgres_uri(o.catalogue))
            throw std::invalid_argument(
                "--engine postgres needs --uri URI, DATATRAIL_TEST_POSTGRES (scripts/with-postgres.sh sets it) or "
                "--catalogue postgresql://...");
        if (!o.uri.empty() && !is_postgres_uri(o.uri))
            throw std::invalid_argument(fmt::format("--uri must be a postgresql:// URI, not '{}'", o.uri));
        if (!o.catalogue.empty() && !is_postgres_uri(o.catalogue))
            throw std::invalid_argument(
                fmt::format("--catalogue must be a postgresql:// URI with --engine postgres, not '{}'", o.catalogue));
    } else if (is_postgres_uri(o.catalogue)) {
        throw std::invalid_argument(
            fmt::format("--catalogue '{}' is a PostgreSQL URI: add --engine postgres, or give a file", o.catalogue));
    }
    return o;
}

// ---------------------------------------------------------------------------------------------
// The fixture

// A number in [0, 1) for dataset i and value `field`, independent between fields.
double uniform(std::size_t i, std::uint64_t field) {
    return static_cast<double>(mix(16 * static_cast<std::uint64_t>(i) + field) >> 11) * 0x1.0p-53;
}

constexpr double energy_low_kev = 5, energy_span_kev = 20;

// Energies are spread evenly rather than at random (i times the golden ratio, modulo 1): any
// window then holds N * width / span datasets to within a few, so the query's selectivity is
// known for every N.
double energy_kev(std::size_t i) {
    const double golden = 0.6180339887498949;
    const double u = std::fmod(static_cast<double>(i) * golden, 1.0);
    return round_to(energy_low_kev + energy_span_kev * u, 1e-4);  // 0.1 eV steps
}

// Dataset i: 10 metadata values as a beamline records them, quantities in the units people
// type, mixed within a key (keV and eV, K and degC, mm and m, s and ms), so that the query
// finds what only the SI conversion makes comparable.
Dataset make_dataset(std::size_t i) {
    static const Timestamp t0 = parse_time("2026-01-05T08:00:00Z");
    Dataset d;
    d.kind = DatasetKind::raw;
    d.name = fmt::format("scan_{:07}", i);
    d.investigation = std::string(investigation_name);
    d.location = fmt::format("/data/visitor/bench-query/id00/scan_{:07}", i);
    d.start_time = t0 + std::chrono::seconds(41 * static_cast<std::int64_t>(i));
    const double kev = energy_kev(i);
    const double kelvin = round_to(80 + 220 * uniform(i, 1), 0.01);
    const double mm = round_to(100 + 900 * uniform(i, 2), 0.1);
    const double exposure_s = pick({0.001, 0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0}, mix(16 * i + 3));
    const auto h = [&](std::uint64_t field) { return static_cast<std::size_t>(mix(16 * i + field)); };
    const std::size_t detector = h(4) % 10;  // eiger 40%, pilatus 30%, jungfrau 20%, maxipix 10%
    d.metadata = {
        {"energy", i % 3 == 0 ? MetadataValue(round_to(kev * 1000, 0.1), "eV") : MetadataValue(kev, "keV")},
        {"sample.temperature",
         i % 4 == 1 ? MetadataValue(round_to(kelvin - 273.15, 0.01), "degC") : MetadataValue(kelvin, "K")},
        {"detector.distance", i % 5 == 2 ? MetadataValue(mm / 1000, "m") : MetadataValue(mm, "mm")},
        {"scan.exposure_time", i % 6 == 0 ? MetadataValue(exposure_s * 1000, "ms") : MetadataValue(exposure_s, "s")},
        {"beam.current", {round_to(150 + 50 * uniform(i, 5), 0.01), "mA"}},
        {"detector.name", {detector < 4 ? "eiger" : detector < 7 ? "pilatus" : detector < 9 ? "jungfrau" : "maxipix"}},
        {"sample.name", {fmt::format("sample_{:04}", h(6) % 5000)}},
        {"scan.type", {pick<const char*>({"ascan", "dscan", "mesh", "timescan"}, h(7))}},
        {"scan.frames", {static_cast<std::int64_t>(1 + h(8) % 3600)}},
        {"attenuator.inserted", {h(9) % 5 == 0}},
    };
    return d;
}

std::string fixture_title(std::size_t n) { return fmt::format("Query benchmark fixture v1: {} datasets", n); }

struct Fixture {
    bool built = false;  // false: an existing catalogue was reused, and not timed
    double seconds = 0;
};

// Registers the datasets into the catalogue at `location`, or reuses the catalogue there if an
// earlier run built the same fixture. Anything else at `location` is refused.
Fixture build_fixture(const std::string& location, std::size_t n, std::size_t batch) {
    Catalog cat(location);
    const std::size_t present = cat.count_datasets();
    if (present > 0) {
        std::string title;
        try {
            title = cat.investigation(std::string(investigation_name)).title;
        } catch (const NotFound&) {
        }
        if (title == fixture_title(n) && present == n) {
            fmt::print("reusing the catalogue at {}: it holds this benchmark's {} datasets\n", location, n);
            return {};
        }
        throw std::invalid_argument(fmt::format(
            "--catalogue {} holds {} datasets that are not this benchmark's fixture of {} (investigation '{}' titled "
            "'{}'): remove it, or name another",
            location, present, n, investigation_name, fixture_title(n)));
    }
    Investigation inv;
    inv.name = std::string(investigation_name);
    inv.title = fixture_title(n);
    cat.add_investigation(inv);
    fmt::print("building the catalogue: {} datasets with 10 metadata values each, register_datasets in batches of {}\n",
               n, batch);
    std::fflush(stdout);
    const auto start = std::chrono::steady_clock::now();
    const auto seconds_since = [](auto t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    };
    std::size_t next_report = n / 10;
    for (std::size_t first = 0; first < n; first += batch) {
        const std::size_t last = std::min(first + batch, n);
        std::vector<Dataset> datasets;
        datasets.reserve(last - first);
        for (std::size_t i = first; i < last; ++i) datasets.push_back(make_dataset(i));
        cat.register_datasets(std::move(datasets));
        if (last >= next_report && last < n) {
            const double s = seconds_since(start);
            fmt::print("  {:>9} datasets, {:.0f} s, {:.0f} datasets/s so far\n", last, s,
                       static_cast<double>(last) / s);
            std::fflush(stdout);
            next_report += n / 10;
        }
    }
    const double seconds = seconds_since(start);
    fmt::print("built in {:.1f} s ({:.0f} datasets/s)\n", seconds, static_cast<double>(n) / seconds);
    return {true, seconds};
}

// ---------------------------------------------------------------------------------------------
// The baseline's SQL: the query's conditions rewritten from their meaning.

using Param = std::variant<std::int64_t, double, std::string>;

struct Sql {
    std::string text;
    std::vector<Param> params;
};

// The conditions of a conjunction in the query language's tree, in order; anything but
// conditions joined by `and` is refused, as the baseline writes no other SQL.
void collect_conditions(const query::Expr& e, std::vector<query::Expr>& out) {
    switch (e.kind()) {
        case query::Expr::Kind::all: return;
        case query::Expr::Kind::condition: out.push_back(e); return;
        case query::Expr::Kind::all_of:
            for (const auto& c : e.children()) collect_conditions(c, out);
            return;
        default:
            throw std::logic_error(fmt::format("the baseline writes SQL for conditions joined by 'and', not for `{}`",
                                               e.to_string()));
    }
}

// The whole query as a full scan: one `d.id IN (SELECT dataset_id FROM dataset_metadata<hint>
// ...)` per condition, the key through metadata_key, numbers by SI value and SI unit, strings by
// type and value. `hint` follows each dataset_metadata (" NOT INDEXED" on SQLite). Only the
// conditions the benchmark's queries use are written; anything else is a mistake in this file.
Sql scan_sql(const query::Expr& filter, bool postgres, std::string_view hint = {}) {
    std::vector<query::Expr> conditions;
    collect_conditions(filter, conditions);
    Sql sql{"SELECT d.pid FROM dataset d WHERE ", {}};
    const auto param = [&](Param p) {
        sql.params.push_back(std::move(p));
        return postgres ? fmt::format("${}", sql.params.size()) : std::string("?");
    };
    for (std::size_t i = 0; i < conditions.size(); ++i) {
        const auto& c = conditions[i];
        const auto& xs = c.operands();
        std::string term;
        if (c.op() == query::Op::between && xs.size() == 2 && xs[0].value.is_number() && xs[1].value.is_number() &&
            xs[0].unit == xs[1].unit) {
            const auto low = units::to_si({xs[0].value.as_double(), xs[0].unit});
            const auto high = units::to_si({xs[1].value.as_double(), xs[1].unit});
            // Placeholders in the order of the text: the calls to `param` are sequenced one by one.
            const auto key = param(c.key());
            const auto si_unit = param(low.unit);
            const auto from = param(low.value);
            const auto to = param(high.value);
            term = fmt::format("d.id IN (SELECT dataset_id FROM dataset_metadata{} WHERE key_id = (SELECT id FROM "
                               "metadata_key WHERE key = {}) AND si_unit = {} AND si IS NOT NULL AND si BETWEEN {} "
                               "AND {})",
                               hint, key, si_unit, from, to);
        } else if (c.op() == query::Op::eq && xs.size() == 1 && xs[0].value.is<std::string>()) {
            const auto key = param(c.key());
            const auto value = param(xs[0].value.as<std::string>());
            term = fmt::format("d.id IN (SELECT dataset_id FROM dataset_metadata{} WHERE key_id = (SELECT id FROM "
                               "metadata_key WHERE key = {}) AND type = {} AND value = {})",
                               hint, key, stored_code(ValueType::string), value);
        } else {
            throw std::logic_error(
                fmt::format("the baseline writes SQL for a number range or a string equality, not for `{}`",
                            c.to_string()));
        }
        sql.text += (i ? " AND " : "") + term;
    }
    if (conditions.empty()) throw std::logic_error("the baseline needs at least one condition");
    sql.text += " ORDER BY d.id";
    return sql;
}

std::string number_text(double v) {
    char buf[32];
    return {buf, std::to_chars(buf, buf + sizeof buf, v).ptr};
}

// The database asked directly, beside the library, for the full scan whose time is the baseline.
class Direct {
public:
    virtual ~Direct() = default;
    virtual std::vector<std::string> pids(const Sql& sql) = 0;
    virtual std::vector<std::string> plan(const Sql& sql) = 0;
    virtual std::string engine_version() = 0;
    // The query as a full scan: SQL whose plan reads dataset_metadata in full through no index,
    // checked; throws if the engine cannot be made to. `note` says what it took, if more than
    // the obvious.
    virtual Sql full_scan(const query::Expr& filter, std::string& note) = 0;
};

bool mentions(const std::string& line, std::string_view word) { return line.find(word) != std::string::npos; }

class SqliteDirect final : public Direct {
public:
    explicit SqliteDirect(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
            const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw std::runtime_error(fmt::format("baseline: cannot open '{}': {}", path, message));
        }
        // As the library's readers: the file read through a memory map (src/store/sqlite/sqlite_file.cpp),
        // so that the scan is not slowed by a smaller page cache than the library has.
        exec("PRAGMA mmap_size = 17179869184");
    }
    ~SqliteDirect() override { sqlite3_close(db_); }
    SqliteDirect(const SqliteDirect&) = delete;
    SqliteDirect& operator=(const SqliteDirect&) = delete;

    std::vector<std::string> pids(const Sql& sql) override {
        std::vector<std::string> out;
        run(sql.text, sql.params, [&](sqlite3_stmt* st) { out.emplace_back(column(st, 0)); });
        return out;
    }

    std::vector<std::string> plan(const Sql& sql) override {
        std::vector<std::string> out;
        run("EXPLAIN QUERY PLAN " + sql.text, sql.params, [&](sqlite3_stmt* st) { out.emplace_back(column(st, 3)); });
        return out;
    }

    std::string engine_version() override { return fmt::format("SQLite {}", sqlite3_libversion()); }

    // Some SQLite versions (3.40.1, Debian 12's, among them) ignore NOT INDEXED on a WITHOUT ROWID
    // table and still search dataset_metadata's (key_id, si) index. Such a table is stored in the
    // b-tree of its primary key, so naming that b-tree with INDEXED BY reads the table itself,
    // row by row, which is what NOT INDEXED asks for.
    Sql full_scan(const query::Expr& filter, std::string& note) override {
        auto sql = scan_sql(filter, false, " NOT INDEXED");
        if (scans_table(plan(sql))) return sql;
        std::string pk;
        run("SELECT name FROM pragma_index_list('dataset_metadata') WHERE origin = 'pk'", {},
            [&](sqlite3_stmt* st) { pk = column(st, 0); });
        if (pk.empty()) throw std::runtime_error("baseline: dataset_metadata has no primary-key b-tree to scan");
        const std::string hint = " INDEXED BY " + pk;
        sql = scan_sql(filter, false, hint);
        const auto p = plan(sql);
        if (!scans_table(p))
            throw std::runtime_error(fmt::format("baseline: SQLite uses an index for the full scan even with{}:\n{}",
                                                 hint, fmt::join(p, "\n")));
        note = fmt::format("SQLite {} ignores `NOT INDEXED` on `dataset_metadata` (a WITHOUT ROWID table): its plan "
                           "still searched an index. The baseline therefore names the table's own b-tree, that of its "
                           "primary key, with `{}`, and its plan reads the whole table (`SCAN dataset_metadata`).",
                           sqlite3_libversion(), hint.substr(1));
        return sql;
    }

private:
    // Every access to dataset_metadata is a SCAN of the table, none through an index.
    static bool scans_table(const std::vector<std::string>& plan) {
        bool scan = false;
        for (const auto& line : plan) {
            if (!mentions(line, "dataset_metadata")) continue;
            if (!line.starts_with("SCAN dataset_metadata") || mentions(line, " INDEX ")) return false;
            scan = true;
        }
        return scan;
    }
    static std::string column(sqlite3_stmt* st, int i) {
        const auto* text = sqlite3_column_text(st, i);
        return text ? reinterpret_cast<const char*>(text) : "";
    }
    [[noreturn]] void fail(std::string_view what) const {
        throw std::runtime_error(fmt::format("baseline: SQLite failed {}: {}", what, sqlite3_errmsg(db_)));
    }
    void exec(const char* sql) {
        if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
    }
    void run(const std::string& sql, const std::vector<Param>& params, const std::function<void(sqlite3_stmt*)>& row) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) fail("preparing `" + sql + "`");
        const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owned(st, sqlite3_finalize);
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int at = static_cast<int>(i + 1);
            std::visit(
                [&](const auto& v) {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::int64_t>) sqlite3_bind_int64(st, at, v);
                    else if constexpr (std::is_same_v<T, double>) sqlite3_bind_double(st, at, v);
                    else sqlite3_bind_text(st, at, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
                },
                params[i]);
        }
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) row(st);
        if (rc != SQLITE_DONE) fail("running `" + sql + "`");
    }

    sqlite3* db_ = nullptr;
};

class PostgresConnection {
public:
    explicit PostgresConnection(const std::string& uri) : c_(PQconnectdb(uri.c_str())) {
        if (!c_ || PQstatus(c_) != CONNECTION_OK) {
            const std::string message = c_ ? PQerrorMessage(c_) : "out of memory";
            PQfinish(c_);
            throw std::runtime_error(fmt::format("cannot connect to PostgreSQL: {}", message));
        }
    }
    ~PostgresConnection() { PQfinish(c_); }
    PostgresConnection(const PostgresConnection&) = delete;
    PostgresConnection& operator=(const PostgresConnection&) = delete;

    // Each row's first column; parameters as text, their types inferred by the server (as the
    // library sends them).
    std::vector<std::string> column(const std::string& sql, const std::vector<Param>& params = {}) {
        std::vector<std::string> texts;
        for (const auto& p : params)
            texts.push_back(std::visit(
                [](const auto& v) -> std::string {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::int64_t>) return std::to_string(v);
                    else if constexpr (std::is_same_v<T, double>) return number_text(v);
                    else return v;
                },
                p));
        std::vector<const char*> values;
        for (const auto& t : texts) values.push_back(t.c_str());
        PGresult* r = PQexecParams(c_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                   nullptr, 0);
        const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            const std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(c_);
            PQclear(r);
            throw std::runtime_error(fmt::format("PostgreSQL failed `{}`: {}", sql, message));
        }
        std::vector<std::string> out;
        out.reserve(static_cast<std::size_t>(PQntuples(r)));
        for (int i = 0; i < PQntuples(r); ++i) out.emplace_back(PQgetvalue(r, i, 0));
        PQclear(r);
        return out;
    }
    // Commands without parameters, several at once.
    void exec(const std::string& sql) {
        PGresult* r = PQexec(c_, sql.c_str());
        const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        const std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(c_);
        PQclear(r);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            throw std::runtime_error(fmt::format("PostgreSQL failed `{}`: {}", sql, message));
    }
    PGconn* get() const noexcept { return c_; }

private:
    PGconn* c_;
};

// The scan's session may read a table only in full: index, bitmap and index-only scans off. Nested
// loops are off too: left on, the planner joined the two scans of the string-and-range query in a
// nested loop over the rows of one, several times slower than the scans themselves (4.1 s against
// 0.6 s at 1,000,000 datasets), which would flatter the library. Without them it hashes.
constexpr std::string_view postgres_scan_settings =
    "SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off; "
    "SET enable_nestloop = off";

class PostgresDirect final : public Direct {
public:
    explicit PostgresDirect(const std::string& uri) : scan_(uri) { scan_.exec(std::string(postgres_scan_settings)); }

    std::vector<std::string> pids(const Sql& sql) override { return scan_.column(sql.text, sql.params); }

    std::vector<std::string> plan(const Sql& sql) override {
        return scan_.column("EXPLAIN (COSTS OFF) " + sql.text, sql.params);
    }

    std::string engine_version() override {
        const char* v = PQparameterStatus(scan_.get(), "server_version");
        return fmt::format("PostgreSQL {}", v ? std::string(v).substr(0, std::string(v).find(' ')) : "unknown");
    }

    Sql full_scan(const query::Expr& filter, std::string&) override {
        auto sql = scan_sql(filter, true);
        const auto p = plan(sql);
        for (const auto& line : p)
            if (mentions(line, "Index"))
                throw std::runtime_error(
                    fmt::format("baseline: PostgreSQL uses an index with index scans off:\n{}", fmt::join(p, "\n")));
        return sql;
    }

private:
    PostgresConnection scan_;
};

// ---------------------------------------------------------------------------------------------
// Measuring

// One query as the benchmark asks it: through the library, and as the baseline's full scan.
struct Shape {
    std::string label;  // how the output names it
    std::string text;   // the query language text given to DatasetQuery::matching
    DatasetQuery query;
    Sql scan;
    std::size_t found = 0;
    std::vector<double> count_ms, find_ms, scan_ms;
    std::vector<std::string> library_plan, scan_plan;

    // How many times longer the full scan took than `side`, by medians.
    double ratio(const std::vector<double>& side) const { return median(scan_ms) / median(side); }
};

Shape make_shape(std::string label, std::string text) {
    Shape s;
    s.label = std::move(label);
    s.text = std::move(text);
    s.query.matching(s.text);
    return s;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

// The library's answer and another side's, by PID; the run stops unless they are the same.
// `side` names the other side in the message ("the baseline"), `short_name` in its details.
void check_same(const Shape& s, const std::vector<std::string>& library, std::size_t counted,
                const std::vector<std::string>& other, std::string_view side, std::string_view short_name) {
    if (library.empty())
        throw std::runtime_error(fmt::format("`{}` found no datasets, so the comparison would prove nothing: the "
                                             "fixture or the query's bounds are wrong",
                                             s.text));
    std::vector<std::string> problems;
    if (counted != library.size())
        problems.push_back(fmt::format("count_datasets says {}, find_datasets returned {}", counted, library.size()));
    const auto a = sorted(library), b = sorted(other);
    if (a != b) {
        std::vector<std::string> only_library, only_other;
        std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only_library));
        std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(only_other));
        problems.push_back(fmt::format("the library found {} datasets, {} {}; {} only by the library (first: {}), {} "
                                       "only by {} (first: {})",
                                       a.size(), short_name, b.size(), only_library.size(),
                                       only_library.empty() ? "-" : only_library.front(), only_other.size(),
                                       short_name, only_other.empty() ? "-" : only_other.front()));
    }
    if (!problems.empty()) {
        std::string message =
            fmt::format("`{}`: the library and {} disagree, so the comparison is void:", s.text, side);
        for (const auto& p : problems) message += "\n  " + p;
        throw std::runtime_error(message);
    }
}

// ---------------------------------------------------------------------------------------------
// Describing the run

std::string per_round(const std::vector<double>& v) {
    std::string out;
    for (const double x : v) out += (out.empty() ? "" : ", ") + ms_text(x);
    return out;
}

const char* yes_no(bool b) { return b ? "yes" : "no"; }

struct Run {
    const Options* options = nullptr;
    Fixture fixture;
    std::vector<Shape> shapes;
    std::string engine_version, date;
    double load_start = 0, load_end = 0;
    std::size_t metadata_rows = 0;
    std::string scan_note;  // what it took to make the engine scan, where more than the obvious
};

std::string plan_text(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += "    " + l + "\n";
    return out;
}

std::string docs_section(const Run& run) {
    const auto& o = *run.options;
    const bool pg = o.postgres();
    const std::string start = pg ? "<!-- bench:query-postgres:start -->" : "<!-- bench:query:start -->";
    const std::string end = pg ? "<!-- bench:query-postgres:end -->" : "<!-- bench:query:end -->";
    const std::string command = pg ? "scripts/with-postgres.sh build/cpp/bench/bench_query --engine postgres"
                                   : "build/cpp/bench/bench_query";
    std::string s = start + "\n";
    s += pg ? "## Metadata range query on PostgreSQL\n\n" : "## Metadata range query\n\n";
    s += fmt::format("<!-- Generated by `{} --write-docs`; edits between the markers are overwritten. -->\n\n",
                     command);

    const double rate = run.fixture.seconds > 0 ? static_cast<double>(o.datasets) / run.fixture.seconds : 0;
    s += fmt::format(
        "**The catalogue.** {} datasets in {}, registered with `Catalog::register_datasets` in batches of {}, so "
        "the tables and indexes are the library's own; that took {:.{}f} s ({} datasets/s). Each dataset has 10 "
        "metadata values ({} rows of `dataset_metadata` in all), quantities in mixed units as people type them: "
        "`energy` 5 to 25 keV, spread evenly (one dataset in three in eV), `sample.temperature` 80 to 300 K (one in "
        "four in degC), `detector.distance` 100 to 1000 mm (one in five in m), `scan.exposure_time` (one in six in "
        "ms), `beam.current` in mA; the strings `detector.name` (eiger 40%, pilatus 30%, jungfrau 20%, maxipix "
        "10%), `sample.name` (5,000 names) and `scan.type`; an integer `scan.frames`; a bool "
        "`attenuator.inserted`. No files.\n\n",
        thousands(o.datasets), pg ? "a new PostgreSQL database" : "a new catalogue file", thousands(o.batch),
        run.fixture.seconds, run.fixture.seconds < 10 ? 1 : 0, thousands(static_cast<std::uint64_t>(std::lround(rate))),
        thousands(run.metadata_rows));
    if (pg && run.fixture.seconds > 600)
        s += fmt::format("Building it took {:.0f} minutes: the library's registration rate on PostgreSQL over a Unix "
                         "socket, which the registration benchmark measures.\n\n",
                         run.fixture.seconds / 60);

    s += "**The queries**, through the public API: `DatasetQuery::matching(...)` with the query language "
         "([query language](query.md)), then `Catalog::count_datasets` (the number) and `Catalog::find_datasets` "
         "(the full records: fields, investigation PID and all 10 metadata values of every dataset found).\n\n";
    for (const auto& sh : run.shapes)
        s += fmt::format("- {}: `{}`, {} datasets found.\n", sh.label, sh.text, thousands(sh.found));
    s += "\n";
    s += "**The library's SQL** is what it sends today, not rebuilt here: the plans below are `Catalog::explain`'s, "
         "the engine's plan of the SQL `find_datasets` sends. In a conjunction the library's SQL generator "
         "(`src/store/sql_query.hpp`) lets the best metadata condition drive, a number's equality or range first, "
         "as `d.id IN (SELECT dataset_id FROM dataset_metadata ...)` read through the (key, SI value) index, and "
         "checks every other metadata condition per dataset by primary key as a correlated `EXISTS (SELECT 1 FROM "
         "dataset_metadata m WHERE m.dataset_id = d.id AND m.key_id = ...)`.\n\n";
    s += "**The baseline** is written by hand in the benchmark from the same conditions, one `d.id IN (SELECT "
         "dataset_id FROM dataset_metadata WHERE key_id = ... AND si_unit = ... AND si BETWEEN ... AND ...)` per "
         "condition (for a string: `type = 0 AND value = ...`), ";
    s += pg ? "run through libpq on the same database in a session with `enable_indexscan`, `enable_bitmapscan` and "
              "`enable_indexonlyscan` off, so that the planner reads every table in full, and `enable_nestloop` off "
              "too: left on, the planner joined the two scans of the string-and-range query in a nested loop over "
              "the rows of one, several times slower than the scans themselves, which would flatter the library. "
            : "with `dataset_metadata NOT INDEXED`, run through the sqlite3 C API on the same file, memory-mapped as "
              "the library's readers map it. ";
    s += "It returns the PIDs, and must find exactly the datasets the library found, or the run fails; its plan must "
         "read `dataset_metadata` in full, through no index, or the run fails too.";
    if (!run.scan_note.empty()) s += " " + run.scan_note;
    s += "\n\n";

    s += fmt::format("Measured {} on {} ({} cores, {:.0f} GiB RAM), {}, load average {:.1f} when the run started and "
                     "{:.1f} when it ended; {}{}, compiler {}, datatrail {}.\n\n",
                     run.date, cpu_model(), std::thread::hardware_concurrency(), memory_gib(), os_name(),
                     run.load_start, run.load_end, run.engine_version,
                     pg ? " (the throwaway test server of `scripts/with-postgres.sh` on the same machine, reached "
                          "through a Unix socket, `shared_buffers` 32 MB)"
                        : "",
                     DATATRAIL_BENCH_COMPILER, datatrail::version);

    s += fmt::format("| query | what is timed | ms (median) | full scan time / this | ≥ {:.0f}× | < {:.0f} ms |\n",
                     speedup_target, latency_target_ms);
    s += "| --- | --- | ---: | ---: | --- | --- |\n";
    for (const auto& sh : run.shapes) {
        const auto row = [&](std::string_view what, const std::vector<double>& v) {
            const double ratio = sh.ratio(v);
            return fmt::format("| | {} | {} | **{}** | {} | {} |\n", what, ms_text(median(v)), ratio_text(ratio),
                               yes_no(ratio >= speedup_target), yes_no(median(v) < latency_target_ms));
        };
        s += fmt::format("| {}: {} datasets | full scan (the baseline) | {} | | | |\n", sh.label, thousands(sh.found),
                         ms_text(median(sh.scan_ms)));
        s += row("`count_datasets`", sh.count_ms);
        s += row("`find_datasets`", sh.find_ms);
    }
    s += "\n";
    s += fmt::format("- Wall-clock medians of {} rounds in one process, the cache warm (an untimed round first, which "
                     "also checked every answer). In each round every side of a query runs once, in an order rotated "
                     "from round to round, so all sides share the machine's noise. Per round (ms):",
                     o.repeat);
    for (const auto& sh : run.shapes)
        s += fmt::format(" {}: scan {}; count {}; find {}.", sh.label, per_round(sh.scan_ms), per_round(sh.count_ms),
                         per_round(sh.find_ms));
    s += "\n";
    s += fmt::format("- The targets (design.md: ≥ {:.0f}× faster than a full scan of the same table, under {:.0f} "
                     "ms) are read for each call.\n",
                     speedup_target, latency_target_ms);
    for (const auto& sh : run.shapes) {
        const double find = median(sh.find_ms), count = median(sh.count_ms);
        if (sh.ratio(sh.find_ms) < speedup_target && sh.ratio(sh.count_ms) >= speedup_target)
            s += fmt::format("- {}: `find_datasets` takes {} ms more than `count_datasets`: after finding the "
                             "datasets it reads their records, {} datasets with 10 metadata values each.\n",
                             sh.label, ms_text(find - count), thousands(sh.found));
    }
    s += std::string("- The plans: the library's from `Catalog::explain` (") +
         (pg ? "PostgreSQL's `EXPLAIN`, with the planner's estimates" : "SQLite's `EXPLAIN QUERY PLAN`") +
         "), the baseline's from `" + (pg ? "EXPLAIN (COSTS OFF)" : "EXPLAIN QUERY PLAN") +
         "` of its SQL on the same database:\n\n";
    for (const auto& sh : run.shapes) {
        s += fmt::format("  {}, the library (`Catalog::explain`):\n\n  ```text\n{}  ```\n\n", sh.label,
                         plan_text(sh.library_plan));
        s += fmt::format("  {}, the baseline:\n\n  ```text\n{}  ```\n\n", sh.label, plan_text(sh.scan_plan));
    }
    s += fmt::format("Reproduce with `make bench`; on its own, `{}` (`--help` for the options; `--datasets N` for "
                     "another size). Regenerate this section with `--write-docs`.\n",
                     command);
    s += end;
    return fold(s);
}

// ---------------------------------------------------------------------------------------------

int run(const Options& o) {
    if (o.write_docs && !o.catalogue.empty())
        throw std::invalid_argument("--write-docs reports how long the catalogue took to build: run it without "
                                    "--catalogue, so that the catalogue is built in the run");
    Run result;
    result.options = &o;
    result.load_start = load_average();
    result.date = format_time(now()).substr(0, 10);

    std::optional<TempDir> tmp;
    std::optional<ScratchDatabase> scratch;
    std::string location = o.catalogue;
    if (location.empty()) {
        if (o.postgres()) location = scratch.emplace(o.uri, "dt_bench_query", "bench_query").uri();
        else location = (tmp.emplace("datatrail-bench-query-").path / "catalogue.db").string();
    }
    result.fixture = build_fixture(location, o.datasets, o.batch);

    // The second shape's string condition first, as a user might write it: which condition drives is
    // the library's choice, whatever their order. The window is the first shape's.
    const double width_kev = energy_span_kev * std::min(500.0, static_cast<double>(o.datasets) / 4) /
                             static_cast<double>(o.datasets);
    std::string upper = fmt::format("{:.6f}", 12.0 + width_kev);
    upper.erase(upper.find_last_not_of('0') + 1);
    if (upper.back() == '.') upper.pop_back();
    const std::string range = fmt::format("energy between 12 and {} keV", upper);
    result.shapes.push_back(make_shape("range", range));
    result.shapes.push_back(make_shape("string and range", "detector.name == \"eiger\" and " + range));

    const Catalog cat(location);
    std::unique_ptr<Direct> direct;
    if (o.postgres()) direct = std::make_unique<PostgresDirect>(location);
    else direct = std::make_unique<SqliteDirect>(location);
    result.engine_version = direct->engine_version();
    result.metadata_rows = o.datasets * 10;

    // The untimed round: warms the cache and checks every answer.
    for (auto& s : result.shapes) {
        const auto found = cat.find_datasets(s.query);
        std::vector<std::string> library;
        for (const auto& d : found) library.push_back(d.pid);
        const std::size_t counted = cat.count_datasets(s.query);
        s.scan = direct->full_scan(s.query.filter, result.scan_note);
        auto scanned = direct->pids(s.scan);
        if (o.corrupt_baseline && !scanned.empty()) scanned.pop_back();
        check_same(s, library, counted, scanned, "the baseline", "the scan");
        s.found = library.size();
        s.library_plan = lines_of(cat.explain(s.query));
        s.scan_plan = direct->plan(s.scan);
        fmt::print("{}: `{}` finds {} datasets; the full scan finds the same\n", s.label, s.text, s.found);
        fmt::print("  plan of the library's query (Catalog::explain):\n{}", plan_text(s.library_plan));
        fmt::print("  plan of the baseline:\n{}", plan_text(s.scan_plan));
    }
    if (!result.scan_note.empty()) fmt::print("{}\n", result.scan_note);
    std::fflush(stdout);

    // Every side once per round, the order rotated, so each shares the machine's noise; answers
    // are checked by size every time (in full above).
    enum Side { count, find, scan, sides };
    for (std::size_t r = 0; r < o.repeat; ++r) {
        for (auto& s : result.shapes) {
            for (std::size_t k = 0; k < sides; ++k) {
                const auto side = static_cast<Side>((r + k) % sides);
                const auto t = std::chrono::steady_clock::now();
                std::size_t n = 0;
                switch (side) {
                    case count: n = cat.count_datasets(s.query); break;
                    case find: n = cat.find_datasets(s.query).size(); break;
                    case scan: n = direct->pids(s.scan).size(); break;
                    case sides: break;
                }
                const double ms = ms_since(t);
                if (n != s.found)
                    throw std::runtime_error(
                        fmt::format("`{}` found {} datasets in round {}, {} before", s.text, n, r + 1, s.found));
                std::vector<double>* times[] = {&s.count_ms, &s.find_ms, &s.scan_ms};
                times[side]->push_back(ms);
            }
        }
        fmt::print("  round {} of {} done\n", r + 1, o.repeat);
        std::fflush(stdout);
    }
    result.load_end = load_average();

    fmt::print("{}, {} datasets, medians of {} rounds (wall clock):\n", result.engine_version, o.datasets, o.repeat);
    for (const auto& s : result.shapes) {
        const double c = median(s.count_ms), f = median(s.find_ms);
        fmt::print("  {}: `{}`, {} datasets\n", s.label, s.text, s.found);
        fmt::print("    full scan (baseline):   {} ms\n", ms_text(median(s.scan_ms)));
        fmt::print("    library count_datasets: {} ms\n", ms_text(c));
        fmt::print("    library find_datasets:  {} ms\n", ms_text(f));
        for (const auto& [call, times] : {std::pair{"count", &s.count_ms}, std::pair{"find", &s.find_ms}}) {
            const double ratio = s.ratio(*times);
            fmt::print("    {} ratio scan/{}: {:.1f} (target >= {:.0f}: {})\n", s.label, call, ratio, speedup_target,
                       ratio >= speedup_target ? "met" : "not met");
        }
        fmt::print("    under {:.0f} ms: count {}, find {}\n", latency_target_ms, yes_no(c < latency_target_ms),
                   yes_no(f < latency_target_ms));
    }
    if (result.fixture.built) fmt::print("  the catalogue took {:.1f} s to build\n", result.fixture.seconds);

    if (o.write_docs) {
        write_section(o.docs, docs_section(result));
        fmt::print("wrote the {} section of {}\n", o.postgres() ? "query-postgres" : "query", o.docs.string());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return bench::guarded_main("bench_query", [&] { return run(parse_args(argc, argv)); });
}
