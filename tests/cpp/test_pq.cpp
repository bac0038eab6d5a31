// The private libpq wrappers (src/store/postgres/pq.hpp) against a real PostgreSQL server: the
// one ctest's postgres fixture starts, or DATATRAIL_TEST_POSTGRES. Each test case has a fresh
// database of its own (test::PostgresDatabase).
#include "store/postgres/pq.hpp"

#include "support.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pq = datatrail::detail::pq;

namespace {

std::string with_parameter(const std::string& uri, const std::string& parameter) {
    return uri + (uri.find('?') == std::string::npos ? "?" : "&") + parameter;
}

std::int64_t count(pq::Connection& c, const std::string& sql) { return c.exec(sql).int64(0, 0); }

// Whether a backend with this process id is still connected, seen from another connection.
bool backend_exists(const std::string& uri, int pid) {
    pq::Connection admin(uri);
    return admin.exec("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pq::Params().add(pid)).int64(0, 0) == 1;
}

// One setting of a libpq URI or conninfo, "" if absent.
std::string conninfo_value(const std::string& conninfo, const std::string& key) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    PQfreemem(error);
    REQUIRE(options);
    std::string value;
    for (PQconninfoOption* o = options; o->keyword; ++o)
        if (key == o->keyword && o->val) value = o->val;
    PQconninfoFree(options);
    return value;
}

void terminate_backend(const std::string& uri, int pid) {
    pq::Connection admin(uri);
    // The timeout makes the call wait until the backend has exited and closed its socket.
    const auto r = admin.exec("SELECT pg_terminate_backend($1, 60000)", pq::Params().add(pid));
    REQUIRE(r.boolean(0, 0));
}

}  // namespace

TEST_CASE("a connection runs statements and reports its state") {
    test::PostgresDatabase db;
    pq::Connection c(db.uri());
    CHECK(c.state() == pq::Connection::State::idle);
    CHECK(c.backend_pid() > 0);
    const auto r = c.exec("SELECT current_database(), 40 + 2, current_setting('client_encoding')");
    CHECK(r.rows() == 1);
    CHECK(r.columns() == 3);
    CHECK(r.text(0, 0) == db.name());
    CHECK(r.int64(0, 1) == 42);
    CHECK(r.text(0, 2) == "UTF8");
    // Several statements at once through the simple protocol; the result is the last one's.
    CHECK(c.exec("CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2); SELECT count(*) FROM t").int64(0, 0) == 2);
    CHECK(c.exec("UPDATE t SET x = x + 1").affected_rows() == 2);
    CHECK(c.exec("DELETE FROM t WHERE x = 2").command_status() == "DELETE 1");
}

TEST_CASE("a failed connection names the target and libpq's reason, never the password") {
    const std::string server = test::postgres_server_uri();

    SUBCASE("URI with a password in the user info and in the query") {
        // Host and port as query parameters: a socket folder has slashes, which the
        // authority part cannot hold.
        std::string uri = "postgresql://" + conninfo_value(server, "user") + ":hunter2@/dt_no_such_database?host=" +
                          conninfo_value(server, "host") + "&password=hunter3";
        if (const std::string port = conninfo_value(server, "port"); !port.empty()) uri += "&port=" + port;
        try {
            pq::Connection c(uri);
            FAIL("connected to a database that does not exist");
        } catch (const datatrail::StorageError& e) {
            const std::string message = e.what();
            CHECK(message.find("cannot connect to PostgreSQL at 'postgresql://" + conninfo_value(server, "user") +
                               ":***@/dt_no_such_database?host=") == 0);
            CHECK(message.find("password=***") != std::string::npos);
            CHECK(message.find("database \"dt_no_such_database\" does not exist") != std::string::npos);
            CHECK(message.find("hunter2") == std::string::npos);
            CHECK(message.find("hunter3") == std::string::npos);
        }
    }
    SUBCASE("key=value string with a quoted password") {
        const std::string conninfo = "dbname=dt_no_such_database host=/nonexistent-datatrail-socket-dir password='hun ter\\'2'";
        try {
            pq::Connection c(conninfo);
            FAIL("connected without a server");
        } catch (const datatrail::StorageError& e) {
            const std::string message = e.what();
            // The whole quoted value went, escaped quote included; the message's own quote follows.
            CHECK(message.find("host=/nonexistent-datatrail-socket-dir password=***': ") != std::string::npos);
            CHECK(message.find("/nonexistent-datatrail-socket-dir/.s.PGSQL.") != std::string::npos);  // libpq's reason
            CHECK(message.find("hun") == std::string::npos);
        }
    }
    SUBCASE("a string libpq cannot parse") {
        CHECK_THROWS_WITH_AS(pq::Connection("postgresql://[::1"), doctest::Contains("cannot connect to PostgreSQL at 'postgresql://[::1'"),
                             datatrail::StorageError);
    }
}

TEST_CASE("redact_conninfo hides passwords in every conninfo form") {
    CHECK(pq::redact_conninfo("postgresql://u:pw@host:5432/db?sslmode=require&password=x&sslpassword=y") ==
          "postgresql://u:***@host:5432/db?sslmode=require&password=***&sslpassword=***");
    CHECK(pq::redact_conninfo("postgres://u@h/db") == "postgres://u@h/db");
    CHECK(pq::redact_conninfo("postgresql:///db?host=/tmp/s&user=u") == "postgresql:///db?host=/tmp/s&user=u");
    CHECK(pq::redact_conninfo("postgresql://u:p@ss@h") == "postgresql://u:***@h");
    CHECK(pq::redact_conninfo("host=h password = 'a b\\' c' user=u") == "host=h password = *** user=u");
    CHECK(pq::redact_conninfo("password=secret dbname=d") == "password=*** dbname=d");
    CHECK(pq::redact_conninfo("dbname=d") == "dbname=d");
}

TEST_CASE("parameters of every kind reach the server exactly and come back exactly") {
    test::PostgresDatabase db;
    pq::Connection c(db.uri());
    c.exec("CREATE TABLE v (i bigint, d double precision, b boolean, s text, n numeric)");

    const std::vector<std::int64_t> ints{0, -1, 1, std::numeric_limits<std::int64_t>::min(),
                                         std::numeric_limits<std::int64_t>::max(), 9007199254740993};
    const std::vector<double> doubles{0.1,
                                      1e-300,
                                      -0.0,
                                      1.0 / 3.0,
                                      std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::lowest(),
                                      123456789.123456789,
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity()};
    const std::vector<std::string> strings{"", "plain", "Å ångström – 測定 🧪", "it's \"quoted\"; DROP TABLE v; --",
                                           "back\\slash\ttab\nnewline"};

    pq::Params p;
    for (const auto i : ints) {
        p.clear();
        c.exec_cached("INSERT INTO v (i) VALUES ($1)", p.add(i));
    }
    for (const double d : doubles) {
        p.clear();
        // The server compares with its own parse of the shortest text: equal means it holds
        // exactly our double, not just something that prints the same.
        const auto r = c.exec("INSERT INTO v (d) VALUES ($1) RETURNING d = $2::float8, d::text", p.add(d).add(d));
        CHECK(r.boolean(0, 0));
    }
    for (const bool b : {true, false}) {
        p.clear();
        c.exec_cached("INSERT INTO v (b) VALUES ($1)", p.add(b));
    }
    for (const auto& s : strings) {
        p.clear();
        c.exec_cached("INSERT INTO v (s) VALUES ($1)", p.add(s));
    }
    p.clear();
    c.exec("INSERT INTO v (n, s) VALUES ($1, $2)", p.add(std::numeric_limits<std::uint64_t>::max()).add(std::string_view("u64")));
    p.clear();
    const std::optional<std::int64_t> no_int;
    const std::optional<std::string> no_text;
    const std::optional<double> some_double = 2.5;
    c.exec("INSERT INTO v (i, d, b, s) VALUES ($1, $2, $3, $4)", p.add(no_int).add(some_double).add(nullptr).add(no_text));

    const auto r = c.exec("SELECT i FROM v WHERE i IS NOT NULL ORDER BY i");
    std::vector<std::int64_t> back_ints;
    for (int row = 0; row < r.rows(); ++row) back_ints.push_back(r.int64(row, 0));
    auto sorted_ints = ints;
    std::sort(sorted_ints.begin(), sorted_ints.end());
    CHECK(back_ints == sorted_ints);

    for (const double d : doubles) {
        p.clear();
        const auto found = c.exec("SELECT d FROM v WHERE d = $1", p.add(d));
        REQUIRE(found.rows() == 1);
        // Bits, not ==: -0.0 == 0.0 would pass even if the sign were lost.
        CHECK(std::bit_cast<std::uint64_t>(found.float64(0, 0)) == std::bit_cast<std::uint64_t>(d));
    }
    p.clear();
    const auto nan = c.exec("SELECT $1::float8, $1::float8::text", p.add(std::numeric_limits<double>::quiet_NaN()));
    CHECK(std::isnan(nan.float64(0, 0)));
    CHECK(nan.text(0, 1) == "NaN");

    CHECK(c.exec("SELECT b FROM v WHERE b").boolean(0, 0));
    CHECK_FALSE(c.exec("SELECT b FROM v WHERE NOT b").boolean(0, 0));

    for (const auto& s : strings) {
        p.clear();
        const auto found = c.exec("SELECT s FROM v WHERE s = $1", p.add(s));
        REQUIRE(found.rows() == 1);
        CHECK(found.text(0, 0) == s);
        CHECK_FALSE(found.is_null(0, 0));  // the empty string is text, not NULL
    }
    CHECK(c.exec("SELECT n::text FROM v WHERE s = 'u64'").text(0, 0) == "18446744073709551615");

    const auto nulls = c.exec("SELECT i, d, b, s FROM v WHERE d = 2.5");
    CHECK(nulls.is_null(0, 0));
    CHECK_FALSE(nulls.is_null(0, 1));
    CHECK(nulls.is_null(0, 2));
    CHECK(nulls.is_null(0, 3));
    CHECK(nulls.text(0, 3).empty());
}

TEST_CASE("bad parameters and bad reads are errors that say what is wrong") {
    test::PostgresDatabase db;
    pq::Connection c(db.uri());
    pq::Params p;
    p.add(1);
    CHECK_THROWS_WITH_AS(p.add(std::string_view("a\0b", 3)),
                         "parameter $2 holds a NUL byte, which PostgreSQL text cannot store", datatrail::StorageError);
    CHECK(p.size() == 1);  // the refused value was not added

    const auto r = c.exec("SELECT NULL::bigint AS missing, 'abc' AS word, 'yes' AS answer, 1.5::float8 AS half");
    CHECK_THROWS_WITH_AS(r.int64(0, 0), "column 'missing' is NULL in row 0, where a 64-bit integer was expected",
                         datatrail::StorageError);
    CHECK_THROWS_WITH_AS(r.int64(0, 1), "column 'word' holds 'abc' in row 0, not a 64-bit integer", datatrail::StorageError);
    CHECK_THROWS_WITH_AS(r.int64(0, 3), "column 'half' holds '1.5' in row 0, not a 64-bit integer", datatrail::StorageError);
    CHECK_THROWS_WITH_AS(r.float64(0, 1), "column 'word' holds 'abc' in row 0, not a number", datatrail::StorageError);
    CHECK_THROWS_WITH_AS(r.boolean(0, 2), "column 'answer' holds 'yes' in row 0, not a boolean", datatrail::StorageError);
    CHECK_THROWS_WITH_AS(r.text(1, 0), "no cell at row 1, column 0 in a result of 1 rows and 4 columns",
                         datatrail::StorageError);
    CHECK_THROWS_AS(r.is_null(0, 4), datatrail::StorageError);
    CHECK(r.float64(0, 3) == 1.5);

    // A statement the server rejects: its first words, the server's message, the SQLSTATE.
    CHECK_THROWS_WITH_AS(c.exec("SELECT no_such_column FROM pg_class WHERE relname = 'x' AND relkind = 'r' ORDER BY 1"),
                         "PostgreSQL refused `SELECT no_such_column FROM pg_class WHERE relname = 'x' …`: "
                         "column \"no_such_column\" does not exist [SQLSTATE 42703]",
                         pq::Failure);
}

TEST_CASE("a cached statement is prepared once per connection and reused") {
    test::PostgresDatabase db;
    pq::Connection c(db.uri());
    c.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL)");
    const std::string insert = "INSERT INTO items (id, name) VALUES ($1, $2)";
    pq::Params p;
    for (int i = 1; i <= 3; ++i) {
        p.clear();
        c.exec_cached(insert, p.add(i).add("item " + std::to_string(i)));
    }
    CHECK(c.cached_statements() == 1);
    const auto prepared = c.exec("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements");
    REQUIRE(prepared.rows() == 1);
    CHECK(prepared.text(0, 0) == insert);
    CHECK(prepared.int64(0, 1) == 3);  // three executions of the one prepared statement

    CHECK(c.exec_cached("SELECT count(*) FROM items").int64(0, 0) == 3);
    CHECK(c.cached_statements() == 2);

    SUBCASE("a statement first prepared in a transaction that rolled back stays usable") {
        {
            pq::Transaction t(c);
            c.exec_cached("SELECT name FROM items WHERE id = $1", pq::Params().add(1));
        }
        CHECK(c.exec_cached("SELECT name FROM items WHERE id = $1", pq::Params().add(2)).text(0, 0) == "item 2");
        CHECK(c.cached_statements() == 3);
    }
    SUBCASE("a statement that fails to prepare is not cached") {
        CHECK_THROWS_AS(c.exec_cached("SELECT nothing FROM nowhere"), pq::Failure);
        CHECK(c.cached_statements() == 2);
    }
}

TEST_CASE("a transaction rolls back in its destructor unless committed") {
    test::PostgresDatabase db;
    pq::Connection a(db.uri());
    pq::Connection b(db.uri());
    a.exec("CREATE TABLE t (x int)");

    {
        pq::Transaction t(a);
        a.exec("INSERT INTO t VALUES (1)");
        CHECK(a.state() == pq::Connection::State::in_transaction);
        CHECK(count(a, "SELECT count(*) FROM t") == 1);
    }
    CHECK(a.state() == pq::Connection::State::idle);
    CHECK(count(b, "SELECT count(*) FROM t") == 0);

    try {
        pq::Transaction t(a, pq::Isolation::repeatable_read);
        a.exec("INSERT INTO t VALUES (2)");
        a.exec("INSERT INTO t VALUES ('not a number')");
        FAIL("the second insert should have failed");
    } catch (const pq::Failure& e) {
        CHECK(e.sqlstate() == "22P02");
    }
    CHECK(a.state() == pq::Connection::State::idle);
    CHECK(count(b, "SELECT count(*) FROM t") == 0);

    {
        pq::Transaction t(a, pq::Isolation::serializable);
        CHECK(a.exec("SHOW transaction_isolation").text(0, 0) == "serializable");
        a.exec("INSERT INTO t VALUES (3)");
        t.commit();
    }
    CHECK(a.state() == pq::Connection::State::idle);
    CHECK(count(b, "SELECT count(*) FROM t WHERE x = 3") == 1);

    // No nesting: the inner object's ROLLBACK would undo the outer transaction's work.
    pq::Transaction outer(a);
    a.exec("INSERT INTO t VALUES (4)");
    CHECK_THROWS_WITH_AS(pq::Transaction{a},
                         "cannot begin a transaction: the connection is not idle (a transaction is already open on "
                         "it, or it is lost)",
                         datatrail::StorageError);
    CHECK(a.state() == pq::Connection::State::in_transaction);
    outer.commit();
    CHECK(count(b, "SELECT count(*) FROM t WHERE x = 4") == 1);
}

TEST_CASE("committing a transaction in which a statement failed is an error, not a silent rollback") {
    test::PostgresDatabase db;
    pq::Connection c(db.uri());
    c.exec("CREATE TABLE t (x int)");
    pq::Transaction t(c);
    c.exec("INSERT INTO t VALUES (1)");
    CHECK_THROWS_AS(c.exec("SELECT 1 / 0"), pq::Failure);
    CHECK(c.state() == pq::Connection::State::failed_transaction);
    CHECK_THROWS_WITH_AS(t.commit(),
                         "PostgreSQL rolled the transaction back instead of committing it: a statement in it had failed",
                         datatrail::StorageError);
    CHECK(c.state() == pq::Connection::State::idle);
    CHECK(count(c, "SELECT count(*) FROM t") == 0);
}

TEST_CASE("constraint violations are told apart by their SQLSTATE") {
    test::PostgresDatabase db;
    pq::Connection c(db.uri());
    c.exec("CREATE TABLE parents (id bigint PRIMARY KEY, name text)");
    c.exec("CREATE TABLE children (id bigint PRIMARY KEY, parent bigint NOT NULL REFERENCES parents (id))");
    const std::string insert = "INSERT INTO parents (id, name) VALUES ($1, $2)";
    c.exec_cached(insert, pq::Params().add(1).add("first"));
    try {
        c.exec_cached(insert, pq::Params().add(1).add("confidential-name"));
        FAIL("a duplicate key was accepted");
    } catch (const pq::Failure& e) {
        CHECK(e.is_unique_violation());
        CHECK_FALSE(e.is_foreign_key_violation());
        CHECK_FALSE(e.is_transient());
        CHECK(e.sqlstate() == "23505");
        CHECK(std::string(e.what()) ==
              "PostgreSQL refused `INSERT INTO parents (id, name) VALUES ($1, $2)`: duplicate key value violates "
              "unique constraint \"parents_pkey\" [SQLSTATE 23505] Detail: Key (id)=(1) already exists.");
    }
    try {
        c.exec("INSERT INTO children (id, parent) VALUES ($1, $2)", pq::Params().add(1).add(99));
        FAIL("a dangling reference was accepted");
    } catch (const pq::Failure& e) {
        CHECK(e.is_foreign_key_violation());
        CHECK_FALSE(e.is_unique_violation());
        CHECK(std::string(e.what()).find("Key (parent)=(99) is not present in table \"parents\".") != std::string::npos);
    }
}

namespace {

// Write skew, the anomaly SERIALIZABLE exists to prevent: each transaction reads both rows and
// takes one doctor off call if two are on call, so run side by side both would, leaving none.
void make_rota(pq::Connection& c) {
    c.exec("CREATE TABLE doctors (name text PRIMARY KEY, on_call boolean NOT NULL);"
           "INSERT INTO doctors VALUES ('alice', true), ('bob', true)");
}

std::int64_t on_call(pq::Connection& c) { return count(c, "SELECT count(*) FROM doctors WHERE on_call"); }

void go_off_call(pq::Connection& c, const char* name) {
    c.exec_cached("UPDATE doctors SET on_call = false WHERE name = $1", pq::Params().add(name));
}

}  // namespace

TEST_CASE("SERIALIZABLE transactions that would skew fail with a serialization failure") {
    test::PostgresDatabase db;
    pq::Connection a(db.uri());
    pq::Connection b(db.uri());
    make_rota(a);

    std::vector<std::string> failures;
    {
        std::optional<pq::Transaction> ta(std::in_place, a, pq::Isolation::serializable);
        std::optional<pq::Transaction> tb(std::in_place, b, pq::Isolation::serializable);
        // Each step of a transaction that already failed is skipped: it is over.
        auto step = [&](std::optional<pq::Transaction>& t, auto&& f) {
            if (!t) return;
            try {
                f();
            } catch (const pq::Failure& e) {
                failures.push_back(e.sqlstate());
                t.reset();
            }
        };
        std::int64_t seen_by_a = 0;
        std::int64_t seen_by_b = 0;
        step(ta, [&] { seen_by_a = on_call(a); });
        step(tb, [&] { seen_by_b = on_call(b); });
        CHECK(seen_by_a == 2);
        CHECK(seen_by_b == 2);
        step(ta, [&] { go_off_call(a, "alice"); });
        step(tb, [&] { go_off_call(b, "bob"); });
        step(ta, [&] { ta->commit(); });
        step(tb, [&] { tb->commit(); });
    }
    CHECK(failures == std::vector<std::string>{"40001"});
    pq::Connection check(db.uri());
    CHECK(on_call(check) == 1);
}

TEST_CASE("retry runs a transaction again after a serialization failure") {
    test::PostgresDatabase db;
    pq::Connection a(db.uri());
    pq::Connection b(db.uri());
    make_rota(a);

    int attempts = 0;
    const std::int64_t seen = pq::retry(
        [&] {
            ++attempts;
            pq::Transaction tb(b, pq::Isolation::serializable);
            const std::int64_t n = on_call(b);
            if (attempts == 1) {
                // Another transaction does the same between b's read and b's write, and commits.
                pq::Transaction ta(a, pq::Isolation::serializable);
                if (on_call(a) == 2) go_off_call(a, "alice");
                ta.commit();
            }
            if (n == 2) go_off_call(b, "bob");
            tb.commit();
            return n;
        },
        5);
    CHECK(attempts == 2);
    CHECK(seen == 1);  // the second run saw alice off call and left bob on
    CHECK(on_call(a) == 1);
    CHECK(count(a, "SELECT count(*) FROM doctors WHERE name = 'bob' AND on_call") == 1);
}

TEST_CASE("retry gives up after its bound and says how many attempts it made") {
    test::PostgresDatabase db;
    pq::Connection a(db.uri());
    pq::Connection b(db.uri());
    make_rota(a);

    int attempts = 0;
    try {
        pq::retry(
            [&] {
                ++attempts;
                // The collision happens on every run: both flip a row the other one read.
                pq::Transaction tb(b, pq::Isolation::serializable);
                on_call(b);
                {
                    pq::Transaction ta(a, pq::Isolation::serializable);
                    on_call(a);
                    a.exec("UPDATE doctors SET on_call = NOT on_call WHERE name = 'alice'");
                    ta.commit();
                }
                b.exec("UPDATE doctors SET on_call = NOT on_call WHERE name = 'bob'");
                tb.commit();
            },
            3);
        FAIL("every attempt should have failed");
    } catch (const pq::Failure& e) {
        CHECK(e.is_serialization_failure());
        CHECK(std::string(e.what()).find("gave up after 3 attempts: PostgreSQL refused `") == 0);
    }
    CHECK(attempts == 3);
}

TEST_CASE("retry passes other failures on at once") {
    test::PostgresDatabase db;
    pq::Connection c(db.uri());
    c.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
    int attempts = 0;
    CHECK_THROWS_AS(pq::retry([&] {
                        ++attempts;
                        c.exec("INSERT INTO t VALUES (1)");
                    }),
                    pq::Failure);
    CHECK(attempts == 1);
}

TEST_CASE("a deadlock is reported as one and counts as transient") {
    test::PostgresDatabase db;
    pq::Connection a(db.uri());
    pq::Connection b(db.uri());
    a.exec("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL);"
           "INSERT INTO accounts VALUES (1, 0), (2, 0)");
    auto failure_of = [](pq::Connection& c, int id) -> std::optional<pq::Failure> {
        try {
            c.exec("UPDATE accounts SET balance = balance + 1 WHERE id = $1", pq::Params().add(id));
            return std::nullopt;
        } catch (const pq::Failure& e) {
            return e;
        }
    };
    pq::Transaction ta(a);
    pq::Transaction tb(b);
    REQUIRE_FALSE(failure_of(a, 1));
    REQUIRE_FALSE(failure_of(b, 2));
    // Each now waits for the row the other holds; PostgreSQL breaks the cycle by failing one.
    auto a_takes_2 = std::async(std::launch::async, [&] { return failure_of(a, 2); });
    const std::optional<pq::Failure> b_failure = failure_of(b, 1);
    const std::optional<pq::Failure> a_failure = a_takes_2.get();
    REQUIRE(a_failure.has_value() != b_failure.has_value());
    const pq::Failure& failure = a_failure ? *a_failure : *b_failure;
    CHECK(failure.is_deadlock());
    CHECK(failure.is_transient());
    CHECK(failure.sqlstate() == "40P01");
    CHECK(std::string(failure.what()).find("deadlock detected") != std::string::npos);
}

TEST_CASE("a pool never opens more connections than its size") {
    test::PostgresDatabase db;
    const std::string app = "pq_pool_test";
    pq::Pool pool(with_parameter(db.uri(), "application_name=" + app), {.size = 2, .wait = std::chrono::seconds(60)});
    CHECK(pool.size() == 2);
    CHECK(pool.open_connections() == 0);

    SUBCASE("four threads share two connections") {
        constexpr int threads = 4;
        constexpr int rounds = 25;
        std::atomic<int> done{0};
        std::atomic<std::int64_t> most_seen{0};
        std::mutex errors_mutex;
        std::vector<std::string> errors;
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&] {
                for (int i = 0; i < rounds; ++i) try {
                    auto c = pool.acquire();
                    // Held a little while, so that the other threads have to wait for it.
                    const std::int64_t n =
                        c->exec_cached(
                              "SELECT (SELECT count(*) FROM pg_stat_activity WHERE application_name = $1), "
                              "pg_sleep(0.002)",
                              pq::Params().add(app))
                            .int64(0, 0);
                    std::int64_t seen = most_seen.load();
                    while (n > seen && !most_seen.compare_exchange_weak(seen, n)) {
                    }
                    ++done;
                } catch (const std::exception& e) {
                    std::lock_guard lock(errors_mutex);
                    errors.emplace_back(e.what());
                }
            });
        }
        for (auto& w : workers) w.join();
        CHECK(errors == std::vector<std::string>{});
        CHECK(done == threads * rounds);
        CHECK(most_seen >= 1);
        CHECK(most_seen <= 2);
        CHECK(pool.open_connections() <= 2);
    }
    SUBCASE("with every connection leased, acquire waits and then gives up with a reason") {
        pq::Pool small(db.uri(), {.size = 2, .wait = std::chrono::milliseconds(50)});
        auto first = small.acquire();
        auto second = small.acquire();
        CHECK(first->backend_pid() != second->backend_pid());
        CHECK_THROWS_WITH_AS(small.acquire(),
                             "no PostgreSQL connection became free within 50 ms: all 2 of the pool's connections "
                             "stayed in use (does a thread hold one while it waits for another?)",
                             datatrail::StorageError);
        const int pid = first->backend_pid();
        { auto gone = std::move(first); }
        auto third = small.acquire();  // the connection given back
        CHECK(third->backend_pid() == pid);
        CHECK(small.open_connections() == 2);
    }
}

TEST_CASE("a pool of size 0 is refused") {
    CHECK_THROWS_WITH_AS(pq::Pool("postgresql:///nowhere", {.size = 0}),
                         "invalid pool size = '0': a connection pool needs at least 1 connection",
                         datatrail::ValidationError);
}

TEST_CASE("a pool discards a connection that comes back in any state but idle") {
    test::PostgresDatabase db;
    pq::Pool pool(db.uri(), {.size = 1});
    int pid = 0;
    SUBCASE("a transaction left open") {
        auto c = pool.acquire();
        pid = c->backend_pid();
        c->exec("BEGIN");
        CHECK(c->state() == pq::Connection::State::in_transaction);
    }
    SUBCASE("a COPY left half-done, which these wrappers refuse") {
        auto c = pool.acquire();
        pid = c->backend_pid();
        CHECK_THROWS_WITH_AS(c->exec("COPY (SELECT 1) TO STDOUT"),
                             "PostgreSQL answered `COPY (SELECT 1) TO STDOUT` with PGRES_COPY_OUT, which these "
                             "wrappers do not handle (COPY?)",
                             pq::Failure);
        CHECK(c->state() == pq::Connection::State::busy);
    }
    CHECK(pool.open_connections() == 0);
    auto c = pool.acquire();
    CHECK(c->backend_pid() != pid);
    CHECK(c->state() == pq::Connection::State::idle);
}

TEST_CASE("a connection the server terminated is discarded by the pool, not handed out again") {
    test::PostgresDatabase db;
    pq::Pool pool(db.uri(), {.size = 1});

    SUBCASE("terminated while it sat idle in the pool") {
        int pid = 0;
        {
            auto c = pool.acquire();
            pid = c->backend_pid();
        }
        CHECK(pool.open_connections() == 1);
        terminate_backend(db.uri(), pid);
        auto c = pool.acquire();
        CHECK(c->backend_pid() != pid);
        CHECK(c->exec("SELECT 1").int64(0, 0) == 1);
        CHECK(pool.open_connections() == 1);
        CHECK_FALSE(backend_exists(db.uri(), pid));
    }
    SUBCASE("terminated while leased") {
        int pid = 0;
        {
            auto c = pool.acquire();
            pid = c->backend_pid();
            terminate_backend(db.uri(), pid);
            CHECK_THROWS_AS(c->exec("SELECT 1"), datatrail::StorageError);
            CHECK(c->state() == pq::Connection::State::broken);
        }
        CHECK(pool.open_connections() == 0);
        auto c = pool.acquire();
        CHECK(c->backend_pid() != pid);
        CHECK(c->exec("SELECT 1").int64(0, 0) == 1);
    }
}
