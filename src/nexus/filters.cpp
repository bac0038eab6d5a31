#include "nexus/filters.hpp"

#include "nexus/hdf5.hpp"

#include <fmt/format.h>

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <set>
#include <system_error>

namespace datatrail::nexus {

namespace fs = std::filesystem;

namespace {

std::mutex registry_mutex;
std::set<int> registered;        // by this file, so that a plugin is loaded once
std::vector<fs::path> extra_dirs;  // add_plugin_dirs()

bool available(int id) {
    const htri_t yes = H5Zfilter_avail(static_cast<H5Z_filter_t>(id));
    if (yes < 0) H5Eclear2(H5E_DEFAULT);
    return yes > 0;
}

// The plugin file names hdf5plugin and the Debian packages use for each filter.
std::vector<std::string> plugin_files(int id) {
    switch (id) {
        case filter_bitshuffle: return {"libh5bshuf.so"};
        case filter_lz4: return {"libh5lz4.so"};
        case filter_blosc: return {"libh5blosc.so", "libH5Zblosc.so", "libblosc_filter.so"};
        default: return {};
    }
}

std::vector<fs::path> search_path(const std::vector<fs::path>& given) {
    std::vector<fs::path> dirs = given;
    dirs.insert(dirs.end(), extra_dirs.begin(), extra_dirs.end());
    if (const char* env = std::getenv("HDF5_PLUGIN_PATH")) {
        std::string text = env;
        std::size_t start = 0;
        while (start <= text.size()) {
            const auto end = std::min(text.find(':', start), text.size());
            if (end > start) dirs.emplace_back(text.substr(start, end - start));
            start = end + 1;
        }
    }
    return dirs;
}

// The file of the libhdf5 this library is linked to, which a run-time-bound plugin must call.
std::string libhdf5_file() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&H5open), &info) == 0 || !info.dli_fname) return {};
    return info.dli_fname;
}

// Loads `plugin` from a private copy (a file of its own, so the dynamic loader does not hand back
// the instance that another HDF5 in the process already bound), binds it and registers its filter.
bool load_plugin(const fs::path& plugin) {
    std::error_code ec;
    const fs::path dir = fs::temp_directory_path(ec) / fmt::format("datatrail-h5plugin-{}", ::getpid());
    fs::create_directories(dir, ec);
    const fs::path copy = dir / plugin.filename();
    fs::copy_file(plugin, copy, fs::copy_options::overwrite_existing, ec);
    if (ec) return false;
    void* lib = dlopen(copy.c_str(), RTLD_NOW | RTLD_LOCAL);
    // The mapping stays valid once loaded; nothing else needs the file.
    fs::remove(copy, ec);
    fs::remove(dir, ec);
    if (!lib) return false;
    using init_fn = int (*)(const char*);
    using info_fn = const void* (*)();
    if (auto init = reinterpret_cast<init_fn>(dlsym(lib, "init_filter"))) {
        const std::string hdf5 = libhdf5_file();
        if (hdf5.empty() || init(hdf5.c_str()) < 0) return false;
    }
    auto info = reinterpret_cast<info_fn>(dlsym(lib, "H5PLget_plugin_info"));
    if (!info) return false;
    const void* filter_class = info();
    if (!filter_class || H5Zregister(filter_class) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
    }
    // The library stays loaded for the life of the process: HDF5 now calls into it.
    return true;
}

}  // namespace

void add_plugin_dirs(const std::vector<fs::path>& dirs) {
    std::lock_guard lock(registry_mutex);
    for (const auto& d : dirs)
        if (std::find(extra_dirs.begin(), extra_dirs.end(), d) == extra_dirs.end()) extra_dirs.push_back(d);
}

bool ensure_filter(int id, const std::vector<fs::path>& plugin_dirs) {
    h5::ErrorSilencer quiet;
    std::lock_guard lock(registry_mutex);
    if (registered.count(id)) return true;
    // The bitshuffle plugin that HDF5 could load by itself from HDF5_PLUGIN_PATH is hdf5plugin's,
    // which only works once bound; so for it the explicit route is tried first.
    if (id != filter_bitshuffle && available(id)) return true;
    for (const auto& dir : search_path(plugin_dirs)) {
        for (const auto& name : plugin_files(id)) {
            std::error_code ec;
            const fs::path file = dir / name;
            if (fs::is_regular_file(file, ec) && load_plugin(file) && available(id)) {
                registered.insert(id);
                return true;
            }
        }
    }
    return available(id);
}

namespace {

// What messages and listings say about a filter.
struct FilterInfo {
    int id;
    const char* label;  // short, as NexusFile's arrays list their filters
    const char* name;   // for messages
    const char* hint;   // what to install
};

constexpr FilterInfo known_filters[] = {
    {H5Z_FILTER_DEFLATE, "deflate", "gzip (HDF5 filter 1)", "use a libhdf5 built with zlib"},
    {H5Z_FILTER_SHUFFLE, "shuffle", "shuffle (HDF5 filter 2)", "use a complete libhdf5"},
    {H5Z_FILTER_FLETCHER32, "fletcher32", "Fletcher-32 checksum (HDF5 filter 3)", "use a complete libhdf5"},
    {H5Z_FILTER_SZIP, "szip", "szip (HDF5 filter 4)", "use a libhdf5 built with szip (libaec)"},
    {H5Z_FILTER_NBIT, "nbit", "N-bit (HDF5 filter 5)", "use a complete libhdf5"},
    {H5Z_FILTER_SCALEOFFSET, "scaleoffset", "scale-offset (HDF5 filter 6)", "use a complete libhdf5"},
    {307, "bzip2", "bzip2 (HDF5 filter 307)",
     "install the Debian package hdf5-filter-plugin, or point HDF5_PLUGIN_PATH at a folder with libh5bz2.so"},
    {filter_blosc, "blosc", "Blosc (HDF5 filter 32001)",
     "install the Debian package hdf5-filter-plugin-blosc-serial (scripts/install-deps.sh does), or point "
     "HDF5_PLUGIN_PATH at a folder with libh5blosc.so"},
    {filter_lz4, "lz4", "LZ4 (HDF5 filter 32004)",
     "install the Debian package hdf5-filter-plugin (scripts/install-deps.sh does), or point HDF5_PLUGIN_PATH "
     "at a folder with libh5lz4.so"},
    {filter_bitshuffle, "bitshuffle", "bitshuffle-LZ4 (HDF5 filter 32008)",
     "pip install hdf5plugin (from Python it is found by itself), or point HDF5_PLUGIN_PATH at the folder with "
     "libh5bshuf.so (hdf5plugin.PLUGIN_PATH)"},
    {32015, "zstd", "Zstandard (HDF5 filter 32015)",
     "pip install hdf5plugin, or point HDF5_PLUGIN_PATH at a folder with its zstd plugin"},
};

const FilterInfo* info_of(int id) {
    for (const auto& f : known_filters)
        if (f.id == id) return &f;
    return nullptr;
}

}  // namespace

std::string filter_label(int id) {
    const FilterInfo* f = info_of(id);
    return f ? f->label : fmt::format("filter {}", id);
}

std::string filter_name(int id) {
    const FilterInfo* f = info_of(id);
    return f ? f->name : fmt::format("HDF5 filter {}", id);
}

std::string filter_install_hint(int id) {
    const FilterInfo* f = info_of(id);
    return f ? f->hint : "point HDF5_PLUGIN_PATH at a folder with its plugin";
}

}  // namespace datatrail::nexus
