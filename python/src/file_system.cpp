// Network file systems: which one holds a path, and whether a catalogue may be written there.
#include "convert.hpp"

#include <datatrail/catalog.hpp>
#include <datatrail/file_system.hpp>

#include <cstdint>
#include <optional>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

constexpr const char* magic_rule = "must be an int from 0 to 2**64 - 1: a statfs() f_type";

// Any integer (numpy's too, through __index__) but a bool, which is an int to Python and never
// what a caller means here.
std::optional<std::uint64_t> to_magic(py::handle obj, Violations& v) {
    if (!PyBool_Check(obj.ptr()) && PyIndex_Check(obj.ptr())) {
        py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(obj.ptr()));
        if (index) {
            const unsigned long long x = PyLong_AsUnsignedLongLong(index.ptr());
            if (!(x == static_cast<unsigned long long>(-1) && PyErr_Occurred())) return x;
        }
        PyErr_Clear();
    }
    v.add("magic", repr_of(obj), magic_rule);
    return std::nullopt;
}

}  // namespace

void init_file_system(py::module_& m) {
    m.def(
        "network_file_system_name",
        [](const IntArg& magic) {
            Violations v;
            const auto number = to_magic(magic, v);
            v.throw_if_any();
            return network_file_system_name(*number);
        },
        py::arg("magic"), R"doc(
The name of the network or cluster file system whose ``statfs()`` ``f_type`` is ``magic``.

>>> datatrail.network_file_system_name(0x6969)
'NFS'

:param magic: the file system's ``f_type``, as :func:`file_system_magic` returns it
:returns: e.g. ``"NFS"``, ``"Lustre"``, ``"GPFS (IBM Storage Scale)"``; None for a local file
    system (ext4, xfs, btrfs, tmpfs, overlayfs ...) and for a number datatrail does not know
:raises ValidationError: when ``magic`` is not an int from 0 to 2**64 - 1
)doc");

    m.def(
        "file_system_magic",
        [](const PathArg& path) {
            Violations v;
            const std::string p = to_path(path, "path", v);
            v.throw_if_any();
            py::gil_scoped_release release;  // statfs() on a network file system may wait for its server
            return file_system_magic(p);
        },
        py::arg("path"), R"doc(
The ``statfs()`` ``f_type`` of the file system that holds, or will hold, the catalogue file
``path``: that of the folder it is in, after following symbolic links (SQLite keeps its journal,
``-wal`` and ``-shm`` files beside the real file).

:param path: a catalogue file, which need not exist yet
:raises StorageError: when its folder cannot be examined (e.g. it does not exist)
)doc");

    m.def(
        "network_file_system",
        [](const PathArg& path) {
            Violations v;
            const std::string p = to_path(path, "path", v);
            v.throw_if_any();
            py::gil_scoped_release release;
            return network_file_system(p);
        },
        py::arg("path"), R"doc(
The network or cluster file system that holds, or will hold, the catalogue file ``path``: a data
manager's check before pointing jobs at a folder. A catalogue there is not opened for writing
unless :class:`Catalog` is given ``sqlite_network_file_system=True``.

>>> datatrail.network_file_system("/gpfs/beamline/catalog.db")  # on a GPFS mount
'GPFS (IBM Storage Scale)'

:param path: a catalogue file, which need not exist yet
:returns: the file system's name, as :func:`network_file_system_name` gives it; None when the
    folder is on a local file system
:raises StorageError: when its folder cannot be examined (e.g. it does not exist)
)doc");

    m.def(
        "check_catalog_file_system",
        [](const PathArg& path, const OptIntArg& magic, bool read_only, bool sqlite_network_file_system) {
            Violations v;
            const std::string p = to_path(path, "path", v);
            std::optional<std::uint64_t> number;
            if (!magic.is_none()) number = to_magic(magic, v);
            v.throw_if_any();
            CatalogOptions options;
            options.read_only = read_only;
            options.sqlite_network_file_system = sqlite_network_file_system;
            check_catalog_file_system(p, number, options);
        },
        py::arg("path"), py::arg("magic"), py::kw_only(), py::arg("read_only") = false,
        py::arg("sqlite_network_file_system") = false, R"doc(
The check :class:`Catalog` makes before it opens the catalogue file ``path`` with these options,
for a file system given by its ``f_type``: it reads and writes nothing, so a rule can be tried
for any file system from anywhere.

>>> datatrail.check_catalog_file_system("catalog.db", datatrail.file_system_magic("catalog.db"))

:param path: the catalogue file (``":memory:"`` for an in-memory catalogue)
:param magic: the ``f_type`` of its folder (see :func:`file_system_magic`); None for none
:param read_only: as for :class:`Catalog`
:param sqlite_network_file_system: as for :class:`Catalog`
:raises StorageError: when the file is on a network file system and would be opened for writing
    without ``sqlite_network_file_system``; the message names the file, the file system, why,
    and the remedies
:raises ValidationError: when the options contradict each other or the path, or ``magic`` is not
    an int from 0 to 2**64 - 1
)doc");
}
