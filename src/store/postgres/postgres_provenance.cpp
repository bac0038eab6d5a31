// The PostgreSQL engine's provenance: agents, activities, their links, and the lookups lineage
// walks and graphs are built from (the walks themselves are in src/catalog/).
#include "store/environment_json.hpp"
#include "store/postgres/postgres_rows.hpp"
#include "store/postgres/postgres_schema.hpp"
#include "store/postgres/postgres_tx.hpp"

#include <fmt/format.h>

#include <map>

namespace datatrail::detail {

using pq::Params;
using pq::Result;
using namespace postgres;

namespace {

// The agent's columns from `col` on: pid, type, name, orcid, email, version, url.
Agent agent_from(const Result& r, int row, int col) {
    Agent a;
    a.pid = column_string(r, row, col);
    a.type = parse_agent_type(r.text(row, col + 1));
    a.name = column_string(r, row, col + 2);
    a.orcid = column_string(r, row, col + 3);
    a.email = column_string(r, row, col + 4);
    a.version = column_string(r, row, col + 5);
    a.url = column_string(r, row, col + 6);
    return a;
}

void activity_summary(const Result& r, int row, Activity& a) {
    a.pid = column_string(r, row, 1);
    a.name = column_string(r, row, 2);
    a.type = parse_activity_type(r.text(row, 3));
    a.program = column_string(r, row, 4);
    a.version = column_string(r, row, 5);
    a.start_time = column_time(r, row, 6);
    a.end_time = column_time(r, row, 7);
    a.status = parse_activity_status(r.text(row, 8));
    a.host = column_string(r, row, 9);
}

}  // namespace

// ---- agents and activities -------------------------------------------------------------------

std::vector<Agent> PgTx::agents(const std::vector<std::int64_t>& ids) {
    std::vector<Agent> out(ids.size());
    if (ids.empty()) return out;
    std::unordered_map<std::int64_t, std::size_t> index;
    for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    const auto r = conn_.exec_cached(
        "SELECT id, pid, type, name, orcid, email, version, url FROM agent WHERE id = ANY($1::bigint[])",
        Params().add(id_array(ids)));
    for (int row = 0; row < r.rows(); ++row) out[index.at(r.int64(row, 0))] = agent_from(r, row, 1);
    return out;
}

void PgTx::insert_agent(const Agent& a) {
    const auto dup = conn_.exec_cached("SELECT pid FROM agent WHERE type = $1 AND name = $2",
                                       Params().add(to_string(a.type)).add(a.name));
    if (dup.rows() > 0)
        throw Conflict(fmt::format("agent.name '{}' must be unique among {} agents: the catalogue has it as {}", a.name,
                                   to_string(a.type), dup.text(0, 0)));
    conn_.exec_cached("INSERT INTO agent (pid, type, name, orcid, email, version, url) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      Params().add(a.pid).add(to_string(a.type)).add(a.name).add(a.orcid).add(a.email).add(a.version).add(a.url));
}

std::int64_t PgTx::insert_activity(const ActivityRow& row) {
    const auto& a = row.activity;
    Params p;
    p.add(a.pid).add(a.name).add(to_string(a.type)).add(a.program).add(a.version).add(opt_time(a.start_time));
    if (a.end_time) p.add(format_time(*a.end_time));
    else p.add(nullptr);
    p.add(to_string(a.status)).add(a.host).add(a.command_line).add(row.parent_id).add(a.log);
    p.add(environment_json(a.environment)).add(a.created_by);
    const auto r = conn_.exec_cached(
        "INSERT INTO activity (pid, name, type, program, version, start_time, end_time, status, host, command_line, "
        "parent_id, log, environment, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) "
        "RETURNING id",
        p);
    const auto id = r.int64(0, 0);
    put_metadata(MetadataOwner::activity, id, row.parameters);
    return id;
}

std::vector<Activity> PgTx::activities(const std::vector<std::int64_t>& ids) {
    std::vector<Activity> out(ids.size());
    if (ids.empty()) return out;
    std::unordered_map<std::int64_t, std::size_t> index;
    for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    const Params list = Params().add(id_array(ids));
    const auto each = [&](std::string_view sql, auto&& read) {
        const auto r = conn_.exec_cached(sql, list);
        for (int row = 0; row < r.rows(); ++row) read(out[index.at(r.int64(row, 0))], r, row);
    };
    each("SELECT a.id, a.pid, a.name, a.type, a.program, a.version, a.start_time, a.end_time, a.status, a.host, "
         "a.command_line, p.pid, a.log, a.environment, a.created_by FROM activity a "
         "LEFT JOIN activity p ON p.id = a.parent_id WHERE a.id = ANY($1::bigint[])",
         [](Activity& a, const Result& r, int row) {
             activity_summary(r, row, a);
             a.command_line = column_string(r, row, 10);
             a.parent = column_string(r, row, 11);
             a.log = column_string(r, row, 12);
             a.environment = environment_from_json(r.text(row, 13));
             a.created_by = column_string(r, row, 14);
         });
    each("SELECT m.activity_id, k.key, m.type, m.value, m.unit, m.uncertainty FROM activity_parameter m "
         "JOIN metadata_key k ON k.id = m.key_id WHERE m.activity_id = ANY($1::bigint[])",
         [](Activity& a, const Result& r, int row) { a.parameters.emplace(column_string(r, row, 1), column_metadata(r, row, 2)); });
    each("SELECT u.activity_id, d.pid, u.path, u.role FROM used u JOIN dataset d ON d.id = u.dataset_id "
         "WHERE u.activity_id = ANY($1::bigint[]) ORDER BY u.activity_id, d.id, u.path",
         [](Activity& a, const Result& r, int row) {
             a.used.push_back({column_string(r, row, 1), column_string(r, row, 2), column_string(r, row, 3)});
         });
    each("SELECT g.activity_id, d.pid FROM generation g JOIN dataset d ON d.id = g.dataset_id "
         "WHERE g.activity_id = ANY($1::bigint[]) ORDER BY g.dataset_id",
         [](Activity& a, const Result& r, int row) { a.generated.push_back(column_string(r, row, 1)); });
    each("SELECT s.activity_id, g.pid, s.role FROM association s JOIN agent g ON g.id = s.agent_id "
         "WHERE s.activity_id = ANY($1::bigint[]) ORDER BY s.activity_id, g.id, s.role",
         [](Activity& a, const Result& r, int row) { a.agents.push_back({column_string(r, row, 1), column_string(r, row, 2)}); });
    each("SELECT c.informed_id, a.pid FROM communication c JOIN activity a ON a.id = c.informant_id "
         "WHERE c.informed_id = ANY($1::bigint[]) ORDER BY c.informed_id, a.id",
         [](Activity& a, const Result& r, int row) { a.informed_by.push_back(column_string(r, row, 1)); });
    return out;
}

std::vector<Activity> PgTx::activity_summaries(const std::vector<std::int64_t>& ids) {
    std::vector<Activity> out(ids.size());
    std::vector<bool> found(ids.size());
    if (ids.empty()) return {};
    std::unordered_map<std::int64_t, std::size_t> index;
    for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    const auto r = conn_.exec_cached(
        "SELECT a.id, a.pid, a.name, a.type, a.program, a.version, a.start_time, a.end_time, a.status, a.host "
        "FROM activity a WHERE a.id = ANY($1::bigint[])",
        Params().add(id_array(ids)));
    for (int row = 0; row < r.rows(); ++row) {
        const auto i = index.at(r.int64(row, 0));
        activity_summary(r, row, out[i]);
        found[i] = true;
    }
    std::vector<Activity> kept;
    for (std::size_t i = 0; i < out.size(); ++i)
        if (found[i]) kept.push_back(std::move(out[i]));
    return kept;
}

std::optional<Timestamp> PgTx::activity_start(std::int64_t activity) {
    const auto r = conn_.exec_cached("SELECT start_time FROM activity WHERE id = $1", Params().add(activity));
    return r.rows() > 0 ? column_time(r, 0, 0) : std::nullopt;
}

std::string PgTx::activity_pid(std::int64_t activity) {
    const auto r = conn_.exec_cached("SELECT pid FROM activity WHERE id = $1", Params().add(activity));
    return r.rows() > 0 ? column_string(r, 0, 0) : std::string();
}

void PgTx::finish_activity(std::int64_t activity, ActivityStatus status, Timestamp end_time) {
    conn_.exec_cached("UPDATE activity SET status = $1, end_time = $2 WHERE id = $3",
                      Params().add(to_string(status)).add(format_time(end_time)).add(activity));
}

void PgTx::append_log(std::int64_t activity, std::string_view text) {
    conn_.exec_cached("UPDATE activity SET log = log || $1 WHERE id = $2", Params().add(text).add(activity));
}

// ---- links -----------------------------------------------------------------------------------

bool PgTx::has_file(std::int64_t dataset, const std::string& path) {
    return conn_.exec_cached("SELECT 1 FROM datafile WHERE dataset_id = $1 AND path = $2", Params().add(dataset).add(path))
               .rows() > 0;
}

std::vector<FileRow> PgTx::files_matching(const std::vector<std::string>& paths, const std::string& sha256) {
    // One indexed lookup per candidate, as on SQLite; a round trip each, but candidates are as
    // few as the path has folders.
    std::map<std::int64_t, FileRow> found;
    const auto read = [&](const Result& r) {
        for (int i = 0; i < r.rows(); ++i) {
            FileRow row;
            row.file_id = r.int64(i, 0);
            row.pid = column_string(r, i, 1);
            row.name = column_string(r, i, 2);
            row.location = column_string(r, i, 3);
            row.file.path = column_string(r, i, 4);
            if (!r.is_null(i, 5)) row.file.size = static_cast<std::uint64_t>(r.int64(i, 5));
            row.file.sha256 = column_string(r, i, 6);
            row.file.format = column_string(r, i, 7);
            row.file.modified = column_time(r, i, 8);
            found.emplace(row.file_id, std::move(row));
        }
    };
    for (const auto& path : paths)
        read(conn_.exec_cached("SELECT f.id, d.pid, d.name, d.location, f.path, f.size, f.sha256, f.format, f.modified "
                               "FROM datafile f JOIN dataset d ON d.id = f.dataset_id WHERE f.path = $1",
                               Params().add(path)));
    if (!sha256.empty())
        read(conn_.exec_cached("SELECT f.id, d.pid, d.name, d.location, f.path, f.size, f.sha256, f.format, f.modified "
                               "FROM datafile f JOIN dataset d ON d.id = f.dataset_id WHERE f.sha256 = $1",
                               Params().add(sha256)));
    std::vector<FileRow> out;
    out.reserve(found.size());
    for (auto& [id, row] : found) out.push_back(std::move(row));
    return out;
}

void PgTx::insert_used(const UsedRow& row) {
    conn_.exec_cached(
        "INSERT INTO used (activity_id, dataset_id, path, role) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (activity_id, dataset_id, path) DO UPDATE SET role = excluded.role",
        Params().add(row.activity).add(row.dataset).add(row.path).add(row.role));
}

void PgTx::insert_generation(const GenerationRow& row) {
    conn_.exec_cached("INSERT INTO generation (dataset_id, activity_id, role) VALUES ($1, $2, $3)",
                      Params().add(row.dataset).add(row.activity).add(row.role));
}

void PgTx::insert_derivation(std::int64_t derived, std::int64_t source, std::optional<std::int64_t> activity,
                             const std::string& role) {
    // Links are numbered in commit order, which the lineage index relies on: a writer takes the
    // link lock before its first link and holds it to its commit, so the next number it reads is
    // above every committed link and below every link committed after it.
    if (!link_lock_held_) {
        conn_.exec_cached("SELECT pg_advisory_xact_lock($1)", Params().add(postgres::link_order_lock));
        link_lock_held_ = true;
    }
    conn_.exec_cached(
        "INSERT INTO derivation (derived_id, source_id, activity_id, role, seq) "
        "VALUES ($1, $2, $3, $4, (SELECT coalesce(max(seq), 0) + 1 FROM derivation)) "
        "ON CONFLICT (derived_id, source_id) DO NOTHING",
        Params().add(derived).add(source).add(activity).add(role));
}

void PgTx::insert_association(std::int64_t activity, std::int64_t agent, const std::string& role) {
    conn_.exec_cached("INSERT INTO association (activity_id, agent_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                      Params().add(activity).add(agent).add(role));
}

void PgTx::insert_communication(std::int64_t informed, std::int64_t informant) {
    conn_.exec_cached("INSERT INTO communication (informed_id, informant_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                      Params().add(informed).add(informant));
}

std::vector<std::int64_t> PgTx::used_datasets(std::int64_t activity) {
    return ids_of(conn_.exec_cached("SELECT dataset_id FROM used WHERE activity_id = $1 ORDER BY dataset_id",
                                    Params().add(activity)));
}

std::vector<std::int64_t> PgTx::generated_datasets(std::int64_t activity) {
    return ids_of(conn_.exec_cached("SELECT dataset_id FROM generation WHERE activity_id = $1 ORDER BY dataset_id",
                                    Params().add(activity)));
}

std::vector<UsedRow> PgTx::used_by(const std::vector<std::int64_t>& activities) {
    std::vector<UsedRow> out;
    if (activities.empty()) return out;
    const auto r = conn_.exec_cached(
        "SELECT activity_id, dataset_id, path, role FROM used WHERE activity_id = ANY($1::bigint[]) "
        "ORDER BY activity_id, dataset_id, path",
        Params().add(id_array(activities)));
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.int64(i, 0), r.int64(i, 1), column_string(r, i, 2), column_string(r, i, 3)});
    return out;
}

std::vector<GenerationRow> PgTx::generations_of(const std::vector<std::int64_t>& datasets) {
    std::vector<GenerationRow> out;
    if (datasets.empty()) return out;
    // In the order of `datasets`, as the SQLite engine gives them.
    const auto r = conn_.exec_cached(
        "SELECT g.dataset_id, g.activity_id, g.role FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, n) "
        "JOIN generation g ON g.dataset_id = x.id ORDER BY x.n",
        Params().add(id_array(datasets)));
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.int64(i, 0), r.int64(i, 1), column_string(r, i, 2)});
    return out;
}

std::vector<UsedRow> PgTx::uses_of(const std::vector<std::int64_t>& datasets) {
    std::vector<UsedRow> out;
    if (datasets.empty()) return out;
    const auto r = conn_.exec_cached(
        "SELECT u.activity_id, u.dataset_id, u.path, u.role FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, n) "
        "JOIN used u ON u.dataset_id = x.id ORDER BY x.n, u.activity_id, u.path",
        Params().add(id_array(datasets)));
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.int64(i, 0), r.int64(i, 1), column_string(r, i, 2), column_string(r, i, 3)});
    return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> PgTx::communications_among(const std::vector<std::int64_t>& activities) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    if (activities.empty()) return out;
    const auto r = conn_.exec_cached(
        "SELECT informed_id, informant_id FROM communication "
        "WHERE informed_id = ANY($1::bigint[]) AND informant_id = ANY($1::bigint[]) ORDER BY informed_id, informant_id",
        Params().add(id_array(activities)));
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.int64(i, 0), r.int64(i, 1));
    return out;
}

std::vector<AssociationRow> PgTx::associations_of(const std::vector<std::int64_t>& activities) {
    std::vector<AssociationRow> out;
    if (activities.empty()) return out;
    const auto r = conn_.exec_cached(
        "SELECT s.activity_id, s.role, g.pid, g.type, g.name, g.orcid, g.email, g.version, g.url FROM association s "
        "JOIN agent g ON g.id = s.agent_id WHERE s.activity_id = ANY($1::bigint[]) ORDER BY s.activity_id, g.id",
        Params().add(id_array(activities)));
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.int64(i, 0), agent_from(r, i, 2), column_string(r, i, 1)});
    return out;
}

std::optional<std::int64_t> PgTx::derivation_activity(std::int64_t derived, std::int64_t source) {
    const auto r = conn_.exec_cached(
        "SELECT activity_id FROM derivation WHERE derived_id = $1 AND source_id = $2 AND activity_id IS NOT NULL",
        Params().add(derived).add(source));
    if (r.rows() == 0) return std::nullopt;
    return r.int64(0, 0);
}

bool PgTx::derives_from(std::int64_t dataset, std::int64_t ancestor) {
    if (dataset == ancestor) return true;
    return conn_.exec_cached(
                   "WITH RECURSIVE up(id) AS (SELECT $1::bigint UNION SELECT d.source_id FROM derivation d "
                   "JOIN up ON d.derived_id = up.id) SELECT 1 FROM up WHERE id = $2 LIMIT 1",
                   Params().add(dataset).add(ancestor))
               .rows() > 0;
}

bool PgTx::informed_by(std::int64_t activity, std::int64_t informant) {
    if (activity == informant) return true;
    return conn_.exec_cached(
                   "WITH RECURSIVE up(id) AS (SELECT $1::bigint UNION SELECT c.informant_id FROM communication c "
                   "JOIN up ON c.informed_id = up.id) SELECT 1 FROM up WHERE id = $2 LIMIT 1",
                   Params().add(activity).add(informant))
               .rows() > 0;
}

// ---- lineage ---------------------------------------------------------------------------------

void PgTx::for_each_neighbour(std::int64_t dataset, Direction direction, const std::function<void(std::int64_t)>& f) {
    const auto r = conn_.exec_cached(direction == Direction::ancestors
                                         ? "SELECT source_id FROM derivation WHERE derived_id = $1"
                                         : "SELECT derived_id FROM derivation WHERE source_id = $1",
                                     Params().add(dataset));
    for (int i = 0; i < r.rows(); ++i) f(r.int64(i, 0));
}

void PgTx::for_each_source(std::int64_t dataset, const std::function<void(const LinkRow&)>& f) {
    const auto r = conn_.exec_cached(
        "SELECT source_id, coalesce(activity_id, 0), role FROM derivation WHERE derived_id = $1", Params().add(dataset));
    for (int i = 0; i < r.rows(); ++i) f({dataset, r.int64(i, 0), r.int64(i, 1), r.text(i, 2)});
}

std::string PgTx::dataset_pid(std::int64_t dataset) {
    const auto r = conn_.exec_cached("SELECT pid FROM dataset WHERE id = $1", Params().add(dataset));
    return r.rows() > 0 ? column_string(r, 0, 0) : std::string();
}

LinkMark PgTx::link_mark() {
    const auto r = conn_.exec_cached(
        "SELECT (SELECT coalesce(max(seq), 0) FROM derivation), (SELECT coalesce(max(id), 0) FROM dataset)");
    return {r.int64(0, 0), r.int64(0, 1)};
}

// Large reads go in pages of this many rows, by key, so that loading the lineage index of a
// catalogue with millions of links never holds all of them in one result.
constexpr int page_rows = 100000;

void PgTx::for_each_link(std::int64_t after, const std::function<void(const LinkRow&)>& f) {
    if (after != 0) {
        const auto r = conn_.exec_cached(
            "SELECT derived_id, source_id, coalesce(activity_id, 0), role FROM derivation WHERE seq > $1 ORDER BY seq",
            Params().add(after));
        for (int i = 0; i < r.rows(); ++i) f({r.int64(i, 0), r.int64(i, 1), r.int64(i, 2), r.text(i, 3)});
        return;
    }
    // Every link, by derived then source (the primary key's order).
    std::int64_t derived = -1, source = -1;
    for (;;) {
        const auto r = conn_.exec_cached(
            "SELECT derived_id, source_id, coalesce(activity_id, 0), role FROM derivation "
            "WHERE (derived_id, source_id) > ($1, $2) ORDER BY derived_id, source_id LIMIT $3",
            Params().add(derived).add(source).add(page_rows));
        for (int i = 0; i < r.rows(); ++i) f({r.int64(i, 0), r.int64(i, 1), r.int64(i, 2), r.text(i, 3)});
        if (r.rows() < page_rows) return;
        derived = r.int64(r.rows() - 1, 0), source = r.int64(r.rows() - 1, 1);
    }
}

void PgTx::for_each_dataset_pid(std::int64_t after, const std::function<void(std::int64_t, std::string_view)>& f) {
    for (;;) {
        const auto r = conn_.exec_cached("SELECT id, pid FROM dataset WHERE id > $1 ORDER BY id LIMIT $2",
                                         Params().add(after).add(page_rows));
        for (int i = 0; i < r.rows(); ++i) f(r.int64(i, 0), r.text(i, 1));
        if (r.rows() < page_rows) return;
        after = r.int64(r.rows() - 1, 0);
    }
}

}  // namespace datatrail::detail
