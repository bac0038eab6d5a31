// Network file systems: telling them by statfs() f_type, refusing to write a catalogue there,
// reading one read-only, and writing one in rollback-journal mode when the caller accepts the risk.
#include "support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace datatrail;
using test::sql_exec;
using test::sql_value;

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

std::set<std::string> entries(const std::filesystem::path& folder) {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(folder)) names.insert(e.path().filename().string());
    return names;
}

std::string file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A catalogue with something of every kind, closed again.
void fill(const std::filesystem::path& path, const CatalogOptions& options = {}) {
    Catalog cat(path, options);
    cat.add_instrument({.name = "ID11", .facility = "ESRF"});
    cat.add_agent({.type = AgentType::person, .name = "Ada"});
    const auto raw = cat.register_dataset(test::dataset("scan_001", {{"energy", {12.7, "keV"}}}));
    Activity a;
    a.name = "integrate";
    a.used = {{raw.pid, "", "input"}};
    const auto run = cat.start_activity(a);
    cat.add_outputs(run.pid, {test::dataset("scan_001_integrated")});
    cat.finish_activity(run.pid, ActivityStatus::succeeded);
}

// Opens `path` read-only and counts its datasets as a user who may not write its folder: the
// error message, or "" when it could be read. As root, which may write anywhere, in a child
// process that has become nobody.
std::string read_as_other_user(const std::filesystem::path& path) {
    auto attempt = [&]() -> std::string {
        try {
            Catalog cat(path, {.read_only = true});
            cat.count_datasets();
            return "";
        } catch (const std::exception& e) {
            return e.what();
        }
    };
    if (geteuid() != 0) return attempt();
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        close(fds[0]);
        const std::string out = setgid(65534) == 0 && setuid(65534) == 0 ? attempt() : "could not become nobody";
        [[maybe_unused]] auto written = write(fds[1], out.data(), out.size());
        _exit(0);
    }
    close(fds[1]);
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    return out;
}

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

TEST_CASE("writing a catalogue on each network file system is refused with the reasons and the remedies") {
    test::TempDir dir;
    const auto path = dir / "cat.db";
    for (const auto& [magic, name] : network_magics) {
        INFO(name);
        try {
            check_catalog_file_system(path, magic, {});
            FAIL("expected StorageError");
        } catch (const StorageError& e) {
            const std::string what = e.what();
            CHECK(contains(what, path.string()));
            CHECK(contains(what, name));
            CHECK(contains(what, "WAL"));
            CHECK(contains(what, "shared memory"));
            CHECK(contains(what, "locks"));
            CHECK(contains(what, "local disk"));
            CHECK(contains(what, "PostgreSQL"));
            CHECK(contains(what, "read_only"));
            CHECK(contains(what, "sqlite_network_file_system"));
        }
        // Reading is allowed, and so is writing for a caller who accepts the risk.
        CHECK_NOTHROW(check_catalog_file_system(path, magic, {.read_only = true}));
        CHECK_NOTHROW(check_catalog_file_system(path, magic, {.sqlite_network_file_system = true}));
    }
    for (const auto magic : local_magics) CHECK_NOTHROW(check_catalog_file_system(path, magic, {}));
    CHECK_NOTHROW(check_catalog_file_system(":memory:", std::nullopt, {}));
    CHECK(entries(dir.path()).empty());
}

TEST_CASE("contradicting options are a ValidationError naming the option, and nothing is created") {
    test::TempDir dir;
    const auto path = dir / "cat.db";
    auto field_of = [](const std::function<void()>& open) {
        try {
            open();
        } catch (const ValidationError& e) {
            return e.violations().front().field;
        }
        return std::string("no ValidationError");
    };
    CHECK(field_of([&] { Catalog(path, {.read_only = true, .sqlite_network_file_system = true}); }) ==
          "sqlite_network_file_system");
    CHECK(field_of([&] { Catalog(":memory:", {.read_only = true}); }) == "read_only");
    CHECK(field_of([&] { Catalog(":memory:", {.sqlite_network_file_system = true}); }) == "sqlite_network_file_system");
    CHECK(field_of([&] {
              check_catalog_file_system(path, 0x6969, {.read_only = true, .sqlite_network_file_system = true});
          }) == "sqlite_network_file_system");
    CHECK(entries(dir.path()).empty());
}

TEST_CASE("read_only reads an existing catalogue and changes nothing in it") {
    test::TempDir dir;
    const auto path = dir / "cat.db";
    fill(path);
    const auto before = file_bytes(path);

    Catalog cat(path, {.read_only = true});
    CHECK(cat.pid_prefix() == "local");
    CHECK(cat.schema_version() == Catalog::latest_schema_version());
    CHECK(cat.count_datasets() == 2);
    CHECK(cat.find_datasets({.metadata = parse_conditions("energy > 12 keV")}).size() == 1);
    const auto integrated = cat.find_datasets({.name = "scan_001_integrated"}).at(0);
    CHECK(cat.raw_sources(integrated.pid).at(0).name == "scan_001");
    CHECK(cat.ancestors(integrated.pid).nodes.size() >= 3);
    CHECK(cat.instruments().size() == 1);
    CHECK(cat.agent("Ada").name == "Ada");
    CHECK(file_bytes(path) == before);
}

TEST_CASE("read_only refuses every kind of write with StorageError, and writes nothing") {
    test::TempDir dir;
    const auto path = dir / "cat.db";
    fill(path);
    std::string raw_pid, activity_pid;
    {
        Catalog cat(path);
        raw_pid = cat.find_datasets({.name = "scan_001"}).at(0).pid;
        activity_pid = cat.find_activities().at(0).pid;
    }
    const auto before = file_bytes(path);
    Catalog cat(path, {.read_only = true});
    Activity a;
    a.name = "another";
    const std::vector<std::pair<std::string, std::function<void()>>> writes = {
        {"add_instrument", [&] { cat.add_instrument({.name = "ID31"}); }},
        {"add_investigation", [&] { cat.add_investigation({.name = "ma9999"}); }},
        {"add_sample", [&] { cat.add_sample({.name = "rod"}); }},
        {"register_dataset", [&] { cat.register_dataset(test::dataset("scan_002")); }},
        {"register_datasets", [&] { cat.register_datasets({test::dataset("scan_003")}); }},
        {"add_files", [&] { cat.add_files(raw_pid, {{.path = "a.h5"}}); }},
        {"set_metadata", [&] { cat.set_metadata(raw_pid, {{"gain", 2}}); }},
        {"set_state", [&] { cat.set_state(raw_pid, DatasetState::failed); }},
        {"add_agent", [&] { cat.add_agent({.name = "Bob"}); }},
        {"start_activity", [&] { cat.start_activity(a); }},
        {"add_inputs", [&] { cat.add_inputs(activity_pid, {{raw_pid, "", "more"}}); }},
        {"add_outputs", [&] { cat.add_outputs(activity_pid, {test::dataset("out")}); }},
        {"append_log", [&] { cat.append_log(activity_pid, "text"); }},
        {"finish_activity", [&] { cat.finish_activity(activity_pid, ActivityStatus::failed); }},
        {"add_derivation", [&] { cat.add_derivation(raw_pid, raw_pid); }},
        {"add_informed_by", [&] { cat.add_informed_by(activity_pid, activity_pid); }},
        {"associate", [&] { cat.associate(activity_pid, "Ada"); }},
    };
    for (const auto& [name, write] : writes) {
        INFO(name);
        try {
            write();
            FAIL("expected StorageError");
        } catch (const StorageError& e) {
            CHECK(contains(e.what(), "read-only"));
            CHECK(contains(e.what(), path.string()));
        }
    }
    CHECK(cat.count_datasets() == 2);
    CHECK(file_bytes(path) == before);
}

TEST_CASE("read_only creates no missing catalogue: NotFound, and the folder stays empty") {
    test::TempDir dir;
    CHECK_THROWS_AS(Catalog(dir / "missing.db", {.read_only = true}), NotFound);
    CHECK_THROWS_AS(Catalog(dir / "no-folder" / "missing.db", {.read_only = true}), NotFound);
    CHECK(entries(dir.path()).empty());
}

TEST_CASE("read_only refuses an older catalogue, which it cannot migrate, a newer one, and an empty file") {
    test::TempDir dir;
    const auto path = dir / "cat.db";
    fill(path);
    sql_exec(path, "PRAGMA user_version = 1");
    try {
        Catalog cat(path, {.read_only = true});
        FAIL("expected StorageError");
    } catch (const StorageError& e) {
        CHECK(contains(e.what(), "schema version 1"));
        CHECK(contains(e.what(), "without read_only"));
        CHECK(contains(e.what(), "migrat"));
    }
    CHECK(sql_value(path, "PRAGMA user_version") == "1");
    sql_exec(path, "PRAGMA user_version = 99");
    try {
        Catalog cat(path, {.read_only = true});
        FAIL("expected StorageError");
    } catch (const StorageError& e) {
        CHECK(contains(e.what(), "newer datatrail"));
    }
    CHECK(sql_value(path, "PRAGMA user_version") == "99");

    const auto empty = dir / "empty.db";
    test::write_file(empty, "");
    try {
        Catalog cat(empty, {.read_only = true});
        FAIL("expected StorageError");
    } catch (const StorageError& e) {
        CHECK(contains(e.what(), "holds no datatrail catalogue"));
    }
    CHECK(std::filesystem::file_size(empty) == 0);
}

TEST_CASE("read_only keeps the catalogue's PID prefix rule") {
    test::TempDir dir;
    const auto path = dir / "cat.db";
    fill(path, {.pid_prefix = "esrf"});
    CHECK(Catalog(path, {.pid_prefix = "esrf", .read_only = true}).pid_prefix() == "esrf");
    CHECK_THROWS_AS(Catalog(path, {.pid_prefix = "hzdr", .read_only = true}), Conflict);
}

TEST_CASE("sqlite_network_file_system writes in rollback-journal mode, leaving no -wal file") {
    test::TempDir dir;
    const auto path = dir / "cat.db";
    {
        Catalog cat(path, {.sqlite_network_file_system = true});
        cat.register_dataset(test::dataset("scan_001"));
        CHECK(sql_value(path, "PRAGMA journal_mode") == "delete");
        CHECK(entries(dir.path()) == std::set<std::string>{"cat.db"});
        cat.register_datasets({test::dataset("scan_002"), test::dataset("scan_003")});
        CHECK(cat.count_datasets() == 3);
        CHECK(entries(dir.path()) == std::set<std::string>{"cat.db"});
    }
    CHECK(sql_value(path, "PRAGMA journal_mode") == "delete");
    CHECK(entries(dir.path()) == std::set<std::string>{"cat.db"});

    // Read-only reads of a rollback-journal catalogue need no files beside it.
    {
        Catalog cat(path, {.read_only = true});
        CHECK(cat.count_datasets() == 3);
    }
    CHECK(entries(dir.path()) == std::set<std::string>{"cat.db"});
}

TEST_CASE("a WAL catalogue opened with sqlite_network_file_system is switched to rollback-journal mode") {
    test::TempDir dir;
    const auto path = dir / "cat.db";
    fill(path);
    CHECK(sql_value(path, "PRAGMA journal_mode") == "wal");
    {
        Catalog cat(path, {.sqlite_network_file_system = true});
        CHECK(sql_value(path, "PRAGMA journal_mode") == "delete");
        CHECK(cat.count_datasets() == 2);
        cat.register_dataset(test::dataset("after the switch"));
        CHECK(entries(dir.path()) == std::set<std::string>{"cat.db"});
    }
    CHECK(sql_value(path, "PRAGMA journal_mode") == "delete");
}

TEST_CASE("the switch to rollback-journal mode waits for other connections and then says why it failed") {
    test::TempDir dir;
    const auto path = dir / "cat.db";
    fill(path);
    Catalog open_in_wal(path);
    CHECK(open_in_wal.count_datasets() == 2);
    try {
        Catalog cat(path, {.busy_timeout = std::chrono::milliseconds(50), .sqlite_network_file_system = true});
        FAIL("expected StorageError");
    } catch (const StorageError& e) {
        CHECK(contains(e.what(), "rollback-journal"));
        CHECK(contains(e.what(), "another connection"));
    }
    CHECK(sql_value(path, "PRAGMA journal_mode") == "wal");
    CHECK(open_in_wal.count_datasets() == 2);
}

TEST_CASE("read_only on a WAL catalogue in a folder it may not write says why; a rollback-journal one reads") {
    test::TempDir dir;
    const auto wal = dir / "wal.db";
    const auto rollback = dir / "rollback.db";
    fill(wal);
    fill(rollback, {.sqlite_network_file_system = true});
    using std::filesystem::perms;
    const auto read_and_enter = perms::owner_read | perms::owner_exec | perms::group_read | perms::group_exec |
                                perms::others_read | perms::others_exec;
    std::filesystem::permissions(dir.path(), read_and_enter);
    const std::string wal_error = read_as_other_user(wal);
    const std::string rollback_error = read_as_other_user(rollback);
    std::filesystem::permissions(dir.path(), read_and_enter | perms::owner_write);
    INFO(wal_error);
    CHECK(contains(wal_error, "WAL mode"));
    CHECK(contains(wal_error, "-shm"));
    CHECK(contains(wal_error, "sqlite_network_file_system"));
    CHECK(rollback_error == "");
    CHECK(entries(dir.path()) == std::set<std::string>{"wal.db", "rollback.db"});
}

TEST_CASE("in rollback-journal mode threads still share a Catalog: one writer at a time, reads alongside") {
    test::TempDir dir;
    Catalog cat(dir / "cat.db", {.sqlite_network_file_system = true});
    constexpr int writers = 3, per_writer = 20;
    std::atomic<bool> done{false};
    std::atomic<int> reads{0}, failures{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w)
        threads.emplace_back([&, w] {
            try {
                for (int i = 0; i < per_writer; ++i)
                    cat.register_dataset(test::dataset("w" + std::to_string(w) + "_" + std::to_string(i)));
            } catch (...) {
                ++failures;
            }
        });
    std::thread reader([&] {
        try {
            for (std::size_t last = 0; !done;) {
                const auto n = cat.count_datasets();
                if (n < last) ++failures;  // rows only ever get added
                last = n;
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
    CHECK(entries(dir.path()) == std::set<std::string>{"cat.db"});
}
