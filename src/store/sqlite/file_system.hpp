#pragma once
// Private: telling network and cluster file systems from local ones by the f_type that
// statfs() reports. The public face is datatrail/file_system.hpp.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

namespace datatrail::detail {

struct NetworkFileSystem {
    std::uint64_t magic;
    std::string_view name;
};

// Every network or cluster file system known by its f_type; sources in file_system.cpp.
std::span<const NetworkFileSystem> network_file_systems() noexcept;

std::optional<std::string_view> network_file_system_name(std::uint64_t magic) noexcept;

// The folder that holds, or will hold, the catalogue file `path` ("." for a bare file name).
std::filesystem::path catalog_folder(const std::filesystem::path& path);

// statfs() of catalog_folder(path); StorageError naming both paths and the reason if it fails.
std::uint64_t file_system_magic(const std::filesystem::path& path);

}  // namespace datatrail::detail
