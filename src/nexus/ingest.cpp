// ingest(): NeXus files into a catalogue through its public API. Files are read and checksummed
// first, then registered one at a time, raw before processed, each as a dataset with its file and
// the activities its NXprocess groups record.
//
// Why not a staging catalogue merged with merge_from: a file refers to records that are often
// already in the target (the raw dataset ingested last week, the shared investigation), and merge
// needs a source that holds everything its records refer to. Copies of those records in a staging
// catalogue would differ from the target's in what the catalogue sets itself (created_at), and
// merge would refuse them as conflicts that are none. So each file is checked against the target
// by PID and checksum here, and written with the catalogue's own checked calls.
#include <datatrail/agent.hpp>
#include <datatrail/catalog.hpp>
#include <datatrail/datafile.hpp>
#include <datatrail/ingest.hpp>
#include <datatrail/nexus_read.hpp>
#include <datatrail/pid.hpp>
#include <datatrail/query.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>
#include <set>

namespace datatrail {

std::string_view to_string(IngestStatus s) noexcept {
    switch (s) {
        case IngestStatus::ingested: return "ingested";
        case IngestStatus::already_present: return "already_present";
        case IngestStatus::skipped: return "skipped";
        case IngestStatus::failed: return "failed";
    }
    return "unknown";
}

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

void check_options(const fs::path& path, const IngestOptions& options) {
    Violations v;
    std::error_code ec;
    if (path.empty()) v.add("path", "", "must name a NeXus file or a folder");
    else if (!fs::exists(path, ec)) v.add("path", path.string(), "must be an existing file or folder");
    else if (!fs::is_regular_file(path, ec) && !fs::is_directory(path, ec))
        v.add("path", path.string(), "must be a regular file or a folder");
    for (std::size_t i = 0; i < options.suffixes.size(); ++i) {
        const auto& s = options.suffixes[i];
        if (s.size() < 2 || s.front() != '.' || s.find_first_of("/\\") != std::string::npos)
            v.add(fmt::format("options.suffixes[{}]", i), s, "must be '.' and at least one more character, no '/' (\".nxs\")");
    }
    if (fs::is_directory(path, ec) && options.suffixes.empty())
        v.add("options.suffixes", "[]", "must name at least one suffix to find files in a folder");
    v.throw_if_any();
}

bool hidden(const fs::path& p) {
    const std::string name = p.filename().string();
    return !name.empty() && name.front() == '.';
}

// The files to read, sorted: a folder's hidden entries (the writer's ".name.part" files among
// them) are left out.
std::vector<fs::path> find_files(const fs::path& path, const IngestOptions& options) {
    if (fs::is_regular_file(path)) return {path};
    std::set<std::string> suffixes;
    for (const auto& s : options.suffixes) suffixes.insert(lower(s));
    std::vector<fs::path> out;
    const auto take = [&](const fs::directory_entry& e) {
        std::error_code ec;
        if (e.is_regular_file(ec) && !hidden(e.path()) && suffixes.contains(lower(e.path().extension().string())))
            out.push_back(e.path());
    };
    const auto opts = fs::directory_options::skip_permission_denied;
    if (options.recursive) {
        for (auto it = fs::recursive_directory_iterator(path, opts); it != fs::recursive_directory_iterator(); ++it) {
            if (it->is_directory() && hidden(it->path())) {
                it.disable_recursion_pending();
                continue;
            }
            take(*it);
        }
    } else {
        for (const auto& e : fs::directory_iterator(path, opts)) take(e);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// --- PIDs for files that carry none ----------------------------------------------------------

// FNV-1a: a stable hash (std::hash may differ between builds), for identifiers derived from a
// file's content.
std::uint64_t fnv1a(std::string_view text, std::uint64_t seed) {
    std::uint64_t h = 1469598103934665603ULL ^ seed;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

// A ULID whose time is the file's modification time and whose random part is derived from the
// file's SHA-256 and `what`, so that ingesting the same file again names the same records.
std::string derived_ulid(Timestamp modified, const std::string& sha256, const std::string& what) {
    static constexpr char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    const auto ms = static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(modified.time_since_epoch()).count()));
    const std::uint64_t a = fnv1a(sha256 + "/" + what, 1), b = fnv1a(sha256 + "/" + what, 2);
    // 128 bits: 48 of time, then 80 of hash, written as 26 base-32 digits (the first holds 3 bits).
    std::array<std::uint8_t, 16> bytes{};
    for (int i = 0; i < 6; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(6 + i)] = static_cast<std::uint8_t>(a >> (8 * (7 - i)));
    for (int i = 0; i < 2; ++i) bytes[static_cast<std::size_t>(14 + i)] = static_cast<std::uint8_t>(b >> (8 * (1 - i)));
    std::string out(26, '0');
    for (int i = 0; i < 26; ++i) {
        const int bit = 128 - 5 * (26 - i);  // position of this digit's highest bit, from the top
        int value = 0;
        for (int k = 0; k < 5; ++k) {
            const int pos = bit + k;
            if (pos < 0) continue;
            value = (value << 1) | ((bytes[static_cast<std::size_t>(pos / 8)] >> (7 - pos % 8)) & 1);
        }
        out[static_cast<std::size_t>(i)] = alphabet[value];
    }
    return out;
}

// --- what a file says ------------------------------------------------------------------------

std::optional<Timestamp> time_of(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty()) return std::nullopt;
    return parse_time(j[key].get<std::string>(), key);
}

std::string str(const json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::vector<std::string> strs(const json& j, const char* key) {
    std::vector<std::string> out;
    if (j.contains(key) && j[key].is_array())
        for (const auto& x : j[key])
            if (x.is_string()) out.push_back(x.get<std::string>());
    return out;
}

// Metadata as the writer's JSON has it: {"key": {"value", "type", "unit", "uncertainty"}}.
Metadata metadata_of(const json& j, const std::string& field) {
    Metadata out;
    if (!j.is_object()) return out;
    for (const auto& [key, item] : j.items()) {
        const std::string type = str(item, "type");
        const json& v = item.at("value");
        MetadataValue mv;
        if (type == "string") mv.value = v.get<std::string>();
        else if (type == "integer") mv.value = v.get<std::int64_t>();
        else if (type == "float") mv.value = v.get<double>();
        else if (type == "bool") mv.value = v.get<bool>();
        else if (type == "datetime") mv.value = parse_time(v.get<std::string>(), field + "." + key);
        else if (type == "json") mv.value = Json{v.dump()};
        else if (type == "integer array") mv.value = v.get<std::vector<std::int64_t>>();
        else if (type == "float array") mv.value = v.get<std::vector<double>>();
        else if (type == "string array") mv.value = v.get<std::vector<std::string>>();
        else throw ValidationError({{field + "." + key + ".type", type, "must be a datatrail value type"}});
        mv.unit = str(item, "unit");
        if (item.contains("uncertainty") && item["uncertainty"].is_number()) mv.uncertainty = item["uncertainty"].get<double>();
        out.emplace(key, std::move(mv));
    }
    return out;
}

json parse_json(const std::string& text, const std::string& where) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        throw ValidationError({{where, text.substr(0, 60), fmt::format("must be JSON ({})", e.what())}});
    }
}

// One file, read and checksummed, with what will be registered.
struct FileRecord {
    fs::path path;
    fs::path absolute;
    Datafile file;  // path: the file's name; its dataset's location is its folder
    NexusEntry entry;
    json record;          // datatrail's record of the dataset, or null
    std::vector<json> activities;  // per process: the activity JSON, or null
    bool from_datatrail = false;
    std::string pid;
    bool processed = false;
    std::vector<std::string> notes;
    // Files the entry's data lives in besides this one (a detector's data file reached by an
    // external link), relative to this file's folder: registered with its dataset.
    std::vector<Datafile> data_files;
};

// Reads one file; throws for what makes it fail, returns nullopt (with `why`) for what is skipped.
std::optional<FileRecord> read_file(const fs::path& path, const std::string& prefix, std::string& why) {
    FileRecord r;
    r.path = path;
    r.absolute = fs::absolute(path).lexically_normal();
    const NexusFile file(path);  // NexusError for what is not HDF5 or cannot be opened
    const std::string entry = file.default_entry();
    if (entry.empty()) {
        why = "an HDF5 file without an NXentry group: not a NeXus file (data files that NeXus files reach by "
              "external links are part of the linking file's dataset)";
        return std::nullopt;
    }
    r.entry = file.entry(entry);
    if (const auto n = file.entries().size(); n > 1)
        r.notes.push_back(fmt::format("only the default entry '{}' was read; the file has {} NXentry groups", entry, n));
    r.from_datatrail = file.creator().rfind("datatrail", 0) == 0;
    r.file = describe_file(r.absolute.parent_path(), r.absolute.filename().string());
    if (r.entry.data && !r.entry.data->signal.file.empty()) {
        const fs::path data = fs::absolute(r.entry.data->signal.file).lexically_normal();
        if (data != r.absolute) {
            const fs::path rel = data.lexically_relative(r.absolute.parent_path());
            if (!rel.empty() && *rel.begin() != "..")
                r.data_files.push_back(describe_file(r.absolute.parent_path(), rel.generic_string()));
            else
                r.notes.push_back(fmt::format("the data file {} is outside the dataset's folder: not registered with it",
                                              data.string()));
        }
    }
    const std::string where = fmt::format("/{}", entry);
    if (!r.entry.record.empty()) r.record = parse_json(r.entry.record, where + "/catalog_record/data");
    const std::string& id = r.entry.identifier;
    if (r.from_datatrail && id.empty())
        throw ValidationError({{where + "/entry_identifier", "(absent)",
                                "is required: datatrail writes the dataset's PID there in every file"}});
    if (!id.empty() && is_valid_pid(id)) {
        r.pid = id;
    } else {
        if (r.from_datatrail)
            throw ValidationError({{where + "/entry_identifier", id, "must be a PID, <prefix>/<ULID>"}});
        r.pid = prefix + "/" + derived_ulid(r.file.modified.value_or(Timestamp{}), r.file.sha256, "dataset");
        r.notes.push_back(id.empty() ? fmt::format("the file has no entry_identifier: PID {} derived from its content", r.pid)
                                     : fmt::format("entry_identifier '{}' is not a PID: PID {} derived from the file's content",
                                                   id, r.pid));
    }
    if (!r.record.is_null() && str(r.record, "pid") != r.pid)
        throw ValidationError({{where + "/catalog_record/data", str(r.record, "pid"),
                                fmt::format("must name the entry's PID {}", r.pid)}});
    r.processed = !r.entry.processes.empty() || (!r.record.is_null() && str(r.record, "kind") == "processed");
    for (std::size_t i = 0; i < r.entry.processes.size(); ++i) {
        const auto& p = r.entry.processes[i];
        if (p.note_type == "application/json" && !p.note.empty() && !p.activity.empty())
            r.activities.push_back(parse_json(p.note, fmt::format("{}/{}/configuration/data", where, p.group)));
        else r.activities.push_back(nullptr);
    }
    return r;
}

// --- registering -----------------------------------------------------------------------------

template <class F>
auto find_or_null(F&& f) -> std::optional<decltype(f())> {
    try {
        return f();
    } catch (const NotFound&) {
        return std::nullopt;
    }
}

// The instrument, investigation and sample a file names: found by PID, then by name, else added.
std::string ensure_instrument(Catalog& cat, const FileRecord& r) {
    Instrument in;
    if (r.record.contains("instrument")) {
        const auto& j = r.record["instrument"];
        in = {str(j, "pid"), str(j, "name"), str(j, "facility"), str(j, "type")};
    } else {
        in.name = r.entry.instrument;
        in.facility = r.entry.facility;
    }
    if (in.name.empty()) return {};
    if (!in.pid.empty())
        if (const auto found = find_or_null([&] { return cat.instrument(in.pid); })) return found->pid;
    for (const auto& existing : cat.instruments())
        if (existing.name == in.name && (in.facility.empty() || existing.facility == in.facility)) return existing.pid;
    return cat.add_instrument(in).pid;
}

std::string ensure_investigation(Catalog& cat, const FileRecord& r, const std::string& instrument) {
    Investigation inv;
    if (r.record.contains("investigation")) {
        const auto& j = r.record["investigation"];
        inv.pid = str(j, "pid");
        inv.name = str(j, "name");
        inv.title = str(j, "title");
        inv.summary = str(j, "summary");
        inv.start_time = time_of(j, "start_time");
        inv.end_time = time_of(j, "end_time");
        inv.release_date = time_of(j, "release_date");
        inv.doi = str(j, "doi");
        if (j.contains("participants"))
            for (const auto& p : j["participants"])
                inv.participants.push_back({str(p, "name"), str(p, "role"), str(p, "orcid"), str(p, "email")});
    } else {
        inv.name = r.entry.experiment_identifier;
        inv.participants = r.entry.users;
    }
    if (inv.name.empty()) return {};
    if (!inv.pid.empty())
        if (const auto found = find_or_null([&] { return cat.investigation(inv.pid); })) return found->pid;
    if (const auto found = find_or_null([&] { return cat.investigation(inv.name); })) return found->pid;
    inv.instrument = instrument;
    return cat.add_investigation(inv).pid;
}

std::string ensure_sample(Catalog& cat, const FileRecord& r, const std::string& investigation) {
    Sample s;
    if (r.record.contains("sample")) {
        const auto& j = r.record["sample"];
        s.pid = str(j, "pid");
        s.name = str(j, "name");
        s.description = str(j, "description");
        s.formula = str(j, "formula");
        s.metadata = metadata_of(j.value("metadata", json::object()), "sample.metadata");
    } else {
        s.name = r.entry.sample;
        s.description = r.entry.sample_description;
        s.formula = r.entry.sample_formula;
    }
    if (s.name.empty()) return {};
    if (!s.pid.empty())
        if (const auto found = find_or_null([&] { return cat.sample(s.pid); })) return found->pid;
    if (const auto found = find_or_null([&] { return cat.sample(s.name); })) return found->pid;
    // A sample of the dataset's investigation, unless the record says it belongs to none.
    if (!r.record.contains("sample") || !str(r.record["sample"], "investigation").empty()) s.investigation = investigation;
    return cat.add_sample(s).pid;
}

Dataset dataset_of(const FileRecord& r) {
    Dataset d;
    d.pid = r.pid;
    d.kind = r.processed ? DatasetKind::processed : DatasetKind::raw;
    d.location = r.absolute.parent_path().string();
    d.files = {r.file};
    d.files.insert(d.files.end(), r.data_files.begin(), r.data_files.end());
    const json& j = r.record;
    if (!j.is_null()) {
        d.kind = parse_dataset_kind(str(j, "kind"), "catalog_record.kind");
        d.name = str(j, "name");
        d.description = str(j, "description");
        d.techniques = strs(j, "techniques");
        d.keywords = strs(j, "keywords");
        // A streamed file's record is written when the stream opens; the entry's times are
        // completed when it closes.
        d.start_time = time_of(j, "start_time");
        if (!d.start_time) d.start_time = r.entry.start_time;
        d.end_time = time_of(j, "end_time");
        if (!d.end_time) d.end_time = r.entry.end_time;
        d.schema = str(j, "schema");
        d.metadata = metadata_of(j.value("metadata", json::object()), "catalog_record.metadata");
        d.state = parse_dataset_state(str(j, "state"), "catalog_record.state");
        d.created_by = str(j, "created_by");
    } else {
        d.name = !r.entry.title.empty() ? r.entry.title : r.path.stem().string();
        d.description = r.entry.description;
        d.start_time = r.entry.start_time;
        d.end_time = r.entry.end_time;
        d.metadata = r.entry.metadata;
        // Files from other software keep their facts in the instrument and sample groups.
        for (const auto& [key, value] : r.entry.fields) d.metadata.emplace(key, value);
        if (!r.entry.definition.empty()) d.techniques = {r.entry.definition};
    }
    return d;
}

// An activity from its JSON in the NXnote, or from the NXprocess fields of a file from other
// software. Links to records the catalogue lacks are left out, with a note.
Activity activity_of(Catalog& cat, const FileRecord& r, std::size_t index, std::vector<std::string>& notes) {
    const NexusProcess& p = r.entry.processes[index];
    const json& j = r.activities[index];
    Activity a;
    if (!j.is_null()) {
        a.pid = str(j, "pid");
        a.name = str(j, "name");
        a.type = parse_activity_type(str(j, "type"), "activity.type");
        a.program = str(j, "program");
        a.version = str(j, "version");
        a.parameters = metadata_of(j.value("parameters", json::object()), "activity.parameters");
        a.start_time = time_of(j, "start_time");
        a.end_time = time_of(j, "end_time");
        a.status = parse_activity_status(str(j, "status"), "activity.status");
        a.host = str(j, "host");
        a.command_line = str(j, "command_line");
        if (j.contains("environment")) {
            const auto& e = j["environment"];
            a.environment.os = str(e, "os");
            a.environment.user = str(e, "user");
            a.environment.git_commit = str(e, "git_commit");
            a.environment.python_version = str(e, "python_version");
            if (e.contains("git_dirty") && e["git_dirty"].is_boolean()) a.environment.git_dirty = e["git_dirty"].get<bool>();
            if (e.contains("packages") && e["packages"].is_object())
                for (const auto& [k, v] : e["packages"].items())
                    if (v.is_string()) a.environment.packages[k] = v.get<std::string>();
        }
        if (j.contains("used"))
            for (const auto& u : j["used"]) a.used.push_back({str(u, "dataset"), str(u, "file"), str(u, "role")});
        a.informed_by = strs(j, "informed_by");
        const std::string parent = str(j, "parent");
        if (!parent.empty()) {
            if (find_or_null([&] { return cat.activity(parent); })) a.parent = parent;
            else notes.push_back(fmt::format("activity {}: its parent activity {} is not in the catalogue: left out", a.pid, parent));
        }
        if (j.contains("agents"))
            for (const auto& ag : j["agents"]) {
                const std::string pid = str(ag, "agent");
                if (const auto found = find_or_null([&] { return cat.agent(pid); })) {
                    a.agents.push_back({found->pid, str(ag, "role")});
                } else if (ag.contains("record")) {
                    // Found by name (unique per type), else added with the PID the file gives.
                    const auto& rec = ag["record"];
                    Agent agent{pid, parse_agent_type(str(rec, "type"), "agent.type"), str(rec, "name"), str(rec, "orcid"),
                                str(rec, "email"), str(rec, "version"), str(rec, "url")};
                    std::string resolved;
                    for (const auto& existing : cat.agents())
                        if (existing.name == agent.name && existing.type == agent.type) resolved = existing.pid;
                    if (resolved.empty()) resolved = cat.add_agent(agent).pid;
                    a.agents.push_back({resolved, str(ag, "role")});
                } else {
                    notes.push_back(fmt::format("activity {}: agent {} is not in the catalogue and the file has no record of it: "
                                                "left out", a.pid, pid));
                }
            }
    } else {
        a.pid = p.activity.empty() ? cat.pid_prefix() + "/" +
                                         derived_ulid(r.file.modified.value_or(Timestamp{}), r.file.sha256, p.group)
                                   : p.activity;
        a.name = !p.name.empty() ? p.name : (!p.program.empty() ? p.program : p.group);
        if (!p.type.empty()) a.type = parse_activity_type(p.type, "activity.type");
        a.program = p.program;
        a.version = p.version;
        a.parameters = p.parameters;
        a.start_time = p.date;
        a.end_time = p.date;
        a.status = ActivityStatus::succeeded;
        for (const auto& in : p.inputs) a.used.push_back({in.dataset, "", in.role});
    }
    std::vector<Used> known;
    for (auto& u : a.used) {
        const auto ds = find_or_null([&] { return cat.dataset(u.dataset); });
        if (!ds) {
            notes.push_back(fmt::format("activity {}: input {} is not in the catalogue: link left out (ingest its file, "
                                        "then this one again to add it)", a.pid, u.dataset));
            continue;
        }
        if (!u.file.empty() && std::none_of(ds->files.begin(), ds->files.end(), [&](const Datafile& f) { return f.path == u.file; }))
            u.file.clear();  // the file was recorded under another name there: the link is to the dataset
        known.push_back(std::move(u));
    }
    a.used = std::move(known);
    std::vector<std::string> informants;
    for (const auto& i : a.informed_by)
        if (find_or_null([&] { return cat.activity(i); })) informants.push_back(i);
    a.informed_by = std::move(informants);
    return a;
}

// Registers in `scratch` one value of each of `metadata`'s keys that `target` holds already, so
// that a key the target holds with another type or dimension is refused by the scratch catalogue
// too, before anything of the file is written to the target.
void add_witnesses(Catalog& scratch, const Catalog& target, const Metadata& metadata) {
    for (const auto& [key, value] : metadata) {
        DatasetQuery q;
        q.matching(query::Key("metadata." + key).exists());
        q.limit = 1;
        for (const Dataset& found : target.find_datasets(q)) {
            const auto held = found.metadata.find(key);
            if (held == found.metadata.end()) continue;
            Dataset witness;
            witness.name = "witness";
            witness.metadata.emplace(key, held->second);
            scratch.register_dataset(std::move(witness));
        }
    }
}

// Registers a dataset the catalogue lacks, with the activities of its file.
void register_new(Catalog& cat, const FileRecord& r, IngestItem& item) {
    Dataset d = dataset_of(r);
    if (!d.schema.empty() && !find_or_null([&] { return cat.schema(d.schema); })) {
        item.notes.push_back(fmt::format("schema {} is not in the catalogue: the dataset is registered without it", d.schema));
        d.schema.clear();
    }
    // Checked on its own before anything is written, so that a dataset the catalogue would refuse
    // leaves no instrument, investigation or activity behind.
    for (bool retry = true;;) {
        Catalog scratch(":memory:");
        add_witnesses(scratch, cat, d.metadata);
        Dataset probe = d;
        probe.schema.clear();
        try {
            scratch.register_dataset(probe);
            break;
        } catch (const ValidationError& e) {
            // A file from other software keeps what the catalogue accepts: a value it refuses (a
            // unit UDUNITS does not know, a unit on a string) is left out, with a note.
            if (!r.record.is_null() || !retry) throw;
            retry = false;
            const std::string prefix = "dataset.metadata.";
            bool dropped = false;
            for (const auto& v : e.violations()) {
                if (v.field.rfind(prefix, 0) != 0) throw;
                std::string key = v.field.substr(prefix.size());
                while (!key.empty() && !d.metadata.contains(key)) key = key.substr(0, key.find_last_of('.') == std::string::npos ? 0 : key.find_last_of('.'));
                if (key.empty()) throw;
                dropped = d.metadata.erase(key) > 0 || dropped;
                item.notes.push_back(fmt::format("metadata '{}' = '{}' left out: {}", key, v.value, v.rule));
            }
            if (!dropped) throw;
        }
    }
    const std::string instrument = ensure_instrument(cat, r);
    const std::string investigation = ensure_investigation(cat, r, instrument);
    const std::string sample = ensure_sample(cat, r, investigation);
    d.instrument = instrument;
    d.investigation = investigation;
    d.sample = sample;
    if (!r.processed || r.entry.processes.empty()) {
        cat.register_dataset(std::move(d));
        return;
    }
    // The activity that generated this dataset: the one whose provenance lists it, else the last.
    std::size_t generator = r.entry.processes.size() - 1;
    for (std::size_t i = 0; i < r.entry.processes.size(); ++i) {
        const auto& g = r.entry.processes[i].generated;
        if (std::find(g.begin(), g.end(), r.pid) != g.end()) generator = i;
    }
    std::string generator_pid;
    for (std::size_t i = 0; i < r.entry.processes.size(); ++i) {
        Activity a = activity_of(cat, r, i, item.notes);
        if (!find_or_null([&] { return cat.activity(a.pid); })) cat.start_activity(a);
        if (i == generator) generator_pid = a.pid;
    }
    cat.add_outputs(generator_pid, {std::move(d)});
}

// Where the file goes in a dataset already in the catalogue: relative to its location when under it.
std::string path_for(const Dataset& d, const FileRecord& r) {
    if (!d.location.empty()) {
        const auto rel = r.absolute.lexically_relative(fs::absolute(d.location).lexically_normal());
        if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
    }
    return r.absolute.string();
}

// Links from the file's activities to inputs that were not in the catalogue when the activities
// were recorded and are now; how many were added.
std::size_t add_missing_inputs(Catalog& cat, const FileRecord& r) {
    std::size_t added = 0;
    for (std::size_t i = 0; i < r.entry.processes.size(); ++i) {
        const json& j = r.activities[i];
        const std::string pid = j.is_null() ? r.entry.processes[i].activity : str(j, "pid");
        if (pid.empty()) continue;
        const auto here = find_or_null([&] { return cat.activity(pid); });
        if (!here) continue;
        std::vector<Used> wanted;
        if (!j.is_null() && j.contains("used"))
            for (const auto& u : j["used"]) wanted.push_back({str(u, "dataset"), "", str(u, "role")});
        else
            for (const auto& in : r.entry.processes[i].inputs) wanted.push_back({in.dataset, "", in.role});
        std::vector<Used> missing;
        for (auto& u : wanted) {
            const bool linked = std::any_of(here->used.begin(), here->used.end(),
                                            [&](const Used& h) { return h.dataset == u.dataset; });
            if (!linked && find_or_null([&] { return cat.dataset(u.dataset); })) missing.push_back(std::move(u));
        }
        if (missing.empty()) continue;
        added += missing.size();
        cat.add_inputs(pid, missing);
    }
    return added;
}

IngestItem register_file(Catalog& cat, const FileRecord& r) {
    IngestItem item{r.path.string(), IngestStatus::ingested, r.pid, {}, {}, r.notes};
    const auto existing = find_or_null([&] { return cat.dataset(r.pid); });
    if (!existing) {
        register_new(cat, r, item);
        return item;
    }
    const auto& files = existing->files;
    if (std::any_of(files.begin(), files.end(), [&](const Datafile& f) { return f.sha256 == r.file.sha256; })) {
        // Inputs whose files came after this one's first ingest are linked now.
        if (const std::size_t added = add_missing_inputs(cat, r)) {
            item.notes.push_back(fmt::format("the dataset was here; {} input link(s) its file records were added", added));
            return item;
        }
        item.status = IngestStatus::already_present;
        return item;
    }
    for (const auto& f : files) {
        const std::string format = f.format.empty() ? guess_format(f.path) : f.format;
        if (format == "nexus" || format == "hdf5")
            throw Conflict(fmt::format("dataset {} is in the catalogue with the file '{}' (sha256 {}), and this file "
                                       "has the same PID but another content (sha256 {})",
                                       r.pid, f.path, f.sha256.empty() ? "not computed" : f.sha256, r.file.sha256),
                           {{"sha256", r.file.sha256, fmt::format("differs from the catalogue's '{}' for {}", f.sha256, f.path)}});
    }
    // The catalogue wrote this file for a dataset it had: the file is added to it.
    Datafile f = r.file;
    f.path = path_for(*existing, r);
    cat.add_files(r.pid, {f});
    item.notes.push_back("the dataset was in the catalogue without this file: the file was added to it");
    return item;
}

IngestItem failure(const fs::path& path, const std::string& pid, std::string_view kind, const std::string& message) {
    return {path.string(), IngestStatus::failed, pid, std::string(kind), message, {}};
}

}  // namespace

IngestReport ingest(Catalog& catalog, const fs::path& path, const IngestOptions& options) {
    check_options(path, options);
    const auto paths = find_files(path, options);
    IngestReport report;
    std::vector<FileRecord> records;
    const auto tell = [&](std::string_view stage, std::size_t done, std::size_t total, const fs::path& p) {
        if (options.progress) {
            const std::string shown = p.string();
            options.progress({stage, done, total, shown});
        }
    };
    for (std::size_t i = 0; i < paths.size(); ++i) {
        const auto& p = paths[i];
        std::string why;
        try {
            if (auto r = read_file(p, catalog.pid_prefix(), why)) records.push_back(std::move(*r));
            else report.skipped.push_back({p.string(), IngestStatus::skipped, {}, {}, why, {}});
        } catch (const ValidationError& e) {
            report.failed.push_back(failure(p, {}, "ValidationError", e.what()));
        } catch (const NotFound& e) {
            report.failed.push_back(failure(p, {}, "NotFound", e.what()));
        } catch (const NexusError& e) {
            report.failed.push_back(failure(p, {}, "NexusError", e.what()));
        } catch (const Error& e) {
            report.failed.push_back(failure(p, {}, "Error", e.what()));
        } catch (const json::exception& e) {
            report.failed.push_back(failure(p, {}, "ValidationError", fmt::format("unreadable provenance JSON: {}", e.what())));
        }
        tell("reading", i + 1, paths.size(), p);
    }
    // A file another file's data comes from, without an identifier of its own, is part of that
    // file's dataset (registered with it), not a dataset.
    std::map<fs::path, fs::path> data_file_of;
    for (const auto& r : records)
        for (const auto& f : r.data_files) data_file_of.emplace((r.absolute.parent_path() / f.path).lexically_normal(), r.path);
    std::erase_if(records, [&](const FileRecord& r) {
        const auto master = data_file_of.find(r.absolute);
        if (master == data_file_of.end() || !r.entry.identifier.empty() || !r.record.is_null()) return false;
        report.skipped.push_back({r.path.string(), IngestStatus::skipped, {}, {},
                                  fmt::format("the data file of {}: registered with its dataset", master->second.string()),
                                  {}});
        return true;
    });
    // Raw files first, then processed ones by the length of their lineage, so that each file's
    // inputs are in the catalogue before it.
    std::stable_sort(records.begin(), records.end(), [](const FileRecord& a, const FileRecord& b) {
        const auto rank = [](const FileRecord& r) { return r.processed ? 1 + r.entry.processes.size() : 0; };
        return rank(a) < rank(b);
    });
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        try {
            IngestItem item = register_file(catalog, r);
            (item.status == IngestStatus::already_present ? report.already_present : report.ingested).push_back(std::move(item));
        } catch (const StorageError&) {
            throw;  // the catalogue itself: every other file would fail alike
        } catch (const Conflict& e) {
            report.failed.push_back(failure(r.path, r.pid, "Conflict", e.what()));
        } catch (const ValidationError& e) {
            report.failed.push_back(failure(r.path, r.pid, "ValidationError", e.what()));
        } catch (const NotFound& e) {
            report.failed.push_back(failure(r.path, r.pid, "NotFound", e.what()));
        } catch (const json::exception& e) {
            report.failed.push_back(failure(r.path, r.pid, "ValidationError", fmt::format("unreadable provenance JSON: {}", e.what())));
        }
        tell("registering", i + 1, records.size(), r.path);
    }
    return report;
}

}  // namespace datatrail
