// run_task and its cache key. The key's encoding is Python's (python/datatrail/_cache_key.py and
// tasks.py's _make_key), byte for byte, so that the two languages share one cache: change both
// or neither, and bump the version string with them.
#include <datatrail/error.hpp>
#include <datatrail/pid.hpp>
#include <datatrail/task.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <set>
#include <utility>

namespace datatrail {

namespace {

namespace fs = std::filesystem;

// Metadata keys shared with python/datatrail/tasks.py.
constexpr const char* key_field = "task.cache_key";
constexpr const char* parts_field = "task.key_parts";
constexpr const char* hit_field = "task.cache_hit";
constexpr const char* activity_field = "task.activity";
constexpr std::string_view encoding_version = "datatrail-task-key/1\n";

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), md.data(), &size, EVP_sha256(), nullptr) != 1)
        throw Error("SHA-256 failed in OpenSSL");
    std::string out;
    out.reserve(2 * size);
    for (unsigned int i = 0; i < size; ++i) out += fmt::format("{:02x}", md[i]);
    return out;
}

// ---- the encoding (see _cache_key.py) -----------------------------------------------------------

std::string digest(std::string_view encoded) {
    std::string data(encoding_version);
    data += encoded;
    return sha256_hex(data);
}

// Length-prefixed, so that no concatenation of two values reads as another pair.
std::string sized(std::string_view tag, std::string_view data) {
    return fmt::format("{}{}:{}", tag, data.size(), data);
}

std::string enc_str(std::string_view s) { return sized("s", s); }
std::string enc_int(std::int64_t i) { return fmt::format("i{};", i); }

// Python's float.hex(): "0x1.<13 hex digits>p<exponent>", exact; "nan" for every NaN.
std::string python_float_hex(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const std::string sign = (bits >> 63) ? "-" : "";
    const auto exponent = static_cast<int>((bits >> 52) & 0x7ff);
    const std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
    if (exponent == 0 && mantissa == 0) return sign + "0x0.0p+0";
    const int lead = exponent == 0 ? 0 : 1;
    const int e = exponent == 0 ? -1022 : exponent - 1023;
    return fmt::format("{}0x{}.{:013x}p{}{}", sign, lead, mantissa, e < 0 ? "-" : "+", std::abs(e));
}

std::string enc_float(double x) { return "f" + python_float_hex(x) + ";"; }

std::string enc_seq(std::string_view tag, const std::vector<std::string>& items) {
    std::string all;
    for (const auto& i : items) all += i;
    return sized(tag, all);
}

// A mapping: entries ordered by their encoded key, then value, never by insertion.
std::string enc_map(std::vector<std::pair<std::string, std::string>> entries) {
    std::sort(entries.begin(), entries.end());
    std::string all;
    for (const auto& [k, v] : entries) all += k + v;
    return sized("M", all);
}

std::string enc_str_map(const std::map<std::string, std::string>& m) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& [k, v] : m) entries.emplace_back(enc_str(k), enc_str(v));
    return enc_map(std::move(entries));
}

// datetime.isoformat() of the same instant as an aware datetime in UTC.
std::string enc_time(Timestamp t) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{t - day};
    auto text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                            static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                            hms.minutes().count(), hms.seconds().count());
    if (const auto us = hms.subseconds().count(); us != 0) text += fmt::format(".{:06}", us);
    return sized("t", text + "+00:00");
}

std::string enc_json(const nlohmann::json& j) {
    using T = nlohmann::json::value_t;
    switch (j.type()) {
    case T::null: return "N";
    case T::boolean: return j.get<bool>() ? "T" : "F";
    case T::number_integer: return enc_int(j.get<std::int64_t>());
    case T::number_unsigned: return fmt::format("i{};", j.get<std::uint64_t>());
    case T::number_float: return enc_float(j.get<double>());
    case T::string: return enc_str(j.get_ref<const std::string&>());
    case T::array: {
        std::vector<std::string> items;
        for (const auto& v : j) items.push_back(enc_json(v));
        return enc_seq("[", items);
    }
    case T::object: {
        std::vector<std::pair<std::string, std::string>> entries;
        for (const auto& [k, v] : j.items()) entries.emplace_back(enc_str(k), enc_json(v));
        return enc_map(std::move(entries));
    }
    default: throw Error("a JSON value of this type has no cache-key encoding");
    }
}

template <class T, class F>
std::string enc_list(const std::vector<T>& values, F each) {
    std::vector<std::string> items;
    items.reserve(values.size());
    for (const auto& v : values) items.push_back(each(v));
    return enc_seq("[", items);
}

// A value as the Python value it is read back as: a number with a unit or an uncertainty as the
// tuple (value, unit[, uncertainty]) that Python metadata accepts.
std::string enc_value(const MetadataValue& m) {
    std::string value = std::visit(
        [](const auto& v) -> std::string {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string>) return enc_str(v);
            else if constexpr (std::is_same_v<V, std::int64_t>) return enc_int(v);
            else if constexpr (std::is_same_v<V, double>) return enc_float(v);
            else if constexpr (std::is_same_v<V, bool>) return v ? "T" : "F";
            else if constexpr (std::is_same_v<V, Timestamp>) return enc_time(v);
            else if constexpr (std::is_same_v<V, Json>) return enc_json(nlohmann::json::parse(v.text));
            else if constexpr (std::is_same_v<V, std::vector<std::int64_t>>) return enc_list(v, enc_int);
            else if constexpr (std::is_same_v<V, std::vector<double>>) return enc_list(v, enc_float);
            else return enc_list(v, [](const std::string& s) { return enc_str(s); });
        },
        m.value.variant());
    if (m.uncertainty) return enc_seq("(", {value, enc_str(m.unit), enc_float(*m.uncertainty)});
    if (!m.unit.empty()) return enc_seq("(", {value, enc_str(m.unit)});
    return value;
}

// ---- input content --------------------------------------------------------------------------

std::string dataset_digest(const Dataset& d) {
    const bool checksummed = !d.files.empty() && std::all_of(d.files.begin(), d.files.end(),
                                                             [](const Datafile& f) { return !f.sha256.empty(); });
    if (!checksummed)  // without checksums the content is unknown: the dataset itself is the identity
        return digest(enc_seq("(", {enc_str("dataset"), enc_str(d.pid)}));
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& f : d.files) files.emplace_back(f.path, f.sha256);
    std::sort(files.begin(), files.end());
    return digest(enc_seq("(", {enc_str("dataset-files"), enc_list(files, [](const auto& f) {
                                    return enc_seq("(", {enc_str(f.first), enc_str(f.second)});
                                })}));
}

// os.walk's order, top down: a folder's files sorted, then its subfolders sorted, each in turn.
// A link to a folder is not entered (os.walk does not follow links); a link to a file is hashed
// as the file it names.
void walk(const fs::path& root, const fs::path& folder, std::string& entries) {
    std::vector<std::string> files, folders;
    for (const auto& entry : fs::directory_iterator(folder)) {
        const auto name = entry.path().filename().string();
        if (entry.is_directory()) {
            if (!entry.is_symlink()) folders.push_back(name);
        } else {
            files.push_back(name);
        }
    }
    std::sort(files.begin(), files.end());
    std::sort(folders.begin(), folders.end());
    for (const auto& f : files) {
        const auto full = folder / f;
        entries += enc_seq("(", {enc_str(full.lexically_relative(root).generic_string()), enc_str(sha256_file(full))});
    }
    for (const auto& f : folders) walk(root, folder / f, entries);
}

std::string path_digest(const fs::path& path) {
    std::string content;
    if (fs::is_directory(path)) {
        std::string entries;
        walk(path, path, entries);
        content = digest(entries);
    } else {
        content = sha256_file(path);
    }
    return digest(enc_seq("(", {enc_str("file"), enc_str(content)}));
}

// ---- checking a spec and computing its key --------------------------------------------------

struct Prepared {
    std::vector<TaskInput> inputs;   // names filled in, paths absolute
    std::vector<Dataset> datasets;   // of the inputs naming one, in order
    std::map<std::string, std::string> parameter_digests, input_digests;
    std::string key;
    nlohmann::json parts;
};

bool is_index(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Prepared prepare(const Catalog& catalog, const TaskSpec& spec) {
    Violations out;
    for (const auto& [field, value] : {std::pair{"task.name", &spec.name}, std::pair{"task.program", &spec.program},
                                       std::pair{"task.version", &spec.version}})
        if (value->find_first_not_of(" \t\r\n") == std::string::npos) out.add(field, *value, "must not be empty");
    Prepared p;
    for (const auto& [name, value] : spec.parameters) {
        if (name == "task" || name.starts_with("task.")) {
            out.add("parameters." + name, name, "names under 'task.' are reserved for the task's cache key");
            continue;
        }
        if (!is_valid_metadata_key(name)) {
            out.add("parameters." + name, name, "names must be valid metadata keys (letters, digits, _ and dots)");
            continue;
        }
        try {
            p.parameter_digests[name] = digest(enc_value(value));
        } catch (const std::exception& e) {
            out.add("parameters." + name, value.value.to_string(), fmt::format("must be valid JSON ({})", e.what()));
        }
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < spec.inputs.size(); ++i) {
        auto input = spec.inputs[i];
        if (input.name.empty()) input.name = std::to_string(i);
        const std::string field = "inputs." + input.name;
        if (!names.insert(input.name).second) {
            out.add(field, input.name, "input names must be unique");
            continue;
        }
        if (input.dataset.empty() == input.path.empty()) {
            out.add(field, input.dataset.empty() ? std::string() : input.dataset,
                    "must name either a dataset (its PID) or a path, not both or neither");
            continue;
        }
        if (!input.dataset.empty()) {
            try {
                p.datasets.push_back(catalog.dataset(input.dataset));
            } catch (const NotFound&) {
                out.add(field, input.dataset, "must be a dataset in the catalogue");
                continue;
            }
            p.input_digests[input.name] = dataset_digest(p.datasets.back());
        } else {
            std::error_code ec;
            input.path = fs::absolute(input.path, ec);
            if (ec || !fs::exists(input.path)) {
                out.add(field, spec.inputs[i].path.string(), "must be an existing file or folder");
                continue;
            }
            try {
                p.input_digests[input.name] = path_digest(input.path);
            } catch (const std::exception& e) {
                out.add(field, input.path.string(), fmt::format("must be readable ({})", e.what()));
                continue;
            }
        }
        p.inputs.push_back(std::move(input));
    }
    out.throw_if_any();
    // Names in the key, values as digests: an input's identity (PID or path) is not part of it,
    // its content is (tasks.py's _make_key).
    p.key = digest(enc_seq("(", {enc_str("task"), enc_str(spec.name), enc_str(spec.program), enc_str(spec.version),
                                 enc_str_map(p.parameter_digests), enc_str_map(p.input_digests)}));
    p.parts = {{"task", spec.name}, {"program", spec.program}, {"version", spec.version},
               {"parameters", p.parameter_digests}, {"inputs", nlohmann::json::object()}};
    for (const auto& i : p.inputs)
        p.parts["inputs"][i.name] = {{"dataset", i.dataset}, {"path", i.path.empty() ? "" : i.path.string()},
                                     {"digest", p.input_digests[i.name]}};
    return p;
}

// ---- the cache ------------------------------------------------------------------------------

struct Hit {
    Activity activity;
    std::vector<Dataset> outputs;
};

// The earlier outputs, when every one is still in the catalogue, complete, and its files are on
// disk with the checksums recorded (tasks.py's _output_problems).
std::optional<std::vector<Dataset>> intact_outputs(const Catalog& catalog, const Activity& activity) {
    std::vector<Dataset> outputs;
    for (const auto& pid : activity.generated) {
        Dataset d;
        try {
            d = catalog.dataset(pid);
        } catch (const NotFound&) {
            return std::nullopt;
        }
        if (d.state != DatasetState::complete) return std::nullopt;
        for (const auto& f : d.files) {
            const fs::path file = d.location.empty() ? fs::path(f.path) : fs::path(d.location) / f.path;
            std::error_code ec;
            if (!fs::is_regular_file(file, ec)) return std::nullopt;
            if (!f.sha256.empty() && sha256_file(file) != f.sha256) return std::nullopt;
        }
        outputs.push_back(std::move(d));
    }
    return outputs;
}

std::optional<Hit> find_hit(const Catalog& catalog, const std::string& key) {
    DatasetQuery q;
    MetadataCondition same_key;
    same_key.key = key_field;
    same_key.op = Comparison::eq;
    same_key.value = key;
    q.metadata.push_back(std::move(same_key));
    std::set<std::string> activities;
    for (const auto& d : catalog.find_datasets(q))
        if (const auto it = d.metadata.find(activity_field); it != d.metadata.end() && it->second.value.is<std::string>())
            activities.insert(it->second.value.as<std::string>());
    // PIDs are ULIDs, which sort by time: the newest earlier run first.
    std::vector<std::string> newest_first(activities.begin(), activities.end());
    const auto ulid = [](const std::string& pid) { return pid.substr(pid.rfind('/') + 1); };
    std::sort(newest_first.begin(), newest_first.end(), [&](const auto& a, const auto& b) { return ulid(a) > ulid(b); });
    for (const auto& pid : newest_first) {
        Activity a;
        try {
            a = catalog.activity(pid);
        } catch (const NotFound&) {
            continue;
        }
        const auto k = a.parameters.find(key_field);
        if (a.status != ActivityStatus::succeeded || k == a.parameters.end() || !k->second.value.is<std::string>() ||
            k->second.value.as<std::string>() != key)
            continue;
        if (auto outputs = intact_outputs(catalog, a)) return Hit{std::move(a), std::move(*outputs)};
    }
    return std::nullopt;
}

Activity task_activity(const TaskSpec& spec, const Prepared& p, Timestamp start) {
    Activity a;
    a.name = spec.name;
    a.type = ActivityType::processing;
    a.program = spec.program;
    a.version = spec.version;
    a.parameters = spec.parameters;
    a.parameters[parts_field] = p.parts.dump();
    a.parameters[key_field] = p.key;
    a.start_time = start;
    a.parent = spec.parent;
    a.command_line = spec.command_line;
    a.environment = spec.environment ? *spec.environment : capture_environment();
    for (const auto& i : p.inputs)
        if (!i.dataset.empty()) a.used.push_back({i.dataset, "", is_index(i.name) ? "input" : i.name});
    return a;
}

}  // namespace

std::string task_cache_key(const Catalog& catalog, const TaskSpec& spec) { return prepare(catalog, spec).key; }

TaskResult run_task(Catalog& catalog, const TaskSpec& spec, const TaskFunction& fn) {
    const auto start = now();
    auto p = prepare(catalog, spec);
    TaskResult result;
    result.key = p.key;
    if (!spec.rerun) {
        if (auto hit = find_hit(catalog, p.key)) {
            auto a = task_activity(spec, p, start);
            a.parameters[hit_field] = true;
            a.status = ActivityStatus::succeeded;
            a.end_time = now();
            a.informed_by = {hit->activity.pid};
            a.log = fmt::format("cache hit: the outputs of {} are returned, not made again\n", hit->activity.pid);
            result.activity = catalog.start_activity(std::move(a)).pid;
            result.cache_hit = true;
            result.cached_from = hit->activity.pid;
            result.outputs = std::move(hit->outputs);
            return result;
        }
    }
    // The PID first: the outputs name their activity in their metadata.
    auto a = task_activity(spec, p, start);
    a.pid = new_pid(catalog.pid_prefix());
    TaskCall call{a.pid, p.key, p.inputs, p.datasets};
    std::vector<Dataset> outputs;
    try {
        outputs = fn(call);
    } catch (const std::exception& e) {
        a.status = ActivityStatus::failed;
        a.log = fmt::format("task {} failed: {}\n", spec.name, e.what());
        catalog.record_activity(std::move(a), {});
        throw;
    } catch (...) {
        a.status = ActivityStatus::failed;
        a.log = fmt::format("task {} failed: an exception not derived from std::exception\n", spec.name);
        catalog.record_activity(std::move(a), {});
        throw;
    }
    Violations out;
    for (std::size_t i = 0; i < outputs.size(); ++i)
        for (const char* field : {key_field, activity_field})
            if (const auto it = outputs[i].metadata.find(field); it != outputs[i].metadata.end())
                out.add(fmt::format("outputs[{}].metadata.{}", i, field), it->second.value.to_string(),
                        "is written by the task itself");
    out.throw_if_any();
    for (auto& d : outputs) {
        d.kind = DatasetKind::processed;
        // Acquiring until the activity's end completes them, in the same transaction.
        d.state = DatasetState::acquiring;
        d.metadata[key_field] = p.key;
        d.metadata[activity_field] = a.pid;
    }
    a.status = ActivityStatus::succeeded;
    RegisterOptions options;
    options.describe_files = true;
    auto recorded = catalog.record_activity(std::move(a), std::move(outputs), spec.role, options);
    result.activity = recorded.activity.pid;
    result.outputs = std::move(recorded.outputs);
    return result;
}

}  // namespace datatrail
