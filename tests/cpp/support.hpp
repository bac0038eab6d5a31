#pragma once
// Shared by the C++ tests: a temporary folder that removes itself, and small builders.
#include <datatrail/datatrail.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace test {

class TempDir {
public:
    TempDir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() / ("datatrail-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& p, const std::string& content) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
}

inline datatrail::Dataset dataset(std::string name, datatrail::Metadata metadata = {}) {
    datatrail::Dataset d;
    d.name = std::move(name);
    d.metadata = std::move(metadata);
    return d;
}

}  // namespace test
