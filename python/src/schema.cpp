// Metadata schemas: Schema, SchemaField and SchemaReport, parse_schema()/load_schema(), and the
// Catalog's schema methods (add_schema, schema, schemas, validate).
#include "convert.hpp"
#include "display.hpp"

#include <datatrail/schema.hpp>

#include <filesystem>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

DATATRAIL_PY_HINT(SchemaArg, "datatrail._core.Schema | str | os.PathLike[str]")
DATATRAIL_PY_HINT(OptStrsArg, "collections.abc.Iterable[str] | None")
DATATRAIL_PY_HINT(OptQuantityOut, "datatrail._quantity.Quantity | None")
DATATRAIL_PY_HINT(AllowedOut, "list[typing.Any]")
DATATRAIL_PY_HINT(ScopeOut, "dict[str, list[str]]")

namespace {

py::object quantity_out(const std::optional<Quantity>& q) {
    if (!q) return py::none();
    return quantity_class()(q->value, q->unit);
}

std::string str_arg(const StrArg& obj, const char* field) {
    Violations v;
    auto s = to_str(obj, field, v);
    v.throw_if_any();
    return s;
}

// A Schema, a YAML file's path, or YAML text: a str holding no line break that names a file or
// ends in .yaml/.yml is a path.
Schema to_schema(py::handle obj) {
    if (py::isinstance<Schema>(obj)) return obj.cast<Schema>();
    if (PyUnicode_Check(obj.ptr())) {
        const auto text = obj.cast<std::string>();
        const bool one_line = text.find('\n') == std::string::npos;
        const auto ends = [&](std::string_view suffix) { return text.ends_with(suffix); };
        if (one_line && (ends(".yaml") || ends(".yml") || std::filesystem::is_regular_file(text))) return load_schema(text);
        return parse_schema(text, "<text>");
    }
    Violations v;
    const auto path = to_path(obj, "schema", v);
    if (!v.empty())
        throw ValidationError({{"schema", repr_of(obj), "must be a Schema, YAML text or the path of a YAML file"}});
    return load_schema(path);
}

std::string field_repr(const SchemaField& f) {
    std::string out = "SchemaField(" + repr_str(f.key) + ", " + repr_str(to_string(f.type));
    if (!f.unit.empty()) out += ", unit=" + repr_str(f.unit);
    if (!f.dimension.empty()) out += ", dimension=" + repr_str(f.dimension);
    if (f.is_required()) out += ", required=True";
    return out + ")";
}

}  // namespace

void init_schema(py::module_& m) {
    py::class_<SchemaField>(m, "SchemaField", R"doc(
The rules of one metadata key in a :class:`Schema` (read-only; see docs/schemas.md).
)doc")
        .def_property_readonly("key", [](const SchemaField& f) { return f.key; }, "The metadata key, e.g. ``\"detector.distance\"``.")
        .def_property_readonly(
            "type", [](const SchemaField& f) { return std::string(to_string(f.type)); },
            "``\"string\"``, ``\"integer\"``, ``\"float\"``, ``\"bool\"``, ``\"datetime\"``, ``\"enum\"``, ``\"array\"`` or ``\"json\"``.")
        .def_property_readonly(
            "element_type",
            [](const SchemaField& f) -> std::optional<std::string> {
                if (!f.element_type) return std::nullopt;
                return std::string(to_string(*f.element_type));
            },
            "An array's element type, else None.")
        .def_property_readonly("shape", [](const SchemaField& f) { return f.shape; }, "An array's shape (-1: any length); empty: any.")
        .def_property_readonly("unit", [](const SchemaField& f) { return f.unit; }, "Values are stored converted into this unit.")
        .def_property_readonly("dimension", [](const SchemaField& f) { return f.dimension; }, "Any unit of this dimension is accepted, stored as entered.")
        .def_property_readonly("required", &SchemaField::is_required, "Whether a dataset must have the key.")
        .def_property_readonly(
            "default",
            [](const SchemaField& f) {
                return AnyOut(f.default_value ? from_metadata_value(*f.default_value) : py::none());
            },
            "The value filled in when the key is missing, else None.")
        .def_property_readonly("minimum", [](const SchemaField& f) { return OptQuantityOut(quantity_out(f.minimum)); },
                               "The smallest value allowed, as a :class:`Quantity`, else None.")
        .def_property_readonly("maximum", [](const SchemaField& f) { return OptQuantityOut(quantity_out(f.maximum)); },
                               "The largest value allowed, as a :class:`Quantity`, else None.")
        .def_property_readonly(
            "allowed",
            [](const SchemaField& f) {
                py::list out;
                for (const auto& a : f.allowed) out.append(from_metadata_value(a));
                return AllowedOut(std::move(out));
            },
            "The values allowed; empty: any.")
        .def_property_readonly("pattern", [](const SchemaField& f) { return f.pattern; }, "A regular expression the whole text must match.")
        .def_property_readonly("description", [](const SchemaField& f) { return f.description; }, "What the key means.")
        .def_property_readonly("nexus_path", [](const SchemaField& f) { return f.nexus_path; }, "Where the key goes in a NeXus file.")
        .def("__eq__", &equal_fields<SchemaField>, py::arg("other"))
        .def("__repr__", &field_repr);

    py::class_<Schema> schema(m, "Schema", R"doc(
A metadata schema: named, versioned rules for a dataset's metadata (docs/schemas.md).

Made by :func:`parse_schema` or :func:`load_schema`, stored with :meth:`Catalog.add_schema`;
the catalogue returns schemas flattened (the fields of the schemas they extend included).
)doc");
    def_repr_html(schema, "schema_html");
    schema.def_property_readonly("name", [](const Schema& s) { return s.name; }, "The name, e.g. ``\"mx\"``.")
        .def_property_readonly("version", [](const Schema& s) { return s.version; }, "The version, e.g. ``\"1.2\"``.")
        .def_property_readonly("id", &Schema::id, "``\"name@version\"``.")
        .def_property_readonly("description", [](const Schema& s) { return s.description; }, "What it is for.")
        .def_property_readonly("strict", &Schema::is_strict,
                               "True: a dataset that breaks a rule is refused; False: kept, marked invalid.")
        .def_property_readonly("additional", &Schema::allows_additional, "Whether keys that are no field are allowed.")
        .def_property_readonly("extends", [](const Schema& s) { return s.extends; },
                               "The schema it extends, as written; empty once flattened.")
        .def_property_readonly("inherits", [](const Schema& s) { return s.inherits; },
                               "The schemas flattened into it, nearest first (``\"base@1.0\"``).")
        .def_property_readonly(
            "applies_to",
            [](const Schema& s) {
                py::dict out;
                py::list kinds;
                for (const auto k : s.applies_to.kinds) kinds.append(std::string(to_string(k)));
                out["kinds"] = kinds;
                out["techniques"] = py::cast(s.applies_to.techniques);
                out["instruments"] = py::cast(s.applies_to.instruments);
                return ScopeOut(std::move(out));
            },
            "The kinds, techniques and instruments it applies to; an empty list: any.")
        .def_property_readonly("fields", [](const Schema& s) { return s.fields; }, "The fields, as :class:`SchemaField` objects.")
        .def_property_readonly("source", [](const Schema& s) { return s.source; }, "The YAML text it was read from.")
        .def_property_readonly("source_name", [](const Schema& s) { return s.source_name; }, "The file it was read from.")
        .def(
            "field",
            [](const Schema& s, const std::string& key) -> std::optional<SchemaField> {
                if (const auto* f = s.field(key)) return *f;
                return std::nullopt;
            },
            py::arg("key"), "The field of ``key``, else None.")
        .def(
            "check",
            [](const Schema& s, const ObjectArg& dataset) {
                Violations v;
                const auto d = to_dataset(dataset, "dataset", v);
                v.throw_if_any();
                return check_dataset(s, d).violations;
            },
            py::arg("dataset"), R"doc(
The rules a dataset breaks, without a catalogue: a list of :class:`Violation` (empty: none).

:param dataset: a :class:`Dataset` or a mapping of :meth:`Catalog.register_dataset` keywords
:raises Error: for a schema that still extends another (use the catalogue's flattened schema)
)doc")
        .def("__eq__", &equal_fields<Schema>, py::arg("other"))
        .def("__repr__", [](const Schema& s) {
            return "Schema(" + repr_str(s.id()) + ", " + std::to_string(s.fields.size()) +
                   (s.fields.size() == 1 ? " field, " : " fields, ") + (s.is_strict() ? "strict" : "lenient") + ")";
        });

    py::class_<SchemaReport> report(m, "SchemaReport", "What :meth:`Catalog.validate` found for one dataset.");
    def_repr_html(report, "schema_report_html");
    report.def_readonly("dataset", &SchemaReport::dataset, "The dataset's PID.")
        .def_readonly("schema", &SchemaReport::schema, "The schema checked against (``\"name@version\"``); empty: none.")
        .def_readonly("violations", &SchemaReport::violations, "The rules it breaks, as :class:`Violation` objects.")
        .def_property_readonly("ok", &SchemaReport::ok, "True when it breaks none.")
        .def("__eq__", &equal_fields<SchemaReport>, py::arg("other"))
        .def("__repr__", [](const SchemaReport& r) {
            return "SchemaReport(dataset=" + repr_str(r.dataset) + ", schema=" + repr_str(r.schema) +
                   ", violations=" + std::to_string(r.violations.size()) + ")";
        });

    m.def(
        "parse_schema",
        [](const StrArg& text, const StrArg& source_name) {
            return parse_schema(str_arg(text, "text"), str_arg(source_name, "source_name"));
        },
        py::arg("text"), py::arg("source_name") = "<schema>", R"doc(
Read a schema from YAML text (format: docs/schemas.md).

:param text: the YAML
:param source_name: how errors name the text, e.g. a file name
:raises ValidationError: naming ``<source_name>:<line>:<column>: <path>`` for each problem
)doc");
    m.def(
        "load_schema",
        [](const PathArg& path) {
            Violations v;
            const auto p = to_path(path, "path", v);
            v.throw_if_any();
            return load_schema(p);
        },
        py::arg("path"), R"doc(
Read a schema from a YAML file.

:raises ValidationError: naming the file, line and column of each problem, or a file that cannot be read
)doc");
}

void init_catalog_schemas(py::module_& m) {
    auto cls = py::reinterpret_borrow<py::class_<CatalogHandle>>(m.attr("Catalog"));
    cls.def(
           "add_schema",
           [](const CatalogHandle& self, const SchemaArg& schema) {
               const auto s = to_schema(schema);
               return without_gil(self, [&](Catalog& c) { return c.add_schema(s); });
           },
           py::arg("schema"), R"doc(
Store a metadata schema, versioned; datasets then name it with ``schema="mx"`` (the latest
version) or ``schema="mx@1.2"``.

>>> cat.add_schema("examples/schemas/mx.yaml")
Schema('mx@1.0', 25 fields, strict)

:param schema: a :class:`Schema`, the path of a YAML file, or YAML text (a str without a line
    break that ends in ``.yaml``/``.yml`` or names a file is a path)
:returns: the schema as the catalogue applies it, flattened
:raises ValidationError: for a malformed schema (file, line, column and rule), or when the schema it
    extends is not in the catalogue
:raises Conflict: when its name and version are taken by a schema with other content
)doc")
        .def(
            "schema",
            [](const CatalogHandle& self, const StrArg& name) {
                const auto n = str_arg(name, "name");
                return without_gil(self, [&](Catalog& c) { return c.schema(n); });
            },
            py::arg("name"), R"doc(
The schema ``"mx"`` (its latest version) or ``"mx@1.2"``, flattened.

:raises NotFound: when the catalogue lacks it
)doc")
        .def(
            "schemas", [](const CatalogHandle& self) { return without_gil(self, [](Catalog& c) { return c.schemas(); }); },
            "Every version of every schema, flattened, by name and version.")
        .def(
            "validate",
            [](const CatalogHandle& self, const QueryArg& query, const OptStrsArg& pids, const OptStrArg& schema,
               bool record) {
                Violations v;
                std::string s;
                if (!schema.is_none()) s = to_str(schema, "schema", v);
                if (!pids.is_none()) {
                    if (!query.is_none()) v.add("pids", repr_of(pids), "give a query or PIDs, not both");
                    std::vector<std::string> list;
                    for_each_item(pids, "pids", "must be an iterable of dataset PIDs", v,
                                  [&](py::handle item, const std::string& field) { list.push_back(to_str(item, field, v)); });
                    v.throw_if_any();
                    return without_gil(self, [&](Catalog& c) { return c.validate(list, s, record); });
                }
                DatasetQuery q;
                q.filter = to_filter(query, v);
                v.throw_if_any();
                return without_gil(self, [&](Catalog& c) { return c.validate(q, s, record); });
            },
            py::arg("query") = py::none(), py::kw_only(), py::arg("pids") = py::none(), py::arg("schema") = py::none(),
            py::arg("record") = false, R"doc(
Check datasets again, each against the schema it names, or against ``schema`` when given.

>>> [r for r in cat.validate("technique == MX", schema="mx@2.0") if not r.ok]

:param query: the datasets, as for :meth:`find_datasets` (None: all), or
:param pids: their PIDs
:param schema: ``"mx"`` or ``"mx@1.2"`` to check against instead of each dataset's own
:param record: store each result with its dataset (schema, valid, violations; the metadata is left
    as it is); otherwise nothing is written
:returns: one :class:`SchemaReport` per dataset, in order
:raises NotFound: when ``schema`` is not in the catalogue
:raises ValidationError: for a PID that names no dataset
)doc");
}
