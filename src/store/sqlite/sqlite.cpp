#include "store/sqlite/sqlite.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

namespace datatrail::sqlite {

bool Failure::is_constraint() const noexcept { return (code_ & 0xff) == SQLITE_CONSTRAINT; }
bool Failure::is_busy() const noexcept { return (code_ & 0xff) == SQLITE_BUSY || (code_ & 0xff) == SQLITE_LOCKED; }

void check(sqlite3* db, int rc, std::string_view what) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    const int code = db ? sqlite3_extended_errcode(db) : rc;
    const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_BUSY)
        throw Failure(fmt::format("the catalogue is locked by another writer and stayed locked past the busy timeout "
                                  "while {} (SQLite: {})",
                                  what, message),
                      code);
    throw Failure(fmt::format("SQLite failed while {}: {} (code {})", what, message, code), code);
}

Statement::Statement(sqlite3* db, std::string_view sql, bool persistent) : db_(db) {
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt_, nullptr);
    check(db, rc, fmt::format("preparing `{}`", sql));
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }

std::string_view Statement::sql() const noexcept { return sqlite3_sql(stmt_); }

Statement& Statement::bind(int i, std::nullptr_t) {
    check(db_, sqlite3_bind_null(stmt_, i), "binding NULL");
    return *this;
}
Statement& Statement::bind(int i, std::int64_t v) {
    check(db_, sqlite3_bind_int64(stmt_, i, v), "binding an integer");
    return *this;
}
Statement& Statement::bind(int i, double v) {
    check(db_, sqlite3_bind_double(stmt_, i, v), "binding a float");
    return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
    // SQLITE_TRANSIENT: the caller's buffer may not outlive the step.
    check(db_, sqlite3_bind_text(stmt_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT),
          "binding text");
    return *this;
}
Statement& Statement::bind_ref(int i, std::string_view v) {
    check(db_, sqlite3_bind_text(stmt_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_STATIC),
          "binding text");
    return *this;
}
Statement& Statement::bind_text_or_null(int i, std::string_view v) { return v.empty() ? bind(i, nullptr) : bind(i, v); }

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    const int code = sqlite3_extended_errcode(db_);
    sqlite3_reset(stmt_);
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) check(db_, code, fmt::format("running `{}`", sql()));
    throw Failure(fmt::format("SQLite failed running `{}`: {} (code {})", sql(), sqlite3_errmsg(db_), code), code);
}

void Statement::exec() {
    while (step()) {
    }
}

void Statement::reset() noexcept { sqlite3_reset(stmt_); }

void Statement::clear() noexcept {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int Statement::column_type(int col) const { return sqlite3_column_type(stmt_, col); }
std::int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::column_double(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Statement::column_text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}
std::optional<std::int64_t> Statement::column_optional_int(int col) const {
    if (is_null(col)) return std::nullopt;
    return column_int(col);
}
std::optional<double> Statement::column_optional_double(int col) const {
    if (is_null(col)) return std::nullopt;
    return column_double(col);
}

Database::Database(const std::string& path, int busy_timeout_ms, bool read_only) {
    const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw Failure(fmt::format("cannot open the catalogue '{}': {}", path, message), rc);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Database::~Database() {
    cache_.clear();  // statements must be finalised before the connection closes
    sqlite3_close_v2(db_);
}

void Database::exec(std::string_view sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        const int code = sqlite3_extended_errcode(db_);
        if ((code & 0xff) == SQLITE_BUSY) check(db_, code, fmt::format("running `{}`", sql));
        throw Failure(fmt::format("SQLite failed running `{}`: {}", sql, message), code);
    }
}

Cached Database::cached(std::string_view sql) {
    auto it = cache_.find(std::string(sql));
    if (it == cache_.end()) it = cache_.emplace(std::string(sql), std::make_unique<Statement>(db_, sql, true)).first;
    return Cached(*it->second);
}

std::int64_t Database::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const noexcept { return sqlite3_changes(db_); }
bool Database::in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (!done_ && db_.in_transaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace datatrail::sqlite
