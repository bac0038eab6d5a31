// Agent: a person, a piece of software or an organisation that bears responsibility for an activity.
#include "convert.hpp"

#include <datatrail/agent.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

std::string agent_repr(const Agent& a) {
    std::string out = "Agent(pid=" + repr_str(a.pid) + ", name=" + repr_str(a.name) +
                      ", type=" + repr_str(to_string(a.type));
    if (!a.orcid.empty()) out += ", orcid=" + repr_str(a.orcid);
    if (!a.email.empty()) out += ", email=" + repr_str(a.email);
    if (!a.version.empty()) out += ", version=" + repr_str(a.version);
    if (!a.url.empty()) out += ", url=" + repr_str(a.url);
    return out + ")";
}

}  // namespace

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

bool set_agent_field(Agent& a, std::string_view key, py::handle value, std::string_view prefix, Violations& v) {
    const std::string field = join_field(prefix, key);
    auto text = [&](std::string& target) { target = value.is_none() ? std::string() : to_str(value, field, v); };
    if (key == "pid")
        text(a.pid);
    else if (key == "type")
        a.type = to_agent_type(value, field, v);
    else if (key == "name")
        text(a.name);
    else if (key == "orcid")
        text(a.orcid);
    else if (key == "email")
        text(a.email);
    else if (key == "version")
        text(a.version);
    else if (key == "url")
        text(a.url);
    else
        return false;
    return true;
}

}  // namespace datatrail::python

void init_agent(py::module_& m) {
    py::class_<Agent> cls(m, "Agent", R"doc(
A PROV agent: a person, a piece of software or an organisation that bears responsibility for
an activity. ``(type, name)`` is unique in a catalogue.

Made by :meth:`Catalog.add_agent`, which checks the fields and mints the PID; wherever an agent
is referred to (``agents=``, :meth:`Catalog.associate`) the object, its PID or its name will do.

:param name: e.g. ``"Ada Lovelace"``, ``"pyFAI"``, ``"ESRF"``
:param type: ``"person"``, ``"software"`` or ``"organisation"``
:param orcid: a person's ORCID iD, e.g. ``"0000-0002-1825-0097"`` (its checksum is verified)
:param email: an e-mail address
:param version: a piece of software's version
:param url: a home page, a repository, a ROR id
:param pid: the PID; empty (or None) until the catalogue mints one
)doc");
    cls.def(py::init([](const StrArg& name, const StrArg& type, const StrArg& orcid, const StrArg& email,
                        const StrArg& version, const StrArg& url, const OptStrArg& pid) {
                Agent a;
                Violations v;
                set_agent_field(a, "name", name, "", v);
                set_agent_field(a, "type", type, "", v);
                set_agent_field(a, "orcid", orcid, "", v);
                set_agent_field(a, "email", email, "", v);
                set_agent_field(a, "version", version, "", v);
                set_agent_field(a, "url", url, "", v);
                set_agent_field(a, "pid", pid, "", v);
                v.throw_if_any();
                return a;
            }),
            py::arg("name") = "", py::arg("type") = "person", py::kw_only(), py::arg("orcid") = "",
            py::arg("email") = "", py::arg("version") = "", py::arg("url") = "", py::arg("pid") = py::none())
        .def_readwrite("pid", &Agent::pid, "The PID; empty until the catalogue mints one.")
        .def_property(
            "type", [](const Agent& a) { return std::string(to_string(a.type)); },
            [](Agent& a, const StrArg& value) {
                Violations v;
                set_agent_field(a, "type", value, "", v);
                v.throw_if_any();
            },
            "``\"person\"``, ``\"software\"`` or ``\"organisation\"``.")
        .def_readwrite("name", &Agent::name, "The name; unique among agents of the same type.")
        .def_readwrite("orcid", &Agent::orcid, "A person's ORCID iD; empty when none.")
        .def_readwrite("email", &Agent::email, "An e-mail address; empty when none.")
        .def_readwrite("version", &Agent::version, "A piece of software's version; empty when none.")
        .def_readwrite("url", &Agent::url, "A home page, repository or ROR id; empty when none.")
        .def("__eq__", &equal_fields<Agent>, py::arg("other"))
        .def("__repr__", &agent_repr);
    add_pickle(
        cls,
        [](const Agent& a) {
            return py::make_tuple(a.pid, std::string(to_string(a.type)), a.name, a.orcid, a.email, a.version, a.url);
        },
        [](const py::tuple& state) {
            auto t = state_tuple(state, 7, "Agent");
            Agent a;
            a.pid = t[0].cast<std::string>();
            a.type = parse_agent_type(t[1].cast<std::string>());
            a.name = t[2].cast<std::string>();
            a.orcid = t[3].cast<std::string>();
            a.email = t[4].cast<std::string>();
            a.version = t[5].cast<std::string>();
            a.url = t[6].cast<std::string>();
            return a;
        });
    add_copy(cls);
}
