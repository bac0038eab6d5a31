#pragma once
// Ingesting NeXus/HDF5 files into a catalogue (docs/nexus.md, "Ingest"): datasets with the PIDs the
// files carry, their files with size, SHA-256 and modification time, metadata with units, and the
// provenance processed files embed, so that a catalogue can be rebuilt from the files alone.
#include <datatrail/export.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace datatrail {

class Catalog;

// Where a long ingest is: `stage` is "reading" (files opened, checksummed and parsed) or
// "registering" (written to the catalogue); `done` of `total` files; `path` the current one.
struct IngestProgress {
    std::string_view stage;
    std::size_t done = 0;
    std::size_t total = 0;
    std::string_view path;
};

using IngestProgressFn = std::function<void(const IngestProgress&)>;

struct IngestOptions {
    // Folders: descend into sub-folders (hidden ones, whose name starts with '.', excepted).
    bool recursive = true;
    // Which files of a folder are read, by suffix, compared without case: NeXus' own (.nxs, .nx5)
    // and HDF5's (.h5, .hdf5), which NeXus files often carry. Each must start with '.' and have
    // more after it. A file named directly is read whatever its suffix.
    std::vector<std::string> suffixes = {".nxs", ".nx5", ".h5", ".hdf5"};
    IngestProgressFn progress;
};

enum class IngestStatus { ingested, already_present, skipped, failed };

DATATRAIL_API std::string_view to_string(IngestStatus s) noexcept;

// What happened to one file.
struct IngestItem {
    std::string path;  // as found: the folder given joined with the file's path below it
    IngestStatus status = IngestStatus::ingested;
    std::string dataset;  // the dataset's PID, when the file named or got one
    // Failed: the error's class ("NexusError", "Conflict", "ValidationError", "NotFound") and
    // message; skipped: why.
    std::string error;
    std::string reason;
    // Ingested: what was left out or assumed (an input not in the catalogue, a schema it lacks).
    std::vector<std::string> notes;

    bool operator==(const IngestItem&) const = default;
};

struct IngestReport {
    std::vector<IngestItem> ingested;         // a new dataset, or a file added to a dataset already here
    std::vector<IngestItem> already_present;  // same PID and same SHA-256: nothing changed
    std::vector<IngestItem> skipped;          // HDF5 without an NXentry: not a NeXus file
    std::vector<IngestItem> failed;           // not HDF5, truncated, a required field missing, a Conflict

    bool operator==(const IngestReport&) const = default;
};

// Ingests the NeXus file at `path`, or every file with one of options.suffixes in the folder at
// `path`. Each file is registered on its own, raw files before processed ones (so that the
// processed ones' inputs are there), its dataset checked before anything is written, against the
// types and dimensions the catalogue's metadata keys have; a file that cannot be read, lacks a required
// field or clashes with the catalogue is reported in `failed` and the others go on. Ingesting the
// same files again changes nothing. Bad arguments (a path that does not exist, a bad suffix) are a
// ValidationError naming the field, before any file is read; a catalogue that cannot be written
// (opened read-only, locked past its timeout) raises StorageError from the first write, and the
// files registered before stay. An exception thrown by options.progress stops the ingest the same
// way.
DATATRAIL_API IngestReport ingest(Catalog& catalog, const std::filesystem::path& path, const IngestOptions& options = {});

}  // namespace datatrail
