// The SQLite engine's provenance: agents, activities, their links, and the lookups lineage
// walks and graphs are built from (the walks themselves are in src/catalog/).
#include "store/sqlite/sqlite_rows.hpp"
#include "store/sqlite/sqlite_tx.hpp"
#include "store/environment_json.hpp"

#include "catalog/validate.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>

namespace datatrail::detail {
namespace {

using sqlite::Database;
using sqlite::Statement;

Agent agent_from(const Statement& st) {
    Agent a;
    a.pid = st.column_text(0);
    a.type = parse_agent_type(st.column_text(1));
    a.name = st.column_text(2);
    a.orcid = st.column_text(3);
    a.email = st.column_text(4);
    a.version = st.column_text(5);
    a.url = st.column_text(6);
    return a;
}
constexpr std::string_view agent_columns = "SELECT pid, type, name, orcid, email, version, url FROM agent";


constexpr std::string_view activity_columns =
    "SELECT a.id, a.pid, a.name, a.type, a.program, a.version, a.start_time, a.end_time, a.status, a.host";

void activity_summary(const Statement& st, Activity& a) {
    a.pid = st.column_text(1);
    a.name = st.column_text(2);
    a.type = parse_activity_type(st.column_text(3));
    a.program = st.column_text(4);
    a.version = st.column_text(5);
    a.start_time = column_time(st, 6);
    a.end_time = column_time(st, 7);
    a.status = parse_activity_status(st.column_text(8));
    a.host = st.column_text(9);
}

}  // namespace

// ---- agents and activities -------------------------------------------------------------------

std::vector<Agent> SqliteTx::agents(const std::vector<std::int64_t>& ids) {
    std::vector<Agent> out(ids.size());
    std::unordered_map<std::int64_t, std::size_t> index;
    for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    auto st = db_.cached(
        "SELECT pid, type, name, orcid, email, version, url, id FROM agent WHERE id IN (SELECT value FROM json_each(?))");
    st->bind(1, id_list(ids));
    while (st->step()) out[index.at(st->column_int(7))] = agent_from(*st);
    return out;
}

void SqliteTx::insert_agent(const Agent& a) {
    auto dup = db_.cached("SELECT pid FROM agent WHERE type = ? AND name = ?");
    dup->bind(1, to_string(a.type)).bind(2, a.name);
    if (dup->step())
        throw Conflict(fmt::format("agent.name '{}' must be unique among {} agents: the catalogue has it as {}", a.name,
                                   to_string(a.type), dup->column_text(0)));
    auto st = db_.cached("INSERT INTO agent (pid, type, name, orcid, email, version, url) VALUES (?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, a.pid).bind(2, to_string(a.type)).bind(3, a.name).bind(4, a.orcid).bind(5, a.email);
    st->bind(6, a.version).bind(7, a.url).exec();
}

std::int64_t SqliteTx::insert_activity(const ActivityRow& row) {
    const auto& a = row.activity;
    auto st = db_.cached(
        "INSERT INTO activity (pid, name, type, program, version, start_time, end_time, status, host, command_line, "
        "parent_id, log, environment, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, a.pid).bind(2, a.name).bind(3, to_string(a.type)).bind(4, a.program).bind(5, a.version);
    st->bind(6, opt_time(a.start_time)).bind_text_or_null(7, opt_time(a.end_time)).bind(8, to_string(a.status));
    st->bind(9, a.host).bind(10, a.command_line).bind(11, row.parent_id).bind(12, a.log);
    st->bind(13, environment_json(a.environment)).bind(14, a.created_by).exec();
    const auto id = db_.last_insert_rowid();
    put_metadata(MetadataOwner::activity, id, row.parameters);
    return id;
}

std::vector<Activity> SqliteTx::activities(const std::vector<std::int64_t>& ids) {
    auto& db = db_;
    std::vector<Activity> out(ids.size());
    std::unordered_map<std::int64_t, std::size_t> index;
    for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    const std::string list = id_list(ids);
    {
        auto st = db.cached(
            "SELECT a.id, a.pid, a.name, a.type, a.program, a.version, a.start_time, a.end_time, a.status, a.host, "
            "a.command_line, p.pid, a.log, a.environment, a.created_by FROM activity a "
            "LEFT JOIN activity p ON p.id = a.parent_id WHERE a.id IN (SELECT value FROM json_each(?))");
        st->bind(1, list);
        while (st->step()) {
            auto& a = out[index.at(st->column_int(0))];
            a.pid = st->column_text(1);
            a.name = st->column_text(2);
            a.type = parse_activity_type(st->column_text(3));
            a.program = st->column_text(4);
            a.version = st->column_text(5);
            a.start_time = column_time(*st, 6);
            a.end_time = column_time(*st, 7);
            a.status = parse_activity_status(st->column_text(8));
            a.host = st->column_text(9);
            a.command_line = st->column_text(10);
            a.parent = st->column_text(11);
            a.log = st->column_text(12);
            a.environment = environment_from_json(st->column_text(13));
            a.created_by = st->column_text(14);
        }
    }
    {
        auto st = db.cached(
            "SELECT m.activity_id, k.key, m.type, m.value, m.unit, m.uncertainty FROM activity_parameter m "
            "JOIN metadata_key k ON k.id = m.key_id WHERE m.activity_id IN (SELECT value FROM json_each(?))");
        st->bind(1, list);
        while (st->step()) out[index.at(st->column_int(0))].parameters.emplace(st->column_text(1), column_metadata(*st, 2));
    }
    {
        auto st = db.cached(
            "SELECT u.activity_id, d.pid, u.path, u.role FROM used u JOIN dataset d ON d.id = u.dataset_id "
            "WHERE u.activity_id IN (SELECT value FROM json_each(?)) ORDER BY u.activity_id, d.id, u.path");
        st->bind(1, list);
        while (st->step()) out[index.at(st->column_int(0))].used.push_back({st->column_text(1), st->column_text(2), st->column_text(3)});
    }
    {
        auto st = db.cached(
            "SELECT g.activity_id, d.pid FROM generation g JOIN dataset d ON d.id = g.dataset_id "
            "WHERE g.activity_id IN (SELECT value FROM json_each(?)) ORDER BY g.dataset_id");
        st->bind(1, list);
        while (st->step()) out[index.at(st->column_int(0))].generated.push_back(st->column_text(1));
    }
    {
        auto st = db.cached(
            "SELECT s.activity_id, g.pid, s.role FROM association s JOIN agent g ON g.id = s.agent_id "
            "WHERE s.activity_id IN (SELECT value FROM json_each(?)) ORDER BY s.activity_id, g.id, s.role");
        st->bind(1, list);
        while (st->step()) out[index.at(st->column_int(0))].agents.push_back({st->column_text(1), st->column_text(2)});
    }
    {
        auto st = db.cached(
            "SELECT c.informed_id, a.pid FROM communication c JOIN activity a ON a.id = c.informant_id "
            "WHERE c.informed_id IN (SELECT value FROM json_each(?)) ORDER BY c.informed_id, a.id");
        st->bind(1, list);
        while (st->step()) out[index.at(st->column_int(0))].informed_by.push_back(st->column_text(1));
    }
    return out;
}

std::vector<Activity> SqliteTx::activity_summaries(const std::vector<std::int64_t>& ids) {
    std::vector<Activity> out;
    out.reserve(ids.size());
    auto st = db_.cached(fmt::format("{} FROM activity a WHERE a.id = ?", activity_columns));
    for (const auto id : ids) {
        st->reset();
        st->bind(1, id);
        if (!st->step()) continue;
        activity_summary(*st, out.emplace_back());
    }
    return out;
}

std::vector<std::pair<std::int64_t, std::string>> SqliteTx::find_activities(const ActivityQuery& q,
                                                                           std::optional<std::int64_t> parent) {
    std::string sql = "SELECT a.id, a.version FROM activity a WHERE 1";
    std::vector<std::variant<std::int64_t, double, std::string>> binds;
    if (!q.name.empty()) sql += " AND a.name GLOB ?", binds.emplace_back(q.name);
    if (q.type) sql += " AND a.type = ?", binds.emplace_back(std::string(to_string(*q.type)));
    if (q.status) sql += " AND a.status = ?", binds.emplace_back(std::string(to_string(*q.status)));
    if (!q.program.empty()) sql += " AND a.program = ?", binds.emplace_back(q.program);
    if (parent) sql += " AND a.parent_id = ?", binds.emplace_back(*parent);
    sql += " ORDER BY a.id";
    auto st = db_.prepare(sql);
    for (std::size_t i = 0; i < binds.size(); ++i) bind_value(st, static_cast<int>(i + 1), binds[i]);
    std::vector<std::pair<std::int64_t, std::string>> out;
    while (st.step()) out.emplace_back(st.column_int(0), st.column_text(1));
    return out;
}

std::optional<Timestamp> SqliteTx::activity_start(std::int64_t activity) {
    auto st = db_.cached("SELECT start_time FROM activity WHERE id = ?");
    st->bind(1, activity);
    return st->step() ? column_time(*st, 0) : std::nullopt;
}

std::string SqliteTx::activity_pid(std::int64_t activity) {
    auto st = db_.cached("SELECT pid FROM activity WHERE id = ?");
    st->bind(1, activity);
    return st->step() ? st->column_text(0) : std::string();
}

void SqliteTx::finish_activity(std::int64_t activity, ActivityStatus status, Timestamp end_time) {
    auto st = db_.cached("UPDATE activity SET status = ?, end_time = ? WHERE id = ?");
    st->bind(1, to_string(status)).bind(2, format_time(end_time)).bind(3, activity).exec();
}

void SqliteTx::append_log(std::int64_t activity, std::string_view text) {
    auto st = db_.cached("UPDATE activity SET log = log || ? WHERE id = ?");
    st->bind(1, text).bind(2, activity).exec();
}

// ---- links -----------------------------------------------------------------------------------

bool SqliteTx::has_file(std::int64_t dataset, const std::string& path) {
    auto st = db_.cached("SELECT 1 FROM datafile WHERE dataset_id = ? AND path = ?");
    st->bind(1, dataset).bind(2, path);
    return st->step();
}

std::vector<FileRow> SqliteTx::files_matching(const std::vector<std::string>& paths, const std::string& sha256) {
    // One indexed lookup per candidate (datafile_path, datafile_sha256): a statement with OR or
    // IN over a bound list may fall back to scanning datafile.
    std::map<std::int64_t, FileRow> found;
    const auto read = [&](sqlite::Statement& st) {
        while (st.step()) {
            FileRow row;
            row.file_id = st.column_int(0);
            row.pid = st.column_text(1);
            row.name = st.column_text(2);
            row.location = st.column_text(3);
            row.file.path = st.column_text(4);
            if (auto size = st.column_optional_int(5)) row.file.size = static_cast<std::uint64_t>(*size);
            row.file.sha256 = st.column_text(6);
            row.file.format = st.column_text(7);
            row.file.modified = column_time(st, 8);
            found.emplace(row.file_id, std::move(row));
        }
    };
    for (const auto& path : paths) {
        auto st = db_.cached(
            "SELECT f.id, d.pid, d.name, d.location, f.path, f.size, f.sha256, f.format, f.modified "
            "FROM datafile f JOIN dataset d ON d.id = f.dataset_id WHERE f.path = ?");
        st->bind(1, path);
        read(*st);
    }
    if (!sha256.empty()) {
        auto st = db_.cached(
            "SELECT f.id, d.pid, d.name, d.location, f.path, f.size, f.sha256, f.format, f.modified "
            "FROM datafile f JOIN dataset d ON d.id = f.dataset_id WHERE f.sha256 = ?");
        st->bind(1, sha256);
        read(*st);
    }
    std::vector<FileRow> out;
    out.reserve(found.size());
    for (auto& [id, row] : found) out.push_back(std::move(row));
    return out;
}

void SqliteTx::insert_used(const UsedRow& row) {
    auto st = db_.cached(
        "INSERT INTO used (activity_id, dataset_id, path, role) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (activity_id, dataset_id, path) DO UPDATE SET role = excluded.role");
    st->bind(1, row.activity).bind(2, row.dataset).bind(3, row.path).bind(4, row.role).exec();
}

void SqliteTx::insert_generation(const GenerationRow& row) {
    auto st = db_.cached("INSERT INTO generation (dataset_id, activity_id, role) VALUES (?, ?, ?)");
    st->bind(1, row.dataset).bind(2, row.activity).bind(3, row.role).exec();
}

void SqliteTx::insert_derivation(std::int64_t derived, std::int64_t source, std::optional<std::int64_t> activity,
                                 const std::string& role) {
    // Writes are serialised (BEGIN IMMEDIATE), so the next seq is the order links are committed in.
    auto st = db_.cached(
        "INSERT INTO derivation (derived_id, source_id, activity_id, role, seq) "
        "VALUES (?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM derivation)) "
        "ON CONFLICT (derived_id, source_id) DO NOTHING");
    st->bind(1, derived).bind(2, source).bind(3, activity).bind(4, role).exec();
}

void SqliteTx::insert_association(std::int64_t activity, std::int64_t agent, const std::string& role) {
    auto st = db_.cached("INSERT INTO association (activity_id, agent_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
    st->bind(1, activity).bind(2, agent).bind(3, role).exec();
}

void SqliteTx::insert_communication(std::int64_t informed, std::int64_t informant) {
    auto st = db_.cached("INSERT INTO communication (informed_id, informant_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
    st->bind(1, informed).bind(2, informant).exec();
}

std::vector<std::int64_t> SqliteTx::used_datasets(std::int64_t activity) {
    std::vector<std::int64_t> out;
    auto st = db_.cached("SELECT dataset_id FROM used WHERE activity_id = ? ORDER BY dataset_id");
    st->bind(1, activity);
    while (st->step()) out.push_back(st->column_int(0));
    return out;
}

std::vector<std::int64_t> SqliteTx::generated_datasets(std::int64_t activity) {
    std::vector<std::int64_t> out;
    auto st = db_.cached("SELECT dataset_id FROM generation WHERE activity_id = ? ORDER BY dataset_id");
    st->bind(1, activity);
    while (st->step()) out.push_back(st->column_int(0));
    return out;
}

std::vector<UsedRow> SqliteTx::used_by(const std::vector<std::int64_t>& activities) {
    std::vector<UsedRow> out;
    auto st = db_.cached(
        "SELECT activity_id, dataset_id, path, role FROM used WHERE activity_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY activity_id, dataset_id, path");
    st->bind(1, id_list(activities));
    while (st->step()) out.push_back({st->column_int(0), st->column_int(1), st->column_text(2), st->column_text(3)});
    return out;
}

// One lookup by key per dataset: a list of the datasets in SQL would be copied into a temporary
// B-tree for every statement that names it, which costs more for a large graph.
std::vector<GenerationRow> SqliteTx::generations_of(const std::vector<std::int64_t>& datasets) {
    std::vector<GenerationRow> out;
    auto st = db_.cached("SELECT activity_id, role FROM generation WHERE dataset_id = ?");
    for (const auto id : datasets) {
        st->reset();
        st->bind(1, id);
        if (st->step()) out.push_back({id, st->column_int(0), st->column_text(1)});
    }
    return out;
}

std::vector<UsedRow> SqliteTx::uses_of(const std::vector<std::int64_t>& datasets) {
    std::vector<UsedRow> out;
    auto st = db_.cached("SELECT activity_id, path, role FROM used WHERE dataset_id = ?");
    for (const auto id : datasets) {
        st->reset();
        st->bind(1, id);
        while (st->step()) out.push_back({st->column_int(0), id, st->column_text(1), st->column_text(2)});
    }
    return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> SqliteTx::communications_among(const std::vector<std::int64_t>& activities) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    auto st = db_.cached(
        "SELECT c.informed_id, c.informant_id FROM communication c "
        "WHERE c.informed_id IN (SELECT value FROM json_each(?1)) AND +c.informant_id IN (SELECT value FROM json_each(?1)) "
        "ORDER BY c.informed_id, c.informant_id");
    st->bind(1, id_list(activities));
    while (st->step()) out.emplace_back(st->column_int(0), st->column_int(1));
    return out;
}

std::vector<AssociationRow> SqliteTx::associations_of(const std::vector<std::int64_t>& activities) {
    std::vector<AssociationRow> out;
    // The agent's columns first, as agent_from reads them.
    auto st = db_.cached(
        "SELECT g.pid, g.type, g.name, g.orcid, g.email, g.version, g.url, s.activity_id, s.role FROM association s "
        "JOIN agent g ON g.id = s.agent_id WHERE s.activity_id IN (SELECT value FROM json_each(?1)) "
        "ORDER BY s.activity_id, g.id");
    st->bind(1, id_list(activities));
    while (st->step()) out.push_back({st->column_int(7), agent_from(*st), st->column_text(8)});
    return out;
}

std::optional<std::int64_t> SqliteTx::derivation_activity(std::int64_t derived, std::int64_t source) {
    auto st = db_.cached("SELECT activity_id FROM derivation WHERE derived_id = ? AND source_id = ? AND activity_id IS NOT NULL");
    st->bind(1, derived).bind(2, source);
    if (!st->step()) return std::nullopt;
    return st->column_int(0);
}

bool SqliteTx::derives_from(std::int64_t dataset, std::int64_t ancestor) {
    if (dataset == ancestor) return true;
    auto st = db_.cached(
        "WITH RECURSIVE up(id) AS (SELECT ?1 UNION SELECT d.source_id FROM derivation d JOIN up ON d.derived_id = up.id) "
        "SELECT 1 FROM up WHERE id = ?2 LIMIT 1");
    st->bind(1, dataset).bind(2, ancestor);
    return st->step();
}

bool SqliteTx::informed_by(std::int64_t activity, std::int64_t informant) {
    if (activity == informant) return true;
    auto st = db_.cached(
        "WITH RECURSIVE up(id) AS (SELECT ?1 UNION SELECT c.informant_id FROM communication c JOIN up ON c.informed_id = up.id) "
        "SELECT 1 FROM up WHERE id = ?2 LIMIT 1");
    st->bind(1, activity).bind(2, informant);
    return st->step();
}

// ---- lineage ---------------------------------------------------------------------------------

void SqliteTx::for_each_neighbour(std::int64_t dataset, Direction direction, const std::function<void(std::int64_t)>& f) {
    auto st = db_.cached(direction == Direction::ancestors ? "SELECT source_id FROM derivation WHERE derived_id = ?"
                                                           : "SELECT derived_id FROM derivation WHERE source_id = ?");
    st->bind(1, dataset);
    while (st->step()) f(st->column_int(0));
}

void SqliteTx::for_each_source(std::int64_t dataset, const std::function<void(const LinkRow&)>& f) {
    auto st = db_.cached("SELECT source_id, coalesce(activity_id, 0), role FROM derivation WHERE derived_id = ?");
    st->bind(1, dataset);
    while (st->step()) {
        const auto role = st->column_text(2);
        f({dataset, st->column_int(0), st->column_int(1), role});
    }
}

std::string SqliteTx::dataset_pid(std::int64_t dataset) {
    auto st = db_.cached("SELECT pid FROM dataset WHERE id = ?");
    st->bind(1, dataset);
    return st->step() ? st->column_text(0) : std::string();
}

LinkMark SqliteTx::link_mark() {
    auto st = db_.cached("SELECT (SELECT coalesce(max(seq), 0) FROM derivation), (SELECT coalesce(max(id), 0) FROM dataset)");
    st->step();
    return {st->column_int(0), st->column_int(1)};
}

void SqliteTx::for_each_link(std::int64_t after, const std::function<void(const LinkRow&)>& f) {
    // Every link in key order (by derived, then source), so each dataset's sources come out in
    // id order; or those recorded after `after`.
    auto st = db_.cached(after == 0 ? "SELECT derived_id, source_id, coalesce(activity_id, 0), role FROM derivation"
                                    : "SELECT derived_id, source_id, coalesce(activity_id, 0), role FROM derivation WHERE seq > ?");
    if (after != 0) st->bind(1, after);
    while (st->step()) {
        const auto role = st->column_text(3);
        f({st->column_int(0), st->column_int(1), st->column_int(2), role});
    }
}

void SqliteTx::for_each_dataset_pid(std::int64_t after, const std::function<void(std::int64_t, std::string_view)>& f) {
    auto st = db_.cached("SELECT id, pid FROM dataset WHERE id > ? ORDER BY id");
    st->bind(1, after);
    while (st->step()) {
        const auto pid = st->column_text(1);
        f(st->column_int(0), pid);
    }
}

}  // namespace datatrail::detail
