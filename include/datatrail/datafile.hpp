#pragma once
#include <datatrail/export.hpp>
#include <datatrail/time.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace datatrail {

// One file of a dataset, at a path relative to the dataset's location.
struct Datafile {
    std::string path;
    std::optional<std::uint64_t> size;  // bytes
    std::string sha256;                 // 64 lowercase hex digits; empty when not computed
    std::string format;                 // e.g. "nexus", "hdf5", "tiff"; guessed from the extension when empty
    std::optional<Timestamp> modified;

    bool operator==(const Datafile&) const = default;
};

// A dataset's file found by where it lies or what it holds (Catalog::datasets_with_file).
struct DatasetFile {
    std::string dataset;       // the dataset's PID
    std::string dataset_name;
    std::string location;      // the dataset's location
    Datafile file;             // its path relative to the location
    bool at_path = false;      // the location joined with file.path is the path asked for
    bool same_content = false; // file.sha256 is the checksum asked for

    bool operator==(const DatasetFile&) const = default;
};

// Reads the file at root / relative_path and returns it described: size, SHA-256, modification
// time and format. Throws NotFound naming the full path when it is not a readable regular file.
DATATRAIL_API Datafile describe_file(const std::filesystem::path& root, const std::string& relative_path);

// SHA-256 of a file's content as lowercase hex.
DATATRAIL_API std::string sha256_file(const std::filesystem::path& path);

// "nexus" for .nxs/.nx5, "hdf5" for .h5/.hdf5, "tiff", "cbf", "edf", "json", "csv", "text", ...; empty if unknown.
DATATRAIL_API std::string guess_format(const std::string& path);

}  // namespace datatrail
