// The SQLite store's provenance: agents, activities, their links, and lineage walks. Lineage
// walks go breadth first over the in-memory derivation index (lineage_index.hpp), or over the
// derivation table, one index lookup per dataset reached, when the index is off or behind.
#include "store/sqlite/sqlite_rows.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "catalog/validate.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <limits>
#include <ranges>
#include <set>
#include <unordered_set>

namespace datatrail::detail {
namespace {

using sqlite::Database;
using sqlite::Statement;

std::string id_list(const auto& ids) {
    return nlohmann::json(std::vector<std::int64_t>(ids.begin(), ids.end())).dump();
}

nlohmann::json environment_json(const Environment& e) {
    nlohmann::json j = nlohmann::json::object();
    if (!e.os.empty()) j["os"] = e.os;
    if (!e.user.empty()) j["user"] = e.user;
    if (!e.source_tree.empty()) j["source_tree"] = e.source_tree;
    if (!e.git_commit.empty()) j["git_commit"] = e.git_commit;
    if (e.git_dirty) j["git_dirty"] = *e.git_dirty;
    if (!e.python_version.empty()) j["python_version"] = e.python_version;
    if (!e.packages.empty()) j["packages"] = e.packages;
    return j;
}

Environment environment_from(const std::string& text) {
    const auto j = nlohmann::json::parse(text);
    Environment e;
    e.os = j.value("os", "");
    e.user = j.value("user", "");
    e.source_tree = j.value("source_tree", "");
    e.git_commit = j.value("git_commit", "");
    if (j.contains("git_dirty")) e.git_dirty = j["git_dirty"].get<bool>();
    e.python_version = j.value("python_version", "");
    if (j.contains("packages")) e.packages = j["packages"].get<std::map<std::string, std::string>>();
    return e;
}

std::int64_t activity_id(Database& db, const std::string& pid, std::string_view field) {
    auto st = db.cached("SELECT id FROM activity WHERE pid = ?");
    st->bind(1, pid);
    if (!st->step()) throw NotFound(fmt::format("{}: no activity with PID '{}' in the catalogue", field, pid));
    return st->column_int(0);
}

std::optional<std::int64_t> find_id(Database& db, std::string_view table, const std::string& pid) {
    auto st = db.cached(fmt::format("SELECT id FROM {} WHERE pid = ?", table));
    st->bind(1, pid);
    if (!st->step()) return std::nullopt;
    return st->column_int(0);
}

// True when `target` is `start` or one of its ancestors in the derivation graph.
bool is_ancestor_or_self(Database& db, std::int64_t target, std::int64_t start) {
    if (target == start) return true;
    auto st = db.cached(
        "WITH RECURSIVE up(id) AS (SELECT ?1 UNION SELECT d.source_id FROM derivation d JOIN up ON d.derived_id = up.id) "
        "SELECT 1 FROM up WHERE id = ?2 LIMIT 1");
    st->bind(1, start).bind(2, target);
    return st->step();
}

void insert_derivation(Database& db, std::int64_t derived, std::int64_t source, std::optional<std::int64_t> activity,
                       const std::string& role) {
    auto st = db.cached(
        "INSERT INTO derivation (derived_id, source_id, activity_id, role, seq) "
        "VALUES (?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM derivation)) "
        "ON CONFLICT (derived_id, source_id) DO NOTHING");
    st->bind(1, derived).bind(2, source).bind(3, activity).bind(4, role).exec();
}

// Records that `activity` used datasets (checked to exist; violations collected), and derives
// whatever the activity already generated from them, refusing cycles.
void insert_used(Database& db, std::int64_t activity, const std::string& activity_pid, const std::vector<Used>& used,
                 std::string_view field) {
    Violations violations;
    std::vector<std::int64_t> dataset_ids(used.size());
    for (std::size_t i = 0; i < used.size(); ++i) {
        const auto id = find_id(db, "dataset", used[i].dataset);
        if (!id) {
            violations.add(fmt::format("{}[{}].dataset", field, i), used[i].dataset, "must be the PID of a dataset in the catalogue");
            continue;
        }
        dataset_ids[i] = *id;
        if (!used[i].file.empty()) {
            auto st = db.cached("SELECT 1 FROM datafile WHERE dataset_id = ? AND path = ?");
            st->bind(1, *id).bind(2, used[i].file);
            if (!st->step())
                violations.add(fmt::format("{}[{}].file", field, i), used[i].file,
                               fmt::format("must be the path of a file of dataset {}", used[i].dataset));
        }
    }
    violations.throw_if_any();
    std::vector<std::int64_t> outputs;
    {
        auto st = db.cached("SELECT dataset_id FROM generation WHERE activity_id = ?");
        st->bind(1, activity);
        while (st->step()) outputs.push_back(st->column_int(0));
    }
    auto ins = db.cached(
        "INSERT INTO used (activity_id, dataset_id, path, role) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (activity_id, dataset_id, path) DO UPDATE SET role = excluded.role");
    for (std::size_t i = 0; i < used.size(); ++i) {
        for (const auto out : outputs)
            if (is_ancestor_or_self(db, out, dataset_ids[i]))
                throw ValidationError({{fmt::format("{}[{}].dataset", field, i), used[i].dataset,
                                        fmt::format("would make a cycle: activity {} generated it or something it "
                                                    "was made from",
                                                    activity_pid)}});
        ins->reset();
        ins->bind(1, activity).bind(2, dataset_ids[i]).bind(3, used[i].file).bind(4, used[i].role).exec();
        for (const auto out : outputs) insert_derivation(db, out, dataset_ids[i], activity, used[i].role);
    }
}

void insert_association(Database& db, std::int64_t activity, const Association& a, std::string_view field) {
    Violations violations;
    const auto agent = resolve(db, "agent", a.agent, std::string(field), violations);
    violations.throw_if_any();
    if (!agent) return;
    auto st = db.cached("INSERT INTO association (activity_id, agent_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
    st->bind(1, activity).bind(2, agent->id).bind(3, a.role).exec();
}

// True when `target` is `start` or an activity `start` was (transitively) informed by.
bool is_informant_or_self(Database& db, std::int64_t target, std::int64_t start) {
    if (target == start) return true;
    auto st = db.cached(
        "WITH RECURSIVE up(id) AS (SELECT ?1 UNION SELECT c.informant_id FROM communication c JOIN up ON c.informed_id = up.id) "
        "SELECT 1 FROM up WHERE id = ?2 LIMIT 1");
    st->bind(1, start).bind(2, target);
    return st->step();
}

void insert_informed_by(Database& db, std::int64_t informed, const std::string& informed_pid,
                        const std::string& informant_pid, std::string_view field) {
    const auto informant = find_id(db, "activity", informant_pid);
    if (!informant)
        throw ValidationError({{std::string(field), informant_pid, "must be the PID of an activity in the catalogue"}});
    if (is_informant_or_self(db, informed, *informant))
        throw ValidationError({{std::string(field), informant_pid,
                                fmt::format("would make a cycle: it was informed by {} already", informed_pid)}});
    auto st = db.cached("INSERT INTO communication (informed_id, informant_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
    st->bind(1, informed).bind(2, *informant).exec();
}

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

// ---- lineage graphs ------------------------------------------------------------------------

struct GraphBuilder {
    explicit GraphBuilder(Database& database) : db(database) {}

    Database& db;
    ProvGraph graph;
    // The ids of the nodes that may be added twice (agents, files); datasets and activities
    // are added once each.
    std::unordered_set<std::string> seen;
    // Where each dataset's node is in graph.nodes, and each activity's PID, so links need not
    // join to find them.
    std::unordered_map<std::int64_t, std::size_t> dataset_node;
    std::unordered_map<std::int64_t, std::string> activity_pid;

    bool add(ProvNode node) {
        if (!seen.insert(node.id).second) return false;
        graph.nodes.push_back(std::move(node));
        return true;
    }
    // The PID of a dataset added; a copy, as adding nodes moves the others.
    std::string dataset_pid(std::int64_t id) const { return graph.nodes[dataset_node.at(id)].id; }
    void edge(std::string from, std::string to, EdgeKind kind, std::string role = {}, std::string activity = {}) {
        graph.edges.push_back({std::move(from), std::move(to), kind, std::move(role), std::move(activity)});
    }

    // A derivation may name an activity outside the graph (a walk's boundary): look its PID up.
    std::string pid_of_activity(std::int64_t id) {
        auto st = db.cached("SELECT pid FROM activity WHERE id = ?");
        st->bind(1, id);
        return st->step() ? st->column_text(0) : std::string();
    }

    static void put(ProvNode& n, const char* key, std::string value) {
        if (!value.empty()) n.attributes[key] = std::move(value);
    }

    static ProvNode agent_node(Agent a, int depth) {
        ProvNode n;
        n.kind = NodeKind::agent;
        n.id = std::move(a.pid);
        n.name = std::move(a.name);
        n.attributes["type"] = std::string(to_string(a.type));
        put(n, "orcid", std::move(a.orcid));
        put(n, "email", std::move(a.email));
        put(n, "version", std::move(a.version));
        put(n, "url", std::move(a.url));
        n.depth = depth;
        return n;
    }

    // Dataset nodes for (id -> depth), in depth then id order.
    void datasets(const std::map<std::int64_t, int>& depth) {
        std::vector<std::pair<int, std::int64_t>> order;
        order.reserve(depth.size());
        for (const auto& [id, d] : depth) order.emplace_back(d, id);
        std::sort(order.begin(), order.end());
        const auto first = graph.nodes.size();
        graph.nodes.resize(first + order.size());
        dataset_node.reserve(order.size());
        std::vector<std::int64_t> ids;
        ids.reserve(order.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            dataset_node.emplace(order[i].second, first + i);
            graph.nodes[first + i].depth = order[i].first;
            ids.push_back(order[i].second);
        }
        auto st = db.cached(
            "SELECT id, pid, name, kind, state, start_time, end_time, created_at, created_by FROM dataset "
            "WHERE id IN (SELECT value FROM json_each(?))");
        st->bind(1, id_list(ids));
        std::size_t loaded = 0;
        while (st->step()) {
            ProvNode& n = graph.nodes[dataset_node.at(st->column_int(0))];
            n.kind = NodeKind::dataset;
            n.id = st->column_text(1);
            n.name = st->column_text(2);
            put(n, "kind", st->column_text(3));
            put(n, "state", st->column_text(4));
            put(n, "start_time", st->column_text(5));
            put(n, "end_time", st->column_text(6));
            put(n, "created_at", st->column_text(7));
            put(n, "created_by", st->column_text(8));
            ++loaded;
        }
        if (loaded != ids.size())
            throw StorageError(fmt::format("a lineage walk reached {} datasets, but only {} are in the catalogue", ids.size(), loaded));
    }

    void activities(const std::map<std::int64_t, int>& depth) {
        std::vector<std::int64_t> ids;
        for (const auto& [id, d] : depth) ids.push_back(id);
        auto st = db.cached(
            "SELECT id, pid, name, type, program, version, status, start_time, end_time, host FROM activity "
            "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id");
        st->bind(1, id_list(ids));
        while (st->step()) {
            ProvNode n;
            n.kind = NodeKind::activity;
            n.id = st->column_text(1);
            n.name = st->column_text(2);
            put(n, "type", st->column_text(3));
            put(n, "program", st->column_text(4));
            put(n, "version", st->column_text(5));
            put(n, "status", st->column_text(6));
            put(n, "start_time", st->column_text(7));
            put(n, "end_time", st->column_text(8));
            put(n, "host", st->column_text(9));
            n.depth = depth.at(st->column_int(0));
            activity_pid.emplace(st->column_int(0), n.id);
            graph.nodes.push_back(std::move(n));
        }
    }

    // Links among the chosen datasets and activities, plus the agents of those activities.
    // Derivations come from `graph` (the lineage index or SQL); a dataset's links are read by
    // its key and kept when the other end is in the graph (tested here): a list of the datasets
    // in SQL would be copied into a temporary B-tree for every statement that names it.
    template <class Neighbours>
    void links(const Neighbours& graph, const std::map<std::int64_t, int>& datasets,
               const std::map<std::int64_t, int>& activities) {
        const std::string as = id_list(std::views::keys(activities));
        const auto activity_of = [&](std::int64_t id) {
            return id == 0 ? std::string() : activity_pid.contains(id) ? activity_pid.at(id) : pid_of_activity(id);
        };
        {
            struct Source {
                std::int64_t id, activity;
                std::string role;
            };
            std::vector<Source> sources;
            for (const auto& [id, depth] : datasets) {
                sources.clear();
                graph.for_each_source(id, [&](std::int64_t source, std::int64_t activity, std::string_view role) {
                    if (dataset_node.contains(source)) sources.push_back({source, activity, std::string(role)});
                });
                // In id order, however they were read.
                std::sort(sources.begin(), sources.end(), [](const Source& a, const Source& b) { return a.id < b.id; });
                for (auto& s : sources)
                    edge(dataset_pid(id), dataset_pid(s.id), EdgeKind::was_derived_from, std::move(s.role), activity_of(s.activity));
            }
        }
        if (!activities.empty()) {
            auto st = db.cached("SELECT activity_id, role FROM generation WHERE dataset_id = ?");
            for (const auto& [id, depth] : datasets) {
                st->reset();
                st->bind(1, id);
                if (st->step() && activity_pid.contains(st->column_int(0)))
                    edge(dataset_pid(id), activity_pid.at(st->column_int(0)), EdgeKind::was_generated_by, st->column_text(1));
            }
        }
        {
            auto st = db.cached(
                "SELECT u.activity_id, u.dataset_id, u.path, u.role FROM used u "
                "WHERE u.activity_id IN (SELECT value FROM json_each(?1)) ORDER BY u.activity_id, u.dataset_id, u.path");
            st->bind(1, as);
            while (st->step()) {
                if (!dataset_node.contains(st->column_int(1))) continue;
                const auto& activity = activity_pid.at(st->column_int(0));
                const auto dataset = dataset_pid(st->column_int(1));
                const auto path = st->column_text(2);
                if (path.empty()) {
                    edge(activity, dataset, EdgeKind::used, st->column_text(3));
                    continue;
                }
                const std::string file = dataset + "#" + path;
                ProvNode n;
                n.kind = NodeKind::datafile;
                n.id = file;
                n.name = path;
                n.depth = datasets.at(st->column_int(1));
                if (add(std::move(n))) edge(dataset, file, EdgeKind::had_member);
                edge(activity, file, EdgeKind::used, st->column_text(3));
            }
        }
        {
            auto st = db.cached(
                "SELECT c.informed_id, c.informant_id FROM communication c "
                "WHERE c.informed_id IN (SELECT value FROM json_each(?1)) AND +c.informant_id IN (SELECT value FROM json_each(?1)) "
                "ORDER BY c.informed_id, c.informant_id");
            st->bind(1, as);
            while (st->step())
                edge(activity_pid.at(st->column_int(0)), activity_pid.at(st->column_int(1)), EdgeKind::was_informed_by);
        }
        {
            // The agent's columns first, as agent_from reads them.
            auto st = db.cached(
                "SELECT g.pid, g.type, g.name, g.orcid, g.email, g.version, g.url, a.pid, s.role, a.id FROM association s "
                "JOIN activity a ON a.id = s.activity_id JOIN agent g ON g.id = s.agent_id "
                "WHERE s.activity_id IN (SELECT value FROM json_each(?1)) ORDER BY s.activity_id, g.id");
            st->bind(1, as);
            while (st->step()) {
                auto agent = agent_from(*st);
                edge(st->column_text(7), agent.pid, EdgeKind::was_associated_with, st->column_text(8));
                add(agent_node(std::move(agent), activities.at(st->column_int(9))));
            }
        }
    }
};

// The neighbours of a dataset read from the derivation table: one index lookup each, for when
// the in-memory index is off or behind the read's snapshot.
class SqlNeighbours {
public:
    explicit SqlNeighbours(Database& db) : db_(db) {}
    template <class F>
    void for_each(std::int64_t id, Direction direction, F&& f) const {
        auto st = db_.cached(direction == Direction::ancestors ? "SELECT source_id FROM derivation WHERE derived_id = ?"
                                                               : "SELECT derived_id FROM derivation WHERE source_id = ?");
        st->bind(1, id);
        while (st->step()) f(st->column_int(0));
    }
    static constexpr std::size_t id_bound() noexcept { return 0; }  // unknown: no bitmap
    template <class F>  // f(source, activity id or 0, role) for each dataset `id` was derived from
    void for_each_source(std::int64_t id, F&& f) const {
        auto st = db_.cached("SELECT source_id, coalesce(activity_id, 0), role FROM derivation WHERE derived_id = ?");
        st->bind(1, id);
        while (st->step()) f(st->column_int(0), st->column_int(1), std::string_view(st->column_text(2)));
    }
    std::string pid(std::int64_t id) const {
        auto st = db_.cached("SELECT pid FROM dataset WHERE id = ?");
        st->bind(1, id);
        return st->step() ? st->column_text(0) : std::string();
    }

private:
    Database& db_;
};

// The datasets a walk has reached: a hash set while the walk is small, then a bitmap over the
// ids below `bound` (the index knows the highest id; a bit per dataset costs less than hashing
// once a walk is large, but allocating it costs more than a small walk).
class Visited {
public:
    explicit Visited(std::size_t bound) : bound_(bound) {}
    bool insert(std::int64_t id) {
        if (in_bits(id)) return set_bit(id);
        if (!others_.insert(id).second) return false;
        if (bits_.empty() && bound_ > 0 && others_.size() > small_walk) {
            bits_.assign((bound_ + 63) / 64, 0);
            for (const auto x : others_)
                if (in_bits(x)) set_bit(x);
            std::erase_if(others_, [&](std::int64_t x) { return in_bits(x); });
        }
        return true;
    }

private:
    static constexpr std::size_t small_walk = 2048;
    bool in_bits(std::int64_t id) const noexcept {
        return id >= 0 && static_cast<std::size_t>(id) / 64 < bits_.size();
    }
    bool set_bit(std::int64_t id) noexcept {  // false if it was set
        auto& word = bits_[static_cast<std::size_t>(id) / 64];
        const auto bit = std::uint64_t{1} << (id % 64);
        if (word & bit) return false;
        word |= bit;
        return true;
    }
    std::size_t bound_;
    std::vector<std::uint64_t> bits_;
    std::unordered_set<std::int64_t> others_;
};

// (id, smallest depth) of every dataset within `limit` steps of the seeds (which all lie at
// depth `level`), in the order found. Breadth first: each dataset is visited once, at its
// smallest depth.
template <class Neighbours>
std::vector<std::pair<std::int64_t, int>> breadth_first(const Neighbours& graph, const std::vector<std::int64_t>& seeds,
                                                        int level, Direction direction, int limit) {
    Visited seen(graph.id_bound());
    std::vector<std::pair<std::int64_t, int>> found;
    for (const auto id : seeds)
        if (seen.insert(id)) found.emplace_back(id, level);
    for (std::size_t begin = 0; begin < found.size() && level < limit; ++level) {
        const auto end = found.size();
        for (auto i = begin; i < end; ++i)
            graph.for_each(found[i].first, direction, [&](std::int64_t next) {
                if (seen.insert(next)) found.emplace_back(next, level + 1);
            });
        begin = end;
    }
    return found;
}

// For each dataset on the way from `to` up its sources until `from` is reached, the dataset
// derived from it that led there (to maps to itself). Breadth first, so following the map
// from `from` gives a shortest path. Empty when `from` is not an ancestor of `to`.
template <class Neighbours>
std::unordered_map<std::int64_t, std::int64_t> path_up(const Neighbours& graph, std::int64_t from, std::int64_t to) {
    std::unordered_map<std::int64_t, std::int64_t> next{{to, to}};
    std::vector<std::int64_t> frontier{to}, following;
    while (!frontier.empty() && !next.contains(from)) {
        following.clear();
        for (const auto id : frontier)
            graph.for_each(id, Direction::ancestors, [&](std::int64_t source) {
                if (next.emplace(source, id).second) following.push_back(source);
            });
        frontier.swap(following);
    }
    if (!next.contains(from)) next.clear();
    return next;
}

}  // namespace

// ---- agents ----------------------------------------------------------------------------------

Agent SqliteStore::insert_agent(const Agent& a) {
    write([&](Database& db) {
        if (pid_exists(db, "agent", a.pid))
            throw Conflict(fmt::format("agent.pid '{}' must be unique: the catalogue already has it", a.pid));
        auto dup = db.cached("SELECT pid FROM agent WHERE type = ? AND name = ?");
        dup->bind(1, to_string(a.type)).bind(2, a.name);
        if (dup->step())
            throw Conflict(fmt::format("agent.name '{}' must be unique among {} agents: the catalogue has it as {}", a.name,
                                       to_string(a.type), dup->column_text(0)));
        auto st = db.cached("INSERT INTO agent (pid, type, name, orcid, email, version, url) VALUES (?, ?, ?, ?, ?, ?, ?)");
        st->bind(1, a.pid).bind(2, to_string(a.type)).bind(3, a.name).bind(4, a.orcid).bind(5, a.email);
        st->bind(6, a.version).bind(7, a.url).exec();
    });
    return a;
}

std::optional<Agent> SqliteStore::find_agent(const std::string& pid_or_name) {
    std::optional<Agent> out;
    read([&](Database& db) {
        const auto ref = lookup(db, "agent", pid_or_name);
        if (!ref) return;
        auto st = db.cached(fmt::format("{} WHERE id = ?", agent_columns));
        st->bind(1, ref->id);
        if (st->step()) out = agent_from(*st);
    });
    return out;
}

std::vector<Agent> SqliteStore::list_agents() {
    std::vector<Agent> out;
    read([&](Database& db) {
        auto st = db.cached(fmt::format("{} ORDER BY id", agent_columns));
        while (st->step()) out.push_back(agent_from(*st));
    });
    return out;
}

// ---- activities ------------------------------------------------------------------------------

Activity SqliteStore::insert_activity(const ActivityRow& row) {
    const auto& a = row.activity;
    std::int64_t id = 0;
    write([&](Database& db) {
        if (pid_exists(db, "activity", a.pid))
            throw Conflict(fmt::format("activity.pid '{}' must be unique: the catalogue already has it", a.pid));
        std::optional<std::int64_t> parent;
        if (!a.parent.empty()) {
            parent = find_id(db, "activity", a.parent);
            if (!parent) throw ValidationError({{"activity.parent", a.parent, "must be the PID of an activity in the catalogue"}});
        }
        Violations violations;
        std::unordered_map<std::string, KeyInfo> keys;
        check_keys(db, row.parameters, "activity.parameters", keys, violations);
        violations.throw_if_any();
        auto st = db.cached(
            "INSERT INTO activity (pid, name, type, program, version, start_time, end_time, status, host, command_line, "
            "parent_id, log, environment, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        st->bind(1, a.pid).bind(2, a.name).bind(3, to_string(a.type)).bind(4, a.program).bind(5, a.version);
        st->bind(6, opt_time(a.start_time)).bind_text_or_null(7, opt_time(a.end_time)).bind(8, to_string(a.status));
        st->bind(9, a.host).bind(10, a.command_line).bind(11, parent).bind(12, a.log);
        st->bind(13, environment_json(a.environment).dump()).bind(14, a.created_by).exec();
        id = db.last_insert_rowid();
        insert_metadata(db, activity_parameters, id, row.parameters);
        insert_used(db, id, a.pid, a.used, "activity.used");
        for (std::size_t i = 0; i < a.agents.size(); ++i)
            insert_association(db, id, a.agents[i], fmt::format("activity.agents[{}].agent", i));
        for (std::size_t i = 0; i < a.informed_by.size(); ++i)
            insert_informed_by(db, id, a.pid, a.informed_by[i], fmt::format("activity.informed_by[{}]", i));
    });
    Activity out;
    read([&](Database& db) { out = load_activities(db, {id}).front(); });
    return out;
}

std::vector<Activity> SqliteStore::load_activities(Database& db, const std::vector<std::int64_t>& ids) {
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
            a.environment = environment_from(st->column_text(13));
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

std::optional<Activity> SqliteStore::find_activity(const std::string& pid) {
    std::optional<Activity> out;
    read([&](Database& db) {
        if (const auto id = find_id(db, "activity", pid)) out = load_activities(db, {*id}).front();
    });
    return out;
}

std::vector<Activity> SqliteStore::find_activities(const ActivityQuery& q) {
    std::vector<Activity> out;
    read([&](Database& db) {
        std::string sql = "SELECT a.id, a.version FROM activity a WHERE 1";
        std::vector<std::string> binds;
        if (!q.name.empty()) sql += " AND a.name GLOB ?", binds.push_back(q.name);
        if (q.type) sql += " AND a.type = ?", binds.emplace_back(to_string(*q.type));
        if (q.status) sql += " AND a.status = ?", binds.emplace_back(to_string(*q.status));
        if (!q.program.empty()) sql += " AND a.program = ?", binds.push_back(q.program);
        if (!q.parent.empty()) {
            if (!find_id(db, "activity", q.parent)) throw NotFound(fmt::format("no activity with PID '{}' in the catalogue", q.parent));
            sql += " AND a.parent_id = (SELECT id FROM activity WHERE pid = ?)", binds.push_back(q.parent);
        }
        sql += " ORDER BY a.id";
        auto st = db.prepare(sql);
        for (std::size_t i = 0; i < binds.size(); ++i) st.bind(static_cast<int>(i + 1), binds[i]);
        std::vector<std::int64_t> ids;
        // Versions compare part by part, which SQL cannot: filter here.
        while (st.step()) {
            const auto version = st.column_text(1);
            if (!q.min_version.empty() && compare_versions(version, q.min_version) < 0) continue;
            if (!q.max_version.empty() && compare_versions(version, q.max_version) >= 0) continue;
            ids.push_back(st.column_int(0));
            if (q.limit && ids.size() >= q.limit) break;
        }
        out = load_activities(db, ids);
    });
    return out;
}

void SqliteStore::add_inputs(const std::string& activity_pid, const std::vector<Used>& used) {
    write([&](Database& db) { insert_used(db, activity_id(db, activity_pid, "add_inputs"), activity_pid, used, "used"); });
}

std::vector<Dataset> SqliteStore::insert_outputs(const std::string& activity_pid, std::vector<DatasetRow> rows,
                                                 const std::string& role) {
    std::vector<Dataset> out;
    write([&](Database& db) {
        const auto activity = activity_id(db, activity_pid, "add_outputs");
        std::vector<std::int64_t> ids;
        out = insert_dataset_rows(db, rows, ids);
        std::vector<std::pair<std::int64_t, std::string>> inputs;
        {
            auto st = db.cached("SELECT DISTINCT dataset_id, role FROM used WHERE activity_id = ? AND path = '' "
                                "UNION SELECT dataset_id, '' FROM used WHERE activity_id = ? AND path <> '' "
                                "AND dataset_id NOT IN (SELECT dataset_id FROM used WHERE activity_id = ? AND path = '')");
            st->bind(1, activity).bind(2, activity).bind(3, activity);
            while (st->step()) inputs.emplace_back(st->column_int(0), st->column_text(1));
        }
        auto gen = db.cached("INSERT INTO generation (dataset_id, activity_id, role) VALUES (?, ?, ?)");
        for (const auto id : ids) {
            gen->reset();
            gen->bind(1, id).bind(2, activity).bind(3, role).exec();
            for (const auto& [source, used_role] : inputs) insert_derivation(db, id, source, activity, used_role);
        }
    });
    return out;
}

void SqliteStore::append_log(const std::string& activity_pid, std::string_view text) {
    write([&](Database& db) {
        const auto id = activity_id(db, activity_pid, "append_log");
        auto st = db.cached("UPDATE activity SET log = log || ? WHERE id = ?");
        st->bind(1, text).bind(2, id).exec();
    });
}

void SqliteStore::finish_activity(const std::string& activity_pid, ActivityStatus status, Timestamp end_time) {
    write([&](Database& db) {
        const auto id = activity_id(db, activity_pid, "finish_activity");
        {
            auto st = db.cached("SELECT start_time FROM activity WHERE id = ?");
            st->bind(1, id);
            st->step();
            if (end_time < parse_time(st->column_text(0)))
                throw ValidationError({{"end_time", format_time(end_time),
                                        fmt::format("must not be before the activity's start_time ({})", st->column_text(0))}});
        }
        auto st = db.cached("UPDATE activity SET status = ?, end_time = ? WHERE id = ?");
        st->bind(1, to_string(status)).bind(2, format_time(end_time)).bind(3, id).exec();
        // A failed run leaves nothing looking valid; a successful one completes what it wrote.
        auto outputs = db.cached(
            status == ActivityStatus::failed
                ? "UPDATE dataset SET state = 'failed', end_time = COALESCE(end_time, ?1) "
                  "WHERE id IN (SELECT dataset_id FROM generation WHERE activity_id = ?2)"
                : "UPDATE dataset SET state = 'complete', end_time = COALESCE(end_time, ?1) "
                  "WHERE state = 'acquiring' AND id IN (SELECT dataset_id FROM generation WHERE activity_id = ?2)");
        if (status != ActivityStatus::running) outputs->bind(1, format_time(end_time)).bind(2, id).exec();
    });
}

void SqliteStore::add_derivation(const std::string& derived_pid, const std::string& source_pid, const std::string& role) {
    write([&](Database& db) {
        Violations violations;
        const auto derived = find_id(db, "dataset", derived_pid);
        const auto source = find_id(db, "dataset", source_pid);
        if (!derived) violations.add("derived", derived_pid, "must be the PID of a dataset in the catalogue");
        if (!source) violations.add("source", source_pid, "must be the PID of a dataset in the catalogue");
        violations.throw_if_any();
        if (is_ancestor_or_self(db, *derived, *source))
            throw ValidationError({{"source", source_pid,
                                    fmt::format("would make a cycle: it is {} or was made from it", derived_pid)}});
        insert_derivation(db, *derived, *source, std::nullopt, role);
    });
}

void SqliteStore::add_informed_by(const std::string& activity_pid, const std::string& informant_pid) {
    write([&](Database& db) {
        insert_informed_by(db, activity_id(db, activity_pid, "add_informed_by"), activity_pid, informant_pid, "informant");
    });
}

void SqliteStore::associate(const std::string& activity_pid, const std::string& agent, const std::string& role) {
    write([&](Database& db) { insert_association(db, activity_id(db, activity_pid, "associate"), {agent, role}, "agent"); });
}

// ---- lineage ---------------------------------------------------------------------------------

struct SqliteStore::WalkStart {
    std::optional<std::int64_t> activity;  // when the walk starts at an activity
    std::vector<std::int64_t> seeds;       // the datasets it starts from
    int level = 0;                         // their depth: 0 for a dataset, 1 for an activity's
};

SqliteStore::WalkStart SqliteStore::walk_start(Database& db, const std::string& pid, Direction direction, int limit) {
    WalkStart start;
    if (const auto dataset = find_id(db, "dataset", pid)) {
        start.seeds.push_back(*dataset);
        return start;
    }
    start.activity = find_id(db, "activity", pid);
    if (!start.activity) throw NotFound(fmt::format("no dataset or activity with PID '{}' in the catalogue", pid));
    // An activity's ancestors start from what it used; its descendants from what it generated.
    start.level = 1;
    if (limit > 0) {
        auto st = db.cached(direction == Direction::ancestors ? "SELECT dataset_id FROM used WHERE activity_id = ? ORDER BY dataset_id"
                                                              : "SELECT dataset_id FROM generation WHERE activity_id = ? ORDER BY dataset_id");
        st->bind(1, *start.activity);
        while (st->step()) start.seeds.push_back(st->column_int(0));
    }
    return start;
}

template <class Visit>
void SqliteStore::with_neighbours(Database& db, Visit&& visit) {
    if (use_lineage_index_)
        if (const auto view = lineage_index_.view(db)) return visit(*view);
    visit(SqlNeighbours(db));
}

std::vector<std::pair<std::int64_t, int>> SqliteStore::walk(Database& db, const WalkStart& start, Direction direction,
                                                            int limit, std::vector<std::string>* pids) {
    std::vector<std::pair<std::int64_t, int>> found;
    with_neighbours(db, [&](const auto& graph) {
        found = breadth_first(graph, start.seeds, start.level, direction, limit);
        // Nearest first, then in registration order, whichever way the neighbours were read.
        std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
            return std::tie(a.second, a.first) < std::tie(b.second, b.first);
        });
        if (!pids) return;
        pids->reserve(found.size());
        for (const auto& [id, d] : found) {
            pids->emplace_back(graph.pid(id));
            if (pids->back().empty()) throw StorageError(fmt::format("derivation names dataset id {}, which is missing", id));
        }
    });
    return found;
}

ProvGraph SqliteStore::lineage(const std::string& pid, Direction direction, int depth) {
    ProvGraph graph;
    read([&](Database& db) {
        const bool up = direction == Direction::ancestors;
        const int limit = depth < 0 ? std::numeric_limits<int>::max() : depth;
        const auto start = walk_start(db, pid, direction, limit);
        std::map<std::int64_t, int> activities;
        if (start.activity) activities.emplace(*start.activity, 0);
        const auto found = walk(db, start, direction, limit);
        const std::map<std::int64_t, int> datasets(found.begin(), found.end());
        // Activities on the way: for ancestors, those that generated a dataset short of the
        // limit (their inputs are in the graph); for descendants, those that used one.
        {
            nlohmann::json within = nlohmann::json::array();
            for (const auto& [id, d] : datasets)
                if (d < limit) within.push_back({id, d});
            auto st = db.cached(up ? "SELECT g.activity_id, min(json_extract(j.value, '$[1]')) FROM json_each(?) j "
                                     "JOIN generation g ON g.dataset_id = json_extract(j.value, '$[0]') GROUP BY g.activity_id"
                                   : "SELECT u.activity_id, min(json_extract(j.value, '$[1]')) FROM json_each(?) j "
                                     "JOIN used u ON u.dataset_id = json_extract(j.value, '$[0]') GROUP BY u.activity_id");
            st->bind(1, within.dump());
            while (st->step()) activities.emplace(st->column_int(0), static_cast<int>(st->column_int(1)));
        }
        if (!up) {
            // ...and the generators of the datasets found, which used something in the graph.
            nlohmann::json made = nlohmann::json::array();
            for (const auto& [id, d] : datasets)
                if (d > 0) made.push_back({id, d});
            auto st = db.cached(
                "SELECT g.activity_id, min(json_extract(j.value, '$[1]')) - 1 FROM json_each(?) j "
                "JOIN generation g ON g.dataset_id = json_extract(j.value, '$[0]') GROUP BY g.activity_id");
            st->bind(1, made.dump());
            while (st->step()) activities.emplace(st->column_int(0), static_cast<int>(st->column_int(1)));
        }
        GraphBuilder builder(db);
        builder.datasets(datasets);
        builder.activities(activities);
        with_neighbours(db, [&](const auto& g) { builder.links(g, datasets, activities); });
        graph = std::move(builder.graph);
        // The start node first, whatever its kind.
        const auto first = std::find_if(graph.nodes.begin(), graph.nodes.end(), [&](const ProvNode& n) { return n.id == pid; });
        if (first != graph.nodes.end()) std::rotate(graph.nodes.begin(), first, first + 1);
    });
    return graph;
}

std::vector<DatasetDepth> SqliteStore::reach(const std::string& pid, Direction direction, int depth) {
    std::vector<DatasetDepth> out;
    read([&](Database& db) {
        const int limit = depth < 0 ? std::numeric_limits<int>::max() : depth;
        const auto start = walk_start(db, pid, direction, limit);
        std::vector<std::string> pids;
        const auto found = walk(db, start, direction, limit, &pids);
        const std::size_t first = start.activity ? 0 : 1;  // not the start dataset itself
        out.reserve(found.size() - first);
        for (std::size_t i = first; i < found.size(); ++i) out.push_back({std::move(pids[i]), found[i].second});
    });
    return out;
}

ProvGraph SqliteStore::lineage_path(const std::string& ancestor, const std::string& descendant) {
    ProvGraph graph;
    read([&](Database& db) {
        Violations violations;
        const auto from = find_id(db, "dataset", ancestor);
        const auto to = find_id(db, "dataset", descendant);
        if (!from) violations.add("ancestor", ancestor, "must be the PID of a dataset in the catalogue");
        if (!to) violations.add("descendant", descendant, "must be the PID of a dataset in the catalogue");
        violations.throw_if_any();
        std::unordered_map<std::int64_t, std::int64_t> next;  // source -> the dataset derived from it
        with_neighbours(db, [&](const auto& g) { next = path_up(g, *from, *to); });
        if (next.empty())
            throw NotFound(fmt::format("{} was not made from {}: no derivation path leads from one to the other", descendant,
                                       ancestor));
        // The path from the ancestor down to the descendant; depth counts from the descendant,
        // as in ancestors().
        std::vector<std::int64_t> path{*from};
        while (path.back() != *to) path.push_back(next.at(path.back()));
        std::map<std::int64_t, int> datasets, activities;
        std::vector<std::string> pids;
        {
            auto pid_of = db.cached("SELECT pid FROM dataset WHERE id = ?");
            for (std::size_t i = 0; i < path.size(); ++i) {
                datasets.emplace(path[i], static_cast<int>(path.size() - 1 - i));
                pid_of->reset();
                pid_of->bind(1, path[i]);
                pid_of->step();
                pids.push_back(pid_of->column_text(0));
            }
        }
        {
            auto by = db.cached("SELECT activity_id FROM derivation WHERE derived_id = ? AND source_id = ? AND activity_id IS NOT NULL");
            for (std::size_t i = 0; i + 1 < path.size(); ++i) {
                by->reset();
                by->bind(1, path[i + 1]).bind(2, path[i]);
                if (by->step()) activities.emplace(by->column_int(0), datasets.at(path[i + 1]));
            }
        }
        GraphBuilder builder(db);
        builder.datasets(datasets);
        builder.activities(activities);
        with_neighbours(db, [&](const auto& g) { builder.links(g, datasets, activities); });
        // Keep the path's own steps, not shortcuts between datasets on it.
        std::set<std::pair<std::string, std::string>> steps;
        for (std::size_t i = 0; i + 1 < pids.size(); ++i) steps.emplace(pids[i + 1], pids[i]);
        std::erase_if(builder.graph.edges, [&](const ProvEdge& e) {
            return e.kind == EdgeKind::was_derived_from && !steps.contains({e.from, e.to});
        });
        // In path order: the ancestor first, each activity after the dataset it made.
        std::stable_sort(builder.graph.nodes.begin(), builder.graph.nodes.end(),
                         [](const ProvNode& a, const ProvNode& b) { return a.depth > b.depth; });
        graph = std::move(builder.graph);
    });
    return graph;
}

ProvGraph SqliteStore::provenance() {
    ProvGraph graph;
    read([&](Database& db) {
        std::map<std::int64_t, int> datasets, activities;
        {
            auto st = db.cached("SELECT id FROM dataset ORDER BY id");
            while (st->step()) datasets.emplace(st->column_int(0), 0);
        }
        {
            auto st = db.cached("SELECT id FROM activity ORDER BY id");
            while (st->step()) activities.emplace(st->column_int(0), 0);
        }
        GraphBuilder builder(db);
        builder.datasets(datasets);
        builder.activities(activities);
        with_neighbours(db, [&](const auto& g) { builder.links(g, datasets, activities); });
        // Agents not associated with any activity belong to the catalogue's provenance too.
        auto st = db.cached(fmt::format("{} ORDER BY id", agent_columns));
        while (st->step()) builder.add(GraphBuilder::agent_node(agent_from(*st), 0));
        graph = std::move(builder.graph);
    });
    return graph;
}

std::vector<Dataset> SqliteStore::datasets_by_pid(const std::vector<std::string>& pids) {
    std::vector<Dataset> out;
    read([&](Database& db) {
        std::vector<std::int64_t> ids;
        for (const auto& pid : pids)
            if (const auto id = find_id(db, "dataset", pid)) ids.push_back(*id);
        out = load_datasets(db, ids);
    });
    return out;
}

}  // namespace datatrail::detail
