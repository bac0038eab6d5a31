// bench_register's PostgreSQL side: the raw libpq baseline, the row check between the two
// databases, and the scratch databases each run writes into.
//
// The baseline is what a competent engineer writes with libpq for these rows, knowing nothing of
// datatrail but its tables: one statement per row, each prepared once on the connection and
// executed with text parameters (PQexecPrepared), one transaction per batch, every input (PIDs,
// times as text, SI values, the full-text document) computed before its clock starts. It does
// not pipeline statements or use COPY; datatrail's engine does neither.
#include "bench_register.hpp"

#include <datatrail/catalog.hpp>

#include <fmt/format.h>
#include <libpq-fe.h>

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {
namespace {

// One connection, closed when it goes; every failure thrown with the server's message.
class Conn {
public:
    explicit Conn(const std::string& uri) : c_(PQconnectdb(uri.c_str())) {
        if (!c_ || PQstatus(c_) != CONNECTION_OK) {
            const std::string message = c_ ? PQerrorMessage(c_) : "out of memory";
            PQfinish(c_);
            throw std::runtime_error(fmt::format("baseline: cannot connect to PostgreSQL: {}", message));
        }
        // As datatrail's connections: doubles in and out in their shortest exact text.
        exec("SET extra_float_digits = 3");
    }
    ~Conn() { PQfinish(c_); }
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;
    PGconn* get() const noexcept { return c_; }

    // A finished result of `sql`, or a thrown error naming it.
    PGresult* checked(PGresult* r, std::string_view what) {
        const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
        const std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(c_);
        PQclear(r);
        throw std::runtime_error(fmt::format("baseline: PostgreSQL failed {}: {}", what, message));
    }
    void exec(const std::string& sql) { PQclear(checked(PQexec(c_, sql.c_str()), "running `" + sql + "`")); }
    // Rows of a query, each column as text, the columns joined by a tab.
    std::vector<std::string> rows(const std::string& sql) {
        PGresult* r = checked(PQexec(c_, sql.c_str()), "running `" + sql + "`");
        std::vector<std::string> out;
        out.reserve(static_cast<std::size_t>(PQntuples(r)));
        for (int i = 0; i < PQntuples(r); ++i) {
            std::string row;
            for (int j = 0; j < PQnfields(r); ++j) {
                if (j) row += '\t';
                row += PQgetisnull(r, i, j) ? "<NULL>" : PQgetvalue(r, i, j);
            }
            out.push_back(std::move(row));
        }
        PQclear(r);
        return out;
    }

private:
    PGconn* c_;
};

// A statement prepared once; run() executes it with the parameters set since the last run.
class Prepared {
public:
    Prepared(Conn& conn, std::string name, const std::string& sql, int params)
        : conn_(conn), name_(std::move(name)), values_(static_cast<std::size_t>(params)) {
        PQclear(conn_.checked(PQprepare(conn_.get(), name_.c_str(), sql.c_str(), params, nullptr), "preparing " + name_));
    }
    // Pointers into the caller's strings: they must live until run().
    void set(int i, const std::string& v) { values_[static_cast<std::size_t>(i)] = v.c_str(); }
    void set(int i, const char* v) { values_[static_cast<std::size_t>(i)] = v; }
    void null(int i) { values_[static_cast<std::size_t>(i)] = nullptr; }
    PGresult* run() {
        return conn_.checked(PQexecPrepared(conn_.get(), name_.c_str(), static_cast<int>(values_.size()), values_.data(),
                                            nullptr, nullptr, 0),
                             "running " + name_);
    }
    void run_and_clear() { PQclear(run()); }

private:
    Conn& conn_;
    std::string name_;
    std::vector<const char*> values_;
};

// Shortest text that reads back to the same number, as PostgreSQL's float8 input takes it.
std::string number_text(double v) {
    char buf[32];
    return {buf, std::to_chars(buf, buf + sizeof buf, v).ptr};
}

// Each metadata row's parameters as text, made before the clock starts.
struct MetaText {
    std::string type, value, si;
    const std::string* unit = nullptr;
    const std::string* si_unit = nullptr;  // nullptr: NULL
    std::size_t key = 0;
};

struct RowText {
    std::string size, document;
    std::vector<MetaText> metadata;
};

std::vector<RowText> row_texts(const BaseInput& in) {
    std::vector<RowText> out;
    out.reserve(in.rows.size());
    for (const auto& r : in.rows) {
        RowText t;
        t.size = std::to_string(r.size);
        // What datatrail's full-text document holds: name, description (empty), keywords,
        // string metadata; the tsvector is built from it by the server.
        t.document = r.name + "  " + r.fts_keywords + ' ' + r.fts_metadata;
        for (const auto& m : r.metadata) {
            MetaText mt;
            mt.key = m.key;
            mt.type = std::to_string(m.type);
            mt.value = std::visit(
                [](const auto& v) -> std::string {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::string>) return v;
                    else if constexpr (std::is_same_v<T, double>) return number_text(v);
                    else return std::to_string(v);
                },
                m.value);
            if (m.si) mt.si = number_text(*m.si);
            mt.unit = &m.unit;
            mt.si_unit = m.si_unit.empty() ? nullptr : &m.si_unit;
            t.metadata.push_back(std::move(mt));
        }
        out.push_back(std::move(t));
    }
    return out;
}

// utime + stime of a process in seconds, from /proc/PID/stat; -1 if unreadable.
double process_cpu(int pid) {
    std::ifstream in(fmt::format("/proc/{}/stat", pid));
    std::string stat;
    if (!std::getline(in, stat)) return -1;
    // The command name (field 2) may hold spaces; the fields after it start past its ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; fields >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) {
            stime = std::stoull(field);
            return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
        }
    }
    return -1;
}

std::string version_text(int v) { return v >= 100000 ? fmt::format("{}.{}", v / 10000, v % 10000) : std::to_string(v); }

}  // namespace

std::string postgres_versions(const std::string& uri) {
    Conn c(uri);
    return fmt::format("server {}, libpq {}", version_text(PQserverVersion(c.get())), version_text(PQlibVersion()));
}

ServerCpu::ServerCpu(std::string uri) : uri_(std::move(uri)), start_(backends()) {}

std::vector<std::pair<int, double>> ServerCpu::backends() const {
    Conn monitor(uri_);
    std::vector<std::pair<int, double>> out;
    for (const auto& pid : monitor.rows("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                        "AND pid <> pg_backend_pid()")) {
        const int p = std::stoi(pid);
        out.emplace_back(p, process_cpu(p));
    }
    return out;
}

double ServerCpu::seconds() const {
    double total = 0;
    for (const auto& [pid, cpu] : backends()) {
        if (cpu < 0) return -1;
        double before = 0;  // a backend that started since: all its time counts
        for (const auto& [p, c] : start_)
            if (p == pid) before = c;
        total += cpu - before;
    }
    return total;
}

Seconds run_postgres_baseline(const std::string& uri, const BaseInput& in, const std::vector<std::string>& pids,
                              std::size_t batch, bool multirow) {
    create_catalogue(uri);
    Conn c(uri);
    std::string investigation_id;
    {
        const auto r = c.rows(fmt::format("SELECT id FROM investigation WHERE name = '{}'", investigation_name));
        if (r.size() != 1) throw std::runtime_error("baseline: the investigation is missing");
        investigation_id = r[0];
    }
    const std::string user = current_user();
    const std::vector<RowText> texts = row_texts(in);

    const ServerCpu server(uri);
    const Stopwatch clock;
    Prepared dataset(c, "dataset",
                     "INSERT INTO dataset (pid, kind, name, description, investigation_id, instrument_id, sample_id, "
                     "techniques, keywords, start_time, end_time, location, schema_name, state, created_by, created_at) "
                     "VALUES ($1, 'raw', $2, '', $3, NULL, NULL, '{}', '{}', NULL, NULL, $4, '', 'complete', $5, $6) "
                     "RETURNING id",
                     6);
    Prepared meta(c, "meta",
                  "INSERT INTO dataset_metadata (dataset_id, key_id, type, value, unit, si, si_unit, uncertainty) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
                  7);
    // A dataset's metadata in one statement: one VALUES row of 7 parameters per value.
    const std::size_t per_dataset = in.rows.empty() ? 0 : in.rows.front().metadata.size();
    std::string multi_sql =
        "INSERT INTO dataset_metadata (dataset_id, key_id, type, value, unit, si, si_unit, uncertainty) VALUES ";
    for (std::size_t row = 0; row < per_dataset; ++row) {
        multi_sql += row ? ", (" : "(";
        for (std::size_t col = 1; col <= 7; ++col) multi_sql += fmt::format("{}${}", col > 1 ? ", " : "", 7 * row + col);
        multi_sql += ", NULL)";
    }
    std::optional<Prepared> meta_rows;
    if (multirow && per_dataset > 0) meta_rows.emplace(c, "meta_rows", multi_sql, static_cast<int>(7 * per_dataset));
    Prepared file(c, "file",
                  "INSERT INTO datafile (dataset_id, path, size, sha256, format, modified) VALUES ($1, $2, $3, $4, $5, NULL)",
                  5);
    Prepared text(c, "text", "INSERT INTO dataset_text (dataset_id, document) VALUES ($1, to_tsvector('simple', $2))", 2);

    std::vector<std::string> key_ids;
    for (std::size_t first = 0; first < in.rows.size(); first += batch) {
        c.exec("BEGIN");
        if (key_ids.empty()) {  // a fresh catalogue: every key is new
            Prepared key(c, "key", "INSERT INTO metadata_key (key, value_class, si_unit, unit) VALUES ($1, $2, $3, $4) RETURNING id",
                         4);
            for (const auto& k : in.keys) {
                key.set(0, k.key), key.set(1, k.value_class), key.set(2, k.si_unit), key.set(3, k.unit);
                PGresult* r = key.run();
                key_ids.emplace_back(PQgetvalue(r, 0, 0));
                PQclear(r);
            }
        }
        const std::string created_at = datatrail::format_time(datatrail::now());
        const std::size_t last = std::min(first + batch, in.rows.size());
        for (std::size_t i = first; i < last; ++i) {
            const auto& r = in.rows[i];
            const auto& t = texts[i];
            dataset.set(0, pids[i]), dataset.set(1, r.name), dataset.set(2, investigation_id);
            dataset.set(3, r.location), dataset.set(4, user), dataset.set(5, created_at);
            PGresult* inserted = dataset.run();
            const std::string id = PQgetvalue(inserted, 0, 0);
            PQclear(inserted);
            if (meta_rows && t.metadata.size() == per_dataset) {
                for (std::size_t k = 0; k < per_dataset; ++k) {
                    const auto& m = t.metadata[k];
                    const int at = static_cast<int>(7 * k);
                    meta_rows->set(at, id), meta_rows->set(at + 1, key_ids[m.key]), meta_rows->set(at + 2, m.type);
                    meta_rows->set(at + 3, m.value), meta_rows->set(at + 4, *m.unit);
                    if (m.si.empty()) meta_rows->null(at + 5);
                    else meta_rows->set(at + 5, m.si);
                    if (m.si_unit) meta_rows->set(at + 6, *m.si_unit);
                    else meta_rows->null(at + 6);
                }
                meta_rows->run_and_clear();
            } else {
                for (const auto& m : t.metadata) {
                    meta.set(0, id), meta.set(1, key_ids[m.key]), meta.set(2, m.type), meta.set(3, m.value);
                    meta.set(4, *m.unit);
                    if (m.si.empty()) meta.null(5);
                    else meta.set(5, m.si);
                    if (m.si_unit) meta.set(6, *m.si_unit);
                    else meta.null(6);
                    meta.run_and_clear();
                }
            }
            file.set(0, id), file.set(1, r.path), file.set(2, t.size), file.set(3, r.sha256), file.set(4, r.format);
            file.run_and_clear();
            text.set(0, id), text.set(1, t.document);
            text.run_and_clear();
        }
        c.exec("COMMIT");
    }
    auto elapsed = clock.elapsed();
    elapsed.server_cpu = server.seconds();
    return elapsed;
}

void check_same_rows_postgres(const std::string& baseline_uri, const std::string& library_uri, std::size_t n) {
    Conn base(baseline_uri), lib(library_uri);
    // Every column of each table the registration writes, as text, so a column added to the
    // schema is compared without editing this list. PIDs and creation times differ by nature:
    // only their presence and form are compared.
    const auto columns_of = [&](const std::string& table) {
        std::string cols;
        for (const auto& name : base.rows(fmt::format("SELECT column_name FROM information_schema.columns "
                                                      "WHERE table_schema = 'public' AND table_name = '{}' "
                                                      "ORDER BY ordinal_position",
                                                      table))) {
            if (!cols.empty()) cols += ", ";
            if (table == "dataset" && name == "pid") cols += "length(pid) > 0";
            else if (table == "dataset" && name == "created_at") cols += "length(created_at)";
            else cols += fmt::format("\"{}\"::text", name);
        }
        return cols;
    };
    struct Query {
        std::string label, sql;
    };
    std::vector<Query> queries = {
        {"columns", "SELECT table_name, column_name, data_type, is_nullable, column_default, collation_name "
                    "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"},
        {"indexes", "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 2"},
    };
    const std::pair<const char*, const char*> tables[] = {{"dataset", "id"},
                                                          {"metadata_key", "id"},
                                                          {"dataset_metadata", "dataset_id, key_id"},
                                                          {"datafile", "id"},
                                                          {"dataset_text", "dataset_id"}};
    for (const auto& [table, order] : tables)
        queries.push_back({table, fmt::format("SELECT {} FROM {} ORDER BY {}", columns_of(table), table, order)});

    std::vector<std::string> problems;
    for (const auto& q : queries) {
        const auto a = base.rows(q.sql);
        const auto b = lib.rows(q.sql);
        if (a == b) continue;
        std::string p = fmt::format("{}: baseline {} rows, datatrail {} rows", q.label, a.size(), b.size());
        for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
            if (a[i] != b[i]) {
                p += fmt::format("; first difference, row {}:\n    baseline:  {}\n    datatrail: {}", i + 1, a[i], b[i]);
                break;
            }
        problems.push_back(std::move(p));
    }
    if (lib.rows("SELECT count(*) FROM dataset") != std::vector<std::string>{std::to_string(n)})
        problems.push_back(fmt::format("datatrail's catalogue does not hold the {} datasets registered", n));
    if (base.rows("SELECT count(*) FROM dataset_metadata") != std::vector<std::string>{std::to_string(10 * n)})
        problems.push_back("the baseline did not write 10 metadata rows per dataset");
    if (!problems.empty()) {
        std::string message = "the baseline and datatrail wrote different rows, so the comparison is void:";
        for (const auto& p : problems) message += "\n  " + p;
        throw std::runtime_error(message);
    }
}

}  // namespace bench
