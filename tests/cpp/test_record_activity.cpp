// Catalog::record_activity: a finished run with its outputs in one transaction, stored as the
// three calls (start_activity, add_outputs, finish_activity) store it, and all or nothing.
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace datatrail;

namespace {

struct Inputs {
    test::CatalogLocation location;
    Catalog cat{location};
    Dataset raw1, raw2;

    Inputs() {
        auto raws = cat.register_datasets({test::dataset("scan_001"), test::dataset("scan_002")});
        raw1 = raws[0];
        raw2 = raws[1];
        cat.add_agent({.type = AgentType::software, .name = "pyFAI", .version = "2025.1"});
    }

    Activity task(const std::string& name) const {
        Activity a;
        a.name = name;
        a.program = "pyFAI";
        a.version = "2025.1";
        a.parameters = {{"npt", 1000}, {"distance", {250.0, "mm"}}};
        a.start_time = parse_time("2026-01-02T10:00:00Z");
        a.used = {{raw1.pid, "", "input"}, {raw2.pid, "", "dark"}};
        a.agents = {{"pyFAI", "software"}};
        return a;
    }

    std::vector<Dataset> outputs(const std::string& prefix) const {
        std::vector<Dataset> out;
        for (const char* suffix : {"_a", "_b"}) {
            auto d = test::dataset(prefix + suffix, {{"npt", 1000}, {"q_max", {30.0, "nm^-1"}}});
            d.kind = DatasetKind::processed;
            d.state = DatasetState::acquiring;
            d.files = {{.path = "pattern.dat", .size = 12}};
            out.push_back(std::move(d));
        }
        return out;
    }
};

// What differs between two recordings of the same run: PIDs, names and creation times.
Activity comparable(Activity a) {
    a.pid.clear();
    a.name.clear();
    a.generated.clear();
    return a;
}

Dataset comparable(Dataset d) {
    d.pid.clear();
    d.created_at.reset();
    d.name = d.name.substr(d.name.find('_'));
    return d;
}

std::vector<std::string> sources(Catalog& cat, const std::string& pid) {
    std::vector<std::string> out;
    for (const auto& d : cat.ancestor_pids(pid, 1)) out.push_back(d.pid);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("record_activity stores what start_activity, add_outputs and finish_activity store") {
    for (const auto status : {ActivityStatus::succeeded, ActivityStatus::failed}) {
        CAPTURE(to_string(status));
        Inputs in;
        const auto end = parse_time("2026-01-02T10:05:00Z");

        const auto started = in.cat.start_activity(in.task("three"));
        const auto added = in.cat.add_outputs(started.pid, in.outputs("three"), "result");
        in.cat.finish_activity(started.pid, status, end);

        auto one = in.task("one");
        one.status = status;
        one.end_time = end;
        const auto recorded = in.cat.record_activity(one, in.outputs("one"), "result");

        const auto three = in.cat.activity(started.pid);
        CHECK(comparable(recorded.activity) == comparable(three));
        CHECK(comparable(in.cat.activity(recorded.activity.pid)) == comparable(three));
        REQUIRE(recorded.outputs.size() == 2);
        REQUIRE(recorded.activity.generated.size() == 2);
        for (std::size_t i = 0; i < 2; ++i) {
            const auto stored = in.cat.dataset(recorded.outputs[i].pid);
            CHECK(recorded.outputs[i] == stored);  // returned as stored, final state included
            CHECK(recorded.activity.generated[i] == stored.pid);
            CHECK(comparable(stored) == comparable(in.cat.dataset(added[i].pid)));
            CHECK(stored.state == (status == ActivityStatus::failed ? DatasetState::failed : DatasetState::complete));
            CHECK(stored.end_time == end);
            CHECK(sources(in.cat, stored.pid) == sources(in.cat, added[i].pid));
            CHECK(sources(in.cat, stored.pid).size() == 2);
        }
    }
}

TEST_CASE("record_activity fills in the end time of a finished run, and keeps a running one running") {
    Inputs in;
    auto a = in.task("finished");
    a.status = ActivityStatus::succeeded;
    const auto done = in.cat.record_activity(a, {});
    CHECK(done.activity.end_time.has_value());
    CHECK(done.activity.status == ActivityStatus::succeeded);
    CHECK(done.outputs.empty());

    auto r = in.task("running");
    const auto running = in.cat.record_activity(r, in.outputs("running"));
    CHECK(running.activity.status == ActivityStatus::running);
    CHECK_FALSE(running.activity.end_time.has_value());
    CHECK(running.outputs[0].state == DatasetState::acquiring);
    in.cat.finish_activity(running.activity.pid, ActivityStatus::succeeded);
    CHECK(in.cat.dataset(running.outputs[0].pid).state == DatasetState::complete);
}

TEST_CASE("record_activity is all or nothing: a bad output, input or link writes nothing") {
    Inputs in;
    const auto before = in.cat.find_activities().size();
    const auto datasets_before = in.cat.count_datasets();
    const auto refused = [&](Activity a, std::vector<Dataset> outputs) -> std::vector<Violation> {
        a.status = ActivityStatus::succeeded;
        try {
            in.cat.record_activity(std::move(a), std::move(outputs));
        } catch (const ValidationError& e) {
            return e.violations();
        }
        FAIL("record_activity accepted a bad call");
        return {};
    };

    auto outputs = in.outputs("bad");
    outputs[1].name = "";
    auto v = refused(in.task("bad_output"), outputs);
    REQUIRE(v.size() == 1);
    CHECK(v[0].field == "outputs[1].name");

    // A lone output is still named by its index: the field says which list it is in.
    outputs = in.outputs("bad");
    outputs.resize(1);
    outputs[0].metadata = {{"q_max", {30.0, "flubbers_per_fortnight"}}};
    v = refused(in.task("bad_unit"), outputs);
    REQUIRE(v.size() == 1);
    CHECK(v[0].field.starts_with("outputs[0].metadata.q_max"));

    // The activity's violations and the outputs' together.
    auto a = in.task("both_bad");
    a.end_time = parse_time("2026-01-01T00:00:00Z");  // before its start
    outputs = in.outputs("bad");
    outputs[0].name = "";
    v = refused(a, outputs);
    REQUIRE(v.size() == 2);
    CHECK(v[1].field == "outputs[0].name");

    // Found only inside the transaction: an unknown input, after the outputs were checked.
    a = in.task("unknown_input");
    a.used.push_back({"local/01JGZZZZZZZZZZZZZZZZZZZZZZ", "", "input"});
    v = refused(a, in.outputs("bad"));
    REQUIRE(v.size() == 1);
    CHECK(v[0].field == "activity.used[2].dataset");

    // A metadata key of another class than the catalogue holds: refused by the store's checks.
    outputs = in.outputs("bad");
    outputs[1].metadata = {{"npt", "a thousand"}};
    in.cat.register_dataset(test::dataset("typed", {{"npt", 1}}));
    v = refused(in.task("key_class"), outputs);
    REQUIRE_FALSE(v.empty());
    CHECK(v[0].field.starts_with("outputs[1].metadata.npt"));

    CHECK(in.cat.find_activities().size() == before);
    CHECK(in.cat.count_datasets() == datasets_before + 1);  // "typed" only
    CHECK(in.cat.find_datasets({.name = "bad*"}).empty());
}
