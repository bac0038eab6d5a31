#include "support.hpp"

#include <doctest/doctest.h>

using namespace datatrail;

TEST_CASE("parse_conditions reads comparisons, ranges, strings, booleans and times") {
    auto c = parse_conditions("energy between 12 and 13 keV and detector.name = \"eiger 2\" and cooled = true");
    REQUIRE(c.size() == 3);
    CHECK(c[0].key == "energy");
    CHECK(c[0].op == Comparison::between);
    CHECK(c[0].value == Value(12));
    CHECK(*c[0].upper == Value(13));
    CHECK(c[0].unit == "keV");
    CHECK(c[1].value == Value("eiger 2"));
    CHECK(c[1].unit.empty());
    CHECK(c[2].value == Value(true));

    c = parse_conditions("temperature <= -20.5 degC");
    CHECK(c[0].op == Comparison::le);
    CHECK(c[0].value == Value(-20.5));
    CHECK(c[0].unit == "degC");

    c = parse_conditions("flux >= 1e12 photons/s and name != 'a\\'b' and started > 2026-11-01T10:00Z");
    CHECK(c[0].value == Value(1e12));
    CHECK(c[0].unit == "photons/s");
    CHECK(c[1].op == Comparison::ne);
    CHECK(c[1].value == Value("a'b"));
    CHECK(c[2].value == Value(parse_time("2026-11-01T10:00Z")));

    c = parse_conditions("size between 1 mm and 2 mm and detector = eiger");
    CHECK(c[0].unit == "mm");
    CHECK(c[1].value == Value("eiger"));

    c = parse_conditions("irradiance = 5 W m-2");
    CHECK(c[0].unit == "W m-2");
}

TEST_CASE("syntax errors carry the position of the problem") {
    struct Case {
        const char* query;
        std::size_t position;
    };
    for (const auto& [query, position] : {Case{"", 0}, Case{"energy", 6}, Case{"energy >> 5", 8}, Case{"energy > ", 9},
                                          Case{"energy > 5 keV or x = 1", 15}, Case{"name == \"a\" or name == \"b\"", 12}, Case{"name = \"open", 7},
                                          Case{"2theta > 5", 0}, Case{"e between 1 keV and 2 eV", 22}, Case{"energy > 5 bogus_unit", 11},
                                          Case{"name = eiger keV", 13}, Case{"t > 2026-99-01", 4}}) {
        CAPTURE(std::string(query));
        try {
            parse_conditions(query);
            FAIL("expected QuerySyntaxError");
        } catch (const QuerySyntaxError& e) {
            CHECK(e.position() == position);
            CHECK(e.query() == query);
            CHECK(std::string(e.what()).find("position") != std::string::npos);
        }
    }
}

TEST_CASE("'or' and 'not' in the condition language point to the query language, not to units") {
    for (const char* conditions : {"name == \"a\" or name == \"b\"", "energy > 5 keV or energy < 1 keV", "x = 1 not y = 2"}) {
        CAPTURE(std::string(conditions));
        try {
            parse_conditions(conditions);
            FAIL("expected QuerySyntaxError");
        } catch (const QuerySyntaxError& e) {
            const std::string message = e.what();
            CHECK(message.find("only 'and' does") != std::string::npos);
            CHECK(message.find("UDUNITS") == std::string::npos);
        }
    }
    // Still a unit where a unit is meant.
    CHECK_NOTHROW(parse_conditions("flux > 5 W m-2 and name = x"));
}

namespace {

struct Beamtime {
    test::CatalogLocation location;
    Catalog cat{location};
    std::vector<Dataset> stored;

    Beamtime() {
        cat.add_instrument({.name = "ID11", .facility = "ESRF", .type = "beamline"});
        cat.add_instrument({.name = "P21", .facility = "DESY", .type = "beamline"});
        Investigation inv;
        inv.name = "ma1234";
        inv.instrument = "ID11";
        cat.add_investigation(inv);
        Sample s;
        s.name = "LaB6";
        cat.add_sample(s);

        auto d = [](std::string name, double energy, const char* unit, double temperature, const char* detector) {
            Dataset x = test::dataset(std::move(name), {{"energy", {energy, unit}},
                                                        {"temperature", {temperature, "degC"}},
                                                        {"detector.name", detector},
                                                        {"cooled", temperature < 0}});
            return x;
        };
        std::vector<Dataset> batch;
        batch.push_back(d("scan_001", 12.7, "keV", 25, "eiger"));   // 12.7 keV
        batch.push_back(d("scan_002", 12700, "eV", -10, "eiger"));  // the same energy in eV
        batch.push_back(d("scan_003", 0.0128, "MeV", 25, "pilatus"));  // 12.8 keV
        batch.push_back(d("scan_004", 8.0, "keV", 100, "eiger"));
        batch.push_back(d("dark_001", 12.0, "keV", 25, "eiger"));
        batch[0].investigation = "ma1234";
        batch[1].investigation = "ma1234";
        batch[0].instrument = "ID11";
        batch[3].instrument = "P21";
        batch[2].sample = "LaB6";
        batch[4].kind = DatasetKind::processed;
        batch[0].keywords = {"calibration", "powder"};
        batch[1].techniques = {"XRD"};
        batch[3].description = "a wide angle scattering scan of the powder standard";
        for (int i = 0; i < 5; ++i) batch[i].start_time = parse_time("2026-11-20T10:00:00Z") + std::chrono::hours(i);
        stored = cat.register_datasets(batch);
    }

    std::vector<std::string> names(DatasetQuery q) const {
        std::vector<std::string> out;
        for (const auto& d : cat.find_datasets(q)) out.push_back(d.name);
        return out;
    }
    std::vector<std::string> where(const char* text) const {
        DatasetQuery q;
        q.where(text);
        return names(q);
    }
};

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("metadata ranges compare across units") {
    Beamtime b;
    CHECK(b.where("energy between 12 and 13 keV") == Names{"scan_001", "scan_002", "scan_003", "dark_001"});
    CHECK(b.where("energy between 12.5 and 12.75 keV") == Names{"scan_001", "scan_002"});
    CHECK(b.where("energy = 12.7 keV") == Names{"scan_001", "scan_002"});
    CHECK(b.where("energy = 12700 eV") == Names{"scan_001", "scan_002"});
    CHECK(b.where("energy != 12.7 keV") == Names{"scan_003", "scan_004", "dark_001"});
    CHECK(b.where("energy > 0.0127 MeV") == Names{"scan_003"});
    CHECK(b.where("energy >= 0.0127 MeV") == Names{"scan_001", "scan_002", "scan_003"});
    CHECK(b.where("energy < 12 keV") == Names{"scan_004"});
    CHECK(b.where("energy <= 12 keV") == Names{"scan_004", "dark_001"});
    CHECK(b.where("temperature < 273.15 K") == Names{"scan_002"});
    CHECK(b.where("temperature > 50 degF") == Names{"scan_001", "scan_003", "scan_004", "dark_001"});
    CHECK(b.where("energy > 12 keV and temperature > 0 degC") == Names{"scan_001", "scan_003"});
    CHECK(b.where("nobody_has_this > 3").empty());
}

TEST_CASE("text, boolean and time conditions") {
    Beamtime b;
    CHECK(b.where("detector.name = eiger") == Names{"scan_001", "scan_002", "scan_004", "dark_001"});
    CHECK(b.where("detector.name != 'eiger'") == Names{"scan_003"});
    CHECK(b.where("detector.name > 'f'") == Names{"scan_003"});
    CHECK(b.where("cooled = true") == Names{"scan_002"});
    CHECK(b.where("cooled != true") == Names{"scan_001", "scan_003", "scan_004", "dark_001"});

    Metadata m{{"recorded", parse_time("2026-11-20T12:00:00Z")}};
    b.cat.set_metadata(b.stored[0].pid, m);
    CHECK(b.where("recorded > 2026-11-20T11:00:00Z") == Names{"scan_001"});
    CHECK(b.where("recorded = 2026-11-20T13:00:00+01:00") == Names{"scan_001"});
    CHECK(b.where("recorded < 2026-11-20").empty());
}

TEST_CASE("filters on dataset fields") {
    Beamtime b;
    DatasetQuery q;
    q.kind = DatasetKind::processed;
    CHECK(b.names(q) == Names{"dark_001"});
    q = {};
    q.investigation = "ma1234";
    CHECK(b.names(q) == Names{"scan_001", "scan_002"});
    q.investigation = b.cat.investigation("ma1234").pid;  // by PID as well as by name
    CHECK(b.names(q) == Names{"scan_001", "scan_002"});
    q = {};
    q.instrument = "P21";
    CHECK(b.names(q) == Names{"scan_004"});
    q = {};
    q.sample = "LaB6";
    CHECK(b.names(q) == Names{"scan_003"});
    q = {};
    q.name = "scan_00[2-3]";
    CHECK(b.names(q) == Names{"scan_002", "scan_003"});
    q.name = "*_001";
    CHECK(b.names(q) == Names{"scan_001", "dark_001"});
    q = {};
    q.started_after = parse_time("2026-11-20T11:00:00Z");
    q.started_before = parse_time("2026-11-20T13:00:00Z");
    CHECK(b.names(q) == Names{"scan_002", "scan_003"});
    q = {};
    q.keyword = "powder";
    CHECK(b.names(q) == Names{"scan_001"});
    q = {};
    q.technique = "XRD";
    CHECK(b.names(q) == Names{"scan_002"});
    q = {};
    q.text = "powder";  // keyword of scan_001, description of scan_004
    CHECK(b.names(q) == Names{"scan_001", "scan_004"});
    q.text = "pilat*";  // text metadata, prefix match
    CHECK(b.names(q) == Names{"scan_003"});
    q.text = "\"unbalanced";  // user text never becomes an FTS5 syntax error
    CHECK(b.names(q).empty());
}

TEST_CASE("order, limit, offset and count") {
    Beamtime b;
    DatasetQuery q;
    q.order = DatasetOrder::name;
    CHECK(b.names(q) == Names{"dark_001", "scan_001", "scan_002", "scan_003", "scan_004"});
    q.descending = true;
    q.limit = 2;
    CHECK(b.names(q) == Names{"scan_004", "scan_003"});
    q.offset = 2;
    CHECK(b.names(q) == Names{"scan_002", "scan_001"});
    q = {};
    q.order = DatasetOrder::start_time;
    q.descending = true;
    CHECK(b.names(q).front() == "dark_001");
    q = {};
    q.where("energy between 12 and 13 keV");
    CHECK(b.cat.count_datasets(q) == 4);
    CHECK(b.cat.count_datasets() == 5);
}

TEST_CASE("a query in the wrong dimension or type is an error, not an empty result") {
    Beamtime b;
    DatasetQuery q;
    q.where("energy > 5 mm");
    CHECK_THROWS_AS(b.cat.find_datasets(q), UnitError);
    q = {};
    q.where("detector.name > 5");
    CHECK_THROWS_AS(b.cat.find_datasets(q), ValidationError);
    q = {};
    q.where(MetadataCondition{.key = "energy", .op = Comparison::gt, .value = 5, .unit = "furlongs"});
    CHECK_THROWS_AS(b.cat.count_datasets(q), UnitError);
    q = {};
    q.investigation = "no-such-proposal";
    CHECK_THROWS_AS(b.cat.find_datasets(q), NotFound);
    q = {};
    q.where(MetadataCondition{.key = "cooled", .op = Comparison::lt, .value = true});
    CHECK_THROWS_AS(b.cat.find_datasets(q), ValidationError);
}

// ---- the query language ------------------------------------------------------------------

namespace {

std::vector<std::string> matching(const Beamtime& b, const std::string& text) {
    DatasetQuery q;
    q.matching(text);
    return b.names(q);
}

}  // namespace

TEST_CASE("query::parse builds the tree the builder builds, and to_string reads back") {
    using namespace datatrail::query;
    const auto e = parse(R"(technique == "MX" and (energy > 12 keV or wavelength < 1 angstrom) and sample.name ~ "lyso*")"
                         R"( and start >= 2026-03-01 and not state == "failed")");
    const auto built = key("technique") == "MX" &&
                       (key("energy") > Operand(12, "keV") || key("wavelength") < Operand(1, "angstrom")) &&
                       key("sample.name").glob("lyso*") && key("start") >= parse_time("2026-03-01") &&
                       !(key("state") == "failed");
    CHECK(e == built);
    REQUIRE(e.kind() == Expr::Kind::all_of);
    CHECK(e.children().size() == 5);  // nested "and"s are one flat conjunction
    CHECK(e.children()[1].kind() == Expr::Kind::any_of);
    CHECK(parse(e.to_string()) == e);

    // and binds tighter than or; not tighter than and
    const auto p = parse("a == 1 or b == 2 and not c == 3");
    REQUIRE(p.kind() == Expr::Kind::any_of);
    CHECK(p.children()[1] == (key("b") == 2 && !(key("c") == 3)));

    CHECK(parse("kind in [raw, \"processed\"]") == key("kind").in({"raw", "processed"}));
    CHECK(parse("energy in [12 keV, 13000 eV]") == key("energy").in({Operand(12, "keV"), Operand(13000, "eV")}));
    CHECK(parse("exists detector.distance") == key("detector.distance").exists());
    CHECK(parse("text(\"lysozyme\") and exists energy") == (text("lysozyme") && key("energy").exists()));
    CHECK(parse("energy between 12 and 13 keV") == key("energy").between(12, 13, "keV"));
    CHECK(parse("(energy > 12 keV)") == (key("energy") > Operand(12, "keV")));  // a unit ends at ')'
    CHECK(parse("x = 5 W m-2 or y == 1") == (key("x") == Operand(5, "W m-2") || key("y") == 1));
    CHECK(parse("e > 12.5 keV").operands().front() == Quantity{12.5, "keV"});
    CHECK(parse("pid == local/01ABC and schema == mx@1.2") == (key("pid") == "local/01ABC" && key("schema") == "mx@1.2"));
    CHECK(parse("ratio == 12.0").operands().front().value.is<double>());
    CHECK(parse(parse("ratio == 12.0").to_string()) == parse("ratio == 12.0"));
    CHECK(parse("name ~ scan_0[12]*") == key("name").glob("scan_0[12]*"));
    CHECK(parse("   ").kind() == Expr::Kind::all);
    CHECK(parse("AND_key == 1 AND b == 2").children().size() == 2);  // keywords in any case
}

TEST_CASE("query syntax errors give the position and what was expected") {
    struct Case {
        const char* query;
        std::size_t position;
        const char* expected;
    };
    for (const auto& [query, position, expected] :
         {Case{"energy", 6, "expected an operator"}, Case{"energy >", 8, "expected a value"},
          Case{"(energy > 1", 11, "expected ')' to close the '(' at position 0"}, Case{"energy > 1)", 10, "closes no '('"},
          Case{"energy > 1 and", 14, "expected a condition"}, Case{"a == 1 b == 2", 7, "'b == 2' is not a unit"}, Case{"a == x b == 2", 7, "expected 'and', 'or'"},
          Case{"kind in raw", 8, "expected '['"}, Case{"kind in []", 9, "empty"}, Case{"kind in [raw", 12, "expected ',' or ']'"},
          Case{"text(lysozyme)", 5, "quoted string"}, Case{"e > 5 furlongs_per_fortnight", 6, "not a unit"},
          Case{"name ~ ", 7, "pattern"}, Case{"a == or", 5, "expected a value, not 'or'"}, Case{"a == 1 or or", 10, "not 'or'"}, Case{"2theta > 1", 0, "not a key"},
          Case{"e between 1 keV and 2 eV", 22, "one unit"}, Case{"start > 2026-13-01", 8, "ISO 8601"}}) {
        CAPTURE(std::string(query));
        try {
            query::parse(query);
            FAIL("expected QuerySyntaxError");
        } catch (const QuerySyntaxError& e) {
            CHECK(e.position() == position);
            CHECK(std::string(e.what()).find(expected) != std::string::npos);
        }
    }
}

TEST_CASE("the query language finds datasets by fields, metadata and text, with and, or, not") {
    Beamtime b;
    CHECK(matching(b, "energy between 12 and 13 keV and not detector.name == pilatus") ==
          Names{"scan_001", "scan_002", "dark_001"});
    CHECK(matching(b, "energy < 10 keV or temperature < 0 degC") == Names{"scan_002", "scan_004"});
    CHECK(matching(b, "not (energy < 10 keV or temperature < 0 degC)") == Names{"scan_001", "scan_003", "dark_001"});
    CHECK(matching(b, "energy in [8 keV, 12800 eV]") == Names{"scan_003", "scan_004"});
    CHECK(matching(b, "detector.name ~ \"pil*\"") == Names{"scan_003"});
    CHECK(matching(b, "detector.name in [pilatus, eiger] and cooled == true") == Names{"scan_002"});
    CHECK(matching(b, "kind == processed") == Names{"dark_001"});
    CHECK(matching(b, "kind != processed and state == complete").size() == 4);
    CHECK(matching(b, "name ~ \"scan_00[34]\"") == Names{"scan_003", "scan_004"});
    CHECK(matching(b, "investigation == ma1234") == Names{"scan_001", "scan_002"});
    CHECK(matching(b, "investigation == \"" + b.stored[0].investigation + "\"") == Names{"scan_001", "scan_002"});
    CHECK(matching(b, "instrument ~ \"P*\"") == Names{"scan_004"});
    CHECK(matching(b, "instrument != ID11") == Names{"scan_004"});  // set, and not ID11
    CHECK(matching(b, "not exists sample") == Names{"scan_001", "scan_002", "scan_004", "dark_001"});
    CHECK(matching(b, "sample == nobody").empty());  // an unknown reference matches nothing
    CHECK(matching(b, "keyword == powder or technique == XRD") == Names{"scan_001", "scan_002"});
    CHECK(matching(b, "technique != XRD").size() == 4);
    CHECK(matching(b, "exists keyword") == Names{"scan_001"});
    CHECK(matching(b, "start >= 2026-11-20T12:00:00Z and start < 2026-11-20T14:00Z") == Names{"scan_003", "scan_004"});
    CHECK(matching(b, "end < 2026-01-01").empty());  // no end time: not less than anything
    CHECK(matching(b, "not end < 2026-01-01").size() == 5);
    CHECK(matching(b, "text(\"powder\") and not text(\"calibration\")") == Names{"scan_004"});
    CHECK(matching(b, "exists temperature and not exists humidity").size() == 5);
    CHECK(matching(b, "humidity > 3").empty());  // unknown keys match nothing
    CHECK(matching(b, "not humidity > 3").size() == 5);
    CHECK(matching(b, "metadata.energy > 12.75 keV") == Names{"scan_003"});
    // "not" of a condition on a record a dataset lacks is true: two-valued, never NULL.
    CHECK(matching(b, "not sample == LaB6") == Names{"scan_001", "scan_002", "scan_004", "dark_001"});
    CHECK(matching(b, "not instrument ~ \"I*\"") == Names{"scan_002", "scan_003", "scan_004", "dark_001"});
    CHECK(matching(b, "not investigation in [ma1234]") == Names{"scan_003", "scan_004", "dark_001"});
    // An empty description is none: != and ~ need one.
    CHECK(matching(b, "description != x") == Names{"scan_004"});
    CHECK(matching(b, "description ~ \"*\"") == Names{"scan_004"});
    // Glob sets as SQLite's GLOB has them, on both engines: ^ negates, ! is a member, an
    // unclosed [ matches nothing.
    CHECK(matching(b, "name ~ \"scan_00[!1]\"") == Names{"scan_001"});
    CHECK(matching(b, "name ~ \"scan_00[^1]\"") == Names{"scan_002", "scan_003", "scan_004"});
    CHECK(matching(b, "name ~ \"scan_00[1-2]\"") == Names{"scan_001", "scan_002"});
    CHECK(matching(b, "name ~ \"scan_00[1\"").empty());
    CHECK(matching(b, "detector.name ~ \"[[:alpha:]]*\"").empty());
    // Words without a letter or digit find nothing, on both engines; blank text asks for nothing.
    CHECK(matching(b, "text(\"-*\")").empty());
    CHECK(matching(b, "not text(\"&& --\")").size() == 5);
    CHECK(matching(b, "text(\"  \")").size() == 5);
    // Bounds in two units of one dimension.
    DatasetQuery mixed_units;
    mixed_units.matching(query::Expr::condition("energy", query::Op::between,
                                                {query::Operand(12650, "eV"), query::Operand(12.75, "keV")}));
    CHECK(b.names(mixed_units) == Names{"scan_001", "scan_002"});
    // The older filters and the language combine.
    DatasetQuery q;
    q.investigation = "ma1234";
    q.where("energy = 12.7 keV").matching("temperature > 0 degC");
    CHECK(b.names(q) == Names{"scan_001"});
    CHECK(b.cat.count_datasets(q) == 1);
}

TEST_CASE("a quoted time compares with a metadata key that holds times") {
    test::CatalogLocation where;
    Catalog cat(where);
    cat.register_datasets({test::dataset("early", {{"recorded", parse_time("2026-01-05T10:00:00Z")}}),
                           test::dataset("late", {{"recorded", parse_time("2026-03-05T10:00:00Z")}})});
    DatasetQuery q;
    q.matching("recorded > \"2026-02-01\"");
    REQUIRE(cat.find_datasets(q).size() == 1);
    CHECK(cat.find_datasets(q).front().name == "late");
    q = {};
    q.matching(query::key("recorded") < "2026-02-01T00:00:00+01:00");
    CHECK(cat.find_datasets(q).front().name == "early");
    q = {};
    q.matching("recorded > \"not a time\"");
    CHECK_THROWS_AS(cat.find_datasets(q), ValidationError);
}

TEST_CASE("a query compares each field with values of its own type") {
    Beamtime b;
    const auto error = [&](const char* text) -> Violation {
        try {
            matching(b, text);
        } catch (const ValidationError& e) {
            return e.violations().front();
        }
        FAIL("expected ValidationError for " << text);
        return {};
    };
    CHECK(error("kind == cooked").rule.find("raw") != std::string::npos);
    CHECK(error("kind == cooked").field == "query.kind");
    CHECK(error("state < complete").rule.find("==") != std::string::npos);
    CHECK(error("start > 5").rule.find("time") != std::string::npos);
    CHECK(error("name > 5").rule.find("string") != std::string::npos);
    CHECK(error("technique < MX").rule.find("list") != std::string::npos);
    CHECK(error("energy ~ \"1*\"").field == "query.energy");
    CHECK(error("detector.name > 5 keV").rule.find("string") != std::string::npos);
    CHECK_THROWS_AS(matching(b, "energy > 5 mm"), UnitError);
    // The builder can build what the parser never does: refused, not run.
    DatasetQuery q;
    q.matching(query::Expr::condition("energy", query::Op::between, {query::Operand(1)}));
    CHECK_THROWS_AS(b.names(q), ValidationError);
    q = {};
    q.matching(query::key("energy") > std::nan(""));
    CHECK_THROWS_AS(b.names(q), ValidationError);
}

TEST_CASE("user text in keys, values and text never reaches SQL as SQL") {
    Beamtime b;
    for (const char* text : {"x'); DROP TABLE dataset; --", "\" OR 1=1 --", "a\" OR \"1\"=\"1", "*/ SELECT 1 /*", "NEAR(a b)",
                             "lyso* AND NOT", "\x01\x02 x"}) {
        CAPTURE(std::string(text));
        DatasetQuery q;
        q.matching(query::key("detector.name") == text || query::key("name").glob(text) || query::text(text) ||
                   query::key("sample") == text || query::key("technique") == text);
        CHECK(b.names(q).empty());
    }
    DatasetQuery q;
    q.matching(query::text(std::string("power\0x", 7)));
    CHECK(b.names(q).empty());
    q = {};
    q.matching(query::text("\x01\x02"));  // no words: no condition
    CHECK(b.names(q).size() == 5);
    q = {};
    q.matching(query::key("detector.name") == std::string("eiger\0", 6));
    CHECK_THROWS_AS(b.names(q), ValidationError);  // NUL: a violation, as everywhere
    CHECK(b.cat.count_datasets() == 5);  // and nothing was dropped
}

TEST_CASE("results sort by any field or metadata key") {
    Beamtime b;
    DatasetQuery q;
    q.order_by = "energy";
    CHECK(b.names(q) == Names{"scan_004", "dark_001", "scan_001", "scan_002", "scan_003"});  // SI, across units
    q.descending = true;
    q.limit = 2;
    REQUIRE(b.names(q).size() == 2);
    CHECK(b.names(q).front() == "scan_003");
    CHECK((b.names(q).back() == "scan_001" || b.names(q).back() == "scan_002"));  // 12.7 keV, twice
    q = {};
    q.order_by = "detector.name";
    CHECK(b.names(q).front() == "scan_001");
    CHECK(b.names(q).back() == "scan_003");
    q.order_by = "instrument";  // by the instrument's name; none first
    CHECK(b.names(q) == Names{"scan_002", "scan_003", "dark_001", "scan_001", "scan_004"});
    q.order_by = "humidity";  // nobody has it: registration order
    CHECK(b.names(q) == Names{"scan_001", "scan_002", "scan_003", "scan_004", "dark_001"});
    q.order_by = "technique";
    CHECK_THROWS_AS(b.names(q), ValidationError);
}

TEST_CASE("explain shows the metadata index at work") {
    Beamtime b;
    DatasetQuery q;
    q.matching("energy between 12 and 13 keV");
    const auto plan = b.cat.explain(q);
    CAPTURE(plan);
    CHECK(plan.find("dataset_metadata_si") != std::string::npos);
    // With a common text value beside it, the range still drives: the text is checked per
    // dataset by primary key, not read in full through its own index. (SQLite's plan follows
    // the SQL's shape; PostgreSQL's follows its statistics, which a five-dataset catalogue
    // makes meaningless: bench/bench_query.cpp measures it at a million.)
    if (test::on_postgres()) return;
    DatasetQuery mixed;
    mixed.matching("detector.name == eiger and energy between 12 and 13 keV");
    const auto mixed_plan = b.cat.explain(mixed);
    CAPTURE(mixed_plan);
    CHECK(mixed_plan.find("dataset_metadata_si") != std::string::npos);
    CHECK(mixed_plan.find("dataset_metadata_text") == std::string::npos);
}
