// Investigation (proposal, beamtime, experiment session) and its Participants.
#include "convert.hpp"
#include "records.hpp"

#include <datatrail/investigation.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace datatrail::python {

Participant to_participant(py::handle obj, std::string_view field, Violations& v) {
    using table = records::participant_table;
    static const std::string rule = "must be a Participant or a mapping with keys " + fields::known_keys<table>();
    return fields::record_or_mapping<table>(obj, field, v, rule.c_str());
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

}  // namespace datatrail::python

void init_investigation(py::module_& m) {
    auto participant = fields::record_class<records::participant_table>(m, R"doc(
A person taking part in an investigation.

Wherever participants are accepted a dict with these keys does as well.

)doc",
                                                                        true);
    fields::bind<records::participant_table>(participant);

    auto cls = fields::record_class<records::investigation_table>(m, R"doc(
A proposal, beamtime or experiment session. The name (e.g. the proposal number) is unique in a
catalogue.

Made by :meth:`Catalog.add_investigation`, which mints the PID; wherever an investigation is
referred to (``investigation=``) the object, its PID or its name will do.

)doc",
                                                                  true);
    fields::bind<records::investigation_table>(cls);
}
