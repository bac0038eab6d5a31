// A Catalog shared by threads, and one catalogue written by many processes at once, each with
// threads of its own: on SQLite writes queue for the file's lock, on PostgreSQL they run
// concurrently and a transaction that loses a race is run again inside the library.
#include "support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace datatrail;

TEST_CASE("threads share a Catalog: writes are serialised, reads run alongside") {
    test::CatalogLocation where;
    Catalog cat(where);
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

TEST_CASE("8 processes of 4 threads each register, link and walk one catalogue at once, and nothing is lost") {
    test::CatalogLocation where;
    std::string root;
    {
        Catalog cat(where);  // created once, so the processes migrate nothing
        root = cat.register_dataset(test::dataset("root")).pid;
    }
    constexpr int processes = 8, threads = 4, batches = 3, per_batch = 4;
    std::vector<pid_t> children;
    for (int p = 0; p < processes; ++p) {
        const pid_t child = fork();
        REQUIRE(child >= 0);
        if (child > 0) {
            children.push_back(child);
            continue;
        }
        std::atomic<int> failures{0};
        try {
            Catalog cat(where);
            std::vector<std::thread> workers;
            for (int t = 0; t < threads; ++t)
                workers.emplace_back([&, t] {
                    try {
                        for (int b = 0; b < batches; ++b) {
                            std::vector<Dataset> batch;
                            for (int i = 0; i < per_batch; ++i) {
                                const auto name = "p" + std::to_string(p) + "_t" + std::to_string(t) + "_" + std::to_string(b * per_batch + i);
                                // Keys new to the catalogue in several writers at once, and shared ones.
                                batch.push_back(test::dataset(name, {{"energy", {12.0, "keV"}},
                                                                     {"key_" + std::to_string(b), i},
                                                                     {"process", p}}));
                            }
                            const auto stored = cat.register_datasets(batch);
                            for (const auto& d : stored) cat.add_derivation(d.pid, root, "calibration");
                            if (cat.descendant_pids(root, 1).size() < stored.size()) ++failures;
                        }
                    } catch (const std::exception& e) {
                        std::fprintf(stderr, "writer failed: %s\n", e.what());
                        ++failures;
                    }
                });
            for (auto& w : workers) w.join();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "process failed: %s\n", e.what());
            ++failures;
        }
        _exit(failures == 0 ? 0 : 1);
    }
    for (const auto child : children) {
        int status = 0;
        REQUIRE(waitpid(child, &status, 0) == child);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    Catalog cat(where);
    constexpr std::size_t total = processes * threads * batches * per_batch;
    CHECK(cat.count_datasets() == total + 1);
    const auto found = cat.descendant_pids(root);
    CHECK(found.size() == total);
    std::set<std::string> names;
    for (const auto& d : cat.find_datasets()) names.insert(d.name);
    CHECK(names.size() == total + 1);  // every dataset once
    CHECK(cat.count_datasets({.metadata = parse_conditions("energy = 12 keV")}) == total);
    CHECK(cat.count_datasets({.metadata = parse_conditions("key_2 >= 0")}) == processes * threads * per_batch);
}
