// Catalog: the SQLite catalogue. Every argument is converted to C++ while the GIL is held, then
// the GIL is released for the catalogue call itself.
#include "convert.hpp"
#include "records.hpp"

#include <datatrail/catalog.hpp>

#include <chrono>
#include <cmath>
#include <memory>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

std::string dataset_pid(py::handle obj, const char* field, Violations& v) {
    if (obj.is_none()) {
        v.add(field, "None", "must be a dataset PID (str) or a Dataset");
        return {};
    }
    return to_ref(obj, RefKind::dataset, field, v);
}

// "created" (registration order), or any dataset field or metadata key.
void set_order(DatasetQuery& q, py::handle obj, Violations& v) {
    const std::string s = to_str(obj, "order", v);
    if (s == "created") q.order = DatasetOrder::created;
    else q.order_by = s;
}

// A location for display: a URI's password (user:password@ or password=...) replaced by ***.
std::string without_password(std::string location) {
    if (const auto scheme = location.find("://"); scheme != std::string::npos) {
        const auto at = location.find('@', scheme + 3);
        const auto colon = location.find(':', scheme + 3);
        if (at != std::string::npos && colon != std::string::npos && colon < at &&
            location.find('/', scheme + 3) > at)
            location.replace(colon + 1, at - colon - 1, "***");
    }
    for (auto key = location.find("password="); key != std::string::npos; key = location.find("password=", key + 1)) {
        const auto begin = key + 9;
        const auto end = location.find('&', begin);
        location.replace(begin, (end == std::string::npos ? location.size() : end) - begin, "***");
    }
    return location;
}

constexpr const char* times_doc = R"doc(
Times are accepted as an aware :class:`datetime.datetime` (converted exactly), a naive one (taken
as local time), a :class:`datetime.date` (midnight UTC) or an ISO 8601 str; they come back as
aware datetimes in UTC.)doc";

}  // namespace

void init_catalog(py::module_& m) {
    py::class_<CatalogHandle> cls(m, "Catalog", R"doc(
A datatrail catalogue: one SQLite file (a beamline, a laptop) or a PostgreSQL database (a
facility) holding investigations, instruments, samples, datasets, their files and metadata, and
provenance. Both engines have the same API, rules and answers.

>>> with datatrail.Catalog("beamtime.db") as cat:
...     ds = cat.register_dataset("scan_001", metadata={"energy": (12.7, "keV")})

A catalogue may be shared by threads: writes are serialised inside, reads run concurrently, and
the GIL is released during every call. Several processes may write the same file. Every write is
atomic: when it fails (with a :class:`ValidationError`, :class:`NotFound`, :class:`Conflict` ...)
nothing has been written.

:param path: an SQLite file, created if missing and migrated if older (also as
    ``"sqlite:///abs/path.db"``); ``":memory:"`` gives a private in-memory catalogue; a libpq URI
    (``"postgresql://user@host:5432/facility"``, ``"postgresql:///facility?host=/run/postgresql"``)
    opens a PostgreSQL database, whose tables are created on first use
:param pid_prefix: the PID prefix of a new catalogue (default ``"local"``); an existing catalogue
    keeps its own, and naming a different one is a :class:`Conflict`
:param busy_timeout: seconds a write waits for another writer before :class:`StorageError`
    (SQLite's busy timeout; PostgreSQL's lock timeout)
:param lineage_index: whether lineage walks use an in-memory copy of the derivation links
    and the datasets' PIDs, loaded on the first walk (about 140 MB for a million datasets and
    three million links) and kept current with every write from any process; ``False`` walks
    the file instead, holding no memory, several times slower for deep walks in large catalogues
:param read_only: open an existing catalogue for reading only: nothing is created, migrated or
    written, and every write raises :class:`StorageError`; allowed on a network file system. A
    catalogue in WAL mode (the default) still needs its ``-wal`` and ``-shm`` files beside it,
    which SQLite creates if they are missing.
:param sqlite_network_file_system: SQLite only: write a catalogue on a network or cluster file
    system (NFS, SMB, Lustre, GPFS, CephFS ... see :func:`network_file_system`) anyway, accepting
    the risk: the file is used in rollback-journal mode, relying on the file system's locks, one
    writer at a time; every process that opens the file should pass it
:param postgres_pool_size: PostgreSQL only (an SQLite catalogue refuses it): at most this many
    connections open at once, shared by the catalogue's threads (default 4)
:raises StorageError: when the catalogue cannot be opened (a missing folder, a server that does
    not answer), was written by a newer datatrail, or is an SQLite file on a network file system
    that would be written without ``sqlite_network_file_system``; nothing is created then
:raises NotFound: when ``read_only`` names a file that does not exist
:raises ValidationError: when options contradict each other (``read_only`` with
    ``sqlite_network_file_system``, either with ``":memory:"``) or belong to the other engine
)doc");

    cls.def(py::init([](const PathArg& path, const OptStrArg& pid_prefix, double busy_timeout, bool lineage_index,
                        bool read_only, bool sqlite_network_file_system, const OptIntArg& postgres_pool_size) {
                Violations v;
                const std::string p = to_path(path, "path", v);
                CatalogOptions options;
                options.pid_prefix = to_opt_str(pid_prefix, "pid_prefix", v);
                if (!std::isfinite(busy_timeout) || busy_timeout < 0 || busy_timeout > 1e9)
                    v.add("busy_timeout", repr_of(py::float_(busy_timeout)),
                          "must be a finite, non-negative number of seconds");
                else
                    options.busy_timeout = std::chrono::milliseconds(std::llround(busy_timeout * 1000.0));
                options.lineage_index = lineage_index;
                options.read_only = read_only;
                options.sqlite_network_file_system = sqlite_network_file_system;
                if (const auto size = to_opt_count(postgres_pool_size, "postgres_pool_size", v))
                    options.postgres_pool_size = static_cast<std::size_t>(*size);
                v.throw_if_any();
                return std::make_unique<CatalogHandle>(p, std::move(options));
            }),
            py::arg("path"), py::arg("pid_prefix") = py::none(), py::arg("busy_timeout") = 10.0,
            py::arg("lineage_index") = true, py::arg("read_only") = false,
            py::arg("sqlite_network_file_system") = false, py::arg("postgres_pool_size") = py::none());

    cls.def_property_readonly("path", &CatalogHandle::path,
                              "The catalogue's location as given: a file, ``\":memory:\"`` or a URI.")
        .def_property_readonly(
            "pid_prefix", [](const CatalogHandle& self) { return self.get()->pid_prefix(); },
            "The prefix of the PIDs this catalogue mints, e.g. ``\"local\"``.")
        .def_property_readonly(
            "schema_version",
            [](const CatalogHandle& self) { return without_gil(self, [](Catalog& c) { return c.schema_version(); }); },
            "The version of the catalogue's database schema.")
        .def_property_readonly("closed", &CatalogHandle::closed, "Whether :meth:`close` has been called.")
        .def_static("latest_schema_version", &Catalog::latest_schema_version,
                    "The newest database schema version this datatrail knows (and migrates older catalogues to).")
        .def("close", &CatalogHandle::close, R"doc(
Close the catalogue. Using it afterwards raises :class:`Error`; closing twice is harmless.
Calls already running in other threads finish first.
)doc")
        .def(
            "__enter__", [](CatalogHandle& self) -> CatalogHandle& { return self; }, py::return_value_policy::reference,
            "Use the catalogue in a ``with`` block; it is closed at the end.")
        .def(
            "__exit__",
            [](CatalogHandle& self, const ExcTypeArg&, const ExcValueArg&, const TracebackArg&) { self.close(); },
            py::arg("exc_type"), py::arg("exc_value"), py::arg("traceback"), "Close the catalogue.")
        .def("__repr__", [](const CatalogHandle& self) {
            const auto shown = repr_str(without_password(self.path()));
            if (self.closed()) return "Catalog(" + shown + ", closed=True)";
            return "Catalog(" + shown + ", pid_prefix=" + repr_str(self.get()->pid_prefix()) + ")";
        });

    // --- instruments, investigations, samples ------------------------------------------------

    // The keywords of add_instrument(), add_investigation(), add_sample() and register_dataset()
    // come from the records' tables, and their violations are named as the library's own checks
    // name them: "instrument.name".
    fields::def_catalogue_method<records::instrument_table, const CatalogHandle&>(
        cls, "add_instrument", "instrument",
        [](const CatalogHandle& self, Instrument x) {
            return without_gil(self, [&](Catalog& c) { return c.add_instrument(std::move(x)); });
        },
        std::tuple<>(),
        R"doc(
Add an instrument: a beamline, end station or laboratory set-up.

)doc" + fields::params<records::instrument_table, fields::use::catalogue>() +
            R"doc(:returns: the instrument as stored, with its PID
:raises ValidationError: when an argument breaks a rule
:raises Conflict: when the PID or ``(facility, name)`` is taken
)doc");

    fields::def_catalogue_method<records::investigation_table, const CatalogHandle&>(
        cls, "add_investigation", "investigation",
        [](const CatalogHandle& self, Investigation x) {
            return without_gil(self, [&](Catalog& c) { return c.add_investigation(std::move(x)); });
        },
        std::tuple<>(),
        R"doc(
Add an investigation: a proposal, beamtime or experiment session.

)doc" + fields::params<records::investigation_table, fields::use::catalogue>() +
            R"doc(:returns: the investigation as stored, with its PID and the instrument's PID
:raises ValidationError: when an argument breaks a rule (e.g. an ORCID with a bad checksum)
    or the instrument is not in the catalogue
:raises Conflict: when the PID or name is taken
)doc" + times_doc);

    fields::def_catalogue_method<records::sample_table, const CatalogHandle&>(
        cls, "add_sample", "sample",
        [](const CatalogHandle& self, Sample x) {
            return without_gil(self, [&](Catalog& c) { return c.add_sample(std::move(x)); });
        },
        std::tuple<>(),
        R"doc(
Add a sample.

)doc" + fields::params<records::sample_table, fields::use::catalogue>() +
            R"doc(:returns: the sample as stored, with its PID and references resolved to PIDs
:raises ValidationError: when an argument breaks a rule or the investigation or parent is
    not in the catalogue
:raises Conflict: when the PID is taken
)doc");

    cls.def(
           "instrument",
           [](const CatalogHandle& self, const std::string& pid_or_name) {
               return without_gil(self, [&](Catalog& c) { return c.instrument(pid_or_name); });
           },
           py::arg("pid_or_name"), R"doc(
The instrument with this PID or name.

:raises NotFound: when there is none
)doc")
        .def(
            "instruments",
            [](const CatalogHandle& self) { return without_gil(self, [](Catalog& c) { return c.instruments(); }); },
            "All instruments.")
        .def(
            "investigation",
            [](const CatalogHandle& self, const std::string& pid_or_name) {
                return without_gil(self, [&](Catalog& c) { return c.investigation(pid_or_name); });
            },
            py::arg("pid_or_name"), R"doc(
The investigation with this PID or name.

:raises NotFound: when there is none
)doc")
        .def(
            "investigations",
            [](const CatalogHandle& self) { return without_gil(self, [](Catalog& c) { return c.investigations(); }); },
            "All investigations.")
        .def(
            "sample",
            [](const CatalogHandle& self, const std::string& pid_or_name) {
                return without_gil(self, [&](Catalog& c) { return c.sample(pid_or_name); });
            },
            py::arg("pid_or_name"), R"doc(
The sample with this PID or name.

:raises NotFound: when there is none
)doc")
        .def(
            "samples",
            [](const CatalogHandle& self) { return without_gil(self, [](Catalog& c) { return c.samples(); }); },
            "All samples.");

    // --- datasets ------------------------------------------------------------------------------

    fields::def_catalogue_method<records::dataset_table, const CatalogHandle&, bool>(
        cls, "register_dataset", "dataset",
        [](const CatalogHandle& self, Dataset ds, bool describe_files) {
            RegisterOptions options;
            options.describe_files = describe_files;
            return without_gil(self, [&](Catalog& c) { return c.register_dataset(std::move(ds), options); });
        },
        std::make_tuple(py::arg("describe_files") = false),
        R"doc(
Register a dataset with its files and metadata.

>>> cat.register_dataset("scan_001", investigation="ma1234", instrument="ID11",
...                      techniques=["XRD"], location="/data/ma1234/scan_001",
...                      metadata={"energy": (12.7, "keV"), "detector.name": "eiger"},
...                      files=["scan_001.nxs"], describe_files=True)
Dataset(pid='local/01J...', name='scan_001', kind='raw', metadata=2 keys, files=1)

Metadata values may be a str, bool, int, float (numpy scalars too), a datetime or date, a list
or 1-D numpy array of ints, floats or str (an array), a dict or nested list (stored as JSON), a
``(value, "unit")`` or ``(value, "unit", uncertainty)`` tuple or a :class:`Quantity`. (A tuple
whose second item is a str is always read as a quantity; write other arrays as lists.) Keys are
dotted paths: ``"detector.distance"``.

)doc" + fields::params<records::dataset_table, fields::use::catalogue>() +
            R"doc(:param describe_files: compute size, SHA-256, modification time and format of every file from
    disk (under ``location``), with the GIL released
:returns: the dataset as stored: PID minted, references resolved to PIDs
:raises ValidationError: naming every field that breaks a rule, including references that
    are not in the catalogue (:class:`UnitError` when only units are wrong); nothing is written
:raises NotFound: with ``describe_files``, when a file is missing
:raises Conflict: when the PID is taken
)doc" + times_doc);

    cls.def(
        "register_datasets",
        [](const CatalogHandle& self, const DatasetsArg& datasets, bool describe_files) {
            Violations v;
            std::vector<Dataset> items;
            if (PyUnicode_Check(datasets.ptr()) || PyDict_Check(datasets.ptr()) || py::isinstance<Dataset>(datasets)) {
                v.add("datasets", repr_of(datasets), "must be an iterable of Dataset objects or mappings");
            } else {
                for_each_item(datasets, "datasets", "must be an iterable of Dataset objects or mappings", v,
                              [&](py::handle item, const std::string& f) { items.push_back(to_dataset(item, f, v)); });
            }
            v.throw_if_any();
            RegisterOptions options;
            options.describe_files = describe_files;
            return without_gil(self, [&](Catalog& c) { return c.register_datasets(std::move(items), options); });
        },
        py::arg("datasets"), py::kw_only(), py::arg("describe_files") = false, R"doc(
Register many datasets in one transaction: all or nothing, and much faster than one by one.

:param datasets: :class:`Dataset` objects, or dicts of :meth:`register_dataset`'s keywords
    (without ``describe_files``)
:param describe_files: as for :meth:`register_dataset`
:returns: the datasets as stored, in order
:raises ValidationError: naming every broken rule as ``datasets[i].<field>``; nothing is written
:raises NotFound: with ``describe_files``, when a file is missing
:raises Conflict: when a PID is taken
)doc");

    cls.def(
        "dataset",
        [](const CatalogHandle& self, const DatasetRef& pid) {
            Violations v;
            const std::string p = dataset_pid(pid, "pid", v);
            v.throw_if_any();
            return without_gil(self, [&](Catalog& c) { return c.dataset(p); });
        },
        py::arg("pid"), R"doc(
The dataset with this PID, with its files and metadata.

:raises NotFound: when there is none
)doc");

    auto filters_doc = std::string(R"doc(
:param query: a query in the query language, as text or a :class:`Query` (see
    :func:`parse_query`): ``'technique == "MX" and (energy > 12 keV or exists detector.distance)'``
:param kind: ``"raw"`` or ``"processed"``
:param state: ``"acquiring"``, ``"complete"`` or ``"failed"``
:param valid: False for datasets a lenient schema accepted with violations, True for the others
:param investigation: an :class:`Investigation`, its PID or its name
:param instrument: an :class:`Instrument`, its PID or its name
:param sample: a :class:`Sample`, its PID or its name
:param started_after: only datasets whose start time is at or after this
:param started_before: only datasets whose start time is before this
:param name: a glob pattern on the name: ``"scan_*"``, ``"*_dark"``, ``"scan_00[1-5]"``
:param text: full-text search over names, descriptions, keywords and text metadata
:param keyword: an exact keyword
:param technique: an exact technique
:param where: metadata conditions: a str such as ``"energy between 12 and 13 keV and
    detector.name = 'eiger'"`` (see :func:`parse_conditions`), or a list of :class:`Condition`
    objects and such strings; all must hold
)doc");

    const auto filters = [](const QueryArg& query, const OptStrArg& kind, const OptStrArg& state,
                            const OptBoolArg& valid, const InvestigationRef& investigation, const InstrumentRef& instrument,
                            const SampleRef& sample, const OptTimeArg& started_after, const OptTimeArg& started_before,
                            const OptStrArg& name, const OptStrArg& text, const OptStrArg& keyword,
                            const OptStrArg& technique, const ConditionsArg& where, Violations& v) {
        return to_query({query, kind, state, valid, investigation, instrument, sample, started_after, started_before, name,
                         text, keyword, technique, where},
                        v);
    };
    const auto paging = [](DatasetQuery& q, const StrArg& order, bool descending, const OptIntArg& limit,
                           const IntArg& offset, Violations& v) {
        set_order(q, order, v);
        q.descending = descending;
        const auto lim = to_opt_count(limit, "limit", v);
        q.limit = static_cast<std::size_t>(lim.value_or(0));
        const auto off = offset.is_none() ? std::nullopt : to_opt_count(offset, "offset", v);
        if (offset.is_none()) v.add("offset", "None", "must be a non-negative int");
        q.offset = static_cast<std::size_t>(off.value_or(0));
        return lim;
    };
    const auto paging_doc = std::string(R"doc(:param order: ``"created"`` (registration order), or any dataset field or metadata key:
    ``"name"``, ``"start_time"``, ``"energy"`` (numbers by value across units); datasets without
    the key come first, or last with ``descending``
:param descending: reverse the order
:param limit: at most this many; None for all
:param offset: skip this many first (for paging)
)doc");

    cls.def(
        "find_datasets",
        [filters, paging](const CatalogHandle& self, const QueryArg& query, const OptStrArg& kind,
                          const OptStrArg& state, const OptBoolArg& valid, const InvestigationRef& investigation,
                          const InstrumentRef& instrument,
                          const SampleRef& sample, const OptTimeArg& started_after, const OptTimeArg& started_before,
                          const OptStrArg& name, const OptStrArg& text, const OptStrArg& keyword,
                          const OptStrArg& technique, const ConditionsArg& where, const StrArg& order, bool descending,
                          const OptIntArg& limit, const IntArg& offset) {
            Violations v;
            DatasetQuery q = filters(query, kind, state, valid, investigation, instrument, sample, started_after,
                                     started_before, name, text, keyword, technique, where, v);
            const auto lim = paging(q, order, descending, limit, offset, v);
            v.throw_if_any();
            std::vector<Dataset> found;
            // limit=0 asks for nothing (the C++ query reads 0 as "no limit").
            if (!lim || *lim != 0) found = without_gil(self, [&](Catalog& c) { return c.find_datasets(q); });
            return to_datasets(std::move(found));
        },
        py::arg("query") = py::none(), py::kw_only(), py::arg("kind") = py::none(), py::arg("state") = py::none(),
        py::arg("valid") = py::none(), py::arg("investigation") = py::none(), py::arg("instrument") = py::none(), py::arg("sample") = py::none(),
        py::arg("started_after") = py::none(), py::arg("started_before") = py::none(), py::arg("name") = py::none(),
        py::arg("text") = py::none(), py::arg("keyword") = py::none(), py::arg("technique") = py::none(),
        py::arg("where") = py::none(), py::arg("order") = "created", py::arg("descending") = false,
        py::arg("limit") = py::none(), py::arg("offset") = 0,
        (R"doc(
Find datasets by a query, by their fields and by metadata. Every filter given must hold; None
means any. Quantities compare across units: ``"energy > 12 keV"`` finds 12700 eV.

>>> cat.find_datasets('technique == "MX" and (energy > 12 keV or wavelength < 1 angstrom)', limit=10)
>>> cat.find_datasets(investigation="ma1234", where="energy between 12 and 13 keV", order="energy")
)doc" + filters_doc +
         paging_doc + R"doc(:returns: the datasets, with their files and metadata, as a :class:`Datasets` list (a notebook shows
    it as a table)
:raises ValidationError: when a filter breaks a rule, or the query compares a field or key with a
    value of another type
:raises UnitError: when a unit's dimension differs from the key's
:raises NotFound: when ``investigation``, ``instrument`` or ``sample`` is not in the catalogue
:raises QuerySyntaxError: when ``query`` or ``where`` does not parse
)doc" + times_doc)
            .c_str());

    cls.def(
        "count_datasets",
        [filters](const CatalogHandle& self, const QueryArg& query, const OptStrArg& kind, const OptStrArg& state,
                  const OptBoolArg& valid, const InvestigationRef& investigation, const InstrumentRef& instrument, const SampleRef& sample,
                  const OptTimeArg& started_after, const OptTimeArg& started_before, const OptStrArg& name,
                  const OptStrArg& text, const OptStrArg& keyword, const OptStrArg& technique,
                  const ConditionsArg& where) {
            Violations v;
            DatasetQuery q = filters(query, kind, state, valid, investigation, instrument, sample, started_after,
                                     started_before, name, text, keyword, technique, where, v);
            v.throw_if_any();
            return without_gil(self, [&](Catalog& c) { return c.count_datasets(q); });
        },
        py::arg("query") = py::none(), py::kw_only(), py::arg("kind") = py::none(), py::arg("state") = py::none(),
        py::arg("valid") = py::none(), py::arg("investigation") = py::none(), py::arg("instrument") = py::none(), py::arg("sample") = py::none(),
        py::arg("started_after") = py::none(), py::arg("started_before") = py::none(), py::arg("name") = py::none(),
        py::arg("text") = py::none(), py::arg("keyword") = py::none(), py::arg("technique") = py::none(),
        py::arg("where") = py::none(),
        (R"doc(
Count the datasets :meth:`find_datasets` would find with the same query and filters, without
reading them.
)doc" + filters_doc +
         R"doc(:raises ValidationError: when a filter breaks a rule
:raises NotFound: when ``investigation``, ``instrument`` or ``sample`` is not in the catalogue
:raises QuerySyntaxError: when ``query`` or ``where`` does not parse
)doc")
            .c_str());

    cls.def(
        "explain",
        [filters, paging](const CatalogHandle& self, const QueryArg& query, const OptStrArg& kind,
                          const OptStrArg& state, const OptBoolArg& valid, const InvestigationRef& investigation,
                          const InstrumentRef& instrument,
                          const SampleRef& sample, const OptTimeArg& started_after, const OptTimeArg& started_before,
                          const OptStrArg& name, const OptStrArg& text, const OptStrArg& keyword,
                          const OptStrArg& technique, const ConditionsArg& where, const StrArg& order, bool descending,
                          const OptIntArg& limit, const IntArg& offset) {
            Violations v;
            DatasetQuery q = filters(query, kind, state, valid, investigation, instrument, sample, started_after,
                                     started_before, name, text, keyword, technique, where, v);
            paging(q, order, descending, limit, offset, v);
            v.throw_if_any();
            return without_gil(self, [&](Catalog& c) { return c.explain(q); });
        },
        py::arg("query") = py::none(), py::kw_only(), py::arg("kind") = py::none(), py::arg("state") = py::none(),
        py::arg("valid") = py::none(), py::arg("investigation") = py::none(), py::arg("instrument") = py::none(), py::arg("sample") = py::none(),
        py::arg("started_after") = py::none(), py::arg("started_before") = py::none(), py::arg("name") = py::none(),
        py::arg("text") = py::none(), py::arg("keyword") = py::none(), py::arg("technique") = py::none(),
        py::arg("where") = py::none(), py::arg("order") = "created", py::arg("descending") = false,
        py::arg("limit") = py::none(), py::arg("offset") = 0, R"doc(
How the engine would run :meth:`find_datasets` with the same arguments: its query plan as text,
one step per line (SQLite's ``EXPLAIN QUERY PLAN``, PostgreSQL's ``EXPLAIN``). A metadata range
query should show the ``dataset_metadata_si`` index.
)doc");

    cls.def(
        "datasets_with_file",
        [](const CatalogHandle& self, const OptPathArg& path, const OptStrArg& sha256) {
            Violations v;
            const std::string p = path.is_none() ? std::string() : to_path(path, "path", v);
            const std::string sha = to_opt_str(sha256, "sha256", v).value_or(std::string());
            v.throw_if_any();
            return without_gil(self, [&](Catalog& c) { return c.datasets_with_file(p, sha); });
        },
        py::arg("path") = py::none(), py::arg("sha256") = py::none(), R"doc(
The datasets that hold a file: the one at ``path`` and/or any whose SHA-256 is ``sha256`` (a
copy elsewhere). A file is at ``path`` when its dataset's location joined with its relative path
is ``path``, both normalised (``.``, ``..`` and doubled slashes); a relative or empty location
counts from the current directory. Indexed: reads only the files that match, however large the
catalogue.

>>> [f.dataset for f in cat.datasets_with_file("/data/ma1234/run7/scan.h5")]
>>> cat.datasets_with_file(sha256=dt.sha256_file("copy.h5"))

:param path: an absolute path to the file
:param sha256: its checksum, 64 lowercase hexadecimal digits
:returns: one :class:`DatasetFile` per matching file, in registration order, each saying whether
    it is at the path (``at_path``), has the checksum (``same_content``) or both
:raises ValidationError: when neither is given, the path is not absolute or names a folder, or
    the checksum is malformed; naming the field, value and rule
)doc");

    cls.def(
        "add_files",
        [](const CatalogHandle& self, const DatasetRef& pid, const FilesArg& files, bool describe_files) {
            Violations v;
            const std::string p = dataset_pid(pid, "pid", v);
            auto fs = to_datafiles(files, "files", v);
            v.throw_if_any();
            RegisterOptions options;
            options.describe_files = describe_files;
            without_gil(self, [&](Catalog& c) { c.add_files(p, std::move(fs), options); });
        },
        py::arg("pid"), py::arg("files"), py::kw_only(), py::arg("describe_files") = false, R"doc(
Add files to a dataset, typically one still acquiring.

:param pid: the dataset: its PID or the :class:`Dataset`
:param files: paths relative to its location, :class:`Datafile` objects or dicts of their fields
:param describe_files: compute size, SHA-256, modification time and format from disk
:raises NotFound: when the dataset, or with ``describe_files`` a file, is missing
:raises ValidationError: when a file breaks a rule; nothing is written
)doc");

    cls.def(
        "set_metadata",
        [](const CatalogHandle& self, const DatasetRef& pid, const MetadataArg& metadata) {
            Violations v;
            const std::string p = dataset_pid(pid, "pid", v);
            Metadata md = to_metadata(metadata, "metadata", v);
            v.throw_if_any();
            without_gil(self, [&](Catalog& c) { c.set_metadata(p, md); });
        },
        py::arg("pid"), py::arg("metadata"), R"doc(
Add metadata keys to a dataset or replace their values; other keys stay.

:param pid: the dataset: its PID or the :class:`Dataset`
:param metadata: keys and values, as for :meth:`register_dataset`
:raises NotFound: when the dataset is missing
:raises ValidationError: when a value breaks a rule; nothing is written
)doc");

    cls.def(
        "set_state",
        [](const CatalogHandle& self, const DatasetRef& pid, const StrArg& state, const OptTimeArg& end_time) {
            Violations v;
            const std::string p = dataset_pid(pid, "pid", v);
            const DatasetState s = to_state(state, "state", v);
            const auto t = to_opt_time(end_time, "end_time", v);
            v.throw_if_any();
            without_gil(self, [&](Catalog& c) { c.set_state(p, s, t); });
        },
        py::arg("pid"), py::arg("state"), py::arg("end_time") = py::none(),
        (R"doc(
Change a dataset's state, e.g. mark an acquiring dataset ``"complete"`` or ``"failed"``.

:param pid: the dataset: its PID or the :class:`Dataset`
:param state: ``"acquiring"``, ``"complete"`` or ``"failed"``
:param end_time: when given, the dataset's end time
:raises NotFound: when the dataset is missing
:raises ValidationError: when the state or time is not valid
)doc" + std::string(times_doc))
            .c_str());
}
