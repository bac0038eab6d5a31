#include "catalog/sqlite_store.hpp"

#include "catalog/migrations.hpp"
#include "catalog/sqlite_file.hpp"
#include "catalog/sqlite_rows.hpp"
#include "catalog/validate.hpp"

#include <datatrail/pid.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <unordered_set>

namespace datatrail::detail {
using sqlite::Database;
using sqlite::Statement;

std::optional<Ref> lookup(Database& db, std::string_view table, const std::string& pid_or_name) {
    {
        auto st = db.cached(fmt::format("SELECT id, pid FROM {} WHERE pid = ?", table));
        st->bind(1, pid_or_name);
        if (st->step()) return Ref{st->column_int(0), st->column_text(1)};
    }
    auto st = db.cached(fmt::format("SELECT id, pid FROM {} WHERE name = ? LIMIT 2", table));
    st->bind(1, pid_or_name);
    if (!st->step()) return std::nullopt;
    Ref ref{st->column_int(0), st->column_text(1)};
    if (st->step())
        throw ValidationError({{std::string(table), pid_or_name,
                                fmt::format("names more than one {}; use its PID", table)}});
    return ref;
}

bool pid_exists(Database& db, std::string_view table, const std::string& pid) {
    auto st = db.cached(fmt::format("SELECT 1 FROM {} WHERE pid = ?", table));
    st->bind(1, pid);
    return st->step();
}

std::optional<Ref> resolve(Database& db, std::string_view table, const std::string& ref, std::string field,
                           Violations& out, std::unordered_map<std::string, Ref>* cache) {
    if (ref.empty()) return std::nullopt;
    if (cache)
        if (auto it = cache->find(ref); it != cache->end()) return it->second;
    std::optional<Ref> found;
    try {
        found = lookup(db, table, ref);
    } catch (const ValidationError& e) {
        out.add(std::move(field), ref, e.violations().front().rule);
        return std::nullopt;
    }
    if (!found) {
        out.add(std::move(field), ref, fmt::format("must name an existing {} (by PID or name)", table));
        return std::nullopt;
    }
    if (cache) cache->emplace(ref, *found);
    return found;
}

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
    const auto type = static_cast<ValueType>(st.column_int(col));
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

namespace {

std::string with_article(std::string_view noun) {
    const bool vowel = !noun.empty() && std::string_view("aeiou").find(noun.front()) != std::string_view::npos;
    return fmt::format("{} {}", vowel ? "an" : "a", noun);
}

// What full-text search sees of a dataset.
struct TextRow {
    std::string keywords;
    std::string metadata;
};

TextRow text_of(const Dataset& d) {
    TextRow t;
    for (const auto& k : d.keywords) t.keywords += k + ' ';
    for (const auto& k : d.techniques) t.keywords += k + ' ';
    for (const auto& [key, mv] : d.metadata)
        if (mv.value.is<std::string>()) t.metadata += mv.value.as<std::string>() + ' ';
    return t;
}

constexpr std::string_view insert_text_sql =
    "INSERT INTO dataset_text (rowid, name, description, keywords, metadata) VALUES (?, ?, ?, ?, ?)";
constexpr std::string_view insert_file_sql =
    "INSERT INTO datafile (dataset_id, path, size, sha256, format, modified) VALUES (?, ?, ?, ?, ?, ?)";

void insert_text(Statement& st, std::int64_t id, const Dataset& d) {
    const auto t = text_of(d);
    st.reset();
    st.bind(1, id).bind_ref(2, d.name).bind_ref(3, d.description).bind(4, t.keywords).bind(5, t.metadata);
    st.exec();
}

void insert_files(Statement& st, std::int64_t dataset_id, const std::vector<Datafile>& files) {
    for (const auto& f : files) {
        st.reset();
        st.bind(1, dataset_id).bind_ref(2, f.path);
        st.bind(3, f.size ? std::optional<std::int64_t>(static_cast<std::int64_t>(*f.size)) : std::nullopt);
        st.bind_ref(4, f.sha256).bind(5, f.format.empty() ? guess_format(f.path) : f.format);
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

const char* sql_operator(Comparison op) {
    switch (op) {
        case Comparison::eq: return "=";
        case Comparison::ne: return "<>";
        case Comparison::lt: return "<";
        case Comparison::le: return "<=";
        case Comparison::gt: return ">";
        case Comparison::ge: return ">=";
        case Comparison::between: return "BETWEEN";
    }
    return "=";
}

}  // namespace

// The WHERE clause of a dataset query over `dataset d`, with its bindings.
std::string SqliteStore::where_clause(Database& db, const CompiledQuery& cq, std::vector<Bind>& binds) {
    const auto& q = cq.query;
    std::vector<std::string> terms;
    auto reference = [&](std::string_view table, std::string_view column, const std::string& ref) {
        if (ref.empty()) return;
        const auto found = lookup(db, table, ref);
        if (!found) throw NotFound(fmt::format("no {} '{}' in the catalogue (looked up by PID and by name)", table, ref));
        terms.push_back(fmt::format("d.{} = ?", column));
        binds.emplace_back(found->id);
    };
    if (q.kind) terms.push_back("d.kind = ?"), binds.emplace_back(std::string(to_string(*q.kind)));
    if (q.state) terms.push_back("d.state = ?"), binds.emplace_back(std::string(to_string(*q.state)));
    reference("investigation", "investigation_id", q.investigation);
    reference("instrument", "instrument_id", q.instrument);
    reference("sample", "sample_id", q.sample);
    if (q.started_after) terms.push_back("d.start_time >= ?"), binds.emplace_back(format_time(*q.started_after));
    if (q.started_before) terms.push_back("d.start_time < ?"), binds.emplace_back(format_time(*q.started_before));
    if (!q.name.empty()) terms.push_back("d.name GLOB ?"), binds.emplace_back(q.name);
    if (!q.keyword.empty())
        terms.push_back("EXISTS (SELECT 1 FROM json_each(d.keywords) WHERE value = ?)"), binds.emplace_back(q.keyword);
    if (!q.technique.empty())
        terms.push_back("EXISTS (SELECT 1 FROM json_each(d.techniques) WHERE value = ?)"), binds.emplace_back(q.technique);
    if (const auto fts = fts_query(q.text); !fts.empty())
        terms.push_back("d.id IN (SELECT rowid FROM dataset_text WHERE dataset_text MATCH ?)"), binds.emplace_back(fts);
    for (const auto& c : cq.conditions) {
        check_condition(db, c);
        std::string test;
        binds.emplace_back(c.key);
        switch (c.kind) {
            case CompiledCondition::Kind::number:
                binds.emplace_back(c.si_unit);
                if (c.op == Comparison::eq || c.op == Comparison::between) {
                    test = "si BETWEEN ? AND ?";
                    binds.emplace_back(c.low), binds.emplace_back(c.high);
                } else if (c.op == Comparison::ne) {
                    test = "(si < ? OR si > ?)";
                    binds.emplace_back(c.low), binds.emplace_back(c.high);
                } else {
                    test = fmt::format("si {} ?", sql_operator(c.op));
                    binds.emplace_back(c.low);
                }
                test = "si_unit = ? AND si IS NOT NULL AND " + test;
                break;
            case CompiledCondition::Kind::text:
                test = fmt::format("type = 0 AND value {} ?", sql_operator(c.op));
                binds.emplace_back(c.text);
                if (c.op == Comparison::between) test += " AND ?", binds.emplace_back(c.text_high);
                break;
            case CompiledCondition::Kind::boolean:
                test = fmt::format("type = 3 AND value {} ?", sql_operator(c.op));
                binds.emplace_back(std::int64_t{c.flag ? 1 : 0});
                break;
        }
        terms.push_back(fmt::format(
            "d.id IN (SELECT dataset_id FROM dataset_metadata WHERE key_id = (SELECT id FROM metadata_key WHERE key = ?) "
            "AND {})",
            test));
    }
    if (terms.empty()) return {};
    std::string where = " WHERE ";
    for (std::size_t i = 0; i < terms.size(); ++i) where += (i ? " AND " : "") + terms[i];
    return where;
}

namespace {

void bind_all(Statement& st, const std::vector<Bind>& binds) {
    for (std::size_t i = 0; i < binds.size(); ++i) bind_value(st, static_cast<int>(i + 1), binds[i]);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Connections

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
    : path_(path.string()), memory_(path_ == ":memory:"), busy_timeout_(options.busy_timeout),
      use_lineage_index_(options.lineage_index) {
    if (options.pid_prefix && !is_valid_pid_prefix(*options.pid_prefix))
        throw ValidationError({{"pid_prefix", *options.pid_prefix,
                                "must be a letter or digit followed by letters, digits, '.', '_' or '-'"}});
    file_ = file_mode(path, memory_, options);  // refuses before anything is created
    writer_ = open_connection(true);
    if (file_.read_only)
        check_read_only_catalog(*writer_, path_);
    else
        migrate(*writer_);
    auto load_prefix = [&](Database& db) {
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
        read(load_prefix);
    else
        write(load_prefix);
}

void SqliteStore::write(const std::function<void(Database&)>& work) {
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

void SqliteStore::read(const std::function<void(Database&)>& work) {
    if (memory_) {
        // A private in-memory database has one connection: reads queue behind writes.
        std::lock_guard lock(write_mutex_);
        work(*writer_);
        return;
    }
    ReaderLease lease(*this);
    auto& db = lease.db();
    db.exec("BEGIN");  // one snapshot for every statement of this read
    try {
        work(db);
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    db.exec("COMMIT");
}

int SqliteStore::schema_version() {
    int v = 0;
    read([&](Database& db) {
        auto st = db.prepare("PRAGMA user_version");
        st.step();
        v = static_cast<int>(st.column_int(0));
    });
    return v;
}

std::optional<SqliteStore::KeyInfo> SqliteStore::find_key(Database& db, const std::string& key) {
    {
        std::lock_guard lock(keys_mutex_);
        if (auto it = keys_.find(key); it != keys_.end()) return it->second;
        if (auto it = pending_keys_.find(key); it != pending_keys_.end()) return it->second;
    }
    auto st = db.cached("SELECT id, value_class, si_unit, unit FROM metadata_key WHERE key = ?");
    st->bind(1, key);
    if (!st->step()) return std::nullopt;
    KeyInfo info{st->column_int(0), st->column_text(1), st->column_text(2), st->column_text(3)};
    // Only a reader may cache here: a writer's row could still be rolled back, but a key read
    // outside a write was committed by someone.
    if (!db.in_transaction() || &db != writer_.get()) {
        std::lock_guard lock(keys_mutex_);
        keys_.emplace(key, info);
    }
    return info;
}

void SqliteStore::check_keys(Database& db, const std::vector<MetadataRow>& rows, const std::string& field,
                             std::unordered_map<std::string, KeyInfo>& seen, Violations& out) {
    for (const auto& row : rows) {
        const std::string_view cls = value_class(row.type);
        const KeyInfo* known = nullptr;
        std::optional<KeyInfo> stored;
        if (auto it = seen.find(row.key); it != seen.end()) {
            known = &it->second;
        } else if ((stored = find_key(db, row.key))) {
            known = &seen.emplace(row.key, *stored).first->second;
        } else {
            seen.emplace(row.key, KeyInfo{0, std::string(cls), row.si_unit, row.unit});
            continue;
        }
        const auto f = [&] { return fmt::format("{}.{}", field, row.key); };
        const auto shown = [&] {
            return std::visit([](const auto& v) { return fmt::format("{}", v); }, row.value) +
                   (row.unit.empty() ? "" : " " + row.unit);
        };
        if (known->value_class != cls) {
            out.add(f(), shown(),
                    fmt::format("must be {} like the catalogue's other values of '{}', not {}",
                                with_article(known->value_class), row.key, with_article(cls)));
        } else if (known->si_unit != row.si_unit && !(cls == "array" && (row.si_unit.empty() || known->si_unit.empty()))) {
            out.add_unit(f(), shown(),
                         fmt::format("unit '{}' has dimension {}, incompatible with '{}' values in the catalogue ({}, "
                                     "e.g. '{}')",
                                     row.unit, row.si_unit, row.key, known->si_unit, known->unit));
        }
    }
}

std::int64_t SqliteStore::key_id(Database& db, const MetadataRow& row) {
    if (auto known = find_key(db, row.key)) return known->id;
    auto ins = db.cached("INSERT INTO metadata_key (key, value_class, si_unit, unit) VALUES (?, ?, ?, ?)");
    ins->bind(1, row.key).bind(2, value_class(row.type)).bind(3, row.si_unit).bind(4, row.unit).exec();
    KeyInfo info{db.last_insert_rowid(), std::string(value_class(row.type)), row.si_unit, row.unit};
    std::lock_guard lock(keys_mutex_);
    pending_keys_.emplace(row.key, info);
    return info.id;
}

void SqliteStore::check_condition(Database& db, const CompiledCondition& c) {
    const auto known = find_key(db, c.key);
    if (!known) return;  // nobody has this key: the condition simply matches nothing
    const std::string f = fmt::format("where.{}", c.key);
    std::string_view cls;
    switch (c.kind) {
        case CompiledCondition::Kind::number: cls = c.si_unit == datetime_si_unit ? "datetime" : "number"; break;
        case CompiledCondition::Kind::text: cls = "string"; break;
        case CompiledCondition::Kind::boolean: cls = "bool"; break;
    }
    if (known->value_class != cls)
        throw ValidationError({{f, std::string(cls),
                                fmt::format("'{}' holds {} values in this catalogue; compare it with {}", c.key,
                                            known->value_class, with_article(known->value_class))}});
    if (cls == "number" && known->si_unit != c.si_unit)
        throw UnitError({{f, c.si_unit,
                          fmt::format("the query's unit has dimension {}, but '{}' is stored with dimension {} (e.g. '{}')",
                                      c.si_unit, c.key, known->si_unit, known->unit)}});
}

namespace {

std::string metadata_insert_sql(std::string_view table, std::string_view owner) {
    return fmt::format(
        "INSERT INTO {0} ({1}, key_id, type, value, unit, si, si_unit, uncertainty) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT ({1}, key_id) DO UPDATE SET type = excluded.type, value = excluded.value, unit = excluded.unit, "
        "si = excluded.si, si_unit = excluded.si_unit, uncertainty = excluded.uncertainty",
        table, owner);
}

}  // namespace

const std::string& SqliteStore::MetadataTable::insert_sql() const {
    // Built once per table: the statement cache is keyed by this text.
    static const std::string dataset = metadata_insert_sql(dataset_metadata.table, dataset_metadata.owner_column);
    static const std::string sample = metadata_insert_sql(sample_metadata.table, sample_metadata.owner_column);
    static const std::string activity = metadata_insert_sql(activity_parameters.table, activity_parameters.owner_column);
    if (table == dataset_metadata.table) return dataset;
    if (table == sample_metadata.table) return sample;
    return activity;
}

void SqliteStore::insert_metadata(Database& db, MetadataTable table, std::int64_t owner,
                                  const std::vector<MetadataRow>& rows) {
    auto st = db.cached(table.insert_sql());
    write_metadata(db, *st, owner, rows);
}

void SqliteStore::write_metadata(Database& db, Statement& st, std::int64_t owner, const std::vector<MetadataRow>& rows) {
    for (const auto& row : rows) {
        const auto key = key_id(db, row);
        st.reset();
        st.bind(1, owner).bind(2, key).bind(3, static_cast<std::int64_t>(row.type));
        if (const auto* text = std::get_if<std::string>(&row.value)) st.bind_ref(4, *text);
        else bind_value(st, 4, row.value);
        st.bind_ref(5, row.unit).bind(6, row.si);
        if (row.si_unit.empty()) st.bind(7, nullptr);
        else st.bind_ref(7, row.si_unit);
        st.bind(8, row.uncertainty);
        st.exec();
    }
}

// ---------------------------------------------------------------------------------------------
// Instruments, investigations, samples

namespace {

Instrument instrument_from(const Statement& st) {
    return {st.column_text(0), st.column_text(1), st.column_text(2), st.column_text(3)};
}
constexpr std::string_view instrument_columns = "SELECT pid, name, facility, type FROM instrument";

}  // namespace

Instrument SqliteStore::insert_instrument(const Instrument& in) {
    Instrument out = in;
    write([&](Database& db) {
        if (pid_exists(db, "instrument", in.pid))
            throw Conflict(fmt::format("instrument.pid '{}' must be unique: the catalogue already has it", in.pid));
        {
            auto st = db.cached("SELECT pid FROM instrument WHERE facility = ? AND name = ?");
            st->bind(1, in.facility).bind(2, in.name);
            if (st->step())
                throw Conflict(fmt::format("instrument.name '{}' must be unique per facility: '{}' already has it as {}",
                                           in.name, in.facility, st->column_text(0)));
        }
        auto st = db.cached("INSERT INTO instrument (pid, name, facility, type) VALUES (?, ?, ?, ?)");
        st->bind(1, in.pid).bind(2, in.name).bind(3, in.facility).bind(4, in.type).exec();
    });
    return out;
}

std::optional<Instrument> SqliteStore::find_instrument(const std::string& pid_or_name) {
    std::optional<Instrument> out;
    read([&](Database& db) {
        const auto ref = lookup(db, "instrument", pid_or_name);
        if (!ref) return;
        auto st = db.cached(fmt::format("{} WHERE id = ?", instrument_columns));
        st->bind(1, ref->id);
        if (st->step()) out = instrument_from(*st);
    });
    return out;
}

std::vector<Instrument> SqliteStore::list_instruments() {
    std::vector<Instrument> out;
    read([&](Database& db) {
        auto st = db.cached(fmt::format("{} ORDER BY id", instrument_columns));
        while (st->step()) out.push_back(instrument_from(*st));
    });
    return out;
}

namespace {

constexpr std::string_view investigation_columns =
    "SELECT i.id, i.pid, i.name, i.title, i.summary, i.start_time, i.end_time, ins.pid, i.release_date, i.doi "
    "FROM investigation i LEFT JOIN instrument ins ON ins.id = i.instrument_id";

std::vector<Investigation> load_investigations(Database& db, std::string_view where, const std::string& bind) {
    std::vector<Investigation> out;
    std::vector<std::int64_t> ids;
    {
        auto st = db.cached(fmt::format("{} {} ORDER BY i.id", investigation_columns, where));
        if (!bind.empty()) st->bind(1, bind);
        while (st->step()) {
            Investigation inv;
            ids.push_back(st->column_int(0));
            inv.pid = st->column_text(1);
            inv.name = st->column_text(2);
            inv.title = st->column_text(3);
            inv.summary = st->column_text(4);
            inv.start_time = column_time(*st, 5);
            inv.end_time = column_time(*st, 6);
            inv.instrument = st->column_text(7);
            inv.release_date = column_time(*st, 8);
            inv.doi = st->column_text(9);
            out.push_back(std::move(inv));
        }
    }
    auto st = db.cached("SELECT name, role, orcid, email FROM participant WHERE investigation_id = ? ORDER BY position");
    for (std::size_t i = 0; i < out.size(); ++i) {
        st->reset();
        st->bind(1, ids[i]);
        while (st->step())
            out[i].participants.push_back({st->column_text(0), st->column_text(1), st->column_text(2), st->column_text(3)});
    }
    return out;
}

}  // namespace

Investigation SqliteStore::insert_investigation(const Investigation& in) {
    Investigation out = in;
    write([&](Database& db) {
        Violations violations;
        const auto instrument = resolve(db, "instrument", in.instrument, "investigation.instrument", violations);
        violations.throw_if_any();
        if (pid_exists(db, "investigation", in.pid))
            throw Conflict(fmt::format("investigation.pid '{}' must be unique: the catalogue already has it", in.pid));
        {
            auto st = db.cached("SELECT pid FROM investigation WHERE name = ?");
            st->bind(1, in.name);
            if (st->step())
                throw Conflict(fmt::format("investigation.name '{}' must be unique: the catalogue already has it as {}",
                                           in.name, st->column_text(0)));
        }
        auto st = db.cached(
            "INSERT INTO investigation (pid, name, title, summary, start_time, end_time, instrument_id, release_date, doi) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        st->bind(1, in.pid).bind(2, in.name).bind(3, in.title).bind(4, in.summary);
        st->bind_text_or_null(5, opt_time(in.start_time)).bind_text_or_null(6, opt_time(in.end_time));
        if (instrument) st->bind(7, instrument->id);
        st->bind_text_or_null(8, opt_time(in.release_date)).bind(9, in.doi);
        st->exec();
        const auto id = db.last_insert_rowid();
        auto p = db.cached("INSERT INTO participant (investigation_id, position, name, role, orcid, email) VALUES (?, ?, ?, ?, ?, ?)");
        for (std::size_t i = 0; i < in.participants.size(); ++i) {
            const auto& x = in.participants[i];
            p->reset();
            p->bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, x.name).bind(4, x.role).bind(5, x.orcid).bind(6, x.email);
            p->exec();
        }
        if (instrument) out.instrument = instrument->pid;
    });
    return out;
}

std::optional<Investigation> SqliteStore::find_investigation(const std::string& pid_or_name) {
    std::optional<Investigation> out;
    read([&](Database& db) {
        auto found = load_investigations(db, "WHERE i.pid = ?1 OR i.name = ?1", pid_or_name);
        if (!found.empty()) out = std::move(found.front());
    });
    return out;
}

std::vector<Investigation> SqliteStore::list_investigations() {
    std::vector<Investigation> out;
    read([&](Database& db) { out = load_investigations(db, "", ""); });
    return out;
}

namespace {

constexpr std::string_view sample_columns =
    "SELECT s.id, s.pid, s.name, s.description, s.formula, i.pid, p.pid FROM sample s "
    "LEFT JOIN investigation i ON i.id = s.investigation_id LEFT JOIN sample p ON p.id = s.parent_id";

std::vector<Sample> load_samples(Database& db, std::string_view where, std::optional<std::int64_t> id) {
    std::vector<Sample> out;
    std::vector<std::int64_t> ids;
    {
        auto st = db.cached(fmt::format("{} {} ORDER BY s.id", sample_columns, where));
        if (id) st->bind(1, *id);
        while (st->step()) {
            ids.push_back(st->column_int(0));
            Sample s;
            s.pid = st->column_text(1);
            s.name = st->column_text(2);
            s.description = st->column_text(3);
            s.formula = st->column_text(4);
            s.investigation = st->column_text(5);
            s.parent = st->column_text(6);
            out.push_back(std::move(s));
        }
    }
    auto st = db.cached(
        "SELECT k.key, m.type, m.value, m.unit, m.uncertainty FROM sample_metadata m JOIN metadata_key k ON k.id = m.key_id "
        "WHERE m.sample_id = ?");
    for (std::size_t i = 0; i < out.size(); ++i) {
        st->reset();
        st->bind(1, ids[i]);
        while (st->step()) out[i].metadata.emplace(st->column_text(0), column_metadata(*st, 1));
    }
    return out;
}

}  // namespace

Sample SqliteStore::insert_sample(const SampleRow& row) {
    Sample out = row.sample;
    write([&](Database& db) {
        Violations violations;
        const auto inv = resolve(db, "investigation", row.sample.investigation, "sample.investigation", violations);
        const auto parent = resolve(db, "sample", row.sample.parent, "sample.parent", violations);
        std::unordered_map<std::string, KeyInfo> keys;
        check_keys(db, row.metadata, "sample.metadata", keys, violations);
        violations.throw_if_any();
        if (pid_exists(db, "sample", row.sample.pid))
            throw Conflict(fmt::format("sample.pid '{}' must be unique: the catalogue already has it", row.sample.pid));
        auto st = db.cached(
            "INSERT INTO sample (pid, name, description, formula, investigation_id, parent_id) VALUES (?, ?, ?, ?, ?, ?)");
        st->bind(1, row.sample.pid).bind(2, row.sample.name).bind(3, row.sample.description).bind(4, row.sample.formula);
        if (inv) st->bind(5, inv->id);
        if (parent) st->bind(6, parent->id);
        st->exec();
        insert_metadata(db, sample_metadata, db.last_insert_rowid(), row.metadata);
        out.investigation = inv ? inv->pid : "";
        out.parent = parent ? parent->pid : "";
    });
    return out;
}

std::optional<Sample> SqliteStore::find_sample(const std::string& pid_or_name) {
    std::optional<Sample> out;
    read([&](Database& db) {
        const auto ref = lookup(db, "sample", pid_or_name);
        if (!ref) return;
        auto found = load_samples(db, "WHERE s.id = ?", ref->id);
        if (!found.empty()) out = std::move(found.front());
    });
    return out;
}

std::vector<Sample> SqliteStore::list_samples() {
    std::vector<Sample> out;
    read([&](Database& db) { out = load_samples(db, "", std::nullopt); });
    return out;
}

// ---------------------------------------------------------------------------------------------
// Datasets

std::vector<Dataset> SqliteStore::insert_datasets(std::vector<DatasetRow> rows) {
    std::vector<Dataset> out;
    write([&](Database& db) {
        std::vector<std::int64_t> ids;
        out = insert_dataset_rows(db, rows, ids);
    });
    return out;
}

std::vector<Dataset> SqliteStore::insert_dataset_rows(Database& db, std::vector<DatasetRow>& rows,
                                                      std::vector<std::int64_t>& ids) {
    std::vector<Dataset> out;
    out.reserve(rows.size());
    ids.clear();
    ids.reserve(rows.size());
    std::unordered_map<std::string, Ref> investigations, instruments, samples;
    std::unordered_map<std::string, KeyInfo> keys;
    struct Refs {
        std::optional<Ref> investigation, instrument, sample;
    };
    std::vector<Refs> refs(rows.size());
    Violations violations;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& d = rows[i].dataset;
        const auto& f = rows[i].field;
        refs[i].investigation = resolve(db, "investigation", d.investigation, f + ".investigation", violations, &investigations);
        refs[i].instrument = resolve(db, "instrument", d.instrument, f + ".instrument", violations, &instruments);
        refs[i].sample = resolve(db, "sample", d.sample, f + ".sample", violations, &samples);
        check_keys(db, rows[i].metadata, f + ".metadata", keys, violations);
    }
    violations.throw_if_any();

    // One loan of each statement for the whole batch.
    auto insert = db.cached(
        "INSERT INTO dataset (pid, kind, name, description, investigation_id, instrument_id, sample_id, "
        "techniques, keywords, start_time, end_time, location, schema_name, state, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    auto metadata = db.cached(dataset_metadata.insert_sql());
    auto files = db.cached(insert_file_sql);
    auto text = db.cached(insert_text_sql);
    std::optional<Timestamp> created_at;
    std::string created_at_text;  // a batch shares one creation time: format it once
    const auto id_of = [](const std::optional<Ref>& ref) {
        return ref ? std::optional<std::int64_t>(ref->id) : std::nullopt;
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        const auto& d = row.dataset;
        if (d.created_at != created_at) created_at = d.created_at, created_at_text = opt_time(d.created_at);
        auto& st = *insert;
        st.reset();
        st.bind_ref(1, d.pid).bind(2, to_string(d.kind)).bind_ref(3, d.name).bind_ref(4, d.description);
        st.bind(5, id_of(refs[i].investigation)).bind(6, id_of(refs[i].instrument)).bind(7, id_of(refs[i].sample));
        st.bind(8, json_list(d.techniques)).bind(9, json_list(d.keywords));
        st.bind_text_or_null(10, opt_time(d.start_time)).bind_text_or_null(11, opt_time(d.end_time));
        st.bind_ref(12, d.location).bind_ref(13, d.schema).bind(14, to_string(d.state));
        st.bind_ref(15, d.created_by).bind_ref(16, created_at_text);
        try {
            st.exec();
        } catch (const sqlite::Failure& e) {
            if (e.is_constraint() && pid_exists(db, "dataset", d.pid))
                throw Conflict(fmt::format("{}.pid '{}' must be unique: the catalogue already has it", row.field, d.pid));
            throw;
        }
        const auto id = db.last_insert_rowid();
        ids.push_back(id);
        write_metadata(db, *metadata, id, row.metadata);
        insert_files(*files, id, d.files);
        insert_text(*text, id, d);

        Dataset stored = std::move(rows[i].dataset);
        stored.investigation = refs[i].investigation ? refs[i].investigation->pid : "";
        stored.instrument = refs[i].instrument ? refs[i].instrument->pid : "";
        stored.sample = refs[i].sample ? refs[i].sample->pid : "";
        for (auto& file : stored.files)
            if (file.format.empty()) file.format = guess_format(file.path);
        out.push_back(std::move(stored));
    }
    return out;
}

std::int64_t SqliteStore::dataset_id(Database& db, const std::string& pid, std::string_view what) {
    auto st = db.cached("SELECT id FROM dataset WHERE pid = ?");
    st->bind(1, pid);
    if (!st->step()) throw NotFound(fmt::format("{}: no dataset with PID '{}' in the catalogue", what, pid));
    return st->column_int(0);
}

std::vector<Dataset> SqliteStore::load_datasets(Database& db, const std::vector<std::int64_t>& ids) {
    std::vector<Dataset> out(ids.size());
    if (ids.empty()) return out;
    std::unordered_map<std::int64_t, std::size_t> index;
    index.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    const std::string id_list = nlohmann::json(ids).dump();
    {
        auto st = db.cached(
            "SELECT d.id, d.pid, d.kind, d.name, d.description, inv.pid, ins.pid, s.pid, d.techniques, d.keywords, "
            "d.start_time, d.end_time, d.location, d.schema_name, d.state, d.created_by, d.created_at "
            "FROM dataset d LEFT JOIN investigation inv ON inv.id = d.investigation_id "
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

std::optional<Dataset> SqliteStore::find_dataset(const std::string& pid) {
    std::optional<Dataset> out;
    read([&](Database& db) {
        auto st = db.cached("SELECT id FROM dataset WHERE pid = ?");
        st->bind(1, pid);
        if (!st->step()) return;
        const auto id = st->column_int(0);
        out = std::move(load_datasets(db, {id}).front());
    });
    return out;
}

std::vector<Dataset> SqliteStore::find_datasets(const CompiledQuery& cq) {
    std::vector<Dataset> out;
    read([&](Database& db) {
        std::vector<Bind> binds;
        std::string sql = "SELECT d.id FROM dataset d" + where_clause(db, cq, binds);
        const char* direction = cq.query.descending ? "DESC" : "ASC";
        switch (cq.query.order) {
            case DatasetOrder::created: sql += fmt::format(" ORDER BY d.id {}", direction); break;
            case DatasetOrder::start_time: sql += fmt::format(" ORDER BY d.start_time {0}, d.id {0}", direction); break;
            case DatasetOrder::name: sql += fmt::format(" ORDER BY d.name {0}, d.id {0}", direction); break;
        }
        if (cq.query.limit || cq.query.offset) {
            sql += " LIMIT ? OFFSET ?";
            binds.emplace_back(cq.query.limit ? static_cast<std::int64_t>(cq.query.limit) : std::int64_t{-1});
            binds.emplace_back(static_cast<std::int64_t>(cq.query.offset));
        }
        auto st = db.prepare(sql);
        bind_all(st, binds);
        std::vector<std::int64_t> ids;
        while (st.step()) ids.push_back(st.column_int(0));
        out = load_datasets(db, ids);
    });
    return out;
}

std::size_t SqliteStore::count_datasets(const CompiledQuery& cq) {
    std::size_t n = 0;
    read([&](Database& db) {
        std::vector<Bind> binds;
        auto st = db.prepare("SELECT count(*) FROM dataset d" + where_clause(db, cq, binds));
        bind_all(st, binds);
        st.step();
        n = static_cast<std::size_t>(st.column_int(0));
    });
    return n;
}

void SqliteStore::refresh_text(Database& db, std::int64_t id) {
    auto del = db.cached("DELETE FROM dataset_text WHERE rowid = ?");
    del->bind(1, id).exec();
    const auto dataset = load_datasets(db, {id}).front();
    auto text = db.cached(insert_text_sql);
    insert_text(*text, id, dataset);
}

void SqliteStore::add_files(const std::string& pid, const std::vector<Datafile>& files) {
    write([&](Database& db) {
        const auto id = dataset_id(db, pid, "add_files");
        auto st = db.cached("SELECT 1 FROM datafile WHERE dataset_id = ? AND path = ?");
        for (std::size_t i = 0; i < files.size(); ++i) {
            st->reset();
            st->bind(1, id).bind(2, files[i].path);
            if (st->step())
                throw Conflict(fmt::format("files[{}].path '{}' must be unique within the dataset: dataset {} already has it",
                                           i, files[i].path, pid));
        }
        auto insert = db.cached(insert_file_sql);
        insert_files(*insert, id, files);
    });
}

void SqliteStore::set_metadata(const std::string& pid, const std::vector<MetadataRow>& rows) {
    write([&](Database& db) {
        const auto id = dataset_id(db, pid, "set_metadata");
        Violations violations;
        std::unordered_map<std::string, KeyInfo> keys;
        check_keys(db, rows, "metadata", keys, violations);
        violations.throw_if_any();
        insert_metadata(db, dataset_metadata, id, rows);
        refresh_text(db, id);
    });
}

void SqliteStore::set_state(const std::string& pid, DatasetState state, std::optional<Timestamp> end_time) {
    write([&](Database& db) {
        const auto id = dataset_id(db, pid, "set_state");
        auto st = db.cached("UPDATE dataset SET state = ?, end_time = COALESCE(?, end_time) WHERE id = ?");
        st->bind(1, to_string(state)).bind_text_or_null(2, opt_time(end_time)).bind(3, id).exec();
    });
}

}  // namespace datatrail::detail
