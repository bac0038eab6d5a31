// Dataset: a PROV entity, raw data from an acquisition or processed data made from other datasets.
#include "convert.hpp"
#include "records.hpp"

#include <datatrail/dataset.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace datatrail::python {

Dataset to_dataset(py::handle obj, std::string_view field, Violations& v) {
    return fields::record_or_mapping<records::dataset_table>(
        obj, field, v, "must be a Dataset or a mapping of register_dataset() keywords");
}

}  // namespace datatrail::python

void init_dataset(py::module_& m) {
    auto cls = fields::record_class<records::dataset_table>(m, R"doc(
A dataset, a PROV entity: raw data from an acquisition or processed data made from other
datasets, with its files and typed metadata.

Usually made by :meth:`Catalog.register_dataset`; a Dataset built here can be passed to
:meth:`Catalog.register_datasets`. The keywords are those of :meth:`Catalog.register_dataset`,
plus ``pid`` and ``created_at`` (which the catalogue sets).

Lists and the metadata dict returned by the properties are new objects on every access:
changing them does not change the dataset; assign a whole new value instead.
)doc",
                                                            false);
    fields::bind<records::dataset_table>(cls);
}
