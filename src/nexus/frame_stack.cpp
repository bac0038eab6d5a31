// FrameStack (nexus_stream.hpp): a raw dataset's NeXus file written frame by frame, one chunk per
// frame. Uncompressed and Blosc frames go to the file with H5Dwrite_chunk, which skips HDF5's
// selection, conversion and filter machinery; Blosc frames are compressed by libblosc on worker
// threads, outside the stack's lock. gzip, LZ4 and bitshuffle-LZ4 go through HDF5's filters.
#include "nexus/filters.hpp"
#include "nexus/hdf5.hpp"
#include "nexus/nexus_layout.hpp"

#include <datatrail/catalog.hpp>
#include <datatrail/nexus_stream.hpp>

#include <blosc.h>
#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

namespace datatrail {

namespace fs = std::filesystem;
namespace h5 = nexus::h5;

std::string_view to_string(Compression c) noexcept {
    switch (c) {
        case Compression::none: return "none";
        case Compression::gzip: return "gzip";
        case Compression::lz4: return "lz4";
        case Compression::blosc: return "blosc";
        case Compression::bitshuffle_lz4: return "bitshuffle_lz4";
    }
    return "unknown";
}

Compression parse_compression(std::string_view text, std::string_view field) {
    for (auto c : {Compression::none, Compression::gzip, Compression::lz4, Compression::blosc, Compression::bitshuffle_lz4})
        if (text == to_string(c)) return c;
    throw ValidationError({{std::string(field), std::string(text), "must be none, gzip, lz4, blosc or bitshuffle_lz4"}});
}

int filter_id(Compression c) noexcept {
    switch (c) {
        case Compression::none: return 0;
        case Compression::gzip: return H5Z_FILTER_DEFLATE;
        case Compression::lz4: return nexus::filter_lz4;
        case Compression::blosc: return nexus::filter_blosc;
        case Compression::bitshuffle_lz4: return nexus::filter_bitshuffle;
    }
    return 0;
}

namespace {

// Blosc's format: the values every Blosc filter plugin expects in cd_values[0..1].
constexpr unsigned blosc_filter_version = 2;
constexpr unsigned blosc_compressor_lz4 = 1;
// bitshuffle's cd_values after the three it fills in itself: block size (0: its default) and LZ4.
constexpr unsigned bitshuffle_lz4_code = 2;
// Uncompressed chunks start on 4 KiB boundaries: aligned writes are the file system's fast path.
constexpr hsize_t alignment = 4096;
constexpr hsize_t alignment_threshold = 64 * 1024;

bool is_plain_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string temp_name(const fs::path& path) {
    std::random_device rd;
    return "." + path.filename().string() + fmt::format(".{:08x}{:08x}.part", rd(), rd());
}

h5::Handle create_file(const fs::path& path, const std::string& name, bool aligned) {
    h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (!fapl.valid() || H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG) < 0 ||
        (aligned && H5Pset_alignment(fapl.get(), alignment_threshold, alignment) < 0))
        h5::fail(name, "", "set file access properties");
    h5::Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
    if (!fcpl.valid() || H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0)
        h5::fail(name, "", "set file creation properties");
    h5::Handle f(H5Fcreate(path.c_str(), H5F_ACC_EXCL, fcpl.get(), fapl.get()), H5Fclose);
    if (!f.valid()) h5::fail(name, "", "create the file");
    return f;
}

void close_file(h5::Handle& f, const std::string& name) {
    if (!f.valid()) return;
    if (H5Fflush(f.get(), H5F_SCOPE_LOCAL) < 0) h5::fail(name, "", "flush the file");
    if (H5Fclose(f.release()) < 0) h5::fail(name, "", "close the file");
}

void sync_path(const fs::path& path, const std::string& name) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int err = errno;
        if (fd >= 0) ::close(fd);
        throw NexusError(fmt::format("{}: cannot fsync: {}", name, std::generic_category().message(err)));
    }
    ::close(fd);
}

std::string shape_text(const std::vector<std::uint64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

void check_options(const FrameStackOptions& o, Violations& v) {
    const std::size_t size = element_size(o.type);
    if (size == 0) v.add("type", std::to_string(static_cast<int>(o.type)), "must be one of int8 ... uint64, float32, float64");
    std::uint64_t count = 1;
    bool bad_shape = o.frame_shape.empty();
    if (o.frame_shape.empty()) v.add("frame_shape", "[]", "must have at least one dimension");
    for (auto n : o.frame_shape) {
        if (n == 0) {
            v.add("frame_shape", shape_text(o.frame_shape), "every dimension must be at least 1");
            bad_shape = true;
            break;
        }
        count = count > UINT32_MAX / n ? UINT64_MAX : count * n;
    }
    // HDF5 chunks are at most 4 GiB, Blosc buffers at most 2 GiB.
    const std::uint64_t limit = o.compression == Compression::blosc ? BLOSC_MAX_BUFFERSIZE : UINT32_MAX;
    if (!bad_shape && size && (count == UINT64_MAX || count * size > limit))
        v.add("frame_shape", shape_text(o.frame_shape),
              fmt::format("a frame (one chunk) must hold at most {} bytes with {} compression", limit, to_string(o.compression)));
    if (!is_plain_name(o.signal_name))
        v.add("signal_name", o.signal_name, "must be a NeXus name: letters, digits and '_', not starting with a digit");
    switch (o.compression) {
        case Compression::gzip:
        case Compression::blosc:
            if (o.level < 0 || o.level > 9) v.add("level", std::to_string(o.level), "must be 1 to 9, or 0 for the default");
            break;
        case Compression::none:
        case Compression::lz4:
        case Compression::bitshuffle_lz4:
            if (o.level != 0)
                v.add("level", std::to_string(o.level),
                      fmt::format("must be 0: {} compression has no level", to_string(o.compression)));
            break;
        default: v.add("compression", std::to_string(static_cast<int>(o.compression)), "must be none, gzip, lz4, blosc or bitshuffle_lz4");
    }
    if (o.threads < 0 || o.threads > 256) v.add("threads", std::to_string(o.threads), "must be 0 (one per core) to 256");
}

// Where the files are registered: relative to the dataset's location when it has one (and the
// file must then be inside it), else by their names.
std::string registered_path(const fs::path& file, const Dataset& ds) {
    if (ds.location.empty() || ds.location.find("://") != std::string::npos) return file.filename().string();
    const fs::path rel = fs::absolute(file).lexically_normal().lexically_relative(fs::absolute(ds.location).lexically_normal());
    const std::string text = rel.generic_string();
    if (text.empty() || text == "." || text.rfind("..", 0) == 0) return {};
    return text;
}

}  // namespace

struct FrameStack::Impl {
    FrameStackOptions opt;
    fs::path path, data_path, temp_path, temp_data_path;
    std::string name, data_name;
    Catalog* catalog = nullptr;  // set when the catalogue follows the stream
    std::string pid;
    Dataset record;

    h5::Handle master, data_file, dataset;
    std::size_t frame_bytes = 0;
    std::vector<hsize_t> frame_dims;  // 1 + frame_shape
    int blosc_threads = 1;
    bool raw_chunks = false;  // frames go to the file as they are, with H5Dwrite_chunk

    mutable std::mutex mutex;
    std::condition_variable idle;
    std::uint64_t count = 0;  // frames placed, and the dataset's first dimension
    int in_flight = 0;        // appends compressing outside the lock
    bool open = false;
    std::string broken;  // why the stack cannot be finished, once a write failed

    const std::string& dataset_file_name() const { return opt.separate_data_file ? data_name : name; }

    // Under the lock: makes room for n more frames and returns the first one's index.
    std::uint64_t place(std::uint64_t n) {
        if (!open) throw NexusError(fmt::format("{}: the frame stack is closed", name));
        if (!broken.empty()) throw NexusError(fmt::format("{}: the frame stack failed earlier: {}", name, broken));
        std::vector<hsize_t> dims = frame_dims;
        dims[0] = count + n;
        if (H5Dset_extent(dataset.get(), dims.data()) < 0) fail_under_lock("extend the frame stack");
        const std::uint64_t first = count;
        count += n;
        return first;
    }

    [[noreturn]] void fail_under_lock(std::string_view action) {
        try {
            h5::fail(dataset_file_name(), "/entry/data/" + opt.signal_name, action);
        } catch (const NexusError& e) {
            broken = e.what();
            throw;
        }
    }

    void write_chunk(std::uint64_t index, const void* data, std::size_t size, std::uint32_t mask) {
        std::vector<hsize_t> offset(frame_dims.size(), 0);
        offset[0] = index;
        if (H5Dwrite_chunk(dataset.get(), H5P_DEFAULT, mask, offset.data(), size, data) < 0)
            fail_under_lock(fmt::format("write frame {}", index));
    }

    void write_frames(std::uint64_t first, std::uint64_t n, const void* data) {
        std::vector<hsize_t> start(frame_dims.size(), 0), block = frame_dims;
        start[0] = first;
        block[0] = n;
        h5::Handle file_space(H5Dget_space(dataset.get()), H5Sclose);
        h5::Handle memory_space(H5Screate_simple(static_cast<int>(block.size()), block.data(), nullptr), H5Sclose);
        if (!file_space.valid() || !memory_space.valid() ||
            H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, block.data(), nullptr) < 0 ||
            H5Dwrite(dataset.get(), h5::memory_type(static_cast<int>(opt.type)), memory_space.get(), file_space.get(),
                     H5P_DEFAULT, data) < 0)
            fail_under_lock(fmt::format("write frames {} to {}", first, first + n - 1));
    }

    void make_dataset(const h5::Location& parent, std::string_view dataset_name) {
        std::vector<hsize_t> dims = frame_dims, max = frame_dims;
        dims[0] = 0;
        max[0] = H5S_UNLIMITED;
        const std::string where = parent.child(dataset_name);
        h5::Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max.data()), H5Sclose);
        h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
        h5::Handle dapl(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose);
        // Chunks are whole frames written once: a chunk cache would only copy them, and fill
        // values would write every chunk twice.
        if (!space.valid() || !dcpl.valid() || !dapl.valid() ||
            H5Pset_chunk(dcpl.get(), static_cast<int>(frame_dims.size()), frame_dims.data()) < 0 ||
            H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER) < 0 ||
            H5Pset_chunk_cache(dapl.get(), 0, 0, H5D_CHUNK_CACHE_W0_DEFAULT) < 0)
            h5::fail(*parent.file, where, "set the frame stack's properties");
        const auto typesize = static_cast<unsigned>(element_size(opt.type));
        herr_t status = 0;
        switch (opt.compression) {
            case Compression::none: break;
            case Compression::gzip: status = H5Pset_deflate(dcpl.get(), static_cast<unsigned>(opt.level ? opt.level : 1)); break;
            case Compression::lz4: {
                const unsigned cd[] = {0};  // the plugin's default block size
                status = H5Pset_filter(dcpl.get(), nexus::filter_lz4, H5Z_FLAG_MANDATORY, 1, cd);
                break;
            }
            case Compression::blosc: {
                // What every Blosc plugin reads: format versions, type size, chunk bytes, level,
                // shuffle (2: bitshuffle) and compressor (1: LZ4). Optional, because this library
                // compresses the chunks itself and so needs no plugin to write.
                const unsigned cd[] = {blosc_filter_version, BLOSC_VERSION_FORMAT, typesize,
                                       static_cast<unsigned>(frame_bytes), static_cast<unsigned>(opt.level ? opt.level : 5),
                                       BLOSC_BITSHUFFLE, blosc_compressor_lz4};
                status = H5Pset_filter(dcpl.get(), nexus::filter_blosc, H5Z_FLAG_OPTIONAL, 7, cd);
                break;
            }
            case Compression::bitshuffle_lz4: {
                const unsigned cd[] = {0, bitshuffle_lz4_code};
                status = H5Pset_filter(dcpl.get(), nexus::filter_bitshuffle, H5Z_FLAG_MANDATORY, 2, cd);
                break;
            }
        }
        if (status < 0)
            h5::fail(*parent.file, where, fmt::format("set the {} filter", nexus::filter_name(filter_id(opt.compression))));
        const std::string n(dataset_name);
        dataset = h5::Handle(H5Dcreate2(parent.id, n.c_str(), h5::file_type(static_cast<int>(opt.type)), space.get(),
                                        H5P_DEFAULT, dcpl.get(), dapl.get()),
                             H5Dclose);
        if (!dataset.valid()) h5::fail(*parent.file, where, "create the frame stack");
        const h5::Location at{dataset.get(), parent.file, where};
        if (!opt.units.empty()) h5::set_attribute(at, "units", opt.units);
        if (!opt.long_name.empty()) h5::set_attribute(at, "long_name", opt.long_name);
    }

    void set_nxdata_attributes(const h5::Location& nxdata, const std::string& signal) {
        h5::set_attribute(nxdata, "signal", signal);
        h5::set_attribute(nxdata, "axes", std::vector<std::string>(frame_dims.size(), "."));
    }

    // The data file: a NeXus file of its own (/entry/data/data), so it can be read alone too.
    void open_data_file() {
        data_file = create_file(temp_data_path, data_name, opt.compression == Compression::none);
        const h5::Location root{data_file.get(), &data_name, "/"};
        h5::set_attribute(root, "NX_class", "NXroot");
        h5::set_attribute(root, "default", "entry");
        const h5::Group entry = h5::create_group(root, "entry", "NXentry");
        h5::set_attribute(entry.where, "default", "data");
        const h5::Group data = h5::create_group(entry.where, "data", "NXdata");
        make_dataset(data.where, "data");
        set_nxdata_attributes(data.where, "data");
    }

    void open_files(const Catalog& cat) {
        if (opt.separate_data_file) open_data_file();
        master = create_file(temp_path, name, !opt.separate_data_file && opt.compression == Compression::none);
        const h5::Location root{master.get(), &name, "/"};
        nexus::write_raw_layout(root, path, cat, pid, [&](const h5::Location& nxdata) {
            if (opt.separate_data_file)
                h5::link_external(nxdata, opt.signal_name, data_path.filename().string(), "/entry/data/data");
            else
                make_dataset(nxdata, opt.signal_name);
            set_nxdata_attributes(nxdata, opt.signal_name);
        });
        // NXdetector holds its frames as `data` too (where NXmx readers look): a second link to them.
        const h5::Group detector = h5::open_group(root, "entry/instrument/detector");
        if (h5::link_target(detector.where, "data") == h5::LinkTarget::none) {
            if (opt.separate_data_file) {
                h5::link_external(detector.where, "data", data_path.filename().string(), "/entry/data/data");
            } else {
                const std::string target = "/entry/data/" + opt.signal_name;
                if (H5Lcreate_hard(master.get(), target.c_str(), detector.handle.get(), "data", H5P_DEFAULT, H5P_DEFAULT) < 0)
                    h5::fail(name, "/entry/instrument/detector/data", "link the frames");
            }
        }
    }

    // Closes every handle and removes the partial files; never throws.
    void discard() noexcept {
        dataset.reset();
        data_file.reset();
        master.reset();
        std::error_code ec;
        fs::remove(temp_path, ec);
        if (!temp_data_path.empty()) fs::remove(temp_data_path, ec);
    }

    void wait_idle(std::unique_lock<std::mutex>& lock) { idle.wait(lock, [&] { return in_flight == 0; }); }
};

FrameStack::FrameStack(const fs::path& path, const Catalog& catalog, const std::string& dataset_pid,
                       FrameStackOptions options)
    : impl_(std::make_unique<Impl>()) {
    h5::ErrorSilencer quiet;
    Impl& s = *impl_;
    s.opt = std::move(options);
    Violations v;
    check_options(s.opt, v);
    if (path.empty() || path.filename().empty()) v.add("path", path.string(), "must name a file");
    v.throw_if_any();

    s.record = catalog.dataset(dataset_pid);  // NotFound before any file is made
    if (s.record.kind != DatasetKind::raw)
        throw ValidationError({{"dataset_pid", dataset_pid,
                                fmt::format("must be a raw dataset to stream frames into (it is {})", to_string(s.record.kind))}});
    s.pid = dataset_pid;
    s.path = path;
    s.name = path.string();
    s.temp_path = path.parent_path() / temp_name(path);
    if (s.opt.separate_data_file) {
        s.data_path = path.parent_path() / (path.stem().string() + "_data.h5");
        s.data_name = s.data_path.string();
        s.temp_data_path = path.parent_path() / temp_name(s.data_path);
    }

    const int id = filter_id(s.opt.compression);
    if ((s.opt.compression == Compression::lz4 || s.opt.compression == Compression::bitshuffle_lz4) &&
        !nexus::ensure_filter(id))
        throw NexusError(fmt::format("{}: {} compression needs the {} plugin, which HDF5 cannot find: {}", s.name,
                                     to_string(s.opt.compression), nexus::filter_name(id), nexus::filter_install_hint(id)));

    s.frame_bytes = element_size(s.opt.type);
    s.frame_dims = {1};
    for (auto n : s.opt.frame_shape) {
        s.frame_dims.push_back(n);
        s.frame_bytes *= static_cast<std::size_t>(n);
    }
    s.raw_chunks = s.opt.compression == Compression::none && std::endian::native == std::endian::little;
    s.blosc_threads = s.opt.threads ? s.opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    try {
        s.open_files(catalog);
    } catch (...) {
        s.discard();
        throw;
    }
    s.open = true;
}

FrameStack::FrameStack(const fs::path& path, Catalog& catalog, const std::string& dataset_pid, FrameStackOptions options,
                       bool update_catalog)
    : FrameStack(path, static_cast<const Catalog&>(catalog), dataset_pid, std::move(options)) {
    if (!update_catalog) return;
    Impl& s = *impl_;
    std::string rel = registered_path(path, s.record);
    if (rel.empty()) {
        s.discard();
        throw ValidationError({{"path", path.string(),
                                fmt::format("must be inside the dataset's location '{}', which its files are relative to",
                                            s.record.location)}});
    }
    try {
        catalog.set_state(dataset_pid, DatasetState::acquiring);
    } catch (...) {
        s.discard();
        throw;
    }
    s.catalog = &catalog;
}

FrameStack::~FrameStack() {
    if (impl_) abandon();
}

FrameStack::FrameStack(FrameStack&&) noexcept = default;

FrameStack& FrameStack::operator=(FrameStack&& other) noexcept {
    if (this != &other) {
        if (impl_) abandon();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

void FrameStack::check_type(ElementType t) const {
    if (t != impl_->opt.type)
        throw ValidationError({{"frames", std::string(to_string(t)),
                                fmt::format("must be {} like the frame stack", to_string(impl_->opt.type))}});
}

void FrameStack::append(std::span<const std::byte> bytes) {
    if (!impl_) throw NexusError("the frame stack was moved from");
    Impl& s = *impl_;
    if (bytes.empty() || bytes.size() % s.frame_bytes != 0 || bytes.data() == nullptr)
        throw ValidationError({{"frames", fmt::format("{} bytes", bytes.size()),
                                fmt::format("must hold a whole number (at least 1) of frames of {} {} ({} bytes each)",
                                            shape_text(s.opt.frame_shape), to_string(s.opt.type), s.frame_bytes)}});
    const std::uint64_t n = bytes.size() / s.frame_bytes;
    h5::ErrorSilencer quiet;
    if (s.opt.compression != Compression::blosc) {
        std::lock_guard lock(s.mutex);
        const std::uint64_t first = s.place(n);
        if (s.raw_chunks) {
            for (std::uint64_t i = 0; i < n; ++i) s.write_chunk(first + i, bytes.data() + i * s.frame_bytes, s.frame_bytes, 0);
        } else {
            s.write_frames(first, n, bytes.data());
        }
        return;
    }
    std::uint64_t first = 0;
    {
        std::lock_guard lock(s.mutex);
        first = s.place(n);
        ++s.in_flight;
    }
    // One buffer per thread, reused: a new one per frame would fault its pages in every time.
    thread_local std::vector<std::byte> compressed;
    compressed.resize(s.frame_bytes + BLOSC_MAX_OVERHEAD);
    const auto typesize = element_size(s.opt.type);
    const int level = s.opt.level ? s.opt.level : 5;
    try {
        for (std::uint64_t i = 0; i < n; ++i) {
            const int size = blosc_compress_ctx(level, BLOSC_BITSHUFFLE, typesize, s.frame_bytes,
                                                bytes.data() + i * s.frame_bytes, compressed.data(), compressed.size(),
                                                "lz4", 0, s.blosc_threads);
            std::lock_guard lock(s.mutex);
            if (size <= 0) {
                s.broken = fmt::format("{}: Blosc could not compress frame {} (code {})", s.dataset_file_name(), first + i, size);
                throw NexusError(s.broken);
            }
            s.write_chunk(first + i, compressed.data(), static_cast<std::size_t>(size), 0);
        }
    } catch (...) {
        std::lock_guard lock(s.mutex);
        if (s.broken.empty()) s.broken = "an append failed";
        --s.in_flight;
        s.idle.notify_all();
        throw;
    }
    std::lock_guard lock(s.mutex);
    --s.in_flight;
    s.idle.notify_all();
}

void FrameStack::append_compressed(std::span<const std::byte> chunk, std::uint32_t filter_mask) {
    if (!impl_) throw NexusError("the frame stack was moved from");
    Impl& s = *impl_;
    if (chunk.empty() || chunk.data() == nullptr)
        throw ValidationError({{"chunk", "0 bytes", "must hold one compressed frame"}});
    if (s.opt.compression == Compression::none && chunk.size() != s.frame_bytes)
        throw ValidationError({{"chunk", fmt::format("{} bytes", chunk.size()),
                                fmt::format("must be one frame of {} bytes: the stack is not compressed", s.frame_bytes)}});
    if (chunk.size() > UINT32_MAX)
        throw ValidationError({{"chunk", fmt::format("{} bytes", chunk.size()), "must be at most 4 GiB (one HDF5 chunk)"}});
    h5::ErrorSilencer quiet;
    std::lock_guard lock(s.mutex);
    const std::uint64_t index = s.place(1);
    s.write_chunk(index, chunk.data(), chunk.size(), filter_mask);
}

std::uint64_t FrameStack::frames() const {
    if (!impl_) return 0;
    std::lock_guard lock(impl_->mutex);
    return impl_->count;
}

const FrameStackOptions& FrameStack::options() const noexcept { return impl_->opt; }
const fs::path& FrameStack::path() const noexcept { return impl_->path; }
const fs::path& FrameStack::data_path() const noexcept { return impl_->data_path; }
bool FrameStack::is_open() const noexcept {
    if (!impl_) return false;
    std::lock_guard lock(impl_->mutex);
    return impl_->open;
}

void FrameStack::close() {
    if (!impl_) throw NexusError("the frame stack was moved from");
    Impl& s = *impl_;
    h5::ErrorSilencer quiet;
    {
        std::unique_lock lock(s.mutex);
        if (!s.open) throw NexusError(fmt::format("{}: the frame stack is closed", s.name));
        s.wait_idle(lock);
    }
    bool renamed = false;
    // The end of acquisition, in the file and in the catalogue alike.
    const Timestamp finished = now();
    try {
        {
            std::lock_guard lock(s.mutex);
            if (!s.broken.empty()) throw NexusError(fmt::format("{}: the frame stack failed: {}", s.name, s.broken));
            if (s.count == 0)
                throw ValidationError({{"frames", "0", "a frame stack needs at least one frame to be complete"}});
            s.open = false;
        }
        {
            const h5::Location root{s.master.get(), &s.name, "/"};
            const h5::Group entry = h5::open_group(root, "entry");
            if (h5::link_target(entry.where, "end_time") == h5::LinkTarget::none)
                h5::write_string(entry.where, "end_time", nexus::iso_time(finished));
        }
        s.dataset.reset();
        close_file(s.data_file, s.data_name);
        close_file(s.master, s.name);
        if (s.opt.sync_on_close) {
            if (!s.temp_data_path.empty()) sync_path(s.temp_data_path, s.data_name);
            sync_path(s.temp_path, s.name);
        }
        // The data file first: a master in place always finds its frames.
        std::error_code ec;
        if (!s.temp_data_path.empty()) {
            fs::rename(s.temp_data_path, s.data_path, ec);
            if (ec) throw NexusError(fmt::format("{}: cannot move the finished file into place: {}", s.data_name, ec.message()));
        }
        fs::rename(s.temp_path, s.path, ec);
        if (ec) {
            if (!s.temp_data_path.empty()) fs::remove(s.data_path, ec);
            throw NexusError(fmt::format("{}: cannot move the finished file into place: {}", s.name, ec.message()));
        }
        renamed = true;
        if (s.opt.sync_on_close) sync_path(s.path.parent_path().empty() ? fs::path(".") : s.path.parent_path(), s.name);
    } catch (...) {
        if (renamed) {
            // Not known to be durable: it must not stay looking complete.
            std::error_code ec;
            fs::remove(s.path, ec);
            if (!s.data_path.empty()) fs::remove(s.data_path, ec);
        }
        s.open = true;  // so that abandon() cleans up and marks the dataset failed
        abandon();
        throw;
    }
    if (s.catalog) {
        try {
            const fs::path folder = s.path.parent_path();
            std::vector<Datafile> files;
            for (const fs::path& p : {s.path, s.data_path}) {
                if (p.empty()) continue;
                Datafile f;
                if (s.opt.checksum) {
                    f = describe_file(folder, p.filename().string());
                } else {
                    f.size = fs::file_size(p);
                    f.format = guess_format(p.filename().string());
                }
                f.path = registered_path(p, s.record);
                files.push_back(std::move(f));
            }
            s.catalog->add_files(s.pid, std::move(files));
            s.catalog->set_state(s.pid, DatasetState::complete, finished);
        } catch (...) {
            // The files are complete, but the dataset must not look so without its files.
            try {
                s.catalog->set_state(s.pid, DatasetState::failed, now());
            } catch (...) {
            }
            throw;
        }
    }
}

void FrameStack::abandon() noexcept {
    if (!impl_) return;
    Impl& s = *impl_;
    {
        std::unique_lock lock(s.mutex);
        if (!s.open) return;
        s.open = false;
        s.wait_idle(lock);
    }
    h5::ErrorSilencer quiet;
    s.discard();
    if (s.catalog) {
        try {
            s.catalog->set_state(s.pid, DatasetState::failed, now());
        } catch (...) {
            // Best effort: a destructor cannot report it, and the dataset stays acquiring, never complete.
        }
    }
}

}  // namespace datatrail
