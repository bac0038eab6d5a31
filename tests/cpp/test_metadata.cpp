#include <datatrail/metadata.hpp>

#include <doctest/doctest.h>

using namespace datatrail;

// No catalogue here: run once, not once per engine.
TEST_SUITE_BEGIN("core");

TEST_CASE("values keep their type") {
    CHECK(Value("eiger").type() == ValueType::string);
    CHECK(Value(std::string("x")).type() == ValueType::string);
    CHECK(Value(42).type() == ValueType::integer);
    CHECK(Value(std::uint16_t{7}).type() == ValueType::integer);
    CHECK(Value(12.7).type() == ValueType::floating);
    CHECK(Value(1.5f).type() == ValueType::floating);
    CHECK(Value(true).type() == ValueType::boolean);
    CHECK(Value(now()).type() == ValueType::datetime);
    CHECK(Value(Json{"{\"a\": 1}"}).type() == ValueType::json);
    CHECK(Value(std::vector<std::int64_t>{1, 2}).type() == ValueType::integer_array);
    CHECK(Value(std::vector<double>{1.5}).type() == ValueType::float_array);
    CHECK(Value(std::vector<std::string>{"a"}).type() == ValueType::string_array);
}

TEST_CASE("values print as text and JSON") {
    CHECK(Value(12.7).to_string() == "12.7");
    CHECK(Value(0.1 + 0.2).to_string() == "0.30000000000000004");
    CHECK(Value(false).to_string() == "false");
    CHECK(Value(std::vector<double>{1.5, 2}).to_string() == "[1.5,2.0]");
    CHECK(Value(std::vector<std::string>{"a", "b"}).to_string() == "[\"a\",\"b\"]");
    CHECK(Value(parse_time("2026-01-02T03:04:05Z")).to_string() == "2026-01-02T03:04:05.000000Z");
}

TEST_CASE("metadata values take units and uncertainties") {
    Metadata m;
    m["energy"] = {12.7, "keV"};
    m["detector.name"] = "eiger";
    m["frames"] = 100;
    m["distance"] = MetadataValue(250.0, "mm", 0.5);
    m["pixel"] = Quantity{75.0, "um"};
    CHECK(m["energy"].unit == "keV");
    CHECK(m["detector.name"].value.as<std::string>() == "eiger");
    CHECK(m["frames"].value.as<std::int64_t>() == 100);
    CHECK(*m["distance"].uncertainty == 0.5);
    CHECK(m["pixel"].value.as_double() == 75.0);
}

TEST_CASE("metadata keys are dotted identifiers") {
    for (const char* good : {"energy", "detector.distance", "sample.temperature_2", "_private", "a.b.c"})
        CHECK_MESSAGE(is_valid_metadata_key(good), good);
    for (const char* bad : {"", ".energy", "energy.", "a..b", "2theta", "detector.2nd", "with space", "dash-ed", "ü"})
        CHECK_MESSAGE(!is_valid_metadata_key(bad), bad);
}

TEST_CASE("stored value type codes are fixed, whatever the order of the variant") {
    // Catalogue rows and pickles hold these codes: changing one corrupts existing data.
    const std::pair<Value, int> pinned[] = {
        {Value("text"), 0},
        {Value(std::int64_t{7}), 1},
        {Value(2.5), 2},
        {Value(true), 3},
        {Value(Timestamp{}), 4},
        {Value(Json{"{}"}), 5},
        {Value(std::vector<std::int64_t>{1}), 6},
        {Value(std::vector<double>{1.5}), 7},
        {Value(std::vector<std::string>{"a"}), 8},
    };
    for (const auto& [value, code] : pinned) {
        CAPTURE(code);
        CHECK(stored_code(value.type()) == code);
        REQUIRE(value_type_from_code(code).has_value());
        CHECK(*value_type_from_code(code) == value.type());
    }
    CHECK_FALSE(value_type_from_code(9).has_value());
    CHECK_FALSE(value_type_from_code(-1).has_value());
}

TEST_SUITE_END();
