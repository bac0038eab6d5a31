#pragma once
// Streaming detector frames into a raw dataset's NeXus file at disk speed (docs/nexus.md,
// "Streaming detector frames"): one chunk per frame, optional compression, frames appended from
// any number of threads, the file finished (or abandoned) as a whole. The HDF5 C API and libblosc
// stay behind this header.
#include <datatrail/error.hpp>
#include <datatrail/export.hpp>
#include <datatrail/nexus.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace datatrail {

class Catalog;

// How each frame (one HDF5 chunk) is compressed.
enum class Compression {
    none,            // stored as is: the fastest path, written with H5Dwrite_chunk
    gzip,            // HDF5's built-in deflate (filter 1), level 1-9; every reader has it
    lz4,             // HDF5 filter 32004 through its plugin (Debian: hdf5-filter-plugin)
    blosc,           // Blosc with bitshuffle + LZ4 (filter 32001), compressed by this library on
                     // worker threads and written with H5Dwrite_chunk; readers need a Blosc plugin
    bitshuffle_lz4,  // filter 32008 through its plugin (PyPI's hdf5plugin), as Dectris detectors write
};

DATATRAIL_API std::string_view to_string(Compression c) noexcept;
// "none", "gzip", "lz4", "blosc", "bitshuffle_lz4"; anything else is a ValidationError naming `field`.
DATATRAIL_API Compression parse_compression(std::string_view text, std::string_view field = "compression");
// The HDF5 filter that `c` declares on the dataset (0 for none): what a reader needs, and what an
// append_compressed() chunk must be encoded with.
DATATRAIL_API int filter_id(Compression c) noexcept;

struct FrameStackOptions {
    ElementType type = ElementType::uint16;
    std::vector<std::uint64_t> frame_shape;  // one frame, e.g. {1024, 1024}: at least one dimension, none 0
    Compression compression = Compression::none;
    int level = 0;    // gzip 1-9, blosc 1-9; 0: the default (gzip 1, blosc 5); must stay 0 otherwise
    int threads = 0;  // blosc worker threads per frame; 0: one per core
    std::string signal_name = "data";
    std::string units = "counts";  // the frames' @units (UDUNITS form)
    std::string long_name;         // the frames' @long_name, when set
    // The frames in a file of their own beside the master file (<stem>_data.h5, as detectors
    // write them), reached from /entry/data/<signal_name> by an external link with a relative path.
    bool separate_data_file = false;
    // fsync the files before close() renames them into place: the data is on disk when close() returns.
    bool sync_on_close = false;
    // With a catalogue that follows the stream, close() registers the files with their size and,
    // when true, their SHA-256 (which reads every file once more).
    bool checksum = true;
};

// A raw dataset's NeXus master file being written frame by frame: the layout of write_raw_file
// (NXroot, /entry with the catalogue's records, NXinstrument, NXsample, metadata) with
// /entry/data/<signal_name> a stack of frames whose first dimension grows, one frame per chunk
// (linked from /entry/instrument/detector/data as well).
//
// The file is written as .<name>.<random>.part beside `path` (and its data file likewise) and
// renamed to `path` by close(), so a reader never sees a file that looks complete before it is.
// Without close(), the destructor abandons the stack: it closes and removes the partial files and,
// with a catalogue, marks the dataset failed; so an exception that escapes while streaming never
// leaves a complete-looking file nor a complete dataset.
//
// Thread safety: append(), append_compressed() and frames() may be called from any number of
// threads at once. Each call's frames are stored contiguously, and calls are stored in the order
// in which they enter the stack (take their place in it): a call that returns before another
// starts comes first. Blosc compression runs outside the stack's lock, so threads compress
// concurrently. close() and abandon() must not race with appends still being made (they wait
// for appends in flight, but a later append fails with NexusError).
class DATATRAIL_API FrameStack {
public:
    // Opens the stack for `dataset_pid`, which must be a raw dataset of `catalog`. Bad options
    // are a ValidationError naming each field, a missing filter plugin a NexusError naming the
    // filter and what to install; nothing is written then. `catalog` is only read.
    FrameStack(const std::filesystem::path& path, const Catalog& catalog, const std::string& dataset_pid,
               FrameStackOptions options);
    // The same, and the catalogue follows the stream: the dataset is acquiring while it is open,
    // then complete with its files (or failed). `catalog` must outlive the stack.
    FrameStack(const std::filesystem::path& path, Catalog& catalog, const std::string& dataset_pid,
               FrameStackOptions options, bool update_catalog);
    ~FrameStack();
    FrameStack(FrameStack&&) noexcept;
    FrameStack& operator=(FrameStack&&) noexcept;
    FrameStack(const FrameStack&) = delete;
    FrameStack& operator=(const FrameStack&) = delete;

    // Appends one frame or a block of frames in C order: `bytes` must hold a whole number (>= 1)
    // of frames of options().type. A span of T checks T against the element type.
    void append(std::span<const std::byte> bytes);
    template <class T>
    void append(std::span<const T> frames) {
        check_type(element_type_of<T>());
        append(std::as_bytes(frames));
    }
    // Appends one frame that the caller already encoded as the dataset's filter pipeline expects
    // (filter_id(options().compression)); `filter_mask` has bit i set for a filter i not applied.
    // Uncompressed, the chunk must be exactly one frame's bytes.
    void append_compressed(std::span<const std::byte> chunk, std::uint32_t filter_mask = 0);

    std::uint64_t frames() const;
    const FrameStackOptions& options() const noexcept;
    // The final paths: the master file, and the data file (empty when the frames are in the master).
    const std::filesystem::path& path() const noexcept;
    const std::filesystem::path& data_path() const noexcept;

    // Flushes and closes the files and renames them into place; with a catalogue, registers them
    // and marks the dataset complete. A stack with no frame is refused (ValidationError naming
    // frames) and abandoned. On any failure the stack is abandoned and the error rethrown.
    void close();
    // Stops: closes and removes the partial files; with a catalogue, marks the dataset failed.
    // Never throws. Nothing happens after close().
    void abandon() noexcept;
    bool is_open() const noexcept;

private:
    void check_type(ElementType t) const;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace datatrail
