// Frame stacks streamed into NeXus files (nexus_stream.hpp), read back with the HDF5 C API and the
// filter plugins; the Python tests read them with h5py + hdf5plugin and check them with nexusformat.
#include "support.hpp"

#include <datatrail/nexus_stream.hpp>

#include <blosc.h>
#include <doctest/doctest.h>
#include <hdf5.h>

#include <cstdlib>
#include <map>
#include <random>
#include <thread>

using namespace datatrail;
namespace fs = std::filesystem;

namespace {

// One dataset of a file, closed at the end of the scope. External links are followed.
class Frames {
public:
    Frames(const fs::path& file, const std::string& path) {
        file_ = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        REQUIRE_MESSAGE(file_ >= 0, file);
        dataset_ = H5Dopen2(file_, path.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(dataset_ >= 0, path);
    }
    ~Frames() {
        H5Dclose(dataset_);
        H5Fclose(file_);
    }
    Frames(const Frames&) = delete;
    Frames& operator=(const Frames&) = delete;

    std::vector<hsize_t> shape(std::vector<hsize_t>* max = nullptr) const {
        const hid_t space = H5Dget_space(dataset_);
        std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
        if (max) max->resize(dims.size());
        H5Sget_simple_extent_dims(space, dims.data(), max ? max->data() : nullptr);
        H5Sclose(space);
        return dims;
    }
    std::vector<hsize_t> chunk() const {
        const hid_t dcpl = H5Dget_create_plist(dataset_);
        std::vector<hsize_t> dims(8);
        dims.resize(static_cast<std::size_t>(H5Pget_chunk(dcpl, 8, dims.data())));
        H5Pclose(dcpl);
        return dims;
    }
    // The filters declared on the dataset, in pipeline order.
    std::vector<int> filters() const {
        const hid_t dcpl = H5Dget_create_plist(dataset_);
        std::vector<int> out;
        for (int i = 0, n = H5Pget_nfilters(dcpl); i < n; ++i) {
            unsigned flags = 0, config = 0;
            std::size_t count = 0;
            out.push_back(H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &count, nullptr, 0, nullptr, &config));
        }
        H5Pclose(dcpl);
        return out;
    }
    std::vector<std::uint16_t> values() const {
        const hid_t space = H5Dget_space(dataset_);
        std::vector<std::uint16_t> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
        H5Sclose(space);
        REQUIRE(H5Dread(dataset_, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0);
        return out;
    }
    hsize_t stored_bytes(hsize_t frame) const {
        std::vector<hsize_t> offset(shape().size(), 0);
        offset[0] = frame;
        hsize_t bytes = 0;
        REQUIRE(H5Dget_chunk_storage_size(dataset_, offset.data(), &bytes) >= 0);
        return bytes;
    }
    std::string attribute(const std::string& name) const {
        const hid_t a = H5Aopen(dataset_, name.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(a >= 0, name);
        const hid_t type = H5Aget_type(a);
        char* s = nullptr;
        REQUIRE(H5Aread(a, type, &s) >= 0);
        std::string out = s;
        H5free_memory(s);
        H5Tclose(type);
        H5Aclose(a);
        return out;
    }

private:
    hid_t file_ = H5I_INVALID_HID;
    hid_t dataset_ = H5I_INVALID_HID;
};

std::string string_at(const fs::path& file, const std::string& object, const std::string& attribute = {}) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    char* s = nullptr;
    if (attribute.empty()) {
        const hid_t d = H5Dopen2(f, object.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(d >= 0, object);
        const hid_t type = H5Dget_type(d);
        REQUIRE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) >= 0);
        H5Tclose(type);
        H5Dclose(d);
    } else {
        const hid_t o = H5Oopen(f, object.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(o >= 0, object);
        const hid_t a = H5Aopen(o, attribute.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(a >= 0, object, "@", attribute);
        const hid_t type = H5Aget_type(a);
        REQUIRE(H5Aread(a, type, &s) >= 0);
        H5Tclose(type);
        H5Aclose(a);
        H5Oclose(o);
    }
    H5Fclose(f);
    std::string out = s ? s : "";
    H5free_memory(s);
    return out;
}

std::vector<std::string> names_in(const fs::path& folder) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// Detector-like frames: Poisson counts, which compress the way real ones do.
std::vector<std::uint16_t> poisson_frames(std::size_t n, std::size_t pixels, unsigned seed = 1) {
    std::mt19937 rng(seed);
    std::poisson_distribution<int> counts(3.0);
    std::vector<std::uint16_t> out(n * pixels);
    for (auto& v : out) v = static_cast<std::uint16_t>(counts(rng));
    return out;
}

struct Beamline {
    test::CatalogLocation location;
    Catalog cat{location};
    test::TempDir dir;  // the dataset's location: the stack writes here
    Dataset scan;

    Beamline() {
        cat.add_instrument({.name = "P11", .facility = "PETRA III", .type = "beamline"});
        cat.add_sample({.name = "lyso-3", .formula = "C613H959N193O185S10"});
        Dataset d;
        d.name = "scan_001";
        d.instrument = "P11";
        d.sample = "lyso-3";
        d.location = dir.path().string();
        d.state = DatasetState::acquiring;
        d.start_time = parse_time("2026-03-01T10:00:00Z");
        d.metadata = {{"detector.distance", {250.0, "mm"}}};
        scan = cat.register_dataset(d);
    }

    FrameStackOptions options(Compression c = Compression::none) const {
        FrameStackOptions o;
        o.type = ElementType::uint16;
        o.frame_shape = {4, 5};
        o.compression = c;
        return o;
    }
};

// hdf5plugin's plugin folder in the project's .venv (make test installs it there), if any.
fs::path hdf5plugin_dir() {
    const fs::path repo = fs::path(DATATRAIL_EXAMPLE_SCHEMAS_DIR).parent_path().parent_path();
    std::error_code ec;
    for (const auto& lib : fs::directory_iterator(repo / ".venv" / "lib", ec)) {
        const fs::path dir = lib.path() / "site-packages" / "hdf5plugin" / "plugins";
        if (fs::exists(dir / "libh5bshuf.so", ec)) return dir;
    }
    return {};
}

}  // namespace

TEST_CASE("a frame stack streams frames into the raw layout, one chunk per frame, and the catalogue follows it") {
    Beamline b;
    const fs::path path = b.dir / "scan_001.nxs";
    const auto frames = poisson_frames(3, 20);
    {
        FrameStack stack(path, b.cat, b.scan.pid, b.options(), true);
        stack.append(std::span<const std::uint16_t>(frames).first(20));      // one frame
        stack.append(std::span<const std::uint16_t>(frames).subspan(20));    // a block of two
        CHECK(stack.frames() == 3);
        // Nothing looks complete while it streams: no file under the final name, the dataset acquiring.
        CHECK(!fs::exists(path));
        CHECK(b.cat.dataset(b.scan.pid).state == DatasetState::acquiring);
        stack.close();
        CHECK(!stack.is_open());
    }
    CHECK(names_in(b.dir.path()) == std::vector<std::string>{"scan_001.nxs"});

    Frames f(path, "/entry/data/data");
    std::vector<hsize_t> max;
    CHECK(f.shape(&max) == std::vector<hsize_t>{3, 4, 5});
    CHECK(max[0] == H5S_UNLIMITED);
    CHECK(f.chunk() == std::vector<hsize_t>{1, 4, 5});
    CHECK(f.filters().empty());
    CHECK(f.values() == frames);
    CHECK(f.attribute("units") == "counts");
    // NXdetector/data is the same dataset, where NXmx readers look for the frames.
    CHECK(Frames(path, "/entry/instrument/detector/data").values() == frames);
    // The layout of write_raw_file, with the stack as the default chain's signal.
    CHECK(string_at(path, "/", "default") == "entry");
    CHECK(string_at(path, "/entry", "default") == "data");
    CHECK(string_at(path, "/entry/data", "signal") == "data");
    CHECK(string_at(path, "/entry/data", "NX_class") == "NXdata");
    CHECK(string_at(path, "/entry/instrument", "NX_class") == "NXinstrument");
    CHECK(string_at(path, "/entry/instrument/detector", "NX_class") == "NXdetector");
    CHECK(string_at(path, "/entry/sample/name") == "lyso-3");
    CHECK(string_at(path, "/entry/entry_identifier") == b.scan.pid);
    CHECK(string_at(path, "/entry/start_time") == "2026-03-01T10:00:00.000000+00:00");
    CHECK(string_at(path, "/entry/end_time").ends_with("+00:00"));  // written at close

    const Dataset done = b.cat.dataset(b.scan.pid);
    CHECK(done.state == DatasetState::complete);
    CHECK(done.end_time.has_value());
    REQUIRE(done.files.size() == 1);
    CHECK(done.files[0].path == "scan_001.nxs");
    CHECK(done.files[0].size == fs::file_size(path));
    CHECK(done.files[0].sha256 == sha256_file(path));
}

TEST_CASE("each compression writes frames that read back equal, with the filter readers need declared") {
    Beamline b;
    const auto frames = poisson_frames(4, 64 * 64);
    const std::map<Compression, int> filter = {
        {Compression::gzip, 1}, {Compression::lz4, 32004}, {Compression::blosc, 32001}};
    for (const auto& [compression, id] : filter) {
        CAPTURE(to_string(compression));
        const fs::path path = b.dir / (std::string(to_string(compression)) + ".nxs");
        FrameStackOptions o = b.options(compression);
        o.frame_shape = {64, 64};
        if (compression == Compression::gzip) o.level = 4;
        FrameStack stack(path, b.cat, b.scan.pid, o);  // the catalogue only read
        stack.append(std::span<const std::uint16_t>(frames));
        stack.close();
        Frames f(path, "/entry/data/data");
        CHECK(f.filters() == std::vector<int>{id});
        CHECK(f.values() == frames);
        CHECK(f.stored_bytes(0) < 64 * 64 * 2);  // compressed indeed
    }
    CHECK(b.cat.dataset(b.scan.pid).state == DatasetState::acquiring);  // not updated without update_catalog
}

TEST_CASE("a missing filter plugin is a NexusError naming the filter and what to install, and nothing is written") {
    Beamline b;
    std::error_code ec;
    if (fs::exists("/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins/libh5bshuf.so", ec)) {
        MESSAGE("skipped: a bitshuffle plugin is installed system-wide");
        return;
    }
    ::setenv("HDF5_PLUGIN_PATH", b.dir.path().c_str(), 1);  // an empty folder
    try {
        FrameStack stack(b.dir / "bs.nxs", b.cat, b.scan.pid, b.options(Compression::bitshuffle_lz4), true);
        FAIL("no error");
    } catch (const NexusError& e) {
        const std::string what = e.what();
        CHECK(what.find("32008") != std::string::npos);
        CHECK(what.find("hdf5plugin") != std::string::npos);
        CHECK(what.find("HDF5_PLUGIN_PATH") != std::string::npos);
    }
    ::unsetenv("HDF5_PLUGIN_PATH");
    CHECK(names_in(b.dir.path()).empty());
    CHECK(b.cat.dataset(b.scan.pid).state == DatasetState::acquiring);
}

TEST_CASE("bitshuffle-LZ4 (32008) loads hdf5plugin's plugin through HDF5_PLUGIN_PATH") {
    const fs::path plugins = hdf5plugin_dir();
    if (plugins.empty()) {
        MESSAGE("skipped: no hdf5plugin in the project's .venv (make python installs it)");
        return;
    }
    ::setenv("HDF5_PLUGIN_PATH", plugins.c_str(), 1);
    Beamline b;
    const auto frames = poisson_frames(3, 64 * 64);
    const fs::path path = b.dir / "bs.nxs";
    FrameStackOptions o = b.options(Compression::bitshuffle_lz4);
    o.frame_shape = {64, 64};
    FrameStack stack(path, b.cat, b.scan.pid, o, true);
    stack.append(std::span<const std::uint16_t>(frames));
    stack.close();
    ::unsetenv("HDF5_PLUGIN_PATH");
    Frames f(path, "/entry/data/data");
    CHECK(f.filters() == std::vector<int>{32008});
    CHECK(f.values() == frames);
    CHECK(f.stored_bytes(1) < 64 * 64 * 2);
}

TEST_CASE("several threads append at once: every call's frames are stored once, together, in each thread's order") {
    for (const auto compression : {Compression::none, Compression::blosc}) {
        CAPTURE(to_string(compression));
        Beamline b;
        const fs::path path = b.dir / "threads.nxs";
        FrameStackOptions o = b.options(compression);
        o.threads = 2;
        FrameStack stack(path, b.cat, b.scan.pid, o, true);
        constexpr int threads = 4, calls = 25;
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                for (int k = 0; k < calls; ++k) {
                    // Two frames per call: every pixel names the thread and call, the first pixel
                    // which frame of the call it is.
                    std::vector<std::uint16_t> block(2 * 20, static_cast<std::uint16_t>(t * 1000 + k));
                    block[0] = 0;
                    block[20] = 1;
                    stack.append(std::span<const std::uint16_t>(block));
                }
            });
        }
        for (auto& w : workers) w.join();
        CHECK(stack.frames() == threads * calls * 2);
        stack.close();

        const auto values = Frames(path, "/entry/data/data").values();
        REQUIRE(values.size() == threads * calls * 2 * 20);
        std::map<int, int> last_call;  // per thread
        int stored = 0;
        for (std::size_t frame = 0; frame < threads * calls * 2; frame += 2) {
            const std::uint16_t* first = &values[frame * 20];
            const std::uint16_t* second = first + 20;
            REQUIRE(first[0] == 0);
            REQUIRE(second[0] == 1);
            const int tag = first[1];
            CHECK(std::all_of(first + 1, first + 20, [&](auto v) { return v == tag; }));
            CHECK(std::all_of(second + 1, second + 20, [&](auto v) { return v == tag; }));
            const int t = tag / 1000, k = tag % 1000;
            CHECK(k == (last_call.count(t) ? last_call[t] + 1 : 0));  // each thread's calls in order, none lost
            last_call[t] = k;
            ++stored;
        }
        CHECK(stored == threads * calls);
        CHECK(b.cat.dataset(b.scan.pid).state == DatasetState::complete);
    }
}

TEST_CASE("append_compressed writes chunks the caller encoded, with the filter mask it gives") {
    Beamline b;
    const auto frames = poisson_frames(2, 64 * 64);
    const std::size_t frame_bytes = 64 * 64 * 2;
    SUBCASE("Blosc chunks compressed by the caller") {
        const fs::path path = b.dir / "direct.nxs";
        FrameStackOptions o = b.options(Compression::blosc);
        o.frame_shape = {64, 64};
        FrameStack stack(path, b.cat, b.scan.pid, o);
        for (int i = 0; i < 2; ++i) {
            std::vector<std::byte> chunk(frame_bytes + BLOSC_MAX_OVERHEAD);
            const int size = blosc_compress_ctx(5, BLOSC_BITSHUFFLE, 2, frame_bytes, &frames[i * 64 * 64], chunk.data(),
                                                chunk.size(), "lz4", 0, 1);
            REQUIRE(size > 0);
            stack.append_compressed(std::span<const std::byte>(chunk).first(static_cast<std::size_t>(size)));
        }
        stack.close();
        Frames f(path, "/entry/data/data");
        CHECK(f.values() == frames);
    }
    SUBCASE("a gzip stack takes a raw chunk with its filter marked as skipped") {
        const fs::path path = b.dir / "masked.nxs";
        FrameStackOptions o = b.options(Compression::gzip);
        o.frame_shape = {64, 64};
        FrameStack stack(path, b.cat, b.scan.pid, o);
        stack.append_compressed(std::as_bytes(std::span<const std::uint16_t>(frames).first(64 * 64)), 0x1);
        stack.append(std::span<const std::uint16_t>(frames).subspan(64 * 64));
        stack.close();
        Frames f(path, "/entry/data/data");
        CHECK(f.values() == frames);
        CHECK(f.stored_bytes(0) == frame_bytes);  // as given
        CHECK(f.stored_bytes(1) < frame_bytes);   // compressed by HDF5
    }
    SUBCASE("uncompressed, a chunk must be exactly one frame") {
        FrameStack stack(b.dir / "raw.nxs", b.cat, b.scan.pid, b.options());
        const std::vector<std::byte> short_chunk(39);
        CHECK_THROWS_WITH_AS(stack.append_compressed(short_chunk), doctest::Contains("must be one frame of 40 bytes"),
                             ValidationError);
        stack.append_compressed(std::as_bytes(std::span<const std::uint16_t>(frames).first(20)));
        CHECK(stack.frames() == 1);
    }
}

TEST_CASE("frames in a separate data file, reached from the master by a relative external link") {
    Beamline b;
    const fs::path path = b.dir / "scan_001_master.nxs";
    const auto frames = poisson_frames(5, 20);
    FrameStackOptions o = b.options(Compression::blosc);
    o.separate_data_file = true;
    o.sync_on_close = true;
    FrameStack stack(path, b.cat, b.scan.pid, o, true);
    CHECK(stack.data_path() == b.dir / "scan_001_master_data.h5");
    stack.append(std::span<const std::uint16_t>(frames));
    stack.close();
    CHECK(names_in(b.dir.path()) == std::vector<std::string>{"scan_001_master.nxs", "scan_001_master_data.h5"});

    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    H5L_info_t info;
    REQUIRE(H5Lget_info(f, "/entry/data/data", &info, H5P_DEFAULT) >= 0);
    CHECK(info.type == H5L_TYPE_EXTERNAL);
    std::vector<char> value(info.u.val_size);
    REQUIRE(H5Lget_val(f, "/entry/data/data", value.data(), value.size(), H5P_DEFAULT) >= 0);
    const char* file = nullptr;
    const char* object = nullptr;
    unsigned flags = 0;
    REQUIRE(H5Lunpack_elink_val(value.data(), value.size(), &flags, &file, &object) >= 0);
    CHECK(std::string(file) == "scan_001_master_data.h5");
    CHECK(std::string(object) == "/entry/data/data");
    H5Fclose(f);

    CHECK(Frames(path, "/entry/data/data").values() == frames);  // through the link
    CHECK(Frames(path, "/entry/instrument/detector/data").values() == frames);
    CHECK(Frames(b.dir / "scan_001_master_data.h5", "/entry/data/data").values() == frames);
    const Dataset done = b.cat.dataset(b.scan.pid);
    CHECK(done.state == DatasetState::complete);
    REQUIRE(done.files.size() == 2);
    for (const auto& file_record : done.files) CHECK(file_record.sha256 == sha256_file(b.dir / file_record.path));
}

TEST_CASE("an exception that escapes mid-stream leaves no file that looks complete, and the dataset failed") {
    Beamline b;
    const auto frames = poisson_frames(2, 20);
    for (const bool separate : {false, true}) {
        CAPTURE(separate);
        FrameStackOptions o = b.options();
        o.separate_data_file = separate;
        try {
            FrameStack stack(b.dir / "scan_001.nxs", b.cat, b.scan.pid, o, true);
            stack.append(std::span<const std::uint16_t>(frames));
            CHECK(names_in(b.dir.path()).size() == (separate ? 2u : 1u));  // the partial files
            throw std::runtime_error("the detector stopped");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "the detector stopped");
        }
        CHECK(names_in(b.dir.path()).empty());
        const Dataset after = b.cat.dataset(b.scan.pid);
        CHECK(after.state == DatasetState::failed);
        CHECK(after.files.empty());
    }
}

TEST_CASE("bad frame stack input is refused with the field named, and nothing is written") {
    Beamline b;
    const fs::path path = b.dir / "bad.nxs";
    SUBCASE("options") {
        FrameStackOptions o = b.options(Compression::lz4);
        o.frame_shape = {4, 0};
        o.signal_name = "2theta";
        o.level = 3;
        o.threads = -1;
        try {
            FrameStack stack(path, b.cat, b.scan.pid, o, true);
            FAIL("no error");
        } catch (const ValidationError& e) {
            std::vector<std::string> fields;
            for (const auto& v : e.violations()) fields.push_back(v.field);
            CHECK(fields == std::vector<std::string>{"frame_shape", "signal_name", "level", "threads"});
            CHECK(e.violations()[0].value == "[4, 0]");
            CHECK(e.violations()[2].rule.find("lz4 compression has no level") != std::string::npos);
        }
        CHECK_THROWS_WITH_AS(parse_compression("zstd"), doctest::Contains("none, gzip, lz4, blosc or bitshuffle_lz4"),
                             ValidationError);
    }
    SUBCASE("an unknown or processed dataset, a file outside the dataset's location") {
        CHECK_THROWS_AS(FrameStack(path, b.cat, "local/01JQ0000000000000000000000", b.options()), NotFound);
        Dataset processed;
        processed.name = "reduced";
        processed.kind = DatasetKind::processed;
        const std::string pid = b.cat.register_dataset(processed).pid;
        CHECK_THROWS_WITH_AS(FrameStack(path, b.cat, pid, b.options()), doctest::Contains("must be a raw dataset"),
                             ValidationError);
        test::TempDir elsewhere;
        CHECK_THROWS_WITH_AS(FrameStack(elsewhere / "x.nxs", b.cat, b.scan.pid, b.options(), true),
                             doctest::Contains("must be inside the dataset's location"), ValidationError);
        CHECK(names_in(elsewhere.path()).empty());
    }
    SUBCASE("frames of the wrong size or type, a stack with no frame, appends after close") {
        FrameStack stack(path, b.cat, b.scan.pid, b.options(), true);
        const std::vector<std::uint16_t> partial(30);
        CHECK_THROWS_WITH_AS(stack.append(std::span<const std::uint16_t>(partial)),
                             doctest::Contains("whole number (at least 1) of frames of [4, 5] uint16"), ValidationError);
        const std::vector<float> floats(20);
        CHECK_THROWS_WITH_AS(stack.append(std::span<const float>(floats)), doctest::Contains("must be uint16"), ValidationError);
        CHECK(stack.frames() == 0);
        CHECK_THROWS_WITH_AS(stack.close(), doctest::Contains("at least one frame"), ValidationError);
        CHECK(!stack.is_open());
        CHECK(b.cat.dataset(b.scan.pid).state == DatasetState::failed);
        const std::vector<std::uint16_t> frame(20);
        CHECK_THROWS_AS(stack.append(std::span<const std::uint16_t>(frame)), NexusError);
    }
    CHECK(names_in(b.dir.path()).empty());
}

TEST_CASE("a folder that cannot be written is a NexusError naming the file") {
    Beamline b;
    CHECK_THROWS_WITH_AS(FrameStack(b.dir / "missing" / "scan.nxs", b.cat, b.scan.pid, b.options()),
                         doctest::Contains("scan.nxs: cannot create the file"), NexusError);
}
