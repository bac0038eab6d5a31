#pragma once
// Private RAII wrappers over the SQLite C API: one checked call per C call, errors carry the
// SQL and SQLite's message, destructors never throw.
#include <datatrail/error.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace datatrail::sqlite {

// StorageError with SQLite's extended code, so callers can tell a constraint from an I/O error.
class Failure : public StorageError {
public:
    Failure(const std::string& message, int code) : StorageError(message), code_(code) {}
    int code() const noexcept { return code_; }
    bool is_constraint() const noexcept;
    bool is_busy() const noexcept;

private:
    int code_;
};

class Statement {
public:
    Statement(sqlite3* db, std::string_view sql, bool persistent);
    ~Statement();
    Statement(Statement&&) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;

    // Binding is 1-based, like SQLite.
    Statement& bind(int i, std::nullptr_t);
    Statement& bind(int i, std::int64_t v);
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, double v);
    Statement& bind(int i, std::string_view v);  // copied; an empty string binds as text, not NULL
    // Not copied: `v` must stay alive until the statement is stepped and reset, which a Cached
    // loan ends with. For the hot paths, where the rows outlive the loan.
    Statement& bind_ref(int i, std::string_view v);
    Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
    Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    template <class T>
    Statement& bind(int i, const std::optional<T>& v) {
        return v ? bind(i, *v) : bind(i, nullptr);
    }
    // NULL when empty: for optional text references.
    Statement& bind_text_or_null(int i, std::string_view v);

    // true while a row is available.
    bool step();
    // Runs a statement that returns no rows.
    void exec();
    // Ready to step again; bindings stay, so a loop rebinds every parameter it uses.
    void reset() noexcept;
    // reset() and every parameter back to NULL.
    void clear() noexcept;

    bool is_null(int col) const;
    std::int64_t column_int(int col) const;
    double column_double(int col) const;
    std::string column_text(int col) const;
    std::optional<std::int64_t> column_optional_int(int col) const;
    std::optional<double> column_optional_double(int col) const;
    int column_type(int col) const;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB, SQLITE_NULL

    std::string_view sql() const noexcept;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// A cached statement on loan: cleared when the loan ends, so an unfinished SELECT never keeps a
// read snapshot open on the connection and no binding outlives the data it points to.
class Cached {
public:
    explicit Cached(Statement& s) noexcept : s_(&s) {}
    ~Cached() { s_->clear(); }
    Cached(const Cached&) = delete;
    Cached& operator=(const Cached&) = delete;
    Statement* operator->() const noexcept { return s_; }
    Statement& operator*() const noexcept { return *s_; }

private:
    Statement* s_;
};

class Database {
public:
    Database(const std::string& path, int busy_timeout_ms, bool read_only);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    sqlite3* handle() const noexcept { return db_; }
    void exec(std::string_view sql);
    // A prepared statement kept for reuse across calls, on loan until the Cached goes.
    Cached cached(std::string_view sql);
    Statement prepare(std::string_view sql) { return Statement(db_, sql, false); }
    std::int64_t last_insert_rowid() const noexcept;
    int changes() const noexcept;
    bool in_transaction() const noexcept;

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN IMMEDIATE (takes the write lock up front, so a busy catalogue waits in one place);
// rolls back in the destructor unless committed.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

// Throws Failure for a non-OK result code, naming what was being done.
void check(sqlite3* db, int rc, std::string_view what);

}  // namespace datatrail::sqlite
