// Built twice by run_consumer.cmake, once through find_package(datatrail) and once through
// pkg-config, to prove that the installed headers and library are enough to use datatrail.
#include <datatrail/datatrail.hpp>

#include <cmath>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

namespace {

int fail(const std::string& what) {
    std::cerr << "consumer FAILED: " << what << '\n';
    return 1;
}

}  // namespace

int main() {
    try {
        if (std::strcmp(datatrail::version, DATATRAIL_VERSION_STRING) != 0) {
            return fail(std::string("datatrail::version is ") + datatrail::version +
                        ", DATATRAIL_VERSION_STRING is " + DATATRAIL_VERSION_STRING);
        }
#ifdef DATATRAIL_CONSUMER_EXPECTED_VERSION
        if (std::strcmp(datatrail::version, DATATRAIL_CONSUMER_EXPECTED_VERSION) != 0) {
            return fail(std::string("installed headers say version ") + datatrail::version +
                        ", expected " + DATATRAIL_CONSUMER_EXPECTED_VERSION);
        }
#endif

        datatrail::Catalog cat(":memory:");
        datatrail::Dataset d;
        d.name = "consumer";
        d.metadata["energy"] = {12.7, "keV"};
        const std::string pid = cat.register_dataset(d).pid;
        if (pid.empty()) return fail("register_dataset returned an empty PID");

        const datatrail::Dataset back = cat.dataset(pid);
        if (back.name != "consumer") return fail("read back name '" + back.name + "'");
        const auto energy = back.metadata.find("energy");
        if (energy == back.metadata.end()) return fail("read back no 'energy' metadata");
        if (!energy->second.value.is_number() || energy->second.value.as_double() != 12.7 ||
            energy->second.unit != "keV") {
            return fail("read back energy " + energy->second.value.to_string() + " " +
                        energy->second.unit + ", expected 12.7 keV");
        }

        // Schemas read YAML through a private dependency of the library.
        const auto schema = datatrail::parse_schema(
            "name: consumer\nversion: 1\nfields:\n  energy: {type: float, unit: eV, maximum: 20 keV}\n");
        const auto check = datatrail::check_dataset(schema, back);
        if (!check.ok() || check.metadata.at("energy").unit != "eV" || std::abs(check.metadata.at("energy").value.as_double() - 12700.0) > 1e-6)
            return fail("the schema check of energy gave " + check.metadata.at("energy").value.to_string() + " " +
                        check.metadata.at("energy").unit + " and " + std::to_string(check.violations.size()) +
                        " violations");

        std::cout << "consumer ok " << pid << '\n';
        return 0;
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}
