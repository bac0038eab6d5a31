#pragma once
// Reading NeXus/HDF5 files back (docs/nexus.md, "Reading files"): a file's entries, each with its
// identifiers, times, people, metadata, embedded provenance and data arrays. Files written by
// datatrail and by other software (h5py, facility writers) alike; the HDF5 C API stays behind
// this header.
#include <datatrail/error.hpp>
#include <datatrail/export.hpp>
#include <datatrail/investigation.hpp>
#include <datatrail/metadata.hpp>
#include <datatrail/nexus.hpp>
#include <datatrail/schema.hpp>
#include <datatrail/time.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace datatrail {

// What an array in the file is, without reading it.
struct NexusArrayInfo {
    std::string name;  // the link's name in its group: "data", "rotation_angle"
    std::string path;  // from the file's root: "/entry/data/data"
    ElementType type = ElementType::float64;
    std::vector<std::uint64_t> shape;  // empty for a scalar
    std::uint64_t bytes = 0;           // uncompressed: elements x element size
    std::string units;                 // @units, when set
    std::string long_name;             // @long_name, when set
    std::vector<std::string> filters;  // the dataset's filter pipeline: "deflate", "lz4", "blosc", "bitshuffle"
    // The file that holds the array as HDF5 opened it: this file's path, or another file's when the
    // array is reached through an external link (frames in a detector's data file).
    std::string file;
};

// An NXdata group: its signal and, per dimension of the signal, the axis that labels it (an
// empty name where @axes has ".").
struct NexusDataInfo {
    std::string path;  // "/entry/data"
    NexusArrayInfo signal;
    std::vector<NexusArrayInfo> axes;
};

// An array read into memory, native byte order, C order.
struct NexusBuffer {
    ElementType type = ElementType::float64;
    std::vector<std::uint64_t> shape;
    std::vector<std::byte> bytes;
    std::string units;
};

// One input of an NXprocess, as the file records it.
struct NexusInput {
    std::string dataset;  // PID
    std::string role;
    std::vector<std::string> files;   // as the catalogue recorded them
    std::vector<std::string> sha256;  // one per file, "" when unknown
};

// One NXprocess: a step of the lineage that made the entry's data.
struct NexusProcess {
    std::string group;  // "process_1"
    std::string program;
    std::string version;
    std::optional<Timestamp> date;
    std::int64_t sequence_index = 0;  // 0 when the file has none
    Metadata parameters;              // NXparameters, @units as units
    // The NXnote: its @type/type ("application/json") and data (the whole activity, when datatrail
    // wrote it). Empty when there is none.
    std::string note_type;
    std::string note;
    // datatrail's provenance group: the activity's PID, name and type, the datasets it generated,
    // and its inputs.
    std::string activity;
    std::string name;
    std::string type;
    std::vector<std::string> generated;
    std::vector<NexusInput> inputs;
};

// The link of a processed file to its raw file.
struct NexusRawLink {
    std::string file_name;         // relative to the processed file's folder
    std::string entry_identifier;  // the raw entry's PID
};

// One NXentry.
struct NexusEntry {
    std::string name;        // the group's name: "entry"
    std::string identifier;  // entry_identifier: the dataset's PID when datatrail wrote it; may be empty
    std::string title;
    std::string description;            // experiment_description
    std::string experiment_identifier;  // the investigation's name
    std::string definition;             // the application definition, "NXmx"
    std::optional<Timestamp> start_time;
    std::optional<Timestamp> end_time;
    std::vector<Participant> users;  // the NXuser groups
    std::string instrument;          // instrument/name
    std::string facility;            // instrument/source/name
    std::string sample;              // sample/name
    std::string sample_formula;      // sample/chemical_formula
    std::string sample_description;  // sample/description
    // Metadata: the values at the NeXus paths of the schema given to entry() (under its keys, in
    // the schema's types), and every field under /entry/metadata (nested groups become dotted
    // keys), each with its @units.
    Metadata metadata;
    // The scalar fields of the entry (run_number ...) and of its NXinstrument and NXsample groups,
    // keyed by their path below the entry with dots ("instrument.monochromator.energy",
    // "sample.temperature"), with @units: what files from other software say about the data.
    // The fields read into the members above are left out.
    Metadata fields;
    std::vector<NexusProcess> processes;  // by sequence_index
    std::optional<NexusRawLink> raw;
    std::optional<NexusDataInfo> data;  // the NXdata @default names, else the first with a signal
    // The dataset as datatrail's catalogue recorded it (JSON in /entry/catalog_record, an NXnote),
    // for a rebuild with every type and field; empty in files from other software.
    std::string record;
    // What could not be read as NeXus says (an unparsable time, a @signal naming nothing), one
    // sentence each; the rest of the entry is read all the same.
    std::vector<std::string> problems;
};

// A NeXus/HDF5 file opened read-only. Safe to use from several threads (HDF5's thread-safe build
// serialises its calls).
class DATATRAIL_API NexusFile {
public:
    // NotFound when there is no such file; NexusError when it is not HDF5 or HDF5 cannot open it
    // (truncated, locked for writing by another library), naming the file and the reason.
    explicit NexusFile(const std::filesystem::path& path);
    ~NexusFile();
    NexusFile(NexusFile&&) noexcept;
    NexusFile& operator=(NexusFile&&) noexcept;
    NexusFile(const NexusFile&) = delete;
    NexusFile& operator=(const NexusFile&) = delete;

    const std::filesystem::path& path() const noexcept;
    // The root's @creator ("datatrail 0.9.0", "h5py"...); empty when not set.
    std::string creator() const;
    // The names of the root's NXentry groups, in the file's order.
    std::vector<std::string> entries() const;
    // The entry the root's @default names, else the first NXentry; empty when there is none.
    std::string default_entry() const;
    // Reads an entry (empty name: default_entry()). `schema` maps its NeXus paths back to metadata
    // keys ("/entry/..." stands for this entry). NotFound when there is no such NXentry.
    NexusEntry entry(const std::string& name = {}, const Schema* schema = nullptr) const;
    // What the array at `object_path` ("/entry/data/data") is; NotFound when it is not a numeric
    // dataset.
    NexusArrayInfo array_info(const std::string& object_path) const;
    // Reads the array; gzip natively, other filters (LZ4, Blosc ...) through HDF5's plugins.
    // NotFound as array_info; NexusError naming a filter whose plugin is missing.
    NexusBuffer read_array(const std::string& object_path) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace datatrail
