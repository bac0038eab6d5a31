// Reading NeXus files back: the layout nexus_writer.cpp makes, and what other NeXus writers make
// with the same base classes, over the reading layer of hdf5_read.hpp.
// GCC 12 reports a bogus overlap in std::operator+(const char*, std::string&&) once it inlines
// Location::child here (GCC bug 105329); the code is the standard library's.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include "nexus/hdf5_read.hpp"

#include <datatrail/nexus_read.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace datatrail {

namespace {

namespace fs = std::filesystem;
namespace h5 = nexus::h5;
using h5::Handle;
using h5::Location;

// An open group with where it is, for its children.
struct Node {
    Handle handle;
    Location where;
};

std::optional<Node> open_group_at(const Location& parent, const std::string& name) {
    Handle h = h5::open_object(parent, name);
    if (!h.valid() || h5::object_kind(h.get()) != h5::LinkTarget::group) return std::nullopt;
    Node n{std::move(h), {H5I_INVALID_HID, parent.file, parent.child(name)}};
    n.where.id = n.handle.get();
    return n;
}

// A field's value as text: a string as it is, anything else in its text form; "" when absent.
std::string text(const Location& parent, const std::string& path) {
    const Handle d = h5::open_object(parent, path);
    if (!d.valid() || h5::object_kind(d.get()) != h5::LinkTarget::dataset) return {};
    const auto v = h5::read_value(d.get());
    if (!v) return {};
    if (v->value.is<std::string>()) return v->value.as<std::string>();
    return v->value.to_string();
}

// ISO 8601 as NeXus files have it: also with a basic-format offset ("-0600", as older writers
// put it), which parse_time reads once it has its colon.
Timestamp parse_nexus_time(std::string t, std::string_view field) {
    const auto n = t.size();
    if (n > 5 && (t[n - 5] == '+' || t[n - 5] == '-') && t.find('T') != std::string::npos &&
        std::all_of(t.end() - 4, t.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        t.insert(n - 2, ":");
    return parse_time(t, field);
}

std::optional<Timestamp> time_field(const Location& parent, const std::string& path, std::vector<std::string>& problems) {
    const std::string t = text(parent, path);
    if (t.empty()) return std::nullopt;
    try {
        return parse_nexus_time(t, path);
    } catch (const Error& e) {
        problems.push_back(fmt::format("{}: '{}' is not an ISO 8601 time", parent.child(path), t));
        return std::nullopt;
    }
}

std::vector<std::string> groups_of_class(const Location& where, std::string_view nx_class) {
    std::vector<std::string> out;
    for (const auto& name : h5::children(where)) {
        const Handle h = h5::open_object(where, name);
        if (h.valid() && h5::object_kind(h.get()) == h5::LinkTarget::group && h5::nx_class(h.get()) == nx_class)
            out.push_back(name);
    }
    return out;
}

// Fields of a collection as metadata: nested groups make dotted keys, and a "__" in a name (how
// the writer keeps a key that is also another's prefix) is a dot again.
void read_collection(const Location& group, const std::string& prefix, Metadata& out) {
    for (const auto& name : h5::children(group)) {
        Handle h = h5::open_object(group, name);
        if (!h.valid()) continue;
        std::string key = prefix.empty() ? std::string() : prefix + ".";
        for (std::size_t i = 0; i < name.size(); ++i) {
            const bool dot = name.compare(i, 2, "__") == 0;
            key.push_back(dot ? '.' : name[i]);
            if (dot) ++i;
        }
        if (h5::object_kind(h.get()) == h5::LinkTarget::group) {
            const Location inner{h.get(), group.file, group.child(name)};
            read_collection(inner, key, out);
        } else if (h5::object_kind(h.get()) == h5::LinkTarget::dataset && is_valid_metadata_key(key)) {
            if (auto v = h5::read_value(h.get())) out.emplace(key, std::move(*v));
        }
    }
}

// Scalar fields below `group`, under `prefix` with dots; `depth` limits the descent.
void read_scalars(const Location& group, const std::string& prefix, int depth, Metadata& out) {
    static const std::set<std::string> entry_fields = {"entry_identifier", "title", "experiment_description",
                                                       "experiment_identifier", "definition", "start_time", "end_time"};
    for (const auto& name : h5::children(group)) {
        if (prefix.empty() && entry_fields.contains(name)) continue;
        const std::string key = prefix.empty() ? name : prefix + "." + name;
        if (!is_valid_metadata_key(key)) continue;
        Handle h = h5::open_object(group, name);
        if (!h.valid()) continue;
        if (h5::object_kind(h.get()) == h5::LinkTarget::dataset) {
            if (h5::shape(h.get()).size() > 1) continue;
            std::uint64_t count = 1;
            for (auto n : h5::shape(h.get())) count *= n;
            if (count != 1) continue;
            if (auto v = h5::read_value(h.get())) out.emplace(key, std::move(*v));
        } else if (h5::object_kind(h.get()) == h5::LinkTarget::group && depth > 0) {
            const std::string cls = h5::nx_class(h.get());
            const bool descend = prefix.empty() ? (cls == "NXinstrument" || cls == "NXsample") : cls != "NXdata";
            if (descend) read_scalars({h.get(), group.file, group.child(name)}, key, depth - 1, out);
        }
    }
}

// A value read from a file, in the type its schema field has (the file holds a time as a
// string, a count perhaps as a float); nullopt when it cannot be.
std::optional<MetadataValue> as_field_type(MetadataValue mv, const SchemaField& field) {
    auto& v = mv.value;
    switch (field.type) {
        case FieldType::datetime:
            if (v.is<std::string>()) {
                try {
                    v = parse_nexus_time(v.as<std::string>(), field.key);
                } catch (const Error&) {
                    return std::nullopt;
                }
            }
            break;
        case FieldType::json:
            if (v.is<std::string>()) v = Json{v.as<std::string>()};
            break;
        case FieldType::integer:
            if (v.is<double>() && v.as<double>() == static_cast<double>(static_cast<std::int64_t>(v.as<double>())))
                v = static_cast<std::int64_t>(v.as<double>());
            break;
        case FieldType::floating:
            if (v.is<std::int64_t>()) v = static_cast<double>(v.as<std::int64_t>());
            break;
        case FieldType::boolean:
            if (v.is<std::int64_t>()) v = v.as<std::int64_t>() != 0;
            break;
        default: break;
    }
    return mv;
}

// The values at the schema's NeXus paths, under the schema's keys.
void read_schema_paths(const Location& root, const std::string& entry, const Schema& schema, Metadata& out,
                       std::vector<std::string>& problems) {
    for (const auto& field : schema.fields) {
        if (field.nexus_path.empty()) continue;
        std::string path = field.nexus_path, attribute;
        if (const auto at = path.find('@'); at != std::string::npos) {
            attribute = path.substr(at + 1);
            path = path.substr(0, at);
        }
        // "/entry/..." names this entry, whatever it is called in the file.
        if (path.rfind("/entry/", 0) == 0 || path == "/entry") path = std::string(1, '/').append(entry).append(path, 6);
        if (path.empty() || path.front() != '/') continue;
        const Handle object = h5::open_object(root, path.substr(1));
        if (!object.valid()) continue;
        std::optional<MetadataValue> value;
        if (!attribute.empty()) {
            if (auto v = h5::value_attribute(object.get(), attribute)) value = MetadataValue(*v);
        } else if (h5::object_kind(object.get()) == h5::LinkTarget::dataset) {
            value = h5::read_value(object.get());
        }
        if (!value) continue;
        if (auto typed = as_field_type(std::move(*value), field)) out.insert_or_assign(field.key, std::move(*typed));
        else problems.push_back(fmt::format("{}: the value cannot be read as {} for '{}'", field.nexus_path,
                                            to_string(field.type), field.key));
    }
}

NexusArrayInfo array_info_of(hid_t dataset, const std::string& path) {
    NexusArrayInfo info;
    info.path = path;
    info.name = path.substr(path.find_last_of('/') + 1);
    info.type = *h5::element_type(dataset);
    info.shape = h5::shape(dataset);
    std::uint64_t count = 1;
    for (auto n : info.shape) count *= n;
    info.bytes = count * element_size(info.type);
    info.units = h5::string_attribute(dataset, "units").value_or("");
    info.long_name = h5::string_attribute(dataset, "long_name").value_or("");
    info.filters = h5::filters(dataset);
    info.file = h5::file_name(dataset);
    return info;
}

std::optional<NexusArrayInfo> array_at(const Location& group, const std::string& name) {
    const Handle d = h5::open_object(group, name);
    if (!d.valid() || h5::object_kind(d.get()) != h5::LinkTarget::dataset || !h5::element_type(d.get())) return std::nullopt;
    return array_info_of(d.get(), group.child(name));
}

// The NXdata of an entry: the one @default names, else the first with a signal.
std::optional<NexusDataInfo> read_data(const Location& entry, std::vector<std::string>& problems) {
    std::vector<std::string> candidates;
    if (const auto d = h5::string_attribute(entry.id, "default")) candidates.push_back(*d);
    for (const auto& name : groups_of_class(entry, "NXdata"))
        if (std::find(candidates.begin(), candidates.end(), name) == candidates.end()) candidates.push_back(name);
    for (const auto& name : candidates) {
        const auto g = open_group_at(entry, name);
        if (!g || h5::nx_class(g->handle.get()) != "NXdata") continue;
        std::string signal = h5::string_attribute(g->handle.get(), "signal").value_or("");
        if (signal.empty()) {
            // NeXus' older convention: the signal dataset carries @signal=1.
            for (const auto& child : h5::children(g->where)) {
                const Handle d = h5::open_object(g->where, child);
                if (d.valid() && h5::integer_attribute(d.get(), "signal").value_or(0) == 1) signal = child;
            }
        }
        if (signal.empty()) continue;
        auto info = array_at(g->where, signal);
        if (!info) {
            problems.push_back(fmt::format("{}@signal names '{}', which is not a numeric dataset there", g->where.path, signal));
            continue;
        }
        NexusDataInfo data{g->where.path, std::move(*info), {}};
        const auto axes = h5::string_list_attribute(g->handle.get(), "axes");
        for (std::size_t i = 0; i < data.signal.shape.size(); ++i) {
            NexusArrayInfo axis;
            if (i < axes.size() && axes[i] != ".") {
                if (auto a = array_at(g->where, axes[i])) axis = std::move(*a);
                else problems.push_back(fmt::format("{}@axes names '{}', which is not a numeric dataset there", g->where.path, axes[i]));
            }
            data.axes.push_back(std::move(axis));
        }
        return data;
    }
    return std::nullopt;
}

std::vector<std::string> strings(const Location& parent, const std::string& name) {
    const Handle d = h5::open_object(parent, name);
    if (!d.valid() || h5::object_kind(d.get()) != h5::LinkTarget::dataset) return {};
    const auto v = h5::read_value(d.get());
    if (!v) return {};
    if (v->value.is<std::vector<std::string>>()) return v->value.as<std::vector<std::string>>();
    if (v->value.is<std::string>()) return {v->value.as<std::string>()};
    return {};
}

NexusProcess read_process(const Location& entry, const std::string& name, std::vector<std::string>& problems) {
    NexusProcess p;
    p.group = name;
    const auto g = open_group_at(entry, name);
    const Location& at = g->where;
    p.program = text(at, "program");
    p.version = text(at, "version");
    p.date = time_field(at, "date", problems);
    {
        const Handle d = h5::open_object(at, "sequence_index");
        if (d.valid() && h5::object_kind(d.get()) == h5::LinkTarget::dataset)
            if (const auto v = h5::read_value(d.get()); v && v->value.is<std::int64_t>()) p.sequence_index = v->value.as<std::int64_t>();
    }
    for (const auto& params : groups_of_class(at, "NXparameters")) {
        const auto pg = open_group_at(at, params);
        read_collection(pg->where, "", p.parameters);
    }
    const auto notes = groups_of_class(at, "NXnote");
    if (!notes.empty()) {
        const std::string note = std::find(notes.begin(), notes.end(), "configuration") != notes.end() ? "configuration" : notes.front();
        const auto ng = open_group_at(at, note);
        p.note_type = text(ng->where, "type");
        if (p.note_type.empty()) p.note_type = h5::string_attribute(ng->handle.get(), "type").value_or("");
        p.note = text(ng->where, "data");
    }
    if (const auto prov = open_group_at(at, "provenance")) {
        p.activity = text(prov->where, "activity_identifier");
        p.name = text(prov->where, "name");
        p.type = text(prov->where, "type");
        p.generated = strings(prov->where, "generated");
        for (const auto& child : h5::children(prov->where)) {
            const auto ig = open_group_at(prov->where, child);
            if (!ig) continue;
            NexusInput in;
            in.dataset = text(ig->where, "dataset_identifier");
            in.role = text(ig->where, "role");
            in.files = strings(ig->where, "file_names");
            in.sha256 = strings(ig->where, "file_sha256");
            if (!in.dataset.empty()) p.inputs.push_back(std::move(in));
        }
    }
    return p;
}

}  // namespace

struct NexusFile::Impl {
    fs::path path;
    h5::File file;
};

NexusFile::NexusFile(const fs::path& path) {
    h5::ErrorSilencer quiet;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw NotFound(fmt::format("no file '{}'", path.string()));
    if (!fs::is_regular_file(path, ec)) throw NexusError(fmt::format("{}: not a regular file", path.string()));
    if (!h5::is_hdf5(path))
        throw NexusError(fmt::format("{}: not an HDF5 file (it does not start with HDF5's signature)", path.string()));
    impl_ = std::make_unique<Impl>(Impl{path, h5::File::open_read_only(path)});
}

NexusFile::~NexusFile() {
    if (impl_) {
        h5::ErrorSilencer quiet;
        impl_.reset();
    }
}
NexusFile::NexusFile(NexusFile&&) noexcept = default;
NexusFile& NexusFile::operator=(NexusFile&&) noexcept = default;

const fs::path& NexusFile::path() const noexcept { return impl_->path; }

std::string NexusFile::creator() const {
    h5::ErrorSilencer quiet;
    return h5::string_attribute(impl_->file.root().id, "creator").value_or("");
}

std::vector<std::string> NexusFile::entries() const {
    h5::ErrorSilencer quiet;
    return groups_of_class(impl_->file.root(), "NXentry");
}

std::string NexusFile::default_entry() const {
    h5::ErrorSilencer quiet;
    const auto all = entries();
    if (const auto d = h5::string_attribute(impl_->file.root().id, "default"))
        if (std::find(all.begin(), all.end(), *d) != all.end()) return *d;
    return all.empty() ? std::string() : all.front();
}

NexusEntry NexusFile::entry(const std::string& name, const Schema* schema) const {
    h5::ErrorSilencer quiet;
    NexusEntry e;
    e.name = name.empty() ? default_entry() : name;
    const Location root = impl_->file.root();
    const auto g = e.name.empty() ? std::nullopt : open_group_at(root, e.name);
    if (!g || h5::nx_class(g->handle.get()) != "NXentry")
        throw NotFound(fmt::format("{}: no NXentry{}{}", impl_->path.string(), e.name.empty() ? "" : " named ", e.name));
    const Location& at = g->where;
    e.identifier = text(at, "entry_identifier");
    e.title = text(at, "title");
    e.description = text(at, "experiment_description");
    e.experiment_identifier = text(at, "experiment_identifier");
    e.definition = text(at, "definition");
    e.start_time = time_field(at, "start_time", e.problems);
    e.end_time = time_field(at, "end_time", e.problems);
    for (const auto& u : groups_of_class(at, "NXuser")) {
        const auto ug = open_group_at(at, u);
        Participant p{text(ug->where, "name"), text(ug->where, "role"), text(ug->where, "ORCID"), text(ug->where, "email")};
        if (p.orcid.empty()) p.orcid = text(ug->where, "orcid");
        e.users.push_back(std::move(p));
    }
    if (const auto instruments = groups_of_class(at, "NXinstrument"); !instruments.empty()) {
        const auto ig = open_group_at(at, instruments.front());
        e.instrument = text(ig->where, "name");
        if (const auto sources = groups_of_class(ig->where, "NXsource"); !sources.empty())
            e.facility = text(open_group_at(ig->where, sources.front())->where, "name");
    }
    if (const auto samples = groups_of_class(at, "NXsample"); !samples.empty()) {
        const auto sg = open_group_at(at, samples.front());
        e.sample = text(sg->where, "name");
        e.sample_formula = text(sg->where, "chemical_formula");
        e.sample_description = text(sg->where, "description");
    }
    if (const auto m = open_group_at(at, "metadata"); m && h5::nx_class(m->handle.get()) == "NXcollection")
        read_collection(m->where, "", e.metadata);
    if (schema) read_schema_paths(root, e.name, *schema, e.metadata, e.problems);
    read_scalars(at, "", 4, e.fields);
    for (const auto& p : groups_of_class(at, "NXprocess")) e.processes.push_back(read_process(at, p, e.problems));
    std::stable_sort(e.processes.begin(), e.processes.end(),
                     [](const NexusProcess& a, const NexusProcess& b) { return a.sequence_index < b.sequence_index; });
    if (const auto raw = open_group_at(at, "raw")) {
        NexusRawLink link{text(raw->where, "file_name"), text(raw->where, "entry_identifier")};
        if (!link.file_name.empty() || !link.entry_identifier.empty()) e.raw = std::move(link);
    }
    e.data = read_data(at, e.problems);
    if (const auto note = open_group_at(at, "catalog_record"); note && h5::nx_class(note->handle.get()) == "NXnote")
        e.record = text(note->where, "data");
    return e;
}

NexusArrayInfo NexusFile::array_info(const std::string& object_path) const {
    h5::ErrorSilencer quiet;
    const std::string p = object_path.empty() || object_path.front() != '/' ? object_path : object_path.substr(1);
    const Handle d = h5::open_object(impl_->file.root(), p);
    if (!d.valid() || h5::object_kind(d.get()) != h5::LinkTarget::dataset || !h5::element_type(d.get()))
        throw NotFound(fmt::format("{}: no numeric dataset at '{}'", impl_->path.string(), object_path));
    return array_info_of(d.get(), std::string(1, '/').append(p));
}

NexusBuffer NexusFile::read_array(const std::string& object_path) const {
    h5::ErrorSilencer quiet;
    const NexusArrayInfo info = array_info(object_path);
    const Handle d = h5::open_object(impl_->file.root(), info.path.substr(1));
    NexusBuffer out;
    out.type = info.type;
    out.shape = info.shape;
    out.units = info.units;
    out.bytes.resize(static_cast<std::size_t>(info.bytes));
    if (info.bytes) h5::read_array(d.get(), info.type, out.bytes.data(), impl_->path.string(), info.path);
    return out;
}

}  // namespace datatrail
