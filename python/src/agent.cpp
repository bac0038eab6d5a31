// Agent: a person, a piece of software or an organisation that bears responsibility for an activity.
#include "convert.hpp"
#include "records.hpp"

#include <datatrail/agent.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace datatrail::python {

AgentType to_agent_type(py::handle obj, std::string_view field, Violations& v) {
    AgentType type = AgentType::person;
    if (!PyUnicode_Check(obj.ptr())) {
        v.add(std::string(field), repr_of(obj), "must be a str: person, software or organisation");
        return type;
    }
    const std::string text = to_str(obj, field, v);
    collect(v, [&] { type = parse_agent_type(text, field); });
    return type;
}

std::string to_agent_ref(py::handle obj, std::string_view field, Violations& v) {
    if (PyUnicode_Check(obj.ptr())) return to_str(obj, field, v);
    if (py::isinstance<Agent>(obj)) {
        const auto& a = obj.cast<const Agent&>();
        return a.pid.empty() ? a.name : a.pid;
    }
    v.add(std::string(field), repr_of(obj), "must be an agent's PID or name (str) or an Agent");
    return {};
}

}  // namespace datatrail::python

void init_agent(py::module_& m) {
    auto cls = fields::record_class<records::agent_table>(m, R"doc(
A PROV agent: a person, a piece of software or an organisation that bears responsibility for
an activity. ``(type, name)`` is unique in a catalogue.

Made by :meth:`Catalog.add_agent`, which checks the fields and mints the PID; wherever an agent
is referred to (``agents=``, :meth:`Catalog.associate`) the object, its PID or its name will do.

)doc",
                                                          true);
    fields::bind<records::agent_table>(cls);
}
