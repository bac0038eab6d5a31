// Investigation (proposal, beamtime, experiment session) and its Participants.
#include "convert.hpp"

#include <datatrail/investigation.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

constexpr const char* participant_keys = "name, role, orcid, email";

bool set_participant_field(Participant& p, std::string_view key, py::handle value, std::string_view prefix,
                           Violations& v) {
    const std::string field = join_field(prefix, key);
    std::string* target = key == "name"    ? &p.name
                          : key == "role"  ? &p.role
                          : key == "orcid" ? &p.orcid
                          : key == "email" ? &p.email
                                           : nullptr;
    if (target == nullptr) return false;
    *target = value.is_none() ? std::string() : to_str(value, field, v);
    return true;
}

std::string participant_repr(const Participant& p) {
    std::string out = "Participant(name=" + repr_str(p.name);
    if (!p.role.empty()) out += ", role=" + repr_str(p.role);
    if (!p.orcid.empty()) out += ", orcid=" + repr_str(p.orcid);
    if (!p.email.empty()) out += ", email=" + repr_str(p.email);
    return out + ")";
}

py::tuple participant_state(const Participant& p) { return py::make_tuple(p.name, p.role, p.orcid, p.email); }

Participant participant_from_state(py::handle state) {
    auto t = state_tuple(state, 4, "Participant");
    return Participant{t[0].cast<std::string>(), t[1].cast<std::string>(), t[2].cast<std::string>(),
                       t[3].cast<std::string>()};
}

template <class Field>
auto time_property(Field field, const char* name) {
    return std::make_pair([field](const Investigation& x) { return OptDateTimeOut(from_opt_time(x.*field)); },
                          [name](Investigation& x, const OptTimeArg& value) {
                              Violations v;
                              set_investigation_field(x, name, value, "", v);
                              v.throw_if_any();
                          });
}

}  // namespace

namespace datatrail::python {

Participant to_participant(py::handle obj, std::string_view field, Violations& v) {
    if (py::isinstance<Participant>(obj)) return obj.cast<const Participant&>();
    if (PyDict_Check(obj.ptr()) || (py::hasattr(obj, "items") && py::hasattr(obj, "keys"))) {
        Participant p;
        for (py::handle pair : obj.attr("items")()) {
            py::tuple kv = py::reinterpret_borrow<py::tuple>(pair);
            if (!PyUnicode_Check(kv[0].ptr())) {
                v.add(join_field(field, repr_of(kv[0])), repr_of(kv[0]),
                      std::string("participant keys must be str: ") + participant_keys);
                continue;
            }
            const std::string key = kv[0].cast<std::string>();
            if (!set_participant_field(p, key, kv[1], field, v))
                v.add(join_field(field, key), repr_of(kv[1]),
                      std::string("is not a participant field; known: ") + participant_keys);
        }
        return p;
    }
    v.add(std::string(field), repr_of(obj), "must be a Participant or a mapping with keys name, role, orcid, email");
    return {};
}

std::vector<Participant> to_participants(py::handle obj, std::string_view field, Violations& v) {
    std::vector<Participant> out;
    if (obj.is_none()) return out;
    // A lone participant is one, not an iterable of keys.
    if (py::isinstance<Participant>(obj) || PyDict_Check(obj.ptr())) {
        out.push_back(to_participant(obj, join_field(field, "[0]"), v));
        return out;
    }
    if (PyUnicode_Check(obj.ptr())) {
        v.add(std::string(field), repr_of(obj), "must be an iterable of Participant objects or mappings");
        return out;
    }
    for_each_item(obj, field, "must be an iterable of Participant objects or mappings", v,
                  [&](py::handle item, const std::string& f) { out.push_back(to_participant(item, f, v)); });
    return out;
}

bool set_investigation_field(Investigation& x, std::string_view key, py::handle value, std::string_view prefix,
                             Violations& v) {
    const std::string field = join_field(prefix, key);
    auto text = [&](std::string& target) { target = value.is_none() ? std::string() : to_str(value, field, v); };
    if (key == "pid")
        text(x.pid);
    else if (key == "name")
        text(x.name);
    else if (key == "title")
        text(x.title);
    else if (key == "summary")
        text(x.summary);
    else if (key == "start_time")
        x.start_time = to_opt_time(value, field, v);
    else if (key == "end_time")
        x.end_time = to_opt_time(value, field, v);
    else if (key == "instrument")
        x.instrument = to_ref(value, RefKind::instrument, field, v);
    else if (key == "participants")
        x.participants = to_participants(value, field, v);
    else if (key == "release_date")
        x.release_date = to_opt_time(value, field, v);
    else if (key == "doi")
        text(x.doi);
    else
        return false;
    return true;
}

}  // namespace datatrail::python

void init_investigation(py::module_& m) {
    py::class_<Participant> participant(m, "Participant", R"doc(
A person taking part in an investigation.

Wherever participants are accepted a dict with these keys does as well.

:param name: the person's name
:param role: free text; ``"PI"``, ``"co-investigator"``, ``"local contact"`` are usual
:param orcid: optional, e.g. ``"0000-0002-1825-0097"``; its checksum is verified when stored
:param email: optional
)doc");
    participant
        .def(py::init([](const StrArg& name, const StrArg& role, const StrArg& orcid, const StrArg& email) {
                 Participant p;
                 Violations v;
                 set_participant_field(p, "name", name, "", v);
                 set_participant_field(p, "role", role, "", v);
                 set_participant_field(p, "orcid", orcid, "", v);
                 set_participant_field(p, "email", email, "", v);
                 v.throw_if_any();
                 return p;
             }),
             py::arg("name") = "", py::arg("role") = "", py::arg("orcid") = "", py::arg("email") = "")
        .def_readwrite("name", &Participant::name, "The person's name.")
        .def_readwrite("role", &Participant::role, "The role, e.g. ``\"PI\"``.")
        .def_readwrite("orcid", &Participant::orcid, "The ORCID iD, e.g. ``\"0000-0002-1825-0097\"``; optional.")
        .def_readwrite("email", &Participant::email, "The e-mail address; optional.")
        .def("__eq__", &equal_fields<Participant>, py::arg("other"))
        .def("__repr__", &participant_repr);
    add_pickle(participant, &participant_state, [](const py::tuple& state) { return participant_from_state(state); });
    add_copy(participant);

    py::class_<Investigation> cls(m, "Investigation", R"doc(
A proposal, beamtime or experiment session. The name (e.g. the proposal number) is unique in a
catalogue.

Made by :meth:`Catalog.add_investigation`, which mints the PID; wherever an investigation is
referred to (``investigation=``) the object, its PID or its name will do.

:param name: e.g. the proposal number ``"ma1234"``
:param title: the title
:param summary: the abstract
:param start_time: the start (see :meth:`Catalog.add_investigation` for accepted times)
:param end_time: the end
:param instrument: the instrument: an :class:`Instrument`, its PID or its name
:param participants: :class:`Participant` objects or dicts with their keys
:param release_date: the end of the embargo
:param doi: optional, ``"10.<registrant>/<suffix>"``
:param pid: the PID; empty (or None) until the catalogue mints one
)doc");
    cls.def(
           py::init([](const StrArg& name, const StrArg& title, const StrArg& summary, const OptTimeArg& start_time,
                       const OptTimeArg& end_time, const InstrumentRef& instrument, const ParticipantsArg& participants,
                       const OptTimeArg& release_date, const StrArg& doi, const OptStrArg& pid) {
               Investigation x;
               Violations v;
               set_investigation_field(x, "name", name, "", v);
               set_investigation_field(x, "title", title, "", v);
               set_investigation_field(x, "summary", summary, "", v);
               set_investigation_field(x, "start_time", start_time, "", v);
               set_investigation_field(x, "end_time", end_time, "", v);
               set_investigation_field(x, "instrument", instrument, "", v);
               set_investigation_field(x, "participants", participants, "", v);
               set_investigation_field(x, "release_date", release_date, "", v);
               set_investigation_field(x, "doi", doi, "", v);
               set_investigation_field(x, "pid", pid, "", v);
               v.throw_if_any();
               return x;
           }),
           py::arg("name") = "", py::arg("title") = "", py::arg("summary") = "", py::arg("start_time") = py::none(),
           py::arg("end_time") = py::none(), py::arg("instrument") = py::none(), py::arg("participants") = py::tuple(),
           py::arg("release_date") = py::none(), py::arg("doi") = "", py::arg("pid") = py::none())
        .def_readwrite("pid", &Investigation::pid, "The PID; empty until the catalogue mints one.")
        .def_readwrite("name", &Investigation::name, "The name, e.g. the proposal number; unique in a catalogue.")
        .def_readwrite("title", &Investigation::title, "The title.")
        .def_readwrite("summary", &Investigation::summary, "The abstract.");
    {
        auto [get, set] = time_property(&Investigation::start_time, "start_time");
        cls.def_property("start_time", get, set, "The start (an aware datetime in UTC), or None.");
    }
    {
        auto [get, set] = time_property(&Investigation::end_time, "end_time");
        cls.def_property("end_time", get, set, "The end (an aware datetime in UTC), or None.");
    }
    cls.def_property(
           "instrument", [](const Investigation& x) { return x.instrument; },
           [](Investigation& x, const InstrumentRef& value) {
               Violations v;
               set_investigation_field(x, "instrument", value, "", v);
               v.throw_if_any();
           },
           "The instrument's PID (or the name it was given by); empty when none. Set it to an "
           ":class:`Instrument`, a PID or a name.")
        .def_property(
            "participants", [](const Investigation& x) { return x.participants; },
            [](Investigation& x, const ParticipantsArg& value) {
                Violations v;
                set_investigation_field(x, "participants", value, "", v);
                v.throw_if_any();
            },
            "The participants. A new list on every access: change it by assigning a new sequence.");
    {
        auto [get, set] = time_property(&Investigation::release_date, "release_date");
        cls.def_property("release_date", get, set, "The end of the embargo (an aware datetime in UTC), or None.");
    }
    cls.def_readwrite("doi", &Investigation::doi, "The DOI, ``\"10.<registrant>/<suffix>\"``; optional.")
        .def("__eq__", &equal_fields<Investigation>, py::arg("other"))
        .def("__repr__", [](const Investigation& x) {
            std::string out = "Investigation(pid=" + repr_str(x.pid) + ", name=" + repr_str(x.name);
            if (!x.title.empty()) out += ", title=" + repr_str(x.title);
            if (!x.instrument.empty()) out += ", instrument=" + repr_str(x.instrument);
            return out + ", participants=" + std::to_string(x.participants.size()) + ")";
        });
    add_pickle(
        cls,
        [](const Investigation& x) {
            py::list participants;
            for (const auto& p : x.participants) participants.append(participant_state(p));
            return py::make_tuple(x.pid, x.name, x.title, x.summary, time_state(x.start_time), time_state(x.end_time),
                                  x.instrument, participants, time_state(x.release_date), x.doi);
        },
        [](const py::tuple& state) {
            auto t = state_tuple(state, 10, "Investigation");
            Investigation x;
            x.pid = t[0].cast<std::string>();
            x.name = t[1].cast<std::string>();
            x.title = t[2].cast<std::string>();
            x.summary = t[3].cast<std::string>();
            x.start_time = time_from_state(t[4]);
            x.end_time = time_from_state(t[5]);
            x.instrument = t[6].cast<std::string>();
            for (py::handle p : t[7]) x.participants.push_back(participant_from_state(p));
            x.release_date = time_from_state(t[8]);
            x.doi = t[9].cast<std::string>();
            return x;
        });
    add_copy(cls);
}
