#pragma once
// Private RAII wrappers over libpq for the PostgreSQL engine: every handle owned by one object,
// every failed call thrown as an exception that names the statement and carries the server's
// SQLSTATE, destructors that never throw. libpq-fe.h stays in pq.cpp, so that the engine's
// headers do not pull libpq into every file that includes them.
//
// Parameters go to the server and results come back in text format. Binary format would need a
// decoder per type in step with the server's internal representations (numeric, timestamps,
// arrays); text is what every type can read and write, an integer or a double parses from it
// in nanoseconds next to a network round trip, and doubles survive it exactly: the client
// writes the shortest text that reads back to the same bits, and each connection asks the
// server to do the same (extra_float_digits).
#include <datatrail/error.hpp>

#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace datatrail::detail::pq {

// What PostgreSQL reported, with its SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html)
// so that callers can tell a duplicate from a conflict worth retrying.
class Failure : public StorageError {
public:
    Failure(const std::string& message, std::string sqlstate);
    // Five characters such as "23505"; empty when the server sent none (a lost connection).
    const std::string& sqlstate() const noexcept { return sqlstate_; }
    bool is_unique_violation() const noexcept { return sqlstate_ == "23505"; }
    bool is_foreign_key_violation() const noexcept { return sqlstate_ == "23503"; }
    bool is_serialization_failure() const noexcept { return sqlstate_ == "40001"; }
    bool is_deadlock() const noexcept { return sqlstate_ == "40P01"; }
    // The transaction lost a race with another one; running it again may well succeed.
    bool is_transient() const noexcept { return is_serialization_failure() || is_deadlock(); }

private:
    std::string sqlstate_;
};

// The parameters $1, $2, ... of one statement, in PostgreSQL's text format. Every value is
// copied into one buffer (libpq wants NUL-terminated text, which a string_view need not be), so
// adding a parameter allocates only when that buffer grows, and a Params reused through
// clear() in a loop stops allocating once it has grown.
class Params {
public:
    Params& add(std::nullptr_t);
    Params& add(bool v);
    Params& add(double v);  // shortest text that reads back to the same double; NaN and infinities too
    template <std::integral T>
        requires(!std::same_as<T, bool>)
    Params& add(T v) {
        if constexpr (std::is_signed_v<T>)
            return add_integer(static_cast<std::int64_t>(v), false);
        else
            return add_integer(static_cast<std::int64_t>(static_cast<std::uint64_t>(v)), true);
    }
    // Refused with a StorageError if it holds a NUL byte, which PostgreSQL text cannot.
    Params& add(std::string_view v);
    Params& add(const std::string& v) { return add(std::string_view(v)); }
    Params& add(const char* v) { return v ? add(std::string_view(v)) : add(nullptr); }
    template <class T>
    Params& add(const std::optional<T>& v) {
        return v ? add(*v) : add(nullptr);
    }

    // Forgets the values but keeps the memory.
    void clear() noexcept;
    int size() const noexcept { return static_cast<int>(offsets_.size()); }
    // One pointer per parameter (nullptr for NULL), as PQexecParams takes them; valid until
    // the next add() or clear().
    const char* const* values() const;

private:
    Params& add_integer(std::int64_t v, bool as_unsigned);
    void end_value();

    std::string buffer_;                // the values, each followed by a NUL
    std::vector<std::ptrdiff_t> offsets_;  // where each value starts in buffer_; -1 for NULL
    mutable std::vector<const char*> pointers_;
};

// A successful result (a failed one is thrown as a Failure before a Result exists). Rows and
// columns count from 0; an accessor given a row or column that is not there, or a NULL or
// malformed value where a number is asked for, throws a StorageError naming the column.
class Result {
public:
    Result() noexcept = default;
    ~Result();
    Result(Result&& other) noexcept;
    Result& operator=(Result&& other) noexcept;
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;

    int rows() const noexcept;
    int columns() const noexcept;
    bool is_null(int row, int col) const;
    // Points into the result: valid while the Result lives. Empty for NULL.
    std::string_view text(int row, int col) const;
    std::int64_t int64(int row, int col) const;
    double float64(int row, int col) const;
    bool boolean(int row, int col) const;
    // Rows an INSERT, UPDATE or DELETE touched (0 for other statements).
    std::int64_t affected_rows() const;
    // The command tag, e.g. "INSERT 0 1" or "ROLLBACK".
    std::string_view command_status() const noexcept;

    // Takes ownership of `result`. Throws a Failure, naming `sql`, unless it is a success; a
    // null result (out of memory, connection lost) takes its message from `conn`.
    static Result checked(pg_result* result, pg_conn* conn, std::string_view sql);

private:
    explicit Result(pg_result* r) noexcept : r_(r) {}
    void check_cell(int row, int col) const;
    [[noreturn]] void bad_value(int row, int col, std::string_view expected) const;

    pg_result* r_ = nullptr;
};

// One connection to a PostgreSQL server. Not for two threads at once: a Pool hands each
// connection to one thread at a time.
class Connection {
public:
    // A libpq URI (postgresql://...) or key=value string. Failing to connect is a StorageError
    // naming the target, password removed, and libpq's reason.
    explicit Connection(const std::string& conninfo);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one or more statements without parameters (the simple query protocol); the result
    // is the last statement's.
    Result exec(std::string_view sql);
    // One statement with parameters, parsed and planned on every call.
    Result exec(std::string_view sql, const Params& params);
    // One statement with parameters, prepared on this connection the first time this exact SQL
    // text is seen and executed from then on without being parsed again.
    Result exec_cached(std::string_view sql, const Params& params = {});
    // For destructors: runs `sql` and ignores whatever happens.
    void exec_nothrow(const char* sql) noexcept;

    enum class State { idle, in_transaction, failed_transaction, busy, broken };
    State state() const noexcept;
    // Reads whatever the server sent while the connection sat idle. A server that closed the
    // connection (shut down, or pg_terminate_backend) is only noticed on reading, so without
    // this a pool would hand out a dead connection and the next statement would fail on it.
    void poll() noexcept;

    int backend_pid() const noexcept;
    std::size_t cached_statements() const noexcept { return prepared_.size(); }
    // The conninfo with any password replaced, for messages.
    const std::string& target() const noexcept { return target_; }
    pg_conn* handle() const noexcept { return conn_; }

private:
    // Lets exec_cached look up a string_view without building a std::string.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };

    pg_conn* conn_ = nullptr;
    std::string target_;
    // SQL text -> the name of its prepared statement on this connection.
    std::unordered_map<std::string, std::string, Hash, std::equal_to<>> prepared_;
    std::size_t next_statement_ = 1;
};

enum class Isolation { read_committed, repeatable_read, serializable };

// BEGIN in the constructor; ROLLBACK in the destructor unless commit() was called, so that an
// exception leaves nothing half-written.
class Transaction {
public:
    explicit Transaction(Connection& conn, Isolation isolation = Isolation::read_committed);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // Throws a Failure if the server refuses (a SERIALIZABLE transaction may fail here), and a
    // StorageError if the transaction had already failed, when PostgreSQL rolls back instead.
    void commit();
    Connection& connection() const noexcept { return conn_; }

private:
    Connection& conn_;
    bool done_ = false;
};

struct PoolOptions {
    std::size_t size = 4;  // at most this many connections open at once
    // How long acquire() waits for a connection when all are leased before it gives up: a
    // thread that holds one lease while waiting for a second could otherwise wait forever.
    std::chrono::milliseconds wait = std::chrono::seconds(30);
};

// A bounded set of connections to one database, shared by threads. A connection is opened when
// one is needed and none is free, up to the bound; beyond it acquire() waits. A connection
// that comes back in any state but idle (a transaction left open or failed, the connection
// lost) is closed instead of being handed out again. Every Lease must end before its Pool.
class Pool {
public:
    explicit Pool(std::string conninfo, PoolOptions options = {});
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // A connection on loan, given back when the Lease goes.
    class Lease {
    public:
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&& other) noexcept;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();
        Connection& operator*() const noexcept { return *conn_; }
        Connection* operator->() const noexcept { return conn_.get(); }

    private:
        friend class Pool;
        Lease(Pool* pool, std::unique_ptr<Connection> conn) noexcept : pool_(pool), conn_(std::move(conn)) {}
        void release() noexcept;

        Pool* pool_;
        std::unique_ptr<Connection> conn_;
    };

    Lease acquire();
    std::size_t size() const noexcept { return options_.size; }
    // Connections open now, leased or idle.
    std::size_t open_connections() const;

private:
    void give_back(std::unique_ptr<Connection> conn) noexcept;

    std::string conninfo_;
    PoolOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::size_t open_ = 0;
};

// Waits a short, random and growing time before attempt `attempt` + 1, so that transactions
// that collided do not collide again in lockstep.
void pause_before_retry(int attempt);
[[noreturn]] void throw_gave_up(const Failure& last, int attempts);

// Runs `fn`, which opens and commits its own transaction, again while it fails with a
// serialisation failure or a deadlock, up to `max_attempts` runs in all; then the last Failure
// is thrown with the number of attempts in its message. Other exceptions pass at once.
template <class Fn>
decltype(auto) retry(Fn&& fn, int max_attempts = 8) {
    for (int attempt = 1;; ++attempt) {
        try {
            return fn();
        } catch (const Failure& e) {
            if (!e.is_transient()) throw;
            if (attempt >= max_attempts) throw_gave_up(e, attempt);
        }
        pause_before_retry(attempt);
    }
}

// The conninfo (URI or key=value) with the values of password and sslpassword replaced by ***.
std::string redact_conninfo(std::string_view conninfo);

}  // namespace datatrail::detail::pq
