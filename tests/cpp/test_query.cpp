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
                                          Case{"energy > 5 keV or x = 1", 11}, Case{"name = \"open", 7},
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
