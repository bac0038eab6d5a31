#include "bench_support.hpp"

#include <libpq-fe.h>

#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

namespace fs = std::filesystem;

namespace bench {

std::size_t parse_count(std::string_view flag, std::string_view text, std::string_view verb) {
    std::size_t v = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || v == 0)
        throw std::invalid_argument(fmt::format("{} {} a positive integer, not '{}'", flag, verb, text));
    return v;
}

std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

double cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// ---- Scratch places

TempDir::TempDir(std::string_view prefix) {
    std::string templ = (fs::temp_directory_path() / fmt::format("{}XXXXXX", prefix)).string();
    if (!mkdtemp(templ.data())) throw std::runtime_error("cannot create a temporary folder");
    path = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
}

bool is_postgres_uri(std::string_view location) {
    return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

void postgres_exec(const std::string& uri, const std::string& sql) {
    PGconn* c = PQconnectdb(uri.c_str());
    const std::unique_ptr<PGconn, void (*)(PGconn*)> owned(c, PQfinish);
    if (!c || PQstatus(c) != CONNECTION_OK)
        throw std::runtime_error(
            fmt::format("cannot connect to PostgreSQL: {}", c ? PQerrorMessage(c) : "out of memory"));
    PGresult* r = PQexec(c, sql.c_str());
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    const std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    PQclear(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        throw std::runtime_error(fmt::format("PostgreSQL failed `{}`: {}", sql, message));
}

namespace {

// The server's URI with its database replaced by `database`, its query string kept.
std::string with_database(const std::string& uri, const std::string& database) {
    if (!is_postgres_uri(uri))
        throw std::invalid_argument(fmt::format("--uri must be a postgresql:// URI, not '{}'", uri));
    const auto scheme_end = uri.find("://") + 3;
    const auto authority_end = uri.find_first_of("/?", scheme_end);
    const auto query = uri.find('?', scheme_end);
    std::string out = uri.substr(0, authority_end == std::string::npos ? uri.size() : authority_end);
    out += '/' + database;
    if (query != std::string::npos) out += uri.substr(query);
    return out;
}

}  // namespace

ScratchDatabase::ScratchDatabase(const std::string& server_uri, std::string_view name_prefix, std::string_view program)
    : server_uri_(server_uri), program_(program) {
    std::random_device random;
    name_ = fmt::format("{}_{:08x}", name_prefix, random());
    uri_ = with_database(server_uri_, name_);
    postgres_exec(server_uri_, "CREATE DATABASE " + name_);
}

ScratchDatabase::~ScratchDatabase() {
    try {
        postgres_exec(server_uri_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception& e) {
        fmt::print(stderr, "{}: could not drop the scratch database {}: {}\n", program_, name_, e.what());
    }
}

// ---- Describing the run

std::string cpu_model(std::string_view unknown) {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("model name"))
            if (const auto colon = line.find(':'); colon != std::string::npos) {
                auto v = line.substr(colon + 1);
                v.erase(0, v.find_first_not_of(" \t"));
                return v;
            }
    return std::string(unknown);
}

std::string os_name(std::string_view unknown) {
    utsname u{};
    if (uname(&u) != 0) return std::string(unknown);
    return fmt::format("{} {} {}", u.sysname, u.release, u.machine);
}

double memory_gib() {
    const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && size > 0 ? static_cast<double>(pages) * static_cast<double>(size) / (1024.0 * 1024 * 1024) : 0;
}

double load_average() {
    double load[1] = {0};
    return getloadavg(load, 1) == 1 ? load[0] : -1;
}

// ---- Number formats

std::string thousands(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string thousands(double x) { return thousands(static_cast<std::uint64_t>(std::llround(x))); }

std::string ms_text(double ms) {
    if (ms >= 100) return fmt::format("{:.0f}", ms);
    if (ms >= 10) return fmt::format("{:.1f}", ms);
    if (ms >= 1) return fmt::format("{:.2f}", ms);
    return fmt::format("{:.3f}", ms);
}

std::string ratio_text(double r) {
    return r >= 100 ? thousands(static_cast<std::uint64_t>(std::lround(r))) : fmt::format("{:.1f}", r);
}

// ---- docs/benchmarks.md

std::string fold(const std::string& text, std::size_t width) {
    std::istringstream in(text);
    std::string out;
    bool code = false;
    for (std::string line; std::getline(in, line);) {
        const auto content = line.find_first_not_of(' ');
        const bool fence = content != std::string::npos && line.compare(content, 3, "```") == 0;
        if (fence) code = !code;
        if (fence || code || line.size() <= width || line.starts_with("|") || line.starts_with("<!--")) {
            out += line + '\n';
            continue;
        }
        const std::string indent(line.starts_with("- ") ? 2 : 0, ' ');
        std::string current;
        std::istringstream words(line);
        for (std::string word; words >> word;) {
            if (!current.empty() && current.size() + 1 + word.size() > width) {
                out += current + '\n';
                current = indent;
            }
            current += (current.empty() || current == indent ? "" : " ") + word;
        }
        out += current + '\n';
    }
    if (!text.ends_with('\n') && !out.empty()) out.pop_back();
    return out;
}

void write_section(const fs::path& path, const std::string& section) {
    const auto start = section.substr(0, section.find('\n'));
    const auto end = section.substr(section.rfind('\n') + 1);
    std::string text;
    if (std::ifstream in(path); in) {
        std::ostringstream all;
        all << in.rdbuf();
        text = all.str();
    } else {
        text = "# Benchmarks\n\n"
               "Each benchmark measures datatrail against a baseline doing the same work in the same run, and\n"
               "compares the ratio with the target in the design's performance budget. The sections below are\n"
               "generated by the benchmarks themselves; each lives between its own markers, so one benchmark\n"
               "rewrites its section and keeps the rest of this file.\n";
    }
    const auto a = text.find(start);
    const auto b = a == std::string::npos ? std::string::npos : text.find(end, a);
    if (b != std::string::npos) {
        text.replace(a, b + end.size() - a, section);
    } else {
        while (!text.empty() && text.back() == '\n') text.pop_back();
        text += "\n\n" + section + "\n";
    }
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", path.string()));
}

}  // namespace bench
