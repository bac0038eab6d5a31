#pragma once
// Metadata schemas: named, versioned rules for a dataset's metadata, written in YAML (docs/schemas.md).
// A schema lists fields (key, type, unit or dimension, required, default, range, allowed values,
// pattern, NeXus path) and may extend another. This header is the schema on its own, without a
// catalogue: parse and load, flatten inheritance, a canonical text to compare versions, and the
// check of one dataset, which returns every violation and the metadata as it should be stored.
#include <datatrail/dataset.hpp>
#include <datatrail/error.hpp>
#include <datatrail/export.hpp>
#include <datatrail/metadata.hpp>
#include <datatrail/units.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace datatrail {

// YAML spellings: string, integer, float, bool, datetime, enum, array, json.
enum class FieldType { string, integer, floating, boolean, datetime, enumeration, array, json };

DATATRAIL_API std::string_view to_string(FieldType t) noexcept;
// nullopt for anything but the YAML spellings above.
DATATRAIL_API std::optional<FieldType> parse_field_type(std::string_view text) noexcept;

// The rules for one metadata key. Attributes left empty (or nullopt) are not rules; in a schema
// that extends another they are inherited from the parent's field of the same key.
struct SchemaField {
    std::string key;  // dotted path, as in Metadata: "detector.distance"
    FieldType type = FieldType::string;
    // Arrays only: the type of the elements (string, integer or floating) and the shape. A value
    // is a flat array whose length must fit the shape: [3] exactly 3, [2, 3] exactly 6, [-1, 3]
    // a multiple of 3; -1 is any length along that axis; no shape is any length.
    std::optional<FieldType> element_type;
    std::vector<std::int64_t> shape;
    // Numbers and numeric arrays. `unit`: any unit of its dimension is accepted and the value is
    // stored converted into this unit. `dimension`: any unit of that dimension is accepted and
    // stored as entered; a name (length, mass, time, temperature, energy, angle, frequency,
    // pressure, power, current, ...; NeXus' NX_LENGTH ... too) or a unit whose dimension is meant.
    // A field has at most one of the two.
    std::string unit;
    std::string dimension;
    std::optional<bool> required;  // unset: not required (or as the parent says)
    std::optional<MetadataValue> default_value;  // filled in when the key is missing
    // Compared in SI, so a bound in keV holds for a value in eV. An empty unit is the field's unit.
    std::optional<Quantity> minimum;
    std::optional<Quantity> maximum;
    // The values allowed (for arrays, of every element); required for enumerations. Numbers carry
    // a unit as `minimum` does.
    std::vector<MetadataValue> allowed;
    std::string pattern;  // ECMAScript regular expression that the whole string must match
    std::string description;
    std::string nexus_path;  // "/entry/instrument/beam/incident_wavelength", optionally "...@units"

    bool is_required() const noexcept { return required.value_or(false); }
    bool operator==(const SchemaField&) const = default;
};

struct SchemaScope {
    std::vector<DatasetKind> kinds;
    std::vector<std::string> techniques;   // a dataset must list at least one of them
    std::vector<std::string> instruments;  // the dataset's instrument, name or PID as given
    bool empty() const noexcept { return kinds.empty() && techniques.empty() && instruments.empty(); }
    bool operator==(const SchemaScope&) const = default;
};

struct DATATRAIL_API Schema {
    std::string name;     // letters, digits, '_' and '-', starting with a letter: "mx", "draco-shot"
    std::string version;  // dotted numbers without leading zeros: "1", "1.2", "2.0.1"
    std::string description;
    SchemaScope applies_to;  // each list empty: no rule (or as the parent says)
    // Strict schemas refuse a dataset that breaks a rule; lenient ones accept it and the
    // violations are kept with it. Unset: strict (or as the parent says).
    std::optional<bool> strict;
    // Whether keys that are no field of the schema are allowed. Unset: allowed (or as the parent says).
    std::optional<bool> additional;
    std::string extends;  // "base" (its latest version) or "base@1.0"; empty after resolve_schema
    std::vector<SchemaField> fields;  // in the order written
    // Set by resolve_schema: the schemas flattened into this one, nearest parent first ("base@1.0").
    std::vector<std::string> inherits;
    std::string source;       // the YAML text it was parsed from
    std::string source_name;  // the file name or the name given to parse_schema

    std::string id() const { return name + "@" + version; }
    bool is_strict() const noexcept { return strict.value_or(true); }
    bool allows_additional() const noexcept { return additional.value_or(true); }
    const SchemaField* field(std::string_view key) const noexcept;
    bool operator==(const Schema&) const = default;
};

// Parses a schema from YAML text. Throws ValidationError with one violation per problem found:
// field "<source_name>:<line>:<column>: <yaml path>" (e.g. "mx.yaml:14:12: fields.energy.unit"),
// value the offending text, rule what is wrong and what is expected. YAML syntax errors, unknown
// keys, bad types, units, patterns and paths, and defaults that break their own field's rules are
// all reported this way. A schema that extends another is checked as far as it can be alone;
// resolve_schema checks the rest.
DATATRAIL_API Schema parse_schema(std::string_view yaml, std::string_view source_name = "<schema>");
// Reads and parses a file; the file name is the source name. A file that cannot be read is a
// ValidationError naming it.
DATATRAIL_API Schema load_schema(const std::filesystem::path& path);

// Orders schema versions by their numbers, component by component: 1.2 < 1.10 < 2. When the
// numbers are equal the shorter one comes first (1 < 1.0), so 0 means the same text. Throws
// ValidationError naming "version" for a string that is not a schema version. (compare_versions in
// activity.hpp orders program versions, which may have suffixes such as 2.0rc1.)
DATATRAIL_API int compare_schema_versions(std::string_view a, std::string_view b);
DATATRAIL_API bool is_valid_schema_name(std::string_view name) noexcept;
DATATRAIL_API bool is_valid_schema_version(std::string_view version) noexcept;

// Finds a schema by name and version (empty: the latest), as written; nullopt when there is none.
using SchemaLookup = std::function<std::optional<Schema>(const std::string& name, const std::string& version)>;

// Flattens `schema` and the chain of schemas it extends into one schema without `extends`:
// the parent's fields first, then the child's; a child's field with a parent's key overrides
// the attributes it writes and inherits the rest. Description, applies_to (list by list),
// strict and additional come from the child unless it leaves them unset. Throws ValidationError
// naming the chain ("a@1 -> b@2") for an unknown parent or a cycle, and for fields whose merged
// rules contradict each other (a default that breaks an inherited maximum). A schema that
// extends nothing comes back as it is, once its fields are checked (as parse_schema does; a
// schema built in code gets the same checks here).
DATATRAIL_API Schema resolve_schema(const Schema& schema, const SchemaLookup& lookup);

// The content of a schema as JSON text with sorted keys, without its source text: YAML formatting,
// comments and the order of keys in mappings do not change it, so two schemas with the same id
// and a different canonical text are different schemas (a Conflict), the same text a harmless re-add.
DATATRAIL_API std::string canonical_json(const Schema& schema);

// The outcome of checking a dataset against a schema.
struct SchemaCheck {
    // As it should be stored: defaults filled in, values converted into `unit:`. A value its field
    // cannot hold (another type, a unit missing, unknown or of another dimension) is left out,
    // so that every value stored under a key stays comparable; its violation keeps it as text.
    Metadata metadata;
    std::vector<Violation> violations;
    bool strict = true;  // the schema's is_strict()

    bool ok() const noexcept { return violations.empty(); }
    // A strict schema refuses a dataset with violations; a lenient one accepts it (and the
    // violations should be kept with it).
    bool accepted() const noexcept { return ok() || !strict; }
};

// Checks `dataset` against a resolved schema (one that extends nothing; throws Error otherwise):
// every field rule on dataset.metadata, and applies_to on its kind, techniques and instrument.
// Never throws for bad data: every violation is returned, named "<field>.metadata.<key>",
// "<field>.kind", "<field>.techniques" or "<field>.instrument", with the value as text (and its
// unit) and a rule that names the schema, e.g. "must be at least 5 keV (schema mx@1.2)".
DATATRAIL_API SchemaCheck check_dataset(const Schema& resolved, const Dataset& dataset,
                                        std::string_view field = "dataset");

// What Catalog::validate found for one dataset.
struct SchemaReport {
    std::string dataset;  // its PID
    std::string schema;   // the schema checked against, "name@version"; empty: the dataset names none
    std::vector<Violation> violations;

    bool ok() const noexcept { return violations.empty(); }
    bool operator==(const SchemaReport&) const = default;
};

}  // namespace datatrail
