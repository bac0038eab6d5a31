// What a strict metadata schema costs at registration: Catalog::register_datasets of N datasets
// that name a 20-field strict schema (a), against the same datasets without one (b), each into a
// fresh catalogue, rounds interleaved in one process. The design's budget: the rate of (a) at
// least 0.7 of the rate of (b).
//
// Both sides store 22 values per dataset. (a) gives 20 and the schema fills in its two defaults;
// (b) gives the same 20 plus the two defaulted keys with the defaults' values. What still
// differs is the schema's work itself: (a) stores the values converted into the schema's units
// (the datasets give some in other units on purpose) and each dataset's schema id and validity.
// The catalogues of both sides hold the schema, added before the clock starts, so that the only
// difference between them is Dataset::schema.
//
// The check alone, check_dataset on the same datasets in memory, is timed in the same rounds, so
// that its share of (a)'s time says how much of the cost is the check and how much the rest of
// registering with a schema. So are both sides registering one dataset per call, (a1) and (b1),
// where what a call costs besides its datasets weighs most.
#include <datatrail/catalog.hpp>
#include <datatrail/error.hpp>
#include <datatrail/schema.hpp>
#include <datatrail/time.hpp>
#include <datatrail/units.hpp>
#include <datatrail/version.hpp>

#include "bench_support.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;
using namespace datatrail;
using namespace bench;

namespace {

constexpr double ratio_target = 0.7;  // rate with the schema / rate without
constexpr std::string_view investigation_name = "bench-schema";
constexpr std::string_view schema_ref = "bench-mx";  // as a user names it: the latest version

// A raw MX rotation scan as one beamline's acquisition describes it. Bounds are written in other
// units than their fields' on purpose (eV and MeV on a keV field, A on mA, m and cm on mm), as a
// schema's author copies them from a specification.
constexpr std::string_view schema_yaml = R"(name: bench-mx
version: "1.0"
description: Raw rotation scans of one MX beamline, for the schema benchmark.
applies_to:
  kinds: [raw]
  techniques: [MX]
strict: true
fields:
  sample.name:
    type: string
    required: true
    pattern: "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
    nexus_path: /entry/sample/name
  proposal:
    type: string
    required: true
    pattern: "(MX|IH|BAG)-[0-9]{4,6}"
    nexus_path: /entry/experiment_identifier
  start_time:
    type: datetime
    required: true
    nexus_path: /entry/start_time
  beam.energy:
    type: float
    unit: keV
    required: true
    minimum: 4000 eV
    maximum: 0.03 MeV
    nexus_path: /entry/instrument/beam/incident_energy
  beam.current:
    type: float
    unit: mA
    required: true
    minimum: 0 A
    maximum: 0.5 A
    nexus_path: /entry/instrument/source/current
  beam.size:
    type: array
    element_type: float
    shape: [2]
    unit: um
    required: true
    minimum: 0.1 um
    maximum: 1 mm
    nexus_path: /entry/instrument/beam/incident_beam_size
  beam.profile:
    type: enum
    allowed: [Gaussian, Airy, top-hat, rectangular]
    required: true
    nexus_path: /entry/instrument/beam/profile
  detector.distance:
    type: float
    unit: mm
    required: true
    minimum: 5 cm
    maximum: 1.5 m
    nexus_path: /entry/instrument/detector/distance
  detector.count_time:
    type: float
    unit: s
    required: true
    minimum: 1 us
    maximum: 10 s
    nexus_path: /entry/instrument/detector/count_time
  detector.threshold_energy:
    type: float
    dimension: energy
    required: true
    minimum: 2 keV
    maximum: 50 keV
    nexus_path: /entry/instrument/detector/threshold_energy
  detector.frames:
    type: integer
    required: true
    minimum: 1
    maximum: 100000
    nexus_path: /entry/instrument/detector/frames
  detector.bit_depth:
    type: integer
    required: true
    allowed: [8, 12, 16, 32]
    nexus_path: /entry/instrument/detector/bit_depth_readout
  detector.serial:
    type: string
    required: true
    pattern: "E-[0-9]{2}-[0-9]{4}"
    nexus_path: /entry/instrument/detector/serial_number
  goniometer.omega_start:
    type: float
    unit: deg
    required: true
    minimum: -180 deg
    maximum: 180 deg
    nexus_path: /entry/sample/transformations/omega
  goniometer.omega_range:
    type: float
    unit: deg
    required: true
    minimum: 0.1 deg
    maximum: 720 deg
    nexus_path: /entry/sample/transformations/omega_range
  attenuator.transmission:
    type: float
    dimension: dimensionless
    required: true
    minimum: 0
    maximum: 1
    nexus_path: /entry/instrument/attenuator/attenuator_transmission
  scan.number:
    type: integer
    required: true
    minimum: 1
    maximum: 9999
    nexus_path: /entry/entry_identifier_number
  shutter.open:
    type: bool
    required: true
  sample.temperature:
    type: float
    unit: K
    default: 100 K
    minimum: 0 K
    maximum: 400 K
    nexus_path: /entry/sample/temperature
  detector.flatfield_applied:
    type: bool
    default: true
    nexus_path: /entry/instrument/detector/flatfield_applied
)";

// The two keys the datasets of (a) leave out, and the values (b) gives them: the defaults.
const Metadata& defaulted() {
    static const Metadata values = {
        {"sample.temperature", {100.0, "K"}},
        {"detector.flatfield_applied", {true}},
    };
    return values;
}

constexpr std::string_view usage =
    "usage: bench_schema [--engine sqlite|postgres] [--uri URI] [--datasets N] [--batch B] [--repeat R]\n"
    "                    [--single N] [--only SIDE] [--write-docs] [--docs PATH]\n"
    "  --engine E     sqlite (default): a fresh catalogue file per run; postgres: a fresh database per run\n"
    "                 on the server at --uri\n"
    "  --uri URI      PostgreSQL: a libpq URI of a role that may create databases\n"
    "                 (default: $DATATRAIL_TEST_POSTGRES, which scripts/with-postgres.sh sets)\n"
    "  --datasets N   datasets registered per run (default 20000)\n"
    "  --batch B      datasets per register_datasets call, one transaction each (default 1000)\n"
    "  --repeat R     rounds; in each, every side runs once, the order reversed every other round;\n"
    "                 medians reported (default 7)\n"
    "  --single N     datasets registered one per call by (a1) and (b1) (default 1000, at most --datasets)\n"
    "  --only SIDE    run one side only, for a profiler: `with` the schema (a), `without` (b), the `check`\n"
    "                 alone, `with-single` (a1) or `without-single` (b1); no ratio, no docs\n"
    "  --write-docs   rewrite this engine's section of docs/benchmarks.md from this run\n"
    "  --docs PATH    the file --write-docs rewrites (default: docs/benchmarks.md of the source tree)\n";

#ifndef DATATRAIL_BENCH_SOURCE_DIR
#define DATATRAIL_BENCH_SOURCE_DIR "."
#endif
#ifndef DATATRAIL_BENCH_COMPILER
#define DATATRAIL_BENCH_COMPILER "unknown"
#endif

enum class Side { with_schema, without_schema, check, single_with, single_without };

struct Options {
    std::string engine = "sqlite";
    std::string uri;
    std::size_t datasets = 20000;
    std::size_t batch = 1000;
    std::size_t repeat = 7;
    std::size_t single = 1000;
    std::optional<Side> only;
    bool write_docs = false;
    fs::path docs = fs::path(DATATRAIL_BENCH_SOURCE_DIR) / "docs" / "benchmarks.md";

    bool postgres() const { return engine == "postgres"; }
};

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "-h" || a == "--help") {
            fmt::print("{}", usage);
            std::exit(0);
        }
        if (a == "--write-docs") {
            o.write_docs = true;
            continue;
        }
        if (i + 1 >= argc) throw std::invalid_argument(fmt::format("{} needs a value (or is unknown)\n{}", a, usage));
        const std::string_view v = argv[++i];
        if (a == "--engine") {
            if (v != "sqlite" && v != "postgres")
                throw std::invalid_argument(fmt::format("--engine must be sqlite or postgres, not '{}'", v));
            o.engine = v;
        } else if (a == "--uri") o.uri = v;
        else if (a == "--datasets") o.datasets = parse_count(a, v);
        else if (a == "--batch") o.batch = parse_count(a, v);
        else if (a == "--repeat") o.repeat = parse_count(a, v);
        else if (a == "--single") o.single = parse_count(a, v);
        else if (a == "--only") {
            if (v == "with") o.only = Side::with_schema;
            else if (v == "without") o.only = Side::without_schema;
            else if (v == "check") o.only = Side::check;
            else if (v == "with-single") o.only = Side::single_with;
            else if (v == "without-single") o.only = Side::single_without;
            else
                throw std::invalid_argument(
                    fmt::format("--only must be with, without, check, with-single or without-single, not '{}'", v));
        } else if (a == "--docs") o.docs = v;
        else throw std::invalid_argument(fmt::format("unknown option '{}'\n{}", a, usage));
    }
    if (o.postgres()) {
        if (o.uri.empty())
            if (const char* env = std::getenv("DATATRAIL_TEST_POSTGRES"); env && *env) o.uri = env;
        if (o.uri.empty())
            throw std::invalid_argument(
                "--engine postgres needs --uri URI or DATATRAIL_TEST_POSTGRES (scripts/with-postgres.sh sets it)");
        if (!is_postgres_uri(o.uri))
            throw std::invalid_argument(fmt::format("--uri must be a postgresql:// URI, not '{}'", o.uri));
    } else if (!o.uri.empty()) {
        throw std::invalid_argument("--uri is for --engine postgres only");
    }
    o.single = std::min(o.single, o.datasets);
    if (o.write_docs && o.only)
        throw std::invalid_argument("--write-docs reports the ratio, which needs every side: leave out --only");
    return o;
}

// ---------------------------------------------------------------------------------------------
// The datasets

// A number in [0, 1) for dataset i and value `field`, independent between fields.
double uniform(std::size_t i, std::uint64_t field) {
    return static_cast<double>(mix(32 * static_cast<std::uint64_t>(i) + field) >> 11) * 0x1.0p-53;
}

// Which values come in another unit than the schema's: one in every `every`, dataset 0 in all of
// them (the dataset the spot check reads back), dataset 1 in none.
struct OtherUnit {
    std::string_view key, unit;
    std::size_t every;
};
constexpr OtherUnit other_units[] = {
    {"beam.energy", "eV", 3},  {"beam.current", "A", 6},      {"beam.size", "mm", 2},
    {"detector.distance", "m", 4}, {"detector.count_time", "ms", 5}, {"goniometer.omega_start", "rad", 7},
};
bool in_other_unit(std::size_t i, std::string_view key) {
    for (const auto& o : other_units)
        if (o.key == key) return i % o.every == 0;
    return false;
}

// Dataset i with its 20 metadata values: 18 of the schema's fields, all passing, and 2 keys it
// does not name; with `schema`, naming it, else with the two defaulted keys given as well.
// Numbers come rounded as instruments report them.
Dataset make_dataset(std::size_t i, bool schema) {
    static const Timestamp t0 = parse_time("2026-02-09T08:00:00Z");
    const auto h = [&](std::uint64_t field) { return mix(32 * static_cast<std::uint64_t>(i) + field); };
    const auto other = [&](std::string_view key) { return in_other_unit(i, key); };
    Dataset d;
    d.kind = DatasetKind::raw;
    d.name = fmt::format("rot_{:06}", i);
    d.investigation = std::string(investigation_name);
    d.techniques = {"MX"};
    d.location = fmt::format("/data/mx/2026/bench-schema/rot_{:06}", i);
    const double kev = round_to(6 + 14 * uniform(i, 1), 0.0001);
    const double ma = round_to(180 + 20 * uniform(i, 2), 0.01);
    const double width_um = round_to(20 + 80 * uniform(i, 3), 0.1), height_um = round_to(5 + 45 * uniform(i, 4), 0.1);
    const double mm = round_to(120 + 480 * uniform(i, 5), 0.01);
    const double count_s = pick({0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5}, h(6));
    const double omega_deg = round_to(-180 + 360 * uniform(i, 7), 0.01);
    d.metadata = {
        {"sample.name", {fmt::format("lyso_{:04}_x{}", h(8) % 2500, h(9) % 8)}},
        {"proposal",
         {fmt::format("{}-{:05}", pick<const char*>({"MX", "MX", "MX", "IH", "BAG"}, h(10)), 20000 + h(11) % 400)}},
        {"start_time", {t0 + std::chrono::seconds(97 * static_cast<std::int64_t>(i))}},
        {"beam.energy",
         other("beam.energy") ? MetadataValue(round_to(kev * 1000, 0.1), "eV") : MetadataValue(kev, "keV")},
        {"beam.current",
         other("beam.current") ? MetadataValue(round_to(ma / 1000, 1e-5), "A") : MetadataValue(ma, "mA")},
        {"beam.size", other("beam.size") ? MetadataValue(std::vector<double>{width_um / 1000, height_um / 1000}, "mm")
                                         : MetadataValue(std::vector<double>{width_um, height_um}, "um")},
        {"beam.profile", {pick<const char*>({"Gaussian", "Gaussian", "top-hat"}, h(12))}},
        {"detector.distance", other("detector.distance") ? MetadataValue(mm / 1000, "m") : MetadataValue(mm, "mm")},
        {"detector.count_time",
         other("detector.count_time") ? MetadataValue(count_s * 1000, "ms") : MetadataValue(count_s, "s")},
        // Half the photon energy, in the unit the detector reports: a `dimension:` field keeps it.
        {"detector.threshold_energy",
         i % 3 == 0 ? MetadataValue(round_to(kev * 500, 1), "eV") : MetadataValue(round_to(kev / 2, 0.001), "keV")},
        {"detector.frames", {static_cast<std::int64_t>(pick({900, 1800, 3600, 7200}, h(13)))}},
        {"detector.bit_depth", {static_cast<std::int64_t>(pick({16, 32, 32}, h(14)))}},
        {"detector.serial", {fmt::format("E-32-{:04}", pick({112, 129, 1306}, h(15)))}},
        {"goniometer.omega_start", other("goniometer.omega_start")
                                       ? MetadataValue(omega_deg * 3.14159265358979323846 / 180, "rad")
                                       : MetadataValue(omega_deg, "deg")},
        {"goniometer.omega_range", {pick({90.0, 180.0, 360.0}, h(16)), "deg"}},
        {"attenuator.transmission", {round_to(0.01 + 0.99 * uniform(i, 17), 0.001)}},
        {"scan.number", {static_cast<std::int64_t>(1 + i % 9999)}},
        {"shutter.open", {h(18) % 50 != 0}},
        // What the acquisition writes beyond the schema, which allows other keys and leaves them unchecked.
        {"acquisition.software", {pick<const char*>({"mxcube-4.21.0", "mxcube-4.22.1"}, h(19))}},
        {"scan.comment", {pick<const char*>({"-", "centred by hand", "second sweep", "low dose"}, h(20))}},
    };
    if (schema) d.schema = std::string(schema_ref);
    else
        for (const auto& [key, value] : defaulted()) d.metadata.emplace(key, value);
    return d;
}

// ---------------------------------------------------------------------------------------------
// Catalogues: a fresh one per run

// Where the runs' catalogues go: files in a temporary folder, or new databases on the server;
// each removed when its run is done, and the folder at the end.
class Scratch {
public:
    explicit Scratch(const Options& o) : server_uri_(o.uri) {
        if (!o.postgres()) folder_.emplace("datatrail-bench-schema-");
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

    // A location no catalogue is at yet.
    std::string create(std::string_view label) {
        ++count_;
        if (folder_) return (folder_->path / fmt::format("{}-{}.db", label, count_)).string();
        auto db = std::make_unique<ScratchDatabase>(server_uri_, fmt::format("dt_bench_schema_{}", label), "bench_schema");
        auto uri = db->uri();
        databases_[uri] = std::move(db);
        return uri;
    }
    void remove(const std::string& location) {
        if (folder_) {
            for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(location + suffix);
            return;
        }
        databases_.erase(location);
    }

private:
    std::string server_uri_;
    std::optional<TempDir> folder_;
    std::size_t count_ = 0;
    // A run that failed half-way leaves its database: dropped when this goes.
    std::map<std::string, std::unique_ptr<ScratchDatabase>> databases_;  // by URI
};

// A new catalogue with the investigation and the schema: what both sides start from.
Catalog fresh_catalogue(const std::string& location, const Schema& schema) {
    Catalog cat(location);
    Investigation inv;
    inv.name = std::string(investigation_name);
    inv.title = "Schema benchmark";
    cat.add_investigation(inv);
    cat.add_schema(schema);
    return cat;
}

// ---------------------------------------------------------------------------------------------
// What the runs must have done; any difference fails the run, since a fast side that did other
// work proves nothing.

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("the run is void: " + what); }

bool nearly_equal(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b)); }

std::string value_text(const MetadataValue& v) {
    return v.unit.empty() ? v.value.to_string() : fmt::format("{} {}", v.value.to_string(), v.unit);
}

// Every generated dataset must pass the schema in memory: a dataset that did not would be
// refused by (a) and make the comparison meaningless.
void check_the_data_passes(const Schema& schema, const std::vector<Dataset>& datasets) {
    for (std::size_t i = 0; i < datasets.size(); ++i) {
        const auto check = check_dataset(schema, datasets[i]);
        if (!check.ok())
            fail(fmt::format("dataset {} breaks the schema: {} = '{}': {}", i, check.violations.front().field,
                             check.violations.front().value, check.violations.front().rule));
        if (check.metadata.size() != 22)
            fail(fmt::format("dataset {} would store {} values, not 22", i, check.metadata.size()));
    }
}

// The schema is strict and the catalogue applies it: a batch with one dataset that breaks it is
// refused whole, every violation named, and nothing is written.
void check_a_bad_dataset_is_refused(Scratch& scratch, const Schema& schema) {
    const auto location = scratch.create("refusal");
    {
        auto cat = fresh_catalogue(location, schema);
        std::vector<Dataset> batch{make_dataset(0, true), make_dataset(1, true)};
        batch[1].metadata["beam.energy"] = {2.5, "keV"};
        batch[1].metadata["detector.bit_depth"] = std::int64_t{10};
        bool refused = false;
        try {
            cat.register_datasets(std::move(batch));
        } catch (const ValidationError& e) {
            refused = true;
            const auto& v = e.violations();
            const auto named = [&](std::string_view field) {
                return std::any_of(v.begin(), v.end(), [&](const Violation& x) { return x.field == field; });
            };
            if (v.size() != 2 || !named("datasets[1].metadata.beam.energy") ||
                !named("datasets[1].metadata.detector.bit_depth"))
                fail(fmt::format("a dataset breaking two rules was refused with other violations: {}", e.what()));
        }
        if (!refused) fail("the strict schema accepted a dataset with an energy below its minimum");
        if (const auto n = cat.count_datasets(); n != 0)
            fail(fmt::format("a refused batch left {} datasets in the catalogue", n));
    }
    scratch.remove(location);
}

// Reads back what a run stored. (a): dataset 0, which gave every value that can come in another
// unit in that unit, holds them converted into the schema's units, and both defaults; dataset 1,
// which gave every value in the schema's units, holds exactly what (b) holds for it. Both: N
// datasets, 22 values each for the datasets read.
void check_stored(const Catalog& cat, const std::vector<std::string>& pids, std::size_t n, const Schema* schema,
                  const std::vector<Dataset>& plain, std::string_view side) {
    if (const auto count = cat.count_datasets(); count != n)
        fail(fmt::format("{} holds {} datasets, not {}", side, count, n));
    const auto first = cat.dataset(pids.at(0));
    const auto second = cat.dataset(pids.at(std::min<std::size_t>(1, n - 1)));
    for (const auto* d : {&first, &second})
        if (d->metadata.size() != 22)
            fail(fmt::format("{}: {} holds {} metadata values, not 22", side, d->name, d->metadata.size()));
    if (!schema) {
        if (first.metadata != plain.at(0).metadata)
            fail(fmt::format("{}: {} is not stored as given", side, first.name));
        if (!first.schema.empty()) fail(fmt::format("{}: {} names schema '{}'", side, first.name, first.schema));
        return;
    }
    if (first.schema != schema->id() || !first.valid || !first.violations.empty())
        fail(fmt::format("{}: {} was stored as checked against '{}' (valid: {}), not {}", side, first.name,
                         first.schema, first.valid, schema->id()));
    const auto expect = [&](const std::string& key, const MetadataValue& want) {
        const auto it = first.metadata.find(key);
        if (it == first.metadata.end()) fail(fmt::format("{}: {} has no {}", side, first.name, key));
        const auto& got = it->second;
        bool same = got.unit == want.unit && got.value.type() == want.value.type();
        if (same && want.value.is<double>()) same = nearly_equal(got.value.as<double>(), want.value.as<double>());
        else if (same && want.value.is<std::vector<double>>()) {
            const auto &a = got.value.as<std::vector<double>>(), &b = want.value.as<std::vector<double>>();
            same = a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), nearly_equal);
        } else if (same) same = got.value == want.value;
        if (!same)
            fail(fmt::format("{}: {} stored {} = {}, where the schema says {}", side, first.name, key, value_text(got),
                             value_text(want)));
    };
    const auto& given = plain.at(0).metadata;
    for (const auto& o : other_units) {
        const auto& in = given.at(std::string(o.key));
        if (in.unit != o.unit) fail(fmt::format("dataset 0 gives {} in {}, not {}", o.key, in.unit, o.unit));
        const std::string field_unit = schema->field(o.key)->unit;
        const auto convert = [&](double x) { return units::convert(x, in.unit, field_unit); };
        if (in.value.is<double>()) {
            expect(std::string(o.key), {convert(in.value.as<double>()), field_unit});
        } else {
            std::vector<double> converted;
            for (const double x : in.value.as<std::vector<double>>()) converted.push_back(convert(x));
            expect(std::string(o.key), {converted, field_unit});
        }
    }
    expect("detector.threshold_energy", given.at("detector.threshold_energy"));  // a dimension: kept as given
    for (const auto& [key, value] : defaulted()) expect(key, value);
    if (n > 1 && second.metadata != plain.at(1).metadata)
        fail(fmt::format("{}: {} gave every value in the schema's units, but what is stored differs from what the "
                         "side without the schema stored",
                         side, second.name));
}

// ---------------------------------------------------------------------------------------------
// Measuring

struct Times {
    std::vector<Seconds> with_schema, without_schema, check, single_with, single_without;
};

// One run of a registering side: a fresh catalogue, the batches registered, what was stored read back.
Seconds register_run(Scratch& scratch, const Schema& schema, const std::vector<Dataset>& datasets, std::size_t batch,
                     bool with_schema, const std::vector<Dataset>& plain) {
    const auto location = scratch.create(with_schema ? "with" : "without");
    Seconds took;
    {
        auto cat = fresh_catalogue(location, schema);
        // The copies register_datasets takes are made before the clock starts.
        std::vector<std::vector<Dataset>> batches;
        for (std::size_t first = 0; first < datasets.size(); first += batch) {
            const auto last = std::min(first + batch, datasets.size());
            batches.emplace_back(datasets.begin() + static_cast<std::ptrdiff_t>(first),
                                 datasets.begin() + static_cast<std::ptrdiff_t>(last));
        }
        std::vector<std::string> pids;
        const Stopwatch clock;
        for (auto& b : batches) {
            const auto stored = cat.register_datasets(std::move(b));
            if (pids.size() < 2)
                for (std::size_t k = 0; k < stored.size() && pids.size() < 2; ++k) pids.push_back(stored[k].pid);
        }
        took = clock.elapsed();
        check_stored(cat, pids, datasets.size(), with_schema ? &schema : nullptr, plain, with_schema ? "(a)" : "(b)");
    }
    scratch.remove(location);
    return took;
}

Seconds check_run(const Schema& schema, const std::vector<Dataset>& datasets) {
    std::size_t passed = 0;
    const Stopwatch clock;
    for (const auto& d : datasets) passed += check_dataset(schema, d).ok();
    const auto took = clock.elapsed();
    if (passed != datasets.size()) fail(fmt::format("{} of {} datasets passed the check", passed, datasets.size()));
    return took;
}

std::vector<double> walls(const std::vector<Seconds>& v) {
    std::vector<double> out;
    for (const auto& s : v) out.push_back(s.wall);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Describing the run

std::string engine_version(const Options& o) {
    if (!o.postgres()) return fmt::format("SQLite {}", sqlite3_libversion());
    PGconn* c = PQconnectdb(o.uri.c_str());
    const std::unique_ptr<PGconn, void (*)(PGconn*)> owned(c, PQfinish);
    const char* v = c && PQstatus(c) == CONNECTION_OK ? PQparameterStatus(c, "server_version") : nullptr;
    const std::string server = v ? std::string(v).substr(0, std::string(v).find(' ')) : "unknown";
    const int lib = PQlibVersion();
    return fmt::format("PostgreSQL server {}, libpq {}.{}", server, lib / 10000, lib % 10000);
}

struct Run {
    const Options* options = nullptr;
    const Schema* schema = nullptr;
    Times times;
    std::string engine, date;
    double load_start = 0, load_end = 0;
    std::size_t unit_values = 0, converted_values = 0;  // over the datasets, the values with a unit
};

// A side's rate against its baseline's, round by round: each round runs the two one after the
// other, so a slow spell of the shared machine mostly falls on both. The median of these ratios is
// the one reported; a ratio of the median rates can pair a fast run with a slow one.
std::vector<double> round_ratios(const std::vector<Seconds>& with, const std::vector<Seconds>& without,
                                 double Seconds::*clock = &Seconds::wall) {
    std::vector<double> out;
    for (std::size_t r = 0; r < with.size() && r < without.size(); ++r)
        out.push_back(without[r].*clock / with[r].*clock);
    return out;
}

struct Summary {
    double with_s, without_s, check_s;  // wall-clock medians
    double ratio, ratio_of_medians, cpu_ratio, check_share, extra_s;
    double single_with_s, single_without_s, single_ratio, single_ratio_of_medians, single_cpu_ratio, single_extra_s;
};

Summary summarise(const Times& t) {
    const auto extra = [](const std::vector<Seconds>& with, const std::vector<Seconds>& without) {
        std::vector<double> d;
        for (std::size_t r = 0; r < with.size() && r < without.size(); ++r) d.push_back(with[r].wall - without[r].wall);
        return median(d);
    };
    Summary s{};
    s.with_s = median(walls(t.with_schema));
    s.without_s = median(walls(t.without_schema));
    s.check_s = median(walls(t.check));
    s.ratio = median(round_ratios(t.with_schema, t.without_schema));  // rate(a) / rate(b) for the same N
    s.ratio_of_medians = s.without_s / s.with_s;
    s.cpu_ratio = median(round_ratios(t.with_schema, t.without_schema, &Seconds::cpu));
    s.check_share = s.check_s / s.with_s;
    s.extra_s = extra(t.with_schema, t.without_schema);
    s.single_with_s = median(walls(t.single_with));
    s.single_without_s = median(walls(t.single_without));
    s.single_ratio = median(round_ratios(t.single_with, t.single_without));
    s.single_ratio_of_medians = s.single_without_s / s.single_with_s;
    s.single_cpu_ratio = median(round_ratios(t.single_with, t.single_without, &Seconds::cpu));
    s.single_extra_s = extra(t.single_with, t.single_without);
    return s;
}

std::string listed(const std::vector<double>& v) {
    std::string out;
    for (const double x : v) out += fmt::format("{}{:.2f}", out.empty() ? "" : ", ", x);
    return out;
}

std::string per_run(const std::vector<Seconds>& v, std::size_t n) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + thousands(static_cast<double>(n) / s.wall);
    return out;
}

std::string docs_section(const Run& run) {
    const auto& o = *run.options;
    const bool pg = o.postgres();
    const auto s = summarise(run.times);
    const double n = static_cast<double>(o.datasets);
    const std::string name = pg ? "schema-postgres" : "schema";
    const std::string command =
        pg ? "scripts/with-postgres.sh build/cpp/bench/bench_schema --engine postgres" : "build/cpp/bench/bench_schema";
    std::string t = fmt::format("<!-- bench:{}:start -->\n", name);
    t += pg ? "## Registration with a strict metadata schema on PostgreSQL\n\n"
            : "## Registration with a strict metadata schema\n\n";
    t += fmt::format("<!-- Generated by `{} --write-docs`; edits between the markers are overwritten. -->\n\n",
                     command);

    t += fmt::format(
        "Registering {} raw datasets with `Catalog::register_datasets` in batches of {} (one call and one "
        "transaction each) into a fresh {}, (a) with `Dataset::schema` naming a strict schema of 20 fields ({}: "
        "floats with a `unit:` and bounds written in other units, integers with ranges and an allowed list, an enum, "
        "strings with a pattern, a datetime, two bools, a numeric array with a shape, two `dimension:` fields; 18 "
        "required, 2 with a default), against (b) the same datasets without a schema. Each dataset gives 20 values: 18 "
        "of the schema's fields, passing it, and 2 keys it does not name (it allows other keys, unchecked); {} of "
        "the {} values with a unit ({:.0f}%) come in another unit than the schema's "
        "(eV for keV, A for mA, mm for um, m for mm, ms for s, rad for deg), so (a) converts them. (a) leaves out "
        "the two defaulted keys and the schema fills them in; (b) gives them with the defaults' values, so both "
        "sides store 22 values per dataset. What still differs is the schema's work: (a) stores the converted "
        "values and each dataset's schema id and validity, (b) the values as given. Both catalogues hold the "
        "schema, added before the clock starts. No files.\n\n",
        thousands(n), thousands(static_cast<double>(o.batch)),
        pg ? "PostgreSQL database per side and run" : "catalogue file per side and run",
        pg ? "shown in the SQLite section" : "below",
        thousands(static_cast<double>(run.converted_values)),
        thousands(static_cast<double>(run.unit_values)),
        100.0 * static_cast<double>(run.converted_values) / static_cast<double>(run.unit_values));
    t += "Every run is checked, or the benchmark fails: every dataset passes the schema in memory; a batch holding "
         "one dataset that breaks two rules is refused whole with both violations named and nothing written; after "
         "each run both catalogues hold N datasets, and reading back shows (a) storing a dataset's values given in "
         "other units converted into the schema's units, the `dimension:` field as given and both defaults, and a "
         "dataset given in the schema's units exactly as (b) stores it.\n\n";
    t += fmt::format("Measured {} on {} ({} cores), {}, load average {:.1f} when the run started and {:.1f} when it "
                     "ended (the machine is shared with other builds and tests); {}{}, compiler {}, datatrail {}.\n\n",
                     run.date, cpu_model(), std::thread::hardware_concurrency(), os_name(), run.load_start,
                     run.load_end, run.engine,
                     pg ? " (the throwaway test server of `scripts/with-postgres.sh` on the same machine, reached "
                          "through a Unix socket)"
                        : "",
                     DATATRAIL_BENCH_COMPILER, datatrail::version);

    t += "| | datasets/s (median) | s for all | ratio | target | met |\n";
    t += "| --- | ---: | ---: | --- | --- | --- |\n";
    const double n1 = static_cast<double>(o.single);
    const auto met = [](double ratio) { return ratio >= ratio_target ? "yes" : "no"; };
    t += fmt::format("| (b) `register_datasets` without a schema (baseline) | {} | {:.2f} | | | |\n",
                     thousands(n / s.without_s), s.without_s);
    t += fmt::format("| (a) `register_datasets` with the strict schema | {} | {:.2f} | **{:.2f}** of (b) | ≥ {} | {} "
                     "|\n",
                     thousands(n / s.with_s), s.with_s, s.ratio, ratio_target, met(s.ratio));
    t += fmt::format("| `check_dataset` alone, in memory | {} | {:.2f} | {:.0f}% of (a)'s time | | |\n",
                     thousands(n / s.check_s), s.check_s, 100 * s.check_share);
    t += fmt::format("| (b1) one dataset per call, without a schema | {} | {:.2f} | | | |\n",
                     thousands(n1 / s.single_without_s), s.single_without_s);
    t += fmt::format("| (a1) one dataset per call, with the strict schema | {} | {:.2f} | **{:.2f}** of (b1) | ≥ {} "
                     "| {} |\n\n",
                     thousands(n1 / s.single_with_s), s.single_with_s, s.single_ratio, ratio_target,
                     met(s.single_ratio));

    t += fmt::format("- (a1) and (b1) register the first {} of the datasets, one `register_datasets` call (and "
                     "transaction) each, into fresh catalogues too.\n",
                     thousands(n1));
    t += fmt::format("- Wall-clock times of {} rounds in one process. In each round every side runs once, (a) right "
                     "before or after (b) and (a1) right before or after (b1), the order reversed every other round, "
                     "so that a slow spell of the shared machine mostly falls on both sides of a ratio. Rates are medians; a "
                     "ratio is the median of the rounds' ratios. Per run (datasets/s): (a) {}; (b) {}; the check "
                     "alone {}; (a1) {}; (b1) {}.\n",
                     o.repeat, per_run(run.times.with_schema, o.datasets),
                     per_run(run.times.without_schema, o.datasets),
                     per_run(run.times.check, o.datasets), per_run(run.times.single_with, o.single),
                     per_run(run.times.single_without, o.single));
    t += fmt::format("- The rounds' ratios: batched {}; one per call {}. The ratios of the median rates: {:.2f} and "
                     "{:.2f}.\n",
                     listed(round_ratios(run.times.with_schema, run.times.without_schema)),
                     listed(round_ratios(run.times.single_with, run.times.single_without)), s.ratio_of_medians,
                     s.single_ratio_of_medians);
    if (s.ratio > 1) {
        const auto r = round_ratios(run.times.with_schema, run.times.without_schema);
        t += fmt::format("- (a) does all that (b) does and checks besides, so a batched ratio above 1 is the machine's "
                         "noise, which spread the rounds' ratios from {:.2f} to {:.2f}.\n",
                         *std::min_element(r.begin(), r.end()), *std::max_element(r.begin(), r.end()));
    }
    t += fmt::format("- By the benchmark process's CPU time instead of wall-clock time the ratios are {:.2f} (batched) "
                     "and {:.2f} (one per call){}.\n",
                     s.cpu_ratio, s.single_cpu_ratio,
                     pg ? "; the server's CPU time, which both sides cause alike apart from (a)'s schema reads, is "
                          "left out"
                        : "");
    const double check_us = 1e6 * s.check_s / n;
    if (s.extra_s > 0)
        t += fmt::format("- Batched, the schema adds {:.2f} s to (a) ({:.1f} µs per dataset); the check alone takes "
                         "{:.2f} s ({:.1f} µs per dataset), {:.0f}% of what the schema adds by wall clock (the "
                         "median of the rounds' differences, noisier than either side).\n",
                         s.extra_s, 1e6 * s.extra_s / n, s.check_s, check_us, 100 * s.check_s / s.extra_s);
    else
        t += fmt::format("- Batched, (a) was no slower than (b) in this run: the check alone ({:.2f} s, {:.1f} µs per "
                         "dataset) is within the runs' noise.\n",
                         s.check_s, check_us);
    const double per_call_us = 1e6 * s.single_extra_s / n1;
    t += fmt::format("- One dataset per call, the schema adds {:.0f} µs per call, of which the check explains {:.1f} "
                     "µs.",
                     per_call_us, check_us);
    // What the profile found explains a per-call cost far above the check's; should a later
    // catalogue stop paying it, the explanation goes with it.
    if (per_call_us > 20 * check_us)
        t += " The rest is finding the schema: every `register_datasets` call reads the schema from the catalogue and "
             "parses its YAML text again. In a callgrind profile of this benchmark (SQLite, `--only with-single` "
             "against `--only without-single`, 300 datasets, 2026-12-02), `SchemaResolver::find` took 87% of (a1)'s "
             "instructions, `parse_schema` 83% (`YAML::Load` of yaml-cpp 70%), `check_dataset` 0.8%, the inserts 7%. "
             "Batched (`--only with` against `--only without`, 4,000 datasets), `check_dataset` was 83% of the "
             "instructions the schema adds, of which `check_value` 62% (unit lookups, `std::regex_match` for the "
             "three patterns, conversions) and copying the dataset's metadata into the check's result 18%; finding "
             "the schema, once per call of 1,000 datasets, 12%; the inserts cost the same on both sides.";
    t += "\n";
    // The SQLite section shows the schema; the PostgreSQL one, which follows it, refers to it.
    t += pg ? "\nThe schema is the one shown in the SQLite section above.\n\n"
            : "\nThe schema, as the benchmark writes it:\n\n```yaml\n" + std::string(schema_yaml) + "```\n\n";
    t += fmt::format("Reproduce with `make bench`; on its own, `{}` (`--help` for the options). Regenerate this "
                     "section with `--write-docs`.\n",
                     command);
    t += fmt::format("<!-- bench:{}:end -->", name);
    return fold(t);
}

// ---------------------------------------------------------------------------------------------

int run(const Options& o) {
    Run result;
    result.options = &o;
    result.load_start = load_average();
    result.date = format_time(now()).substr(0, 10);
    result.engine = engine_version(o);

    const Schema schema = resolve_schema(parse_schema(schema_yaml, "bench_schema.cpp"),
                                         [](const std::string&, const std::string&) { return std::nullopt; });
    result.schema = &schema;
    if (schema.fields.size() != 20 || !schema.is_strict())
        fail(fmt::format("the schema has {} fields and is {}: it must have 20 and be strict", schema.fields.size(),
                         schema.is_strict() ? "strict" : "lenient"));

    std::vector<Dataset> with, without;
    with.reserve(o.datasets);
    without.reserve(o.datasets);
    for (std::size_t i = 0; i < o.datasets; ++i) {
        with.push_back(make_dataset(i, true));
        without.push_back(make_dataset(i, false));
        for (const auto& [key, v] : with.back().metadata)
            if (!v.unit.empty()) {
                ++result.unit_values;
                result.converted_values += in_other_unit(i, key);
            }
    }
    check_the_data_passes(schema, with);

    Scratch scratch(o);
    check_a_bad_dataset_is_refused(scratch, schema);

    fmt::print("bench_schema: {} datasets with 20 metadata values each, schema {} (20 fields, strict), batches of {}, "
               "{} rounds, {}\n",
               o.datasets, schema.id(), o.batch, o.repeat, result.engine);
    fmt::print("  {} of {} values with a unit come in another unit than the schema's\n", result.converted_values,
               result.unit_values);
    std::fflush(stdout);

    // (a1) and (b1) register the first datasets of (a) and (b); the copies are made here.
    const auto first = [&](const std::vector<Dataset>& all) {
        return std::vector<Dataset>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(o.single));
    };
    const auto single_with = first(with), single_without = first(without);

    // Each pair to compare runs back to back; every other round in the reverse order, so neither
    // side of a pair always goes first.
    const Side order[] = {Side::with_schema, Side::without_schema, Side::check, Side::single_with,
                          Side::single_without};
    constexpr std::size_t sides = std::size(order);
    auto& t = result.times;
    for (std::size_t r = 0; r < o.repeat; ++r) {
        for (std::size_t k = 0; k < sides; ++k) {
            const Side side = order[r % 2 ? sides - 1 - k : k];
            if (o.only && side != *o.only) continue;
            switch (side) {
                case Side::with_schema:
                    t.with_schema.push_back(register_run(scratch, schema, with, o.batch, true, without));
                    break;
                case Side::without_schema:
                    t.without_schema.push_back(register_run(scratch, schema, without, o.batch, false, without));
                    break;
                case Side::check: t.check.push_back(check_run(schema, with)); break;
                case Side::single_with:
                    t.single_with.push_back(register_run(scratch, schema, single_with, 1, true, without));
                    break;
                case Side::single_without:
                    t.single_without.push_back(register_run(scratch, schema, single_without, 1, false, without));
                    break;
            }
        }
        std::string rates;
        for (const auto& [label, v, n] : {std::tuple{"(a)", &t.with_schema, o.datasets},
                                          std::tuple{"(b)", &t.without_schema, o.datasets},
                                          std::tuple{"check alone", &t.check, o.datasets},
                                          std::tuple{"(a1)", &t.single_with, o.single},
                                          std::tuple{"(b1)", &t.single_without, o.single}})
            if (v->size() == r + 1)
                rates += fmt::format("{}{} {} datasets/s", rates.empty() ? "" : ", ", label,
                                     thousands(static_cast<double>(n) / v->back().wall));
        fmt::print("  round {} of {}: {}\n", r + 1, o.repeat, rates);
        std::fflush(stdout);
    }
    result.load_end = load_average();
    if (o.only) return 0;

    const auto s = summarise(t);
    const double n = static_cast<double>(o.datasets);
    fmt::print("medians of {} rounds (wall clock; ratios: the median of the rounds' ratios):\n", o.repeat);
    fmt::print("  (a) with schema:    {} datasets/s ({:.3f} s)\n", thousands(n / s.with_s), s.with_s);
    fmt::print("  (b) without schema: {} datasets/s ({:.3f} s)\n", thousands(n / s.without_s), s.without_s);
    fmt::print("  check_dataset alone: {} datasets/s ({:.3f} s), {:.0f}% of (a)'s time\n", thousands(n / s.check_s),
               s.check_s, 100 * s.check_share);
    fmt::print("  (a) - (b): {:.3f} s, {:.1f} us per dataset\n", s.extra_s, 1e6 * s.extra_s / n);
    fmt::print("  rounds' ratios: {}; ratio of the median rates {:.2f}; by CPU time {:.2f}\n",
               listed(round_ratios(t.with_schema, t.without_schema)), s.ratio_of_medians, s.cpu_ratio);
    const double n1 = static_cast<double>(o.single);
    fmt::print("  one dataset per call, {} datasets:\n", o.single);
    fmt::print("    (a1) with schema:    {} datasets/s ({:.3f} s)\n", thousands(n1 / s.single_with_s), s.single_with_s);
    fmt::print("    (b1) without schema: {} datasets/s ({:.3f} s)\n", thousands(n1 / s.single_without_s),
               s.single_without_s);
    fmt::print("    (a1) - (b1): {:.1f} us per call\n", 1e6 * s.single_extra_s / n1);
    fmt::print("    rounds' ratios: {}; ratio of the median rates {:.2f}; by CPU time {:.2f}\n",
               listed(round_ratios(t.single_with, t.single_without)), s.single_ratio_of_medians, s.single_cpu_ratio);
    fmt::print("  one dataset per call: ratio rate(a1)/rate(b1): {:.2f} (target >= {}: {})\n", s.single_ratio,
               ratio_target, s.single_ratio >= ratio_target ? "met" : "not met");
    fmt::print("ratio rate(a)/rate(b): {:.2f} (target >= {}: {})\n", s.ratio, ratio_target,
               s.ratio >= ratio_target ? "met" : "not met");

    if (o.write_docs) {
        write_section(o.docs, docs_section(result));
        fmt::print("wrote the {} section of {}\n", o.postgres() ? "schema-postgres" : "schema", o.docs.string());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return bench::guarded_main("bench_schema", [&] { return run(parse_args(argc, argv)); });
}
