#include "schema_examples.hpp"
#include "support.hpp"

#include <datatrail/schema.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <set>

using namespace datatrail;

// No catalogue here: run once, not once per engine.
TEST_SUITE_BEGIN("core");

namespace {

// A schema that extends nothing, parsed and checked whole.
Schema schema_of(std::string_view yaml) { return resolve_schema(parse_schema(yaml, "t.yaml"), {}); }

Dataset with(Metadata metadata) {
    Dataset d;
    d.name = "d";
    d.metadata = std::move(metadata);
    return d;
}

std::vector<Violation> load_errors(std::string_view yaml) {
    try {
        parse_schema(yaml, "bad.yaml");
    } catch (const ValidationError& e) {
        return e.violations();
    }
    FAIL("the schema loaded:\n", yaml);
    return {};
}

std::vector<Violation> resolve_errors(const Schema& schema, const SchemaLookup& lookup) {
    try {
        resolve_schema(schema, lookup);
    } catch (const ValidationError& e) {
        return e.violations();
    }
    FAIL("the schema resolved: ", schema.id());
    return {};
}

std::string listed(const std::vector<Violation>& vs) {
    std::string text;
    for (const auto& v : vs) text += "\n  " + v.field + " = '" + v.value + "': " + v.rule;
    return text;
}

// The one violation named `field`, whose rule holds `rule_part`.
void expect_violation(const std::vector<Violation>& vs, const std::string& field, const std::string& rule_part,
                      const std::string& value = "\x01") {
    INFO("expected ", field, ": ...", rule_part, "... among:", listed(vs));
    const auto n = std::count_if(vs.begin(), vs.end(), [&](const Violation& v) {
        return v.field == field && v.rule.find(rule_part) != std::string::npos && (value == "\x01" || v.value == value);
    });
    CHECK(n == 1);
}

const MetadataValue& stored(const SchemaCheck& c, const std::string& key) {
    const auto it = c.metadata.find(key);
    REQUIRE_MESSAGE(it != c.metadata.end(), key, " is not in the checked metadata");
    return it->second;
}

}  // namespace

TEST_CASE("schema YAML: every key is read into the model") {
    const auto s = parse_schema(R"(# comments are allowed
name: mx
version: 1.2
description: Raw MX data
applies_to:
  kinds: [raw]
  techniques: [MX, SSX]
  instruments: P11
strict: false
additional: false
fields:
  beam.energy:
    type: float
    unit: keV
    required: true
    default: 12.7
    minimum: 5 keV
    maximum: 30000 eV
    description: Photon energy
    nexus_path: /entry/instrument/beam/incident_energy
  detector.size:
    type: array
    element_type: integer
    shape: [2, null]
    allowed: [1, 2, 4]
  detector.name:
    type: string
    pattern: "[A-Z]+ [0-9]+M"
  detector.material:
    type: enum
    allowed: [Si, CdTe]
  sample.temperature:
    type: float
    dimension: temperature
  flag:
    type: bool
    required: false
  started:
    type: datetime
    default: 2025-11-21T09:14:03+01:00
  config:
    type: json
    default: {a: 1, b: [x, 2.5, true]}
)",
                                "mx.yaml");
    CHECK(s.name == "mx");
    CHECK(s.version == "1.2");
    CHECK(s.id() == "mx@1.2");
    CHECK(s.description == "Raw MX data");
    CHECK(s.applies_to.kinds == std::vector{DatasetKind::raw});
    CHECK(s.applies_to.techniques == std::vector<std::string>{"MX", "SSX"});
    CHECK(s.applies_to.instruments == std::vector<std::string>{"P11"});
    CHECK(s.strict == false);
    CHECK_FALSE(s.is_strict());
    CHECK(s.additional == false);
    CHECK(s.extends.empty());
    CHECK(s.source_name == "mx.yaml");
    CHECK(s.source.starts_with("# comments are allowed"));
    REQUIRE(s.fields.size() == 8);
    // In the order written, not sorted.
    CHECK(s.fields[0].key == "beam.energy");
    CHECK(s.fields[7].key == "config");

    const auto& e = *s.field("beam.energy");
    CHECK(e.type == FieldType::floating);
    CHECK(e.unit == "keV");
    CHECK(e.is_required());
    // A plain number is in the field's unit.
    CHECK(e.default_value == MetadataValue(12.7, "keV"));
    CHECK(e.minimum == Quantity{5, "keV"});
    CHECK(e.maximum == Quantity{30000, "eV"});
    CHECK(e.description == "Photon energy");
    CHECK(e.nexus_path == "/entry/instrument/beam/incident_energy");

    const auto& size = *s.field("detector.size");
    CHECK(size.type == FieldType::array);
    CHECK(size.element_type == FieldType::integer);
    CHECK(size.shape == std::vector<std::int64_t>{2, -1});
    REQUIRE(size.allowed.size() == 3);
    CHECK(size.allowed[2] == MetadataValue(4));
    CHECK(s.field("detector.name")->pattern == "[A-Z]+ [0-9]+M");
    CHECK(s.field("detector.material")->type == FieldType::enumeration);
    CHECK(s.field("detector.material")->allowed == std::vector<MetadataValue>{"Si", "CdTe"});
    CHECK(s.field("sample.temperature")->dimension == "temperature");
    CHECK(s.field("flag")->type == FieldType::boolean);
    CHECK(s.field("flag")->required == false);
    CHECK(s.field("started")->default_value == MetadataValue(parse_time("2025-11-21T08:14:03Z")));
    CHECK(s.field("config")->default_value == MetadataValue(Json{R"({"a":1,"b":["x",2.5,true]})"}));
    CHECK(s.field("nothing") == nullptr);

    CHECK(to_string(FieldType::floating) == "float");
    CHECK(to_string(FieldType::enumeration) == "enum");
    CHECK(to_string(FieldType::boolean) == "bool");
    CHECK(parse_field_type("json") == FieldType::json);
    CHECK_FALSE(parse_field_type("double"));
}

TEST_CASE("field types: each type takes its values and refuses the others") {
    const auto s = schema_of(R"(
name: types
version: 1
fields:
  s: {type: string}
  i: {type: integer}
  f: {type: float}
  b: {type: bool}
  t: {type: datetime}
  e: {type: enum, allowed: [a, b]}
  a: {type: array, element_type: float}
  j: {type: json}
)");
    const auto good = check_dataset(s, with({{"s", "text"},
                                             {"i", 42},
                                             {"f", 7},
                                             {"b", true},
                                             {"t", "2026-03-01T10:15:00+01:00"},
                                             {"e", "b"},
                                             {"a", std::vector<std::int64_t>{1, 2}},
                                             {"j", "[1, 2]"}}));
    INFO(listed(good.violations));
    CHECK(good.ok());
    // An integer where a float is asked for is stored as a float, and an integer array as floats.
    CHECK(stored(good, "f").value == Value(7.0));
    CHECK(stored(good, "f").value.type() == ValueType::floating);
    CHECK(stored(good, "a").value == Value(std::vector<double>{1.0, 2.0}));
    // ISO 8601 text becomes a datetime, a string that parses as JSON a JSON value.
    CHECK(stored(good, "t").value == Value(parse_time("2026-03-01T09:15:00Z")));
    CHECK(stored(good, "j").value == Value(Json{"[1, 2]"}));
    CHECK(stored(good, "s").value == Value("text"));

    const auto bad = check_dataset(s, with({{"s", 3},
                                            {"i", 4.5},
                                            {"f", "12.7 keV"},
                                            {"b", "yes"},
                                            {"t", 1700000000},
                                            {"e", 1},
                                            {"a", std::vector<std::string>{"x"}},
                                            {"j", true}}));
    CHECK(bad.violations.size() == 8);
    expect_violation(bad.violations, "dataset.metadata.s", "must be a string, not an integer (schema types@1)", "3");
    expect_violation(bad.violations, "dataset.metadata.i", "must be an integer, not a float", "4.5");
    expect_violation(bad.violations, "dataset.metadata.f", "must be a number, not a string", "12.7 keV");
    expect_violation(bad.violations, "dataset.metadata.b", "must be true or false, not a string");
    expect_violation(bad.violations, "dataset.metadata.t", "must be a date and time");
    expect_violation(bad.violations, "dataset.metadata.e", "must be a string, not an integer");
    expect_violation(bad.violations, "dataset.metadata.a", "must be an array of numbers, not a string array");
    expect_violation(bad.violations, "dataset.metadata.j", "must be a JSON document, not a bool");
    // A value that breaks its type's rule is not stored: the key's values must stay comparable.
    CHECK(bad.metadata.count("i") == 0);
    CHECK(bad.metadata.count("j") == 0);
}

TEST_CASE("unit: any unit of the dimension is accepted and stored converted, the uncertainty too") {
    const auto s = schema_of(R"(
name: units
version: 1
fields:
  distance: {type: float, unit: mm}
  temperature: {type: float, unit: K}
  steps: {type: integer, unit: mm}
  widths: {type: array, element_type: float, unit: um}
  fraction: {type: float, unit: "1"}
)");
    const auto c = check_dataset(s, with({{"distance", MetadataValue(0.25, "m", 0.001)},
                                          {"temperature", MetadataValue(25.0, "degC", 0.5)},
                                          {"steps", MetadataValue(3, "cm")},
                                          {"widths", MetadataValue(std::vector<double>{0.02, 0.015}, "mm")},
                                          {"fraction", MetadataValue(40.0, "%")}}));
    INFO(listed(c.violations));
    REQUIRE(c.ok());
    CHECK(stored(c, "distance").unit == "mm");
    CHECK(stored(c, "distance").value.as_double() == doctest::Approx(250.0));
    CHECK(*stored(c, "distance").uncertainty == doctest::Approx(1.0));
    // An offset moves the value, never the uncertainty.
    CHECK(stored(c, "temperature").value.as_double() == doctest::Approx(298.15));
    CHECK(*stored(c, "temperature").uncertainty == doctest::Approx(0.5));
    CHECK(stored(c, "steps").value == Value(30));
    CHECK(stored(c, "steps").unit == "mm");
    const auto& widths = stored(c, "widths").value.as<std::vector<double>>();
    REQUIRE(widths.size() == 2);
    CHECK(widths[0] == doctest::Approx(20.0));
    CHECK(widths[1] == doctest::Approx(15.0));
    CHECK(stored(c, "fraction").value.as_double() == doctest::Approx(0.4));
    CHECK(stored(c, "fraction").unit == "1");

    // A value already in the field's unit is kept exactly as it is.
    const auto same = check_dataset(s, with({{"distance", MetadataValue(250.0, "mm")}}));
    CHECK(stored(same, "distance") == MetadataValue(250.0, "mm"));

    // An integer field stores whole numbers of its unit only.
    const auto fraction = check_dataset(s, with({{"steps", MetadataValue(1, "um")}}));
    REQUIRE(fraction.violations.size() == 1);
    expect_violation(fraction.violations, "dataset.metadata.steps", "is not a whole number of mm (0.001 mm)", "1 um");
}

TEST_CASE("unit and dimension: a unit of another dimension, or none, is a violation naming the dimension") {
    const auto s = schema_of(R"(
name: dims
version: 1
fields:
  distance: {type: float, unit: mm}
  threshold: {type: float, dimension: energy}
  spread: {type: float, dimension: nm}
  power: {type: float, dimension: NX_POWER}
)");
    const auto good = check_dataset(s, with({{"distance", MetadataValue(2.0, "km")},
                                             {"threshold", MetadataValue(6.0, "keV")},
                                             {"spread", MetadataValue(0.6, "angstrom")},
                                             {"power", MetadataValue(0.6, "PW")}}));
    INFO(listed(good.violations));
    CHECK(good.ok());
    CHECK(stored(good, "distance").value.as_double() == doctest::Approx(2e6));
    // A dimension checks the unit and stores the value as entered.
    CHECK(stored(good, "threshold") == MetadataValue(6.0, "keV"));
    CHECK(stored(good, "spread") == MetadataValue(0.6, "angstrom"));

    const auto bad = check_dataset(s, with({{"distance", MetadataValue(5.0, "kg")},
                                            {"threshold", 6.0},
                                            {"spread", MetadataValue(1.0, "furlongs_per_fortnight")},
                                            {"power", MetadataValue(1.0, "J")}}));
    CHECK(bad.violations.size() == 4);
    expect_violation(bad.violations, "dataset.metadata.distance", "must be in a unit of length, such as mm, not mass",
                     "5 kg");
    expect_violation(bad.violations, "dataset.metadata.threshold", "needs a unit of energy, such as keV", "6");
    expect_violation(bad.violations, "dataset.metadata.spread", "unit 'furlongs_per_fortnight' is unknown");
    expect_violation(bad.violations, "dataset.metadata.power", "must be in a unit of power, such as W, not energy");
    CHECK(bad.metadata.count("distance") == 0);  // a mass is not stored under a length
    CHECK(bad.metadata.count("threshold") == 0);

    // Every dimension name a schema may use.
    for (const char* dimension : {"length", "mass", "time", "temperature", "energy", "angle", "frequency", "pressure",
                                  "power", "current", "voltage", "dimensionless", "wavenumber", "NX_LENGTH", "Length"}) {
        INFO(dimension);
        const auto d = schema_of(std::string("name: d\nversion: 1\nfields:\n  x: {type: float, dimension: ") + dimension + "}\n");
        CHECK(d.field("x")->dimension == dimension);
    }
}

TEST_CASE("required fields and defaults") {
    const auto s = schema_of(R"(
name: req
version: 1
fields:
  sample.name: {type: string, required: true}
  distance: {type: float, unit: mm, default: 0.5 m}
  mode: {type: enum, allowed: [fast, slow], default: slow, required: true}
  note: {type: string}
)");
    const auto missing = check_dataset(s, with({}));
    REQUIRE(missing.violations.size() == 1);
    CHECK(missing.violations[0] == Violation{"dataset.metadata.sample.name", "", "is required (schema req@1)"});
    // Defaults are filled in, converted like any value; a required field with a default is satisfied.
    CHECK(stored(missing, "distance").value.as_double() == doctest::Approx(500.0));
    CHECK(stored(missing, "distance").unit == "mm");
    CHECK(stored(missing, "mode").value == Value("slow"));
    CHECK(missing.metadata.count("note") == 0);

    const auto given = check_dataset(s, with({{"sample.name", "lysozyme"}, {"distance", MetadataValue(120.0, "mm")}}));
    CHECK(given.ok());
    CHECK(stored(given, "distance") == MetadataValue(120.0, "mm"));
}

TEST_CASE("minimum and maximum hold in any unit of the dimension, compared in SI") {
    const auto s = schema_of(R"(
name: ranges
version: 1
fields:
  energy: {type: float, unit: keV, minimum: 5 keV, maximum: 30000 eV}
  temperature: {type: float, dimension: temperature, minimum: -20 degC, maximum: 400 K}
  count: {type: integer, minimum: 1, maximum: 10}
  widths: {type: array, element_type: float, unit: um, minimum: 1 um}
)");
    const auto at_bounds = check_dataset(s, with({{"energy", MetadataValue(5000.0, "eV")},
                                                  {"temperature", MetadataValue(253.15, "K")},
                                                  {"count", 10},
                                                  {"widths", MetadataValue(std::vector<double>{0.001, 0.5}, "mm")}}));
    INFO(listed(at_bounds.violations));
    CHECK(at_bounds.ok());

    const auto outside = check_dataset(s, with({{"energy", MetadataValue(4999.0, "eV")},
                                                {"temperature", MetadataValue(250.0, "K")},
                                                {"count", 0},
                                                {"widths", MetadataValue(std::vector<double>{0.5, 0.0005, 0.2}, "mm")}}));
    CHECK(outside.violations.size() == 4);
    expect_violation(outside.violations, "dataset.metadata.energy", "must be at least 5 keV (schema ranges@1)", "4999 eV");
    expect_violation(outside.violations, "dataset.metadata.temperature", "must be at least -20 degC", "250 K");
    expect_violation(outside.violations, "dataset.metadata.count", "must be at least 1", "0");
    expect_violation(outside.violations, "dataset.metadata.widths[1]", "must be at least 1 um", "0.0005 mm");

    const auto above = check_dataset(s, with({{"energy", MetadataValue(0.031, "MeV")},
                                              {"temperature", MetadataValue(130.0, "degC")},
                                              {"count", 11},
                                              {"widths", MetadataValue(std::vector<double>{NAN}, "um")}}));
    CHECK(above.violations.size() == 4);
    expect_violation(above.violations, "dataset.metadata.energy", "must be at most 30000 eV");
    expect_violation(above.violations, "dataset.metadata.temperature", "must be at most 400 K");
    expect_violation(above.violations, "dataset.metadata.count", "must be at most 10");
    expect_violation(above.violations, "dataset.metadata.widths[0]", "must be a finite number");
}

TEST_CASE("allowed values: strings exactly, numbers in SI, every element of an array") {
    const auto s = schema_of(R"(
name: allowed
version: 1
fields:
  material: {type: enum, allowed: [Si, CdTe]}
  gain: {type: string, allowed: [low, high]}
  depth: {type: integer, allowed: [8, 16, 32]}
  range: {type: float, unit: deg, allowed: [180, 360]}
  binning: {type: array, element_type: integer, allowed: [1, 2, 4]}
  filters: {type: array, element_type: string, allowed: [Al, Cu]}
)");
    const auto good = check_dataset(s, with({{"material", "CdTe"},
                                             {"gain", "low"},
                                             {"depth", 16},
                                             {"range", MetadataValue(std::numbers::pi, "rad")},
                                             {"binning", std::vector<std::int64_t>{2, 4}},
                                             {"filters", std::vector<std::string>{"Cu", "Al"}}}));
    INFO(listed(good.violations));
    CHECK(good.ok());
    CHECK(stored(good, "range").value.as_double() == doctest::Approx(180.0));

    const auto bad = check_dataset(s, with({{"material", "si"},
                                            {"gain", "medium"},
                                            {"depth", 24},
                                            {"range", MetadataValue(3.14159, "rad")},
                                            {"binning", std::vector<std::int64_t>{2, 3}},
                                            {"filters", std::vector<std::string>{"Cu", "Mo"}}}));
    CHECK(bad.violations.size() == 6);
    expect_violation(bad.violations, "dataset.metadata.material", "must be one of 'Si', 'CdTe'", "si");
    expect_violation(bad.violations, "dataset.metadata.gain", "must be one of 'low', 'high'", "medium");
    expect_violation(bad.violations, "dataset.metadata.depth", "must be one of 8, 16, 32", "24");
    expect_violation(bad.violations, "dataset.metadata.range", "must be one of 180 deg, 360 deg", "3.14159 rad");
    expect_violation(bad.violations, "dataset.metadata.binning[1]", "must be one of 1, 2, 4", "3");
    expect_violation(bad.violations, "dataset.metadata.filters[1]", "must be one of 'Al', 'Cu'", "Mo");
}

TEST_CASE("pattern: the whole string must match, for strings, enums and string arrays") {
    const auto s = schema_of(R"(
name: patterns
version: 1
fields:
  proposal: {type: string, pattern: "[A-Z]{2}-[0-9]+"}
  tags: {type: array, element_type: string, pattern: "[a-z_]+"}
)");
    CHECK(check_dataset(s, with({{"proposal", "MX-2456"}, {"tags", std::vector<std::string>{"lwfa", "full_power"}}})).ok());
    for (const char* partial : {"xMX-2456", "MX-2456x", "MX2456", ""}) {
        INFO(partial);
        const auto c = check_dataset(s, with({{"proposal", partial}}));
        REQUIRE(c.violations.size() == 1);
        expect_violation(c.violations, "dataset.metadata.proposal", "must match the pattern [A-Z]{2}-[0-9]+", partial);
    }
    const auto tags = check_dataset(s, with({{"tags", std::vector<std::string>{"ok", "Not OK", "fine"}}}));
    REQUIRE(tags.violations.size() == 1);
    expect_violation(tags.violations, "dataset.metadata.tags[1]", "must match the pattern [a-z_]+", "Not OK");
}

TEST_CASE("arrays: element type and shape") {
    const auto s = schema_of(R"(
name: arrays
version: 1
fields:
  exact: {type: array, element_type: float, shape: [3]}
  rows: {type: array, element_type: integer, shape: [-1, 3]}
  grid: {type: array, element_type: integer, shape: [2, 2]}
  free: {type: array, element_type: string}
)");
    const auto good = check_dataset(s, with({{"exact", std::vector<double>{1, 2, 3}},
                                             {"rows", std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}},
                                             {"grid", std::vector<std::int64_t>{1, 0, 0, 1}},
                                             {"free", std::vector<std::string>{}}}));
    INFO(listed(good.violations));
    CHECK(good.ok());
    // An empty array has no element type of its own: it takes the field's.
    CHECK(check_dataset(s, with({{"rows", std::vector<double>{}}})).ok());
    CHECK(stored(check_dataset(s, with({{"free", std::vector<double>{}}})), "free").value ==
          Value(std::vector<std::string>{}));

    const auto bad = check_dataset(s, with({{"exact", std::vector<double>{1, 2}},
                                            {"rows", std::vector<std::int64_t>{1, 2, 3, 4}},
                                            {"grid", std::vector<double>{1, 0, 0, 1}},
                                            {"free", "single"}}));
    CHECK(bad.violations.size() == 4);
    expect_violation(bad.violations, "dataset.metadata.exact", "must have 3 elements (shape [3]), not 2", "[1.0,2.0]");
    expect_violation(bad.violations, "dataset.metadata.rows", "must have a multiple of 3 elements (shape [-1, 3]), not 4");
    expect_violation(bad.violations, "dataset.metadata.grid", "must be an array of integers, not a float array");
    expect_violation(bad.violations, "dataset.metadata.free", "must be an array of strings, not a string");
}

TEST_CASE("json values must parse; datetimes take a time or ISO 8601 text") {
    const auto s = schema_of(R"(
name: jt
version: 1
fields:
  config: {type: json}
  started: {type: datetime}
)");
    const auto good = check_dataset(s, with({{"config", Json{R"({"a": [1, 2]})"}}, {"started", parse_time("2026-01-02")}}));
    CHECK(good.ok());
    CHECK(stored(good, "started").value == Value(parse_time("2026-01-02T00:00:00Z")));
    const auto bad = check_dataset(s, with({{"config", Json{"{a: 1}"}}, {"started", "2026-02-30T10:00:00Z"}}));
    CHECK(bad.violations.size() == 2);
    expect_violation(bad.violations, "dataset.metadata.config", "must be a valid JSON document", "{a: 1}");
    expect_violation(bad.violations, "dataset.metadata.started", "must be an ISO 8601 time", "2026-02-30T10:00:00Z");
    CHECK(check_dataset(s, with({{"config", "not json"}})).violations.size() == 1);
}

TEST_CASE("applies_to: the dataset's kind, one of its techniques, its instrument as given") {
    const auto s = schema_of(R"(
name: scope
version: 1
applies_to:
  kinds: [raw]
  techniques: [MX, SSX]
  instruments: [P11, local/01JCX3V6X8ZKQ5N8T0W4S2M7QY]
fields:
  x: {type: string}
)");
    Dataset d = with({});
    d.kind = DatasetKind::raw;
    d.techniques = {"imaging", "SSX"};
    d.instrument = "P11";
    CHECK(check_dataset(s, d).ok());
    d.instrument = "local/01JCX3V6X8ZKQ5N8T0W4S2M7QY";
    CHECK(check_dataset(s, d).ok());

    d.kind = DatasetKind::processed;
    d.techniques = {"SAXS"};
    d.instrument = "p11";
    const auto c = check_dataset(s, d);
    CHECK(c.violations.size() == 3);
    expect_violation(c.violations, "dataset.kind", "must be raw: the schema applies to those kinds only (schema scope@1)",
                     "processed");
    expect_violation(c.violations, "dataset.techniques", "must include one of MX, SSX", R"(["SAXS"])");
    expect_violation(c.violations, "dataset.instrument", "must be one of P11, local/01JCX3V6X8ZKQ5N8T0W4S2M7QY", "p11");
    d.techniques.clear();
    d.instrument.clear();
    CHECK(check_dataset(s, d).violations.size() == 3);
}

TEST_CASE("additional: false makes unknown keys violations; by default they pass through") {
    const auto open = schema_of("name: open\nversion: 1\nfields:\n  a: {type: integer}\n");
    const auto closed = schema_of("name: closed\nversion: 1\nadditional: false\nfields:\n  a: {type: integer}\n");
    const auto d = with({{"a", 1}, {"operator", "J. Doe"}, {"extra.value", MetadataValue(3.5, "mm")}});
    const auto passed = check_dataset(open, d);
    CHECK(passed.ok());
    CHECK(passed.metadata == d.metadata);
    const auto refused = check_dataset(closed, d);
    CHECK(refused.violations.size() == 2);
    expect_violation(refused.violations, "dataset.metadata.operator",
                     "is not a field of the schema, which allows no other keys (schema closed@1)", "J. Doe");
    expect_violation(refused.violations, "dataset.metadata.extra.value", "is not a field", "3.5 mm");
}

TEST_CASE("a check returns every violation and the metadata to store; strict refuses, lenient accepts") {
    const auto yaml = std::string(R"(
name: shot
version: 1
fields:
  shot.id: {type: integer, required: true}
  laser.energy: {type: float, unit: J, maximum: 40 J}
  laser.wavelength: {type: float, unit: nm, default: 800 nm}
)");
    const auto strict = schema_of(yaml);
    const auto lenient = schema_of(yaml + "strict: false\n");
    CHECK(strict.is_strict());
    const auto d = with({{"laser.energy", MetadataValue(55000.0, "mJ")}, {"camera", "espec"}});

    const auto refused = check_dataset(strict, d, "datasets[3]");
    CHECK(refused.violations.size() == 2);
    expect_violation(refused.violations, "datasets[3].metadata.shot.id", "is required");
    expect_violation(refused.violations, "datasets[3].metadata.laser.energy", "must be at most 40 J", "55000 mJ");
    CHECK_FALSE(refused.ok());
    CHECK_FALSE(refused.accepted());

    const auto kept = check_dataset(lenient, d);
    CHECK(kept.violations.size() == 2);
    CHECK(kept.accepted());
    // Still the metadata to store: a default filled in, the key no field names kept, a value
    // that broke a rule converted all the same (it has the right dimension).
    CHECK(stored(kept, "laser.wavelength") == MetadataValue(800.0, "nm"));
    CHECK(stored(kept, "camera").value == Value("espec"));
    CHECK(stored(kept, "laser.energy").value.as_double() == doctest::Approx(55.0));

    Schema unresolved = strict;
    unresolved.extends = "base@1";
    CHECK_THROWS_AS(check_dataset(unresolved, d), Error);
}

TEST_CASE("malformed schemas: YAML syntax errors name the line and column") {
    const auto vs = load_errors("name: mx\nversion: 1\nfields:\n  e:\n    type: float\n   unit: keV\n");
    REQUIRE(vs.size() == 1);
    CHECK(vs[0].field == "bad.yaml:6:4: (syntax)");
    CHECK(vs[0].value == "   unit: keV");
    CHECK(vs[0].rule.starts_with("is not valid YAML: "));

    const auto flow = load_errors("name: mx\nversion: 1\nfields: {e: {type: float}\n");
    REQUIRE(flow.size() == 1);
    CHECK(flow[0].field.starts_with("bad.yaml:"));
    CHECK(flow[0].field.ends_with(": (syntax)"));

    const auto empty = load_errors("");
    REQUIRE(empty.size() == 1);
    CHECK(empty[0].field == "bad.yaml:1:1: (document)");
    const auto list = load_errors("- name: mx\n");
    REQUIRE(list.size() == 1);
    CHECK(list[0].rule == "must be a mapping with name, version and fields");
}

TEST_CASE("malformed schemas: every problem at once, each with its line, column and YAML path") {
    const auto vs = load_errors(R"(name: 2mx
version: 1.02
strict: yes
requried: true
applies_to:
  kinds: [raw, calibration]
  technique: [MX]
extends: base@v1
fields:
  energy:
    type: floot
  distance:
    type: float
    unit: bananas
    requried: true
  proposal:
    type: string
    pattern: "[A-Z"
  path:
    type: float
    nexus_path: entry/instrument//x
  Bad-Key:
    type: string
  shape:
    type: array
    element_type: float
    shape: [2, 0, x]
  flag:
    type: bool
    required: maybe
    minimum: low
)");
    INFO(listed(vs));
    CHECK(vs.size() == 17);
    expect_violation(vs, "bad.yaml:1:7: name", "must be letters, digits, '_' and '-', starting with a letter", "2mx");
    expect_violation(vs, "bad.yaml:2:10: version", "must be dotted numbers without leading zeros", "1.02");
    expect_violation(vs, "bad.yaml:3:9: strict", "must be true or false", "yes");
    expect_violation(vs, "bad.yaml:4:1: requried", "is not a key here: expected one of name, version,", "requried");
    expect_violation(vs, "bad.yaml:6:16: applies_to.kinds", "must be raw or processed", "calibration");
    expect_violation(vs, "bad.yaml:7:3: applies_to.technique", "(did you mean 'techniques'?)");
    expect_violation(vs, "bad.yaml:8:10: extends", "must name a schema, with or without its version", "base@v1");
    expect_violation(vs, "bad.yaml:11:11: fields.energy.type",
                     "is not a type: use one of string, integer, float, bool, datetime, enum, array or json (did you "
                     "mean 'float'?)",
                     "floot");
    expect_violation(vs, "bad.yaml:14:11: fields.distance.unit", "is not a unit UDUNITS-2 knows", "bananas");
    expect_violation(vs, "bad.yaml:15:5: fields.distance.requried", "(did you mean 'required'?)");
    expect_violation(vs, "bad.yaml:18:14: fields.proposal.pattern", "is not an ECMAScript regular expression", "[A-Z");
    expect_violation(vs, "bad.yaml:21:17: fields.path.nexus_path", "must be an absolute NeXus path", "entry/instrument//x");
    expect_violation(vs, "bad.yaml:22:3: fields.Bad-Key", "must be a metadata key", "Bad-Key");
    expect_violation(vs, "bad.yaml:27:19: fields.shape.shape[2]", "must be a size", "x");
    expect_violation(vs, "bad.yaml:27:16: fields.shape.shape[1]", "must be a size of at least 1, or -1", "0");
    expect_violation(vs, "bad.yaml:30:15: fields.flag.required", "must be true or false", "maybe");
    expect_violation(vs, "bad.yaml:31:14: fields.flag.minimum", "must be a number", "low");
}

TEST_CASE("malformed schemas: attributes that do not fit their field") {
    const auto vs = load_errors(R"(name: fit
version: 1
fields:
  a: {type: string, unit: mm}
  b: {type: string, minimum: 3}
  c: {type: float, unit: mm, dimension: length}
  d: {type: enum}
  e: {type: array}
  f: {type: float, minimum: 5 mm, maximum: 4 mm, unit: m}
  g: {type: float, unit: kg, maximum: 5 keV}
  h: {type: float, dimension: length, minimum: 5}
  i: {type: bool, allowed: [true]}
  j: {type: integer, pattern: "[0-9]+"}
  k: {type: float, shape: [3]}
  l: {type: float, dimension: lenght}
  m: {type: float, minimum: 5 mm}
  n: {type: integer, allowed: [1, 2.5]}
  o:
  p: {type: float, default: [1, 2]}
  q: {type: array, element_type: datetime}
)");
    INFO(listed(vs));
    CHECK(vs.size() == 17);
    expect_violation(vs, "bad.yaml:4:27: fields.a.unit", "applies to integer, float and numeric array fields, not to a string field");
    expect_violation(vs, "bad.yaml:5:30: fields.b.minimum", "applies to integer, float and numeric array fields");
    expect_violation(vs, "bad.yaml:6:41: fields.c.dimension", "give either unit: (values are converted into it) or dimension:");
    expect_violation(vs, "bad.yaml:7:13: fields.d.type", "an enum needs its values");
    expect_violation(vs, "bad.yaml:8:13: fields.e.type", "an array needs element_type");
    expect_violation(vs, "bad.yaml:9:44: fields.f.maximum", "must not be less than the minimum, 5 mm", "4 mm");
    expect_violation(vs, "bad.yaml:10:39: fields.g.maximum", "must be in a unit of mass, such as kg, not energy", "5 keV");
    expect_violation(vs, "bad.yaml:11:48: fields.h.minimum", "needs a unit of length, such as mm", "5");
    expect_violation(vs, "bad.yaml:12:28: fields.i.allowed", "applies to string, enum, integer, float and array fields");
    expect_violation(vs, "bad.yaml:13:31: fields.j.pattern", "applies to string, enum and string array fields, not to an integer field");
    expect_violation(vs, "bad.yaml:14:27: fields.k.shape", "only arrays have a shape");
    expect_violation(vs, "bad.yaml:15:31: fields.l.dimension", "must be a dimension (length, mass, time", "lenght");
    expect_violation(vs, "bad.yaml:16:29: fields.m.minimum", "has a unit, but the field has neither unit: nor dimension:");
    expect_violation(vs, "bad.yaml:17:35: fields.n.allowed[1]", "must be a whole number", "2.5");
    expect_violation(vs, "bad.yaml:18:3: fields.o", "must be a mapping of the field's rules");
    expect_violation(vs, "bad.yaml:19:29: fields.p.default", "must be a single float value");
    expect_violation(vs, "bad.yaml:20:34: fields.q.element_type", "must be string, integer or float", "datetime");
}

TEST_CASE("malformed schemas: a default that breaks its own field's rules") {
    const auto vs = load_errors(R"(name: defaults
version: 1
fields:
  energy: {type: float, unit: keV, minimum: 5 keV, default: 4000 eV}
  distance: {type: float, unit: mm, maximum: 1 m, default: 1.5 m}
  proposal: {type: string, pattern: "[0-9]{8}", default: MX-2456}
  mode: {type: enum, allowed: [fast, slow], default: medium}
  size: {type: array, element_type: integer, shape: [2], default: [1, 2, 3]}
  count: {type: integer, default: 2.5}
  temperature: {type: float, dimension: temperature, default: 100}
  started: {type: datetime, default: yesterday}
  flag: {type: bool, default: 1}
)");
    INFO(listed(vs));
    CHECK(vs.size() == 9);
    expect_violation(vs, "bad.yaml:4:61: fields.energy.default", "the default must be at least 5 keV (schema defaults@1)",
                     "4000 eV");
    expect_violation(vs, "bad.yaml:5:60: fields.distance.default", "the default must be at most 1 m", "1.5 m");
    expect_violation(vs, "bad.yaml:6:58: fields.proposal.default", "the default must match the pattern [0-9]{8}", "MX-2456");
    expect_violation(vs, "bad.yaml:7:54: fields.mode.default", "the default must be one of 'fast', 'slow'", "medium");
    expect_violation(vs, "bad.yaml:8:67: fields.size.default", "the default must have 2 elements (shape [2]), not 3");
    expect_violation(vs, "bad.yaml:9:35: fields.count.default", "must be a whole number", "2.5");
    expect_violation(vs, "bad.yaml:10:63: fields.temperature.default", "the default needs a unit of temperature, such as K",
                     "100");
    expect_violation(vs, "bad.yaml:11:38: fields.started.default", "must be an ISO 8601 time", "yesterday");
    expect_violation(vs, "bad.yaml:12:31: fields.flag.default", "must be true or false", "1");
}

TEST_CASE("malformed schemas: missing keys, repeated keys, a file that cannot be read") {
    const auto missing = load_errors("description: nothing else\n");
    INFO(listed(missing));
    CHECK(missing.size() == 3);
    expect_violation(missing, "bad.yaml:1:1: name", "is required");
    expect_violation(missing, "bad.yaml:1:1: version", "is required");
    expect_violation(missing, "bad.yaml:1:1: fields", "is required");

    const auto twice = load_errors("name: a\nversion: 1\nfields:\n  x: {type: string}\n  x: {type: integer}\nname: b\n");
    CHECK(twice.size() == 2);
    expect_violation(twice, "bad.yaml:5:3: fields.x", "appears twice in this mapping");
    expect_violation(twice, "bad.yaml:6:1: name", "appears twice in this mapping");

    const auto typeless = load_errors("name: a\nversion: 1\nfields:\n  x: {unit: mm}\n");
    expect_violation(typeless, "bad.yaml:4:3: fields.x", "needs a type");

    test::TempDir dir;
    CHECK_THROWS_AS(load_schema(dir / "missing.yaml"), ValidationError);
    test::write_file(dir / "broken.yaml", "name: broken\nversion: 1\nfields:\n  x: {type: float, unit: bananas}\n");
    try {
        load_schema(dir / "broken.yaml");
        FAIL("loaded");
    } catch (const ValidationError& e) {
        REQUIRE(e.violations().size() == 1);
        CHECK(e.violations()[0].field == (dir / "broken.yaml").string() + ":4:26: fields.x.unit");
        CHECK(std::string(e.what()).find("bananas") != std::string::npos);
    }
    test::write_file(dir / "good.yaml", "name: good\nversion: 1\nfields:\n  x: {type: float}\n");
    CHECK(load_schema(dir / "good.yaml").source_name == (dir / "good.yaml").string());
}

TEST_CASE("NeXus paths: absolute, names separated by '/', an optional trailing @attribute") {
    for (const char* good : {"/entry/instrument/detector/distance", "/sasentry01/sasdata01/Q@units", "/entry@default",
                             "/@default", "/entry/sample/x.y_2"}) {
        INFO(good);
        const auto s = parse_schema(std::string("name: n\nversion: 1\nfields:\n  x: {type: float, nexus_path: \"") + good + "\"}\n");
        CHECK(s.field("x")->nexus_path == good);
    }
    for (const char* bad : {"entry/x", "/", "/entry//x", "/entry/x/", "/entry/x@", "/entry/x@a@b", "/entry/de tector",
                            "/entry/.x", "/entry/x@u/v"}) {
        INFO(bad);
        const auto vs = load_errors(std::string("name: n\nversion: 1\nfields:\n  x: {type: float, nexus_path: \"") + bad + "\"}\n");
        REQUIRE(vs.size() == 1);
        CHECK(vs[0].field == "bad.yaml:4:32: fields.x.nexus_path");
    }
}

TEST_CASE("schema versions order by their numbers; names and versions are checked") {
    CHECK(compare_schema_versions("1.2", "1.10") < 0);
    CHECK(compare_schema_versions("1.10", "1.2") > 0);
    CHECK(compare_schema_versions("1.10", "2") < 0);
    CHECK(compare_schema_versions("2.0", "2.0.1") < 0);
    CHECK(compare_schema_versions("10", "9.9.9") > 0);
    CHECK(compare_schema_versions("1.2", "1.2") == 0);
    // Equal numbers: the shorter first, so that only the same text compares equal.
    CHECK(compare_schema_versions("1", "1.0") < 0);
    CHECK(compare_schema_versions("123456789012345678901234567890", "123456789012345678901234567891") < 0);
    for (const char* bad : {"1.02", "v1", "", "1..2", "1.", "1.2rc1", "-1"}) {
        INFO(bad);
        CHECK_FALSE(is_valid_schema_version(bad));
        try {
            compare_schema_versions(bad, "1");
            FAIL("compared");
        } catch (const ValidationError& e) {
            REQUIRE(e.violations().size() == 1);
            CHECK(e.violations()[0].field == "version");
            CHECK(e.violations()[0].value == bad);
        }
    }
    CHECK(is_valid_schema_name("draco-shot"));
    CHECK(is_valid_schema_name("NXmx_2"));
    for (const char* bad : {"", "2mx", "mx@1", "m x", "_mx", "mx.v2"}) CHECK_FALSE(is_valid_schema_name(bad));
}

TEST_CASE("extends: parent fields first, overrides by key, the rest inherited") {
    const auto base = parse_schema(R"(
name: base
version: "1.0"
description: Shared fields
applies_to:
  kinds: [raw]
strict: false
fields:
  sample.name: {type: string, required: true, nexus_path: /entry/sample/name}
  distance: {type: float, unit: mm, maximum: 10 mm, description: Sample to detector}
  threshold: {type: float, dimension: energy}
)",
                                   "base.yaml");
    const auto child = parse_schema(R"(
name: child
version: "2"
extends: base@1.0
applies_to:
  techniques: [MX]
fields:
  energy: {type: float, unit: keV, minimum: 5 keV}
  distance: {type: float, maximum: 2}
  sample.name: {type: string, required: false}
  threshold: {type: float, unit: keV}
)",
                                    "child.yaml");
    std::map<std::string, Schema> known{{base.id(), base}};
    const auto flat = resolve_schema(child, test::lookup_in(known));
    CHECK(flat.id() == "child@2");
    CHECK(flat.extends.empty());
    CHECK(flat.inherits == std::vector<std::string>{"base@1.0"});
    CHECK(flat.source == child.source);
    CHECK(flat.description == "Shared fields");
    CHECK(flat.applies_to.kinds == std::vector{DatasetKind::raw});
    CHECK(flat.applies_to.techniques == std::vector<std::string>{"MX"});
    CHECK(flat.strict == false);
    REQUIRE(flat.fields.size() == 4);
    CHECK(flat.fields[0].key == "sample.name");
    CHECK(flat.fields[1].key == "distance");
    CHECK(flat.fields[2].key == "threshold");
    CHECK(flat.fields[3].key == "energy");
    // Overridden: only what the child writes; the unit, description and path come from the parent,
    // and a plain-number bound is in the inherited unit.
    const auto& distance = *flat.field("distance");
    CHECK(distance.unit == "mm");
    CHECK(distance.maximum == Quantity{2, "mm"});
    CHECK(distance.description == "Sample to detector");
    CHECK(flat.field("sample.name")->required == false);
    CHECK(flat.field("sample.name")->nexus_path == "/entry/sample/name");
    // A unit replaces an inherited dimension.
    CHECK(flat.field("threshold")->unit == "keV");
    CHECK(flat.field("threshold")->dimension.empty());

    const auto c = check_dataset(flat, with({{"distance", MetadataValue(0.5, "cm")}, {"energy", MetadataValue(4.0, "keV")}}));
    CHECK(c.violations.size() == 3);
    expect_violation(c.violations, "dataset.metadata.distance", "must be at most 2 mm (schema child@2)", "0.5 cm");
    expect_violation(c.violations, "dataset.metadata.energy", "must be at least 5 keV");
    expect_violation(c.violations, "dataset.techniques", "must include one of MX");
    CHECK(c.accepted());  // lenient, from the parent

    // A schema that extends nothing resolves to itself.
    const auto same = resolve_schema(base, {});
    CHECK(same == base);
}

TEST_CASE("extends: the latest version when none is named, grandparents, and re-resolving") {
    std::map<std::string, Schema> known;
    for (const char* yaml : {"name: root\nversion: 1\nfields:\n  a: {type: integer}\n",
                             "name: base\nversion: \"1.2\"\nextends: root\nfields:\n  b: {type: string}\n",
                             "name: base\nversion: \"1.10\"\nextends: root@1\nfields:\n  c: {type: string}\n",
                             "name: base\nversion: \"1.9\"\nextends: root\nfields:\n  d: {type: string}\n"}) {
        auto s = parse_schema(yaml);
        known.emplace(s.id(), s);
    }
    const auto child = parse_schema("name: child\nversion: 1\nextends: base\nfields:\n  e: {type: bool}\n");
    const auto flat = resolve_schema(child, test::lookup_in(known));
    CHECK(flat.inherits == std::vector<std::string>{"base@1.10", "root@1"});
    REQUIRE(flat.fields.size() == 3);
    CHECK(flat.fields[0].key == "a");
    CHECK(flat.fields[1].key == "c");
    CHECK(flat.fields[2].key == "e");
    CHECK(resolve_schema(flat, {}) == flat);
}

TEST_CASE("extends: an unknown parent and cycles are refused, naming the chain") {
    const auto orphan = parse_schema("name: child\nversion: 1\nextends: nothere@2\nfields:\n  x: {type: string}\n", "child.yaml");
    const auto none = resolve_errors(orphan, [](const std::string&, const std::string&) { return std::nullopt; });
    REQUIRE(none.size() == 1);
    CHECK(none[0] == Violation{"child.yaml: extends", "nothere@2", "names no schema that is known (child@1 -> nothere@2)"});
    CHECK(resolve_errors(orphan, {}).size() == 1);

    std::map<std::string, Schema> known;
    for (const char* yaml : {"name: a\nversion: 1\nextends: b@1\nfields:\n  x: {type: string}\n",
                             "name: b\nversion: 1\nextends: c\nfields:\n  y: {type: string}\n",
                             "name: c\nversion: 1\nextends: a@1\nfields:\n  z: {type: string}\n",
                             "name: self\nversion: 1\nextends: self\nfields:\n  x: {type: string}\n"}) {
        auto s = parse_schema(yaml, std::string(yaml).substr(6, std::string(yaml).find('\n') - 6) + ".yaml");
        known.emplace(s.id(), s);
    }
    const auto cycle = resolve_errors(known.at("a@1"), test::lookup_in(known));
    REQUIRE(cycle.size() == 1);
    CHECK(cycle[0].field == "c.yaml: extends");
    CHECK(cycle[0].rule == "makes a cycle of schemas: a@1 -> b@1 -> c@1 -> a@1");
    const auto self = resolve_errors(known.at("self@1"), test::lookup_in(known));
    REQUIRE(self.size() == 1);
    CHECK(self[0].rule == "makes a cycle of schemas: self@1 -> self@1");

    // A lookup that answers with another schema than asked for is not trusted.
    const auto wrong = resolve_errors(orphan, [&](const std::string&, const std::string&) { return known.at("b@1"); });
    REQUIRE(wrong.size() == 1);
    CHECK(wrong[0].rule.find("the lookup answered b@1") != std::string::npos);
}

TEST_CASE("extends: rules that contradict each other once merged are refused, defaults checked again") {
    std::map<std::string, Schema> known;
    auto base = parse_schema("name: base\nversion: 1\nfields:\n  d: {type: float, unit: mm, default: 5 mm}\n"
                             "  t: {type: float, unit: K}\n",
                             "base.yaml");
    known.emplace(base.id(), base);
    // Alone, the child's fields are fine: only merged do they break.
    const auto child = parse_schema("name: child\nversion: 1\nextends: base@1\nfields:\n  d: {type: float, maximum: 3 mm}\n"
                                    "  t: {type: float, minimum: 5 keV}\n  n: {type: float, minimum: 2}\n",
                                    "child.yaml");
    const auto vs = resolve_errors(child, test::lookup_in(known));
    INFO(listed(vs));
    CHECK(vs.size() == 2);
    expect_violation(vs, "child.yaml: fields.d.default", "the default must be at most 3 mm (schema child@1 -> base@1)", "5 mm");
    expect_violation(vs, "child.yaml: fields.t.minimum", "must be in a unit of temperature, such as K, not energy (schema child@1 -> base@1)");
}

TEST_CASE("a schema built in code is checked by resolve_schema as a parsed one is") {
    Schema s;
    s.name = "coded";
    s.version = "1";
    SchemaField energy;
    energy.key = "energy";
    energy.type = FieldType::floating;
    energy.unit = "keV";
    energy.minimum = Quantity{5, "keV"};
    energy.default_value = MetadataValue(3.0, "keV");
    SchemaField mode;
    mode.key = "mode";
    mode.type = FieldType::enumeration;
    s.fields = {energy, mode};
    const auto vs = resolve_errors(s, {});
    INFO(listed(vs));
    CHECK(vs.size() == 2);
    expect_violation(vs, "coded@1: fields.energy.default", "the default must be at least 5 keV (schema coded@1)", "3 keV");
    expect_violation(vs, "coded@1: fields.mode.type", "an enum needs its values");

    s.fields[0].default_value.reset();
    s.fields[1].allowed = {"fast", "slow"};
    const auto flat = resolve_schema(s, {});
    CHECK(flat == s);
    CHECK(check_dataset(flat, with({{"energy", MetadataValue(6000.0, "eV")}, {"mode", "fast"}})).ok());
}

TEST_CASE("canonical_json: the same content gives the same text, whatever the YAML looks like") {
    const auto a = parse_schema(R"(
name: mx
version: 1.2
description: Raw MX data
applies_to: {kinds: [raw], techniques: [MX, SSX]}
fields:
  energy:
    type: float
    unit: keV
    minimum: 5
    maximum: 30 keV
    default: 12.7 keV
  material: {type: enum, allowed: [Si, CdTe]}
  config: {type: json, default: {b: [1, 2], a: x}}
)");
    const auto b = parse_schema(R"(# the same schema, written otherwise
fields:
  config:
    default:
      a: "x"
      b:
        - 1
        - 2
    type: json
  material:
    allowed:
      - CdTe
      - Si
    type: enum
  energy: {maximum: "30 keV", minimum: 5 keV, default: 12.7, unit: keV, type: float}
applies_to:
  techniques: [SSX, MX]
  kinds: [raw]
version: "1.2"   # quoted or not
description: "Raw MX data"
name: mx
)");
    CHECK(canonical_json(a) == canonical_json(b));
    CHECK(a.source != b.source);
    // The text is JSON with sorted keys, the source text left out.
    const auto text = canonical_json(a);
    CHECK(text.starts_with(R"({"applies_to":{"kinds":["raw"],"techniques":["MX","SSX"]},"description":"Raw MX data","fields":{"config":)"));
    CHECK(text.find("# the same") == std::string::npos);

    // Any change of content changes the text.
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{{"maximum: 30 keV", "maximum: 31 keV"},
                                                                               {"unit: keV", "unit: eV"},
                                                                               {"default: 12.7 keV", "default: 12.8 keV"},
                                                                               {"version: 1.2", "version: 1.3"},
                                                                               {"[Si, CdTe]", "[Si, CdTe, GaAs]"}}) {
        std::string yaml = a.source;
        yaml.replace(yaml.find(from), from.size(), to);
        INFO(yaml);
        CHECK(canonical_json(parse_schema(yaml)) != canonical_json(a));
    }
    // Writing an attribute's default value explicitly is content too: it overrides a parent's.
    CHECK(canonical_json(parse_schema("name: s\nversion: 1\nfields:\n  x: {type: string, required: false}\n")) !=
          canonical_json(parse_schema("name: s\nversion: 1\nfields:\n  x: {type: string}\n")));
}

TEST_CASE("example schemas: each loads, resolves, and its canonical text does not depend on the file") {
    const auto schemas = test::load_example_schemas();
    std::set<std::string> names;
    for (const auto& [id, s] : schemas) names.insert(s.name);
    CHECK(names == std::set<std::string>{"common", "mx", "tomo", "sas", "draco-shot"});
    for (const auto& [id, s] : schemas) {
        INFO(id);
        const auto flat = resolve_schema(s, test::lookup_in(schemas));
        CHECK(canonical_json(parse_schema(s.source, "other-name.yaml")) == canonical_json(s));
        for (const auto& f : flat.fields) {
            INFO(f.key);
            const bool documented = !f.description.empty() || !f.nexus_path.empty();
            CHECK(documented);
        }
        if (s.name != "common") CHECK(flat.inherits == std::vector<std::string>{"common@1.0"});
    }
}

TEST_CASE("example schemas: good datasets pass, broken ones fail with every violation named") {
    const auto schemas = test::load_example_schemas();
    const auto lookup = test::lookup_in(schemas);
    std::map<std::string, int> good, broken;
    for (const auto& file : test::files_in(test::example_schemas_dir() / "examples")) {
        const auto e = test::load_example_dataset(file);
        INFO(e.file);
        REQUIRE(schemas.count(e.schema) == 1);
        const auto schema = resolve_schema(schemas.at(e.schema), lookup);
        const auto check = check_dataset(schema, e.dataset);
        const bool is_broken = e.file.find("-broken") != std::string::npos;
        INFO(listed(check.violations));
        CHECK(is_broken == !e.violations.empty());
        (is_broken ? broken : good)[schema.name] += 1;

        // Every violation expected, and no other.
        CHECK(check.violations.size() == e.violations.size());
        for (const auto& expected : e.violations) expect_violation(check.violations, expected.field, expected.rule);
        CHECK(check.accepted() == (check.ok() || !schema.is_strict()));

        for (const auto& [key, want] : e.stored) {
            INFO(key);
            test::check_stored(stored(check, key), want);
        }
    }
    // Every technique schema has examples of both kinds.
    for (const char* name : {"mx", "tomo", "sas", "draco-shot"}) {
        INFO(name);
        CHECK(good[name] >= 2);
        CHECK(broken[name] >= 1);
    }
}

TEST_SUITE_END();
