// The two NeXus layouts (docs/nexus.md): a raw dataset's file and a processed dataset's file with
// its lineage, built from the catalogue's records over the RAII layer in hdf5.hpp.
#include "nexus/hdf5.hpp"
#include "nexus/nexus_layout.hpp"

#include <datatrail/catalog.hpp>
#include <datatrail/nexus.hpp>
#include <datatrail/version.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>

namespace datatrail {

std::string_view to_string(ElementType t) noexcept {
    switch (t) {
        case ElementType::int8: return "int8";
        case ElementType::uint8: return "uint8";
        case ElementType::int16: return "int16";
        case ElementType::uint16: return "uint16";
        case ElementType::int32: return "int32";
        case ElementType::uint32: return "uint32";
        case ElementType::int64: return "int64";
        case ElementType::uint64: return "uint64";
        case ElementType::float32: return "float32";
        case ElementType::float64: return "float64";
    }
    return "unknown";
}

std::size_t element_size(ElementType t) noexcept {
    switch (t) {
        case ElementType::int8:
        case ElementType::uint8: return 1;
        case ElementType::int16:
        case ElementType::uint16: return 2;
        case ElementType::int32:
        case ElementType::uint32:
        case ElementType::float32: return 4;
        case ElementType::int64:
        case ElementType::uint64:
        case ElementType::float64: return 8;
    }
    return 0;
}

namespace {

namespace fs = std::filesystem;
namespace h5 = nexus::h5;
using h5::Location;
using json = nlohmann::json;

// The NeXus release whose base classes the layout follows (nexusformat's definitions).
constexpr const char* nexus_version = "v2024.02";

// Names that become HDF5 links and @axes entries: what every NeXus reader accepts.
bool is_plain_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string iso(Timestamp t) { return nexus::iso_time(t); }

std::string shape_text(const std::vector<std::uint64_t>& shape) {
    return fmt::format("[{}]", fmt::join(shape, ", "));
}

bool is_float(ElementType t) { return t == ElementType::float32 || t == ElementType::float64; }

bool valid_type(ElementType t) { return element_size(t) != 0; }

// Checks one array; `one_dimension` is the length an axis must have, 0 for the signal.
void check_array(const NexusArray& a, const std::string& field, std::uint64_t one_dimension, Violations& v) {
    if (!valid_type(a.type)) {
        v.add(field + ".type", std::to_string(static_cast<int>(a.type)), "must be one of int8 ... uint64, float32, float64");
        return;
    }
    if (a.shape.empty()) {
        v.add(field + ".shape", "[]", "must have at least one dimension");
        return;
    }
    std::uint64_t count = 1;
    bool overflow = false;
    for (auto n : a.shape) {
        if (n == 0) {
            v.add(field + ".shape", shape_text(a.shape), "every dimension must be at least 1 (an empty array has nothing to plot)");
            return;
        }
        if (count > UINT64_MAX / n) overflow = true;
        count *= n;
    }
    if (overflow) {
        v.add(field + ".shape", shape_text(a.shape), "holds more elements than fit in 64 bits");
        return;
    }
    if (one_dimension && (a.shape.size() != 1 || a.shape[0] != one_dimension)) {
        v.add(field + ".shape", shape_text(a.shape),
              fmt::format("an axis must be 1-D with the length of the dimension it labels ({})", one_dimension));
        return;
    }
    if (count != a.size)
        v.add(field + ".shape", shape_text(a.shape),
              fmt::format("holds {} elements but the data holds {}", count, a.size));
    else if (!a.data)
        v.add(field + ".data", "null", "must point to the values");
    else if (one_dimension && is_float(a.type)) {
        for (std::size_t i = 0; i < a.size; ++i) {
            const double x = a.type == ElementType::float32 ? static_cast<const float*>(a.data)[i]
                                                             : static_cast<const double*>(a.data)[i];
            if (!std::isfinite(x)) {
                v.add(fmt::format("{}[{}]", field, i), fmt::format("{}", x), "axis values must be finite (no NaN or infinity)");
                break;
            }
        }
    }
}

void check_data(const NexusData& data, Violations& v) {
    if (!is_plain_name(data.signal_name))
        v.add("data.signal_name", data.signal_name, "must be a NeXus name: letters, digits and '_', not starting with a digit");
    check_array(data.signal, "data.signal", 0, v);
    const auto& shape = data.signal.shape;
    if (data.axes.size() > shape.size() && !shape.empty())
        v.add("data.axes", std::to_string(data.axes.size()) + " axes",
              fmt::format("at most one axis per dimension of the signal ({})", shape.size()));
    std::set<std::string> names{data.signal_name};
    for (std::size_t i = 0; i < data.axes.size(); ++i) {
        const auto& axis = data.axes[i];
        const std::string field = fmt::format("data.axes[{}]", i);
        if (axis.name.empty()) continue;
        if (!is_plain_name(axis.name))
            v.add(field + ".name", axis.name, "must be a NeXus name: letters, digits and '_', not starting with a digit");
        else if (!names.insert(axis.name).second)
            v.add(field + ".name", axis.name, "must differ from the signal's name and the other axes' names");
        if (i < shape.size()) check_array(axis.values, field + ".values", shape[i], v);
    }
}

// A file written under a temporary name beside its final one and renamed into place only once
// it is complete and closed, so that readers never see half a file and a failure leaves none.
class AtomicFile {
public:
    explicit AtomicFile(const fs::path& path) : final_(path) {
        std::random_device rd;
        const std::string tag = fmt::format("{:08x}{:08x}", rd(), rd());
        temp_ = path.parent_path() / ("." + path.filename().string() + "." + tag + ".part");
        // The name callers see in messages is the one they asked for.
        name_ = final_.string();
        file_.emplace(h5::File::create(temp_, name_));
    }
    ~AtomicFile() {
        file_.reset();  // closes before the file is removed
        if (!committed_) {
            std::error_code ec;
            fs::remove(temp_, ec);
        }
    }
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    Location root() const { return {file_->root().id, &name_, "/"}; }

    void commit() {
        file_->close();
        std::error_code ec;
        fs::rename(temp_, final_, ec);
        if (ec) throw NexusError(fmt::format("{}: cannot move the finished file into place: {}", name_, ec.message()));
        committed_ = true;
    }

private:
    fs::path final_;
    fs::path temp_;
    std::string name_;
    std::optional<h5::File> file_;
    bool committed_ = false;
};

// The NX_class a group gets from its conventional name, where the parent's class allows it;
// anything else is an NXcollection, which every reader accepts anywhere.
std::string class_for(std::string_view name, std::string_view parent_class) {
    struct Rule {
        std::string_view name, nx_class;
        std::vector<std::string_view> parents;
    };
    static const std::vector<Rule> rules = {
        {"entry", "NXentry", {"NXroot"}},
        {"instrument", "NXinstrument", {"NXentry"}},
        {"sample", "NXsample", {"NXentry"}},
        {"user", "NXuser", {"NXentry"}},
        {"monitor", "NXmonitor", {"NXentry"}},
        {"data", "NXdata", {"NXentry"}},
        {"source", "NXsource", {"NXinstrument"}},
        {"detector", "NXdetector", {"NXinstrument"}},
        {"monochromator", "NXmonochromator", {"NXinstrument"}},
        {"attenuator", "NXattenuator", {"NXinstrument"}},
        {"collimator", "NXcollimator", {"NXinstrument"}},
        {"aperture", "NXaperture", {"NXinstrument"}},
        {"slit", "NXslit", {"NXinstrument"}},
        {"mirror", "NXmirror", {"NXinstrument"}},
        {"filter", "NXfilter", {"NXinstrument"}},
        {"insertion_device", "NXinsertion_device", {"NXinstrument"}},
        {"beam", "NXbeam", {"NXinstrument", "NXsample"}},
        {"positioner", "NXpositioner", {"NXinstrument", "NXsample"}},
        {"environment", "NXenvironment", {"NXsample", "NXinstrument"}},
        {"sensor", "NXsensor", {"NXenvironment"}},
        {"crystal", "NXcrystal", {"NXinstrument", "NXmonochromator"}},
        {"transformations", "NXtransformations",
         {"NXdetector", "NXsample", "NXsource", "NXbeam", "NXattenuator", "NXslit", "NXaperture", "NXpositioner"}},
    };
    // "detector_2" is a detector too.
    std::string_view base = name;
    if (const auto us = base.find_last_of('_'); us != std::string_view::npos && us + 1 < base.size() &&
                                                std::all_of(base.begin() + us + 1, base.end(), ::isdigit))
        base = base.substr(0, us);
    for (const auto& r : rules)
        if (r.name == base && std::find(r.parents.begin(), r.parents.end(), parent_class) != r.parents.end())
            return std::string(r.nx_class);
    return "NXcollection";
}

// An open group and its NX_class, for the class of the groups made beneath it.
struct OpenGroup {
    h5::Group group;
    std::string nx_class;
    const Location& where() const { return group.where; }
};

// The group `name` under `parent`, made when missing; nullopt when a dataset has that name.
std::optional<OpenGroup> child_group(const OpenGroup& parent, std::string_view name, std::string nx_class = {}) {
    switch (h5::link_target(parent.where(), name)) {
        case h5::LinkTarget::none: {
            if (nx_class.empty()) nx_class = class_for(name, parent.nx_class);
            return OpenGroup{h5::create_group(parent.where(), name, nx_class), nx_class};
        }
        case h5::LinkTarget::group: {
            auto g = h5::open_group(parent.where(), name);
            // Groups are only made here, so each has the class given or guessed when it was made.
            if (nx_class.empty()) nx_class = class_for(name, parent.nx_class);
            return OpenGroup{std::move(g), nx_class};
        }
        default: return std::nullopt;
    }
}

OpenGroup must_group(const OpenGroup& parent, std::string_view name, const std::string& nx_class) {
    auto g = child_group(parent, name, nx_class);
    if (!g) throw NexusError(fmt::format("{}: {}: a dataset has the name of a group the layout needs",
                                         *parent.where().file, parent.where().child(name)));
    return std::move(*g);
}

bool exists(const OpenGroup& g, std::string_view name) { return h5::link_target(g.where(), name) != h5::LinkTarget::none; }

void string_field(const OpenGroup& g, std::string_view name, const std::string& value) {
    if (!value.empty() && !exists(g, name)) h5::write_string(g.where(), name, value);
}

// One metadata value as a dataset, with @units when it has a unit.
void write_value(const Location& parent, std::string_view name, const MetadataValue& mv) {
    Location at;
    const auto& v = mv.value;
    h5::Handle d;
    if (v.is<std::string>()) d = h5::write_string(parent, name, v.as<std::string>(), &at);
    else if (v.is<std::int64_t>()) d = h5::write_scalar(parent, name, v.as<std::int64_t>(), &at);
    else if (v.is<double>()) d = h5::write_scalar(parent, name, v.as<double>(), &at);
    else if (v.is<bool>()) d = h5::write_bool(parent, name, v.as<bool>(), &at);
    else if (v.is<Timestamp>()) d = h5::write_string(parent, name, iso(v.as<Timestamp>()), &at);
    else if (v.is<Json>()) d = h5::write_string(parent, name, v.as<Json>().text, &at);
    else if (v.is<std::vector<std::int64_t>>()) {
        const auto& a = v.as<std::vector<std::int64_t>>();
        d = h5::write_array(parent, name, static_cast<int>(ElementType::int64), {a.size()}, a.data(), &at);
    } else if (v.is<std::vector<double>>()) {
        const auto& a = v.as<std::vector<double>>();
        d = h5::write_array(parent, name, static_cast<int>(ElementType::float64), {a.size()}, a.data(), &at);
    } else {
        d = h5::write_strings(parent, name, v.as<std::vector<std::string>>(), &at);
    }
    if (!mv.unit.empty()) h5::set_attribute(at, "units", mv.unit);
}

void write_value_attribute(const Location& where, std::string_view name, const MetadataValue& mv) {
    const auto& v = mv.value;
    if (v.is<std::int64_t>()) h5::set_attribute(where, name, v.as<std::int64_t>());
    else if (v.is<std::string>()) h5::set_attribute(where, name, v.as<std::string>());
    else if (v.is<Timestamp>()) h5::set_attribute(where, name, iso(v.as<Timestamp>()));
    else h5::set_attribute(where, name, v.to_string());
}

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto end = text.find(sep, start);
        out.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return out;
        start = end + 1;
    }
}

// Writes a value at the NeXus path its schema names, making the groups on the way. false when the
// path cannot take it (outside /entry, or a name already taken), so the caller files it elsewhere.
bool write_at_path(const OpenGroup& entry, const std::string& nexus_path, const MetadataValue& value) {
    std::string path = nexus_path, attribute;
    if (const auto at = path.find('@'); at != std::string::npos) {
        attribute = path.substr(at + 1);
        path = path.substr(0, at);
    }
    auto parts = split(path, '/');
    if (parts.size() < 3 || !parts[0].empty() || parts[1] != "entry") return false;
    std::optional<OpenGroup> g;
    const OpenGroup* current = &entry;
    const std::size_t groups_end = attribute.empty() ? parts.size() - 1 : parts.size();
    for (std::size_t i = 2; i < groups_end; ++i) {
        if (!is_plain_name(parts[i])) return false;
        g = child_group(*current, parts[i]);
        if (!g) return false;
        current = &*g;
    }
    if (!attribute.empty()) {
        write_value_attribute(current->where(), attribute, value);
        return true;
    }
    const std::string& leaf = parts.back();
    if (!is_plain_name(leaf) || exists(*current, leaf)) return false;
    write_value(current->where(), leaf, value);
    return true;
}

// Metadata or parameters in a collection: a dotted key becomes nested NXcollection groups
// ("detector.name" -> detector/name), since NeXus names hold no '.'. A key that is also the
// prefix of another ("a" and "a.b") keeps the whole key with "__" for the dots.
void write_collection(const OpenGroup& group, const Metadata& values) {
    for (const auto& [key, value] : values) {
        const auto parts = split(key, '.');
        const OpenGroup* current = &group;
        std::optional<OpenGroup> g;
        bool placed = true;
        for (std::size_t i = 0; i + 1 < parts.size() && placed; ++i) {
            g = child_group(*current, parts[i], "NXcollection");
            if (g) current = &*g;
            else placed = false;
        }
        if (placed && !exists(*current, parts.back())) {
            write_value(current->where(), parts.back(), value);
            continue;
        }
        const std::string flat = fmt::format("{}", fmt::join(split(key, '.'), "__"));
        if (!exists(group, flat)) write_value(group.where(), flat, value);
    }
}

void write_array_field(const Location& parent, std::string_view name, const NexusArray& a) {
    Location at;
    auto d = h5::write_array(parent, name, static_cast<int>(a.type), a.shape, a.data, &at);
    if (!a.units.empty()) h5::set_attribute(at, "units", a.units);
    if (!a.long_name.empty()) h5::set_attribute(at, "long_name", a.long_name);
}

void write_nxdata(const OpenGroup& entry, const NexusData& data) {
    const OpenGroup d = must_group(entry, "data", "NXdata");
    write_array_field(d.where(), data.signal_name, data.signal);
    std::vector<std::string> axes(data.signal.shape.size(), ".");
    for (std::size_t i = 0; i < data.axes.size(); ++i) {
        const auto& axis = data.axes[i];
        if (axis.name.empty()) continue;
        write_array_field(d.where(), axis.name, axis.values);
        axes[i] = axis.name;
        h5::set_attribute(d.where(), axis.name + "_indices", static_cast<std::int64_t>(i));
    }
    h5::set_attribute(d.where(), "signal", data.signal_name);
    h5::set_attribute(d.where(), "axes", axes);
}

// What the catalogue knows about the dataset, read before any file is made.
struct Records {
    Dataset dataset;
    std::optional<Investigation> investigation;
    std::optional<Instrument> instrument;
    std::optional<Sample> sample;
    std::optional<Schema> schema;
};

Records read_records(const Catalog& catalog, const std::string& pid, DatasetKind kind) {
    Records r;
    r.dataset = catalog.dataset(pid);
    if (r.dataset.kind != kind)
        throw ValidationError({{"dataset_pid", pid,
                                fmt::format("must be a {} dataset for this layout (it is {})", to_string(kind),
                                            to_string(r.dataset.kind))}});
    if (!r.dataset.investigation.empty()) r.investigation = catalog.investigation(r.dataset.investigation);
    if (!r.dataset.instrument.empty()) r.instrument = catalog.instrument(r.dataset.instrument);
    if (!r.dataset.sample.empty()) r.sample = catalog.sample(r.dataset.sample);
    if (!r.dataset.schema.empty()) r.schema = catalog.schema(r.dataset.schema);
    return r;
}

void write_root_attributes(const Location& root, const fs::path& path) {
    h5::set_attribute(root, "NX_class", "NXroot");
    h5::set_attribute(root, "file_name", path.filename().string());
    h5::set_attribute(root, "file_time", iso(now()));
    h5::set_attribute(root, "creator", fmt::format("datatrail {}", version));
    h5::set_attribute(root, "NeXus_version", nexus_version);
    h5::set_attribute(root, "HDF5_Version", h5::library_version());
}

// The metadata: at the schema's NeXus paths where it names one, else in /entry/metadata.
void write_metadata(const OpenGroup& entry, const Records& r) {
    Metadata rest;
    for (const auto& [key, value] : r.dataset.metadata) {
        const SchemaField* field = r.schema ? r.schema->field(key) : nullptr;
        if (field && !field->nexus_path.empty() && write_at_path(entry, field->nexus_path, value)) continue;
        rest.emplace(key, value);
    }
    if (!rest.empty()) write_collection(must_group(entry, "metadata", "NXcollection"), rest);
}

// The fields every file has, from the catalogue's records; a metadata value the schema placed at
// the same path was written first and wins.
void write_skeleton(const OpenGroup& entry, const Records& r) {
    const Dataset& ds = r.dataset;
    string_field(entry, "entry_identifier", ds.pid);
    string_field(entry, "title", ds.name);
    string_field(entry, "experiment_description", ds.description);
    if (r.investigation) string_field(entry, "experiment_identifier", r.investigation->name);
    if (ds.start_time) string_field(entry, "start_time", iso(*ds.start_time));
    if (ds.end_time) string_field(entry, "end_time", iso(*ds.end_time));
    if (r.investigation) {
        int n = 0;
        for (const auto& p : r.investigation->participants) {
            const OpenGroup u = must_group(entry, fmt::format("user_{}", ++n), "NXuser");
            string_field(u, "name", p.name);
            string_field(u, "role", p.role);
            string_field(u, "ORCID", p.orcid);
            string_field(u, "email", p.email);
        }
    }
    if (r.sample) {
        const OpenGroup s = must_group(entry, "sample", "NXsample");
        string_field(s, "name", r.sample->name);
        string_field(s, "chemical_formula", r.sample->formula);
        string_field(s, "description", r.sample->description);
    }
    const OpenGroup instrument = must_group(entry, "instrument", "NXinstrument");
    if (r.instrument) {
        string_field(instrument, "name", r.instrument->name);
        if (!r.instrument->facility.empty()) string_field(must_group(instrument, "source", "NXsource"), "name", r.instrument->facility);
    }
    must_group(instrument, "detector", "NXdetector");
}

json value_json(const Value& v) {
    if (v.is<std::string>()) return v.as<std::string>();
    if (v.is<std::int64_t>()) return v.as<std::int64_t>();
    if (v.is<double>()) return v.as<double>();
    if (v.is<bool>()) return v.as<bool>();
    if (v.is<Timestamp>()) return iso(v.as<Timestamp>());
    if (v.is<Json>()) return json::parse(v.as<Json>().text, nullptr, false);
    if (v.is<std::vector<std::int64_t>>()) return v.as<std::vector<std::int64_t>>();
    if (v.is<std::vector<double>>()) return v.as<std::vector<double>>();
    return v.as<std::vector<std::string>>();
}

json metadata_json(const Metadata& m) {
    json out = json::object();
    for (const auto& [key, mv] : m) {
        json item = {{"value", value_json(mv.value)}, {"type", std::string(to_string(mv.value.type()))}};
        if (!mv.unit.empty()) item["unit"] = mv.unit;
        if (mv.uncertainty) item["uncertainty"] = *mv.uncertainty;
        out[key] = std::move(item);
    }
    return out;
}

json activity_json(const Activity& a, const std::vector<Agent>& agent_records) {
    json j = {{"pid", a.pid},
              {"name", a.name},
              {"type", std::string(to_string(a.type))},
              {"program", a.program},
              {"version", a.version},
              {"status", std::string(to_string(a.status))},
              {"host", a.host},
              {"command_line", a.command_line},
              {"parameters", metadata_json(a.parameters)},
              {"generated", a.generated},
              {"informed_by", a.informed_by}};
    if (a.start_time) j["start_time"] = iso(*a.start_time);
    if (a.end_time) j["end_time"] = iso(*a.end_time);
    if (!a.parent.empty()) j["parent"] = a.parent;
    json used = json::array();
    for (const auto& u : a.used) used.push_back({{"dataset", u.dataset}, {"file", u.file}, {"role", u.role}});
    j["used"] = std::move(used);
    // Each agent with its record, so that ingest can add an agent the catalogue lacks.
    json agents = json::array();
    for (const auto& ag : a.agents) {
        json item = {{"agent", ag.agent}, {"role", ag.role}};
        for (const auto& r : agent_records)
            if (r.pid == ag.agent)
                item["record"] = {{"type", std::string(to_string(r.type))}, {"name", r.name}, {"orcid", r.orcid},
                                  {"email", r.email}, {"version", r.version}, {"url", r.url}};
        agents.push_back(std::move(item));
    }
    j["agents"] = std::move(agents);
    const auto& e = a.environment;
    json env = {{"os", e.os}, {"user", e.user}, {"git_commit", e.git_commit}, {"python_version", e.python_version},
                {"packages", e.packages}};
    if (e.git_dirty) env["git_dirty"] = *e.git_dirty;
    j["environment"] = std::move(env);
    return j;
}

// An activity's inputs with their files' checksums, as the catalogue records them.
struct Input {
    std::string pid, role;
    std::vector<std::string> files, sha256;
};

struct Step {
    Activity activity;
    std::vector<Input> inputs;
    std::vector<Agent> agents;
};

// The activities of the dataset's lineage, oldest first, with what each used.
std::vector<Step> read_chain(const Catalog& catalog, const std::string& pid) {
    const ProvGraph graph = catalog.ancestors(pid);
    std::vector<Step> steps;
    for (const ProvNode* node : graph.nodes_of(NodeKind::activity)) steps.push_back({catalog.activity(node->id), {}, {}});
    std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) {
        if (a.activity.start_time != b.activity.start_time) return a.activity.start_time < b.activity.start_time;
        return a.activity.pid < b.activity.pid;  // PIDs are time-sortable ULIDs
    });
    for (auto& step : steps) {
        for (const auto& ag : step.activity.agents) step.agents.push_back(catalog.agent(ag.agent));
        for (const auto& u : step.activity.used) {
            Input in{u.dataset, u.role, {}, {}};
            for (const auto& f : catalog.dataset(u.dataset).files) {
                if (!u.file.empty() && f.path != u.file) continue;
                in.files.push_back(f.path);
                in.sha256.push_back(f.sha256);
            }
            step.inputs.push_back(std::move(in));
        }
    }
    return steps;
}

void write_processes(const OpenGroup& entry, const std::vector<Step>& steps) {
    std::int64_t index = 0;
    for (const auto& step : steps) {
        const Activity& a = step.activity;
        const OpenGroup p = must_group(entry, fmt::format("process_{}", ++index), "NXprocess");
        string_field(p, "program", a.program.empty() ? a.name : a.program);
        string_field(p, "version", a.version);
        if (a.start_time) string_field(p, "date", iso(*a.start_time));
        h5::write_scalar(p.where(), "sequence_index", index);
        if (!a.parameters.empty()) write_collection(must_group(p, "parameters", "NXparameters"), a.parameters);
        const OpenGroup note = must_group(p, "configuration", "NXnote");
        string_field(note, "type", "application/json");
        string_field(note, "description", "the activity as the catalogue records it");
        h5::write_string(note.where(), "data", activity_json(a, step.agents).dump());
        // The lineage in plain fields as well, for readers that do not parse JSON.
        const OpenGroup prov = must_group(p, "provenance", "NXcollection");
        string_field(prov, "activity_identifier", a.pid);
        string_field(prov, "name", a.name);
        string_field(prov, "type", std::string(to_string(a.type)));
        if (!a.generated.empty()) h5::write_strings(prov.where(), "generated", a.generated);
        int n = 0;
        for (const auto& in : step.inputs) {
            const OpenGroup g = must_group(prov, fmt::format("input_{}", ++n), "NXcollection");
            string_field(g, "dataset_identifier", in.pid);
            string_field(g, "role", in.role);
            if (!in.files.empty()) {
                h5::write_strings(g.where(), "file_names", in.files);
                h5::write_strings(g.where(), "file_sha256", in.sha256);
            }
        }
    }
}

// The raw file as the processed file will reach it: its path relative to the processed file's
// folder, and its entry's PID. The file must be a NeXus file with /entry/data.
struct RawLink {
    std::string relative;
    std::string pid;
};

RawLink check_raw_file(const fs::path& raw, const fs::path& out) {
    std::error_code ec;
    if (!fs::is_regular_file(raw, ec))
        throw ValidationError({{"raw_file", raw.string(), "must be an existing NeXus file"}});
    RawLink link;
    {
        h5::File f = [&] {
            try {
                return h5::File::open_read_only(raw);
            } catch (const NexusError& e) {
                throw ValidationError({{"raw_file", raw.string(), fmt::format("must be a NeXus/HDF5 file ({})", e.what())}});
            }
        }();
        const Location root = f.root();
        if (h5::link_target(root, "entry") != h5::LinkTarget::group ||
            h5::link_target(root, "entry/data") != h5::LinkTarget::group)
            throw ValidationError({{"raw_file", raw.string(), "must be a NeXus file with an /entry/data group"}});
        link.pid = h5::read_string(root, "entry/entry_identifier");
    }
    const fs::path from = fs::absolute(out).lexically_normal().parent_path();
    link.relative = fs::absolute(raw).lexically_normal().lexically_relative(from).generic_string();
    return link;
}

json time_json(const std::optional<Timestamp>& t) { return t ? json(iso(*t)) : json(nullptr); }

// The dataset as the catalogue records it, with its investigation, instrument and sample, so that
// ingesting the file rebuilds the records with every field and type (a time stays a time, not the
// string the NeXus field holds). NeXus readers see an ordinary NXnote.
json record_json(const Records& r) {
    const Dataset& d = r.dataset;
    json j = {{"pid", d.pid},
              {"kind", std::string(to_string(d.kind))},
              {"name", d.name},
              {"description", d.description},
              {"techniques", d.techniques},
              {"keywords", d.keywords},
              {"start_time", time_json(d.start_time)},
              {"end_time", time_json(d.end_time)},
              {"location", d.location},
              {"schema", d.schema},
              {"metadata", metadata_json(d.metadata)},
              {"state", std::string(to_string(d.state))},
              {"created_by", d.created_by},
              {"created_at", time_json(d.created_at)}};
    if (r.investigation) {
        const Investigation& i = *r.investigation;
        json people = json::array();
        for (const auto& p : i.participants)
            people.push_back({{"name", p.name}, {"role", p.role}, {"orcid", p.orcid}, {"email", p.email}});
        j["investigation"] = {{"pid", i.pid},
                              {"name", i.name},
                              {"title", i.title},
                              {"summary", i.summary},
                              {"start_time", time_json(i.start_time)},
                              {"end_time", time_json(i.end_time)},
                              {"release_date", time_json(i.release_date)},
                              {"doi", i.doi},
                              {"participants", std::move(people)}};
    }
    if (r.instrument)
        j["instrument"] = {{"pid", r.instrument->pid},
                           {"name", r.instrument->name},
                           {"facility", r.instrument->facility},
                           {"type", r.instrument->type}};
    if (r.sample)
        j["sample"] = {{"pid", r.sample->pid},
                       {"name", r.sample->name},
                       {"description", r.sample->description},
                       {"formula", r.sample->formula},
                       {"investigation", r.sample->investigation},
                       {"metadata", metadata_json(r.sample->metadata)}};
    return j;
}

void write_record(const OpenGroup& entry, const Records& r) {
    const OpenGroup note = must_group(entry, "catalog_record", "NXnote");
    string_field(note, "type", "application/json");
    string_field(note, "description", "the dataset as the datatrail catalogue records it");
    h5::write_string(note.where(), "data", record_json(r).dump());
}

// Everything but the file itself; `write_data` fills /entry (with NXdata) first, so that metadata
// at a schema's path cannot take a name the data needs.
void write_layout(const Location& root, const fs::path& path, const Records& r,
                  const std::function<void(const OpenGroup& entry)>& write_data, const std::vector<Step>* steps,
                  const std::optional<RawLink>& raw) {
    write_root_attributes(root, path);
    const OpenGroup top{h5::Group{h5::Handle{}, root}, "NXroot"};
    const OpenGroup entry = must_group(top, "entry", "NXentry");
    write_data(entry);
    if (steps) write_processes(entry, *steps);
    if (raw) {
        const OpenGroup g = must_group(entry, "raw", "NXcollection");
        string_field(g, "file_name", raw->relative);
        string_field(g, "entry_identifier", raw->pid);
        // The link reaches the raw NXdata rather than the raw NXentry: nexusformat 2.1 (what the
        // tests validate with) recurses without end through an external link to a group that
        // holds groups.
        h5::link_external(g.where(), "data", raw->relative, "/entry/data");
    }
    write_metadata(entry, r);
    write_skeleton(entry, r);
    write_record(entry, r);
    h5::set_attribute(entry.where(), "default", "data");
    h5::set_attribute(root, "default", "entry");
}

void write_file(const fs::path& path, const Records& r, const NexusData& data, const std::vector<Step>* steps,
                const std::optional<RawLink>& raw) {
    AtomicFile file(path);
    write_layout(file.root(), path, r, [&](const OpenGroup& entry) { write_nxdata(entry, data); }, steps, raw);
    file.commit();
}

}  // namespace

std::string nexus::iso_time(Timestamp t) {
    std::string s = format_time(t);
    if (!s.empty() && s.back() == 'Z') s.replace(s.size() - 1, 1, "+00:00");
    return s;
}

void nexus::write_raw_layout(const h5::Location& root, const fs::path& final_path, const Catalog& catalog,
                             const std::string& dataset_pid,
                             const std::function<void(const h5::Location& nxdata)>& write_data) {
    Records r = read_records(catalog, dataset_pid, DatasetKind::raw);
    r.dataset.state = DatasetState::complete;
    write_layout(
        root, final_path, r,
        [&](const OpenGroup& entry) { write_data(must_group(entry, "data", "NXdata").where()); }, nullptr,
        std::nullopt);
}

void write_raw_file(const fs::path& path, const Catalog& catalog, const std::string& dataset_pid, const NexusData& data) {
    h5::ErrorSilencer quiet;
    Violations v;
    check_data(data, v);
    v.throw_if_any();
    const Records r = read_records(catalog, dataset_pid, DatasetKind::raw);
    write_file(path, r, data, nullptr, std::nullopt);
}

void write_processed_file(const fs::path& path, const Catalog& catalog, const std::string& dataset_pid,
                          const NexusData& data, const fs::path& raw_file) {
    h5::ErrorSilencer quiet;
    Violations v;
    check_data(data, v);
    v.throw_if_any();
    const Records r = read_records(catalog, dataset_pid, DatasetKind::processed);
    const std::vector<Step> steps = read_chain(catalog, dataset_pid);
    std::optional<RawLink> raw;
    if (!raw_file.empty()) raw = check_raw_file(raw_file, path);
    write_file(path, r, data, &steps, raw);
}

}  // namespace datatrail
