#pragma once
// Reads the example schemas and the example datasets beside them (examples/schemas/examples/*.yaml;
// their format is described in docs/schemas.md), for the tests that check every example.
#include <datatrail/schema.hpp>

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace test {

inline std::filesystem::path example_schemas_dir() { return DATATRAIL_EXAMPLE_SCHEMAS_DIR; }

struct ExpectedViolation {
    std::string field;
    std::string rule;  // a part of the rule
};

struct ExampleDataset {
    std::string file;
    std::string schema;  // name@version
    datatrail::Dataset dataset;
    datatrail::Metadata stored;  // values the check must store as given here
    std::vector<ExpectedViolation> violations;
};

namespace detail {

inline bool plain(const YAML::Node& n) { return n.Tag() != "!"; }

inline std::optional<std::int64_t> integer(const std::string& s) {
    std::int64_t i = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), i);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
    return i;
}

inline std::optional<double> number(const std::string& s) {
    double d = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
    return d;
}

// JSON text of a YAML node, for {json: ...} values.
inline std::string json_text(const YAML::Node& n) {
    if (n.IsNull()) return "null";
    if (n.IsScalar()) {
        const auto& s = n.Scalar();
        if (plain(n) && (s == "true" || s == "false" || integer(s) || number(s))) return s;
        std::string quoted = "\"";
        for (char c : s) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
        }
        return quoted + "\"";
    }
    std::string text = n.IsSequence() ? "[" : "{";
    bool first = true;
    for (const auto& item : n) {
        if (!first) text += ",";
        first = false;
        if (n.IsSequence()) text += json_text(item);
        else text += json_text(item.first) + ":" + json_text(item.second);
    }
    return text + (n.IsSequence() ? "]" : "}");
}

// A plain scalar as a boolean, integer or float; anything else (quoted included) as a string.
inline datatrail::Value scalar(const YAML::Node& n) {
    const auto& s = n.Scalar();
    if (plain(n)) {
        if (s == "true" || s == "false") return s == "true";
        if (auto i = integer(s)) return *i;
        if (auto d = number(s)) return *d;
    }
    return s;
}

inline datatrail::Value array(const YAML::Node& n) {
    std::vector<datatrail::Value> items;
    for (const auto& item : n) items.push_back(scalar(item));
    if (!items.empty() && std::all_of(items.begin(), items.end(), [](const auto& v) { return v.template is<std::int64_t>(); })) {
        std::vector<std::int64_t> ints;
        for (const auto& v : items) ints.push_back(v.template as<std::int64_t>());
        return ints;
    }
    if (!items.empty() && std::all_of(items.begin(), items.end(), [](const auto& v) { return v.is_number(); })) {
        std::vector<double> doubles;
        for (const auto& v : items) doubles.push_back(v.as_double());
        return doubles;
    }
    std::vector<std::string> strings;
    for (const auto& v : items) strings.push_back(v.to_string());
    return strings;
}

inline datatrail::MetadataValue metadata_value(const YAML::Node& n) {
    if (n.IsMap() && n["json"]) return datatrail::Json{json_text(n["json"])};
    if (n.IsMap()) {
        REQUIRE_MESSAGE(n["value"], "a metadata mapping needs value: (or json:)");
        datatrail::MetadataValue v;
        v.value = n["value"].IsSequence() ? array(n["value"]) : scalar(n["value"]);
        if (n["unit"]) v.unit = n["unit"].Scalar();
        if (n["uncertainty"]) v.uncertainty = std::stod(n["uncertainty"].Scalar());
        return v;
    }
    if (n.IsSequence()) return array(n);
    return scalar(n);
}

inline datatrail::Metadata metadata(const YAML::Node& n) {
    datatrail::Metadata m;
    if (n)
        for (const auto& item : n) m[item.first.Scalar()] = metadata_value(item.second);
    return m;
}

}  // namespace detail

inline ExampleDataset load_example_dataset(const std::filesystem::path& path) {
    const YAML::Node root = YAML::LoadFile(path.string());
    ExampleDataset e;
    e.file = path.filename().string();
    e.schema = root["schema"].Scalar();
    e.dataset.name = path.stem().string();
    e.dataset.kind = datatrail::parse_dataset_kind(root["kind"].Scalar());
    if (root["techniques"])
        for (const auto& t : root["techniques"]) e.dataset.techniques.push_back(t.Scalar());
    if (root["instrument"]) e.dataset.instrument = root["instrument"].Scalar();
    e.dataset.metadata = detail::metadata(root["metadata"]);
    e.stored = detail::metadata(root["stored"]);
    if (root["violations"])
        for (const auto& v : root["violations"]) e.violations.push_back({v["field"].Scalar(), v["rule"].Scalar()});
    return e;
}

// A value as stored, against the value an example file gives for it (a time as text, numbers
// within rounding).
inline void check_stored(const datatrail::MetadataValue& got, const datatrail::MetadataValue& want) {
    using namespace datatrail;
    CHECK(got.unit == want.unit);
    if (want.uncertainty) CHECK(got.uncertainty.value_or(-1) == doctest::Approx(*want.uncertainty));
    if (got.value.is<Timestamp>()) CHECK(got.value.as<Timestamp>() == parse_time(want.value.as<std::string>()));
    else if (got.value.is_number() && want.value.is_number())
        CHECK(got.value.as_double() == doctest::Approx(want.value.as_double()));
    else if (got.value.is<std::vector<double>>() && want.value.is<std::vector<std::int64_t>>())
        CHECK(got.value == Value(std::vector<double>(want.value.as<std::vector<std::int64_t>>().begin(),
                                                     want.value.as<std::vector<std::int64_t>>().end())));
    else CHECK(got.value == want.value);
}

inline std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

// Every example schema by id.
inline std::map<std::string, datatrail::Schema> load_example_schemas() {
    std::map<std::string, datatrail::Schema> schemas;
    for (const auto& file : files_in(example_schemas_dir())) {
        auto s = datatrail::load_schema(file);
        schemas.emplace(s.id(), std::move(s));
    }
    return schemas;
}

// Finds schemas in `schemas` by name and version, the latest version when none is given.
inline datatrail::SchemaLookup lookup_in(const std::map<std::string, datatrail::Schema>& schemas) {
    return [&schemas](const std::string& name, const std::string& version) -> std::optional<datatrail::Schema> {
        const datatrail::Schema* found = nullptr;
        for (const auto& [id, s] : schemas)
            if (s.name == name && (version.empty() ? !found || datatrail::compare_schema_versions(s.version, found->version) > 0
                                                   : s.version == version))
                found = &s;
        if (!found) return std::nullopt;
        return *found;
    };
}

}  // namespace test
