#include "store/sqlite/file_system.hpp"

#include <datatrail/error.hpp>
#include <datatrail/file_system.hpp>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <type_traits>

#include <sys/vfs.h>

namespace datatrail {
namespace detail {
namespace {

// f_type values, and where each was checked:
// - linux/magic.h (Linux UAPI headers, as installed in /usr/include): NFS, SMB, CIFS, SMB2,
//   CephFS, both AFS clients, 9p, OCFS2, Coda, FUSE.
// - linux/gfs2_ondisk.h: GFS2_MAGIC (also what GFS, its predecessor, reported).
// - Lustre: LL_SUPER_MAGIC in lustre/include/uapi/linux/lustre/lustre_user.h of lustre-release,
//   commented "for statfs()".
// - GPFS: IBM Storage Scale documentation, "Determining if a file system is controlled by GPFS":
//   f_type is 0x47504653, "GPFS" in ASCII, GPFS_SUPER_MAGIC in gpfs.h.
// - BeeGFS: BEEGFS_MAGIC in client_module/source/filesystem/FhgfsOpsSuper.h of the BeeGFS
//   client. BeeGFS has its own kernel module and so its own f_type; it does not go through FUSE.
// - PanFS: coreutils' stat (S_MAGIC_PANFS, listed there as remote).
// GlusterFS, sshfs, s3fs and other FUSE clients all report FUSE_SUPER_MAGIC (and so does a local
// disk under a FUSE driver, e.g. NTFS through ntfs-3g): f_type cannot tell them apart, and FUSE
// does not promise locks that hold between hosts, so all of FUSE counts as a network file system.
constexpr std::array<NetworkFileSystem, 16> table{{
    {0x6969, "NFS"},
    {0x517B, "SMB (smbfs)"},
    {0xFF534D42, "CIFS/SMB"},
    {0xFE534D42, "SMB2/SMB3"},
    {0x0BD00BD0, "Lustre"},
    {0x47504653, "GPFS (IBM Storage Scale)"},
    {0x00C36400, "CephFS"},
    {0x5346414F, "AFS (OpenAFS)"},
    {0x6B414653, "AFS (kAFS)"},
    {0x01021997, "9p (v9fs)"},
    {0x7461636F, "OCFS2"},
    {0x01161970, "GFS2"},
    {0x19830326, "BeeGFS"},
    {0x73757245, "Coda"},
    {0xAAD7AAEA, "PanFS (Panasas)"},
    {0x65735546, "FUSE (e.g. sshfs, GlusterFS): network locking not guaranteed"},
}};

}  // namespace

std::span<const NetworkFileSystem> network_file_systems() noexcept { return table; }

std::optional<std::string_view> network_file_system_name(std::uint64_t magic) noexcept {
    for (const auto& fs : table)
        if (fs.magic == magic) return fs.name;
    return std::nullopt;
}

std::filesystem::path catalog_folder(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        // SQLite opens the file a symbolic link points to and keeps its journal beside it, so
        // that folder's file system is the one that matters.
        if (auto real = std::filesystem::canonical(path, ec); !ec) return real.parent_path();
    }
    return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

std::uint64_t file_system_magic(const std::filesystem::path& path) {
    const auto folder = catalog_folder(path);
    struct statfs s {};
    if (statfs(folder.c_str(), &s) != 0) {
        const int error = errno;
        throw StorageError(fmt::format("cannot tell which file system holds the catalogue '{}': statfs('{}') failed: {}",
                                       path.string(), folder.string(), std::strerror(error)));
    }
    // f_type is a signed word: on a 32-bit system a magic such as CIFS's 0xFF534D42 is negative
    // and would sign-extend; the unsigned word of the same width keeps its bits.
    return static_cast<std::make_unsigned_t<decltype(s.f_type)>>(s.f_type);
}

}  // namespace detail

std::optional<std::string> network_file_system_name(std::uint64_t magic) {
    if (auto name = detail::network_file_system_name(magic)) return std::string(*name);
    return std::nullopt;
}

std::uint64_t file_system_magic(const std::filesystem::path& path) { return detail::file_system_magic(path); }

std::optional<std::string> network_file_system(const std::filesystem::path& path) {
    return network_file_system_name(file_system_magic(path));
}

}  // namespace datatrail
