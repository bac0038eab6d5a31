// The in-memory lineage index: walks over it find what a plain breadth-first search of the links
// finds, it sees links written after it was loaded (by its own catalogue, by another one, in
// bulk, while other threads walk), and the schema version 3 migration numbers existing links.
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <thread>

using namespace datatrail;
using test::sql_exec;
using test::sql_value;

namespace {

using Depths = std::map<std::string, int>;

Depths as_map(const std::vector<DatasetDepth>& found) {
    Depths out;
    for (const auto& f : found) CHECK_MESSAGE(out.emplace(f.pid, f.depth).second, f.pid, " reached twice");
    return out;
}

// Breadth first over a plain list of links: what every walk must find.
Depths expected_walk(const std::multimap<std::string, std::string>& next, const std::string& start, int depth) {
    Depths out{{start, 0}};
    std::deque<std::string> queue{start};
    while (!queue.empty()) {
        const auto at = queue.front();
        queue.pop_front();
        if (depth >= 0 && out.at(at) >= depth) continue;
        const auto [first, last] = next.equal_range(at);
        for (auto it = first; it != last; ++it)
            if (out.emplace(it->second, out.at(at) + 1).second) queue.push_back(it->second);
    }
    out.erase(start);
    return out;
}

// Registers datasets ds_0 .. ds_<n-1> in one call; their PIDs in order.
std::vector<std::string> register_many(Catalog& cat, int n) {
    std::vector<Dataset> ds;
    for (int i = 0; i < n; ++i) ds.push_back(test::dataset("ds_" + std::to_string(i)));
    std::vector<std::string> pids;
    for (const auto& d : cat.register_datasets(ds)) pids.push_back(d.pid);
    return pids;
}

// A random DAG: dataset i derived from up to 3 of the 12 registered just before it.
struct RandomGraph {
    std::vector<std::string> pids;
    std::multimap<std::string, std::string> up, down;  // derived -> source, source -> derived

    RandomGraph(Catalog& cat, int n, unsigned seed) : pids(register_many(cat, n)) {
        std::mt19937 rng(seed);
        for (int i = 1; i < n; ++i) {
            std::set<int> sources;
            const int fan_in = static_cast<int>(rng() % 4);
            for (int k = 0; k < fan_in; ++k) sources.insert(std::max(0, i - 1 - static_cast<int>(rng() % 12)));
            for (const int s : sources) link(cat, pids[i], pids[s], s % 3 == 0 ? "calibration" : "");
        }
    }

    void link(Catalog& cat, const std::string& derived, const std::string& source, const std::string& role = {}) {
        cat.add_derivation(derived, source, role);
        up.emplace(derived, source);
        down.emplace(source, derived);
    }
};

void check_walks(const Catalog& cat, const RandomGraph& g, const std::string& start) {
    for (const int depth : {0, 1, 3, -1}) {
        CAPTURE(start);
        CAPTURE(depth);
        CHECK(as_map(cat.ancestor_pids(start, depth)) == expected_walk(g.up, start, depth));
        CHECK(as_map(cat.descendant_pids(start, depth)) == expected_walk(g.down, start, depth));
    }
}

}  // namespace

TEST_CASE("walks over the lineage index and over the file find what a plain search of the links finds") {
    const test::CatalogLocation path;
    Catalog indexed(path);
    const RandomGraph g(indexed, 300, 7);
    const Catalog file(path, {.lineage_index = false});
    for (std::size_t i = 0; i < g.pids.size(); i += 7) {
        check_walks(indexed, g, g.pids[i]);
        check_walks(file, g, g.pids[i]);
        const auto a = indexed.ancestors(g.pids[i], 4), b = file.ancestors(g.pids[i], 4);
        CHECK(a.nodes == b.nodes);
        CHECK(a.edges == b.edges);
    }
    // Nearest first, and in registration order within a depth.
    const auto found = indexed.descendant_pids(g.pids[0]);
    REQUIRE(found.size() > 10);
    CHECK(std::is_sorted(found.begin(), found.end(), [&](const DatasetDepth& x, const DatasetDepth& y) {
        return std::pair(x.depth, x.pid) < std::pair(y.depth, y.pid);  // ULID PIDs sort in registration order
    }));
    // The shortest path, the same either way: from the last dataset's farthest ancestor, whose
    // distance the plain search gives.
    const auto last = g.pids.back();
    const auto reached = expected_walk(g.up, last, -1);
    const auto farthest = std::max_element(reached.begin(), reached.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
    REQUIRE(farthest != reached.end());
    REQUIRE(farthest->second >= 3);  // a path with steps to check, not a single link
    const auto steps = static_cast<std::size_t>(farthest->second) + 1;
    CHECK(indexed.lineage_path(farthest->first, last).nodes_of(NodeKind::dataset).size() == steps);
    CHECK(file.lineage_path(farthest->first, last).nodes_of(NodeKind::dataset).size() == steps);
}

TEST_CASE("the lineage index sees links written after it was loaded, by its own catalogue and by another") {
    const test::CatalogLocation path;
    Catalog reader(path);
    RandomGraph g(reader, 60, 11);
    const auto& p = g.pids;
    check_walks(reader, g, p[30]);  // loads the index

    Catalog writer(path);  // another connection, as another process would have
    SUBCASE("a link between existing datasets") {
        g.link(writer, p[59], p[0]);
        CHECK(as_map(reader.descendant_pids(p[0], 1)).contains(p[59]));
        check_walks(reader, g, p[0]);
    }
    SUBCASE("datasets registered after the index was loaded, and an activity's outputs") {
        Activity a;
        a.name = "reduce";
        a.used = {{p[59]}, {p[58]}};
        const auto run = writer.start_activity(a);
        Dataset out = test::dataset("reduced");
        out.kind = DatasetKind::processed;
        const auto made = writer.add_outputs(run.pid, {out}).front().pid;
        g.up.emplace(made, p[59]), g.up.emplace(made, p[58]);
        g.down.emplace(p[59], made), g.down.emplace(p[58], made);
        check_walks(reader, g, made);
        check_walks(reader, g, p[40]);
        // The links' activity and role, read into the index since, as walking the file gives them.
        const auto graph = reader.ancestors(made, 2);
        CHECK(graph.edges == Catalog(path, {.lineage_index = false}).ancestors(made, 2).edges);
        CHECK(std::count_if(graph.edges.begin(), graph.edges.end(),
                            [&](const ProvEdge& e) { return e.kind == EdgeKind::was_derived_from && e.activity == run.pid; }) == 2);
        // From the activity: its outputs at depth 1.
        CHECK(as_map(reader.descendant_pids(run.pid)) == Depths{{made, 1}});
    }
    SUBCASE("its own writes") {
        const auto late = reader.register_dataset(test::dataset("late")).pid;
        g.link(reader, late, p[10]);
        check_walks(reader, g, late);
        check_walks(reader, g, p[10]);
    }
}

TEST_CASE("many links written at once elsewhere: the lineage index is built again") {
    const test::CatalogLocation path;
    Catalog cat(path);
    const auto p = register_many(cat, 460);
    cat.add_derivation(p[1], p[0]);
    CHECK(cat.descendant_pids(p[0]).size() == 1);  // loaded, with one link
    // Every later dataset derived from every earlier one: 105,570 links, more than the index
    // reads one by one (and more than one page of the PostgreSQL engine's reads).
    path.exec(
        "INSERT INTO derivation (derived_id, source_id, activity_id, role, seq) "
        "SELECT d.id, s.id, NULL, '', 1 + row_number() OVER (ORDER BY d.id, s.id) "
        "FROM dataset d JOIN dataset s ON s.id < d.id WHERE NOT (d.id = 2 AND s.id = 1)");
    REQUIRE(path.value("SELECT count(*) FROM derivation") == "105570");
    CHECK(cat.descendant_pids(p[0], 1).size() == 459);
    CHECK(cat.ancestor_pids(p[459]).size() == 459);
    CHECK(cat.ancestor_pids(p[200], 2) == Catalog(path, {.lineage_index = false}).ancestor_pids(p[200], 2));
}

TEST_CASE("a walk reaching thousands of datasets finds each once, at its smallest depth") {
    const test::CatalogLocation path;
    Catalog cat(path);
    const auto pids = register_many(cat, 5000);
    // Dataset i (from 2) is derived from i - 1 and from i / 2: many paths of many lengths.
    path.exec(
        "INSERT INTO derivation (derived_id, source_id, activity_id, role, seq) "
        "SELECT id, source, NULL, '', row_number() OVER (ORDER BY id, source) FROM "
        "(SELECT id, id - 1 AS source FROM dataset WHERE id >= 2 UNION SELECT id, id / 2 FROM dataset WHERE id >= 4) AS links");
    std::multimap<std::string, std::string> up, down;
    const auto link = [&](std::size_t derived, std::size_t source) {  // ids count from 1
        up.emplace(pids[derived - 1], pids[source - 1]);
        down.emplace(pids[source - 1], pids[derived - 1]);
    };
    for (std::size_t i = 2; i <= pids.size(); ++i) link(i, i - 1);
    for (std::size_t i = 4; i <= pids.size(); ++i) link(i, i / 2);
    const Catalog file(path, {.lineage_index = false});
    for (const int depth : {-1, 12}) {
        const auto found = cat.descendant_pids(pids[0], depth);
        CHECK(found.size() > 2048);  // large enough for the walk's bitmap
        CHECK(as_map(found) == expected_walk(down, pids[0], depth));
        CHECK(found == file.descendant_pids(pids[0], depth));
        CHECK(as_map(cat.ancestor_pids(pids.back(), depth)) == expected_walk(up, pids.back(), depth));
    }
}

TEST_CASE("a version 2 catalogue's links are numbered by the migration, and later ones follow" *
          doctest::test_suite("sqlite")) {
    test::TempDir dir;
    const auto path = dir / "v2.db";
    std::vector<std::string> p;
    {
        Catalog cat(path);
        for (const auto& d : cat.register_datasets({test::dataset("a"), test::dataset("b"), test::dataset("c")}))
            p.push_back(d.pid);
        cat.add_derivation(p[1], p[0]);
        cat.add_derivation(p[2], p[1], "calibration");
    }
    // Take the derivation table back to what schema version 2 wrote: no seq.
    sql_exec(path, std::string(test::undo_schema_v5) + test::undo_schema_v4 +
             "CREATE TABLE derivation_v2 (derived_id INTEGER NOT NULL REFERENCES dataset (id), "
             "source_id INTEGER NOT NULL REFERENCES dataset (id), activity_id INTEGER REFERENCES activity (id), "
             "role TEXT NOT NULL DEFAULT '', PRIMARY KEY (derived_id, source_id), CHECK (derived_id <> source_id)) WITHOUT ROWID; "
             "INSERT INTO derivation_v2 SELECT derived_id, source_id, activity_id, role FROM derivation; "
             "DROP TABLE derivation; ALTER TABLE derivation_v2 RENAME TO derivation; "
             "CREATE INDEX derivation_source ON derivation (source_id, derived_id); PRAGMA user_version = 2");
    Catalog cat(path);
    CHECK(cat.schema_version() == Catalog::latest_schema_version());
    CHECK(sql_value(path, "SELECT group_concat(seq) FROM (SELECT seq FROM derivation ORDER BY seq)") == "1,2");
    CHECK(sql_value(path, "SELECT role FROM derivation WHERE seq = 2") == "calibration");
    CHECK(as_map(cat.ancestor_pids(p[2])) == Depths{{p[1], 1}, {p[0], 2}});
    const auto d = cat.register_dataset(test::dataset("d")).pid;
    cat.add_derivation(d, p[2]);
    CHECK(sql_value(path, "SELECT seq FROM derivation ORDER BY seq DESC LIMIT 1") == "3");
    CHECK(as_map(cat.descendant_pids(p[0])) == Depths{{p[1], 1}, {p[2], 2}, {d, 3}});
}

TEST_CASE("walks in several threads while another thread and another catalogue extend the chain") {
    const test::CatalogLocation path;
    Catalog cat(path);
    const auto root = cat.register_dataset(test::dataset("root")).pid;
    constexpr int links = 150;
    std::atomic<bool> done{false};
    std::thread writer([&] {
        Catalog other(path);  // half the links through another connection, as another process would
        std::string last = root;
        for (int i = 0; i < links; ++i) {
            Catalog& via = i % 2 ? other : cat;
            const auto next = via.register_dataset(test::dataset("link_" + std::to_string(i))).pid;
            via.add_derivation(next, last);
            last = next;
        }
        done = true;
    });
    std::vector<std::thread> readers;
    std::atomic<int> walks{0}, wrong{0};
    for (int r = 0; r < 2; ++r)
        readers.emplace_back([&] {
            std::size_t seen = 0;
            while (!done) {
                // A chain: every walk finds datasets at depths 1, 2, 3 ... and never fewer than before.
                const auto found = cat.descendant_pids(root);
                bool ok = found.size() >= seen;
                for (std::size_t i = 0; i < found.size(); ++i) ok = ok && found[i].depth == static_cast<int>(i) + 1;
                if (!ok) ++wrong;
                seen = found.size();
                ++walks;
            }
        });
    writer.join();
    for (auto& t : readers) t.join();
    CHECK(wrong == 0);
    CHECK(walks > 0);
    const auto all = cat.descendant_pids(root);
    REQUIRE(all.size() == links);
    CHECK(all.back().depth == links);
    CHECK(cat.ancestor_pids(all.back().pid).back().pid == root);
}
