// run_task: the C++ workflow task, its cache and its key, which Python's tasks share.
#include "support.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace datatrail;

namespace {

struct Pipeline {
    test::CatalogLocation location;
    test::TempDir dir;
    Catalog cat{location};
    Dataset raw;
    std::string workflow;
    int calls = 0;

    Pipeline() {
        test::write_file(dir / "raw.dat", "1 2 3 4");
        Dataset d = test::dataset("scan_001");
        d.location = dir.path().string();
        d.files = {{.path = "raw.dat"}};
        raw = cat.register_dataset(d, {.describe_files = true});
        Activity wf;
        wf.name = "reduce";
        wf.type = ActivityType::workflow;
        workflow = cat.start_activity(wf).pid;
    }

    TaskSpec spec(Metadata parameters = {{"npt", 1000}}) const {
        TaskSpec s;
        s.name = "integrate";
        s.program = "pyFAI";
        s.version = "2025.1";
        s.parameters = std::move(parameters);
        s.inputs = {{.name = "scan", .dataset = raw.pid}};
        s.parent = workflow;
        s.environment = Environment{.os = "test"};
        return s;
    }

    // Writes one output file named after the call's activity, so that each run has its own.
    TaskResult run(const TaskSpec& s) {
        return run_task(cat, s, [&](const TaskCall& call) {
            ++calls;
            REQUIRE(call.datasets.size() == 1);
            CHECK(call.datasets[0].pid == raw.pid);
            const std::string file = "pattern_" + std::to_string(calls) + ".dat";
            test::write_file(dir / file, "pattern of " + call.activity);
            Dataset out = test::dataset("scan_001_integrated", {{"npt", 1000}});
            out.location = dir.path().string();
            out.files = {{.path = file}};
            return std::vector<Dataset>{out};
        });
    }

    std::size_t activities() const { return cat.find_activities().size(); }
};

}  // namespace

TEST_CASE("run_task: a miss runs and records; the same call again is a recorded hit") {
    Pipeline p;
    const auto first = p.run(p.spec());
    CHECK_FALSE(first.cache_hit);
    CHECK(p.calls == 1);
    REQUIRE(first.outputs.size() == 1);
    const auto task = p.cat.activity(first.activity);
    CHECK(task.status == ActivityStatus::succeeded);
    CHECK(task.parent == p.workflow);
    CHECK(task.environment.os == "test");
    CHECK(task.generated == std::vector<std::string>{first.outputs[0].pid});
    CHECK(task.used == std::vector<Used>{{p.raw.pid, "", "scan"}});
    CHECK(task.parameters.at("task.cache_key").value.as<std::string>() == first.key);
    CHECK(task.parameters.at("npt").value.as<std::int64_t>() == 1000);
    const auto out = p.cat.dataset(first.outputs[0].pid);
    CHECK(out == first.outputs[0]);
    CHECK(out.kind == DatasetKind::processed);
    CHECK(out.state == DatasetState::complete);
    CHECK(out.files.at(0).sha256.size() == 64);  // described from disk
    CHECK(out.metadata.at("task.activity").value.as<std::string>() == first.activity);
    CHECK(p.cat.ancestor_pids(out.pid, 1).at(0).pid == p.raw.pid);

    const auto again = p.run(p.spec());
    CHECK(again.cache_hit);
    CHECK(p.calls == 1);
    CHECK(again.cached_from == first.activity);
    CHECK(again.key == first.key);
    CHECK(again.outputs == first.outputs);
    const auto hit = p.cat.activity(again.activity);
    CHECK(hit.informed_by == std::vector<std::string>{first.activity});
    CHECK(hit.parent == p.workflow);
    CHECK(hit.generated.empty());
    CHECK(hit.parameters.at("task.cache_hit").value.as<bool>());
    CHECK(hit.status == ActivityStatus::succeeded);
}

TEST_CASE("run_task: rerun, other parameters and other input content miss") {
    Pipeline p;
    const auto first = p.run(p.spec());

    auto rerun = p.spec();
    rerun.rerun = true;
    const auto again = p.run(rerun);
    CHECK_FALSE(again.cache_hit);
    CHECK(p.calls == 2);
    CHECK(again.key == first.key);
    CHECK(again.activity != first.activity);

    const auto other = p.run(p.spec({{"npt", 2000}}));
    CHECK_FALSE(other.cache_hit);
    CHECK(other.key != first.key);
    CHECK(p.calls == 3);
    // The newest intact run is the one a hit returns.
    CHECK(p.run(p.spec()).cached_from == again.activity);

    // A float and an integer of the same value are different parameters.
    CHECK(task_cache_key(p.cat, p.spec({{"npt", 1000.0}})) != first.key);

    // An input file's content, not its path, is in the key.
    test::write_file(p.dir / "mask.dat", "0 1");
    auto with_mask = p.spec();
    with_mask.inputs.push_back({.name = "mask", .path = p.dir / "mask.dat"});
    const auto masked = task_cache_key(p.cat, with_mask);
    test::write_file(p.dir / "copy" / "mask.dat", "0 1");
    with_mask.inputs.back().path = p.dir / "copy" / "mask.dat";
    CHECK(task_cache_key(p.cat, with_mask) == masked);
    test::write_file(p.dir / "copy" / "mask.dat", "1 1");
    CHECK(task_cache_key(p.cat, with_mask) != masked);
}

TEST_CASE("run_task: a hit needs the earlier outputs intact") {
    Pipeline p;
    const auto first = p.run(p.spec());
    // The output file changed since it was recorded: its checksum differs, so the task runs again.
    test::write_file(p.dir / first.outputs[0].files[0].path, "changed");
    const auto second = p.run(p.spec());
    CHECK_FALSE(second.cache_hit);
    CHECK(p.calls == 2);
    // Its own outputs are intact: the next call hits them, not the first run's.
    const auto third = p.run(p.spec());
    CHECK(third.cache_hit);
    CHECK(third.cached_from == second.activity);
    // A missing file is not intact either.
    std::filesystem::remove(p.dir / second.outputs[0].files[0].path);
    CHECK_FALSE(p.run(p.spec()).cache_hit);
    CHECK(p.calls == 3);
}

TEST_CASE("run_task: a failing function is recorded failed, never hit, and its exception propagates") {
    Pipeline p;
    const auto fail = [&](const TaskCall&) -> std::vector<Dataset> { throw std::runtime_error("the mask is missing"); };
    CHECK_THROWS_WITH_AS(run_task(p.cat, p.spec(), fail), "the mask is missing", std::runtime_error);
    const auto failed = p.cat.find_activities({.status = ActivityStatus::failed});
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].name == "integrate");
    CHECK(failed[0].parent == p.workflow);
    CHECK(failed[0].log.find("the mask is missing") != std::string::npos);
    CHECK_FALSE(p.run(p.spec()).cache_hit);
    CHECK(p.calls == 1);
}

TEST_CASE("run_task: bad input is refused, naming every field, and nothing is written") {
    Pipeline p;
    const auto activities = p.activities();
    const auto datasets = p.cat.count_datasets();
    auto s = p.spec({{"npt", 1000}, {"task.key", "mine"}});
    s.name = " ";
    s.inputs = {{.name = "scan", .dataset = "local/01JGZZZZZZZZZZZZZZZZZZZZZZ"},
                {.name = "mask", .path = p.dir / "no-such-file"},
                {.dataset = p.raw.pid, .path = p.dir / "raw.dat"}};
    try {
        p.run(s);
        FAIL("a bad spec was accepted");
    } catch (const ValidationError& e) {
        std::vector<std::string> fields;
        for (const auto& v : e.violations()) fields.push_back(v.field);
        CHECK(fields == std::vector<std::string>{"task.name", "parameters.task.key", "inputs.scan", "inputs.mask",
                                                 "inputs.2"});
        CHECK(e.violations()[2].rule == "must be a dataset in the catalogue");
    }
    CHECK_THROWS_AS(task_cache_key(p.cat, s), ValidationError);

    // Outputs that claim the task's own metadata, or that the catalogue refuses.
    const auto claims = [&](const TaskCall&) {
        return std::vector<Dataset>{test::dataset("out", {{"task.cache_key", "forged"}})};
    };
    CHECK_THROWS_AS(run_task(p.cat, p.spec(), claims), ValidationError);
    const auto bad_unit = [&](const TaskCall&) {
        return std::vector<Dataset>{test::dataset("ok"), test::dataset("out", {{"q", {1.0, "flubbers"}}})};
    };
    try {
        run_task(p.cat, p.spec(), bad_unit);
        FAIL("an output with an unknown unit was accepted");
    } catch (const ValidationError& e) {
        CHECK(e.violations().at(0).field.starts_with("outputs[1].metadata.q"));
    }
    CHECK(p.calls == 0);
    CHECK(p.activities() == activities);
    CHECK(p.cat.count_datasets() == datasets);
}

TEST_CASE("task_cache_key is Python's key for the same call") {
    // The keys below are what python/datatrail/tasks.py computes for the same task, parameters and
    // input content (tests/python/test_task_cache_key.py checks the same values from Python), so
    // a C++ task and a Python task share one cache.
    test::CatalogLocation location;
    test::TempDir dir;
    Catalog cat{location};
    Dataset d = test::dataset("raw");
    d.files = {{.path = "b.dat", .sha256 = std::string(64, 'b')}, {.path = "a.dat", .sha256 = std::string(64, 'a')}};
    const auto raw = cat.register_dataset(d);
    test::write_file(dir / "mask.dat", "abc");
    test::write_file(dir / "tree" / "x.txt", "1");
    test::write_file(dir / "tree" / "sub" / "y.txt", "2");

    TaskSpec s;
    s.name = "integrate";
    s.program = "pyFAI";
    s.version = "2025.1";
    s.inputs = {{.name = "mask", .path = dir / "mask.dat"}};
    s.inputs[0].name.clear();  // a position: "0"
    CHECK(task_cache_key(cat, s) == "bb118e00cfc95a1cfe1e52e254891e1a3b94562a50d564abe850aaba9ee06f64");

    s.inputs.clear();
    s.parameters = {{"x", 0.1}};
    CHECK(task_cache_key(cat, s) == "fe1c29f6ef6c71d6ee2aa1063db891f67213d946464e8cbf7847c87aea99d0b9");

    s.parameters = {
        {"npt", 1000},
        {"distance", {250.0, "mm"}},
        {"model", "gauss"},
        {"flag", true},
        {"ratios", std::vector<double>{0.1, -0.0, 5e-324, 1e300}},
        {"when", parse_time("2026-01-02T10:00:00.123456Z")},
        {"counts", std::vector<std::int64_t>{1, 2, -3}},
        {"labels", std::vector<std::string>{"a", "b"}},
        {"config", Json{R"({"b": "x", "a": [1, 2.5, null]})"}},
        {"err", {1.5, "keV", 0.25}},
    };
    s.inputs = {{.name = "raw", .dataset = raw.pid}, {.name = "mask", .path = dir / "mask.dat"},
                {.name = "tree", .path = dir / "tree"}};
    CHECK(task_cache_key(cat, s) == "4cdc768aa6ad214fc48264fa015a9c6006bc849312a60b81d0e25f0dd2e68100");
}
