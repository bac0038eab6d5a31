// A Catalog shared by threads, and one catalogue file written by two processes.
#include "support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace datatrail;

TEST_CASE("threads share a Catalog: writes are serialised, reads run alongside") {
    test::TempDir dir;
    Catalog cat(dir / "catalog.db");
    constexpr int writers = 4, per_writer = 50;
    std::atomic<bool> done{false};
    std::atomic<int> reads{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w)
        threads.emplace_back([&, w] {
            try {
                for (int i = 0; i < per_writer; ++i)
                    cat.register_dataset(test::dataset("w" + std::to_string(w) + "_" + std::to_string(i), {{"writer", w}, {"energy", {10.0 + i, "keV"}}}));
            } catch (...) {
                ++failures;
            }
        });
    std::thread reader([&] {
        try {
            while (!done) {
                DatasetQuery q;
                q.where("energy >= 10 keV");
                const auto n = cat.count_datasets(q);
                const auto all = cat.find_datasets(q);
                // One snapshot per call: what find returns is consistent in itself.
                for (const auto& d : all)
                    if (d.metadata.size() != 2) ++failures;
                if (all.size() < n) ++failures;  // rows only ever get added
                ++reads;
            }
        } catch (...) {
            ++failures;
        }
    });
    for (auto& t : threads) t.join();
    done = true;
    reader.join();
    CHECK(failures == 0);
    CHECK(reads > 0);
    CHECK(cat.count_datasets() == writers * per_writer);
}

TEST_CASE("two processes write the same catalogue file") {
    test::TempDir dir;
    const auto path = dir / "shared.db";
    { Catalog cat(path); }  // created once, so both processes migrate nothing
    constexpr int per_process = 100;
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        int code = 0;
        try {
            Catalog cat(path);
            for (int i = 0; i < per_process; ++i)
                cat.register_dataset(test::dataset("child_" + std::to_string(i), {{"energy", {12.0, "keV"}}}));
        } catch (...) {
            code = 1;
        }
        _exit(code);
    }
    Catalog cat(path);
    for (int i = 0; i < per_process; ++i)
        cat.register_dataset(test::dataset("parent_" + std::to_string(i), {{"energy", {12000.0, "eV"}}}));
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(cat.count_datasets() == 2 * per_process);
    DatasetQuery q;
    q.where("energy = 12 keV");
    CHECK(cat.count_datasets(q) == 2 * per_process);
}
