// Lineage queries (ancestors, descendants, paths, impact) and the PROV, DOT and SVG exports.
#include "support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

using namespace datatrail;

namespace {

// raw_a, raw_b --integrate(v1.2)--> int_a, int_b --merge(v2.0)--> merged --fit--> fit
//                                                       raw_c --------------------^ (explicit derivation)
struct Chain {
    test::CatalogLocation location;
    Catalog cat{location};
    std::string raw_a, raw_b, raw_c, int_a, int_b, merged, fit, integrate, merge, fitting;

    std::string step(const char* name, const char* program, const char* version, std::vector<std::string> inputs,
                     std::vector<std::string> outputs, std::vector<std::string*> pids) {
        Activity a;
        a.name = name;
        a.program = program;
        a.version = version;
        for (auto& i : inputs) a.used.push_back({i});
        const auto run = cat.start_activity(a);
        std::vector<Dataset> ds;
        for (auto& o : outputs) {
            ds.push_back(test::dataset(o));
            ds.back().kind = DatasetKind::processed;
        }
        const auto stored = cat.add_outputs(run.pid, ds);
        for (std::size_t i = 0; i < pids.size(); ++i) *pids[i] = stored[i].pid;
        cat.finish_activity(run.pid, ActivityStatus::succeeded);
        return run.pid;
    }

    Chain() {
        auto raws = cat.register_datasets({test::dataset("raw_a"), test::dataset("raw_b"), test::dataset("raw_c")});
        raw_a = raws[0].pid, raw_b = raws[1].pid, raw_c = raws[2].pid;
        integrate = step("integrate", "pyFAI", "1.2", {raw_a, raw_b}, {"int_a", "int_b"}, {&int_a, &int_b});
        merge = step("merge", "merger", "2.0", {int_a, int_b}, {"merged"}, {&merged});
        fitting = step("fit", "fitter", "0.9", {merged}, {"fit"}, {&fit});
        cat.add_derivation(fit, raw_c, "reference");
        cat.add_agent({.type = AgentType::person, .name = "Ada"});
        cat.associate(fitting, "Ada", "analyst");
    }

    static std::set<std::string> dataset_names(const ProvGraph& g) {
        std::set<std::string> out;
        for (const auto* n : g.nodes_of(NodeKind::dataset)) out.insert(n->name);
        return out;
    }
    static std::set<std::string> names(const std::vector<Dataset>& ds) {
        std::set<std::string> out;
        for (const auto& d : ds) out.insert(d.name);
        return out;
    }
};

using Names = std::set<std::string>;

}  // namespace

TEST_CASE("ancestors, with and without a depth limit") {
    Chain c;
    auto g = c.cat.ancestors(c.fit);
    CHECK(Chain::dataset_names(g) == Names{"fit", "merged", "int_a", "int_b", "raw_a", "raw_b", "raw_c"});
    CHECK(g.nodes_of(NodeKind::activity).size() == 3);
    CHECK(g.find(c.raw_a)->depth == 3);
    CHECK(g.find(c.raw_c)->depth == 1);
    CHECK(g.find(c.fit)->depth == 0);
    CHECK(g.contains("" + c.cat.agent("Ada").pid));

    g = c.cat.ancestors(c.fit, 1);
    CHECK(Chain::dataset_names(g) == Names{"fit", "merged", "raw_c"});
    CHECK(g.nodes_of(NodeKind::activity).size() == 1);  // fit's generator; merge is beyond the limit
    CHECK(g.contains(c.fitting));
    CHECK_FALSE(g.contains(c.merge));

    g = c.cat.ancestors(c.fit, 0);
    CHECK(Chain::dataset_names(g) == Names{"fit"});
}

TEST_CASE("descendants, from a dataset and from an activity") {
    Chain c;
    auto g = c.cat.descendants(c.raw_a);
    CHECK(Chain::dataset_names(g) == Names{"raw_a", "int_a", "int_b", "merged", "fit"});
    CHECK(g.contains(c.integrate));
    CHECK(g.contains(c.fitting));
    g = c.cat.descendants(c.raw_a, 1);
    CHECK(Chain::dataset_names(g) == Names{"raw_a", "int_a", "int_b"});
    CHECK_FALSE(g.contains(c.merge));

    g = c.cat.descendants(c.merge);  // an activity: what it made and what was made from that
    CHECK(g.nodes.front().id == c.merge);
    CHECK(Chain::dataset_names(g) == Names{"merged", "fit"});
    g = c.cat.ancestors(c.merge);
    CHECK(Chain::dataset_names(g) == Names{"int_a", "int_b", "raw_a", "raw_b"});

    CHECK_THROWS_AS(c.cat.ancestors("local/NOPE"), NotFound);
}

TEST_CASE("the path between two datasets, and none where they are unrelated") {
    Chain c;
    const auto g = c.cat.lineage_path(c.raw_a, c.fit);
    CHECK(Chain::dataset_names(g) == Names{"raw_a", "int_a", "merged", "fit"});
    CHECK(g.edges_of(EdgeKind::was_derived_from).size() == 3);
    CHECK(g.nodes_of(NodeKind::activity).size() == 3);
    CHECK(c.cat.lineage_path(c.raw_c, c.fit).edges_of(EdgeKind::was_derived_from).size() == 1);
    CHECK_THROWS_AS(c.cat.lineage_path(c.fit, c.raw_a), NotFound);  // the wrong way round
    CHECK_THROWS_AS(c.cat.lineage_path(c.raw_a, c.raw_b), NotFound);
    CHECK_THROWS_AS(c.cat.lineage_path("local/NOPE", c.fit), ValidationError);
}

TEST_CASE("raw sources, downstream impact, and what a program version generated") {
    Chain c;
    CHECK(Chain::names(c.cat.raw_sources(c.fit)) == Names{"raw_a", "raw_b", "raw_c"});
    CHECK(Chain::names(c.cat.raw_sources(c.int_b)) == Names{"raw_a", "raw_b"});
    CHECK(Chain::names(c.cat.downstream(c.int_a)) == Names{"merged", "fit"});
    CHECK(c.cat.downstream(c.fit).empty());

    CHECK(Chain::names(c.cat.generated_by_program("pyFAI")) == Names{"int_a", "int_b"});
    CHECK(Chain::names(c.cat.generated_by_program("pyFAI", "1.0", "1.10")) == Names{"int_a", "int_b"});
    CHECK(c.cat.generated_by_program("pyFAI", "1.3").empty());
    CHECK(c.cat.generated_by_program("pyFAI", "", "1.2").empty());  // the upper bound is exclusive
    CHECK(Chain::names(c.cat.generated_by_program("pyFAI", "1.2", "1.3", true)) ==
          Names{"int_a", "int_b", "merged", "fit"});
    CHECK(c.cat.generated_by_program("nobody-uses-this").empty());
}

TEST_CASE("PROV-JSON carries every entity, activity, agent and relation") {
    Chain c;
    const auto g = c.cat.provenance();
    const auto doc = nlohmann::json::parse(to_prov_json(g));
    CHECK(doc["prefix"]["pid"] == "urn:datatrail:pid:");
    CHECK(doc["entity"].size() == 7);
    CHECK(doc["activity"].size() == 3);
    CHECK(doc["agent"].size() == 1);
    CHECK(doc["used"].size() == 5);
    CHECK(doc["wasGeneratedBy"].size() == 4);
    CHECK(doc["wasDerivedFrom"].size() == 8);  // 2 x 2 integrated, 2 merged, 1 fit, 1 reference
    CHECK(doc["wasAssociatedWith"].size() == 1);
    const auto& fit = doc["entity"]["pid:" + c.fit];
    CHECK(fit["prov:label"] == "fit");
    CHECK(fit["dt:kind"] == "processed");
    const auto& merge = doc["activity"]["pid:" + c.merge];
    CHECK(merge.contains("prov:startTime"));
    CHECK(merge["dt:program"] == "merger");
}

TEST_CASE("PROV-N, DOT and SVG") {
    Chain c;
    const auto g = c.cat.ancestors(c.merged);
    const auto n = to_prov_n(g);
    CHECK(n.starts_with("document\n"));
    CHECK(n.ends_with("endDocument\n"));
    CHECK(n.find("activity(pid:" + c.merge) != std::string::npos);
    CHECK(n.find("wasDerivedFrom(pid:" + c.merged + ", pid:" + c.int_a + ", pid:" + c.merge) != std::string::npos);
    CHECK(std::count(n.begin(), n.end(), '\n') == static_cast<long>(g.nodes.size() + g.edges.size() + 5));

    const auto dot = to_dot(g);
    CHECK(dot.starts_with("digraph provenance {"));
    CHECK(dot.find("\"" + c.merged + "\" -> \"" + c.merge + "\" [label=\"wasGeneratedBy\"]") != std::string::npos);

    if (std::system("dot -V > /dev/null 2>&1") == 0) {
        const auto svg = to_svg(g);
        CHECK(svg.find("<svg") != std::string::npos);
        CHECK(svg.find("merged") != std::string::npos);
    } else {
        MESSAGE("graphviz is not installed: to_svg not exercised");
    }
}

TEST_CASE("PIDs with characters outside PROV's names are percent-encoded") {
    test::CatalogLocation where;
    Catalog cat(where);
    Dataset d = test::dataset("odd");
    d.pid = "local/a+b=c";
    cat.register_dataset(d);
    const auto doc = nlohmann::json::parse(to_prov_json(cat.provenance()));
    CHECK(doc["entity"].contains("pid:local/a%2Bb%3Dc"));
}
