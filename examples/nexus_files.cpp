// NeXus files from the catalogue: a raw scan's file, then a processing step whose result is
// written to a processed file that carries its lineage and links back to the raw file.
// Run: nexus_files [catalogue path] [output folder]
#include <datatrail/datatrail.hpp>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <vector>

int main(int argc, char** argv) {
    try {
        datatrail::Catalog catalog(argc > 1 ? argv[1] : ":memory:");
        const std::filesystem::path folder = argc > 2 ? argv[2] : "nexus-example";
        std::filesystem::create_directories(folder);

        catalog.add_instrument({.name = "ID11", .facility = "ESRF", .type = "beamline"});
        catalog.add_investigation({.name = "ma1234", .title = "Strain in steel", .instrument = "ID11",
                                   .participants = {{.name = "Ada Lovelace", .role = "PI"}}});
        catalog.add_sample({.name = "steel-7", .formula = "Fe"});
        datatrail::Dataset scan;
        scan.name = "scan_001";
        scan.investigation = "ma1234";
        scan.instrument = "ID11";
        scan.sample = "steel-7";
        scan.location = folder.string();
        scan.metadata["energy"] = {12.7, "keV"};
        scan.metadata["detector.distance"] = {250.0, "mm"};
        scan = catalog.register_dataset(scan);

        // [snippet:raw]
        // 3 frames of 4 x 5 pixels, C order; an axis per dimension that has one.
        std::vector<std::uint16_t> frames(3 * 4 * 5, 7);
        std::vector<double> angle = {0.0, 0.5, 1.0};
        datatrail::NexusData raw;
        raw.signal = datatrail::NexusArray::of<std::uint16_t>(frames, {3, 4, 5}, "counts", "intensity");
        raw.axes = {{"rotation_angle", datatrail::NexusArray::of<double>(angle, {}, "deg")}};
        datatrail::write_raw_file(folder / "scan_001.nxs", catalog, scan.pid, raw);
        // [snippet:raw]
        catalog.add_files(scan.pid, {{.path = "scan_001.nxs"}}, {.describe_files = true});

        // [snippet:processed]
        datatrail::Activity step;
        step.name = "azimuthal integration";
        step.program = "pyFAI";
        step.version = "2024.2";
        step.parameters = {{"npt", 5}, {"unit", "q_nm^-1"}};
        step.used = {{scan.pid, "", "input"}};
        std::vector<double> q = {1.0, 2.0, 3.0, 4.0, 5.0}, intensity = {9.0, 7.5, 4.0, 2.0, 1.0};
        std::string result;
        {
            datatrail::ActivityRun run(catalog, step);
            datatrail::Dataset profile;
            profile.name = "scan_001_integrated";
            result = run.output(profile).pid;
        }
        datatrail::NexusData reduced;
        reduced.signal_name = "I";
        reduced.signal = datatrail::NexusArray::of<double>(intensity, {}, "counts");
        reduced.axes = {{"q", datatrail::NexusArray::of<double>(q, {}, "1/nm")}};
        datatrail::write_processed_file(folder / "scan_001_integrated.nxs", catalog, result, reduced,
                                        folder / "scan_001.nxs");
        // [snippet:processed]

        // [snippet:errors]
        try {
            reduced.axes[0].values.shape = {4};  // the signal has 5 points
            datatrail::write_processed_file(folder / "bad.nxs", catalog, result, reduced);
        } catch (const datatrail::ValidationError& e) {  // nothing was written
            for (const auto& v : e.violations()) std::cout << v.field << " = " << v.value << ": " << v.rule << '\n';
        }
        // [snippet:errors]
        std::cout << "bad.nxs written: " << std::boolalpha << std::filesystem::exists(folder / "bad.nxs") << '\n';
        for (const auto& f : std::filesystem::directory_iterator(folder)) std::cout << f.path().filename().string() << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
