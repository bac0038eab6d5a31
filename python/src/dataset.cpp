// Dataset: a PROV entity, raw data from an acquisition or processed data made from other datasets.
#include "convert.hpp"

#include <datatrail/dataset.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

constexpr const char* dataset_keys =
    "pid, kind, name, description, investigation, instrument, sample, techniques, keywords, start_time, end_time, "
    "location, schema, metadata, state, files, created_by, created_at";

// A property whose getter returns `Out` and whose setter converts through set_dataset_field.
template <class Out, class In, class Get>
void field_property(py::class_<Dataset>& cls, const char* name, Get get, const char* doc) {
    cls.def_property(
        name, [get](const Dataset& ds) -> Out { return get(ds); },
        [name](Dataset& ds, const In& value) {
            Violations v;
            set_dataset_field(ds, name, value, "", v);
            v.throw_if_any();
        },
        doc);
}

}  // namespace

namespace datatrail::python {

bool set_dataset_field(Dataset& ds, std::string_view key, py::handle value, std::string_view prefix, Violations& v) {
    const std::string field = join_field(prefix, key);
    auto text = [&](std::string& target) { target = value.is_none() ? std::string() : to_str(value, field, v); };
    if (key == "pid")
        text(ds.pid);
    else if (key == "kind")
        ds.kind = to_kind(value, field, v);
    else if (key == "name")
        text(ds.name);
    else if (key == "description")
        text(ds.description);
    else if (key == "investigation")
        ds.investigation = to_ref(value, RefKind::investigation, field, v);
    else if (key == "instrument")
        ds.instrument = to_ref(value, RefKind::instrument, field, v);
    else if (key == "sample")
        ds.sample = to_ref(value, RefKind::sample, field, v);
    else if (key == "techniques")
        ds.techniques = to_strs(value, field, v);
    else if (key == "keywords")
        ds.keywords = to_strs(value, field, v);
    else if (key == "start_time")
        ds.start_time = to_opt_time(value, field, v);
    else if (key == "end_time")
        ds.end_time = to_opt_time(value, field, v);
    else if (key == "location")
        ds.location = value.is_none() ? std::string() : to_path(value, field, v);
    else if (key == "schema")
        text(ds.schema);
    else if (key == "metadata")
        ds.metadata = to_metadata(value, field, v);
    else if (key == "state")
        ds.state = to_state(value, field, v);
    else if (key == "files")
        ds.files = to_datafiles(value, field, v);
    else if (key == "created_by")
        text(ds.created_by);
    else if (key == "created_at")
        ds.created_at = to_opt_time(value, field, v);
    else
        return false;
    return true;
}

Dataset to_dataset(py::handle obj, std::string_view field, Violations& v) {
    if (py::isinstance<Dataset>(obj)) return obj.cast<const Dataset&>();
    Dataset ds;
    if (PyDict_Check(obj.ptr()) || (py::hasattr(obj, "items") && py::hasattr(obj, "keys"))) {
        for (py::handle pair : obj.attr("items")()) {
            py::tuple kv = py::reinterpret_borrow<py::tuple>(pair);
            if (!PyUnicode_Check(kv[0].ptr())) {
                v.add(join_field(field, repr_of(kv[0])), repr_of(kv[0]),
                      std::string("dataset keys must be str: ") + dataset_keys);
                continue;
            }
            const std::string key = kv[0].cast<std::string>();
            if (!set_dataset_field(ds, key, kv[1], field, v))
                v.add(join_field(field, key), repr_of(kv[1]),
                      std::string("is not a dataset field; known: ") + dataset_keys);
        }
        return ds;
    }
    v.add(std::string(field), repr_of(obj), "must be a Dataset or a mapping of register_dataset() keywords");
    return ds;
}

}  // namespace datatrail::python

void init_dataset(py::module_& m) {
    py::class_<Dataset> cls(m, "Dataset", R"doc(
A dataset, a PROV entity: raw data from an acquisition or processed data made from other
datasets, with its files and typed metadata.

Usually made by :meth:`Catalog.register_dataset`; a Dataset built here can be passed to
:meth:`Catalog.register_datasets`. The keywords are those of :meth:`Catalog.register_dataset`,
plus ``pid`` and ``created_at`` (which the catalogue sets).

Lists and the metadata dict returned by the properties are new objects on every access:
changing them does not change the dataset; assign a whole new value instead.
)doc");
    cls.def(py::init([](const StrArg& name, const StrArg& kind, const OptStrArg& pid, const StrArg& description,
                        const InvestigationRef& investigation, const InstrumentRef& instrument, const SampleRef& sample,
                        const StrsArg& techniques, const StrsArg& keywords, const OptTimeArg& start_time,
                        const OptTimeArg& end_time, const PathArg& location, const StrArg& schema,
                        const MetadataArg& metadata, const StrArg& state, const FilesArg& files,
                        const StrArg& created_by, const OptTimeArg& created_at) {
                Dataset ds;
                Violations v;
                set_dataset_field(ds, "name", name, "", v);
                set_dataset_field(ds, "kind", kind, "", v);
                set_dataset_field(ds, "pid", pid, "", v);
                set_dataset_field(ds, "description", description, "", v);
                set_dataset_field(ds, "investigation", investigation, "", v);
                set_dataset_field(ds, "instrument", instrument, "", v);
                set_dataset_field(ds, "sample", sample, "", v);
                set_dataset_field(ds, "techniques", techniques, "", v);
                set_dataset_field(ds, "keywords", keywords, "", v);
                set_dataset_field(ds, "start_time", start_time, "", v);
                set_dataset_field(ds, "end_time", end_time, "", v);
                set_dataset_field(ds, "location", location, "", v);
                set_dataset_field(ds, "schema", schema, "", v);
                set_dataset_field(ds, "metadata", metadata, "", v);
                set_dataset_field(ds, "state", state, "", v);
                set_dataset_field(ds, "files", files, "", v);
                set_dataset_field(ds, "created_by", created_by, "", v);
                set_dataset_field(ds, "created_at", created_at, "", v);
                v.throw_if_any();
                return ds;
            }),
            py::arg("name") = "", py::arg("kind") = "raw", py::kw_only(), py::arg("pid") = py::none(),
            py::arg("description") = "", py::arg("investigation") = py::none(), py::arg("instrument") = py::none(),
            py::arg("sample") = py::none(), py::arg("techniques") = py::tuple(), py::arg("keywords") = py::tuple(),
            py::arg("start_time") = py::none(), py::arg("end_time") = py::none(), py::arg("location") = "",
            py::arg("schema") = "", py::arg("metadata") = py::none(), py::arg("state") = "complete",
            py::arg("files") = py::tuple(), py::arg("created_by") = "", py::arg("created_at") = py::none());

    cls.def_readwrite("pid", &Dataset::pid, "The PID; empty until the catalogue mints one.");
    field_property<std::string, StrArg>(
        cls, "kind", [](const Dataset& ds) { return std::string(to_string(ds.kind)); },
        "``\"raw\"`` or ``\"processed\"``.");
    cls.def_readwrite("name", &Dataset::name, "The name, e.g. ``\"scan_001\"``.")
        .def_readwrite("description", &Dataset::description, "Free text.");
    field_property<std::string, InvestigationRef>(
        cls, "investigation", [](const Dataset& ds) { return ds.investigation; },
        "The investigation's PID (or the name it was given by); empty when none. Set it to an "
        ":class:`Investigation`, a PID or a name.");
    field_property<std::string, InstrumentRef>(
        cls, "instrument", [](const Dataset& ds) { return ds.instrument; },
        "The instrument's PID (or the name it was given by); empty when none. Set it to an "
        ":class:`Instrument`, a PID or a name.");
    field_property<std::string, SampleRef>(
        cls, "sample", [](const Dataset& ds) { return ds.sample; },
        "The sample's PID (or the name it was given by); empty when none. Set it to a "
        ":class:`Sample`, a PID or a name.");
    field_property<std::vector<std::string>, StrsArg>(
        cls, "techniques", [](const Dataset& ds) { return ds.techniques; },
        "The techniques, e.g. ``[\"XRD\"]``; a new list on every access.");
    field_property<std::vector<std::string>, StrsArg>(
        cls, "keywords", [](const Dataset& ds) { return ds.keywords; }, "The keywords; a new list on every access.");
    field_property<OptDateTimeOut, OptTimeArg>(
        cls, "start_time", [](const Dataset& ds) { return OptDateTimeOut(from_opt_time(ds.start_time)); },
        "The start of the acquisition or processing (an aware datetime in UTC), or None.");
    field_property<OptDateTimeOut, OptTimeArg>(
        cls, "end_time", [](const Dataset& ds) { return OptDateTimeOut(from_opt_time(ds.end_time)); },
        "The end (an aware datetime in UTC), or None.");
    field_property<std::string, PathArg>(
        cls, "location", [](const Dataset& ds) { return ds.location; },
        "The root folder or URI the files' paths are relative to.");
    cls.def_readwrite("schema", &Dataset::schema, "The name of the metadata schema it conforms to; optional.");
    field_property<MetadataOut, MetadataArg>(
        cls, "metadata", [](const Dataset& ds) { return MetadataOut(from_metadata(ds.metadata)); },
        "The metadata as a new dict on every access: changing that dict does not change the dataset; "
        "assign a whole mapping to replace it. Values with a unit or uncertainty are :class:`Quantity` objects.");
    field_property<std::string, StrArg>(
        cls, "state", [](const Dataset& ds) { return std::string(to_string(ds.state)); },
        "``\"acquiring\"``, ``\"complete\"`` or ``\"failed\"``.");
    field_property<std::vector<Datafile>, FilesArg>(
        cls, "files", [](const Dataset& ds) { return ds.files; },
        "The files, as :class:`Datafile` objects; a new list on every access.");
    cls.def_readwrite("created_by", &Dataset::created_by, "Who registered it; the catalogue fills in the user.");
    field_property<OptDateTimeOut, OptTimeArg>(
        cls, "created_at", [](const Dataset& ds) { return OptDateTimeOut(from_opt_time(ds.created_at)); },
        "When it was registered (an aware datetime in UTC), set by the catalogue; None before.");

    cls.def("__eq__", &equal_fields<Dataset>, py::arg("other")).def("__repr__", [](const Dataset& ds) {
        return "Dataset(pid=" + repr_str(ds.pid) + ", name=" + repr_str(ds.name) +
               ", kind=" + repr_str(to_string(ds.kind)) + ", metadata=" + count_keys(ds.metadata.size()) +
               ", files=" + std::to_string(ds.files.size()) + ")";
    });
    add_pickle(
        cls,
        [](const Dataset& ds) {
            py::list files;
            for (const auto& f : ds.files) files.append(datafile_state(f));
            return py::make_tuple(ds.pid, std::string(to_string(ds.kind)), ds.name, ds.description, ds.investigation,
                                  ds.instrument, ds.sample, ds.techniques, ds.keywords, time_state(ds.start_time),
                                  time_state(ds.end_time), ds.location, ds.schema, metadata_state(ds.metadata),
                                  std::string(to_string(ds.state)), files, ds.created_by, time_state(ds.created_at));
        },
        [](const py::tuple& state) {
            auto t = state_tuple(state, 18, "Dataset");
            Dataset ds;
            ds.pid = t[0].cast<std::string>();
            ds.kind = parse_dataset_kind(t[1].cast<std::string>());
            ds.name = t[2].cast<std::string>();
            ds.description = t[3].cast<std::string>();
            ds.investigation = t[4].cast<std::string>();
            ds.instrument = t[5].cast<std::string>();
            ds.sample = t[6].cast<std::string>();
            ds.techniques = t[7].cast<std::vector<std::string>>();
            ds.keywords = t[8].cast<std::vector<std::string>>();
            ds.start_time = time_from_state(t[9]);
            ds.end_time = time_from_state(t[10]);
            ds.location = t[11].cast<std::string>();
            ds.schema = t[12].cast<std::string>();
            ds.metadata = metadata_from_state(t[13]);
            ds.state = parse_dataset_state(t[14].cast<std::string>());
            for (py::handle f : t[15]) ds.files.push_back(datafile_from_state(f));
            ds.created_by = t[16].cast<std::string>();
            ds.created_at = time_from_state(t[17]);
            return ds;
        });
    add_copy(cls);
}
