#pragma once
// HDF5 filters that are not built into libhdf5, made usable in this process: the Debian plugins
// (LZ4 32004, Blosc 32001) that HDF5 loads itself, and the bitshuffle plugin (32008) of PyPI's
// hdf5plugin, which must be bound to this process's libhdf5 and registered by hand. For writers
// and readers alike: call ensure_filter before creating or reading a dataset that uses the filter.
#include <datatrail/export.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace datatrail::nexus {

// Filter identifiers registered with The HDF Group.
inline constexpr int filter_lz4 = 32004;
inline constexpr int filter_blosc = 32001;
inline constexpr int filter_bitshuffle = 32008;

// True when HDF5 can apply filter `id` (gzip 1 is built in). When it cannot yet, a plugin for it
// is looked for in `plugin_dirs`, then in the folders of HDF5_PLUGIN_PATH: a plugin built to be
// bound at run time (hdf5plugin's, which export init_filter) is loaded from a private copy, bound
// to the libhdf5 this library uses, and registered with H5Zregister. The private copy keeps it
// apart from the same file that hdf5plugin loads for h5py's own HDF5 in a Python process. Safe to
// call from several threads; a filter once available stays so. Exported (though not public) for
// the Python extension, which passes hdf5plugin's folder.
DATATRAIL_API bool ensure_filter(int id, const std::vector<std::filesystem::path>& plugin_dirs = {});

// Folders ensure_filter searches after its own argument's, for every later call in the process:
// the Python extension adds hdf5plugin's, so that files are read with its filters too.
DATATRAIL_API void add_plugin_dirs(const std::vector<std::filesystem::path>& dirs);

// The filter's short label ("deflate", "lz4", "bitshuffle"; "filter 307" for one unknown here),
// its name ("bitshuffle-LZ4 (HDF5 filter 32008)") and what to install to get it, for listings
// and error messages.
DATATRAIL_API std::string filter_label(int id);
DATATRAIL_API std::string filter_name(int id);
DATATRAIL_API std::string filter_install_hint(int id);

}  // namespace datatrail::nexus
