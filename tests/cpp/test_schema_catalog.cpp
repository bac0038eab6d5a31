// Metadata schemas in the catalogue, on every engine: stored and versioned, applied when a
// dataset is registered (strict refuses, lenient marks invalid), checked again on demand and
// when metadata changes, and merged.
#include "schema_examples.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace datatrail;

namespace {

Schema schema_text(const std::string& yaml) { return parse_schema(yaml, "test.yaml"); }

const char* const base_v1 = R"(name: base
version: "1"
fields:
  sample.name: {type: string, required: true}
)";

const char* const scan_v1 = R"(name: scan
version: "1.0"
extends: base
strict: true
fields:
  energy: {type: float, unit: keV, required: true, minimum: 5 keV, maximum: 30 keV}
  detector: {type: enum, allowed: [eiger, pilatus], default: eiger}
)";

// The same schema, leniently.
const char* const scan_lenient = R"(name: scan
version: "1.1"
extends: base@1
strict: false
fields:
  energy: {type: float, unit: keV, required: true, minimum: 5 keV, maximum: 30 keV}
  detector: {type: enum, allowed: [eiger, pilatus], default: eiger}
)";

Dataset scan(std::string name, Metadata m, std::string schema) {
    Dataset d = test::dataset(std::move(name), std::move(m));
    d.schema = std::move(schema);
    return d;
}

std::set<std::string> fields_of(const std::vector<Violation>& vs) {
    std::set<std::string> out;
    for (const auto& v : vs) out.insert(v.field);
    return out;
}

}  // namespace

TEST_CASE("schemas are stored by name and version, flattened, and a taken id with other content is a Conflict") {
    const test::CatalogLocation where;
    Catalog cat(where);
    // The parent first: a schema that extends one the catalogue lacks is refused.
    CHECK_THROWS_AS(cat.add_schema(schema_text(scan_v1)), ValidationError);
    CHECK(cat.schemas().empty());
    cat.add_schema(schema_text(base_v1));
    const auto flat = cat.add_schema(schema_text(scan_v1));
    CHECK(flat.id() == "scan@1.0");
    CHECK(flat.field("sample.name") != nullptr);  // inherited
    CHECK(flat.inherits == std::vector<std::string>{"base@1"});
    cat.add_schema(schema_text(scan_lenient));
    CHECK(cat.schema("scan").version == "1.1");  // the latest
    CHECK(cat.schema("scan@1.0").is_strict());
    CHECK_THROWS_AS(cat.schema("scan@9"), NotFound);
    CHECK_THROWS_AS(cat.schema("nothing"), NotFound);
    std::vector<std::string> ids;
    for (const auto& s : cat.schemas()) ids.push_back(s.id());
    CHECK(ids == std::vector<std::string>{"base@1", "scan@1.0", "scan@1.1"});

    // The same content again (other formatting, a comment): nothing changes.
    cat.add_schema(schema_text(std::string("# again\n") + scan_v1));
    CHECK(cat.schemas().size() == 3);
    // Other content under a taken id.
    std::string changed = scan_v1;
    changed.replace(changed.find("maximum: 30 keV"), 15, "maximum: 40 keV");
    try {
        cat.add_schema(schema_text(changed));
        FAIL("expected Conflict");
    } catch (const Conflict& e) {
        REQUIRE(e.differences().size() == 1);
        CHECK(e.differences().front().field == "schema scan@1.0");
    }
    CHECK(cat.schema("scan@1.0").field("energy")->maximum == Quantity{30, "keV"});
}

TEST_CASE("what the catalogue stores is the schema's own YAML, and an unversioned parent is pinned when added") {
    const test::CatalogLocation where;
    Catalog cat(where);
    cat.add_schema(schema_text(base_v1));
    const auto flat = cat.add_schema(schema_text(scan_v1));  // extends: base -> base@1
    // A flattened schema, or one changed in code, is not the text it came from: refused.
    const test::CatalogLocation other_at;
    Catalog other(other_at);
    CHECK_THROWS_AS(other.add_schema(flat), ValidationError);
    Schema changed = schema_text(base_v1);
    changed.fields.front().description = "changed in code";
    CHECK_THROWS_AS(other.add_schema(changed), ValidationError);
    Schema built;
    built.name = "built";
    built.version = "1";
    CHECK_THROWS_AS(other.add_schema(built), ValidationError);
    CHECK(other.schemas().empty());

    // base@2 makes the sample name optional: scan@1.0 keeps base@1's rule.
    std::string base_v2 = base_v1;
    base_v2.replace(base_v2.find("version: \"1\""), 12, "version: \"2\"");
    base_v2.replace(base_v2.find("required: true"), 14, "required: false");
    cat.add_schema(schema_text(base_v2));
    CHECK(cat.schema("scan@1.0").field("sample.name")->is_required());
    CHECK(cat.schema("scan@1.0").inherits == std::vector<std::string>{"base@1"});
    // A new version that extends its own name: the latest before it.
    std::string scan_v2 = scan_v1;
    scan_v2.replace(scan_v2.find("version: \"1.0\""), 14, "version: \"2.0\"");
    scan_v2.replace(scan_v2.find("extends: base"), 13, "extends: scan");
    cat.add_schema(schema_text(scan_v2));
    CHECK(cat.schema("scan").inherits == std::vector<std::string>{"scan@1.0", "base@1"});
    CHECK(cat.schemas().size() == 4);
    // The same text again is still the same schema, though "base" now means base@2.
    CHECK(cat.add_schema(schema_text(scan_v1)).inherits == std::vector<std::string>{"base@1"});
}

TEST_CASE("a schema's instrument scope holds for an instrument given by PID or by name") {
    const test::CatalogLocation where;
    Catalog cat(where);
    const auto p11 = cat.add_instrument({.name = "P11", .facility = "DESY", .type = "beamline"});
    cat.add_schema(schema_text("name: p11\nversion: '1'\napplies_to: {instruments: [P11]}\nfields:\n  note: {type: string}\n"));
    Dataset by_pid = test::dataset("by pid");
    by_pid.instrument = p11.pid;
    by_pid.schema = "p11";
    CHECK(cat.register_dataset(by_pid).valid);
    Dataset by_name = test::dataset("by name");
    by_name.instrument = "P11";
    by_name.schema = "p11";
    const auto stored = cat.register_dataset(by_name);
    CHECK(cat.validate(std::vector<std::string>{stored.pid, stored.pid}).size() == 1);  // a PID twice: once
    CHECK(cat.validate(std::vector<std::string>{stored.pid}).front().ok());
}

TEST_CASE("a strict schema refuses a dataset with every violation and writes nothing; a good one is stored as the schema says") {
    const test::CatalogLocation where;
    Catalog cat(where);
    cat.add_schema(schema_text(base_v1));
    cat.add_schema(schema_text(scan_v1));

    const auto good = cat.register_dataset(scan("ok", {{"energy", {12700.0, "eV"}}, {"sample.name", "lyso"}}, "scan"));
    CHECK(good.schema == "scan@1.0");
    CHECK(good.valid);
    CHECK(good.metadata.at("energy") == MetadataValue(12.7, "keV"));  // converted into the schema's unit
    CHECK(good.metadata.at("detector") == MetadataValue("eiger"));    // the default filled in
    CHECK(cat.dataset(good.pid) == good);

    try {
        cat.register_datasets({scan("fine", {{"energy", {12.0, "keV"}}, {"sample.name", "a"}}, "scan@1.0"),
                               scan("bad", {{"energy", {50.0, "keV"}}, {"detector", "mar"}}, "scan")});
        FAIL("expected ValidationError");
    } catch (const ValidationError& e) {
        CHECK(fields_of(e.violations()) == std::set<std::string>{"datasets[1].metadata.energy",
                                                                  "datasets[1].metadata.detector",
                                                                  "datasets[1].metadata.sample.name"});
    }
    CHECK(cat.count_datasets() == 1);  // neither was written

    // A schema the catalogue lacks, or a malformed reference.
    for (const char* ref : {"nope", "scan@7", "@1"}) {
        CAPTURE(ref);
        try {
            cat.register_dataset(scan("x", {}, ref));
            FAIL("expected ValidationError");
        } catch (const ValidationError& e) {
            CHECK(e.violations().front().field == "dataset.schema");
            CHECK(e.violations().front().value == ref);
        }
    }
    CHECK(cat.count_datasets() == 1);
}

TEST_CASE("a lenient schema keeps a broken dataset, marked invalid with its violations, until it is fixed") {
    const test::CatalogLocation where;
    Catalog cat(where);
    cat.add_schema(schema_text(base_v1));
    cat.add_schema(schema_text(scan_lenient));
    const auto d = cat.register_dataset(scan("hot", {{"energy", {50.0, "keV"}}}, "scan@1.1"));
    CHECK_FALSE(d.valid);
    CHECK(fields_of(d.violations) == std::set<std::string>{"dataset.metadata.energy", "dataset.metadata.sample.name"});
    CHECK(cat.dataset(d.pid).violations == d.violations);
    cat.register_dataset(scan("fine", {{"energy", {10.0, "keV"}}, {"sample.name", "a"}}, "scan"));
    cat.register_dataset(test::dataset("no schema"));

    DatasetQuery invalid;
    invalid.valid = false;
    REQUIRE(cat.find_datasets(invalid).size() == 1);
    CHECK(cat.find_datasets(invalid).front().name == "hot");
    DatasetQuery q;
    q.matching("valid == true and schema == \"scan@1.1\"");
    CHECK(cat.count_datasets(q) == 1);
    CHECK(cat.explain(invalid).find("dataset_invalid") != std::string::npos);

    // A new value its field cannot hold is refused, lenient or not: the old one would stay.
    CHECK_THROWS_AS(cat.set_metadata(d.pid, {{"energy", {3.0, "mm"}}}), ValidationError);
    CHECK(cat.dataset(d.pid).metadata.at("energy") == MetadataValue(50.0, "keV"));  // unchanged
    // Fixing the metadata checks it again.
    cat.set_metadata(d.pid, {{"energy", {20.0, "keV"}}});
    CHECK(cat.dataset(d.pid).violations.size() == 1);  // the sample name is still missing
    cat.set_metadata(d.pid, {{"sample.name", "lysozyme"}});
    CHECK(cat.dataset(d.pid).valid);
    CHECK(cat.count_datasets(invalid) == 0);
}

TEST_CASE("set_metadata on a dataset of a strict schema refuses a change that breaks it") {
    const test::CatalogLocation where;
    Catalog cat(where);
    cat.add_schema(schema_text(base_v1));
    cat.add_schema(schema_text(scan_v1));
    const auto d = cat.register_dataset(scan("ok", {{"energy", {12.0, "keV"}}, {"sample.name", "a"}}, "scan"));
    try {
        cat.set_metadata(d.pid, {{"energy", {3.0, "keV"}}});
        FAIL("expected ValidationError");
    } catch (const ValidationError& e) {
        CHECK(e.violations().front().field == "dataset.metadata.energy");
    }
    CHECK(cat.dataset(d.pid).metadata.at("energy") == MetadataValue(12.0, "keV"));
    cat.set_metadata(d.pid, {{"energy", {15000.0, "eV"}}});
    const auto energy = cat.dataset(d.pid).metadata.at("energy");
    CHECK(energy.unit == "keV");  // converted into the schema's unit, as at registration
    CHECK(energy.value.as_double() == doctest::Approx(15.0));
}

TEST_CASE("validate checks stored datasets again, against their schema or another, and records when asked") {
    const test::CatalogLocation where;
    Catalog cat(where);
    cat.add_schema(schema_text(base_v1));
    cat.add_schema(schema_text(scan_v1));
    const auto a = cat.register_dataset(scan("a", {{"energy", {12.0, "keV"}}, {"sample.name", "s"}}, "scan"));
    const auto b = cat.register_dataset(test::dataset("b", {{"energy", {2.0, "keV"}}}));

    auto reports = cat.validate(DatasetQuery{});
    REQUIRE(reports.size() == 2);
    CHECK(reports[0] == SchemaReport{a.pid, "scan@1.0", {}});
    CHECK(reports[1] == SchemaReport{b.pid, "", {}});  // b names no schema: nothing to check

    // Against another schema: b breaks it. Nothing is recorded by default ...
    reports = cat.validate(std::vector<std::string>{b.pid}, "scan");
    REQUIRE(reports.size() == 1);
    CHECK(fields_of(reports[0].violations) == std::set<std::string>{"dataset.metadata.energy", "dataset.metadata.sample.name"});
    CHECK(cat.dataset(b.pid).valid);
    // ... and is with `record`.
    cat.validate(std::vector<std::string>{b.pid}, "scan", true);
    const auto stored = cat.dataset(b.pid);
    CHECK_FALSE(stored.valid);
    CHECK(stored.schema == "scan@1.0");
    CHECK(stored.violations.size() == 2);

    CHECK_THROWS_AS(cat.validate(std::vector<std::string>{"local/none"}), ValidationError);
    CHECK_THROWS_AS(cat.validate(DatasetQuery{}, "missing"), NotFound);
}

TEST_CASE("the example schemas in a catalogue: good datasets registered, broken ones refused with every violation") {
    const test::CatalogLocation where;
    Catalog cat(where);
    // Parents first: common, then the rest.
    const auto schemas = test::load_example_schemas();
    cat.add_schema(schemas.at("common@1.0"));
    for (const auto& [id, s] : schemas)
        if (id != "common@1.0") cat.add_schema(s);
    CHECK(cat.schemas().size() == schemas.size());
    std::set<std::string> instruments;
    for (const auto& file : test::files_in(test::example_schemas_dir() / "examples")) {
        const auto e = test::load_example_dataset(file);
        if (!e.dataset.instrument.empty() && instruments.insert(e.dataset.instrument).second)
            cat.add_instrument({.name = e.dataset.instrument, .facility = "X", .type = "beamline"});
    }
    int good = 0, broken = 0, kept = 0;
    for (const auto& file : test::files_in(test::example_schemas_dir() / "examples")) {
        auto e = test::load_example_dataset(file);
        INFO(e.file);
        Dataset d = e.dataset;
        d.name = e.file;
        d.schema = e.schema;
        if (e.violations.empty()) {
            const auto stored = cat.register_dataset(d);
            CHECK(stored.valid);
            CHECK(stored.schema == e.schema);
            for (const auto& [key, value] : e.stored) {
                CAPTURE(key);
                REQUIRE(stored.metadata.count(key) == 1);
                test::check_stored(stored.metadata.at(key), value);
            }
            // Checked again from the catalogue, it still passes.
            CHECK(cat.validate(std::vector<std::string>{stored.pid}).front().ok());
            ++good;
        } else {
            std::set<std::string> expected;
            for (const auto& v : e.violations) expected.insert(v.field);
            if (cat.schema(e.schema).is_strict()) {
                try {
                    cat.register_dataset(d);
                    FAIL("expected ValidationError");
                } catch (const ValidationError& err) {
                    CHECK(fields_of(err.violations()) == expected);
                }
            } else {  // lenient: kept, marked invalid, every violation with it
                const auto stored = cat.register_dataset(d);
                CHECK_FALSE(stored.valid);
                CHECK(fields_of(stored.violations) == expected);
                ++kept;
            }
            ++broken;
        }
    }
    CHECK(good >= 8);
    CHECK(broken >= 5);
    CHECK(kept >= 1);
    CHECK(cat.count_datasets() == static_cast<std::size_t>(good + kept));
}

TEST_CASE("merging copies schemas and validity, and refuses a schema whose content differs") {
    const test::CatalogLocation here_at, there_at;
    Catalog here(here_at), there(there_at);
    there.add_schema(schema_text(base_v1));
    there.add_schema(schema_text(scan_lenient));
    const auto d = there.register_dataset(scan("hot", {{"energy", {50.0, "keV"}}}, "scan"));
    const auto report = here.merge_from(there);
    CHECK(report.schemas == MergeCount{2, 0});
    CHECK(here.dataset(d.pid) == there.dataset(d.pid));
    CHECK_FALSE(here.dataset(d.pid).valid);
    CHECK(here.merge_from(there).schemas == MergeCount{0, 2});

    const test::CatalogLocation other_at;
    Catalog other(other_at);
    std::string changed = base_v1;
    changed.replace(changed.find("required: true"), 14, "required: false");
    other.add_schema(schema_text(changed));
    try {
        other.merge_from(there);
        FAIL("expected Conflict");
    } catch (const Conflict& e) {
        CHECK(fields_of(e.differences()) == std::set<std::string>{"schema base@1"});
    }
    CHECK(other.count_datasets() == 0);
}
