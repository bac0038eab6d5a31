// Registration throughput: Catalog::register_datasets against raw SQLite prepared inserts of the
// same rows, measured in one process, interleaved (baseline, datatrail, baseline, ...), so both
// share the machine's noise. The ratio datatrail/baseline is what the performance budget in
// design.md targets (>= 0.8).
//
// The baseline is the floor the library's SQL could reach: every input it needs (PIDs, times as
// text, SI values, the full-text row) is computed before its clock starts, and it inserts with
// sqlite3 prepared statements reused across the run. The rows it writes are checked to equal the
// library's, table by table, after the first pair of runs; a difference fails the run, so the
// baseline cannot drift from what the library stores.
#include <datatrail/catalog.hpp>
#include <datatrail/pid.hpp>
#include <datatrail/time.hpp>
#include <datatrail/units.hpp>
#include <datatrail/version.hpp>

#include "bench_register.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <pwd.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

namespace fs = std::filesystem;
using namespace datatrail;

namespace bench {

// ---------------------------------------------------------------------------------------------
// The data: one description per dataset, from which both sides' inputs are made.

Dataset make_dataset(std::size_t i) {
    static const Timestamp t0 = parse_time("2026-03-01T08:00:00Z");
    Dataset d;
    d.kind = DatasetKind::raw;
    d.name = fmt::format("scan_{:06}", i);
    d.investigation = std::string(investigation_name);
    d.location = fmt::format("/data/visitor/bench-2026/id00/scan_{:06}", i);
    const auto k = static_cast<std::int64_t>(i);
    d.metadata = {
        {"beam.energy", {12.7 + 0.001 * static_cast<double>(i % 1000), "keV"}},
        {"detector.distance", {250.0 + static_cast<double>(i % 50), "mm"}},
        {"sample.temperature", {-20.0 + 0.5 * static_cast<double>(i % 200), "degC"}},
        {"scan.exposure", {0.05 * static_cast<double>(1 + i % 20), "s"}},
        {"scan.points", {std::int64_t{100} + k % 900}},
        {"detector.roi_width", {std::int64_t{2048} - k % 64, "pixel"}},
        {"scan.mode", {i % 3 ? "step" : "fly"}},
        {"sample.name", {fmt::format("sample_{:03}", i % 250)}},
        {"shutter.open", {i % 7 != 0}},
        {"scan.started", {t0 + std::chrono::seconds(37 * k)}},
    };
    Datafile f;
    f.path = fmt::format("scan_{:06}.nxs", i);
    f.size = (std::uint64_t{1} << 24) + mix(i) % (std::uint64_t{1} << 20);
    f.sha256 = fmt::format("{:016x}{:016x}{:016x}{:016x}", mix(4 * i), mix(4 * i + 1), mix(4 * i + 2), mix(4 * i + 3));
    d.files.push_back(std::move(f));
    return d;
}

// ---------------------------------------------------------------------------------------------
// The baseline's input: the same rows, already in the form the catalogue stores them.

namespace {

// The code of a ValueType as stored in dataset_metadata.type.
constexpr std::int64_t type_code(ValueType t) { return stored_code(t); }

// The class of value a key holds, as metadata_key.value_class names it.
std::string value_class(ValueType t) {
    switch (t) {
        case ValueType::integer:
        case ValueType::floating: return "number";
        case ValueType::string: return "string";
        case ValueType::boolean: return "bool";
        case ValueType::datetime: return "datetime";
        case ValueType::json: return "json";
        default: return "array";
    }
}

// What the library's validation produces for one value, computed with the public API up front.
MetaRow meta_row(std::size_t key, const MetadataValue& mv) {
    MetaRow r;
    r.key = key;
    r.type = type_code(mv.value.type());
    r.unit = mv.unit;
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) {
                r.value = x;
            } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
                r.value = x;
                const auto q = units::to_si({static_cast<double>(x), mv.unit});
                r.si = q.value;
                r.si_unit = q.unit;
            } else if constexpr (std::is_same_v<T, bool>) {
                r.value = std::int64_t{x ? 1 : 0};
            } else if constexpr (std::is_same_v<T, Timestamp>) {
                r.value = format_time(x);
                r.si = std::chrono::duration<double>(x.time_since_epoch()).count();
                r.si_unit = "datetime";
            } else {
                throw std::logic_error("the benchmark's data has only scalar metadata");
            }
        },
        mv.value.variant());
    return r;
}

}  // namespace

BaseInput base_input(const std::vector<Dataset>& datasets) {
    BaseInput in;
    in.rows.reserve(datasets.size());
    for (const auto& d : datasets) {
        BaseRow row;
        row.name = d.name;
        row.location = d.location;
        const auto& f = d.files.front();
        row.path = f.path;
        row.sha256 = f.sha256;
        row.size = static_cast<std::int64_t>(*f.size);
        row.format = guess_format(f.path);
        for (const auto& k : d.keywords) row.fts_keywords += k + ' ';
        for (const auto& k : d.techniques) row.fts_keywords += k + ' ';
        for (const auto& [key, mv] : d.metadata) {  // std::map: key order, as the library inserts
            auto it = std::find_if(in.keys.begin(), in.keys.end(), [&](const KeyRow& k) { return k.key == key; });
            const auto index = static_cast<std::size_t>(it - in.keys.begin());
            row.metadata.push_back(meta_row(index, mv));
            if (it == in.keys.end()) {
                const auto& m = row.metadata.back();
                in.keys.push_back({key, value_class(mv.value.type()), m.si_unit, m.unit});
            }
            if (mv.value.is<std::string>()) row.fts_metadata += mv.value.as<std::string>() + ' ';
        }
        in.rows.push_back(std::move(row));
    }
    return in;
}

std::string current_user() {
    if (const char* user = std::getenv("USER"); user && *user) return user;
    if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
    return "unknown";
}

void create_catalogue(const std::string& location) {
    Catalog cat(location);
    Investigation inv;
    inv.name = std::string(investigation_name);
    inv.title = "Registration benchmark";
    cat.add_investigation(inv);
}

}  // namespace bench

namespace {

using namespace bench;

constexpr std::string_view usage =
    "usage: bench_register [--engine sqlite|postgres] [--uri URI] [--n N] [--batch B] [--repeat R] [--json PATH]\n"
    "                      [--only baseline|datatrail]\n"
    "  --engine E   sqlite (default): a fresh catalogue file per run, against the sqlite3 C API;\n"
    "               postgres: a fresh database per run on the server at --uri, against libpq\n"
    "  --uri URI    a libpq URI of a role that may create databases (default: $DATATRAIL_TEST_POSTGRES)\n"
    "  --n N        datasets per run (default 20000)\n"
    "  --batch B    datasets per register_datasets call / per transaction (default 1000)\n"
    "  --repeat R   runs of each side, interleaved; the median rate is reported (default 3)\n"
    "  --json PATH  write the result as one JSON object to PATH (default: last line of stdout)\n"
    "  --only SIDE  run one side only, for profiling; no ratio, no row check\n";

struct Options {
    std::string engine = "sqlite";
    std::string uri;
    std::size_t n = 20000;
    std::size_t batch = 1000;
    std::size_t repeat = 3;
    std::string json_path;
    std::string only;  // "", "baseline" or "datatrail"
};

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "-h" || a == "--help") {
            fmt::print("{}", usage);
            std::exit(0);
        }
        if (i + 1 >= argc) throw std::invalid_argument(fmt::format("{} needs a value (or unknown option)\n{}", a, usage));
        const std::string_view v = argv[++i];
        if (a == "--engine") {
            if (v != "sqlite" && v != "postgres")
                throw std::invalid_argument(fmt::format("--engine takes sqlite or postgres, not '{}'", v));
            o.engine = v;
        } else if (a == "--uri") o.uri = v;
        else if (a == "--n") o.n = parse_count(a, v, "needs");
        else if (a == "--batch") o.batch = parse_count(a, v, "needs");
        else if (a == "--repeat") o.repeat = parse_count(a, v, "needs");
        else if (a == "--json") o.json_path = v;
        else if (a == "--only") {
            if (v != "baseline" && v != "datatrail")
                throw std::invalid_argument(fmt::format("--only takes baseline or datatrail, not '{}'", v));
            o.only = v;
        } else throw std::invalid_argument(fmt::format("unknown option '{}'\n{}", a, usage));
    }
    if (o.engine == "postgres" && o.uri.empty()) {
        if (const char* env = std::getenv("DATATRAIL_TEST_POSTGRES"); env && *env) o.uri = env;
        else throw std::invalid_argument("--engine postgres needs --uri URI or DATATRAIL_TEST_POSTGRES (scripts/with-postgres.sh sets it)");
    }
    if (o.engine != "postgres" && !o.uri.empty()) throw std::invalid_argument("--uri is for --engine postgres only");
    return o;
}

// ---------------------------------------------------------------------------------------------
// Raw SQLite

[[noreturn]] void sqlite_fail(sqlite3* db, std::string_view what) {
    throw std::runtime_error(fmt::format("baseline: SQLite failed while {}: {}", what, sqlite3_errmsg(db)));
}

void exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string message = err ? err : "?";
        sqlite3_free(err);
        throw std::runtime_error(fmt::format("baseline: SQLite failed running `{}`: {}", sql, message));
    }
}

class Stmt {
public:
    Stmt(sqlite3* db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st_, nullptr) != SQLITE_OK)
            sqlite_fail(db, fmt::format("preparing `{}`", sql));
    }
    ~Stmt() { sqlite3_finalize(st_); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    sqlite3_stmt* get() const { return st_; }
    // The strings bound outlive the step: no copy (SQLITE_STATIC).
    void text(int i, const std::string& s) { sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC); }
    void text(int i, std::string_view s) { sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC); }
    void integer(int i, std::int64_t v) { sqlite3_bind_int64(st_, i, v); }
    void real(int i, double v) { sqlite3_bind_double(st_, i, v); }
    void null(int i) { sqlite3_bind_null(st_, i); }
    void run() {
        if (sqlite3_step(st_) != SQLITE_DONE) sqlite_fail(db_, fmt::format("running `{}`", sqlite3_sql(st_)));
        sqlite3_reset(st_);
    }

private:
    sqlite3* db_;
    sqlite3_stmt* st_ = nullptr;
};

struct Connection {
    sqlite3* db = nullptr;
    explicit Connection(const fs::path& path) {
        // As the library opens its writer: read-write, no SQLite mutex (the caller serialises).
        if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
            const std::string message = db ? sqlite3_errmsg(db) : "out of memory";
            sqlite3_close_v2(db);
            throw std::runtime_error(fmt::format("cannot open '{}': {}", path.string(), message));
        }
    }
    ~Connection() { sqlite3_close_v2(db); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
};

// Inserts every row with the sqlite3 C API; returns the time spent, setup excluded.
Seconds run_baseline(const fs::path& path, const BaseInput& in, const std::vector<std::string>& pids, std::size_t batch) {
    create_catalogue(path.string());
    Connection c(path);
    exec(c.db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL");
    sqlite3_busy_timeout(c.db, 10000);
    std::int64_t investigation_id = 0;
    {
        Stmt st(c.db, "SELECT id FROM investigation WHERE name = ?");
        st.text(1, investigation_name);
        if (sqlite3_step(st.get()) != SQLITE_ROW) throw std::runtime_error("baseline: the investigation is missing");
        investigation_id = sqlite3_column_int64(st.get(), 0);
    }
    const std::string user = current_user();
    const std::string empty_array = "[]";

    const Stopwatch clock;
    Stmt dataset(c.db,
                 "INSERT INTO dataset (pid, kind, name, description, investigation_id, instrument_id, sample_id, "
                 "techniques, keywords, start_time, end_time, location, schema_name, state, created_by, created_at) "
                 "VALUES (?, 'raw', ?, '', ?, NULL, NULL, ?, ?, NULL, NULL, ?, '', 'complete', ?, ?)");
    Stmt meta(c.db,
              "INSERT INTO dataset_metadata (dataset_id, key_id, type, value, unit, si, si_unit, uncertainty) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, NULL)");
    Stmt file(c.db,
              "INSERT INTO datafile (dataset_id, path, size, sha256, format, modified) VALUES (?, ?, ?, ?, ?, NULL)");
    Stmt text(c.db, "INSERT INTO dataset_text (rowid, name, description, keywords, metadata) VALUES (?, ?, '', ?, ?)");

    std::vector<std::int64_t> key_ids;
    for (std::size_t first = 0; first < in.rows.size(); first += batch) {
        exec(c.db, "BEGIN IMMEDIATE");
        if (key_ids.empty()) {  // a fresh catalogue: every key is new
            Stmt ins(c.db, "INSERT INTO metadata_key (key, value_class, si_unit, unit) VALUES (?, ?, ?, ?)");
            for (const auto& k : in.keys) {
                ins.text(1, k.key);
                ins.text(2, k.value_class);
                ins.text(3, k.si_unit);
                ins.text(4, k.unit);
                ins.run();
                key_ids.push_back(sqlite3_last_insert_rowid(c.db));
            }
        }
        const std::string created_at = format_time(now());
        const std::size_t last = std::min(first + batch, in.rows.size());
        for (std::size_t i = first; i < last; ++i) {
            const auto& r = in.rows[i];
            dataset.text(1, pids[i]);
            dataset.text(2, r.name);
            dataset.integer(3, investigation_id);
            dataset.text(4, empty_array);
            dataset.text(5, empty_array);
            dataset.text(6, r.location);
            dataset.text(7, user);
            dataset.text(8, created_at);
            dataset.run();
            const auto id = sqlite3_last_insert_rowid(c.db);
            for (const auto& m : r.metadata) {
                meta.integer(1, id);
                meta.integer(2, key_ids[m.key]);
                meta.integer(3, m.type);
                std::visit(
                    [&](const auto& v) {
                        using T = std::decay_t<decltype(v)>;
                        if constexpr (std::is_same_v<T, std::string>) meta.text(4, v);
                        else if constexpr (std::is_same_v<T, double>) meta.real(4, v);
                        else meta.integer(4, v);
                    },
                    m.value);
                meta.text(5, m.unit);
                if (m.si) meta.real(6, *m.si);
                else meta.null(6);
                if (m.si_unit.empty()) meta.null(7);
                else meta.text(7, m.si_unit);
                meta.run();
            }
            file.integer(1, id);
            file.text(2, r.path);
            file.integer(3, r.size);
            file.text(4, r.sha256);
            file.text(5, r.format);
            file.run();
            text.integer(1, id);
            text.text(2, r.name);
            text.text(3, r.fts_keywords);
            text.text(4, r.fts_metadata);
            text.run();
        }
        exec(c.db, "COMMIT");
    }
    return clock.elapsed();
}

// ---------------------------------------------------------------------------------------------
// datatrail

Seconds run_datatrail(const std::string& location, std::vector<std::vector<Dataset>> batches) {
    create_catalogue(location);
    Catalog cat(location);
    std::optional<ServerCpu> server;
    if (is_postgres_uri(location)) server.emplace(location);
    const Stopwatch clock;
    // The returned records are dropped inside the clock: building them is part of the call.
    for (auto& b : batches) cat.register_datasets(std::move(b));
    auto elapsed = clock.elapsed();
    if (server) elapsed.server_cpu = server->seconds();  // before the Catalog closes its connections
    return elapsed;
}

// ---------------------------------------------------------------------------------------------
// The two catalogues must hold the same rows (PIDs and creation times aside).

std::int64_t scalar(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) sqlite_fail(db, "preparing a row check");
    std::int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

void check_same_rows(const fs::path& baseline, const fs::path& library, std::size_t n) {
    Connection c(baseline);
    sqlite3_stmt* attach = nullptr;
    sqlite3_prepare_v2(c.db, "ATTACH ? AS lib", -1, &attach, nullptr);
    const std::string lib_path = library.string();
    sqlite3_bind_text(attach, 1, lib_path.c_str(), -1, SQLITE_TRANSIENT);
    const int rc = sqlite3_step(attach);
    sqlite3_finalize(attach);
    if (rc != SQLITE_DONE) sqlite_fail(c.db, "attaching the library's catalogue");

    // Every column of each table the registration writes, with its storage class, so a column
    // added to the schema is compared without editing this list. PIDs and creation times differ
    // by nature: only their presence and form are compared.
    auto columns_of = [&](std::string_view table) {
        sqlite3_stmt* st = nullptr;
        const std::string sql = fmt::format("SELECT name FROM pragma_table_info('{}', 'main')", table);
        if (sqlite3_prepare_v2(c.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) sqlite_fail(c.db, "listing columns");
        std::string cols = table == "dataset_text" ? "rowid" : "";
        while (sqlite3_step(st) == SQLITE_ROW) {
            const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
            if (!cols.empty()) cols += ", ";
            if (table == "dataset" && name == "pid") cols += "length(pid) > 0";
            else if (table == "dataset" && name == "created_at") cols += "length(created_at)";
            else cols += fmt::format("\"{0}\", typeof(\"{0}\")", name);
        }
        sqlite3_finalize(st);
        return cols;
    };
    struct Table {
        std::string name, columns;
    };
    std::vector<Table> tables = {{"sqlite_schema", "type, name, tbl_name, sql"}};
    for (const char* t : {"dataset", "metadata_key", "dataset_metadata", "datafile", "dataset_text"})
        tables.push_back({t, columns_of(t)});
    std::vector<std::string> problems;
    for (const auto& t : tables) {
        const auto count_main = scalar(c.db, fmt::format("SELECT count(*) FROM main.{}", t.name));
        const auto count_lib = scalar(c.db, fmt::format("SELECT count(*) FROM lib.{}", t.name));
        const auto only_main = scalar(c.db, fmt::format("SELECT count(*) FROM (SELECT {1} FROM main.{0} EXCEPT SELECT {1} FROM lib.{0})",
                                                        t.name, t.columns));
        const auto only_lib = scalar(c.db, fmt::format("SELECT count(*) FROM (SELECT {1} FROM lib.{0} EXCEPT SELECT {1} FROM main.{0})",
                                                       t.name, t.columns));
        if (count_main != count_lib || only_main != 0 || only_lib != 0)
            problems.push_back(fmt::format("{}: baseline {} rows, datatrail {} rows; {} only in the baseline, {} only in datatrail's",
                                           t.name, count_main, count_lib, only_main, only_lib));
    }
    if (scalar(c.db, "SELECT count(*) FROM lib.dataset") != static_cast<std::int64_t>(n))
        problems.push_back(fmt::format("datatrail's catalogue does not hold the {} datasets registered", n));
    if (scalar(c.db, "SELECT count(*) FROM main.dataset_metadata") != static_cast<std::int64_t>(10 * n))
        problems.push_back("the baseline did not write 10 metadata rows per dataset");
    if (!problems.empty()) {
        std::string message = "the baseline and datatrail wrote different rows, so the comparison is void:";
        for (const auto& p : problems) message += "\n  " + p;
        throw std::runtime_error(message);
    }
}

// ---------------------------------------------------------------------------------------------
// Machine description and output

#ifndef DATATRAIL_BENCH_COMPILER
#define DATATRAIL_BENCH_COMPILER "unknown"
#endif

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') out += '\\', out += ch;
        else if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += ch;
    }
    return out + '"';
}

std::string json_numbers(const std::vector<double>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += fmt::format("{}{:.1f}", i ? ", " : "", v[i]);
    return out + ']';
}

void remove_catalogue(const fs::path& p) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix, ec);
}

// One side's rates over the runs: datasets per wall-clock second, per CPU second of this process,
// and (PostgreSQL, server on this host) per CPU second of this process and the server together.
struct Rates {
    std::vector<double> wall, cpu, total_cpu;
};

int run(const Options& o) {
    const bool do_baseline = o.only != "datatrail";
    const bool do_library = o.only != "baseline";

    std::vector<Dataset> datasets;
    datasets.reserve(o.n);
    for (std::size_t i = 0; i < o.n; ++i) datasets.push_back(make_dataset(i));
    const BaseInput base = base_input(datasets);  // also loads the unit database, off the clock

    fmt::print("registering {} datasets (10 metadata values, 1 file each) in batches of {} into {}, {} run(s) per side\n",
               o.n, o.batch, o.engine == "postgres" ? "PostgreSQL" : "SQLite", o.repeat);
    std::fflush(stdout);

    const bool postgres = o.engine == "postgres";
    const std::string baseline_label = postgres ? "raw libpq" : "raw SQLite";
    TempDir tmp("datatrail-bench-");
    Rates base_side, multi_side, lib_side;
    const auto n = static_cast<double>(o.n);
    for (std::size_t r = 0; r < o.repeat; ++r) {
        const fs::path base_path = tmp.path / fmt::format("baseline-{}.sqlite", r);
        const fs::path lib_path = tmp.path / fmt::format("datatrail-{}.sqlite", r);
        // PostgreSQL: a fresh database per side and run, dropped at the end of the run.
        std::optional<ScratchDatabase> base_db, multi_db, lib_db;
        if (postgres)
            base_db.emplace(o.uri, "dt_bench_baseline", "bench_register"),
                lib_db.emplace(o.uri, "dt_bench_datatrail", "bench_register");
        if (postgres && do_baseline) multi_db.emplace(o.uri, "dt_bench_multirow", "bench_register");
        const std::string base_location = postgres ? base_db->uri() : base_path.string();
        const std::string lib_location = postgres ? lib_db->uri() : lib_path.string();
        // One side's run: its rates, and a line naming its times.
        const auto record = [&](const char* label, const Seconds& s, Rates& rates) {
            rates.wall.push_back(n / s.wall);
            rates.cpu.push_back(n / s.cpu);
            std::string server;
            if (s.server_cpu >= 0) {
                rates.total_cpu.push_back(n / (s.cpu + s.server_cpu));
                server = fmt::format(", {:.3f} s server CPU", s.server_cpu);
            }
            fmt::print("  run {}: {:<18} {:>8.0f} datasets/s ({:.3f} s wall, {:.3f} s CPU{})\n", r + 1, label,
                       rates.wall.back(), s.wall, s.cpu, server);
        };
        if (do_baseline) {
            std::vector<std::string> pids;
            pids.reserve(o.n);
            for (std::size_t i = 0; i < o.n; ++i) pids.push_back(new_pid("local"));
            record(baseline_label.c_str(),
                   postgres ? run_postgres_baseline(base_location, base, pids, o.batch, false)
                            : run_baseline(base_path, base, pids, o.batch),
                   base_side);
            if (postgres) {
                // The same rows with the statements datatrail sends: a dataset's metadata in one INSERT.
                for (auto& pid : pids) pid = new_pid("local");
                record("raw libpq multirow", run_postgres_baseline(multi_db->uri(), base, pids, o.batch, true), multi_side);
            }
        }
        if (do_library) {
            std::vector<std::vector<Dataset>> batches;
            for (std::size_t first = 0; first < o.n; first += o.batch)
                batches.emplace_back(datasets.begin() + static_cast<std::ptrdiff_t>(first),
                                     datasets.begin() + static_cast<std::ptrdiff_t>(std::min(first + o.batch, o.n)));
            record("datatrail", run_datatrail(lib_location, std::move(batches)), lib_side);
        }
        std::fflush(stdout);
        if (r == 0 && do_baseline && do_library) {
            if (postgres) {
                check_same_rows_postgres(base_location, lib_location, o.n);
                check_same_rows_postgres(multi_db->uri(), lib_location, o.n);
            }
            else check_same_rows(base_path, lib_path, o.n);
        }
        remove_catalogue(base_path);
        remove_catalogue(lib_path);
    }

    const double base_rate = median(base_side.wall);
    const double lib_rate = median(lib_side.wall);
    const double ratio = base_rate > 0 && lib_rate > 0 ? lib_rate / base_rate : 0;
    const double base_cpu_rate = median(base_side.cpu);
    const double lib_cpu_rate = median(lib_side.cpu);
    const double cpu_ratio = base_cpu_rate > 0 && lib_cpu_rate > 0 ? lib_cpu_rate / base_cpu_rate : 0;
    fmt::print("median of {} run(s), wall clock:\n", o.repeat);
    if (do_baseline) fmt::print("  {} baseline: {:.0f} datasets/s\n", baseline_label, base_rate);
    if (do_library) fmt::print("  datatrail C++:       {:.0f} datasets/s\n", lib_rate);
    const double multi_rate = median(multi_side.wall);
    const double multi_cpu_rate = median(multi_side.cpu);
    // Client and server CPU together: the steadiest measure on a shared machine, where both run.
    const auto total_ratio = [&](const Rates& baseline) {
        const double b = median(baseline.total_cpu), l = median(lib_side.total_cpu);
        return b > 0 && l > 0 ? l / b : 0;
    };
    const double total_cpu_ratio = total_ratio(base_side);
    const double multi_total_cpu_ratio = total_ratio(multi_side);
    const double multi_ratio = multi_rate > 0 && lib_rate > 0 ? lib_rate / multi_rate : 0;
    const double multi_cpu_ratio = multi_cpu_rate > 0 && lib_cpu_rate > 0 ? lib_cpu_rate / multi_cpu_rate : 0;
    if (postgres && do_baseline) fmt::print("  raw libpq multirow baseline: {:.0f} datasets/s\n", multi_rate);
    if (ratio > 0) {
        fmt::print("  ratio datatrail/baseline: {:.3f} (target >= 0.8)\n", ratio);
        fmt::print("  ratio by CPU time:        {:.3f}\n", cpu_ratio);
        if (total_cpu_ratio > 0) fmt::print("  ratio by CPU time, server's included: {:.3f}\n", total_cpu_ratio);
    }
    if (multi_ratio > 0) {
        fmt::print("  ratio datatrail/multirow baseline: {:.3f}\n", multi_ratio);
        fmt::print("  ratio by CPU time:                 {:.3f}\n", multi_cpu_ratio);
        if (multi_total_cpu_ratio > 0)
            fmt::print("  ratio by CPU time, server's included: {:.3f}\n", multi_total_cpu_ratio);
    }
    if (do_baseline && do_library) fmt::print("  rows checked: the baseline wrote the same rows as datatrail\n");

    const unsigned cores = std::thread::hardware_concurrency();
    const std::string json = fmt::format(
        "{{\"benchmark\": \"register\", \"engine\": {}, \"n\": {}, \"batch\": {}, \"repeat\": {}, \"statistic\": \"median\", "
        "\"cpp_rate\": {:.1f}, \"baseline_rate\": {:.1f}, \"ratio\": {:.4f}, \"cpp_rates\": {}, \"baseline_rates\": {}, "
        "\"cpp_cpu_rate\": {:.1f}, \"baseline_cpu_rate\": {:.1f}, \"cpu_ratio\": {:.4f}, "
        "\"multirow_rate\": {:.1f}, \"multirow_rates\": {}, \"multirow_cpu_rate\": {:.1f}, \"multirow_ratio\": {:.4f}, "
        "\"multirow_cpu_ratio\": {:.4f}, \"total_cpu_ratio\": {:.4f}, \"multirow_total_cpu_ratio\": {:.4f}, "
        "\"metadata_per_dataset\": 10, \"files_per_dataset\": 1, "
        "\"machine\": {{\"cpu\": {}, \"cores\": {}, \"os\": {}}}, \"sqlite\": {}, \"postgres\": {}, \"compiler\": {}, "
        "\"datatrail\": {}}}",
        json_string(o.engine), o.n, o.batch, o.repeat, lib_rate, base_rate, ratio, json_numbers(lib_side.wall), json_numbers(base_side.wall),
        lib_cpu_rate, base_cpu_rate, cpu_ratio, multi_rate, json_numbers(multi_side.wall), multi_cpu_rate, multi_ratio,
        multi_cpu_ratio, total_cpu_ratio, multi_total_cpu_ratio,
        json_string(cpu_model("unknown")), cores, json_string(os_name("unknown")), json_string(sqlite3_libversion()),
        json_string(postgres ? postgres_versions(o.uri) : std::string()),
        json_string(DATATRAIL_BENCH_COMPILER), json_string(datatrail::version));
    if (o.json_path.empty()) {
        fmt::print("{}\n", json);
    } else {
        std::ofstream out(o.json_path);
        out << json << '\n';
        if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", o.json_path));
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return bench::guarded_main("bench_register", [&] { return run(parse_args(argc, argv)); });
}
