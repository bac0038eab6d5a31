#pragma once
// The exception tree. Every failure the library reports is a datatrail::Error;
// bad input is a ValidationError that carries every violation found, not just the first.
#include <datatrail/export.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace datatrail {

// One broken rule: which field, what value it had, which rule it broke.
struct Violation {
    std::string field;  // e.g. "datasets[3].metadata.energy"
    std::string value;  // the offending value as text
    std::string rule;   // e.g. "unit must be known to UDUNITS-2 or a datatrail alias"

    bool operator==(const Violation&) const = default;
};

class DATATRAIL_API Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Input broke one or more rules; nothing was written.
class DATATRAIL_API ValidationError : public Error {
public:
    explicit ValidationError(std::vector<Violation> violations);
    const std::vector<Violation>& violations() const noexcept { return violations_; }

private:
    std::vector<Violation> violations_;
};

// A unit that UDUNITS-2 cannot parse, or of the wrong dimension.
class DATATRAIL_API UnitError : public ValidationError {
public:
    using ValidationError::ValidationError;
};

// Looked up by PID or name and not there.
class DATATRAIL_API NotFound : public Error {
public:
    using Error::Error;
};

// The write would clash with what the catalogue holds (a duplicate PID or name, or a merge whose
// records differ from the catalogue's). differences() lists each clash, when there are several:
// field names the record and its field, value is the incoming value, rule says what it clashes
// with.
class DATATRAIL_API Conflict : public Error {
public:
    using Error::Error;
    Conflict(const std::string& message, std::vector<Violation> differences)
        : Error(message), differences_(std::move(differences)) {}
    const std::vector<Violation>& differences() const noexcept { return differences_; }

private:
    std::vector<Violation> differences_;
};

// A query string that does not parse; position() is the 0-based offset of the problem.
class DATATRAIL_API QuerySyntaxError : public Error {
public:
    QuerySyntaxError(const std::string& message, std::string query, std::size_t position);
    const std::string& query() const noexcept { return query_; }
    std::size_t position() const noexcept { return position_; }

private:
    std::string query_;
    std::size_t position_;
};

// The storage backend failed (I/O, a locked database past the busy timeout, corruption,
// a catalogue written by a newer datatrail).
class DATATRAIL_API StorageError : public Error {
public:
    using Error::Error;
};

// Reading or writing a NeXus/HDF5 file failed.
class DATATRAIL_API NexusError : public Error {
public:
    using Error::Error;
};

// Collects violations while checking an input, then throws them together.
class DATATRAIL_API Violations {
public:
    void add(std::string field, std::string value, std::string rule);
    // A violation about a unit; if every violation is one, throw_if_any() throws UnitError.
    void add_unit(std::string field, std::string value, std::string rule);
    bool empty() const noexcept { return items_.empty(); }
    const std::vector<Violation>& items() const noexcept { return items_; }
    void throw_if_any();

private:
    std::vector<Violation> items_;
    bool only_units_ = true;
};

}  // namespace datatrail
