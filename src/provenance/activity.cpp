#include <datatrail/activity.hpp>
#include <datatrail/agent.hpp>
#include <datatrail/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sys/utsname.h>
#include <unistd.h>

namespace datatrail {
namespace {

template <class E, std::size_t N>
E parse_enum(std::string_view text, std::string_view field, const std::array<std::pair<std::string_view, E>, N>& names) {
    std::string allowed;
    for (const auto& [name, value] : names) {
        if (text == name) return value;
        allowed += allowed.empty() ? std::string(name) : ", " + std::string(name);
    }
    throw ValidationError({{std::string(field), std::string(text), "must be one of: " + allowed}});
}

constexpr std::array<std::pair<std::string_view, ActivityType>, 5> activity_types{{
    {"acquisition", ActivityType::acquisition},
    {"processing", ActivityType::processing},
    {"workflow", ActivityType::workflow},
    {"notebook", ActivityType::notebook},
    {"other", ActivityType::other},
}};
constexpr std::array<std::pair<std::string_view, ActivityStatus>, 3> activity_statuses{{
    {"running", ActivityStatus::running},
    {"succeeded", ActivityStatus::succeeded},
    {"failed", ActivityStatus::failed},
}};
constexpr std::array<std::pair<std::string_view, AgentType>, 3> agent_types{{
    {"person", AgentType::person},
    {"software", AgentType::software},
    {"organisation", AgentType::organisation},
}};

template <class E, std::size_t N>
std::string_view name_of(E value, const std::array<std::pair<std::string_view, E>, N>& names) noexcept {
    for (const auto& [name, v] : names)
        if (v == value) return name;
    return "unknown";
}

// Runs a command and returns all it printed, or nothing when it fails. The command is built
// from fixed words and a quoted path only.
std::optional<std::string> output_of(const std::string& command) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) return std::nullopt;
    std::array<char, 4096> buffer{};
    std::string out;
    while (const auto n = fread(buffer.data(), 1, buffer.size(), pipe.get())) out.append(buffer.data(), n);
    if (pclose(pipe.release()) != 0) return std::nullopt;
    return out;
}

// The work tree holding `dir`: the nearest folder upwards with a .git entry (a folder, or a
// file for worktrees and submodules). Found without running git, which most callers lack.
std::optional<std::filesystem::path> work_tree(std::filesystem::path dir) {
    std::error_code ec;
    dir = std::filesystem::absolute(dir, ec);
    if (ec) return std::nullopt;
    for (; !dir.empty(); dir = dir.parent_path()) {
        if (std::filesystem::exists(dir / ".git", ec)) return dir;
        if (dir == dir.root_path()) break;
    }
    return std::nullopt;
}

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

}  // namespace

std::string_view to_string(ActivityType t) noexcept { return name_of(t, activity_types); }
std::string_view to_string(ActivityStatus s) noexcept { return name_of(s, activity_statuses); }
std::string_view to_string(AgentType t) noexcept { return name_of(t, agent_types); }
ActivityType parse_activity_type(std::string_view text, std::string_view field) {
    return parse_enum(text, field, activity_types);
}
ActivityStatus parse_activity_status(std::string_view text, std::string_view field) {
    return parse_enum(text, field, activity_statuses);
}
AgentType parse_agent_type(std::string_view text, std::string_view field) { return parse_enum(text, field, agent_types); }

int compare_versions(std::string_view a, std::string_view b) noexcept {
    // Walk both strings a run at a time: digit runs compare as numbers, other runs as text,
    // and a version that goes on with letters where the other ended is a pre-release (earlier).
    std::size_t i = 0, j = 0;
    auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    auto separator = [](char c) { return c == '.' || c == '-' || c == '_' || c == '+'; };
    while (i < a.size() || j < b.size()) {
        while (i < a.size() && separator(a[i])) ++i;
        while (j < b.size() && separator(b[j])) ++j;
        if (i >= a.size() || j >= b.size()) {
            // "2.0" vs "2.0rc1": the longer one is a pre-release when it goes on with a letter.
            const bool a_left = i < a.size(), b_left = j < b.size();
            if (!a_left && !b_left) return 0;
            const char next = a_left ? a[i] : b[j];
            const bool pre = !digit(next);
            if (a_left) return pre ? -1 : 1;
            return pre ? 1 : -1;
        }
        const bool da = digit(a[i]), db = digit(b[j]);
        std::size_t ie = i, je = j;
        while (ie < a.size() && digit(a[ie]) == da && !separator(a[ie])) ++ie;
        while (je < b.size() && digit(b[je]) == db && !separator(b[je])) ++je;
        auto ra = a.substr(i, ie - i), rb = b.substr(j, je - j);
        if (da && db) {
            while (ra.size() > 1 && ra[0] == '0') ra.remove_prefix(1);
            while (rb.size() > 1 && rb[0] == '0') rb.remove_prefix(1);
            if (ra.size() != rb.size()) return ra.size() < rb.size() ? -1 : 1;
            if (const int c = ra.compare(rb)) return c < 0 ? -1 : 1;
        } else if (da != db) {
            return da ? 1 : -1;  // 1.0.1 > 1.0rc1: a number beats a pre-release tag
        } else if (const int c = ra.compare(rb)) {
            return c < 0 ? -1 : 1;
        }
        i = ie;
        j = je;
    }
    return 0;
}

std::string host_name() {
    std::array<char, 256> name{};
    if (gethostname(name.data(), name.size() - 1) != 0) return "unknown";
    return name.data();
}

Environment capture_environment(const std::filesystem::path& source_tree) {
    Environment e;
    utsname u{};
    if (uname(&u) == 0) e.os = fmt::format("{} {} {}", u.sysname, u.release, u.machine);
    if (const char* user = std::getenv("USER"); user && *user) e.user = user;
    else if (const char* login = getlogin(); login) e.user = login;
    std::error_code ec;
    const auto dir = source_tree.empty() ? std::filesystem::current_path(ec) : source_tree;
    if (ec) return e;
    const auto top = work_tree(dir);
    if (!top) return e;
    e.source_tree = top->string();
    // One git process for both facts: the commit is on the "# branch.oid" header line, and any
    // other line is a change to a tracked file.
    const auto status = output_of("git -C " + shell_quote(top->string()) +
                                  " status --porcelain=v2 --branch --untracked-files=no 2>/dev/null");
    if (!status) return e;
    bool dirty = false;
    std::size_t start = 0;
    while (start < status->size()) {
        const auto end = std::min(status->find('\n', start), status->size());
        const std::string_view line(status->data() + start, end - start);
        if (line.starts_with("# branch.oid ")) {
            const auto oid = line.substr(13);
            if (oid != "(initial)") e.git_commit = std::string(oid);
        } else if (!line.empty() && line.front() != '#') {
            dirty = true;
        }
        start = end + 1;
    }
    e.git_dirty = dirty;
    return e;
}

}  // namespace datatrail
