// A compiled workflow task: integrate a raw scan inside a workflow run, three times. The second
// call is a cache hit (the function does not run); the third has another parameter and runs.
//
//   example_task_cpp <catalogue> <data folder>
#include <datatrail/datatrail.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

namespace dt = datatrail;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: example_task_cpp <catalogue> <data folder>\n";
        return 2;
    }
    const std::filesystem::path data = argv[2];
    std::filesystem::create_directories(data);
    {
        std::ofstream(data / "scan_001.dat") << "3 1 4 1 5 9 2 6\n";
    }
    dt::Catalog cat(argv[1]);
    dt::Dataset scan;
    scan.name = "scan_001";
    scan.location = data.string();
    scan.files = {{.path = "scan_001.dat"}};
    scan = cat.register_dataset(scan, {.describe_files = true});

    dt::Activity workflow;
    workflow.name = "reduce scan_001";
    workflow.type = dt::ActivityType::workflow;
    dt::ActivityRun run(cat, workflow);
    const auto environment = cat.activity(run.pid()).environment;  // taken once, reused by the tasks

    // [snippet:task]
    const auto integrate = [&](int threshold) {
        dt::TaskSpec spec;
        spec.name = "integrate";
        spec.program = "summer";
        spec.version = "1.0";
        spec.parameters = {{"threshold", threshold}};
        spec.inputs = {{.name = "scan", .dataset = scan.pid}};
        spec.parent = run.pid();
        spec.environment = environment;
        return dt::run_task(cat, spec, [&](const dt::TaskCall& call) {
            const auto& raw = call.datasets.at(0);
            std::ifstream in(std::filesystem::path(raw.location) / raw.files.at(0).path);
            std::vector<int> values{std::istream_iterator<int>(in), std::istream_iterator<int>()};
            const int sum = std::accumulate(values.begin(), values.end(), 0,
                                            [&](int s, int v) { return v > threshold ? s + v : s; });
            const auto file = "scan_001_sum_" + std::to_string(threshold) + ".txt";
            std::ofstream(data / file) << sum << "\n";
            dt::Dataset out;
            out.name = "scan_001_sum";
            out.location = data.string();
            out.files = {{.path = file}};
            out.metadata = {{"sum", sum}};
            return std::vector<dt::Dataset>{out};
        });
    };
    const auto first = integrate(2);
    const auto second = integrate(2);  // the same call: its outputs are in the catalogue
    const auto third = integrate(4);   // another parameter: runs
    // [snippet:task]
    run.succeed();

    std::cout << "first call: " << (first.cache_hit ? "cache hit" : "ran") << ", sum "
              << first.outputs.at(0).metadata.at("sum").value.to_string() << "\n";
    std::cout << "second call: " << (second.cache_hit ? "cache hit" : "ran") << ", outputs of "
              << (second.cached_from == first.activity ? "the first call" : second.cached_from) << "\n";
    std::cout << "third call: " << (third.cache_hit ? "cache hit" : "ran") << ", sum "
              << third.outputs.at(0).metadata.at("sum").value.to_string() << "\n";
    const bool ok = !first.cache_hit && second.cache_hit && !third.cache_hit && second.outputs == first.outputs;
    return ok ? 0 : 1;
}
