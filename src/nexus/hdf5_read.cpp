#include "nexus/hdf5_read.hpp"

#include "nexus/filters.hpp"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <limits>

namespace datatrail::nexus::h5 {

namespace {

// HDF5 leaves a message on its stack for every probe that finds nothing; a reader probes a lot.
void forget_errors() { H5Eclear2(H5E_DEFAULT); }

// Strings of either storage, as a list: `read` fills a buffer of the given memory type.
template <class Read>
std::optional<std::vector<std::string>> read_strings(hid_t file_type, hssize_t count, Read&& read) {
    if (H5Tget_class(file_type) != H5T_STRING || count < 0) return std::nullopt;
    const auto n = static_cast<std::size_t>(count);
    std::vector<std::string> out;
    if (H5Tis_variable_str(file_type) > 0) {
        Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
        if (!mem.valid() || H5Tset_size(mem.get(), H5T_VARIABLE) < 0 ||
            H5Tset_cset(mem.get(), H5Tget_cset(file_type)) < 0)
            return std::nullopt;
        std::vector<char*> p(n, nullptr);
        if (n && read(mem.get(), p.data()) < 0) return std::nullopt;
        for (char* s : p) {
            out.emplace_back(s ? s : "");
            if (s) H5free_memory(s);
        }
        return out;
    }
    const std::size_t size = H5Tget_size(file_type);
    if (size == 0) return std::nullopt;
    Handle mem(H5Tcopy(file_type), H5Tclose);
    if (!mem.valid()) return std::nullopt;
    std::vector<char> buffer(n * size + 1, '\0');
    if (n && read(mem.get(), buffer.data()) < 0) return std::nullopt;
    const bool space_padded = H5Tget_strpad(file_type) == H5T_STR_SPACEPAD;
    for (std::size_t i = 0; i < n; ++i) {
        std::string s(buffer.data() + i * size, size);
        s.resize(std::strlen(s.c_str()));  // null-terminated or null-padded
        if (space_padded) s.erase(s.find_last_not_of(' ') + 1);
        out.push_back(std::move(s));
    }
    return out;
}

hssize_t element_count(hid_t space) {
    if (space < 0) return -1;
    return H5Sget_simple_extent_npoints(space);
}

int rank_of(hid_t space) { return space < 0 ? -1 : H5Sget_simple_extent_ndims(space); }

// h5py's booleans: an enum of two members named FALSE and TRUE.
bool is_boolean_enum(hid_t type) {
    if (H5Tget_class(type) != H5T_ENUM || H5Tget_nmembers(type) != 2) return false;
    char* first = H5Tget_member_name(type, 0);
    char* second = H5Tget_member_name(type, 1);
    const bool yes = first && second && std::string(first) == "FALSE" && std::string(second) == "TRUE";
    if (first) H5free_memory(first);
    if (second) H5free_memory(second);
    return yes;
}

}  // namespace

bool is_hdf5(const std::filesystem::path& path) {
    // HDF5's signature, at offset 0 or a power of two from 512 on (a user block before it); the
    // file is read directly so that a missing or foreign file leaves nothing on HDF5's stack.
    static constexpr char signature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    char head[8];
    for (std::uint64_t offset = 0;; offset = offset ? offset * 2 : 512) {
        in.seekg(static_cast<std::streamoff>(offset));
        if (!in.read(head, 8)) return false;
        if (std::memcmp(head, signature, 8) == 0) return true;
        if (offset > (std::uint64_t{1} << 30)) return false;
    }
}

std::vector<std::string> children(const Location& group) {
    std::vector<std::string> out;
    H5G_info_t info{};
    if (H5Gget_info(group.id, &info) < 0) {
        forget_errors();
        return out;
    }
    for (H5_index_t index : {H5_INDEX_CRT_ORDER, H5_INDEX_NAME}) {
        out.clear();
        bool ok = true;
        for (hsize_t i = 0; i < info.nlinks && ok; ++i) {
            const ssize_t n = H5Lget_name_by_idx(group.id, ".", index, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
            if (n < 0) {
                ok = false;
                break;
            }
            std::string name(static_cast<std::size_t>(n) + 1, '\0');
            if (H5Lget_name_by_idx(group.id, ".", index, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT) < 0) {
                ok = false;
                break;
            }
            name.resize(static_cast<std::size_t>(n));
            out.push_back(std::move(name));
        }
        if (ok) return out;
        forget_errors();  // no creation order index in this group: by name instead
    }
    out.clear();
    return out;
}

Handle open_object(const Location& parent, std::string_view path) {
    const std::string p(path);
    // Each link on the way must exist before H5Oopen is asked, or HDF5 reports an error deep in
    // its traversal; asking link by link keeps "not there" a plain answer.
    std::size_t pos = 0;
    while (pos <= p.size()) {
        const auto next = p.find('/', pos);
        const std::string prefix = p.substr(0, next);
        if (!prefix.empty() && H5Lexists(parent.id, prefix.c_str(), H5P_DEFAULT) <= 0) {
            forget_errors();
            return {};
        }
        if (next == std::string::npos) break;
        pos = next + 1;
    }
    Handle object(H5Oopen(parent.id, p.c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.valid()) forget_errors();
    return object;
}

LinkTarget object_kind(hid_t object) {
    switch (H5Iget_type(object)) {
        case H5I_GROUP: return LinkTarget::group;
        case H5I_DATASET: return LinkTarget::dataset;
        default: return LinkTarget::other;
    }
}

namespace {

Handle open_attribute(hid_t object, std::string_view name) {
    const std::string n(name);
    if (H5Aexists(object, n.c_str()) <= 0) {
        forget_errors();
        return {};
    }
    Handle a(H5Aopen(object, n.c_str(), H5P_DEFAULT), H5Aclose);
    if (!a.valid()) forget_errors();
    return a;
}

}  // namespace

std::vector<std::string> string_list_attribute(hid_t object, std::string_view name) {
    const Handle a = open_attribute(object, name);
    if (!a.valid()) return {};
    const Handle type(H5Aget_type(a.get()), H5Tclose);
    const Handle space(H5Aget_space(a.get()), H5Sclose);
    auto values = read_strings(type.get(), element_count(space.get()),
                               [&](hid_t mem, void* buffer) { return H5Aread(a.get(), mem, buffer); });
    forget_errors();
    return values ? std::move(*values) : std::vector<std::string>{};
}

std::optional<std::string> string_attribute(hid_t object, std::string_view name) {
    const Handle a = open_attribute(object, name);
    if (!a.valid()) return std::nullopt;
    const Handle type(H5Aget_type(a.get()), H5Tclose);
    const Handle space(H5Aget_space(a.get()), H5Sclose);
    if (element_count(space.get()) != 1) return std::nullopt;
    auto values = read_strings(type.get(), 1, [&](hid_t mem, void* buffer) { return H5Aread(a.get(), mem, buffer); });
    forget_errors();
    if (!values || values->empty()) return std::nullopt;
    return std::move(values->front());
}

std::optional<std::int64_t> integer_attribute(hid_t object, std::string_view name) {
    const auto v = value_attribute(object, name);
    if (v && v->is<std::int64_t>()) return v->as<std::int64_t>();
    return std::nullopt;
}

std::optional<Value> value_attribute(hid_t object, std::string_view name) {
    const Handle a = open_attribute(object, name);
    if (!a.valid()) return std::nullopt;
    const Handle type(H5Aget_type(a.get()), H5Tclose);
    const Handle space(H5Aget_space(a.get()), H5Sclose);
    if (element_count(space.get()) != 1) return std::nullopt;
    switch (H5Tget_class(type.get())) {
        case H5T_STRING:
            if (auto s = string_attribute(object, name)) return Value(std::move(*s));
            return std::nullopt;
        case H5T_INTEGER: {
            std::int64_t v = 0;
            if (H5Aread(a.get(), H5T_NATIVE_INT64, &v) < 0) break;
            return Value(v);
        }
        case H5T_FLOAT: {
            double v = 0;
            if (H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v) < 0) break;
            return Value(v);
        }
        default: break;
    }
    forget_errors();
    return std::nullopt;
}

std::string nx_class(hid_t object) { return string_attribute(object, "NX_class").value_or(""); }

std::optional<ElementType> element_type(hid_t dataset) {
    const Handle type(H5Dget_type(dataset), H5Tclose);
    if (!type.valid()) {
        forget_errors();
        return std::nullopt;
    }
    const std::size_t size = H5Tget_size(type.get());
    switch (H5Tget_class(type.get())) {
        case H5T_INTEGER: {
            const bool is_signed = H5Tget_sign(type.get()) == H5T_SGN_2;
            switch (size) {
                case 1: return is_signed ? ElementType::int8 : ElementType::uint8;
                case 2: return is_signed ? ElementType::int16 : ElementType::uint16;
                case 4: return is_signed ? ElementType::int32 : ElementType::uint32;
                case 8: return is_signed ? ElementType::int64 : ElementType::uint64;
                default: return std::nullopt;
            }
        }
        case H5T_FLOAT:
            if (size == 4) return ElementType::float32;
            if (size == 8) return ElementType::float64;
            return std::nullopt;
        default: return std::nullopt;
    }
}

std::vector<std::uint64_t> shape(hid_t dataset) {
    const Handle space(H5Dget_space(dataset), H5Sclose);
    const int rank = rank_of(space.get());
    if (rank <= 0) return {};
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return {dims.begin(), dims.end()};
}

std::string file_name(hid_t object) {
    const ssize_t n = H5Fget_name(object, nullptr, 0);
    if (n <= 0) {
        forget_errors();
        return {};
    }
    std::string name(static_cast<std::size_t>(n), '\0');
    H5Fget_name(object, name.data(), name.size() + 1);
    return name;
}

namespace {

// The ids of a dataset's filter pipeline, in order.
std::vector<int> filter_ids(hid_t dataset) {
    std::vector<int> out;
    const Handle dcpl(H5Dget_create_plist(dataset), H5Pclose);
    if (dcpl.valid()) {
        const int n = H5Pget_nfilters(dcpl.get());
        for (int i = 0; i < n; ++i) {
            unsigned flags = 0, config = 0;
            std::size_t count = 0;
            const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &count, nullptr, 0,
                                                   nullptr, &config);
            if (id >= 0) out.push_back(static_cast<int>(id));
        }
    }
    forget_errors();
    return out;
}

}  // namespace

std::vector<std::string> filters(hid_t dataset) {
    std::vector<std::string> out;
    for (const int id : filter_ids(dataset)) out.push_back(nexus::filter_label(id));
    return out;
}

std::optional<MetadataValue> read_value(hid_t dataset) {
    const Handle type(H5Dget_type(dataset), H5Tclose);
    const Handle space(H5Dget_space(dataset), H5Sclose);
    if (!type.valid() || !space.valid()) {
        forget_errors();
        return std::nullopt;
    }
    int rank = rank_of(space.get());
    const hssize_t count = element_count(space.get());
    if (rank < 0 || rank > 1 || count < 0) return std::nullopt;
    // Older NeXus writers store a scalar as an array of one element.
    if (rank == 1 && count == 1) rank = 0;
    MetadataValue out;
    const auto units = string_attribute(dataset, "units");
    const auto read = [&](hid_t mem, void* buffer) { return H5Dread(dataset, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer); };
    const auto n = static_cast<std::size_t>(count);
    switch (H5Tget_class(type.get())) {
        case H5T_STRING: {
            auto values = read_strings(type.get(), count, read);
            if (!values) break;
            if (rank == 0) out.value = std::move(values->front());
            else out.value = std::move(*values);
            return out;
        }
        case H5T_ENUM: {
            if (!is_boolean_enum(type.get()) || rank != 0) break;
            std::int8_t v = 0;
            if (H5Dread(dataset, type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0) break;
            out.value = v != 0;
            return out;
        }
        case H5T_INTEGER: {
            // A uint64 beyond int64's range would wrap; it is kept as a float instead.
            const bool big_unsigned = H5Tget_sign(type.get()) == H5T_SGN_NONE && H5Tget_size(type.get()) == 8;
            if (big_unsigned) {
                std::vector<std::uint64_t> v(std::max<std::size_t>(n, 1));
                if (read(H5T_NATIVE_UINT64, v.data()) < 0) break;
                bool fits = true;
                for (auto x : v) fits = fits && x <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
                if (!fits) {
                    std::vector<double> d(v.begin(), v.end());
                    if (rank == 0) out.value = d.front();
                    else out.value = std::move(d);
                    if (units) out.unit = *units;
                    return out;
                }
            }
            std::vector<std::int64_t> v(std::max<std::size_t>(n, 1));
            if (read(H5T_NATIVE_INT64, v.data()) < 0) break;
            if (rank == 0) out.value = v.front();
            else out.value = std::vector<std::int64_t>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
            if (units) out.unit = *units;
            return out;
        }
        case H5T_FLOAT: {
            std::vector<double> v(std::max<std::size_t>(n, 1));
            if (read(H5T_NATIVE_DOUBLE, v.data()) < 0) break;
            if (rank == 0) out.value = v.front();
            else out.value = std::vector<double>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
            if (units) out.unit = *units;
            return out;
        }
        default: break;
    }
    forget_errors();
    return std::nullopt;
}

void read_array(hid_t dataset, ElementType type, void* out, const std::string& file, const std::string& where) {
    // A filter that is not there makes H5Dread fail deep in the chunk cache; naming it first tells
    // the reader which plugin to install.
    for (const int id : filter_ids(dataset)) {
        if (!nexus::ensure_filter(id))
            throw NexusError(fmt::format("{}: {}: cannot read the data: {} is not available: {}", file, where,
                                         nexus::filter_name(id), nexus::filter_install_hint(id)));
    }
    forget_errors();
    if (H5Dread(dataset, memory_type(static_cast<int>(type)), H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
        fail(file, where, "read the data");
}

}  // namespace datatrail::nexus::h5
