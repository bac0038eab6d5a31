#pragma once
// Private: the rules shared by the YAML loader (a schema's own consistency, its defaults) and the
// dataset check (values against fields).
#include <datatrail/error.hpp>
#include <datatrail/schema.hpp>

#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

namespace datatrail::detail {

// A schema reference, "base@1.0" -> {"base", "1.0"}; "base" -> {"base", ""}.
std::pair<std::string, std::string> split_reference(std::string_view reference);

// The unit a `dimension:` stands for: "length" -> "m", "NX_ENERGY" -> "J", a unit expression ->
// itself; nullopt when it is neither a dimension name nor a unit UDUNITS-2 knows.
std::optional<std::string> dimension_unit(std::string_view dimension);
// What a unit measures, for messages: "keV" -> "energy"; a dimension without a name is described
// by its SI unit. And a unit to give as an example of it: "keV" -> "keV", "um" -> "mm".
std::string dimension_name(std::string_view unit);
std::string dimension_example(std::string_view unit);
// The dimension names `dimension:` accepts, for messages.
std::string dimension_names();

// The compiled pattern, cached per text for the life of the process; nullptr when it is not a
// valid ECMAScript regular expression (and then `error` says why).
const std::regex* compiled_pattern(const std::string& pattern, std::string* error = nullptr);

// "" when `path` is a NeXus path (/entry/instrument/beam/incident_wavelength, optionally @attr),
// otherwise what is wrong with it.
std::string nexus_path_problem(std::string_view path);

// A value with its unit, as violations show it: "12.7 keV".
std::string shown(const MetadataValue& v);
std::string shown(const Quantity& q);

// Checks `value` against every rule of `field` and returns it as it should be stored (converted
// into the field's unit, a datetime string parsed, an integer array made floats where floats are
// asked for). Violations are named by the name (elements "name[i]") and their rules end with
// "(schema <schema_id>)". A value the field cannot hold (another type, a unit missing, unknown or
// of another dimension) gives nullopt: storing it would make the key's values incomparable.
// The name is `name_prefix` followed by `name_key`.
std::optional<MetadataValue> check_value(const SchemaField& field, const MetadataValue& value, std::string_view name_prefix,
                          std::string_view name_key, std::string_view schema_id, std::vector<Violation>& out);

// Names a schema attribute in a violation: given "unit", "default" or "allowed[2]" (relative to
// the field), returns e.g. "mx.yaml:14:12: fields.energy.unit".
using AttributeName = std::function<std::string(std::string_view attribute)>;

// The rules of one field that hold whatever its other attributes say: units and dimensions
// known, patterns that compile, NeXus paths well formed, shapes of positive sizes or -1.
void check_field_alone(const SchemaField& field, const AttributeName& where, std::vector<Violation>& out);
// The rules between a field's attributes: which types take which attributes, bounds and allowed
// values in units of the field's dimension, minimum <= maximum, a default that keeps every rule.
void check_field_whole(const SchemaField& field, std::string_view schema_id, const AttributeName& where,
                       std::vector<Violation>& out);

// A plain number written for a default, bound or allowed value is in the field's unit: give it
// that unit, once the unit is known.
void settle_units(SchemaField& field);

}  // namespace datatrail::detail
