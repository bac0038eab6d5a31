#include "nexus/hdf5.hpp"

#include <datatrail/nexus.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace datatrail::nexus::h5 {

ErrorSilencer::ErrorSilencer() noexcept {
    saved_ = H5Eget_auto2(H5E_DEFAULT, &func_, &data_) >= 0;
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

ErrorSilencer::~ErrorSilencer() {
    if (saved_) H5Eset_auto2(H5E_DEFAULT, func_, data_);
}

namespace {

herr_t collect_error(unsigned, const H5E_error2_t* e, void* out) {
    auto& messages = *static_cast<std::vector<std::string>*>(out);
    std::string text = e->desc ? e->desc : "";
    if (e->func_name && *e->func_name) text = fmt::format("{} ({})", text, e->func_name);
    std::replace(text.begin(), text.end(), '\n', ' ');  // HDF5 puts ctime()'s newline in some
    // The innermost few say what went wrong; the rest is the call chain down to them.
    if (!text.empty() && messages.size() < 8) messages.push_back(std::move(text));
    return 0;
}

// A string type for variable-length UTF-8, which h5py reads as str.
Handle utf8_type() {
    Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!t.valid() || H5Tset_size(t.get(), H5T_VARIABLE) < 0 || H5Tset_cset(t.get(), H5T_CSET_UTF8) < 0)
        fail("", "", "make a UTF-8 string type");
    return t;
}

Handle scalar_space() {
    Handle s(H5Screate(H5S_SCALAR), H5Sclose);
    if (!s.valid()) fail("", "", "make a scalar dataspace");
    return s;
}

Handle simple_space(const std::vector<std::uint64_t>& shape) {
    std::vector<hsize_t> dims(shape.begin(), shape.end());
    Handle s(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    if (!s.valid()) fail("", "", "make a dataspace");
    return s;
}

Handle create_dataset(const Location& parent, std::string_view name, hid_t type, hid_t space, Location* out) {
    const std::string n(name);
    Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    // Intermediate groups are never created implicitly: each group gets its NX_class.
    Handle d(H5Dcreate2(parent.id, n.c_str(), type, space, lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
    if (!d.valid()) fail(*parent.file, parent.child(name), "create the dataset");
    if (out) *out = {d.get(), parent.file, parent.child(name)};
    return d;
}

void write_all(const Handle& d, hid_t mem_type, const void* data, const Location& parent, std::string_view name) {
    if (H5Dwrite(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        fail(*parent.file, parent.child(name), "write the dataset");
}

Handle create_attribute(const Location& where, std::string_view name, hid_t type, hid_t space) {
    const std::string n(name);
    // Replacing an attribute keeps a rewrite (say of @default) from failing on the second write.
    if (H5Aexists(where.id, n.c_str()) > 0) H5Adelete(where.id, n.c_str());
    Handle a(H5Acreate2(where.id, n.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!a.valid()) fail(*where.file, where.path + "@" + n, "create the attribute");
    return a;
}

}  // namespace

std::string error_stack() {
    std::vector<std::string> messages;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &messages);
    H5Eclear2(H5E_DEFAULT);
    std::string out;
    for (const auto& m : messages) out += (out.empty() ? "" : "; ") + m;
    return out.empty() ? "no HDF5 error message" : out;
}

void fail(std::string_view file, std::string_view object, std::string_view action) {
    const std::string stack = error_stack();
    std::string where(file);
    if (!object.empty()) where += (where.empty() ? "" : ": ") + std::string(object);
    throw NexusError(fmt::format("{}{}cannot {}: {}", where, where.empty() ? "" : ": ", action, stack));
}

File File::create(const std::filesystem::path& path, const std::string& shown_as) {
    const std::string path_text = path.string();
    std::string name = shown_as.empty() ? path_text : shown_as;
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    // Closing the file closes whatever is still open in it, so an exception thrown half-way cannot
    // leave the file open behind a leaked handle.
    if (!fapl.valid() || H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG) < 0) fail(name, "", "set file access properties");
    Handle gcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
    if (!gcpl.valid() ||
        H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0)
        fail(name, "", "set file creation properties");
    Handle f(H5Fcreate(path_text.c_str(), H5F_ACC_EXCL, gcpl.get(), fapl.get()), H5Fclose);
    if (!f.valid()) fail(name, "", "create the file");
    return File(std::move(f), std::move(name));
}

File File::open_read_only(const std::filesystem::path& path) {
    std::string name = path.string();
    Handle f(H5Fopen(name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.valid()) fail(name, "", "open the file for reading");
    return File(std::move(f), std::move(name));
}

void File::close() {
    if (!handle_.valid()) return;
    if (H5Fflush(handle_.get(), H5F_SCOPE_LOCAL) < 0) fail(name_, "", "flush the file");
    if (H5Fclose(handle_.release()) < 0) fail(name_, "", "close the file");
}

hid_t memory_type(int element_type) {
    switch (static_cast<ElementType>(element_type)) {
        case ElementType::int8: return H5T_NATIVE_INT8;
        case ElementType::uint8: return H5T_NATIVE_UINT8;
        case ElementType::int16: return H5T_NATIVE_INT16;
        case ElementType::uint16: return H5T_NATIVE_UINT16;
        case ElementType::int32: return H5T_NATIVE_INT32;
        case ElementType::uint32: return H5T_NATIVE_UINT32;
        case ElementType::int64: return H5T_NATIVE_INT64;
        case ElementType::uint64: return H5T_NATIVE_UINT64;
        case ElementType::float32: return H5T_NATIVE_FLOAT;
        case ElementType::float64: return H5T_NATIVE_DOUBLE;
    }
    return H5T_NATIVE_DOUBLE;
}

hid_t file_type(int element_type) {
    switch (static_cast<ElementType>(element_type)) {
        case ElementType::int8: return H5T_STD_I8LE;
        case ElementType::uint8: return H5T_STD_U8LE;
        case ElementType::int16: return H5T_STD_I16LE;
        case ElementType::uint16: return H5T_STD_U16LE;
        case ElementType::int32: return H5T_STD_I32LE;
        case ElementType::uint32: return H5T_STD_U32LE;
        case ElementType::int64: return H5T_STD_I64LE;
        case ElementType::uint64: return H5T_STD_U64LE;
        case ElementType::float32: return H5T_IEEE_F32LE;
        case ElementType::float64: return H5T_IEEE_F64LE;
    }
    return H5T_IEEE_F64LE;
}

Group create_group(const Location& parent, std::string_view name, std::string_view nx_class) {
    const std::string n(name);
    Handle gcpl(H5Pcreate(H5P_GROUP_CREATE), H5Pclose);
    if (!gcpl.valid() ||
        H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0)
        fail(*parent.file, parent.child(name), "set group creation properties");
    Handle g(H5Gcreate2(parent.id, n.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose);
    if (!g.valid()) fail(*parent.file, parent.child(name), "create the group");
    Group out{std::move(g), {H5I_INVALID_HID, parent.file, parent.child(name)}};
    out.where.id = out.handle.get();
    set_attribute(out.where, "NX_class", nx_class);
    return out;
}

Group open_group(const Location& parent, std::string_view name) {
    const std::string n(name);
    Handle g(H5Gopen2(parent.id, n.c_str(), H5P_DEFAULT), H5Gclose);
    if (!g.valid()) fail(*parent.file, parent.child(name), "open the group");
    Group out{std::move(g), {H5I_INVALID_HID, parent.file, parent.child(name)}};
    out.where.id = out.handle.get();
    return out;
}

LinkTarget link_target(const Location& parent, std::string_view name) {
    const std::string n(name);
    const htri_t exists = H5Lexists(parent.id, n.c_str(), H5P_DEFAULT);
    if (exists < 0) fail(*parent.file, parent.child(name), "look the link up");
    if (exists == 0) return LinkTarget::none;
    // Opening the object and asking its identifier's type needs no H5O_info struct, whose layout
    // and function versions differ between HDF5 1.10 and 1.12.
    Handle object(H5Oopen(parent.id, n.c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.valid()) {
        H5Eclear2(H5E_DEFAULT);
        return LinkTarget::other;
    }
    switch (H5Iget_type(object.get())) {
        case H5I_GROUP: return LinkTarget::group;
        case H5I_DATASET: return LinkTarget::dataset;
        default: return LinkTarget::other;
    }
}

void set_attribute(const Location& where, std::string_view name, std::string_view value) {
    const Handle type = utf8_type();
    const Handle space = scalar_space();
    const Handle a = create_attribute(where, name, type.get(), space.get());
    const std::string v(value);
    const char* p = v.c_str();
    if (H5Awrite(a.get(), type.get(), &p) < 0) fail(*where.file, where.path + "@" + std::string(name), "write the attribute");
}

void set_attribute(const Location& where, std::string_view name, const std::vector<std::string>& values) {
    const Handle type = utf8_type();
    const Handle space = simple_space({values.size()});
    const Handle a = create_attribute(where, name, type.get(), space.get());
    std::vector<const char*> p;
    for (const auto& v : values) p.push_back(v.c_str());
    if (H5Awrite(a.get(), type.get(), p.data()) < 0)
        fail(*where.file, where.path + "@" + std::string(name), "write the attribute");
}

void set_attribute(const Location& where, std::string_view name, std::int64_t value) {
    const Handle space = scalar_space();
    const Handle a = create_attribute(where, name, H5T_STD_I64LE, space.get());
    if (H5Awrite(a.get(), H5T_NATIVE_INT64, &value) < 0)
        fail(*where.file, where.path + "@" + std::string(name), "write the attribute");
}

Handle write_string(const Location& parent, std::string_view name, std::string_view value, Location* out) {
    const Handle type = utf8_type();
    const Handle space = scalar_space();
    Handle d = create_dataset(parent, name, type.get(), space.get(), out);
    const std::string v(value);
    const char* p = v.c_str();
    write_all(d, type.get(), &p, parent, name);
    return d;
}

Handle write_strings(const Location& parent, std::string_view name, const std::vector<std::string>& values, Location* out) {
    const Handle type = utf8_type();
    const Handle space = simple_space({values.size()});
    Handle d = create_dataset(parent, name, type.get(), space.get(), out);
    std::vector<const char*> p;
    for (const auto& v : values) p.push_back(v.c_str());
    if (!p.empty()) write_all(d, type.get(), p.data(), parent, name);
    return d;
}

Handle write_scalar(const Location& parent, std::string_view name, std::int64_t value, Location* out) {
    const Handle space = scalar_space();
    Handle d = create_dataset(parent, name, H5T_STD_I64LE, space.get(), out);
    write_all(d, H5T_NATIVE_INT64, &value, parent, name);
    return d;
}

Handle write_scalar(const Location& parent, std::string_view name, double value, Location* out) {
    const Handle space = scalar_space();
    Handle d = create_dataset(parent, name, H5T_IEEE_F64LE, space.get(), out);
    write_all(d, H5T_NATIVE_DOUBLE, &value, parent, name);
    return d;
}

Handle write_bool(const Location& parent, std::string_view name, bool value, Location* out) {
    Handle type(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
    const std::int8_t f = 0, t = 1;
    if (!type.valid() || H5Tenum_insert(type.get(), "FALSE", &f) < 0 || H5Tenum_insert(type.get(), "TRUE", &t) < 0)
        fail(*parent.file, parent.child(name), "make a boolean type");
    const Handle space = scalar_space();
    Handle d = create_dataset(parent, name, type.get(), space.get(), out);
    const std::int8_t v = value ? 1 : 0;
    write_all(d, type.get(), &v, parent, name);
    return d;
}

Handle write_array(const Location& parent, std::string_view name, int element_type, const std::vector<std::uint64_t>& shape,
                   const void* data, Location* out) {
    const Handle space = simple_space(shape);
    Handle d = create_dataset(parent, name, file_type(element_type), space.get(), out);
    write_all(d, memory_type(element_type), data, parent, name);
    return d;
}

void link_external(const Location& parent, std::string_view name, const std::string& file, const std::string& object) {
    const std::string n(name);
    if (H5Lcreate_external(file.c_str(), object.c_str(), parent.id, n.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0)
        fail(*parent.file, parent.child(name), "create the external link to " + file + ":" + object);
}

std::string read_string(const Location& parent, std::string_view path) {
    const std::string p(path);
    if (H5Lexists(parent.id, p.c_str(), H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return {};
    }
    Handle d(H5Dopen2(parent.id, p.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d.valid()) {
        H5Eclear2(H5E_DEFAULT);
        return {};
    }
    Handle type(H5Dget_type(d.get()), H5Tclose);
    if (!type.valid() || H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return {};
    }
    const Handle mem = utf8_type();
    char* value = nullptr;
    if (H5Dread(d.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return {};
    }
    std::string out = value ? value : "";
    H5free_memory(value);
    return out;
}

std::string library_version() {
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    return fmt::format("{}.{}.{}", major, minor, release);
}

}  // namespace datatrail::nexus::h5
