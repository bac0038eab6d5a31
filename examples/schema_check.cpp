// Checks an MX data collection against the example schema mx@1.0 (examples/schemas/mx.yaml, which
// extends common@1.0): loads the schemas of a folder, flattens mx@1.0 and prints what the check
// finds and what it would store.
//
// Run: schema_check [folder of schemas, default examples/schemas]
#include <datatrail/schema.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>

namespace fs = std::filesystem;

// Every schema in `folder`, by id ("mx@1.0").
std::map<std::string, datatrail::Schema> load_folder(const fs::path& folder) {
    std::map<std::string, datatrail::Schema> schemas;
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.path().extension() == ".yaml") {
            auto schema = datatrail::load_schema(entry.path());
            schemas.emplace(schema.id(), std::move(schema));
        }
    return schemas;
}

int main(int argc, char** argv) {
    try {
        const auto known = load_folder(argc > 1 ? argv[1] : "examples/schemas");
        // [snippet:check]
        // Finds a parent schema by name and version; without a version, the latest.
        const auto lookup = [&](const std::string& name, const std::string& version) -> std::optional<datatrail::Schema> {
            std::optional<datatrail::Schema> found;
            for (const auto& [id, s] : known)
                if (s.name == name && (version.empty() ? !found || datatrail::compare_schema_versions(s.version, found->version) > 0
                                                       : s.version == version))
                    found = s;
            return found;
        };
        const datatrail::Schema mx = datatrail::resolve_schema(known.at("mx@1.0"), lookup);

        datatrail::Dataset scan;
        scan.name = "lyso_cryo_01";
        scan.techniques = {"MX"};
        scan.instrument = "P11";
        scan.metadata = {
            {"start_time", "2025-11-21T09:14:03Z"},
            {"sample.name", "HEWL tetragonal"},
            {"source.name", "PETRA III"},
            {"beam.wavelength", {0.10332, "nm"}},
            {"detector.distance", 250.0},  // no unit: a violation
            {"detector.sensor_material", "Si"},
            {"detector.sensor_thickness", {0.45, "mm"}},
        };
        const datatrail::SchemaCheck check = datatrail::check_dataset(mx, scan);
        for (const auto& v : check.violations) std::cout << v.field << " = '" << v.value << "': " << v.rule << '\n';
        std::cout << (check.accepted() ? "accepted" : "refused") << " by " << mx.id() << '\n';

        // What would be stored: values in the schema's units, defaults filled in.
        for (const char* key : {"beam.wavelength", "detector.sensor_thickness", "sample.temperature"}) {
            const datatrail::MetadataValue& v = check.metadata.at(key);
            std::cout << key << " = " << v.value.as_double() << ' ' << v.unit << '\n';
        }
        // [snippet:check]
    } catch (const datatrail::Error& e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
    return 0;
}
