#include "catalog/validate.hpp"

#include "units/units_cache.hpp"

#include <datatrail/pid.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

namespace datatrail::detail {
namespace {

std::string join_field(std::string_view prefix, std::string_view name) {
    if (prefix.empty()) return std::string(name);
    return fmt::format("{}.{}", prefix, name);
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }



void check_name(const std::string& name, std::string_view field, Violations& out) {
    if (blank(name)) out.add(std::string(field), name, "must not be empty");
    else if (name.size() > 1024) out.add(std::string(field), name.substr(0, 40) + "...", "must be at most 1024 characters");
}

// Years 1 to 9999: what ISO 8601's four digits and Python's datetime can both hold.
bool representable(Timestamp t) {
    const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
    return ymd.year() >= std::chrono::year{1} && ymd.year() <= std::chrono::year{9999};
}

constexpr std::string_view time_range_rule = "must be between the years 1 and 9999";

void check_time(const std::optional<Timestamp>& t, std::string_view prefix, std::string_view name, Violations& out) {
    if (t && !representable(*t)) out.add(join_field(prefix, name), format_time(*t), std::string(time_range_rule));
}

void check_times(const std::optional<Timestamp>& start, const std::optional<Timestamp>& end, std::string_view prefix,
                 Violations& out) {
    check_time(start, prefix, "start_time", out);
    check_time(end, prefix, "end_time", out);
    if (start && end && *end < *start)
        out.add(join_field(prefix, "end_time"), format_time(*end),
                fmt::format("must not be before start_time ({})", format_time(*start)));
}

bool is_hex64(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

void check_email(const std::string& email, const std::string& field, Violations& out) {
    const auto at = email.find('@');
    if (!email.empty() &&
        (at == 0 || at == std::string::npos || at + 1 == email.size() || email.find_first_of(" \t") != std::string::npos))
        out.add(field, email, "must be an e-mail address like name@example.org");
}

void check_orcid(const std::string& orcid, const std::string& field, Violations& out) {
    if (!orcid.empty() && !is_valid_orcid(orcid))
        out.add(field, orcid, "must be an ORCID iD like 0000-0002-1825-0097 with a valid check digit");
}

// True when a relative path has a ".." component.
bool escapes_root(std::string_view path) {
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = std::min(path.find('/', start), path.size());
        if (path.substr(start, end - start) == "..") return true;
        start = end + 1;
    }
    return false;
}

std::string json_array(const auto& values) { return nlohmann::json(values).dump(); }

}  // namespace

void check_text(std::string_view value, std::string_view field, Violations& out) {
    if (value.find('\0') == std::string_view::npos) return;
    std::string shown;
    for (const char c : value.substr(0, 80)) shown += c == '\0' ? std::string("\\0") : std::string(1, c);
    out.add(std::string(field), shown, "must not contain a NUL character");
}

void check_texts(std::initializer_list<std::pair<std::string, std::string_view>> texts, Violations& out) {
    for (const auto& [field, value] : texts) check_text(value, field, out);
}

std::string_view value_class(ValueType type) noexcept {
    switch (type) {
        case ValueType::integer:
        case ValueType::floating: return "number";
        case ValueType::string: return "string";
        case ValueType::boolean: return "bool";
        case ValueType::datetime: return "datetime";
        case ValueType::json: return "json";
        case ValueType::integer_array:
        case ValueType::float_array:
        case ValueType::string_array: return "array";
    }
    return "unknown";
}

void check_pid(const std::string& pid, std::string_view field, Violations& out) {
    if (!pid.empty() && !is_valid_pid(pid))
        out.add(std::string(field), pid,
                "must be '<prefix>/<suffix>': a prefix of letters, digits, '.', '_' or '-', then a suffix without "
                "spaces");
}

bool is_valid_orcid(std::string_view orcid) noexcept {
    // 16 digits in groups of four; the last may be X. ISO 7064 MOD 11-2 check digit.
    if (orcid.size() != 19) return false;
    int total = 0;
    for (std::size_t i = 0, digit = 0; i < orcid.size(); ++i) {
        const char c = orcid[i];
        if (i % 5 == 4) {
            if (c != '-') return false;
            continue;
        }
        ++digit;
        if (digit == 16) {
            const int expected = (12 - total % 11) % 11;
            return expected == 10 ? (c == 'X') : (c == '0' + expected);
        }
        if (c < '0' || c > '9') return false;
        total = (total + (c - '0')) * 2;
    }
    return false;
}

std::vector<MetadataRow> normalize_metadata(const Metadata& metadata, std::string_view field, Violations& out) {
    std::vector<MetadataRow> rows;
    rows.reserve(metadata.size());
    for (const auto& [key, mv] : metadata) {
        // The field's name is built only when a rule is broken: this loop is the hot path of
        // registration.
        const auto f = [&] { return join_field(field, key); };
        if (!is_valid_metadata_key(key)) {
            out.add(f(), key, "key must be dotted identifiers: letters, digits and '_', e.g. detector.distance");
            continue;
        }
        // (check_text builds nothing unless the text holds a NUL.)
        if (mv.unit.find('\0') != std::string::npos) check_text(mv.unit, join_field(f(), "unit"), out);
        if (const auto* text = std::get_if<std::string>(&mv.value.variant()); text && text->find('\0') != std::string::npos)
            check_text(*text, f(), out);
        if (const auto* json = std::get_if<Json>(&mv.value.variant()); json && json->text.find('\0') != std::string::npos)
            check_text(json->text, f(), out);
        if (const auto* items = std::get_if<std::vector<std::string>>(&mv.value.variant()))
            for (std::size_t i = 0; i < items->size(); ++i)
                if ((*items)[i].find('\0') != std::string::npos) check_text((*items)[i], fmt::format("{}[{}]", f(), i), out);
        MetadataRow row;
        row.key = key;
        row.type = mv.value.type();
        row.unit = mv.unit;
        row.uncertainty = mv.uncertainty;
        const auto& v = mv.value;
        const bool numeric = v.is_number() || v.is<std::vector<std::int64_t>>() || v.is<std::vector<double>>();
        if (!mv.unit.empty() && !numeric)
            out.add(f(), fmt::format("{} {}", v.to_string(), mv.unit),
                    fmt::format("a unit is allowed only on numbers and numeric arrays, not on a {}", to_string(v.type())));
        if (mv.uncertainty && (!v.is_number() || !std::isfinite(*mv.uncertainty) || *mv.uncertainty < 0))
            out.add(join_field(f(), "uncertainty"), fmt::format("{}", *mv.uncertainty),
                    "must be a finite number >= 0, on a number");
        const units::SiConversion* unit = nullptr;
        if (numeric) {
            unit = units::find_unit(mv.unit);
            if (!unit)
                out.add_unit(f(), fmt::format("{} {}", v.to_string(), mv.unit),
                             fmt::format("unit '{}' is unknown: use a UDUNITS-2 unit (e.g. keV, mm, degC) or one of "
                                         "deg, pixel, counts, photons",
                                         mv.unit));
        }
        std::visit(
            [&](const auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, std::string>) {
                    row.value = x;
                } else if constexpr (std::is_same_v<T, std::int64_t>) {
                    row.value = x;
                    if (unit) row.si = unit->to_si(static_cast<double>(x)), row.si_unit = unit->si_unit;
                } else if constexpr (std::is_same_v<T, double>) {
                    row.value = x;
                    if (!std::isfinite(x)) out.add(f(), fmt::format("{}", x), "must be a finite number");
                    else if (unit) row.si = unit->to_si(x), row.si_unit = unit->si_unit;
                } else if constexpr (std::is_same_v<T, bool>) {
                    row.value = std::int64_t{x ? 1 : 0};
                } else if constexpr (std::is_same_v<T, Timestamp>) {
                    if (!representable(x)) out.add(f(), format_time(x), std::string(time_range_rule));
                    row.value = format_time(x);
                    row.si = std::chrono::duration<double>(x.time_since_epoch()).count();
                    row.si_unit = datetime_si_unit;
                } else if constexpr (std::is_same_v<T, Json>) {
                    if (!nlohmann::json::accept(x.text))
                        out.add(f(), x.text.substr(0, 80), "must be a valid JSON document");
                    row.value = x.text;
                } else if constexpr (std::is_same_v<T, std::vector<double>>) {
                    for (double d : x)
                        if (!std::isfinite(d)) {
                            out.add(f(), fmt::format("{}", d), "array elements must be finite numbers");
                            break;
                        }
                    row.value = json_array(x);
                    if (unit) row.si_unit = unit->si_unit;
                } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
                    row.value = json_array(x);
                    if (unit) row.si_unit = unit->si_unit;
                } else {
                    row.value = json_array(x);
                }
            },
            v.variant());
        rows.push_back(std::move(row));
    }
    return rows;
}

void check_instrument(const Instrument& instrument, Violations& out) {
    check_pid(instrument.pid, "instrument.pid", out);
    check_name(instrument.name, "instrument.name", out);
    check_texts({{"instrument.name", instrument.name}, {"instrument.facility", instrument.facility},
                 {"instrument.type", instrument.type}},
                out);
}

void check_investigation(const Investigation& inv, Violations& out) {
    check_pid(inv.pid, "investigation.pid", out);
    check_name(inv.name, "investigation.name", out);
    check_times(inv.start_time, inv.end_time, "investigation", out);
    check_time(inv.release_date, "investigation", "release_date", out);
    check_texts({{"investigation.name", inv.name}, {"investigation.title", inv.title},
                 {"investigation.summary", inv.summary}, {"investigation.instrument", inv.instrument},
                 {"investigation.doi", inv.doi}},
                out);
    for (std::size_t i = 0; i < inv.participants.size(); ++i) {
        const auto& p = inv.participants[i];
        const std::string f = fmt::format("investigation.participants[{}]", i);
        check_texts({{f + ".name", p.name}, {f + ".role", p.role}, {f + ".orcid", p.orcid}, {f + ".email", p.email}}, out);
        check_name(p.name, f + ".name", out);
        check_orcid(p.orcid, f + ".orcid", out);
        check_email(p.email, f + ".email", out);
    }
    if (!inv.doi.empty()) {
        const auto slash = inv.doi.find('/');
        bool ok = inv.doi.starts_with("10.") && slash != std::string::npos && slash > 3 && slash + 1 < inv.doi.size() &&
                  inv.doi.find_first_of(" \t") == std::string::npos;
        if (ok)
            for (std::size_t i = 3; i < slash; ++i)
                if (!(std::isdigit(static_cast<unsigned char>(inv.doi[i])) || inv.doi[i] == '.')) ok = false;
        if (!ok) out.add("investigation.doi", inv.doi, "must be a DOI like 10.15151/ESRF-ES-123456 (no 'https://doi.org/')");
    }
}

void check_sample(const Sample& sample, std::string_view field, Violations& out) {
    check_pid(sample.pid, join_field(field, "pid"), out);
    check_name(sample.name, join_field(field, "name"), out);
    check_texts({{join_field(field, "name"), sample.name}, {join_field(field, "description"), sample.description},
                 {join_field(field, "formula"), sample.formula}, {join_field(field, "investigation"), sample.investigation},
                 {join_field(field, "parent"), sample.parent}},
                out);
}

void check_files(const std::vector<Datafile>& files, std::string_view field, Violations& out) {
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const auto& file = files[i];
        const auto f = [&](const char* part) { return fmt::format("{}[{}].{}", field, i, part); };
        if (blank(file.path)) {
            out.add(f("path"), file.path, "must not be empty");
            continue;
        }
        if (file.path.front() == '/' || escapes_root(file.path))
            out.add(f("path"), file.path, "must be relative to the dataset location, without '..'");
        if (!seen.insert(file.path).second) out.add(f("path"), file.path, "must be unique within the dataset");
        if (!file.sha256.empty() && !is_hex64(file.sha256))
            out.add(f("sha256"), file.sha256, "must be 64 lowercase hexadecimal digits");
        check_texts({{f("path"), file.path}, {f("format"), file.format}}, out);
    }
}

void check_file_lookup(const std::string& path, const std::string& sha256, Violations& out) {
    if (path.empty() && sha256.empty()) {
        out.add("path", path, "path or sha256 must be given (both empty)");
        return;
    }
    if (!path.empty()) {
        if (path.find('\0') != std::string::npos)
            out.add("path", path, "must not contain a NUL character");
        else if (path.front() != '/')
            out.add("path", path, "must be an absolute path");
        else if (std::filesystem::path(path).lexically_normal().filename().empty())
            out.add("path", path, "must name a file, not a folder");
    }
    if (!sha256.empty() && !is_hex64(sha256)) out.add("sha256", sha256, "must be 64 lowercase hexadecimal digits");
}

void check_dataset(const Dataset& d, std::string_view field, Violations& out) {
    if (!d.pid.empty()) check_pid(d.pid, join_field(field, "pid"), out);
    if (blank(d.name) || d.name.size() > 1024) check_name(d.name, join_field(field, "name"), out);
    check_times(d.start_time, d.end_time, field, out);
    for (std::size_t i = 0; i < d.keywords.size(); ++i)
        if (blank(d.keywords[i])) out.add(fmt::format("{}[{}]", join_field(field, "keywords"), i), d.keywords[i], "must not be empty");
    for (std::size_t i = 0; i < d.techniques.size(); ++i)
        if (blank(d.techniques[i]))
            out.add(fmt::format("{}[{}]", join_field(field, "techniques"), i), d.techniques[i], "must not be empty");
    if (!d.files.empty()) check_files(d.files, join_field(field, "files"), out);
    // The hot path of registration: the fields' names are built only for a text that has a NUL.
    const auto has_nul = [](std::string_view text) { return text.find('\0') != std::string_view::npos; };
    const std::pair<const char*, const std::string*> texts[] = {
        {"name", &d.name},         {"description", &d.description}, {"investigation", &d.investigation},
        {"instrument", &d.instrument}, {"sample", &d.sample},       {"location", &d.location},
        {"schema", &d.schema},     {"created_by", &d.created_by}};
    for (const auto& [name, text] : texts)
        if (has_nul(*text)) check_text(*text, join_field(field, name), out);
    for (const auto* list : {&d.keywords, &d.techniques})
        for (std::size_t i = 0; i < list->size(); ++i)
            if (has_nul((*list)[i]))
                check_text((*list)[i], fmt::format("{}[{}]", join_field(field, list == &d.keywords ? "keywords" : "techniques"), i),
                           out);
}

void check_agent(const Agent& agent, Violations& out) {
    check_pid(agent.pid, "agent.pid", out);
    check_name(agent.name, "agent.name", out);
    check_orcid(agent.orcid, "agent.orcid", out);
    check_email(agent.email, "agent.email", out);
    check_texts({{"agent.name", agent.name}, {"agent.orcid", agent.orcid}, {"agent.email", agent.email},
                 {"agent.version", agent.version}, {"agent.url", agent.url}},
                out);
    if (!agent.orcid.empty() && agent.type != AgentType::person)
        out.add("agent.orcid", agent.orcid, fmt::format("is for persons, not for a {} agent", to_string(agent.type)));
}

void check_used(const std::vector<Used>& used, std::string_view field, Violations& out) {
    for (std::size_t i = 0; i < used.size(); ++i) {
        const std::string f = fmt::format("{}[{}]", field, i);
        if (used[i].dataset.empty()) out.add(f + ".dataset", "", "must be the PID of a dataset");
        else check_pid(used[i].dataset, f + ".dataset", out);
        check_texts({{f + ".file", used[i].file}, {f + ".role", used[i].role}}, out);
    }
}

void check_activity(const Activity& a, Violations& out) {
    check_pid(a.pid, "activity.pid", out);
    check_name(a.name, "activity.name", out);
    check_pid(a.parent, "activity.parent", out);
    check_times(a.start_time, a.end_time, "activity", out);
    check_used(a.used, "activity.used", out);
    for (std::size_t i = 0; i < a.agents.size(); ++i) {
        const std::string f = fmt::format("activity.agents[{}]", i);
        if (blank(a.agents[i].agent)) out.add(f + ".agent", a.agents[i].agent, "must not be empty");
        check_texts({{f + ".agent", a.agents[i].agent}, {f + ".role", a.agents[i].role}}, out);
    }
    const auto& e = a.environment;
    check_texts({{"activity.name", a.name}, {"activity.program", a.program}, {"activity.version", a.version},
                 {"activity.host", a.host}, {"activity.command_line", a.command_line}, {"activity.log", a.log},
                 {"activity.created_by", a.created_by}, {"activity.environment.os", e.os},
                 {"activity.environment.user", e.user}, {"activity.environment.source_tree", e.source_tree},
                 {"activity.environment.git_commit", e.git_commit},
                 {"activity.environment.python_version", e.python_version}},
                out);
    for (const auto& [package, version] : e.packages)
        check_texts({{"activity.environment.packages", package}, {"activity.environment.packages." + package, version}},
                    out);
    for (std::size_t i = 0; i < a.informed_by.size(); ++i)
        if (a.informed_by[i].empty()) out.add(fmt::format("activity.informed_by[{}]", i), "", "must be the PID of an activity");
    if (!a.generated.empty())
        out.add("activity.generated", a.generated.front(), "is read back, not written: register outputs with add_outputs");
}

CompiledCondition compile_condition(const MetadataCondition& c, std::string_view field) {
    Violations out;
    CompiledCondition cc;
    cc.key = c.key;
    cc.op = c.op;
    const std::string f = fmt::format("{}.{}", field, c.key);
    if (!is_valid_metadata_key(c.key)) out.add(f, c.key, "key must be dotted identifiers, e.g. detector.distance");
    if (c.op == Comparison::between && !c.upper) out.add(f, c.value.to_string(), "'between' needs an upper bound");
    if (c.op != Comparison::between && c.upper) out.add(f, c.upper->to_string(), "an upper bound goes only with 'between'");
    out.throw_if_any();

    const Value& v = c.value;
    if (v.is_number() || v.is<Timestamp>()) {
        cc.kind = CompiledCondition::Kind::number;
        auto si_of = [&](const Value& x) -> double {
            if (x.is<Timestamp>()) return std::chrono::duration<double>(x.as<Timestamp>().time_since_epoch()).count();
            if (!x.is_number()) {
                out.add(f, x.to_string(), "both bounds must be numbers, or both times");
                return 0;
            }
            return units::require_unit(c.unit, f + " unit").to_si(x.as_double());
        };
        if (v.is<Timestamp>()) {
            if (!c.unit.empty()) out.add(f, c.unit, "a time takes no unit");
            cc.si_unit = datetime_si_unit;
        } else {
            cc.si_unit = units::require_unit(c.unit, f + " unit").si_unit;
        }
        cc.low = si_of(v);
        cc.high = cc.low;
        if (c.op == Comparison::between) {
            cc.high = si_of(*c.upper);
            if (c.upper->is<Timestamp>() != v.is<Timestamp>()) out.add(f, c.upper->to_string(), "both bounds must be of one type");
        } else if (c.op == Comparison::eq || c.op == Comparison::ne) {
            // Equality within rounding: 12.7 keV and 12700 eV reach SI by different arithmetic.
            const double tolerance = cc.si_unit == datetime_si_unit ? 5e-7 : 1e-9 * std::abs(cc.low);
            cc.low -= tolerance;
            cc.high += tolerance;
        }
    } else if (v.is<std::string>()) {
        cc.kind = CompiledCondition::Kind::text;
        cc.text = v.as<std::string>();
        check_text(cc.text, f, out);
        if (c.upper && c.upper->is<std::string>()) check_text(c.upper->as<std::string>(), f, out);
        if (c.op == Comparison::between) {
            if (!c.upper->is<std::string>()) out.add(f, c.upper->to_string(), "both bounds must be strings");
            else cc.text_high = c.upper->as<std::string>();
        }
        if (!c.unit.empty()) out.add(f, c.unit, "a unit goes only with a number");
    } else if (v.is<bool>()) {
        cc.kind = CompiledCondition::Kind::boolean;
        cc.flag = v.as<bool>();
        if (c.op != Comparison::eq && c.op != Comparison::ne) out.add(f, v.to_string(), "true/false compare only with = or !=");
    } else {
        out.add(f, v.to_string(), fmt::format("cannot compare a {}: use a number, string, bool or time", to_string(v.type())));
    }
    out.throw_if_any();
    return cc;
}

}  // namespace datatrail::detail
