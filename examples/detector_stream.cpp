// A simulated detector streaming 1000 frames into a NeXus file from an acquisition thread, while
// the catalogue shows the raw dataset as acquiring; it is complete, with its file and checksum,
// once the stack is closed.
// Run: detector_stream [catalogue path] [output folder]
#include <datatrail/datatrail.hpp>

#include <cmath>
#include <exception>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

namespace {

// Photon counts per pixel: Poisson, with a brighter ring where a diffraction ring would be.
class Detector {
public:
    static constexpr std::size_t rows = 256, columns = 256;

    const std::vector<std::uint16_t>& read_out() {
        for (std::size_t r = 0; r < rows; ++r) {
            for (std::size_t c = 0; c < columns; ++c) {
                const double dr = static_cast<double>(r) - rows / 2.0, dc = static_cast<double>(c) - columns / 2.0;
                const double radius = std::sqrt(dr * dr + dc * dc);
                auto& counts = radius > 60 && radius < 66 ? ring_ : background_;
                frame_[r * columns + c] = static_cast<std::uint16_t>(counts(rng_));
            }
        }
        return frame_;
    }

private:
    std::mt19937 rng_{42};
    std::poisson_distribution<int> background_{0.5}, ring_{20.0};
    std::vector<std::uint16_t> frame_ = std::vector<std::uint16_t>(rows * columns);
};

}  // namespace

int main(int argc, char** argv) {
    try {
        datatrail::Catalog catalog(argc > 1 ? argv[1] : ":memory:");
        const std::filesystem::path folder = argc > 2 ? argv[2] : "detector-stream-example";
        std::filesystem::create_directories(folder);

        catalog.add_instrument({.name = "P11", .facility = "PETRA III", .type = "beamline"});
        datatrail::Dataset scan;
        scan.name = "scan_0001";
        scan.instrument = "P11";
        scan.location = folder.string();  // the stack's file is registered relative to it
        scan.state = datatrail::DatasetState::acquiring;
        scan.start_time = datatrail::now();
        scan.metadata["detector.frame_time"] = {0.01, "s"};
        scan = catalog.register_dataset(scan);

        // [snippet:stream]
        datatrail::FrameStackOptions options;
        options.type = datatrail::ElementType::uint16;
        options.frame_shape = {Detector::rows, Detector::columns};
        options.compression = datatrail::Compression::blosc;  // bitshuffle + LZ4 on worker threads
        // update_catalog: the dataset stays acquiring while the stack is open, becomes complete
        // with its file registered on close(), failed if the stack is abandoned.
        datatrail::FrameStack stack(folder / "scan_0001.nxs", catalog, scan.pid, options, /*update_catalog=*/true);

        std::exception_ptr failure;
        std::thread acquisition([&] {
            try {
                Detector detector;
                for (int i = 0; i < 1000; ++i) stack.append(std::span<const std::uint16_t>(detector.read_out()));
            } catch (...) {
                failure = std::current_exception();
            }
        });
        std::cout << scan.name << " is " << to_string(catalog.dataset(scan.pid).state) << '\n';
        acquisition.join();
        // Rethrown here, the error leaves `stack` unclosed: its destructor removes the partial
        // file and marks the dataset failed.
        if (failure) std::rethrow_exception(failure);
        stack.close();
        // [snippet:stream]

        const datatrail::Dataset done = catalog.dataset(scan.pid);
        const datatrail::Datafile& file = done.files.at(0);
        std::cout << done.name << ": " << to_string(done.state) << ", " << stack.frames() << " frames in " << file.path
                  << " (" << *file.size << " bytes, sha256 " << file.sha256.substr(0, 12) << "...)\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
