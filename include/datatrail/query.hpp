#pragma once
// Filtering datasets: by their fields and by metadata, comparing quantities across units.
//
// Two ways to say what to find, which combine: the query language (query::parse, or
// DatasetQuery::matching) over dataset fields and metadata keys,
//   technique == "MX" and (energy > 12 keV or wavelength < 1 angstrom) and not state == "failed"
// built as a query::Expr tree by the parser or by code (query::key("energy") > Quantity{12, "keV"}),
// and the older filters of DatasetQuery (kind, investigation, where(...) conditions ...). The
// catalogue turns both into one tree and compiles it to parameterised SQL for its engine.
#include <datatrail/dataset.hpp>
#include <datatrail/export.hpp>
#include <datatrail/metadata.hpp>
#include <datatrail/time.hpp>
#include <datatrail/units.hpp>

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace datatrail {

namespace query {

// What a condition tests. `in` holds when the value equals any operand; `glob` matches text
// against a pattern (* any run, ? one character, [abc] one of a set; case-sensitive);
// `exists` holds when the dataset has the metadata key (or the field is set).
enum class Op { eq, ne, lt, le, gt, ge, between, glob, in, exists };

DATATRAIL_API std::string_view to_string(Op op) noexcept;

// A literal of a condition, with its unit for numbers ("12 keV").
struct Operand {
    Value value;
    std::string unit;

    Operand() = default;
    template <class T>
        requires std::constructible_from<Value, T>
    Operand(T&& v, std::string unit_ = {}) : value(std::forward<T>(v)), unit(std::move(unit_)) {}
    Operand(const Quantity& q) : value(q.value), unit(q.unit) {}

    bool operator==(const Operand&) const = default;
};

// A query as a tree: conditions on one field or metadata key, full-text searches, and their
// combinations with and, or and not. Immutable and cheap to copy (nodes are shared).
//
// A condition's key names a dataset field when it is one of
//   pid name description kind state technique keyword investigation instrument sample
//   start (or start_time) end (or end_time) created (or created_at) created_by location schema valid
// and a metadata key otherwise; "metadata.<key>" always names the metadata key <key>.
class DATATRAIL_API Expr {
public:
    enum class Kind { all, condition, text, all_of, any_of, negation };

    // Matches every dataset.
    Expr();

    static Expr condition(std::string key, Op op, std::vector<Operand> operands = {});
    // Full-text search over names, descriptions, keywords, techniques and text metadata: every
    // word must occur; "lyso*" matches words that start with "lyso".
    static Expr text_search(std::string words);
    // The conjunction / disjunction of `children`; all() for none given, the child for one.
    static Expr all_of(std::vector<Expr> children);
    static Expr any_of(std::vector<Expr> children);
    static Expr negation(Expr child);

    Kind kind() const noexcept;
    // A condition's key, operator and operands (two for between, one or more for in, none for
    // exists, one otherwise).
    const std::string& key() const noexcept;
    Op op() const noexcept;
    const std::vector<Operand>& operands() const noexcept;
    // The words of a full-text search.
    const std::string& text() const noexcept;
    // The operands of all_of and any_of (two or more), the one of negation.
    const std::vector<Expr>& children() const noexcept;

    // The query language text of this tree: parse(e.to_string()) == e.
    std::string to_string() const;

    bool operator==(const Expr& other) const;

private:
    struct Node;
    explicit Expr(std::shared_ptr<const Node> node);
    static Expr group(Kind kind, std::vector<Expr> children);
    static const Node& empty_node();
    std::shared_ptr<const Node> node_;
};

DATATRAIL_API Expr operator&&(const Expr& a, const Expr& b);
DATATRAIL_API Expr operator||(const Expr& a, const Expr& b);
DATATRAIL_API Expr operator!(const Expr& a);

// Parses the query language; QuerySyntaxError (with the position and what was expected) if the
// text does not parse. Grammar and examples: docs/query.md.
DATATRAIL_API Expr parse(std::string_view text);

// Builds conditions in code: key("energy") > Quantity{12, "keV"}, key("technique") == "MX".
class DATATRAIL_API Key {
public:
    explicit Key(std::string name) : name_(std::move(name)) {}
    const std::string& name() const noexcept { return name_; }

    Expr operator==(Operand x) const { return Expr::condition(name_, Op::eq, {std::move(x)}); }
    Expr operator!=(Operand x) const { return Expr::condition(name_, Op::ne, {std::move(x)}); }
    Expr operator<(Operand x) const { return Expr::condition(name_, Op::lt, {std::move(x)}); }
    Expr operator<=(Operand x) const { return Expr::condition(name_, Op::le, {std::move(x)}); }
    Expr operator>(Operand x) const { return Expr::condition(name_, Op::gt, {std::move(x)}); }
    Expr operator>=(Operand x) const { return Expr::condition(name_, Op::ge, {std::move(x)}); }
    // Both bounds inclusive; `unit` applies to both.
    Expr between(Value low, Value high, std::string unit = {}) const {
        return Expr::condition(name_, Op::between, {Operand(std::move(low), unit), Operand(std::move(high), unit)});
    }
    Expr glob(std::string pattern) const { return Expr::condition(name_, Op::glob, {Operand(std::move(pattern))}); }
    Expr in(std::vector<Operand> values) const { return Expr::condition(name_, Op::in, std::move(values)); }
    Expr exists() const { return Expr::condition(name_, Op::exists); }

private:
    std::string name_;
};

inline Key key(std::string name) { return Key(std::move(name)); }
inline Expr text(std::string words) { return Expr::text_search(std::move(words)); }

}  // namespace query

enum class Comparison { eq, ne, lt, le, gt, ge, between };

// One test on a metadata value. Numbers are compared after conversion to SI, so
// "energy between 12 and 13 keV" finds a value stored as 12700 eV. Without a unit a number
// is dimensionless. Strings compare as text, booleans by value, datetimes as instants.
struct MetadataCondition {
    std::string key;
    Comparison op = Comparison::eq;
    Value value;
    std::optional<Value> upper;  // with Comparison::between: value <= x <= upper
    std::string unit;

    bool operator==(const MetadataCondition&) const = default;
};

// Parses a conjunction of conditions:
//   energy between 12 and 13 keV and detector.name = "eiger" and temperature < 100 K
// Operators: = == != < <= > >= between..and. Strings in single or double quotes; true/false;
// datetimes as ISO 8601 (2026-11-21T10:00:00Z, quoted or not).
// Throws QuerySyntaxError with the position of the first problem.
DATATRAIL_API std::vector<MetadataCondition> parse_conditions(std::string_view text);

enum class DatasetOrder { created, start_time, name };

struct DatasetQuery {
    std::optional<DatasetKind> kind;
    std::optional<DatasetState> state;
    // false: datasets a lenient schema accepted with violations; true: all others (those a schema
    // accepted without violations, and those naming no schema).
    std::optional<bool> valid;
    std::string investigation;  // PID or name
    std::string instrument;     // PID or name
    std::string sample;         // PID or name
    std::optional<Timestamp> started_after;   // start_time >= this
    std::optional<Timestamp> started_before;  // start_time < this
    std::string name;  // glob pattern: "scan_*", "*_dark", "scan_00[1-5]"
    std::string text;  // full-text search over names, descriptions, keywords and text metadata
    std::string keyword;  // exact keyword
    std::string technique;  // exact technique
    std::vector<MetadataCondition> metadata;
    query::Expr filter;  // the query language's tree; every dataset by default
    DatasetOrder order = DatasetOrder::created;
    // Sort by this dataset field (a name query::Expr knows) or metadata key instead of `order`;
    // numbers sort by value in SI, datasets without the key come first going up, last going down.
    std::string order_by;
    bool descending = false;
    std::size_t limit = 0;  // 0: no limit
    std::size_t offset = 0;

    // Narrows `filter` to what the query language text also matches (query::parse).
    DATATRAIL_API DatasetQuery& matching(std::string_view text);
    DatasetQuery& matching(const query::Expr& expr) {
        filter = filter && expr;
        return *this;
    }
    // Appends parse_conditions(text) to `metadata`.
    DATATRAIL_API DatasetQuery& where(std::string_view text);
    DatasetQuery& where(MetadataCondition c) {
        metadata.push_back(std::move(c));
        return *this;
    }
};

}  // namespace datatrail
