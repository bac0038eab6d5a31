// Sample: what was measured, possibly cut from a parent sample.
#include "convert.hpp"

#include <datatrail/sample.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace datatrail::python {

bool set_sample_field(Sample& x, std::string_view key, py::handle value, std::string_view prefix, Violations& v) {
    const std::string field = join_field(prefix, key);
    auto text = [&](std::string& target) { target = value.is_none() ? std::string() : to_str(value, field, v); };
    if (key == "pid")
        text(x.pid);
    else if (key == "name")
        text(x.name);
    else if (key == "description")
        text(x.description);
    else if (key == "formula")
        text(x.formula);
    else if (key == "investigation")
        x.investigation = to_ref(value, RefKind::investigation, field, v);
    else if (key == "parent")
        x.parent = to_ref(value, RefKind::sample, field, v);
    else if (key == "metadata")
        x.metadata = to_metadata(value, field, v);
    else
        return false;
    return true;
}

}  // namespace datatrail::python

void init_sample(py::module_& m) {
    py::class_<Sample> cls(m, "Sample", R"doc(
A sample: what was measured. It may have been cut from a parent sample.

Made by :meth:`Catalog.add_sample`, which mints the PID; wherever a sample is referred to
(``sample=``, ``parent=``) the object, its PID or its name will do.

:param name: the name
:param description: free text
:param formula: the chemical formula or sample type
:param investigation: the investigation: an :class:`Investigation`, its PID or its name
:param parent: the sample this one was cut from: a :class:`Sample`, its PID or its name
:param metadata: typed metadata, as for :meth:`Catalog.register_dataset`
:param pid: the PID; empty (or None) until the catalogue mints one
)doc");
    cls.def(py::init([](const StrArg& name, const StrArg& description, const StrArg& formula,
                        const InvestigationRef& investigation, const SampleRef& parent, const MetadataArg& metadata,
                        const OptStrArg& pid) {
                Sample x;
                Violations v;
                set_sample_field(x, "name", name, "", v);
                set_sample_field(x, "description", description, "", v);
                set_sample_field(x, "formula", formula, "", v);
                set_sample_field(x, "investigation", investigation, "", v);
                set_sample_field(x, "parent", parent, "", v);
                set_sample_field(x, "metadata", metadata, "", v);
                set_sample_field(x, "pid", pid, "", v);
                v.throw_if_any();
                return x;
            }),
            py::arg("name") = "", py::arg("description") = "", py::arg("formula") = "",
            py::arg("investigation") = py::none(), py::arg("parent") = py::none(), py::arg("metadata") = py::none(),
            py::arg("pid") = py::none())
        .def_readwrite("pid", &Sample::pid, "The PID; empty until the catalogue mints one.")
        .def_readwrite("name", &Sample::name, "The name.")
        .def_readwrite("description", &Sample::description, "Free text.")
        .def_readwrite("formula", &Sample::formula, "The chemical formula or sample type.")
        .def_property(
            "investigation", [](const Sample& x) { return x.investigation; },
            [](Sample& x, const InvestigationRef& value) {
                Violations v;
                set_sample_field(x, "investigation", value, "", v);
                v.throw_if_any();
            },
            "The investigation's PID (or the name it was given by); empty when none. Set it to an "
            ":class:`Investigation`, a PID or a name.")
        .def_property(
            "parent", [](const Sample& x) { return x.parent; },
            [](Sample& x, const SampleRef& value) {
                Violations v;
                set_sample_field(x, "parent", value, "", v);
                v.throw_if_any();
            },
            "The parent sample's PID (or the name it was given by); empty when none. Set it to a "
            ":class:`Sample`, a PID or a name.")
        .def_property(
            "metadata", [](const Sample& x) { return MetadataOut(from_metadata(x.metadata)); },
            [](Sample& x, const MetadataArg& value) {
                Violations v;
                set_sample_field(x, "metadata", value, "", v);
                v.throw_if_any();
            },
            "The metadata as a new dict on every access: changing that dict does not change the sample; "
            "assign a whole mapping to replace it.")
        .def("__eq__", &equal_fields<Sample>, py::arg("other"))
        .def("__repr__", [](const Sample& x) {
            std::string out = "Sample(pid=" + repr_str(x.pid) + ", name=" + repr_str(x.name);
            if (!x.formula.empty()) out += ", formula=" + repr_str(x.formula);
            if (!x.parent.empty()) out += ", parent=" + repr_str(x.parent);
            return out + ", metadata=" + count_keys(x.metadata.size()) + ")";
        });
    add_pickle(
        cls,
        [](const Sample& x) {
            return py::make_tuple(x.pid, x.name, x.description, x.formula, x.investigation, x.parent,
                                  metadata_state(x.metadata));
        },
        [](const py::tuple& state) {
            auto t = state_tuple(state, 7, "Sample");
            Sample x;
            x.pid = t[0].cast<std::string>();
            x.name = t[1].cast<std::string>();
            x.description = t[2].cast<std::string>();
            x.formula = t[3].cast<std::string>();
            x.investigation = t[4].cast<std::string>();
            x.parent = t[5].cast<std::string>();
            x.metadata = metadata_from_state(t[6]);
            return x;
        });
    add_copy(cls);
}
