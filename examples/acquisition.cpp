// Acquisition software registering raw datasets as a detector writes them: each scan is
// registered as acquiring, gains its files and final metadata as they are written, and is
// marked complete. Build it against an installed datatrail with
//   find_package(datatrail REQUIRED)  +  target_link_libraries(app PRIVATE datatrail::datatrail)
// Run: acquisition [catalogue path] [data folder]
#include <datatrail/datatrail.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace fs = std::filesystem;

// [snippet:setup]
datatrail::Catalog open_beamline_catalog(const fs::path& path) {
    datatrail::Catalog catalog(path, {.pid_prefix = "esrf"});
    if (catalog.instruments().empty()) {
        catalog.add_instrument({.name = "ID11", .facility = "ESRF", .type = "beamline"});
        datatrail::Investigation beamtime;
        beamtime.name = "ma1234";
        beamtime.title = "Grain maps of additively manufactured steel";
        beamtime.instrument = "ID11";
        beamtime.participants = {{"Ada Lovelace", "PI", "0000-0002-1825-0097", "ada@example.org"}};
        catalog.add_investigation(beamtime);
    }
    return catalog;
}
// [snippet:setup]

// Stands in for the detector: writes one frame file.
void write_frame(const fs::path& file, int frame) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << "frame " << frame << '\n';
}

int main(int argc, char** argv) {
    const fs::path catalog_path = argc > 1 ? argv[1] : "acquisition.db";
    const fs::path data = argc > 2 ? argv[2] : fs::temp_directory_path() / "datatrail-acquisition";
    try {
        auto catalog = open_beamline_catalog(catalog_path);

        for (int scan = 1; scan <= 3; ++scan) {
            // [snippet:acquire]
            datatrail::Dataset d;
            d.name = "scan_" + std::to_string(scan);
            d.investigation = "ma1234";
            d.instrument = "ID11";
            d.techniques = {"3DXRD"};
            d.location = data.string();
            d.state = datatrail::DatasetState::acquiring;
            d.start_time = datatrail::now();
            d.metadata["energy"] = {43.35, "keV"};
            d.metadata["detector.name"] = "frelon";
            d.metadata["detector.distance"] = {d.name == "scan_2" ? 245.0 : 250.0, "mm"};
            d.metadata["detector.pixel_size"] = {47.0, "um/pixel"};
            d.metadata["exposure_time"] = {0.1, "s"};
            const auto pid = catalog.register_dataset(d).pid;

            for (int frame = 1; frame <= 2; ++frame) {
                const std::string file = d.name + "/frame_" + std::to_string(frame) + ".edf";
                write_frame(data / file, frame);
                catalog.add_files(pid, {{.path = file}}, {.describe_files = true});  // size, SHA-256, time
            }
            catalog.set_metadata(pid, {{"frames", 2}});
            catalog.set_state(pid, datatrail::DatasetState::complete, datatrail::now());
            // [snippet:acquire]
            std::cout << "registered " << d.name << " as " << pid << '\n';
        }

        // [snippet:query]
        datatrail::DatasetQuery query;
        query.investigation = "ma1234";
        query.where("detector.distance between 24 and 24.8 cm and energy > 40000 eV");
        for (const auto& d : catalog.find_datasets(query))
            std::cout << d.name << ": " << d.files.size() << " files, detector at "
                      << d.metadata.at("detector.distance").value.to_string() << ' '
                      << d.metadata.at("detector.distance").unit << '\n';
        // [snippet:query]
        std::cout << catalog.count_datasets(query) << " of " << catalog.count_datasets() << " scans match\n";

        // [snippet:query-language]
        using datatrail::query::key;
        datatrail::DatasetQuery far;
        far.matching(key("energy") > datatrail::Quantity{40, "keV"} &&
                     !(key("detector.distance") < datatrail::Quantity{24.5, "cm"}));
        far.matching("state == complete or exists frames");  // text and trees narrow it alike
        far.order_by = "detector.distance";
        far.descending = true;
        std::cout << "query: " << far.filter.to_string() << '\n';
        for (const auto& d : catalog.find_datasets(far)) std::cout << "  " << d.name << '\n';
        // [snippet:query-language]
    } catch (const datatrail::Error& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
