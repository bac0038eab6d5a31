// Every rule on user input: the error names the field, the value and the rule, and nothing is written.
#include "support.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace datatrail;

namespace {

// Runs `f`, expects exception E, and returns its violations (empty for non-validation errors).
template <class E, class F>
std::vector<Violation> expect(F&& f) {
    try {
        f();
    } catch (const E& e) {
        if constexpr (std::is_base_of_v<ValidationError, E>) return e.violations();
        return {};
    } catch (const std::exception& e) {
        FAIL("threw the wrong exception: " << e.what());
        return {};
    }
    FAIL("did not throw");
    return {};
}

bool has(const std::vector<Violation>& vs, const std::string& field, const std::string& value, const std::string& rule_part) {
    for (const auto& v : vs)
        if (v.field == field && v.value == value && v.rule.find(rule_part) != std::string::npos) return true;
    return false;
}

struct Fixture {
    test::CatalogLocation location;
    Catalog cat{location};
    Fixture() {
        cat.add_instrument({.name = "ID11", .facility = "ESRF"});
        Investigation inv;
        inv.name = "ma1234";
        cat.add_investigation(inv);
        cat.register_dataset(test::dataset("existing", {{"energy", {12.7, "keV"}}, {"detector.name", "eiger"}}));
    }
    std::size_t datasets() const { return cat.count_datasets(); }
};

}  // namespace

TEST_CASE("dataset fields: every violation is reported at once, nothing is written") {
    Fixture fx;
    Dataset d = test::dataset("   ");
    d.pid = "not a pid";
    d.start_time = parse_time("2026-11-20T10:00:00Z");
    d.end_time = parse_time("2026-11-20T09:00:00Z");
    d.keywords = {"ok", ""};
    d.techniques = {" "};
    const auto vs = expect<ValidationError>([&] { fx.cat.register_dataset(d); });
    CHECK(vs.size() == 5);
    CHECK(has(vs, "dataset.name", "   ", "must not be empty"));
    CHECK(has(vs, "dataset.pid", "not a pid", "<prefix>/<suffix>"));
    CHECK(has(vs, "dataset.end_time", "2026-11-20T09:00:00.000000Z", "must not be before start_time"));
    CHECK(has(vs, "dataset.keywords[1]", "", "must not be empty"));
    CHECK(has(vs, "dataset.techniques[0]", " ", "must not be empty"));
    CHECK(fx.datasets() == 1);
}

TEST_CASE("metadata values: key, unit, type, finiteness, uncertainty, JSON") {
    Fixture fx;
    const Metadata bad{
        {"2theta", 1.0},
        {"name", {"eiger", "keV"}},
        {"gain", std::nan("")},
        {"roi", std::vector<double>{1.0, INFINITY}},
        {"distance", MetadataValue(1.0, "mm", -0.1)},
        {"label", MetadataValue("x", "", 0.1)},
        {"config", Json{"{not json"}},
    };
    const auto vs = expect<ValidationError>([&] { fx.cat.register_dataset(test::dataset("bad", bad)); });
    CHECK(vs.size() == 7);
    CHECK(has(vs, "dataset.metadata.2theta", "2theta", "dotted identifiers"));
    CHECK(has(vs, "dataset.metadata.name", "eiger keV", "only on numbers"));
    CHECK(has(vs, "dataset.metadata.gain", "nan", "finite"));
    CHECK(has(vs, "dataset.metadata.roi", "inf", "finite"));
    CHECK(has(vs, "dataset.metadata.distance.uncertainty", "-0.1", ">= 0"));
    CHECK(has(vs, "dataset.metadata.label.uncertainty", "0.1", "on a number"));
    CHECK(has(vs, "dataset.metadata.config", "{not json", "valid JSON"));
    CHECK(fx.datasets() == 1);
}

TEST_CASE("times outside the years 1 to 9999 are refused") {
    Fixture fx;
    Dataset d = test::dataset("ancient", {{"recorded", Timestamp{} - std::chrono::years{1970}}});
    d.start_time = Timestamp{} + std::chrono::years{8100};
    const auto vs = expect<ValidationError>([&] { fx.cat.register_dataset(d); });
    CHECK(vs.size() == 2);
    CHECK(has(vs, "dataset.start_time", format_time(*d.start_time), "years 1 and 9999"));
    CHECK(has(vs, "dataset.metadata.recorded", format_time(Timestamp{} - std::chrono::years{1970}), "years 1 and 9999"));
    CHECK_THROWS_AS(parse_time("0000-01-01"), ValidationError);
    CHECK(fx.datasets() == 1);
}

TEST_CASE("an unknown unit is a UnitError naming the key, the value and the unit") {
    Fixture fx;
    const auto vs = expect<UnitError>(
        [&] { fx.cat.register_dataset(test::dataset("bad", {{"speed", {3.0, "bogus_unit/fortnight"}}})); });
    REQUIRE(vs.size() == 1);
    CHECK(has(vs, "dataset.metadata.speed", "3 bogus_unit/fortnight", "unit 'bogus_unit/fortnight' is unknown"));
    CHECK(fx.datasets() == 1);
}

TEST_CASE("a key keeps the dimension and type of its first use") {
    Fixture fx;
    // 'energy' holds energies in the catalogue: a length is refused, an energy in eV is fine.
    auto vs = expect<UnitError>([&] { fx.cat.register_dataset(test::dataset("bad", {{"energy", {5.0, "mm"}}})); });
    CHECK(has(vs, "dataset.metadata.energy", "5 mm", "incompatible"));
    fx.cat.register_dataset(test::dataset("ok", {{"energy", {12700.0, "eV"}}}));
    // 'detector.name' holds strings.
    vs = expect<ValidationError>([&] { fx.cat.register_dataset(test::dataset("bad", {{"detector.name", 3}})); });
    CHECK(has(vs, "dataset.metadata.detector.name", "3", "must be a string"));
    // Within one batch, the first use decides too.
    std::vector<Dataset> batch{test::dataset("a", {{"thickness", {1.0, "mm"}}}),
                               test::dataset("b", {{"thickness", {1.0, "s"}}})};
    vs = expect<UnitError>([&] { fx.cat.register_datasets(batch); });
    CHECK(has(vs, "datasets[1].metadata.thickness", "1 s", "incompatible"));
    // set_metadata follows the same rule.
    const auto pid = fx.cat.find_datasets().front().pid;
    expect<UnitError>([&] { fx.cat.set_metadata(pid, {{"energy", {1.0, "K"}}}); });
    expect<UnitError>([&] { fx.cat.set_metadata(pid, {{"energy", {1.0, "parsec_per_hour"}}}); });
    CHECK(fx.cat.dataset(pid).metadata.at("energy").unit == "keV");
    CHECK(fx.datasets() == 2);
}

TEST_CASE("references must resolve; all dangling ones are listed") {
    Fixture fx;
    Dataset d = test::dataset("dangling");
    d.investigation = "no-such-proposal";
    d.instrument = "no-such-beamline";
    d.sample = "local/01NOSUCHSAMPLE";
    const auto vs = expect<ValidationError>([&] { fx.cat.register_dataset(d); });
    CHECK(vs.size() == 3);
    CHECK(has(vs, "dataset.investigation", "no-such-proposal", "existing investigation"));
    CHECK(has(vs, "dataset.instrument", "no-such-beamline", "existing instrument"));
    CHECK(has(vs, "dataset.sample", "local/01NOSUCHSAMPLE", "existing sample"));
    CHECK(fx.datasets() == 1);
}

TEST_CASE("duplicate PIDs are Conflicts, in the catalogue or within a batch") {
    Fixture fx;
    const auto existing = fx.cat.find_datasets().front().pid;
    Dataset d = test::dataset("copy");
    d.pid = existing;
    expect<Conflict>([&] { fx.cat.register_dataset(d); });
    Dataset a = test::dataset("a"), b = test::dataset("b");
    a.pid = b.pid = "local/SAMEPID";
    expect<Conflict>([&] { fx.cat.register_datasets({a, b}); });
    CHECK(fx.datasets() == 1);
}

TEST_CASE("one bad dataset in a batch: nothing of the batch is written, the index is named") {
    Fixture fx;
    std::vector<Dataset> batch;
    for (int i = 0; i < 100; ++i) batch.push_back(test::dataset("scan_" + std::to_string(i), {{"index", i}}));
    batch[42].name = "";
    batch[77].metadata["energy"] = {1.0, "bogus_unit"};
    const auto vs = expect<ValidationError>([&] { fx.cat.register_datasets(batch); });
    CHECK(vs.size() == 2);
    CHECK(has(vs, "datasets[42].name", "", "must not be empty"));
    CHECK(has(vs, "datasets[77].metadata.energy", "1 bogus_unit", "unknown"));
    // A failure in the store (a dangling reference at the end) rolls back everything before it.
    batch[42].name = "fine";
    batch[77].metadata.erase("energy");
    batch[99].investigation = "nope";
    expect<ValidationError>([&] { fx.cat.register_datasets(batch); });
    CHECK(fx.datasets() == 1);
    DatasetQuery q;
    q.where("index >= 0");
    CHECK(fx.cat.count_datasets(q) == 0);
}

TEST_CASE("files: paths, duplicates, checksums; missing files when describing") {
    Fixture fx;
    Dataset d = test::dataset("files");
    d.files = {{.path = ""}, {.path = "/abs/path.h5"}, {.path = "../escape.h5"}, {.path = "a.h5"}, {.path = "a.h5"},
               {.path = "b.h5", .sha256 = "XYZ"}};
    const auto vs = expect<ValidationError>([&] { fx.cat.register_dataset(d); });
    CHECK(vs.size() == 5);
    CHECK(has(vs, "dataset.files[0].path", "", "must not be empty"));
    CHECK(has(vs, "dataset.files[1].path", "/abs/path.h5", "relative"));
    CHECK(has(vs, "dataset.files[2].path", "../escape.h5", "relative"));
    CHECK(has(vs, "dataset.files[4].path", "a.h5", "unique"));
    CHECK(has(vs, "dataset.files[5].sha256", "XYZ", "64 lowercase hexadecimal"));

    test::TempDir dir;
    Dataset missing = test::dataset("missing file");
    missing.location = dir.path().string();
    missing.files = {{.path = "not_there.h5"}};
    try {
        fx.cat.register_dataset(missing, {.describe_files = true});
        FAIL("expected NotFound");
    } catch (const NotFound& e) {
        CHECK(std::string(e.what()).find("not_there.h5") != std::string::npos);
    }
    missing.location = "https://example.org/data";
    expect<ValidationError>([&] { fx.cat.register_dataset(missing, {.describe_files = true}); });
    const auto pid = fx.cat.find_datasets().front().pid;
    expect<ValidationError>([&] { fx.cat.add_files(pid, {{.path = "../up.h5"}}); });
    CHECK(fx.datasets() == 1);
    CHECK(fx.cat.dataset(pid).files.empty());
}

TEST_CASE("instruments: name required, unique per facility") {
    Fixture fx;
    auto vs = expect<ValidationError>([&] { fx.cat.add_instrument({.name = ""}); });
    CHECK(has(vs, "instrument.name", "", "must not be empty"));
    expect<Conflict>([&] { fx.cat.add_instrument({.name = "ID11", .facility = "ESRF"}); });
    fx.cat.add_instrument({.name = "ID11", .facility = "elsewhere"});  // another facility may reuse the name
    vs = expect<ValidationError>([&] { fx.cat.add_instrument({.pid = "bad pid", .name = "x"}); });
    CHECK(has(vs, "instrument.pid", "bad pid", "<prefix>/<suffix>"));
    const auto first = fx.cat.instruments().front().pid;
    expect<Conflict>([&] { fx.cat.add_instrument({.pid = first, .name = "other"}); });
    // Two instruments named ID11 now: the name alone is ambiguous.
    expect<ValidationError>([&] { fx.cat.instrument("ID11"); });
    CHECK(fx.cat.instruments().size() == 2);
}

TEST_CASE("investigations: name unique, ORCID checksum, e-mail, DOI, times, instrument") {
    Fixture fx;
    Investigation inv;
    inv.name = "ma9999";
    inv.participants = {{"", "PI", "0000-0002-1825-0098", "not-an-email"}};
    inv.doi = "https://doi.org/10.1234/x";
    inv.start_time = parse_time("2026-01-02");
    inv.end_time = parse_time("2026-01-01");
    auto vs = expect<ValidationError>([&] { fx.cat.add_investigation(inv); });
    CHECK(vs.size() == 5);
    CHECK(has(vs, "investigation.participants[0].name", "", "must not be empty"));
    CHECK(has(vs, "investigation.participants[0].orcid", "0000-0002-1825-0098", "check digit"));
    CHECK(has(vs, "investigation.participants[0].email", "not-an-email", "e-mail"));
    CHECK(has(vs, "investigation.doi", "https://doi.org/10.1234/x", "DOI"));
    CHECK(has(vs, "investigation.end_time", "2026-01-01T00:00:00.000000Z", "before start_time"));

    Investigation dangling;
    dangling.name = "ma9998";
    dangling.instrument = "no-such-beamline";
    vs = expect<ValidationError>([&] { fx.cat.add_investigation(dangling); });
    CHECK(has(vs, "investigation.instrument", "no-such-beamline", "existing instrument"));

    Investigation dup;
    dup.name = "ma1234";
    expect<Conflict>([&] { fx.cat.add_investigation(dup); });
    CHECK(fx.cat.investigations().size() == 1);
}

TEST_CASE("samples: name, references and metadata") {
    Fixture fx;
    Sample s;
    s.name = "";
    s.parent = "no such parent";
    s.metadata["mass"] = {1.0, "not_a_unit"};
    auto vs = expect<ValidationError>([&] { fx.cat.add_sample(s); });
    CHECK(has(vs, "sample.name", "", "must not be empty"));
    CHECK(has(vs, "sample.metadata.mass", "1 not_a_unit", "unknown"));
    s.name = "ok";
    s.metadata.clear();
    vs = expect<ValidationError>([&] { fx.cat.add_sample(s); });
    CHECK(has(vs, "sample.parent", "no such parent", "existing sample"));
    CHECK(fx.cat.samples().empty());
}

TEST_CASE("enumerations and options") {
    auto vs = expect<ValidationError>([] { parse_dataset_kind("cooked"); });
    CHECK(has(vs, "kind", "cooked", "raw, processed"));
    vs = expect<ValidationError>([] { parse_dataset_state("done"); });
    CHECK(has(vs, "state", "done", "acquiring, complete, failed"));
    const test::CatalogLocation where;
    vs = expect<ValidationError>([&] { Catalog cat(where, {.pid_prefix = "bad/prefix"}); });
    CHECK(has(vs, "pid_prefix", "bad/prefix", "letter or digit"));
}
