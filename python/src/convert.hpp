#pragma once
// Conversions shared by the binding files: Python values to the library's structs and back.
//
// The arguments of catalogue writes and of the record classes' constructors and converting
// properties are not left to pybind11's casters (whose failures are TypeErrors naming no field):
// they arrive as Python objects, are checked here, and every broken rule is collected as a
// Violation, so the caller gets one ValidationError naming each field before anything is written.
// The hint types below accept any object; they exist so that signatures (and so the generated
// _core.pyi) carry real Python types instead of `object`.
#include <datatrail/activity.hpp>
#include <datatrail/agent.hpp>
#include <datatrail/catalog.hpp>
#include <datatrail/datafile.hpp>
#include <datatrail/dataset.hpp>
#include <datatrail/error.hpp>
#include <datatrail/instrument.hpp>
#include <datatrail/investigation.hpp>
#include <datatrail/lineage.hpp>
#include <datatrail/metadata.hpp>
#include <datatrail/nexus.hpp>
#include <datatrail/query.hpp>
#include <datatrail/sample.hpp>
#include <datatrail/time.hpp>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace datatrail::python {

namespace py = pybind11;

namespace detail {
inline int any_object(PyObject*) { return 1; }
}  // namespace detail

}  // namespace datatrail::python

// A Python object accepted as is and shown in signatures with the type hint `hint`.
#define DATATRAIL_PY_HINT(Name, hint)                                                              \
    namespace datatrail::python {                                                                  \
    class Name : public ::pybind11::object {                                                       \
    public:                                                                                        \
        PYBIND11_OBJECT_DEFAULT(Name, ::pybind11::object, ::datatrail::python::detail::any_object) \
    };                                                                                             \
    }                                                                                              \
    template <>                                                                                    \
    struct pybind11::detail::handle_type_name<::datatrail::python::Name> {                         \
        static constexpr auto name = ::pybind11::detail::const_name(hint);                         \
    };

DATATRAIL_PY_HINT(ObjectArg, "object")
DATATRAIL_PY_HINT(BoolOut, "bool")
DATATRAIL_PY_HINT(ExcTypeArg, "type[BaseException] | None")
DATATRAIL_PY_HINT(ExcValueArg, "BaseException | None")
DATATRAIL_PY_HINT(TracebackArg, "types.TracebackType | None")
DATATRAIL_PY_HINT(MemoArg, "dict[int, typing.Any]")
DATATRAIL_PY_HINT(PickleState, "tuple[typing.Any, ...]")
DATATRAIL_PY_HINT(StrArg, "str")
DATATRAIL_PY_HINT(OptStrArg, "str | None")
DATATRAIL_PY_HINT(PathArg, "str | os.PathLike[str]")
DATATRAIL_PY_HINT(TimeArg, "datetime.datetime | datetime.date | str")
DATATRAIL_PY_HINT(OptTimeArg, "datetime.datetime | datetime.date | str | None")
DATATRAIL_PY_HINT(DateTimeOut, "datetime.datetime")
DATATRAIL_PY_HINT(OptDateTimeOut, "datetime.datetime | None")
DATATRAIL_PY_HINT(StrsArg, "collections.abc.Iterable[str]")
DATATRAIL_PY_HINT(MetadataArg, "collections.abc.Mapping[str, typing.Any] | None")
DATATRAIL_PY_HINT(MetadataOut, "dict[str, typing.Any]")
DATATRAIL_PY_HINT(ValueArg, "str | int | float | bool | datetime.datetime | datetime.date")
DATATRAIL_PY_HINT(OptValueArg, "str | int | float | bool | datetime.datetime | datetime.date | None")
DATATRAIL_PY_HINT(ValueOut, "str | int | float | bool | datetime.datetime")
DATATRAIL_PY_HINT(OptValueOut, "str | int | float | bool | datetime.datetime | None")
DATATRAIL_PY_HINT(OptIntArg, "int | None")
DATATRAIL_PY_HINT(IntArg, "int")
DATATRAIL_PY_HINT(InstrumentRef, "str | datatrail._core.Instrument | None")
DATATRAIL_PY_HINT(InvestigationRef, "str | datatrail._core.Investigation | None")
DATATRAIL_PY_HINT(SampleRef, "str | datatrail._core.Sample | None")
DATATRAIL_PY_HINT(DatasetRef, "str | datatrail._core.Dataset")
DATATRAIL_PY_HINT(FilesArg,
                  "collections.abc.Iterable[str | os.PathLike[str] | datatrail._core.Datafile | "
                  "collections.abc.Mapping[str, typing.Any]]")
DATATRAIL_PY_HINT(ParticipantsArg,
                  "collections.abc.Iterable[datatrail._core.Participant | collections.abc.Mapping[str, str]]")
DATATRAIL_PY_HINT(DatasetsArg,
                  "collections.abc.Iterable[datatrail._core.Dataset | collections.abc.Mapping[str, typing.Any]]")
DATATRAIL_PY_HINT(QueryArg, "str | datatrail._core.Query | None")
DATATRAIL_PY_HINT(ConditionsArg, "str | collections.abc.Iterable[datatrail._core.Condition | str] | None")
// Provenance. An ActivityRun (datatrail._activity, pure Python) counts as its activity wherever an
// activity is referred to.
DATATRAIL_PY_HINT(OptBoolArg, "bool | None")
DATATRAIL_PY_HINT(OptPathArg, "str | os.PathLike[str] | None")
DATATRAIL_PY_HINT(AnyOut, "typing.Any")
DATATRAIL_PY_HINT(StrMapArg, "collections.abc.Mapping[str, str] | None")
DATATRAIL_PY_HINT(StrMapOut, "dict[str, str]")
DATATRAIL_PY_HINT(EnvironmentArg, "datatrail._core.Environment | collections.abc.Mapping[str, typing.Any] | None")
DATATRAIL_PY_HINT(AgentRef, "str | datatrail._core.Agent")
DATATRAIL_PY_HINT(ActivityRef, "str | datatrail._core.Activity | datatrail._activity.ActivityRun")
DATATRAIL_PY_HINT(OptActivityRef, "str | datatrail._core.Activity | datatrail._activity.ActivityRun | None")
DATATRAIL_PY_HINT(NodeRef, "str | datatrail._core.Dataset | datatrail._core.Activity | datatrail._activity.ActivityRun")
DATATRAIL_PY_HINT(ActivitiesArg,
                  "collections.abc.Iterable[str | datatrail._core.Activity | datatrail._activity.ActivityRun]")
DATATRAIL_PY_HINT(UsedRef, "str | datatrail._core.Dataset")
DATATRAIL_PY_HINT(InputsArg,
                  "collections.abc.Iterable[str | datatrail._core.Dataset | datatrail._core.Used | "
                  "tuple[str | datatrail._core.Dataset, str]]")
DATATRAIL_PY_HINT(AgentsArg,
                  "collections.abc.Iterable[str | datatrail._core.Agent | datatrail._core.Association | "
                  "tuple[str | datatrail._core.Agent, str]]")
DATATRAIL_PY_HINT(ActivityArg, "datatrail._core.Activity | collections.abc.Mapping[str, typing.Any]")
DATATRAIL_PY_HINT(ActivityRunOut, "datatrail._activity.ActivityRun")
DATATRAIL_PY_HINT(NodeIter, "collections.abc.Iterator[datatrail._core.ProvNode]")
DATATRAIL_PY_HINT(DatasetsOut, "datatrail._datasets.Datasets")

namespace datatrail::python {

// Datasets as the Python API returns a list of them: a datatrail._datasets.Datasets, a list that a
// notebook shows as a table. Needs the GIL.
DatasetsOut to_datasets(std::vector<Dataset> datasets);

// The library's element type of a buffer's items (native or little-endian integers of 8 to 64
// bits, float, double); nullopt with the rule broken in `why` for anything else.
std::optional<ElementType> element_type(const pybind11::buffer_info& info, std::string& why);
// Whether the buffer is in C order (dimensions of length 1 need no particular stride).
bool c_contiguous(const pybind11::buffer_info& info);

// Joins a field prefix and a name: ("datasets[2]", "metadata") -> "datasets[2].metadata".
std::string join_field(std::string_view prefix, std::string_view name);

// repr(obj) as UTF-8, for violation messages; never throws.
std::string repr_of(py::handle obj);

// A dict, or an object with items() and keys().
bool is_mapping(py::handle obj);

// Calls f(item, "<field>[i]") for each item of the iterable `obj`. When obj is not iterable,
// records `rule` against `field` in `v` and returns false.
template <class F>
bool for_each_item(py::handle obj, std::string_view field, const char* rule, Violations& v, F&& f) {
    py::object it = py::reinterpret_steal<py::object>(PyObject_GetIter(obj.ptr()));
    if (!it) {
        PyErr_Clear();
        v.add(std::string(field), repr_of(obj), rule);
        return false;
    }
    std::size_t i = 0;
    for (py::handle item : py::reinterpret_borrow<py::iterator>(it))
        f(item, join_field(field, "[" + std::to_string(i++) + "]"));
    return true;
}

// Runs `f`; a ValidationError it throws is added to `v` instead (so every problem is reported
// together). Returns whether `f` succeeded.
template <class F>
bool collect(Violations& v, F&& f) {
    try {
        f();
        return true;
    } catch (const UnitError& e) {
        for (const auto& x : e.violations()) v.add_unit(x.field, x.value, x.rule);
    } catch (const ValidationError& e) {
        for (const auto& x : e.violations()) v.add(x.field, x.value, x.rule);
    }
    return false;
}

// --- scalars -------------------------------------------------------------------------------

std::string to_str(py::handle obj, std::string_view field, Violations& v);
// None -> nullopt.
std::optional<std::string> to_opt_str(py::handle obj, std::string_view field, Violations& v);
// str or os.PathLike (decoded with the file-system encoding).
std::string to_path(py::handle obj, std::string_view field, Violations& v);
// A non-negative integer; None -> nullopt.
std::optional<std::uint64_t> to_opt_count(py::handle obj, std::string_view field, Violations& v);
// A str or an iterable of str; a lone str is one item.
std::vector<std::string> to_strs(py::handle obj, std::string_view field, Violations& v);

DatasetKind to_kind(py::handle obj, std::string_view field, Violations& v);
DatasetState to_state(py::handle obj, std::string_view field, Violations& v);

// --- times ---------------------------------------------------------------------------------

// datetime (naive = local time), date (midnight UTC) or ISO 8601 str.
std::optional<Timestamp> to_time(py::handle obj, std::string_view field, Violations& v);
// As to_time, None -> nullopt.
std::optional<Timestamp> to_opt_time(py::handle obj, std::string_view field, Violations& v);
// A timezone-aware datetime in UTC.
py::object from_time(Timestamp t);
py::object from_opt_time(const std::optional<Timestamp>& t);

// --- references ----------------------------------------------------------------------------

enum class RefKind { instrument, investigation, sample, dataset };
// None -> "", a str as is, or the PID (for entities not yet stored: the name) of an object of
// the matching class.
std::string to_ref(py::handle obj, RefKind kind, std::string_view field, Violations& v);
// to_ref for one kind, where a converter of the shape of to_str is wanted.
template <RefKind kind>
std::string to_ref_of(py::handle obj, std::string_view field, Violations& v) {
    return to_ref(obj, kind, field, v);
}

// --- metadata ------------------------------------------------------------------------------

// A mapping of str keys to the Python values datatrail stores; None -> empty.
Metadata to_metadata(py::handle obj, std::string_view field, Violations& v);
// One value; `field` names it in violations ("metadata.energy").
std::optional<MetadataValue> to_metadata_value(py::handle obj, const std::string& field, Violations& v);
// A scalar for a query condition: str, int, float, bool, datetime or date.
std::optional<Value> to_scalar_value(py::handle obj, std::string_view field, Violations& v);

py::object from_value(const Value& value);
// A Quantity when a unit or uncertainty is present, else the plain value.
py::object from_metadata_value(const MetadataValue& value);
py::dict from_metadata(const Metadata& metadata);

// --- entities (defined next to their bindings) -----------------------------------------------

Datafile to_datafile(py::handle obj, std::string_view field, Violations& v);
std::vector<Datafile> to_datafiles(py::handle obj, std::string_view field, Violations& v);
Participant to_participant(py::handle obj, std::string_view field, Violations& v);
std::vector<Participant> to_participants(py::handle obj, std::string_view field, Violations& v);

// A Dataset object (copied) or a mapping of register_dataset()'s keywords.
Dataset to_dataset(py::handle obj, std::string_view field, Violations& v);

// The filters find_datasets() and count_datasets() share.
struct QueryFilters {
    py::handle query, kind, state, valid, investigation, instrument, sample, started_after, started_before, name, text, keyword,
        technique, where;
};
DatasetQuery to_query(const QueryFilters& filters, Violations& v);
// A query argument: a Query, query-language text (parsed), or None (every dataset).
query::Expr to_filter(py::handle obj, Violations& v);

// --- repr helpers ---------------------------------------------------------------------------

// Python's repr of a str: 'scan_001'.
std::string repr_str(std::string_view s);
// "1 key", "3 keys".
inline std::string count_keys(std::size_t n) { return std::to_string(n) + (n == 1 ? " key" : " keys"); }

// __eq__ for a bound struct: equal fields; NotImplemented for other types (so == falls back to
// identity and the stub's signature matches object.__eq__).
template <class T>
BoolOut equal_fields(const T& self, const ObjectArg& other) {
    if (!py::isinstance<T>(other)) return BoolOut(py::reinterpret_borrow<py::object>(Py_NotImplemented));
    return BoolOut(py::bool_(self == other.template cast<const T&>()));
}

// --- copying and pickling ------------------------------------------------------------------

// __copy__ and __deepcopy__: the structs hold values only, so both are a plain C++ copy.
template <class T>
void add_copy(py::class_<T>& cls) {
    cls.def(
           "__copy__", [](const T& self) { return T(self); }, "A copy.")
        .def(
            "__deepcopy__", [](const T& self, const MemoArg&) { return T(self); }, py::arg("memo"),
            "A copy (the fields are plain values, so it is as deep as it gets).");
}

// __getstate__/__setstate__ from get(const T&) -> tuple and set(py::tuple) -> T.
template <class T, class Get, class Set>
void add_pickle(py::class_<T>& cls, Get get, Set set) {
    cls.def(py::pickle([get](const T& self) { return PickleState(get(self)); },
                       [set](const PickleState& state) { return set(py::reinterpret_borrow<py::tuple>(state)); }));
}

// Pickle states: tuples of plain Python values that convert back exactly (times as integer
// microseconds since 1970 UTC, metadata values with their C++ type index), so an unpickled
// object compares equal to the original.
py::object time_state(const std::optional<Timestamp>& t);
std::optional<Timestamp> time_from_state(py::handle state);
py::tuple value_state(const Value& value);
Value value_from_state(py::handle state);
py::list metadata_state(const Metadata& metadata);
Metadata metadata_from_state(py::handle state);
// Checks a pickle state's shape before it is read.
py::tuple state_tuple(py::handle state, std::size_t size, const char* cls);

// --- provenance (defined next to their bindings) --------------------------------------------

AgentType to_agent_type(py::handle obj, std::string_view field, Violations& v);
ActivityType to_activity_type(py::handle obj, std::string_view field, Violations& v);
ActivityStatus to_activity_status(py::handle obj, std::string_view field, Violations& v);

// A str as is, or the PID (when not yet stored: the name) of an Agent.
std::string to_agent_ref(py::handle obj, std::string_view field, Violations& v);
// None -> "", a str as is, or the PID of an Activity or a started ActivityRun.
std::string to_activity_ref(py::handle obj, std::string_view field, Violations& v);
// What a lineage walk starts from: a PID, a Dataset, an Activity or a started ActivityRun.
std::string to_node_ref(py::handle obj, std::string_view field, Violations& v);
std::vector<std::string> to_activity_refs(py::handle obj, std::string_view field, Violations& v);

// A Used, a dataset (PID or Dataset), a (dataset, role) tuple or a mapping of Used's fields.
Used to_used(py::handle obj, std::string_view field, Violations& v);
// An iterable of those; a lone one counts as one.
std::vector<Used> to_useds(py::handle obj, std::string_view field, Violations& v);
// An Association, an agent (name, PID or Agent), an (agent, role) tuple or a mapping.
Association to_association(py::handle obj, std::string_view field, Violations& v);
std::vector<Association> to_associations(py::handle obj, std::string_view field, Violations& v);
Environment to_environment(py::handle obj, std::string_view field, Violations& v);

// An Activity object (copied) or a mapping of Activity()'s keywords.
Activity to_activity(py::handle obj, std::string_view field, Violations& v);
// A mapping of str to str (an Environment's packages); None -> empty.
std::map<std::string, std::string> to_str_map(py::handle obj, std::string_view field, Violations& v);

// datatrail._activity.ActivityRun, imported on first use.
py::object activity_run_class();

// --- the catalogue --------------------------------------------------------------------------

// What a Python Catalog holds. The C++ catalogue is owned through a shared_ptr so that close()
// can drop it while another thread is inside a call on it (with the GIL released): that call
// keeps it alive until it returns. Declared here so that bindings of other headers can add
// Catalog methods.
class CatalogHandle {
public:
    CatalogHandle(const std::string& path, CatalogOptions options) {
        py::gil_scoped_release release;
        impl_ = std::make_shared<Catalog>(path, std::move(options));
        path_ = impl_->path().string();
    }

    // Throws Error("catalog is closed") after close().
    std::shared_ptr<Catalog> get() const {
        if (!impl_) throw Error("catalog is closed");
        return impl_;
    }

    void close() {
        std::shared_ptr<Catalog> impl = std::move(impl_);
        impl_.reset();
        py::gil_scoped_release release;
        impl.reset();
    }

    bool closed() const noexcept { return !impl_; }
    const std::string& path() const noexcept { return path_; }

private:
    std::shared_ptr<Catalog> impl_;
    std::string path_;
};

// Runs f(catalog) with the GIL released; f must not touch Python objects, and its result
// must hold none.
template <class F>
auto without_gil(const CatalogHandle& self, F&& f) {
    std::shared_ptr<Catalog> cat = self.get();
    py::gil_scoped_release release;
    return f(*cat);
}

// --- the Python side of the module ---------------------------------------------------------

// datatrail._quantity.Quantity, imported on first use.
py::object quantity_class();

}  // namespace datatrail::python

// One registration function per public header, called in this order by module.cpp (classes
// must be registered before signatures that mention them are built).
void init_errors(pybind11::module_& m);
void init_time(pybind11::module_& m);
void init_units(pybind11::module_& m);
void init_metadata(pybind11::module_& m);
void init_pid(pybind11::module_& m);
void init_datafile(pybind11::module_& m);
void init_instrument(pybind11::module_& m);
void init_investigation(pybind11::module_& m);
void init_sample(pybind11::module_& m);
void init_dataset(pybind11::module_& m);
void init_schema(pybind11::module_& m);
void init_query(pybind11::module_& m);
void init_agent(pybind11::module_& m);
void init_activity(pybind11::module_& m);
void init_lineage(pybind11::module_& m);
void init_prov(pybind11::module_& m);
void init_catalog(pybind11::module_& m);
// Catalog's schema methods, added to the class init_catalog() registered.
void init_catalog_schemas(pybind11::module_& m);
// Catalog's provenance and lineage methods, added to the class init_catalog() registered.
void init_catalog_provenance(pybind11::module_& m);
// Catalog.merge_from and its report.
void init_merge(pybind11::module_& m);
void init_file_system(pybind11::module_& m);
// The datatrail.nexus submodule: NeXus files from the catalogue.
void init_nexus(pybind11::module_& m);
// datatrail.nexus.FrameStack, added to the submodule init_nexus() made.
void init_nexus_stream(pybind11::module_& m);
// Reading NeXus files, in the datatrail.nexus submodule init_nexus() made.
void init_nexus_read(pybind11::module_& m);
// Catalog.ingest, datatrail.ingest and their report.
void init_ingest(pybind11::module_& m);
