// The PostgreSQL engine: connections, transactions, records and queries. Storage only: every
// rule is applied above it (src/catalog/), exactly as for SQLite.
#include "store/postgres/postgres_rows.hpp"
#include "store/postgres/postgres_schema.hpp"
#include "store/postgres/postgres_tx.hpp"
#include "store/sql_query.hpp"
#include "store/violations_json.hpp"

#include "catalog/validate.hpp"

#include <datatrail/pid.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <unordered_set>

namespace datatrail::detail {

namespace postgres {

using pq::Result;

std::string id_array(const std::vector<std::int64_t>& ids) {
    std::string out = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(ids[i]);
    }
    return out + "}";
}

std::vector<std::int64_t> ids_of(const Result& r) {
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.int64(i, 0));
    return out;
}

std::string opt_time(const std::optional<Timestamp>& t) { return t ? format_time(*t) : std::string(); }

std::optional<Timestamp> column_time(const Result& r, int row, int col) {
    if (r.is_null(row, col)) return std::nullopt;
    return parse_time(r.text(row, col));
}

std::string column_string(const Result& r, int row, int col) { return std::string(r.text(row, col)); }

std::string json_list(const std::vector<std::string>& items) { return nlohmann::json(items).dump(); }

std::vector<std::string> json_strings(std::string_view text) {
    return nlohmann::json::parse(text).get<std::vector<std::string>>();
}

std::string value_text(const MetadataRow& row) {
    return std::visit(
        [](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) return v;
            else return fmt::format("{}", v);  // shortest text that reads back to the same number
        },
        row.value);
}

MetadataValue column_metadata(const Result& r, int row, int col) {
    MetadataValue mv;
    const auto code = r.int64(row, col);
    const auto type = value_type_from_code(code);
    if (!type) throw StorageError(fmt::format("the catalogue holds a metadata value of unknown type code {}", code));
    const auto text = r.text(row, col + 1);
    switch (*type) {
        case ValueType::string: mv.value = std::string(text); break;
        case ValueType::integer: {
            std::int64_t i = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
            if (ec != std::errc() || end != text.data() + text.size())
                throw StorageError(fmt::format("the catalogue holds an integer metadata value '{}' that is not one", text));
            mv.value = i;
            break;
        }
        case ValueType::floating: mv.value = std::stod(std::string(text)); break;
        case ValueType::boolean: mv.value = text == "1"; break;
        case ValueType::datetime: mv.value = parse_time(text); break;
        case ValueType::json: mv.value = Json{std::string(text)}; break;
        case ValueType::integer_array: mv.value = nlohmann::json::parse(text).get<std::vector<std::int64_t>>(); break;
        case ValueType::float_array: mv.value = nlohmann::json::parse(text).get<std::vector<double>>(); break;
        case ValueType::string_array: mv.value = json_strings(text); break;
    }
    mv.unit = column_string(r, row, col + 2);
    if (!r.is_null(row, col + 3)) mv.uncertainty = r.float64(row, col + 3);
    return mv;
}

}  // namespace postgres

using pq::Params;
using pq::Result;
using namespace postgres;

namespace {

// Rows of `ids` read by `sql` (which selects the id first and filters on `= ANY($1)`), each
// handed to `read(index in ids, result, row)`.
template <class Read>
void for_ids(pq::Connection& conn, std::string_view sql, const std::vector<std::int64_t>& ids, Read&& read) {
    if (ids.empty()) return;
    std::unordered_map<std::int64_t, std::size_t> index;
    index.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    const auto r = conn.exec_cached(sql, Params().add(id_array(ids)));
    for (int row = 0; row < r.rows(); ++row) read(index.at(r.int64(row, 0)), r, row);
}

template <class T>
std::vector<T> only_found(std::vector<T> records, const std::vector<bool>& found) {
    std::vector<T> out;
    out.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i)
        if (found[i]) out.push_back(std::move(records[i]));
    return out;
}

// Metadata rows go to the server up to this many in one INSERT, so that a dataset's values cost
// one round trip rather than one each. Each row count up to it is its own prepared statement.
constexpr std::size_t metadata_rows_per_statement = 16;

// The INSERT of `rows` metadata rows (1 to metadata_rows_per_statement) of one kind of owner,
// eight parameters per row; with `replace`, an upsert that replaces the values of keys the owner
// has. Built once per owner, kind and row count.
const std::string& metadata_insert(MetadataOwner owner, std::size_t rows, bool replace) {
    static const auto statements = [] {
        std::array<std::array<std::array<std::string, metadata_rows_per_statement>, 3>, 2> out;
        for (const auto owner : {MetadataOwner::dataset, MetadataOwner::sample, MetadataOwner::activity}) {
            const char* table = "activity_parameter";
            const char* column = "activity_id";
            if (owner == MetadataOwner::dataset) table = "dataset_metadata", column = "dataset_id";
            else if (owner == MetadataOwner::sample) table = "sample_metadata", column = "sample_id";
            for (std::size_t n = 1; n <= metadata_rows_per_statement; ++n) {
                std::string sql = fmt::format(
                    "INSERT INTO {} ({}, key_id, type, value, unit, si, si_unit, uncertainty) VALUES ", table, column);
                for (std::size_t row = 0; row < n; ++row) {
                    sql += row ? ", (" : "(";
                    for (std::size_t col = 1; col <= 8; ++col) sql += fmt::format("{}${}", col > 1 ? ", " : "", 8 * row + col);
                    sql += ')';
                }
                const auto o = static_cast<std::size_t>(owner);
                out[0][o][n - 1] = sql;
                out[1][o][n - 1] = sql + fmt::format(
                    " ON CONFLICT ({}, key_id) DO UPDATE SET type = excluded.type, value = excluded.value, "
                    "unit = excluded.unit, si = excluded.si, si_unit = excluded.si_unit, uncertainty = excluded.uncertainty",
                    column);
            }
        }
        return out;
    }();
    return statements[replace ? 1 : 0][static_cast<std::size_t>(owner)][rows - 1];
}

// A PostgreSQL text[] literal of `items`: each element quoted, with " and \ escaped.
std::string text_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const auto& item : items) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (const char c : item) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + '}';
}

constexpr std::string_view insert_file_sql =
    "INSERT INTO datafile (dataset_id, path, size, sha256, format, modified) VALUES ($1, $2, $3, $4, $5, $6)";
constexpr std::string_view insert_text_sql =
    "INSERT INTO dataset_text (dataset_id, document) VALUES ($1, to_tsvector('simple', $2))";
constexpr std::string_view upsert_text_sql =
    "INSERT INTO dataset_text (dataset_id, document) VALUES ($1, to_tsvector('simple', $2)) "
    "ON CONFLICT (dataset_id) DO UPDATE SET document = excluded.document";

void insert_file_rows(pq::Connection& conn, std::int64_t dataset, const std::vector<Datafile>& files, Params& p) {
    for (const auto& f : files) {
        p.clear();
        p.add(dataset).add(f.path);
        p.add(f.size ? std::optional<std::int64_t>(static_cast<std::int64_t>(*f.size)) : std::nullopt);
        p.add(f.sha256).add(f.format);
        if (f.modified) p.add(format_time(*f.modified));
        else p.add(nullptr);
        conn.exec_cached(insert_file_sql, p);
    }
}

// The document full-text search indexes: name, description, keywords, string metadata.
std::string document(const Dataset& d, const SearchText& t) {
    return d.name + ' ' + d.description + ' ' + t.keywords + ' ' + t.metadata;
}

// A SQLite GLOB pattern as an anchored POSIX regular expression: * ? and [...] (with ^ or ! to
// negate) keep their meaning, every other character is literal, case counts.
std::string glob_regex(std::string_view glob) {
    std::string out = "^";
    for (std::size_t i = 0; i < glob.size(); ++i) {
        const char c = glob[i];
        if (c == '*') {
            out += ".*";
        } else if (c == '?') {
            out += '.';
        } else if (c == '[') {
            // As SQLite's GLOB: '^' first negates ('!' is a member), a ']' first is a member,
            // and a '[' never closed matches nothing.
            std::size_t j = i + 1;
            std::string set = "[";
            if (j < glob.size() && glob[j] == '^') set += '^', ++j;
            if (j < glob.size() && glob[j] == ']') set += "\\]", ++j;
            for (; j < glob.size() && glob[j] != ']'; ++j) {
                const char m = glob[j];
                // Escaped, these cannot start a class ([:alpha:]) or an escape in the regex.
                if (m == '\\' || m == '[' || m == '^') set += '\\';
                set += m;
            }
            if (j >= glob.size()) return "^[^\\s\\S]$";  // matches nothing
            out += set + ']';
            i = j;
        } else {
            if (std::string_view(".^$|()+{}[]\\").find(c) != std::string_view::npos) out += '\\';
            out += c;
        }
    }
    return out + "$";
}

// Full-text search terms as tsquery expressions over parameters: each word must occur (its
// tokens as a phrase); a trailing '*' makes its last token a prefix. User text only ever travels
// as a parameter: phraseto_tsquery takes any text, and a prefix word is cut to its letters and
// digits first, which to_tsquery cannot misread as operators.
std::string text_terms(std::string_view text, Params& p) {
    std::vector<std::string> terms;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        std::size_t j = i;
        while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
        if (j == i) break;
        std::string word(text.substr(i, j - i));
        i = j;
        const bool prefix = word.size() > 1 && word.back() == '*';
        if (!prefix) {
            p.add(word);
            terms.push_back(fmt::format("phraseto_tsquery('simple', ${})", p.size()));
            continue;
        }
        word.pop_back();
        std::vector<std::string> tokens(1);
        for (const char c : word) {
            if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) tokens.back() += c;
            else if (!tokens.back().empty()) tokens.emplace_back();
        }
        if (tokens.back().empty()) tokens.pop_back();
        if (tokens.empty()) continue;
        std::string query;
        for (std::size_t k = 0; k < tokens.size(); ++k) query += (k ? " <-> " : "") + tokens[k];
        p.add(query + ":*");
        terms.push_back(fmt::format("to_tsquery('simple', ${})", p.size()));
    }
    std::string out;
    for (const auto& t : terms) out += (out.empty() ? "" : " && ") + t;
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Connections and transactions

namespace {

pq::PoolOptions pool_options(const CatalogOptions& options) {
    pq::PoolOptions p;
    if (options.postgres_pool_size) p.size = *options.postgres_pool_size;
    return p;
}

// Unique violations come from a concurrent writer that committed the same PID, name or key
// first: running the work again lets the catalogue's own checks see it and answer properly.
bool worth_retrying(const pq::Failure& e) { return e.is_transient() || e.is_unique_violation(); }

}  // namespace

PostgresStore::PostgresStore(const std::string& uri, const CatalogOptions& options)
    : pool_(uri, pool_options(options)),
      max_attempts_(20),
      lock_timeout_(fmt::format("SET LOCAL lock_timeout = {}", options.busy_timeout.count())) {
    if (options.read_only) {
        // Nothing is created, migrated or written: the catalogue must be there, current.
        auto conn = pool_.acquire();
        const int found = postgres::schema_version(*conn);
        if (found != Catalog::latest_schema_version())
            throw StorageError(
                found == 0 ? fmt::format("'{}' holds no datatrail catalogue, and read_only opens only an existing catalogue",
                                         pq::redact_conninfo(uri))
                           : fmt::format("the catalogue '{0}' has schema version {1} and this datatrail reads version {2}: "
                                         "open it without read_only to migrate it (or upgrade datatrail, if {1} is newer)",
                                         pq::redact_conninfo(uri), found, Catalog::latest_schema_version()));
        const auto r = conn->exec("SELECT value FROM catalog_info WHERE key = 'pid_prefix'");
        prefix_ = r.rows() > 0 ? column_string(r, 0, 0) : options.pid_prefix.value_or("local");
        read_only_ = true;
        target_ = pq::redact_conninfo(uri);
        return;
    }
    {
        auto conn = pool_.acquire();
        postgres::migrate(*conn);
    }
    write([&](StoreWriter& w) {
        auto& conn = static_cast<PgTx&>(w).connection();
        conn.exec_cached("SELECT pg_advisory_xact_lock($1)", Params().add(postgres::migration_lock));
        const auto r = conn.exec_cached("SELECT value FROM catalog_info WHERE key = 'pid_prefix'");
        if (r.rows() > 0) {
            prefix_ = column_string(r, 0, 0);
            if (options.pid_prefix && *options.pid_prefix != prefix_)
                throw Conflict(fmt::format("pid_prefix '{}' was asked for, but the catalogue '{}' was created with "
                                           "prefix '{}' and keeps it",
                                           *options.pid_prefix, pq::redact_conninfo(uri), prefix_));
            return;
        }
        prefix_ = options.pid_prefix.value_or("local");
        conn.exec_cached("INSERT INTO catalog_info (key, value) VALUES ('pid_prefix', $1), ('created_at', $2)",
                         Params().add(prefix_).add(format_time(now())));
    });
}

int PostgresStore::schema_version() {
    auto conn = pool_.acquire();
    return postgres::schema_version(*conn);
}

void PostgresStore::read(const std::function<void(StoreReader&)>& work) {
    auto conn = pool_.acquire();
    pq::Transaction tx(*conn, pq::Isolation::repeatable_read);
    PgTx reader(*this, *conn);
    work(reader);
    tx.commit();
}

void PostgresStore::write(const std::function<void(StoreWriter&)>& work) {
    if (read_only_)
        throw StorageError(fmt::format(
            "cannot write to the catalogue '{}': it was opened read-only (the option read_only); open it without "
            "read_only to write",
            target_));
    for (int attempt = 1;; ++attempt) {
        try {
            auto conn = pool_.acquire();
            pq::Transaction tx(*conn);
            conn->exec(lock_timeout_);
            PgTx writer(*this, *conn);
            work(writer);
            tx.commit();
            remember_keys(writer.new_keys());
            return;
        } catch (const pq::Failure& e) {
            if (!worth_retrying(e)) throw;
            if (attempt >= max_attempts_) pq::throw_gave_up(e, attempt);
        }
        pq::pause_before_retry(attempt);
    }
}

std::optional<PostgresStore::StoredKey> PostgresStore::committed_key(const std::string& key) {
    std::lock_guard lock(keys_mutex_);
    if (const auto it = keys_.find(key); it != keys_.end()) return it->second;
    return std::nullopt;
}

void PostgresStore::remember_keys(std::unordered_map<std::string, StoredKey>& keys) {
    std::lock_guard lock(keys_mutex_);
    keys_.merge(keys);
}

// ---------------------------------------------------------------------------------------------
// References and keys

// Stored text never holds a NUL (the catalogue refuses it), and libpq cannot send one: a lookup
// of such a text finds nothing, as on SQLite.
namespace {
bool has_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }
}  // namespace

std::optional<Ref> PgTx::find_by_pid(Table table, const std::string& pid) {
    if (has_nul(pid)) return std::nullopt;
    const auto r = conn_.exec_cached(fmt::format("SELECT id, pid FROM {} WHERE pid = $1", table_name(table)),
                                     Params().add(pid));
    if (r.rows() == 0) return std::nullopt;
    return Ref{r.int64(0, 0), column_string(r, 0, 1)};
}

std::vector<Ref> PgTx::find_by_name(Table table, const std::string& name, std::size_t limit) {
    if (has_nul(name)) return {};
    const auto capped = static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
    const auto r = conn_.exec_cached(
        fmt::format("SELECT id, pid FROM {} WHERE name = $1 ORDER BY id LIMIT $2", table_name(table)),
        Params().add(name).add(capped));
    std::vector<Ref> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.int64(i, 0), column_string(r, i, 1)});
    return out;
}

std::optional<PostgresStore::StoredKey> PgTx::find_key(const std::string& key) {
    if (has_nul(key)) return std::nullopt;
    if (auto known = store_.committed_key(key)) return known;
    if (const auto it = new_keys_.find(key); it != new_keys_.end()) return it->second;
    const auto r = conn_.exec_cached("SELECT id, value_class, si_unit, unit FROM metadata_key WHERE key = $1",
                                     Params().add(key));
    if (r.rows() == 0) return std::nullopt;
    PostgresStore::StoredKey found{r.int64(0, 0), {column_string(r, 0, 1), column_string(r, 0, 2), column_string(r, 0, 3)}};
    // Not one of this transaction's own (those are in new_keys_): someone committed it.
    std::unordered_map<std::string, PostgresStore::StoredKey> one{{key, found}};
    store_.remember_keys(one);
    return found;
}

std::optional<KeyInfo> PgTx::metadata_key(const std::string& key) {
    if (auto found = find_key(key)) return std::move(found->info);
    return std::nullopt;
}

std::int64_t PgTx::key_id(const MetadataRow& row) {
    if (auto known = find_key(row.key)) return known->id;
    // A writer that adds the same key at the same time makes this a unique violation, and the
    // whole write runs again: then the key is there and its class and dimension are checked.
    const auto r = conn_.exec_cached(
        "INSERT INTO metadata_key (key, value_class, si_unit, unit) VALUES ($1, $2, $3, $4) RETURNING id",
        Params().add(row.key).add(value_class(row.type)).add(row.si_unit).add(row.unit));
    PostgresStore::StoredKey stored{r.int64(0, 0), {std::string(value_class(row.type)), row.si_unit, row.unit}};
    new_keys_.emplace(row.key, stored);
    return stored.id;
}

// ---------------------------------------------------------------------------------------------
// Records

std::vector<Instrument> PgTx::instruments(const std::vector<std::int64_t>& ids) {
    std::vector<Instrument> out(ids.size());
    for_ids(conn_, "SELECT id, pid, name, facility, type FROM instrument WHERE id = ANY($1::bigint[])", ids,
            [&](std::size_t i, const Result& r, int row) {
                out[i] = {column_string(r, row, 1), column_string(r, row, 2), column_string(r, row, 3),
                          column_string(r, row, 4)};
            });
    return out;
}

std::vector<Investigation> PgTx::investigations(const std::vector<std::int64_t>& ids) {
    std::vector<Investigation> out(ids.size());
    for_ids(conn_,
            "SELECT i.id, i.pid, i.name, i.title, i.summary, i.start_time, i.end_time, ins.pid, i.release_date, i.doi "
            "FROM investigation i LEFT JOIN instrument ins ON ins.id = i.instrument_id WHERE i.id = ANY($1::bigint[])",
            ids, [&](std::size_t i, const Result& r, int row) {
                auto& inv = out[i];
                inv.pid = column_string(r, row, 1);
                inv.name = column_string(r, row, 2);
                inv.title = column_string(r, row, 3);
                inv.summary = column_string(r, row, 4);
                inv.start_time = column_time(r, row, 5);
                inv.end_time = column_time(r, row, 6);
                inv.instrument = column_string(r, row, 7);
                inv.release_date = column_time(r, row, 8);
                inv.doi = column_string(r, row, 9);
            });
    for_ids(conn_,
            "SELECT investigation_id, name, role, orcid, email FROM participant "
            "WHERE investigation_id = ANY($1::bigint[]) ORDER BY investigation_id, position",
            ids, [&](std::size_t i, const Result& r, int row) {
                out[i].participants.push_back(
                    {column_string(r, row, 1), column_string(r, row, 2), column_string(r, row, 3), column_string(r, row, 4)});
            });
    return out;
}

std::vector<Sample> PgTx::samples(const std::vector<std::int64_t>& ids) {
    std::vector<Sample> out(ids.size());
    for_ids(conn_,
            "SELECT s.id, s.pid, s.name, s.description, s.formula, i.pid, p.pid FROM sample s "
            "LEFT JOIN investigation i ON i.id = s.investigation_id LEFT JOIN sample p ON p.id = s.parent_id "
            "WHERE s.id = ANY($1::bigint[])",
            ids, [&](std::size_t i, const Result& r, int row) {
                auto& s = out[i];
                s.pid = column_string(r, row, 1);
                s.name = column_string(r, row, 2);
                s.description = column_string(r, row, 3);
                s.formula = column_string(r, row, 4);
                s.investigation = column_string(r, row, 5);
                s.parent = column_string(r, row, 6);
            });
    for_ids(conn_,
            "SELECT m.sample_id, k.key, m.type, m.value, m.unit, m.uncertainty FROM sample_metadata m "
            "JOIN metadata_key k ON k.id = m.key_id WHERE m.sample_id = ANY($1::bigint[])",
            ids, [&](std::size_t i, const Result& r, int row) {
                out[i].metadata.emplace(column_string(r, row, 1), column_metadata(r, row, 2));
            });
    return out;
}

std::vector<Dataset> PgTx::datasets(const std::vector<std::int64_t>& ids) {
    std::vector<Dataset> out(ids.size());
    for_ids(conn_,
            "SELECT d.id, d.pid, d.kind, d.name, d.description, inv.pid, ins.pid, s.pid, array_to_json(d.techniques), "
            "array_to_json(d.keywords), d.start_time, d.end_time, d.location, d.schema_name, d.state, d.created_by, "
            "d.created_at, d.valid, d.violations FROM dataset d LEFT JOIN investigation inv ON inv.id = d.investigation_id "
            "LEFT JOIN instrument ins ON ins.id = d.instrument_id LEFT JOIN sample s ON s.id = d.sample_id "
            "WHERE d.id = ANY($1::bigint[])",
            ids, [&](std::size_t i, const Result& r, int row) {
                auto& d = out[i];
                d.pid = column_string(r, row, 1);
                d.kind = parse_dataset_kind(r.text(row, 2));
                d.name = column_string(r, row, 3);
                d.description = column_string(r, row, 4);
                d.investigation = column_string(r, row, 5);
                d.instrument = column_string(r, row, 6);
                d.sample = column_string(r, row, 7);
                d.techniques = json_strings(r.text(row, 8));
                d.keywords = json_strings(r.text(row, 9));
                d.start_time = column_time(r, row, 10);
                d.end_time = column_time(r, row, 11);
                d.location = column_string(r, row, 12);
                d.schema = column_string(r, row, 13);
                d.state = parse_dataset_state(r.text(row, 14));
                d.created_by = column_string(r, row, 15);
                d.created_at = column_time(r, row, 16);
                d.valid = r.int64(row, 17) != 0;
                d.violations = violations_from_json(r.text(row, 18));
            });
    for_ids(conn_,
            "SELECT m.dataset_id, k.key, m.type, m.value, m.unit, m.uncertainty FROM dataset_metadata m "
            "JOIN metadata_key k ON k.id = m.key_id WHERE m.dataset_id = ANY($1::bigint[])",
            ids, [&](std::size_t i, const Result& r, int row) {
                out[i].metadata.emplace(column_string(r, row, 1), column_metadata(r, row, 2));
            });
    for_ids(conn_,
            "SELECT dataset_id, path, size, sha256, format, modified FROM datafile "
            "WHERE dataset_id = ANY($1::bigint[]) ORDER BY id",
            ids, [&](std::size_t i, const Result& r, int row) {
                Datafile f;
                f.path = column_string(r, row, 1);
                if (!r.is_null(row, 2)) f.size = static_cast<std::uint64_t>(r.int64(row, 2));
                f.sha256 = column_string(r, row, 3);
                f.format = column_string(r, row, 4);
                f.modified = column_time(r, row, 5);
                out[i].files.push_back(std::move(f));
            });
    return out;
}

std::vector<Dataset> PgTx::dataset_summaries(const std::vector<std::int64_t>& ids) {
    std::vector<Dataset> out(ids.size());
    std::vector<bool> found(ids.size());
    for_ids(conn_,
            "SELECT id, pid, name, kind, state, start_time, end_time, created_at, created_by FROM dataset "
            "WHERE id = ANY($1::bigint[])",
            ids, [&](std::size_t i, const Result& r, int row) {
                auto& d = out[i];
                found[i] = true;
                d.pid = column_string(r, row, 1);
                d.name = column_string(r, row, 2);
                d.kind = parse_dataset_kind(r.text(row, 3));
                d.state = parse_dataset_state(r.text(row, 4));
                d.start_time = column_time(r, row, 5);
                d.end_time = column_time(r, row, 6);
                d.created_at = column_time(r, row, 7);
                d.created_by = column_string(r, row, 8);
            });
    return only_found(std::move(out), found);
}

std::vector<std::int64_t> PgTx::all_ids(Table table) {
    return ids_of(conn_.exec_cached(fmt::format("SELECT id FROM {} ORDER BY id", table_name(table))));
}

// ---------------------------------------------------------------------------------------------
// Queries

namespace {

// The PostgreSQL spellings of a dataset query (see sql_query.hpp).
struct PgDialect {
    Params& p;

    template <class T>
    std::string param(const T& value) {
        return placeholder(p, value);
    }
    std::string glob(std::string_view lhs, const std::string& pattern) {
        return fmt::format("{} ~ ", lhs) + param(glob_regex(pattern));
    }
    std::string list(DatasetList list, query::Op op, const std::string& value) {
        const char* column = list == DatasetList::techniques ? "d.techniques" : "d.keywords";
        if (op == query::Op::exists) return fmt::format("cardinality({}) > 0", column);
        if (op == query::Op::glob)
            return fmt::format("EXISTS (SELECT 1 FROM unnest({}) AS item WHERE item ~ ", column) + param(glob_regex(value)) + ")";
        return param(value) + fmt::format(" = ANY({})", column);
    }
    std::string text(const std::string& words) {
        const auto terms = text_terms(words, p);
        if (terms.empty()) return {};
        return fmt::format("d.id IN (SELECT dataset_id FROM dataset_text WHERE document @@ ({}))", terms);
    }
    // As SQLite does: NULLs first going up, last going down.
    std::string nulls(bool descending) { return descending ? " NULLS LAST" : " NULLS FIRST"; }
    std::string limit(std::size_t limit, std::size_t offset) {
        if (!limit && !offset) return {};
        p.add(limit ? std::optional<std::int64_t>(static_cast<std::int64_t>(limit)) : std::nullopt);
        std::string sql = fmt::format(" LIMIT ${}", p.size());
        return sql + " OFFSET " + param(static_cast<std::int64_t>(offset));
    }
};

}  // namespace

std::vector<std::int64_t> PgTx::find_datasets(const CompiledQuery& cq) {
    Params p;
    PgDialect dialect{p};
    const auto sql = select_sql(cq, dialect);
    return ids_of(conn_.exec(sql, p));
}

std::size_t PgTx::count_datasets(const CompiledQuery& cq) {
    Params p;
    PgDialect dialect{p};
    const auto sql = count_sql(cq, dialect);
    return static_cast<std::size_t>(conn_.exec(sql, p).int64(0, 0));
}

std::string PgTx::explain(const CompiledQuery& cq) {
    Params p;
    PgDialect dialect{p};
    const auto sql = "EXPLAIN " + select_sql(cq, dialect);
    const auto r = conn_.exec(sql, p);
    std::string plan;
    for (int i = 0; i < r.rows(); ++i) plan += column_string(r, i, 0) + "\n";
    return plan;
}

std::vector<std::pair<std::int64_t, std::string>> PgTx::find_activities(const ActivityQuery& q,
                                                                       std::optional<std::int64_t> parent) {
    Params p;
    std::string sql = "SELECT a.id, a.version FROM activity a WHERE true";
    const auto param = [&](const auto& value) { return placeholder(p, value); };
    if (!q.name.empty()) sql += " AND a.name ~ " + param(glob_regex(q.name));
    if (q.type) sql += " AND a.type = " + param(std::string(to_string(*q.type)));
    if (q.status) sql += " AND a.status = " + param(std::string(to_string(*q.status)));
    if (!q.program.empty()) sql += " AND a.program = " + param(q.program);
    if (parent) sql += " AND a.parent_id = " + param(*parent);
    sql += " ORDER BY a.id";
    const auto r = conn_.exec(sql, p);
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.int64(i, 0), column_string(r, i, 1));
    return out;
}

// ---------------------------------------------------------------------------------------------
// Writes

void PgTx::insert_instrument(const Instrument& in) {
    const auto dup = conn_.exec_cached("SELECT pid FROM instrument WHERE facility = $1 AND name = $2",
                                       Params().add(in.facility).add(in.name));
    if (dup.rows() > 0)
        throw Conflict(fmt::format("instrument.name '{}' must be unique per facility: '{}' already has it as {}", in.name,
                                   in.facility, dup.text(0, 0)));
    conn_.exec_cached("INSERT INTO instrument (pid, name, facility, type) VALUES ($1, $2, $3, $4)",
                      Params().add(in.pid).add(in.name).add(in.facility).add(in.type));
}

void PgTx::insert_investigation(const InvestigationRow& row) {
    const auto& in = row.investigation;
    const auto dup = conn_.exec_cached("SELECT pid FROM investigation WHERE name = $1", Params().add(in.name));
    if (dup.rows() > 0)
        throw Conflict(fmt::format("investigation.name '{}' must be unique: the catalogue already has it as {}", in.name,
                                   dup.text(0, 0)));
    Params p;
    p.add(in.pid).add(in.name).add(in.title).add(in.summary);
    const auto time = [&](const std::optional<Timestamp>& t) {
        if (t) p.add(format_time(*t));
        else p.add(nullptr);
    };
    time(in.start_time), time(in.end_time);
    p.add(row.instrument_id);
    time(in.release_date);
    p.add(in.doi);
    const auto r = conn_.exec_cached(
        "INSERT INTO investigation (pid, name, title, summary, start_time, end_time, instrument_id, release_date, doi) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        p);
    const auto id = r.int64(0, 0);
    for (std::size_t i = 0; i < in.participants.size(); ++i) {
        const auto& x = in.participants[i];
        conn_.exec_cached(
            "INSERT INTO participant (investigation_id, position, name, role, orcid, email) VALUES ($1, $2, $3, $4, $5, $6)",
            Params().add(id).add(static_cast<std::int64_t>(i)).add(x.name).add(x.role).add(x.orcid).add(x.email));
    }
}

void PgTx::insert_sample(const SampleRow& row) {
    const auto& s = row.sample;
    const auto r = conn_.exec_cached(
        "INSERT INTO sample (pid, name, description, formula, investigation_id, parent_id) "
        "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        Params().add(s.pid).add(s.name).add(s.description).add(s.formula).add(row.investigation_id).add(row.parent_id));
    put_metadata(MetadataOwner::sample, r.int64(0, 0), row.metadata);
}

std::vector<std::int64_t> PgTx::insert_datasets(const std::vector<DatasetRow>& rows) {
    // PIDs already taken are found with one query for the batch, so that each row is a plain
    // INSERT (ON CONFLICT costs a speculative insertion per row). A writer that commits one of
    // these PIDs after this query makes the INSERT a unique violation; write() then runs the
    // whole write again, and this query finds it.
    if (!rows.empty()) {
        std::vector<std::string> pids;
        pids.reserve(rows.size());
        for (const auto& row : rows) pids.push_back(row.dataset.pid);
        const auto taken = conn_.exec_cached("SELECT pid FROM dataset WHERE pid = ANY($1::text[])",
                                             Params().add(text_array(pids)));
        if (taken.rows() > 0) {
            std::unordered_set<std::string_view> found;
            for (int i = 0; i < taken.rows(); ++i) found.insert(taken.text(i, 0));
            for (const auto& row : rows)
                if (found.count(row.dataset.pid))
                    throw Conflict(fmt::format("{}.pid '{}' must be unique: the catalogue already has it", row.field,
                                               row.dataset.pid));
        }
    }
    std::vector<std::int64_t> ids;
    ids.reserve(rows.size());
    Params p;
    std::optional<Timestamp> created_at;
    std::string created_at_text;  // a batch shares one creation time: format it once
    for (const auto& row : rows) {
        const auto& d = row.dataset;
        if (d.created_at != created_at) created_at = d.created_at, created_at_text = opt_time(d.created_at);
        p.clear();
        p.add(d.pid).add(to_string(d.kind)).add(d.name).add(d.description);
        p.add(row.investigation_id).add(row.instrument_id).add(row.sample_id);
        p.add(text_array(d.techniques)).add(text_array(d.keywords));
        if (d.start_time) p.add(format_time(*d.start_time));
        else p.add(nullptr);
        if (d.end_time) p.add(format_time(*d.end_time));
        else p.add(nullptr);
        p.add(d.location).add(d.schema).add(to_string(d.state)).add(d.created_by).add(created_at_text);
        p.add(std::int64_t{d.valid ? 1 : 0}).add(violations_json(d.violations));
        const auto r = conn_.exec_cached(
            "INSERT INTO dataset (pid, kind, name, description, investigation_id, instrument_id, sample_id, techniques, "
            "keywords, start_time, end_time, location, schema_name, state, created_by, created_at, valid, violations) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::text[], $10, $11, $12, $13, $14, $15, $16, $17, $18) "
            "RETURNING id",
            p);
        const auto id = r.int64(0, 0);
        ids.push_back(id);
        // A new dataset has no values to replace: a plain INSERT, cheaper than the upsert.
        write_metadata(MetadataOwner::dataset, id, row.metadata, false);
        insert_file_rows(conn_, id, d.files, p);
        p.clear();
        conn_.exec_cached(insert_text_sql, p.add(id).add(document(d, row.text)));
    }
    return ids;
}

void PgTx::insert_files(std::int64_t dataset, const std::vector<Datafile>& files) {
    Params p;
    insert_file_rows(conn_, dataset, files, p);
}

void PgTx::put_metadata(MetadataOwner owner, std::int64_t owner_id, const std::vector<MetadataRow>& rows) {
    write_metadata(owner, owner_id, rows, true);
}

void PgTx::write_metadata(MetadataOwner owner, std::int64_t owner_id, const std::vector<MetadataRow>& rows, bool replace) {
    // Keys are looked up (or added) first: that may run statements of its own on the connection.
    std::vector<std::int64_t> keys;
    keys.reserve(rows.size());
    for (const auto& row : rows) keys.push_back(key_id(row));
    Params p;
    for (std::size_t first = 0; first < rows.size(); first += metadata_rows_per_statement) {
        const std::size_t count = std::min(metadata_rows_per_statement, rows.size() - first);
        p.clear();
        for (std::size_t i = first; i < first + count; ++i) {
            const auto& row = rows[i];
            p.add(owner_id).add(keys[i]).add(stored_code(row.type)).add(value_text(row)).add(row.unit).add(row.si);
            if (row.si_unit.empty()) p.add(nullptr);
            else p.add(row.si_unit);
            p.add(row.uncertainty);
        }
        conn_.exec_cached(metadata_insert(owner, count, replace), p);
    }
}

void PgTx::set_search_text(std::int64_t dataset, const Dataset& d, const SearchText& text) {
    conn_.exec_cached(upsert_text_sql, Params().add(dataset).add(document(d, text)));
}

void PgTx::set_state(std::int64_t dataset, DatasetState state, std::optional<Timestamp> end_time) {
    Params p;
    p.add(to_string(state));
    if (end_time) p.add(format_time(*end_time));
    else p.add(nullptr);
    conn_.exec_cached("UPDATE dataset SET state = $1, end_time = COALESCE($2, end_time) WHERE id = $3", p.add(dataset));
}

void PgTx::set_validity(std::int64_t dataset, const std::string& schema, bool valid,
                        const std::vector<Violation>& violations) {
    Params p;
    p.add(schema).add(std::int64_t{valid ? 1 : 0}).add(violations_json(violations)).add(dataset);
    conn_.exec_cached("UPDATE dataset SET schema_name = $1, valid = $2, violations = $3 WHERE id = $4", p);
}

void PgTx::insert_schema(const SchemaRow& row) {
    // Two writers adding the same schema at once: the second's unique violation makes write()
    // run its closure again, which then finds the first's row.
    Params p;
    p.add(row.name).add(row.version).add(row.description).add(row.canonical).add(row.source).add(row.source_name);
    p.add(row.parent).add(row.created_by).add(format_time(row.created_at));
    conn_.exec_cached(
        "INSERT INTO metadata_schema (name, version, description, canonical, source, source_name, parent, created_by, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        p);
}

std::vector<SchemaRow> PgTx::schemas(const std::string& name) {
    const auto r = conn_.exec_cached(
        "SELECT name, version, description, canonical, source, source_name, parent, created_by, created_at "
        "FROM metadata_schema WHERE $1 = '' OR name = $1 ORDER BY name, id",
        Params().add(name));
    std::vector<SchemaRow> out;
    for (int i = 0; i < r.rows(); ++i) {
        SchemaRow row{column_string(r, i, 0), column_string(r, i, 1), column_string(r, i, 2), column_string(r, i, 3),
                      column_string(r, i, 4), column_string(r, i, 5), column_string(r, i, 6), column_string(r, i, 7), {}};
        row.created_at = column_time(r, i, 8).value_or(Timestamp{});
        out.push_back(std::move(row));
    }
    return out;
}

void PgTx::set_output_states(std::int64_t activity, std::optional<DatasetState> only_from, DatasetState to,
                             Timestamp end_time) {
    Params p;
    p.add(to_string(to)).add(format_time(end_time)).add(activity);
    if (only_from) p.add(to_string(*only_from));
    else p.add(nullptr);
    conn_.exec_cached(
        "UPDATE dataset SET state = $1, end_time = COALESCE(end_time, $2) "
        "WHERE id IN (SELECT dataset_id FROM generation WHERE activity_id = $3) AND ($4::text IS NULL OR state = $4)",
        p);
}

}  // namespace datatrail::detail
