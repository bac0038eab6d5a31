// Reading NeXus files back: what write_raw_file and write_processed_file put in, read with
// NexusFile (the Python tests read files that h5py wrote, compressed ones among them).
#include "support.hpp"

#include <datatrail/nexus_read.hpp>

#include <doctest/doctest.h>

#include <cstring>

using namespace datatrail;
namespace fs = std::filesystem;

namespace {

const char* mx_schema = R"(
name: mx_read
version: "1"
fields:
  wavelength: {type: float, unit: angstrom, nexus_path: /entry/instrument/beam/incident_wavelength}
  detector_name: {type: string, nexus_path: /entry/instrument/detector@name}
  collected: {type: datetime, nexus_path: /entry/instrument/detector/collected}
)";

struct Written {
    test::TempDir dir;
    Catalog cat{":memory:"};
    Dataset raw, processed;
    std::string activity;
    std::vector<std::uint16_t> frames = std::vector<std::uint16_t>(2 * 3 * 4);
    std::vector<double> angles = {0.5, 1.5};

    Written() {
        for (std::size_t i = 0; i < frames.size(); ++i) frames[i] = static_cast<std::uint16_t>(i * 3);
        cat.add_schema(parse_schema(mx_schema));
        cat.add_instrument({"", "P11", "PETRA III", "beamline"});
        Investigation inv;
        inv.name = "11019362";
        inv.instrument = "P11";
        inv.participants = {{"Ada Lovelace", "PI", "", "ada@example.org"}};
        cat.add_investigation(inv);
        cat.add_sample({"", "lyso-3", "a crystal", "C613H959N193O185S10", "", "", {}});
        Dataset d = test::dataset("scan_001", {{"energy", {12.7, "keV"}},
                                               {"detector.distance", {250.0, "mm"}},
                                               {"wavelength", {0.9763, "angstrom"}},
                                               {"detector_name", "EIGER2"},
                                               {"collected", parse_time("2024-05-01T10:00:00Z")}});
        d.schema = "mx_read";
        d.investigation = "11019362";
        d.instrument = "P11";
        d.sample = "lyso-3";
        d.start_time = parse_time("2024-05-01T09:00:00Z");
        raw = cat.register_dataset(d);
        NexusData data;
        data.signal = NexusArray::of<std::uint16_t>(frames, {2, 3, 4}, "counts");
        data.axes = {{"rotation_angle", NexusArray::of<double>(angles, {}, "deg")}};
        write_raw_file(dir / "scan_001.nxs", cat, raw.pid, data);

        Activity step;
        step.name = "integrate";
        step.program = "pyFAI";
        step.version = "2024.2";
        step.parameters = {{"npt", 4}, {"radius", {1.5, "mm"}}};
        step.used = {{raw.pid, "", "input"}};
        step.status = ActivityStatus::succeeded;
        activity = cat.start_activity(step).pid;
        Dataset out = test::dataset("scan_001_integrated");
        out.kind = DatasetKind::processed;
        processed = cat.add_outputs(activity, {out}).front();
        std::vector<double> profile = {4.0, 3.0, 2.0, 1.0};
        NexusData reduced;
        reduced.signal_name = "I";
        reduced.signal = NexusArray::of<double>(profile, {}, "counts");
        write_processed_file(dir / "scan_001_integrated.nxs", cat, processed.pid, reduced, dir / "scan_001.nxs");
    }
};

}  // namespace

TEST_SUITE_BEGIN("core");

TEST_CASE("a raw file reads back: identifiers, people, sample, instrument, metadata with units, data") {
    Written w;
    const NexusFile f(w.dir / "scan_001.nxs");
    CHECK(f.creator().rfind("datatrail ", 0) == 0);
    CHECK(f.entries() == std::vector<std::string>{"entry"});
    CHECK(f.default_entry() == "entry");
    const Schema schema = w.cat.schema("mx_read");
    const NexusEntry e = f.entry("", &schema);
    CHECK(e.identifier == w.raw.pid);
    CHECK(e.title == "scan_001");
    CHECK(e.experiment_identifier == "11019362");
    CHECK(e.start_time == w.raw.start_time);
    REQUIRE(e.users.size() == 1);
    CHECK(e.users[0].name == "Ada Lovelace");
    CHECK(e.users[0].email == "ada@example.org");
    CHECK(e.instrument == "P11");
    CHECK(e.facility == "PETRA III");
    CHECK(e.sample == "lyso-3");
    CHECK(e.sample_formula == "C613H959N193O185S10");
    // /entry/metadata, nested groups as dotted keys, and the schema's paths under the schema's keys and types.
    CHECK(e.metadata.at("energy") == MetadataValue(12.7, "keV"));
    CHECK(e.metadata.at("detector.distance") == MetadataValue(250.0, "mm"));
    CHECK(e.metadata.at("wavelength") == MetadataValue(0.9763, "angstrom"));
    CHECK(e.metadata.at("detector_name") == MetadataValue("EIGER2"));
    CHECK(e.metadata.at("collected") == MetadataValue(parse_time("2024-05-01T10:00:00Z")));
    CHECK(e.problems.empty());
    CHECK_FALSE(e.record.empty());
    // Without the schema, only /entry/metadata is metadata.
    CHECK_FALSE(f.entry().metadata.contains("wavelength"));

    REQUIRE(e.data);
    CHECK(e.data->path == "/entry/data");
    CHECK(e.data->signal.path == "/entry/data/data");
    CHECK(e.data->signal.type == ElementType::uint16);
    CHECK(e.data->signal.shape == std::vector<std::uint64_t>{2, 3, 4});
    CHECK(e.data->signal.bytes == 48);
    CHECK(e.data->signal.units == "counts");
    REQUIRE(e.data->axes.size() == 3);
    CHECK(e.data->axes[0].name == "rotation_angle");
    CHECK(e.data->axes[0].units == "deg");
    CHECK(e.data->axes[1].name.empty());

    const NexusBuffer frames = f.read_array(e.data->signal.path);
    REQUIRE(frames.bytes.size() == w.frames.size() * 2);
    CHECK(std::memcmp(frames.bytes.data(), w.frames.data(), frames.bytes.size()) == 0);
    const NexusBuffer angles = f.read_array("/entry/data/rotation_angle");
    CHECK(angles.type == ElementType::float64);
    CHECK(std::memcmp(angles.bytes.data(), w.angles.data(), 16) == 0);
}

TEST_CASE("a processed file reads back its NXprocess with parameters, the activity's JSON, inputs and the raw link") {
    Written w;
    const NexusFile f(w.dir / "scan_001_integrated.nxs");
    const NexusEntry e = f.entry();
    CHECK(e.identifier == w.processed.pid);
    REQUIRE(e.processes.size() == 1);
    const NexusProcess& p = e.processes[0];
    CHECK(p.group == "process_1");
    CHECK(p.program == "pyFAI");
    CHECK(p.version == "2024.2");
    CHECK(p.sequence_index == 1);
    CHECK(p.date);
    CHECK(p.parameters.at("npt") == MetadataValue(std::int64_t{4}));
    CHECK(p.parameters.at("radius") == MetadataValue(1.5, "mm"));
    CHECK(p.note_type == "application/json");
    CHECK(p.note.find(w.activity) != std::string::npos);
    CHECK(p.activity == w.activity);
    CHECK(p.generated == std::vector<std::string>{w.processed.pid});
    REQUIRE(p.inputs.size() == 1);
    CHECK(p.inputs[0].dataset == w.raw.pid);
    CHECK(p.inputs[0].role == "input");
    REQUIRE(e.raw);
    CHECK(e.raw->file_name == "scan_001.nxs");
    CHECK(e.raw->entry_identifier == w.raw.pid);
    // The raw data through the external link.
    CHECK(f.array_info("/entry/raw/data/data").shape == std::vector<std::uint64_t>{2, 3, 4});
    REQUIRE(e.data);
    CHECK(e.data->signal.name == "I");
}

TEST_CASE("reading refuses what is not there, with the path named") {
    test::TempDir dir;
    CHECK_THROWS_AS(NexusFile(dir / "missing.nxs"), NotFound);
    test::write_file(dir / "text.nxs", "not HDF5 at all");
    try {
        NexusFile f(dir / "text.nxs");
        FAIL("a text file opened as HDF5");
    } catch (const NexusError& e) {
        CHECK(std::string(e.what()).find("text.nxs") != std::string::npos);
        CHECK(std::string(e.what()).find("not an HDF5 file") != std::string::npos);
    }
    Written w;
    const NexusFile f(w.dir / "scan_001.nxs");
    CHECK_THROWS_AS(f.entry("nope"), NotFound);
    CHECK_THROWS_AS(f.read_array("/entry/title"), NotFound);
    CHECK_THROWS_AS(f.read_array("/entry/nothing/here"), NotFound);
    // A truncated copy: HDF5 cannot open it, and says so through NexusError.
    const auto size = fs::file_size(w.dir / "scan_001.nxs");
    fs::copy_file(w.dir / "scan_001.nxs", w.dir / "cut.nxs");
    fs::resize_file(w.dir / "cut.nxs", size / 2);
    CHECK_THROWS_AS(NexusFile(w.dir / "cut.nxs"), NexusError);
}

TEST_SUITE_END();
