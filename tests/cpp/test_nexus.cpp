// NeXus files written from the catalogue, read back with the HDF5 C API itself (the Python tests
// read them with h5py and check them with nexusformat).
#include "support.hpp"

#include <datatrail/nexus.hpp>

#include <doctest/doctest.h>
#include <hdf5.h>

#include <cmath>
#include <limits>
#include <thread>

using namespace datatrail;
namespace fs = std::filesystem;

namespace {

// A file open for reading in a test; closed at the end of the scope.
class Reader {
public:
    explicit Reader(const fs::path& p) : id_(H5Fopen(p.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)) { REQUIRE(id_ >= 0); }
    ~Reader() { H5Fclose(id_); }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    bool has(const std::string& path) const {
        // Each parent must exist before H5Lexists may be asked about the child.
        std::string prefix;
        for (std::size_t pos = 1; pos != std::string::npos;) {
            const auto next = path.find('/', pos);
            prefix = path.substr(0, next);
            if (H5Lexists(id_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
            pos = next == std::string::npos ? next : next + 1;
        }
        return true;
    }

    std::string attribute(const std::string& object, const std::string& name) const {
        // Opening the object first: HDF5 1.10's H5Aopen_by_name reads the wrong object's attribute
        // when the path crosses an external link.
        const hid_t o = H5Oopen(id_, object.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(o >= 0, object);
        const hid_t a = H5Aopen(o, name.c_str(), H5P_DEFAULT);
        H5Oclose(o);
        REQUIRE_MESSAGE(a >= 0, object, "@", name);
        const hid_t type = H5Aget_type(a);
        std::string out;
        if (H5Tget_class(type) == H5T_STRING) {
            CHECK(H5Tis_variable_str(type) > 0);
            CHECK(H5Tget_cset(type) == H5T_CSET_UTF8);
            char* s = nullptr;
            REQUIRE(H5Aread(a, type, &s) >= 0);
            out = s;
            H5free_memory(s);
        } else {
            long long v = 0;
            REQUIRE(H5Aread(a, H5T_NATIVE_LLONG, &v) >= 0);
            out = std::to_string(v);
        }
        H5Tclose(type);
        H5Aclose(a);
        return out;
    }

    std::string text(const std::string& path) const {
        const hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(d >= 0, path);
        const hid_t type = H5Dget_type(d);
        REQUIRE(H5Tget_class(type) == H5T_STRING);
        CHECK(H5Tis_variable_str(type) > 0);
        CHECK(H5Tget_cset(type) == H5T_CSET_UTF8);
        char* s = nullptr;
        REQUIRE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) >= 0);
        std::string out = s;
        H5free_memory(s);
        H5Tclose(type);
        H5Dclose(d);
        return out;
    }

    std::vector<double> numbers(const std::string& path, std::vector<hsize_t>* shape = nullptr) const {
        const hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(d >= 0, path);
        const hid_t space = H5Dget_space(d);
        const int rank = H5Sget_simple_extent_ndims(space);
        std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
        H5Sget_simple_extent_dims(space, dims.data(), nullptr);
        if (shape) *shape = dims;
        std::vector<double> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
        REQUIRE(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0);
        H5Sclose(space);
        H5Dclose(d);
        return out;
    }

    std::vector<std::string> strings(const std::string& path) const {
        const hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(d >= 0, path);
        const hid_t type = H5Dget_type(d);
        const hid_t space = H5Dget_space(d);
        std::vector<char*> raw(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
        REQUIRE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) >= 0);
        std::vector<std::string> out;
        for (char* s : raw) {
            out.emplace_back(s ? s : "");
            H5free_memory(s);
        }
        H5Sclose(space);
        H5Tclose(type);
        H5Dclose(d);
        return out;
    }

    // The file type's class and size: what a reader sees as the dtype.
    std::pair<H5T_class_t, std::size_t> type(const std::string& path) const {
        const hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
        REQUIRE_MESSAGE(d >= 0, path);
        const hid_t t = H5Dget_type(d);
        const auto out = std::make_pair(H5Tget_class(t), H5Tget_size(t));
        H5Tclose(t);
        H5Dclose(d);
        return out;
    }

    // The external link at `path`: (file, object).
    std::pair<std::string, std::string> external_link(const std::string& path) const {
        H5L_info_t info;
        REQUIRE(H5Lget_info(id_, path.c_str(), &info, H5P_DEFAULT) >= 0);
        REQUIRE(info.type == H5L_TYPE_EXTERNAL);
        std::vector<char> buffer(info.u.val_size);
        REQUIRE(H5Lget_val(id_, path.c_str(), buffer.data(), buffer.size(), H5P_DEFAULT) >= 0);
        const char* file = nullptr;
        const char* object = nullptr;
        unsigned flags = 0;
        REQUIRE(H5Lunpack_elink_val(buffer.data(), buffer.size(), &flags, &file, &object) >= 0);
        return {file, object};
    }

private:
    hid_t id_;
};

const char* const beam_schema = R"(
name: beam
version: "1.0"
strict: false
fields:
  beam.wavelength:
    type: float
    unit: angstrom
    nexus_path: /entry/instrument/beam/incident_wavelength
  detector.distance:
    type: float
    unit: mm
    nexus_path: /entry/instrument/detector/distance
  title:
    type: string
    nexus_path: /entry/title
  sample.temperature:
    type: float
    unit: K
    nexus_path: /entry/sample/temperature
  odd:
    type: string
    nexus_path: /elsewhere/odd
)";

struct Facility {
    test::CatalogLocation location;
    Catalog cat{location};
    test::TempDir dir;
    Dataset scan;
    std::vector<std::uint16_t> frames = std::vector<std::uint16_t>(2 * 3 * 4);
    std::vector<double> angle = {0.0, 0.25};

    Facility() {
        for (std::size_t i = 0; i < frames.size(); ++i) frames[i] = static_cast<std::uint16_t>(i * 3);
        cat.add_instrument({.name = "P11", .facility = "PETRA III", .type = "beamline"});
        cat.add_investigation({.name = "11019362",
                               .title = "Lysozyme",
                               .instrument = "P11",
                               .participants = {{.name = "Ada Lovelace", .role = "PI", .orcid = "0000-0002-1825-0097"},
                                                {.name = "Grace Hopper", .role = "local contact"}}});
        cat.add_sample({.name = "lyso-3", .formula = "C613H959N193O185S10"});
        cat.add_schema(parse_schema(beam_schema, "beam.yaml"));
        Dataset d;
        d.name = "scan_001";
        d.investigation = "11019362";
        d.instrument = "P11";
        d.sample = "lyso-3";
        d.schema = "beam";
        d.start_time = parse_time("2026-03-01T10:00:00Z");
        d.end_time = parse_time("2026-03-01T10:05:00Z");
        d.metadata = {{"beam.wavelength", {1.0332, "angstrom"}},
                      {"detector.distance", {25.0, "cm"}},
                      {"title", "lysozyme, 360 degrees"},
                      {"sample.temperature", {100.0, "K"}},
                      {"odd", "kept"},
                      {"detector.name", "Eiger2 16M"},
                      {"exposures", 2},
                      {"shutter.open", true},
                      {"ring.current", {98.5, "mA"}}};
        scan = cat.register_dataset(d);
    }

    NexusData raw_data() const {
        NexusData data;
        data.signal = NexusArray::of<std::uint16_t>(frames, {2, 3, 4}, "counts", "intensity");
        data.axes = {{"omega", NexusArray::of<double>(angle, {}, "deg")}};
        return data;
    }
};

bool only_file_in(const fs::path& folder, const std::string& name) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename().string());
    INFO("files: ", names.size());
    return names.size() == 1 && names[0] == name;
}

}  // namespace

TEST_CASE("a raw file has the NeXus skeleton, the data with its axes and the default chain") {
    Facility f;
    const fs::path path = f.dir / "scan_001.nxs";
    write_raw_file(path, f.cat, f.scan.pid, f.raw_data());
    CHECK(only_file_in(f.dir.path(), "scan_001.nxs"));  // no temporary file left behind

    Reader r(path);
    CHECK(r.attribute("/", "NX_class") == "NXroot");
    CHECK(r.attribute("/", "file_name") == "scan_001.nxs");
    CHECK(r.attribute("/", "creator") == std::string("datatrail ") + version);
    CHECK(r.attribute("/", "HDF5_Version").starts_with("1."));
    CHECK(r.attribute("/", "file_time").ends_with("+00:00"));
    CHECK(!r.attribute("/", "NeXus_version").empty());
    // The default chain: root -> entry -> NXdata with its signal.
    CHECK(r.attribute("/", "default") == "entry");
    CHECK(r.attribute("/entry", "NX_class") == "NXentry");
    CHECK(r.attribute("/entry", "default") == "data");
    CHECK(r.attribute("/entry/data", "NX_class") == "NXdata");
    CHECK(r.attribute("/entry/data", "signal") == "data");
    CHECK(r.attribute("/entry/data", "omega_indices") == "0");

    std::vector<hsize_t> shape;
    const auto values = r.numbers("/entry/data/data", &shape);
    CHECK(shape == std::vector<hsize_t>{2, 3, 4});
    CHECK(values[23] == 69.0);
    CHECK(r.type("/entry/data/data") == std::make_pair(H5T_INTEGER, std::size_t{2}));
    CHECK(r.attribute("/entry/data/data", "units") == "counts");
    CHECK(r.attribute("/entry/data/data", "long_name") == "intensity");
    CHECK(r.numbers("/entry/data/omega") == f.angle);
    CHECK(r.attribute("/entry/data/omega", "units") == "deg");

    CHECK(r.text("/entry/entry_identifier") == f.scan.pid);
    CHECK(r.text("/entry/experiment_identifier") == "11019362");
    CHECK(r.text("/entry/start_time") == "2026-03-01T10:00:00.000000+00:00");
    CHECK(r.text("/entry/end_time") == "2026-03-01T10:05:00.000000+00:00");
    CHECK(r.attribute("/entry/user_1", "NX_class") == "NXuser");
    CHECK(r.text("/entry/user_1/name") == "Ada Lovelace");
    CHECK(r.text("/entry/user_1/ORCID") == "0000-0002-1825-0097");
    CHECK(r.text("/entry/user_2/role") == "local contact");
    CHECK(r.attribute("/entry/sample", "NX_class") == "NXsample");
    CHECK(r.text("/entry/sample/name") == "lyso-3");
    CHECK(r.text("/entry/sample/chemical_formula") == "C613H959N193O185S10");
    CHECK(r.attribute("/entry/instrument", "NX_class") == "NXinstrument");
    CHECK(r.text("/entry/instrument/name") == "P11");
    CHECK(r.attribute("/entry/instrument/source", "NX_class") == "NXsource");
    CHECK(r.text("/entry/instrument/source/name") == "PETRA III");
    CHECK(r.attribute("/entry/instrument/detector", "NX_class") == "NXdetector");
}

TEST_CASE("metadata goes to the NeXus paths its schema names, the rest into /entry/metadata, with units") {
    Facility f;
    const fs::path path = f.dir / "scan_001.nxs";
    write_raw_file(path, f.cat, f.scan.pid, f.raw_data());
    Reader r(path);
    // Schema paths, with the conventional class of each group made on the way.
    CHECK(r.attribute("/entry/instrument/beam", "NX_class") == "NXbeam");
    CHECK(r.numbers("/entry/instrument/beam/incident_wavelength") == std::vector<double>{1.0332});
    CHECK(r.attribute("/entry/instrument/beam/incident_wavelength", "units") == "angstrom");
    // Stored converted into the schema's unit (25 cm -> 250 mm), and written as stored.
    CHECK(r.numbers("/entry/instrument/detector/distance") == std::vector<double>{250.0});
    CHECK(r.attribute("/entry/instrument/detector/distance", "units") == "mm");
    CHECK(r.numbers("/entry/sample/temperature") == std::vector<double>{100.0});
    CHECK(r.attribute("/entry/sample/temperature", "units") == "K");
    // A metadata value at a path the skeleton also writes wins over the record's field.
    CHECK(r.text("/entry/title") == "lysozyme, 360 degrees");
    // Outside /entry there is no place for it: it goes with the keys that have no path.
    CHECK(!r.has("/elsewhere"));
    CHECK(r.text("/entry/metadata/odd") == "kept");
    CHECK(r.attribute("/entry/metadata", "NX_class") == "NXcollection");
    // Dotted keys become nested collections: NeXus names hold no '.'.
    CHECK(r.attribute("/entry/metadata/detector", "NX_class") == "NXcollection");
    CHECK(r.text("/entry/metadata/detector/name") == "Eiger2 16M");
    CHECK(r.numbers("/entry/metadata/ring/current") == std::vector<double>{98.5});
    CHECK(r.attribute("/entry/metadata/ring/current", "units") == "mA");
    CHECK(r.type("/entry/metadata/exposures") == std::make_pair(H5T_INTEGER, std::size_t{8}));
    CHECK(r.type("/entry/metadata/shutter/open") == std::make_pair(H5T_ENUM, std::size_t{1}));
}

TEST_CASE("a processed file carries one NXprocess per activity of its lineage, oldest first, and links to the raw file") {
    Facility f;
    const fs::path raw_path = f.dir / "raw" / "scan_001.nxs";
    fs::create_directories(raw_path.parent_path());
    write_raw_file(raw_path, f.cat, f.scan.pid, f.raw_data());
    f.cat.add_files(f.scan.pid, {{.path = "scan_001.nxs"}}, {});
    const std::string raw_sha = sha256_file(raw_path);
    f.cat.add_files(f.scan.pid, {Datafile{.path = "checked.nxs", .sha256 = raw_sha}}, {});

    Activity first;
    first.name = "integrate";
    first.program = "pyFAI";
    first.version = "2024.2";
    first.parameters = {{"npt", 5}, {"distance", {250.0, "mm"}}, {"mask.file", "mask.edf"}};
    first.used = {{f.scan.pid, "", "input"}};
    first.start_time = parse_time("2026-03-01T11:00:00Z");
    first = f.cat.start_activity(first);
    Dataset profile;
    profile.name = "profile";
    profile.kind = DatasetKind::processed;
    profile = f.cat.add_outputs(first.pid, {profile})[0];
    f.cat.finish_activity(first.pid, ActivityStatus::succeeded);

    Activity second;
    second.name = "fit";
    second.program = "peakfit";
    second.version = "0.3";
    second.used = {{profile.pid, "", "input"}};
    second.start_time = parse_time("2026-03-01T12:00:00Z");
    second = f.cat.start_activity(second);
    Dataset fitted;
    fitted.name = "fitted";
    fitted.kind = DatasetKind::processed;
    fitted = f.cat.add_outputs(second.pid, {fitted})[0];

    std::vector<double> q = {1, 2, 3, 4, 5}, intensity = {5, 4, 3, 2, 1};
    NexusData result;
    result.signal_name = "I";
    result.signal = NexusArray::of<double>(intensity, {}, "counts");
    result.axes = {{"q", NexusArray::of<double>(q, {}, "1/nm")}};
    const fs::path out = f.dir / "processed" / "fitted.nxs";
    fs::create_directories(out.parent_path());
    write_processed_file(out, f.cat, fitted.pid, result, raw_path);

    Reader r(out);
    CHECK(r.text("/entry/entry_identifier") == fitted.pid);
    CHECK(r.attribute("/entry/data", "signal") == "I");
    CHECK(r.attribute("/entry/process_1", "NX_class") == "NXprocess");
    CHECK(r.text("/entry/process_1/program") == "pyFAI");
    CHECK(r.text("/entry/process_1/version") == "2024.2");
    CHECK(r.text("/entry/process_1/date") == "2026-03-01T11:00:00.000000+00:00");
    CHECK(r.numbers("/entry/process_1/sequence_index") == std::vector<double>{1});
    CHECK(r.text("/entry/process_2/program") == "peakfit");
    CHECK(r.numbers("/entry/process_2/sequence_index") == std::vector<double>{2});
    CHECK(!r.has("/entry/process_3"));
    CHECK(r.attribute("/entry/process_1/parameters", "NX_class") == "NXparameters");
    CHECK(r.numbers("/entry/process_1/parameters/distance") == std::vector<double>{250});
    CHECK(r.attribute("/entry/process_1/parameters/distance", "units") == "mm");
    CHECK(r.text("/entry/process_1/parameters/mask/file") == "mask.edf");
    CHECK(r.attribute("/entry/process_1/configuration", "NX_class") == "NXnote");
    CHECK(r.text("/entry/process_1/configuration/type") == "application/json");
    const std::string config = r.text("/entry/process_1/configuration/data");
    CHECK(config.find("\"pid\":\"" + first.pid + "\"") != std::string::npos);
    CHECK(config.find("\"distance\":{\"type\":\"float\",\"unit\":\"mm\",\"value\":250.0}") != std::string::npos);
    CHECK(r.text("/entry/process_1/provenance/activity_identifier") == first.pid);
    CHECK(r.text("/entry/process_1/provenance/input_1/dataset_identifier") == f.scan.pid);
    CHECK(r.text("/entry/process_2/provenance/input_1/dataset_identifier") == profile.pid);
    // Every file of the input, with the checksum the catalogue has ("" where it has none).
    std::vector<std::string> names, sums;
    for (const auto& file : f.cat.dataset(f.scan.pid).files) {
        names.push_back(file.path);
        sums.push_back(file.path == "checked.nxs" ? raw_sha : "");
    }
    CHECK(names.size() == 2);
    CHECK(r.strings("/entry/process_1/provenance/input_1/file_names") == names);
    CHECK(r.strings("/entry/process_1/provenance/input_1/file_sha256") == sums);
    // The raw file, by a path relative to this one's folder.
    CHECK(r.external_link("/entry/raw/data") == std::make_pair(std::string("../raw/scan_001.nxs"), std::string("/entry/data")));
    CHECK(r.text("/entry/raw/file_name") == "../raw/scan_001.nxs");
    CHECK(r.text("/entry/raw/entry_identifier") == f.scan.pid);
    // Followed by HDF5 from the linking file's folder, whatever the working directory.
    CHECK(r.attribute("/entry/raw/data", "signal") == "data");
}

TEST_CASE("bad input is refused with the field named, and no file is left") {
    Facility f;
    const fs::path path = f.dir / "bad.nxs";
    const auto refused = [&](NexusData data, const std::string& field, const std::string& rule) {
        CAPTURE(field);
        try {
            write_raw_file(path, f.cat, f.scan.pid, data);
            FAIL("no error");
        } catch (const ValidationError& e) {
            REQUIRE(!e.violations().empty());
            CHECK(e.violations()[0].field == field);
            CHECK(e.violations()[0].rule.find(rule) != std::string::npos);
        }
        CHECK(fs::is_empty(f.dir.path()));
    };
    NexusData data = f.raw_data();
    data.signal.shape = {2, 3, 5};
    refused(data, "data.signal.shape", "holds 30 elements but the data holds 24");
    data = f.raw_data();
    data.signal.shape = {};
    refused(data, "data.signal.shape", "at least one dimension");
    data = f.raw_data();
    data.signal.shape = {0, 3, 4};
    data.signal.size = 0;
    refused(data, "data.signal.shape", "at least 1");
    data = f.raw_data();
    data.axes[0].values.shape = {3};
    refused(data, "data.axes[0].values.shape", "length of the dimension it labels (2)");
    data = f.raw_data();
    data.signal_name = "my data";
    refused(data, "data.signal_name", "NeXus name");
    data = f.raw_data();
    data.axes[0].name = "data";
    refused(data, "data.axes[0].name", "must differ");
    data = f.raw_data();
    data.axes.push_back({"x", data.axes[0].values});
    data.axes.push_back({"y", data.axes[0].values});
    data.axes.push_back({"z", data.axes[0].values});
    refused(data, "data.axes", "at most one axis per dimension");
    std::vector<double> nan_axis = {0.0, std::numeric_limits<double>::quiet_NaN()};
    data = f.raw_data();
    data.axes[0].values = NexusArray::of<double>(nan_axis);
    refused(data, "data.axes[0].values[1]", "finite");
    data = f.raw_data();
    data.signal.data = nullptr;
    refused(data, "data.signal.data", "must point to the values");

    // NaN is allowed in the signal: masked pixels.
    std::vector<float> masked = {1.0f, std::numeric_limits<float>::quiet_NaN()};
    NexusData with_nan;
    with_nan.signal = NexusArray::of<float>(masked);
    write_raw_file(f.dir / "masked.nxs", f.cat, f.scan.pid, with_nan);
    CHECK(std::isnan(Reader(f.dir / "masked.nxs").numbers("/entry/data/data")[1]));
    fs::remove(f.dir / "masked.nxs");

    CHECK_THROWS_AS(write_raw_file(path, f.cat, "local/01J0000000000000000000000Z", f.raw_data()), NotFound);
    CHECK_THROWS_WITH_AS(write_processed_file(path, f.cat, f.scan.pid, f.raw_data()),
                         doctest::Contains("must be a processed dataset"), ValidationError);
    CHECK(fs::is_empty(f.dir.path()));
}

TEST_CASE("a folder that cannot be written is a NexusError naming the file, and nothing is left") {
    Facility f;
    // A regular file where the folder should be: refused even to root, unlike a read-only folder.
    test::write_file(f.dir / "not-a-folder", "x");
    const fs::path path = f.dir / "not-a-folder" / "scan.nxs";
    try {
        write_raw_file(path, f.cat, f.scan.pid, f.raw_data());
        FAIL("no error");
    } catch (const NexusError& e) {
        const std::string message = e.what();
        CHECK(message.find(path.string()) != std::string::npos);
        CHECK(message.find("cannot create the file") != std::string::npos);
        CHECK(message.find("Not a directory") != std::string::npos);  // HDF5's own account
        CHECK(message.find('\n') == std::string::npos);
    }
    CHECK(only_file_in(f.dir.path(), "not-a-folder"));
}

TEST_CASE("a write that fails half-way removes its temporary file and keeps the old file") {
    Facility f;
    const fs::path path = f.dir / "scan.nxs";
    write_raw_file(path, f.cat, f.scan.pid, f.raw_data());
    const std::string before = sha256_file(path);
    // A schema that puts a value where the layout needs a group (the first user): found only once
    // the file is half written.
    f.cat.add_schema(parse_schema("name: clash\nversion: \"1\"\nstrict: false\nfields:\n  who:\n    type: string\n"
                                  "    nexus_path: /entry/user_1\n",
                                  "clash.yaml"));
    Dataset d;
    d.name = "scan_002";
    d.investigation = "11019362";
    d.schema = "clash";
    d.metadata = {{"who", "someone"}};
    d = f.cat.register_dataset(d);
    CHECK_THROWS_WITH_AS(write_raw_file(path, f.cat, d.pid, f.raw_data()), doctest::Contains("/entry/user_1"), NexusError);
    CHECK(only_file_in(f.dir.path(), "scan.nxs"));
    CHECK(sha256_file(path) == before);
}

TEST_CASE("a raw_file that is not a NeXus file with /entry/data is refused") {
    Facility f;
    Activity a;
    a.name = "step";
    a.used = {{f.scan.pid, "", "input"}};
    a = f.cat.start_activity(a);
    Dataset out;
    out.name = "out";
    out.kind = DatasetKind::processed;
    out = f.cat.add_outputs(a.pid, {out})[0];
    std::vector<double> v = {1, 2};
    NexusData data;
    data.signal = NexusArray::of<double>(v);
    test::write_file(f.dir / "notes.txt", "not HDF5");
    CHECK_THROWS_WITH_AS(write_processed_file(f.dir / "out.nxs", f.cat, out.pid, data, f.dir / "notes.txt"),
                         doctest::Contains("must be a NeXus/HDF5 file"), ValidationError);
    CHECK_THROWS_WITH_AS(write_processed_file(f.dir / "out.nxs", f.cat, out.pid, data, f.dir / "missing.nxs"),
                         doctest::Contains("must be an existing NeXus file"), ValidationError);
    CHECK(!fs::exists(f.dir / "out.nxs"));
    // Without the raw file, the lineage is still there.
    write_processed_file(f.dir / "out.nxs", f.cat, out.pid, data);
    Reader r(f.dir / "out.nxs");
    CHECK(r.text("/entry/process_1/program") == "step");
    CHECK(!r.has("/entry/raw"));
}

TEST_CASE("threads write files at once from one catalogue, and each error stays with its thread") {
    Facility f;
    constexpr int threads = 4;
    std::vector<std::thread> workers;
    std::vector<std::string> errors(threads);
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            try {
                for (int i = 0; i < 5; ++i) {
                    write_raw_file(f.dir / ("t" + std::to_string(t) + "_" + std::to_string(i) + ".nxs"), f.cat, f.scan.pid,
                                   f.raw_data());
                    // A failing write in the middle: its HDF5 error must not leak into the next write.
                    try {
                        write_raw_file(f.dir / "missing-folder" / "x.nxs", f.cat, f.scan.pid, f.raw_data());
                    } catch (const NexusError&) {
                    }
                }
            } catch (const std::exception& e) {
                errors[static_cast<std::size_t>(t)] = e.what();
            }
        });
    }
    for (auto& w : workers) w.join();
    for (const auto& e : errors) CHECK(e == "");
    int files = 0;
    for (const auto& entry : fs::directory_iterator(f.dir.path())) {
        ++files;
        Reader r(entry.path());
        CHECK(r.numbers("/entry/data/data")[23] == 69.0);
    }
    CHECK(files == threads * 5);
}

TEST_SUITE_BEGIN("core");

TEST_CASE("NexusArray::of takes the element type from the span") {
    std::vector<std::int8_t> a(6);
    const auto x = NexusArray::of<std::int8_t>(a, {2, 3});
    CHECK(x.type == ElementType::int8);
    CHECK(x.shape == std::vector<std::uint64_t>{2, 3});
    CHECK(x.size == 6);
    std::vector<std::uint64_t> b(4);
    CHECK(NexusArray::of<std::uint64_t>(b).shape == std::vector<std::uint64_t>{4});
    CHECK(NexusArray::of<std::uint64_t>(b).type == ElementType::uint64);
    CHECK(element_size(ElementType::float32) == 4);
    CHECK(to_string(ElementType::uint16) == "uint16");
}

TEST_SUITE_END();
