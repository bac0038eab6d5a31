#pragma once
// RAII over the HDF5 C API, private to the library. Every hid_t is owned by exactly one move-only
// Handle that closes it in its destructor (nothrow); every call that can fail goes through a
// checked wrapper that turns HDF5's error stack into a NexusError naming the file and the object.
// Where HDF5 has numbered versions of a function, the number is written out (H5Dcreate2, H5Ewalk2):
// Debian's library maps the unnumbered macros to the 1.8 API, and H5O_info structs, whose layout
// differs between 1.10 and 1.12, are avoided altogether.
#include <datatrail/error.hpp>

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace datatrail::nexus::h5 {

// Owns one identifier and the function that closes it.
class Handle {
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer close) noexcept : id_(id), close_(close) {}
    ~Handle() { reset(); }
    Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = o.id_;
            close_ = o.close_;
            o.id_ = H5I_INVALID_HID;
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    hid_t get() const noexcept { return id_; }
    bool valid() const noexcept { return id_ >= 0; }
    // Closes, ignoring failure: for destructors and unwinding.
    void reset() noexcept {
        if (id_ >= 0 && close_) close_(id_);
        id_ = H5I_INVALID_HID;
    }
    // Gives up ownership, for a close whose failure must be reported.
    hid_t release() noexcept {
        const hid_t id = id_;
        id_ = H5I_INVALID_HID;
        return id;
    }

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer close_ = nullptr;
};

// Turns HDF5's automatic error printing off for this thread while it lives and restores what was
// there before, so the host application's own setting survives. HDF5's thread-safe build keeps the
// error stack, and this setting, per thread.
class ErrorSilencer {
public:
    ErrorSilencer() noexcept;
    ~ErrorSilencer();
    ErrorSilencer(const ErrorSilencer&) = delete;
    ErrorSilencer& operator=(const ErrorSilencer&) = delete;

private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
    bool saved_ = false;
};

// The messages on this thread's HDF5 error stack, innermost first, joined with "; "; clears it.
std::string error_stack();
// Throws NexusError "<file>: <object>: cannot <action>: <HDF5's messages>".
[[noreturn]] void fail(std::string_view file, std::string_view object, std::string_view action);

// Where an object lives, for error messages: the file and the object's path in it.
struct Location {
    hid_t id = H5I_INVALID_HID;
    const std::string* file = nullptr;
    std::string path;  // "/entry/data"

    std::string child(std::string_view name) const {
        return path == "/" ? "/" + std::string(name) : path + "/" + std::string(name);
    }
};

// A file being written. create() makes it (failing if it exists); close() flushes and closes it,
// reporting failure; the destructor closes it quietly.
class File {
public:
    // `shown_as` names the file in error messages (the final name of a file written under a
    // temporary one); empty: its path.
    static File create(const std::filesystem::path& path, const std::string& shown_as = {});
    static File open_read_only(const std::filesystem::path& path);
    File(File&&) noexcept = default;
    File& operator=(File&&) noexcept = default;

    Location root() const { return {handle_.get(), &name_, "/"}; }
    const std::string& name() const noexcept { return name_; }
    void close();

private:
    File(Handle h, std::string name) : handle_(std::move(h)), name_(std::move(name)) {}
    Handle handle_;
    std::string name_;
};

// An HDF5 datatype for each library element type: native in memory, little-endian in files.
hid_t memory_type(int element_type);
hid_t file_type(int element_type);

// A group: created with its link creation order tracked (NeXus readers show children in the order
// written) and its NX_class attribute.
struct Group {
    Handle handle;
    Location where;
};

Group create_group(const Location& parent, std::string_view name, std::string_view nx_class);
Group open_group(const Location& parent, std::string_view name);
// What a link names: nothing, a group, a dataset or something else (a dangling link).
enum class LinkTarget { none, group, dataset, other };
LinkTarget link_target(const Location& parent, std::string_view name);

// Attributes on the object at `where` (a group or a dataset).
void set_attribute(const Location& where, std::string_view name, std::string_view value);
void set_attribute(const Location& where, std::string_view name, const std::vector<std::string>& values);
void set_attribute(const Location& where, std::string_view name, std::int64_t value);

// Datasets; each returns the dataset's location so that attributes can follow.
Handle write_string(const Location& parent, std::string_view name, std::string_view value, Location* out = nullptr);
Handle write_strings(const Location& parent, std::string_view name, const std::vector<std::string>& values,
                     Location* out = nullptr);
Handle write_scalar(const Location& parent, std::string_view name, std::int64_t value, Location* out = nullptr);
Handle write_scalar(const Location& parent, std::string_view name, double value, Location* out = nullptr);
// NeXus' NX_BOOLEAN as h5py writes it: an 8-bit enum FALSE/TRUE, read back as numpy.bool_.
Handle write_bool(const Location& parent, std::string_view name, bool value, Location* out = nullptr);
// `element_type` is a datatrail::ElementType as int; `data` in C order.
Handle write_array(const Location& parent, std::string_view name, int element_type, const std::vector<std::uint64_t>& shape,
                   const void* data, Location* out = nullptr);

// An external link at parent/name to `object` in `file` (a path as stored: relative paths are
// resolved by readers against the linking file's folder).
void link_external(const Location& parent, std::string_view name, const std::string& file, const std::string& object);

// Reads a scalar string dataset; empty when absent or not a string.
std::string read_string(const Location& parent, std::string_view path);

// The HDF5 library's version, "1.10.8".
std::string library_version();

}  // namespace datatrail::nexus::h5
