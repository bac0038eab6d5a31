// The SQLite engine: connections, transactions, records and queries. Storage only: every rule
// is applied above it (src/catalog/).
#include "store/sqlite/sqlite_tx.hpp"

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_file.hpp"
#include "store/sql_query.hpp"
#include "store/violations_json.hpp"
#include "store/sqlite/sqlite_rows.hpp"
#include "catalog/validate.hpp"

#include <datatrail/pid.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <unordered_set>

namespace datatrail::detail {
using sqlite::Database;
using sqlite::Statement;

std::string opt_time(const std::optional<Timestamp>& t) { return t ? format_time(*t) : std::string(); }

std::optional<Timestamp> column_time(const Statement& st, int col) {
    if (st.is_null(col)) return std::nullopt;
    return parse_time(st.column_text(col));
}

std::vector<std::string> json_strings(const std::string& text) {
    return nlohmann::json::parse(text).get<std::vector<std::string>>();
}

void bind_value(Statement& st, int i, const std::variant<std::int64_t, double, std::string>& v) {
    std::visit([&](const auto& x) { st.bind(i, x); }, v);
}

MetadataValue column_metadata(const Statement& st, int col) {
    MetadataValue mv;
    const auto code = st.column_int(col);
    const auto known = value_type_from_code(code);
    if (!known) throw StorageError(fmt::format("the catalogue holds a metadata value of unknown type code {}", code));
    const auto type = *known;
    const int v = col + 1;
    switch (type) {
        case ValueType::string: mv.value = st.column_text(v); break;
        case ValueType::integer: mv.value = st.column_int(v); break;
        case ValueType::floating: mv.value = st.column_double(v); break;
        case ValueType::boolean: mv.value = st.column_int(v) != 0; break;
        case ValueType::datetime: mv.value = parse_time(st.column_text(v)); break;
        case ValueType::json: mv.value = Json{st.column_text(v)}; break;
        case ValueType::integer_array:
            mv.value = nlohmann::json::parse(st.column_text(v)).get<std::vector<std::int64_t>>();
            break;
        case ValueType::float_array: mv.value = nlohmann::json::parse(st.column_text(v)).get<std::vector<double>>(); break;
        case ValueType::string_array: mv.value = json_strings(st.column_text(v)); break;
    }
    mv.unit = st.column_text(col + 2);
    mv.uncertainty = st.column_optional_double(col + 3);
    return mv;
}

std::string id_list(const std::vector<std::int64_t>& ids) { return nlohmann::json(ids).dump(); }

namespace {

constexpr std::string_view insert_text_sql =
    "INSERT INTO dataset_text (rowid, name, description, keywords, metadata) VALUES (?, ?, ?, ?, ?)";
constexpr std::string_view insert_file_sql =
    "INSERT INTO datafile (dataset_id, path, size, sha256, format, modified) VALUES (?, ?, ?, ?, ?, ?)";

void insert_text(Statement& st, std::int64_t id, const Dataset& d, const SearchText& t) {
    st.reset();
    st.bind(1, id).bind_ref(2, d.name).bind_ref(3, d.description).bind_ref(4, t.keywords).bind_ref(5, t.metadata);
    st.exec();
}

void insert_file_rows(Statement& st, std::int64_t dataset_id, const std::vector<Datafile>& files) {
    for (const auto& f : files) {
        st.reset();
        st.bind(1, dataset_id).bind_ref(2, f.path);
        st.bind(3, f.size ? std::optional<std::int64_t>(static_cast<std::int64_t>(*f.size)) : std::nullopt);
        st.bind_ref(4, f.sha256).bind_ref(5, f.format);
        st.bind_text_or_null(6, opt_time(f.modified));
        st.exec();
    }
}

std::string json_list(const std::vector<std::string>& items) { return items.empty() ? "[]" : nlohmann::json(items).dump(); }

// Turns "Phrase words" into an FTS5 query that cannot be a syntax error: each word quoted,
// all required; a trailing '*' on a word keeps its prefix meaning.
std::string fts_query(std::string_view text) {
    std::string q;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        std::size_t j = i;
        while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
        if (j == i) break;
        std::string word(text.substr(i, j - i));
        const bool prefix = word.size() > 1 && word.back() == '*';
        if (prefix) word.pop_back();
        std::string quoted = "\"";
        for (char c : word) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        quoted += '"';
        if (prefix) quoted += '*';
        if (!q.empty()) q += ' ';
        q += quoted;
        i = j;
    }
    return q;
}

using Bind = std::variant<std::int64_t, double, std::string>;

void bind_all(Statement& st, const std::vector<Bind>& binds) {
    for (std::size_t i = 0; i < binds.size(); ++i) bind_value(st, static_cast<int>(i + 1), binds[i]);
}

std::string metadata_insert_sql(std::string_view table, std::string_view owner) {
    return fmt::format(
        "INSERT INTO {0} ({1}, key_id, type, value, unit, si, si_unit, uncertainty) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT ({1}, key_id) DO UPDATE SET type = excluded.type, value = excluded.value, unit = excluded.unit, "
        "si = excluded.si, si_unit = excluded.si_unit, uncertainty = excluded.uncertainty",
        table, owner);
}

// The table of each owner's typed values, and its insert statement (built once: the statement
// cache is keyed by its text).
const std::string& metadata_insert(MetadataOwner owner) {
    static const std::string dataset = metadata_insert_sql("dataset_metadata", "dataset_id");
    static const std::string sample = metadata_insert_sql("sample_metadata", "sample_id");
    static const std::string activity = metadata_insert_sql("activity_parameter", "activity_id");
    switch (owner) {
        case MetadataOwner::dataset: return dataset;
        case MetadataOwner::sample: return sample;
        case MetadataOwner::activity: break;
    }
    return activity;
}

// Rows of `ids` read by `sql` (which selects the id first, then filters on
// `IN (SELECT value FROM json_each(?))`), each handed to `read(row index, statement)`.
template <class Read>
void for_ids(Database& db, std::string_view sql, const std::vector<std::int64_t>& ids, Read&& read) {
    if (ids.empty()) return;
    std::unordered_map<std::int64_t, std::size_t> index;
    index.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    auto st = db.cached(sql);
    st->bind(1, id_list(ids));
    while (st->step()) read(index.at(st->column_int(0)), *st);
}

// Keeps only the records `found` says were read, in order.
template <class T>
std::vector<T> only_found(std::vector<T> records, const std::vector<bool>& found) {
    std::vector<T> out;
    out.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i)
        if (found[i]) out.push_back(std::move(records[i]));
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Connections and transactions

class SqliteStore::ReaderLease {
public:
    explicit ReaderLease(SqliteStore& store) : store_(store) {
        {
            std::lock_guard lock(store_.pool_mutex_);
            if (!store_.idle_readers_.empty()) {
                db_ = std::move(store_.idle_readers_.back());
                store_.idle_readers_.pop_back();
            }
        }
        if (!db_) db_ = store_.open_connection(false);
    }
    ~ReaderLease() {
        std::lock_guard lock(store_.pool_mutex_);
        store_.idle_readers_.push_back(std::move(db_));
    }
    Database& db() { return *db_; }

private:
    SqliteStore& store_;
    std::unique_ptr<Database> db_;
};

std::unique_ptr<Database> SqliteStore::open_connection(bool writer) const {
    auto db = std::make_unique<Database>(path_, static_cast<int>(busy_timeout_.count()), file_.read_only);
    configure_connection(*db, file_, writer, memory_, path_);
    return db;
}

SqliteStore::SqliteStore(const std::filesystem::path& path, const CatalogOptions& options)
    : path_(path.string()), memory_(path_ == ":memory:"), busy_timeout_(options.busy_timeout) {
    file_ = file_mode(path, memory_, options);  // refuses before anything is created
    writer_ = open_connection(true);
    if (file_.read_only)
        check_read_only_catalog(*writer_, path_);
    else
        migrate(*writer_);
    const auto load_prefix = [&](Database& db) {
        auto st = db.cached("SELECT value FROM catalog_info WHERE key = 'pid_prefix'");
        if (st->step()) {
            prefix_ = st->column_text(0);
            if (options.pid_prefix && *options.pid_prefix != prefix_)
                throw Conflict(fmt::format("pid_prefix '{}' was asked for, but the catalogue '{}' was created with "
                                           "prefix '{}' and keeps it",
                                           *options.pid_prefix, path_, prefix_));
            return;
        }
        prefix_ = options.pid_prefix.value_or("local");
        if (file_.read_only) return;  // a read-only catalogue mints nothing
        auto put = db.cached("INSERT INTO catalog_info (key, value) VALUES (?, ?)");
        put->bind(1, "pid_prefix").bind(2, prefix_).exec();
        put->reset();
        put->bind(1, "created_at").bind(2, format_time(now())).exec();
    };
    if (file_.read_only)
        load_prefix(*writer_);  // one statement: its own snapshot
    else
        transaction(load_prefix);
}

void SqliteStore::transaction(const std::function<void(Database&)>& work) {
    if (file_.read_only) refuse_write(path_);
    std::lock_guard lock(write_mutex_);
    try {
        sqlite::Transaction tx(*writer_);
        work(*writer_);
        tx.commit();
    } catch (...) {
        std::lock_guard keys(keys_mutex_);
        pending_keys_.clear();
        throw;
    }
    std::lock_guard keys(keys_mutex_);
    keys_.merge(pending_keys_);
    pending_keys_.clear();
}

void SqliteStore::write(const std::function<void(StoreWriter&)>& work) {
    transaction([&](Database& db) {
        SqliteTx tx(*this, db);
        work(tx);
    });
}

void SqliteStore::read(const std::function<void(StoreReader&)>& work) {
    if (memory_) {
        // A private in-memory database has one connection: reads queue behind writes.
        std::lock_guard lock(write_mutex_);
        SqliteTx tx(*this, *writer_);
        work(tx);
        return;
    }
    ReaderLease lease(*this);
    auto& db = lease.db();
    db.exec("BEGIN");  // one snapshot for every statement of this read
    try {
        SqliteTx tx(*this, db);
        work(tx);
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    db.exec("COMMIT");
}

int SqliteStore::schema_version() {
    int v = 0;
    read([&](StoreReader& r) {
        auto st = static_cast<SqliteTx&>(r).db().prepare("PRAGMA user_version");
        st.step();
        v = static_cast<int>(st.column_int(0));
    });
    return v;
}

std::optional<SqliteStore::StoredKey> SqliteStore::find_key(Database& db, const std::string& key) {
    {
        std::lock_guard lock(keys_mutex_);
        if (auto it = keys_.find(key); it != keys_.end()) return it->second;
        if (auto it = pending_keys_.find(key); it != pending_keys_.end()) return it->second;
    }
    auto st = db.cached("SELECT id, value_class, si_unit, unit FROM metadata_key WHERE key = ?");
    st->bind(1, key);
    if (!st->step()) return std::nullopt;
    StoredKey found{st->column_int(0), {st->column_text(1), st->column_text(2), st->column_text(3)}};
    // Only a reader may cache here: a writer's row could still be rolled back, but a key read
    // outside a write was committed by someone.
    if (!db.in_transaction() || &db != writer_.get()) {
        std::lock_guard lock(keys_mutex_);
        keys_.emplace(key, found);
    }
    return found;
}

std::int64_t SqliteStore::key_id(Database& db, const MetadataRow& row) {
    if (auto known = find_key(db, row.key)) return known->id;
    auto ins = db.cached("INSERT INTO metadata_key (key, value_class, si_unit, unit) VALUES (?, ?, ?, ?)");
    ins->bind(1, row.key).bind(2, value_class(row.type)).bind(3, row.si_unit).bind(4, row.unit).exec();
    StoredKey stored{db.last_insert_rowid(), {std::string(value_class(row.type)), row.si_unit, row.unit}};
    std::lock_guard lock(keys_mutex_);
    pending_keys_.emplace(row.key, stored);
    return stored.id;
}

// ---------------------------------------------------------------------------------------------
// References and keys

std::optional<Ref> SqliteTx::find_by_pid(Table table, const std::string& pid) {
    auto st = db_.cached(fmt::format("SELECT id, pid FROM {} WHERE pid = ?", table_name(table)));
    st->bind(1, pid);
    if (!st->step()) return std::nullopt;
    return Ref{st->column_int(0), st->column_text(1)};
}

std::vector<Ref> SqliteTx::find_by_name(Table table, const std::string& name, std::size_t limit) {
    std::vector<Ref> out;
    auto st = db_.cached(fmt::format("SELECT id, pid FROM {} WHERE name = ? ORDER BY id LIMIT ?", table_name(table)));
    st->bind(1, name).bind(2, static_cast<std::int64_t>(limit));
    while (st->step()) out.push_back({st->column_int(0), st->column_text(1)});
    return out;
}

std::optional<KeyInfo> SqliteTx::metadata_key(const std::string& key) {
    if (auto found = store_.find_key(db_, key)) return std::move(found->info);
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Records

std::vector<Instrument> SqliteTx::instruments(const std::vector<std::int64_t>& ids) {
    std::vector<Instrument> out(ids.size());
    for_ids(db_, "SELECT id, pid, name, facility, type FROM instrument WHERE id IN (SELECT value FROM json_each(?))", ids,
            [&](std::size_t i, const Statement& st) {
                out[i] = {st.column_text(1), st.column_text(2), st.column_text(3), st.column_text(4)};
            });
    return out;
}

std::vector<Investigation> SqliteTx::investigations(const std::vector<std::int64_t>& ids) {
    std::vector<Investigation> out(ids.size());
    for_ids(db_,
            "SELECT i.id, i.pid, i.name, i.title, i.summary, i.start_time, i.end_time, ins.pid, i.release_date, i.doi "
            "FROM investigation i LEFT JOIN instrument ins ON ins.id = i.instrument_id "
            "WHERE i.id IN (SELECT value FROM json_each(?))",
            ids, [&](std::size_t i, const Statement& st) {
                auto& inv = out[i];
                inv.pid = st.column_text(1);
                inv.name = st.column_text(2);
                inv.title = st.column_text(3);
                inv.summary = st.column_text(4);
                inv.start_time = column_time(st, 5);
                inv.end_time = column_time(st, 6);
                inv.instrument = st.column_text(7);
                inv.release_date = column_time(st, 8);
                inv.doi = st.column_text(9);
            });
    for_ids(db_,
            "SELECT investigation_id, name, role, orcid, email FROM participant "
            "WHERE investigation_id IN (SELECT value FROM json_each(?)) ORDER BY investigation_id, position",
            ids, [&](std::size_t i, const Statement& st) {
                out[i].participants.push_back({st.column_text(1), st.column_text(2), st.column_text(3), st.column_text(4)});
            });
    return out;
}

std::vector<Sample> SqliteTx::samples(const std::vector<std::int64_t>& ids) {
    std::vector<Sample> out(ids.size());
    for_ids(db_,
            "SELECT s.id, s.pid, s.name, s.description, s.formula, i.pid, p.pid FROM sample s "
            "LEFT JOIN investigation i ON i.id = s.investigation_id LEFT JOIN sample p ON p.id = s.parent_id "
            "WHERE s.id IN (SELECT value FROM json_each(?))",
            ids, [&](std::size_t i, const Statement& st) {
                auto& s = out[i];
                s.pid = st.column_text(1);
                s.name = st.column_text(2);
                s.description = st.column_text(3);
                s.formula = st.column_text(4);
                s.investigation = st.column_text(5);
                s.parent = st.column_text(6);
            });
    for_ids(db_,
            "SELECT m.sample_id, k.key, m.type, m.value, m.unit, m.uncertainty FROM sample_metadata m "
            "JOIN metadata_key k ON k.id = m.key_id WHERE m.sample_id IN (SELECT value FROM json_each(?))",
            ids, [&](std::size_t i, const Statement& st) { out[i].metadata.emplace(st.column_text(1), column_metadata(st, 2)); });
    return out;
}

std::vector<Dataset> SqliteTx::datasets(const std::vector<std::int64_t>& ids) {
    auto& db = db_;
    std::vector<Dataset> out(ids.size());
    if (ids.empty()) return out;
    std::unordered_map<std::int64_t, std::size_t> index;
    index.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    const std::string id_list = nlohmann::json(ids).dump();
    {
        auto st = db.cached(
            "SELECT d.id, d.pid, d.kind, d.name, d.description, inv.pid, ins.pid, s.pid, d.techniques, d.keywords, "
            "d.start_time, d.end_time, d.location, d.schema_name, d.state, d.created_by, d.created_at, d.valid, "
            "d.violations FROM dataset d LEFT JOIN investigation inv ON inv.id = d.investigation_id "
            "LEFT JOIN instrument ins ON ins.id = d.instrument_id LEFT JOIN sample s ON s.id = d.sample_id "
            "WHERE d.id IN (SELECT value FROM json_each(?))");
        st->bind(1, id_list);
        while (st->step()) {
            auto& d = out[index.at(st->column_int(0))];
            d.pid = st->column_text(1);
            d.kind = parse_dataset_kind(st->column_text(2));
            d.name = st->column_text(3);
            d.description = st->column_text(4);
            d.investigation = st->column_text(5);
            d.instrument = st->column_text(6);
            d.sample = st->column_text(7);
            d.techniques = json_strings(st->column_text(8));
            d.keywords = json_strings(st->column_text(9));
            d.start_time = column_time(*st, 10);
            d.end_time = column_time(*st, 11);
            d.location = st->column_text(12);
            d.schema = st->column_text(13);
            d.state = parse_dataset_state(st->column_text(14));
            d.created_by = st->column_text(15);
            d.created_at = column_time(*st, 16);
            d.valid = st->column_int(17) != 0;
            d.violations = violations_from_json(st->column_text(18));
        }
    }
    {
        auto st = db.cached(
            "SELECT m.dataset_id, k.key, m.type, m.value, m.unit, m.uncertainty FROM dataset_metadata m "
            "JOIN metadata_key k ON k.id = m.key_id WHERE m.dataset_id IN (SELECT value FROM json_each(?))");
        st->bind(1, id_list);
        while (st->step()) out[index.at(st->column_int(0))].metadata.emplace(st->column_text(1), column_metadata(*st, 2));
    }
    {
        auto st = db.cached(
            "SELECT dataset_id, path, size, sha256, format, modified FROM datafile "
            "WHERE dataset_id IN (SELECT value FROM json_each(?)) ORDER BY id");
        st->bind(1, id_list);
        while (st->step()) {
            Datafile f;
            f.path = st->column_text(1);
            if (auto size = st->column_optional_int(2)) f.size = static_cast<std::uint64_t>(*size);
            f.sha256 = st->column_text(3);
            f.format = st->column_text(4);
            f.modified = column_time(*st, 5);
            out[index.at(st->column_int(0))].files.push_back(std::move(f));
        }
    }
    return out;
}

std::vector<Dataset> SqliteTx::dataset_summaries(const std::vector<std::int64_t>& ids) {
    std::vector<Dataset> out(ids.size());
    std::vector<bool> found(ids.size());
    for_ids(db_,
            "SELECT id, pid, name, kind, state, start_time, end_time, created_at, created_by FROM dataset "
            "WHERE id IN (SELECT value FROM json_each(?))",
            ids, [&](std::size_t i, const Statement& st) {
                auto& d = out[i];
                found[i] = true;
                d.pid = st.column_text(1);
                d.name = st.column_text(2);
                d.kind = parse_dataset_kind(st.column_text(3));
                d.state = parse_dataset_state(st.column_text(4));
                d.start_time = column_time(st, 5);
                d.end_time = column_time(st, 6);
                d.created_at = column_time(st, 7);
                d.created_by = st.column_text(8);
            });
    return only_found(std::move(out), found);
}

std::vector<std::int64_t> SqliteTx::all_ids(Table table) {
    std::vector<std::int64_t> ids;
    auto st = db_.cached(fmt::format("SELECT id FROM {} ORDER BY id", table_name(table)));
    while (st->step()) ids.push_back(st->column_int(0));
    return ids;
}

// ---------------------------------------------------------------------------------------------
// Queries

namespace {

// The SQLite spellings of a dataset query (see sql_query.hpp).
struct SqliteDialect {
    std::vector<Bind>& binds;

    template <class T>
    std::string param(T value) {
        binds.emplace_back(std::move(value));
        return "?";
    }
    std::string glob(std::string_view lhs, const std::string& pattern) { return fmt::format("{} GLOB ", lhs) + param(pattern); }
    std::string list(DatasetList list, query::Op op, const std::string& value) {
        const char* column = list == DatasetList::techniques ? "d.techniques" : "d.keywords";
        if (op == query::Op::exists) return fmt::format("{} <> '[]'", column);
        const char* test = op == query::Op::glob ? "GLOB" : "=";
        return fmt::format("EXISTS (SELECT 1 FROM json_each({}) WHERE value {} ", column, test) + param(value) + ")";
    }
    std::string text(const std::string& words) {
        const auto fts = fts_query(words);
        if (fts.empty()) return {};
        return "d.id IN (SELECT rowid FROM dataset_text WHERE dataset_text MATCH " + param(fts) + ")";
    }
    // SQLite's own order: NULLs are the smallest values.
    std::string nulls(bool) { return {}; }
    std::string limit(std::size_t limit, std::size_t offset) {
        if (!limit && !offset) return {};
        std::string sql = " LIMIT " + param(limit ? static_cast<std::int64_t>(limit) : std::int64_t{-1});
        return sql + " OFFSET " + param(static_cast<std::int64_t>(offset));
    }
};

}  // namespace

std::vector<std::int64_t> SqliteTx::find_datasets(const CompiledQuery& cq) {
    std::vector<Bind> binds;
    SqliteDialect dialect{binds};
    auto st = db_.prepare(select_sql(cq, dialect));
    bind_all(st, binds);
    std::vector<std::int64_t> ids;
    while (st.step()) ids.push_back(st.column_int(0));
    return ids;
}

std::size_t SqliteTx::count_datasets(const CompiledQuery& cq) {
    std::vector<Bind> binds;
    SqliteDialect dialect{binds};
    auto st = db_.prepare(count_sql(cq, dialect));
    bind_all(st, binds);
    st.step();
    return static_cast<std::size_t>(st.column_int(0));
}

std::string SqliteTx::explain(const CompiledQuery& cq) {
    std::vector<Bind> binds;
    SqliteDialect dialect{binds};
    auto st = db_.prepare("EXPLAIN QUERY PLAN " + select_sql(cq, dialect));
    bind_all(st, binds);
    std::string plan;
    while (st.step()) plan += st.column_text(3) + "\n";
    return plan;
}

// ---------------------------------------------------------------------------------------------
// Writes

void SqliteTx::insert_instrument(const Instrument& in) {
    {
        auto st = db_.cached("SELECT pid FROM instrument WHERE facility = ? AND name = ?");
        st->bind(1, in.facility).bind(2, in.name);
        if (st->step())
            throw Conflict(fmt::format("instrument.name '{}' must be unique per facility: '{}' already has it as {}", in.name,
                                       in.facility, st->column_text(0)));
    }
    auto st = db_.cached("INSERT INTO instrument (pid, name, facility, type) VALUES (?, ?, ?, ?)");
    st->bind(1, in.pid).bind(2, in.name).bind(3, in.facility).bind(4, in.type).exec();
}

void SqliteTx::insert_investigation(const InvestigationRow& row) {
    const auto& in = row.investigation;
    {
        auto st = db_.cached("SELECT pid FROM investigation WHERE name = ?");
        st->bind(1, in.name);
        if (st->step())
            throw Conflict(fmt::format("investigation.name '{}' must be unique: the catalogue already has it as {}", in.name,
                                       st->column_text(0)));
    }
    auto st = db_.cached(
        "INSERT INTO investigation (pid, name, title, summary, start_time, end_time, instrument_id, release_date, doi) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, in.pid).bind(2, in.name).bind(3, in.title).bind(4, in.summary);
    st->bind_text_or_null(5, opt_time(in.start_time)).bind_text_or_null(6, opt_time(in.end_time));
    st->bind(7, row.instrument_id);
    st->bind_text_or_null(8, opt_time(in.release_date)).bind(9, in.doi);
    st->exec();
    const auto id = db_.last_insert_rowid();
    auto p = db_.cached("INSERT INTO participant (investigation_id, position, name, role, orcid, email) VALUES (?, ?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < in.participants.size(); ++i) {
        const auto& x = in.participants[i];
        p->reset();
        p->bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, x.name).bind(4, x.role).bind(5, x.orcid).bind(6, x.email);
        p->exec();
    }
}

void SqliteTx::insert_sample(const SampleRow& row) {
    const auto& s = row.sample;
    auto st = db_.cached(
        "INSERT INTO sample (pid, name, description, formula, investigation_id, parent_id) VALUES (?, ?, ?, ?, ?, ?)");
    st->bind(1, s.pid).bind(2, s.name).bind(3, s.description).bind(4, s.formula);
    st->bind(5, row.investigation_id).bind(6, row.parent_id);
    st->exec();
    put_metadata(MetadataOwner::sample, db_.last_insert_rowid(), row.metadata);
}

std::vector<std::int64_t> SqliteTx::insert_datasets(const std::vector<DatasetRow>& rows) {
    std::vector<std::int64_t> ids;
    ids.reserve(rows.size());
    // One loan of each statement for the whole batch.
    auto insert = db_.cached(
        "INSERT INTO dataset (pid, kind, name, description, investigation_id, instrument_id, sample_id, "
        "techniques, keywords, start_time, end_time, location, schema_name, state, created_by, created_at, valid, "
        "violations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    auto metadata = db_.cached(metadata_insert(MetadataOwner::dataset));
    auto files = db_.cached(insert_file_sql);
    auto text = db_.cached(insert_text_sql);
    std::optional<Timestamp> created_at;
    std::string created_at_text;  // a batch shares one creation time: format it once
    for (const auto& row : rows) {
        const auto& d = row.dataset;
        if (d.created_at != created_at) created_at = d.created_at, created_at_text = opt_time(d.created_at);
        auto& st = *insert;
        st.reset();
        st.bind_ref(1, d.pid).bind(2, to_string(d.kind)).bind_ref(3, d.name).bind_ref(4, d.description);
        st.bind(5, row.investigation_id).bind(6, row.instrument_id).bind(7, row.sample_id);
        st.bind(8, json_list(d.techniques)).bind(9, json_list(d.keywords));
        st.bind_text_or_null(10, opt_time(d.start_time)).bind_text_or_null(11, opt_time(d.end_time));
        st.bind_ref(12, d.location).bind_ref(13, d.schema).bind(14, to_string(d.state));
        st.bind_ref(15, d.created_by).bind_ref(16, created_at_text);
        st.bind(17, std::int64_t{d.valid ? 1 : 0}).bind(18, violations_json(d.violations));
        try {
            st.exec();
        } catch (const sqlite::Failure& e) {
            if (e.is_constraint() && find_by_pid(Table::dataset, d.pid))
                throw Conflict(fmt::format("{}.pid '{}' must be unique: the catalogue already has it", row.field, d.pid));
            throw;
        }
        const auto id = db_.last_insert_rowid();
        ids.push_back(id);
        write_metadata(*metadata, id, row.metadata);
        insert_file_rows(*files, id, d.files);
        insert_text(*text, id, d, row.text);
    }
    return ids;
}

void SqliteTx::insert_files(std::int64_t dataset, const std::vector<Datafile>& files) {
    auto st = db_.cached(insert_file_sql);
    insert_file_rows(*st, dataset, files);
}

void SqliteTx::put_metadata(MetadataOwner owner, std::int64_t owner_id, const std::vector<MetadataRow>& rows) {
    auto st = db_.cached(metadata_insert(owner));
    write_metadata(*st, owner_id, rows);
}

void SqliteTx::write_metadata(Statement& st, std::int64_t owner, const std::vector<MetadataRow>& rows) {
    for (const auto& row : rows) {
        const auto key = store_.key_id(db_, row);
        st.reset();
        st.bind(1, owner).bind(2, key).bind(3, std::int64_t{stored_code(row.type)});
        if (const auto* text = std::get_if<std::string>(&row.value)) st.bind_ref(4, *text);
        else bind_value(st, 4, row.value);
        st.bind_ref(5, row.unit).bind(6, row.si);
        if (row.si_unit.empty()) st.bind(7, nullptr);
        else st.bind_ref(7, row.si_unit);
        st.bind(8, row.uncertainty);
        st.exec();
    }
}

void SqliteTx::set_search_text(std::int64_t dataset, const Dataset& d, const SearchText& text) {
    auto del = db_.cached("DELETE FROM dataset_text WHERE rowid = ?");
    del->bind(1, dataset).exec();
    auto st = db_.cached(insert_text_sql);
    insert_text(*st, dataset, d, text);
}

void SqliteTx::set_state(std::int64_t dataset, DatasetState state, std::optional<Timestamp> end_time) {
    auto st = db_.cached("UPDATE dataset SET state = ?, end_time = COALESCE(?, end_time) WHERE id = ?");
    st->bind(1, to_string(state)).bind_text_or_null(2, opt_time(end_time)).bind(3, dataset).exec();
}

void SqliteTx::set_validity(std::int64_t dataset, const std::string& schema, bool valid,
                            const std::vector<Violation>& violations) {
    auto st = db_.cached("UPDATE dataset SET schema_name = ?, valid = ?, violations = ? WHERE id = ?");
    st->bind(1, schema).bind(2, std::int64_t{valid ? 1 : 0}).bind(3, violations_json(violations)).bind(4, dataset).exec();
}

void SqliteTx::insert_schema(const SchemaRow& row) {
    auto st = db_.cached(
        "INSERT INTO metadata_schema (name, version, description, canonical, source, source_name, parent, created_by, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, row.name).bind(2, row.version).bind(3, row.description).bind(4, row.canonical).bind(5, row.source);
    st->bind(6, row.source_name).bind(7, row.parent).bind(8, row.created_by).bind(9, format_time(row.created_at));
    try {
        st->exec();
    } catch (const sqlite::Failure& e) {
        if (e.is_constraint())
            throw Conflict(fmt::format("schema {}@{} is already in the catalogue", row.name, row.version));
        throw;
    }
}

std::vector<SchemaRow> SqliteTx::schemas(const std::string& name) {
    auto st = db_.cached(
        "SELECT name, version, description, canonical, source, source_name, parent, created_by, created_at "
        "FROM metadata_schema WHERE ?1 = '' OR name = ?1 ORDER BY name, id");
    st->bind(1, name);
    std::vector<SchemaRow> out;
    while (st->step()) {
        SchemaRow r{st->column_text(0), st->column_text(1), st->column_text(2), st->column_text(3),
                    st->column_text(4), st->column_text(5), st->column_text(6), st->column_text(7), {}};
        r.created_at = column_time(*st, 8).value_or(Timestamp{});
        out.push_back(std::move(r));
    }
    return out;
}

void SqliteTx::set_output_states(std::int64_t activity, std::optional<DatasetState> only_from, DatasetState to,
                                 Timestamp end_time) {
    auto st = db_.cached(
        "UPDATE dataset SET state = ?1, end_time = COALESCE(end_time, ?2) "
        "WHERE id IN (SELECT dataset_id FROM generation WHERE activity_id = ?3) AND (?4 IS NULL OR state = ?4)");
    st->bind(1, to_string(to)).bind(2, format_time(end_time)).bind(3, activity);
    if (only_from) st->bind(4, to_string(*only_from));
    st->exec();
}

}  // namespace datatrail::detail
