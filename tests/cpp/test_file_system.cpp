// Network file systems, told by statfs() f_type.
#include "support.hpp"

#include <doctest/doctest.h>

#include <sys/vfs.h>

using namespace datatrail;

namespace {

// Written out here rather than taken from the library, so a changed number in its table fails.
const std::vector<std::pair<std::uint64_t, std::string>> network_magics = {
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
};

// ext4 (also ext2 and ext3), xfs, btrfs, tmpfs, overlayfs.
const std::vector<std::uint64_t> local_magics = {0xEF53, 0x58465342, 0x9123683E, 0x01021994, 0x794C7630};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("every network file system's f_type maps to its name") {
    for (const auto& [magic, name] : network_magics) {
        INFO(std::hex, magic);
        CHECK(network_file_system_name(magic) == name);
    }
}

TEST_CASE("local file systems and unknown numbers map to nothing") {
    for (const auto magic : local_magics) {
        INFO(std::hex, magic);
        CHECK_FALSE(network_file_system_name(magic));
    }
    CHECK_FALSE(network_file_system_name(0));
    CHECK_FALSE(network_file_system_name(0xFFFFFFFFFFFFFFFFull));
}

TEST_CASE("statfs of a local temporary folder finds no network file system") {
    test::TempDir dir;
    struct statfs s {};
    REQUIRE(statfs(dir.path().c_str(), &s) == 0);
    // Of a file that does not exist yet: its folder's file system.
    CHECK(file_system_magic(dir / "new.db") == static_cast<std::uint64_t>(s.f_type));
    CHECK_FALSE(network_file_system(dir / "new.db"));
    CHECK_FALSE(network_file_system(dir.path()));
    { Catalog cat(dir / "cat.db"); }
    CHECK_FALSE(network_file_system(dir / "cat.db"));
}

TEST_CASE("a catalogue reached through a symbolic link is judged by the folder of the real file") {
    test::TempDir dir;
    struct statfs shm {}, here {};
    if (statfs("/dev/shm", &shm) != 0 || statfs(dir.path().c_str(), &here) != 0 || shm.f_type == here.f_type) {
        MESSAGE("skipped: no /dev/shm on another file system than the temporary folder");
        return;
    }
    test::TempDir elsewhere_parent;  // only for a unique name under /dev/shm
    const auto target = std::filesystem::path("/dev/shm") / elsewhere_parent.path().filename() / "real.db";
    std::filesystem::create_directories(target.parent_path());
    test::write_file(target, "");
    std::filesystem::create_symlink(target, dir / "link.db");
    CHECK(file_system_magic(dir / "link.db") == static_cast<std::uint64_t>(shm.f_type));
    std::filesystem::remove_all(target.parent_path());
}

TEST_CASE("statfs of a folder that does not exist is a StorageError naming it") {
    test::TempDir dir;
    try {
        file_system_magic(dir / "missing" / "cat.db");
        FAIL("expected StorageError");
    } catch (const StorageError& e) {
        CHECK(contains(e.what(), "missing"));
    }
}
