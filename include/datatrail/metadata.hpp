#pragma once
// Typed, unit-aware metadata: a map from dotted keys ("detector.distance") to values.
#include <datatrail/export.hpp>
#include <datatrail/time.hpp>
#include <datatrail/units.hpp>

#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace datatrail {

// A JSON document held as its text; checked to parse when stored.
struct Json {
    std::string text;
    bool operator==(const Json&) const = default;
};

// The type of a metadata value. Each has a fixed code, written into catalogues and pickles: a code
// is never reused or renumbered, whatever order Value's variant lists its alternatives in.
enum class ValueType {
    string = 0,
    integer = 1,
    floating = 2,
    boolean = 3,
    datetime = 4,
    json = 5,
    integer_array = 6,
    float_array = 7,
    string_array = 8,
};

DATATRAIL_API std::string_view to_string(ValueType t) noexcept;
// The code stored for a type, and the type of a stored code (nullopt for an unknown code, as
// written by a newer datatrail).
constexpr int stored_code(ValueType t) noexcept { return static_cast<int>(t); }
DATATRAIL_API std::optional<ValueType> value_type_from_code(std::int64_t code) noexcept;

class DATATRAIL_API Value {
public:
    using Variant = std::variant<std::string, std::int64_t, double, bool, Timestamp, Json,
                                 std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>>;

    Value() = default;  // the empty string
    Value(const char* s) : v_(std::string(s)) {}
    Value(std::string s) : v_(std::move(s)) {}
    Value(std::string_view s) : v_(std::string(s)) {}
    template <std::integral T>
        requires(!std::same_as<T, bool>)
    Value(T i) : v_(static_cast<std::int64_t>(i)) {}
    template <std::floating_point T>
    Value(T d) : v_(static_cast<double>(d)) {}
    Value(bool b) : v_(b) {}
    Value(Timestamp t) : v_(t) {}
    Value(Json j) : v_(std::move(j)) {}
    Value(std::vector<std::int64_t> a) : v_(std::move(a)) {}
    Value(std::vector<double> a) : v_(std::move(a)) {}
    Value(std::vector<std::string> a) : v_(std::move(a)) {}

    ValueType type() const noexcept;
    const Variant& variant() const noexcept { return v_; }

    template <class T>
    bool is() const noexcept { return std::holds_alternative<T>(v_); }
    template <class T>
    const T& as() const { return std::get<T>(v_); }

    bool is_number() const noexcept { return is<std::int64_t>() || is<double>(); }
    double as_double() const;  // integer or float; throws std::bad_variant_access otherwise

    // Text form: strings as they are, numbers in shortest round-trip form, times in ISO 8601,
    // arrays and JSON as JSON.
    std::string to_string() const;

    bool operator==(const Value&) const = default;

private:
    Variant v_;
};

struct DATATRAIL_API MetadataValue {
    Value value;
    std::string unit;                   // as entered; only for numbers and numeric arrays
    std::optional<double> uncertainty;  // same unit as the value

    MetadataValue() = default;
    template <class T>
        requires std::constructible_from<Value, T>
    MetadataValue(T&& v, std::string unit_ = {}, std::optional<double> uncertainty_ = {})
        : value(std::forward<T>(v)), unit(std::move(unit_)), uncertainty(uncertainty_) {}
    MetadataValue(const Quantity& q) : value(q.value), unit(q.unit) {}

    bool operator==(const MetadataValue&) const = default;
};

using Metadata = std::map<std::string, MetadataValue>;

// Keys are dotted paths of identifiers: "energy", "detector.distance", "sample.temperature_2".
DATATRAIL_API bool is_valid_metadata_key(std::string_view key) noexcept;

}  // namespace datatrail
