#include "store/postgres/pq.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

namespace datatrail::detail::pq {
namespace {

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

// libpq's own messages span lines with tab indents; one line reads better in a log.
std::string one_line(std::string_view s) {
    std::string out;
    bool space = false;
    for (const char c : trim(s)) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = true;
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// The first words of a statement, whitespace folded: enough to recognise it in a message,
// short enough for a log line. Values never appear in it: they travel as parameters.
std::string first_words(std::string_view sql) {
    constexpr std::size_t max_words = 8;
    constexpr std::size_t max_chars = 80;
    std::string out;
    std::size_t words = 0;
    std::size_t i = 0;
    while (i < sql.size()) {
        while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
        if (i == sql.size()) break;
        std::size_t end = i;
        while (end < sql.size() && !std::isspace(static_cast<unsigned char>(sql[end]))) ++end;
        if (words == max_words || (!out.empty() && out.size() + 1 + (end - i) > max_chars)) return out + " …";
        if (!out.empty()) out += ' ';
        out.append(sql.substr(i, end - i));
        ++words;
        i = end;
    }
    return out;
}

std::string field(const PGresult* r, int code) {
    const char* v = PQresultErrorField(r, code);
    return v ? std::string(trim(v)) : std::string();
}

[[noreturn]] void throw_failure(const PGresult* r, PGconn* conn, std::string_view sql) {
    const std::string statement = first_words(sql);
    std::string primary = r ? field(r, PG_DIAG_MESSAGE_PRIMARY) : std::string();
    std::string sqlstate = r ? field(r, PG_DIAG_SQLSTATE) : std::string();
    if (primary.empty()) {
        // Failed in libpq before or without the server's say (connection lost, out of memory).
        std::string message = one_line(r ? PQresultErrorMessage(r) : "");
        if (message.empty() && conn) message = one_line(PQerrorMessage(conn));
        if (message.empty()) message = "no reason given";
        throw Failure(fmt::format("PostgreSQL failed running `{}`: {}", statement, message), std::move(sqlstate));
    }
    std::string message = fmt::format("PostgreSQL refused `{}`: {} [SQLSTATE {}]", statement, primary, sqlstate);
    if (const std::string detail = field(r, PG_DIAG_MESSAGE_DETAIL); !detail.empty()) message += " Detail: " + detail;
    if (const std::string hint = field(r, PG_DIAG_MESSAGE_HINT); !hint.empty()) message += " Hint: " + hint;
    throw Failure(message, std::move(sqlstate));
}

// A library has no business printing on its host's stderr, which is what libpq does with
// NOTICE and WARNING messages by default.
void ignore_notice(void*, const char*) {}

// Where the value of `key=value` or `key = 'value'` ends in a keyword/value conninfo, from
// `start`, the value's first character; quoted values may hold spaces and \' escapes.
std::size_t end_of_keyword_value(std::string_view s, std::size_t start) {
    std::size_t i = start;
    if (i < s.size() && s[i] == '\'') {
        for (++i; i < s.size(); ++i) {
            if (s[i] == '\\' && i + 1 < s.size()) {
                ++i;
            } else if (s[i] == '\'') {
                return i + 1;
            }
        }
        return s.size();
    }
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
    return std::min(i, s.size());
}

bool is_secret(std::string_view key) { return key == "password" || key == "sslpassword"; }

std::string redact_uri(std::string_view uri, std::size_t after_scheme) {
    std::string out(uri.substr(0, after_scheme));
    const std::size_t authority_end = std::min(uri.find_first_of("/?", after_scheme), uri.size());
    std::string_view authority = uri.substr(after_scheme, authority_end - after_scheme);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        std::string_view user_info = authority.substr(0, at);
        if (const auto colon = user_info.find(':'); colon != std::string_view::npos) {
            out.append(user_info.substr(0, colon)).append(":***");
        } else {
            out.append(user_info);
        }
        authority.remove_prefix(at);
    }
    out.append(authority);
    std::string_view rest = uri.substr(authority_end);
    const auto query = rest.find('?');
    out.append(rest.substr(0, query));
    if (query == std::string_view::npos) return out;
    rest.remove_prefix(query + 1);
    out += '?';
    bool first = true;
    while (true) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        if (!first) out += '&';
        first = false;
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && is_secret(pair.substr(0, eq)))
            out.append(pair.substr(0, eq)).append("=***");
        else
            out.append(pair);
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return out;
}

std::string redact_keywords(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t key_start = i;
        while (i < s.size() && s[i] != '=' && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        const std::string_view key = s.substr(key_start, i - key_start);
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i == s.size() || s[i] != '=') {
            out.append(s.substr(key_start, i - key_start));
            continue;
        }
        ++i;
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        const std::size_t value_end = end_of_keyword_value(s, i);
        out.append(s.substr(key_start, i - key_start));
        out.append(is_secret(key) ? std::string_view("***") : s.substr(i, value_end - i));
        i = value_end;
        const std::size_t space_start = i;
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        out.append(s.substr(space_start, i - space_start));
    }
    return out;
}

const char* isolation_sql(Isolation level) {
    switch (level) {
        case Isolation::read_committed: return "BEGIN ISOLATION LEVEL READ COMMITTED";
        case Isolation::repeatable_read: return "BEGIN ISOLATION LEVEL REPEATABLE READ";
        case Isolation::serializable: return "BEGIN ISOLATION LEVEL SERIALIZABLE";
    }
    return "BEGIN";
}

}  // namespace

Failure::Failure(const std::string& message, std::string sqlstate)
    : StorageError(message), sqlstate_(std::move(sqlstate)) {}

std::string redact_conninfo(std::string_view conninfo) {
    for (std::string_view scheme : {"postgresql://", "postgres://"})
        if (conninfo.substr(0, scheme.size()) == scheme) return redact_uri(conninfo, scheme.size());
    return redact_keywords(conninfo);
}

// ---- Params ------------------------------------------------------------------------------

void Params::end_value() { buffer_.push_back('\0'); }

Params& Params::add(std::nullptr_t) {
    offsets_.push_back(-1);
    return *this;
}

Params& Params::add(bool v) {
    offsets_.push_back(static_cast<std::ptrdiff_t>(buffer_.size()));
    buffer_.append(v ? "true" : "false");
    end_value();
    return *this;
}

Params& Params::add_integer(std::int64_t v, bool as_unsigned) {
    char text[24];
    const auto r = as_unsigned ? std::to_chars(text, text + sizeof text, static_cast<std::uint64_t>(v))
                               : std::to_chars(text, text + sizeof text, v);
    offsets_.push_back(static_cast<std::ptrdiff_t>(buffer_.size()));
    buffer_.append(text, r.ptr);
    end_value();
    return *this;
}

Params& Params::add(double v) {
    offsets_.push_back(static_cast<std::ptrdiff_t>(buffer_.size()));
    if (std::isnan(v)) {
        buffer_.append("NaN");
    } else if (std::isinf(v)) {
        buffer_.append(v > 0 ? "Infinity" : "-Infinity");
    } else {
        // to_chars without a precision writes the shortest text that parses back to v exactly.
        char text[32];
        const auto r = std::to_chars(text, text + sizeof text, v);
        buffer_.append(text, r.ptr);
    }
    end_value();
    return *this;
}

Params& Params::add(std::string_view v) {
    if (v.find('\0') != std::string_view::npos)
        throw StorageError(fmt::format("parameter ${} holds a NUL byte, which PostgreSQL text cannot store", size() + 1));
    offsets_.push_back(static_cast<std::ptrdiff_t>(buffer_.size()));
    buffer_.append(v);
    end_value();
    return *this;
}

void Params::clear() noexcept {
    buffer_.clear();
    offsets_.clear();
    pointers_.clear();
}

const char* const* Params::values() const {
    // Built here, not in add(): the buffer may move while it grows.
    pointers_.resize(offsets_.size());
    for (std::size_t i = 0; i < offsets_.size(); ++i)
        pointers_[i] = offsets_[i] < 0 ? nullptr : buffer_.data() + offsets_[i];
    return pointers_.data();
}

// ---- Result ------------------------------------------------------------------------------

Result::~Result() { PQclear(r_); }

Result::Result(Result&& other) noexcept : r_(other.r_) { other.r_ = nullptr; }

Result& Result::operator=(Result&& other) noexcept {
    if (this != &other) {
        PQclear(r_);
        r_ = other.r_;
        other.r_ = nullptr;
    }
    return *this;
}

Result Result::checked(PGresult* result, PGconn* conn, std::string_view sql) {
    Result owned(result);
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) return owned;
    if (status != PGRES_FATAL_ERROR && status != PGRES_NONFATAL_ERROR)
        throw Failure(fmt::format("PostgreSQL answered `{}` with {}, which these wrappers do not handle (COPY?)",
                                  first_words(sql), PQresStatus(status)),
                      "");
    throw_failure(result, conn, sql);
}

int Result::rows() const noexcept { return r_ ? PQntuples(r_) : 0; }
int Result::columns() const noexcept { return r_ ? PQnfields(r_) : 0; }

void Result::check_cell(int row, int col) const {
    if (row < 0 || row >= rows() || col < 0 || col >= columns())
        throw StorageError(fmt::format("no cell at row {}, column {} in a result of {} rows and {} columns", row, col,
                                       rows(), columns()));
}

void Result::bad_value(int row, int col, std::string_view expected) const {
    const char* name = PQfname(r_, col);
    if (PQgetisnull(r_, row, col))
        throw StorageError(fmt::format("column '{}' is NULL in row {}, where {} was expected", name, row, expected));
    throw StorageError(fmt::format("column '{}' holds '{}' in row {}, not {}", name, PQgetvalue(r_, row, col), row,
                                   expected));
}

bool Result::is_null(int row, int col) const {
    check_cell(row, col);
    return PQgetisnull(r_, row, col) != 0;
}

std::string_view Result::text(int row, int col) const {
    check_cell(row, col);
    return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))};
}

std::int64_t Result::int64(int row, int col) const {
    const std::string_view t = text(row, col);
    std::int64_t v = 0;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size()) bad_value(row, col, "a 64-bit integer");
    return v;
}

double Result::float64(int row, int col) const {
    const std::string_view t = text(row, col);
    double v = 0;
    // from_chars reads PostgreSQL's NaN, Infinity and -Infinity as well as numbers.
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size()) bad_value(row, col, "a number");
    return v;
}

bool Result::boolean(int row, int col) const {
    const std::string_view t = text(row, col);
    if (t == "t") return true;
    if (t == "f") return false;
    bad_value(row, col, "a boolean");
}

std::int64_t Result::affected_rows() const {
    const char* n = r_ ? PQcmdTuples(r_) : "";
    std::int64_t v = 0;
    std::from_chars(n, n + std::strlen(n), v);
    return v;
}

std::string_view Result::command_status() const noexcept { return r_ ? PQcmdStatus(r_) : ""; }

// ---- Connection --------------------------------------------------------------------------

Connection::Connection(const std::string& conninfo) : target_(redact_conninfo(conninfo)) {
    // The conninfo is expanded first and the later keywords override it: text in and out is
    // UTF-8 whatever the server's or the environment's default, and the server's view of the
    // client has a name unless the conninfo gives its own.
    const char* keywords[] = {"dbname", "client_encoding", "fallback_application_name", nullptr};
    const char* values[] = {conninfo.c_str(), "UTF8", "datatrail", nullptr};
    conn_ = PQconnectdbParams(keywords, values, 1);
    if (!conn_) throw StorageError(fmt::format("cannot connect to PostgreSQL at '{}': out of memory", target_));
    if (PQstatus(conn_) != CONNECTION_OK) {
        const std::string reason = one_line(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw StorageError(fmt::format("cannot connect to PostgreSQL at '{}': {}", target_, reason));
    }
    PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
    try {
        // A server or role configured with fewer float digits would round doubles on the way
        // out; any value above 0 asks for the shortest exact text (PostgreSQL 12 and later).
        exec("SET extra_float_digits = 3");
    } catch (...) {
        PQfinish(conn_);
        throw;
    }
}

Connection::~Connection() { PQfinish(conn_); }

Result Connection::exec(std::string_view sql) {
    const std::string text(sql);
    return Result::checked(PQexec(conn_, text.c_str()), conn_, sql);
}

Result Connection::exec(std::string_view sql, const Params& params) {
    const std::string text(sql);
    return Result::checked(
        PQexecParams(conn_, text.c_str(), params.size(), nullptr, params.values(), nullptr, nullptr, 0), conn_, sql);
}

Result Connection::exec_cached(std::string_view sql, const Params& params) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
        std::string name = fmt::format("datatrail_{}", next_statement_);
        std::string text(sql);
        // Types left to the server (nullptr): it infers each parameter's from where it is used.
        Result::checked(PQprepare(conn_, name.c_str(), text.c_str(), params.size(), nullptr), conn_, sql);
        ++next_statement_;
        it = prepared_.emplace(std::move(text), std::move(name)).first;
    }
    return Result::checked(
        PQexecPrepared(conn_, it->second.c_str(), params.size(), params.values(), nullptr, nullptr, 0), conn_, sql);
}

void Connection::exec_nothrow(const char* sql) noexcept { PQclear(PQexec(conn_, sql)); }

Connection::State Connection::state() const noexcept {
    if (PQstatus(conn_) != CONNECTION_OK) return State::broken;
    switch (PQtransactionStatus(conn_)) {
        case PQTRANS_IDLE: return State::idle;
        case PQTRANS_INTRANS: return State::in_transaction;
        case PQTRANS_INERROR: return State::failed_transaction;
        case PQTRANS_ACTIVE: return State::busy;
        case PQTRANS_UNKNOWN: break;
    }
    return State::broken;
}

void Connection::poll() noexcept {
    // The server's goodbye is an error message and then the end of the stream; libpq notices
    // the end only on a read that finds nothing more, so read while the socket has something.
    for (int reads = 0; reads < 8 && PQstatus(conn_) == CONNECTION_OK; ++reads) {
        pollfd fd{PQsocket(conn_), POLLIN, 0};
        if (fd.fd < 0 || ::poll(&fd, 1, 0) <= 0) break;
        if (!PQconsumeInput(conn_)) break;
        while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
    }
}

int Connection::backend_pid() const noexcept { return PQbackendPID(conn_); }

// ---- Transaction -------------------------------------------------------------------------

Transaction::Transaction(Connection& conn, Isolation isolation) : conn_(conn) {
    // PostgreSQL has no nested transactions: a second BEGIN would only warn, and this object's
    // ROLLBACK would then undo the outer transaction's work.
    if (conn_.state() != Connection::State::idle)
        throw StorageError("cannot begin a transaction: the connection is not idle (a transaction is already open on it, "
                           "or it is lost)");
    conn_.exec(isolation_sql(isolation));
}

Transaction::~Transaction() {
    if (done_) return;
    const auto state = conn_.state();
    if (state == Connection::State::in_transaction || state == Connection::State::failed_transaction)
        conn_.exec_nothrow("ROLLBACK");
}

void Transaction::commit() {
    // Whatever COMMIT answers, the transaction is over: the destructor has nothing to undo.
    done_ = true;
    const Result r = conn_.exec("COMMIT");
    if (r.command_status() == "ROLLBACK")
        throw StorageError(
            "PostgreSQL rolled the transaction back instead of committing it: a statement in it had failed");
}

// ---- Pool --------------------------------------------------------------------------------

Pool::Pool(std::string conninfo, PoolOptions options) : conninfo_(std::move(conninfo)), options_(options) {
    if (options_.size == 0) {
        Violations v;
        v.add("pool size", "0", "a connection pool needs at least 1 connection");
        v.throw_if_any();
    }
    // Never more idle connections than open ones: give_back() can then push without allocating.
    idle_.reserve(options_.size);
}

Pool::~Pool() = default;

Pool::Lease Pool::acquire() {
    std::unique_lock lock(mutex_);
    while (true) {
        while (!idle_.empty()) {
            std::unique_ptr<Connection> conn = std::move(idle_.back());
            idle_.pop_back();
            lock.unlock();
            conn->poll();
            if (conn->state() == Connection::State::idle) return Lease(this, std::move(conn));
            conn.reset();  // closed while it sat in the pool; closing is I/O, so outside the lock
            lock.lock();
            --open_;
        }
        if (open_ < options_.size) break;
        const bool free = available_.wait_for(lock, options_.wait, [&] { return !idle_.empty() || open_ < options_.size; });
        if (!free)
            throw StorageError(fmt::format(
                "no PostgreSQL connection became free within {} ms: all {} of the pool's connections stayed in use "
                "(does a thread hold one while it waits for another?)",
                options_.wait.count(), options_.size));
    }
    ++open_;
    lock.unlock();
    try {
        return Lease(this, std::make_unique<Connection>(conninfo_));
    } catch (...) {
        lock.lock();
        --open_;
        lock.unlock();
        available_.notify_one();
        throw;
    }
}

std::size_t Pool::open_connections() const {
    std::lock_guard lock(mutex_);
    return open_;
}

void Pool::give_back(std::unique_ptr<Connection> conn) noexcept {
    const bool reusable = conn->state() == Connection::State::idle;
    if (!reusable) conn.reset();
    {
        std::lock_guard lock(mutex_);
        if (reusable)
            idle_.push_back(std::move(conn));
        else
            --open_;
    }
    available_.notify_one();
}

Pool::Lease::Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {}

Pool::Lease& Pool::Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        release();
        pool_ = other.pool_;
        conn_ = std::move(other.conn_);
    }
    return *this;
}

Pool::Lease::~Lease() { release(); }

void Pool::Lease::release() noexcept {
    if (conn_) pool_->give_back(std::move(conn_));
}

// ---- retry -------------------------------------------------------------------------------

void pause_before_retry(int attempt) {
    thread_local std::minstd_rand random{std::random_device{}()};
    // 2 ms doubling up to 128 ms, each drawn from half to one and a half times that.
    const double base_ms = 2.0 * static_cast<double>(1 << std::clamp(attempt - 1, 0, 6));
    std::uniform_real_distribution<double> spread(0.5 * base_ms, 1.5 * base_ms);
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(spread(random)));
}

void throw_gave_up(const Failure& last, int attempts) {
    throw Failure(fmt::format("gave up after {} attempts: {}", attempts, last.what()), last.sqlstate());
}

}  // namespace datatrail::detail::pq
