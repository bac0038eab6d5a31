#pragma once
// What the C++ benchmarks share: the clock, scratch places for their catalogues, the machine
// description and number formats of their reports, the writer of their docs/benchmarks.md
// sections, and the exit codes of their `main`. One copy, so that the benchmarks' reports and
// docs sections cannot drift apart in form.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <initializer_list>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

// ---- The command line

// `text` as a count of at least 1, or std::invalid_argument "<flag> <verb> a positive integer,
// not '<text>'" (bench_register says "needs", the others "must be").
std::size_t parse_count(std::string_view flag, std::string_view text, std::string_view verb = "must be");

// ---- Generated data

// Deterministic, well-mixed 64-bit values: what the benchmarks generate looks random but is the
// same in every run and on both engines.
std::uint64_t mix(std::uint64_t x);

inline double round_to(double v, double step) { return std::round(v / step) * step; }

template <class T>
T pick(std::initializer_list<T> items, std::uint64_t n) {
    return items.begin()[n % items.size()];
}

// ---- The clock

using Clock = std::chrono::steady_clock;

// Wall-clock time is what a user waits for and what the rates report. CPU time of this process
// is reported beside it: on a shared machine it is the steadier of the two, since time spent
// descheduled does not count. (For PostgreSQL it leaves out the server's work, which both sides
// cause alike.)
struct Seconds {
    double wall = 0;
    double cpu = 0;
    // PostgreSQL: CPU time of the server processes serving the run's connections; -1 where it
    // cannot be read (a server on another host). Only bench_register measures it.
    double server_cpu = -1;
};

double cpu_now();

struct Stopwatch {
    Clock::time_point wall = Clock::now();
    double cpu = cpu_now();
    Seconds elapsed() const { return {std::chrono::duration<double>(Clock::now() - wall).count(), cpu_now() - cpu}; }
};

double ms_since(Clock::time_point t);

// 0 for no values, so that a side that did not run reports nothing rather than failing.
double median(std::vector<double> v);

// ---- Scratch places, removed when they go

// A new temporary folder named `prefix` and a random tail, e.g. "datatrail-bench-query-".
class TempDir {
public:
    explicit TempDir(std::string_view prefix);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::filesystem::path path;
};

bool is_postgres_uri(std::string_view location);

// Runs one statement on its own connection; throws with the server's message.
void postgres_exec(const std::string& uri, const std::string& sql);

// A new, empty database on the server `server_uri` points at, named `name_prefix` and a random
// tail, dropped (with any connection still open to it) when this goes. A drop that fails is
// reported on stderr under `program`'s name, not thrown: it runs in a destructor.
class ScratchDatabase {
public:
    ScratchDatabase(const std::string& server_uri, std::string_view name_prefix, std::string_view program);
    ~ScratchDatabase();
    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;
    const std::string& uri() const noexcept { return uri_; }

private:
    std::string server_uri_, name_, uri_, program_;
};

// ---- Describing the run

// The first "model name" of /proc/cpuinfo, or `unknown`.
std::string cpu_model(std::string_view unknown = "unknown CPU");
// "Linux 6.1.0 x86_64", or `unknown`.
std::string os_name(std::string_view unknown = "unknown OS");
double memory_gib();    // 0 if unknown
double load_average();  // over the last minute; -1 if unknown

// ---- Number formats of the reports

std::string thousands(std::uint64_t n);  // 1234567 -> "1,234,567"
std::string thousands(double x);         // rounded to the nearest integer first
// Milliseconds with 3 significant figures, as a reader compares them.
std::string ms_text(double ms);
// A ratio with one decimal below 100, as a whole number with thousands separators above.
std::string ratio_text(double r);

// ---- docs/benchmarks.md

// Prose lines folded at `width` columns at spaces, as the rest of docs/benchmarks.md is written;
// a list item's continuation lines indented under its text. Tables, code blocks (fences may be
// indented) and comments are left as they are: a fold would break them.
std::string fold(const std::string& text, std::size_t width = 100);

// As bench/benchdocs.py's write_section: the text from the section's start marker (its first
// line) to its end marker (its last line) replaced, or the section appended; the file created
// with the common header if missing.
void write_section(const std::filesystem::path& path, const std::string& section);

// ---- main

// `body()`'s exit code; a bad command line (std::invalid_argument) exits 2 and any other failure
// 1, each after a line on stderr naming `program`.
template <class Body>
int guarded_main(std::string_view program, Body&& body) {
    try {
        return body();
    } catch (const std::invalid_argument& e) {
        fmt::print(stderr, "{}: {}\n", program, e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "{}: {}\n", program, e.what());
        return 1;
    }
}

}  // namespace bench
