// The datatrail._core extension module: each public header is bound by its own init_<concept>().
#include "convert.hpp"

#include <datatrail/version.hpp>

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
    m.doc() = R"doc(
The compiled core of datatrail: the catalogue, its records, provenance (agents, activities,
lineage graphs and their PROV exports), metadata conversion, units, file-system checks, NeXus
files and the error classes.
Import :mod:`datatrail` instead; it re-exports all of this.
)doc";
    m.attr("__version__") = datatrail::version;

    // Classes first (and in dependency order): a signature names a class only if it is
    // registered when the signature is built.
    init_errors(m);
    init_time(m);
    init_units(m);
    init_metadata(m);
    init_pid(m);
    init_datafile(m);
    init_instrument(m);
    init_investigation(m);
    init_sample(m);
    init_dataset(m);
    init_schema(m);
    init_query(m);
    init_agent(m);
    init_activity(m);
    init_lineage(m);
    init_prov(m);
    init_catalog(m);
    init_catalog_schemas(m);
    init_catalog_provenance(m);
    init_merge(m);
    init_file_system(m);
    init_nexus(m);
    init_nexus_stream(m);
    init_nexus_read(m);
    init_ingest(m);
}
