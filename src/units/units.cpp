// UDUNITS-2 behind a mutex: its parser keeps global state and is not thread-safe. Parsed units
// and converters are cached per unit string, so the hot path (registering metadata) takes the
// lock only for a map lookup.
#include "units/units_cache.hpp"

#include <datatrail/error.hpp>
#include <datatrail/units.hpp>

#include <fmt/format.h>
#include <udunits2.h>

#include <charconv>
#include <cmath>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace datatrail::units {
namespace {

struct UnitFree {
    void operator()(ut_unit* u) const noexcept { ut_free(u); }
};
using UnitPtr = std::unique_ptr<ut_unit, UnitFree>;
struct ConverterFree {
    void operator()(cv_converter* c) const noexcept { cv_free(c); }
};
using ConverterPtr = std::unique_ptr<cv_converter, ConverterFree>;

class System {
public:
    System() {
        ut_set_error_message_handler(ut_ignore);
        system_ = ut_read_xml(nullptr);
        if (!system_)
            throw Error(fmt::format("cannot load the UDUNITS-2 unit database (status {}); is libudunits2-data installed?",
                                    static_cast<int>(ut_get_status())));
        add_aliases();
    }
    ~System() {
        cache_.clear();
        ut_free_system(system_);
    }

    // Caller holds mutex().
    const SiConversion* lookup(std::string_view unit) {
        if (auto it = cache_.find(unit); it != cache_.end()) return it->second.get();
        std::string key(unit);
        auto parsed = parse(key);
        if (!parsed) return nullptr;
        auto entry = std::make_unique<SiConversion>();
        entry->si_unit = si_name(parsed.get());
        // Logarithmic units ("lg(re 1 mW)", dB) have no SI number to store and compare.
        if (entry->si_unit.find('(') != std::string::npos) return nullptr;
        UnitPtr si(ut_parse(system_, entry->si_unit.c_str(), UT_UTF8));
        if (!si) throw Error(fmt::format("UDUNITS-2 cannot parse its own SI unit '{}' of '{}'", entry->si_unit, key));
        ConverterPtr cv(ut_get_converter(parsed.get(), si.get()));
        if (!cv) throw Error(fmt::format("UDUNITS-2 cannot convert '{}' to its SI unit '{}'", key, entry->si_unit));
        // Without logarithms every conversion is linear (scale and offset); keep the two numbers.
        entry->offset = cv_convert_double(cv.get(), 0.0);
        entry->scale = cv_convert_double(cv.get(), 1.0) - entry->offset;
        auto* raw = entry.get();
        cache_.emplace(std::move(key), std::move(entry));
        return raw;
    }

    std::mutex& mutex() { return mutex_; }

private:
    UnitPtr parse(const std::string& unit) const {
        if (unit.empty() || unit == "1") return UnitPtr(ut_clone(ut_get_dimensionless_unit_one(system_)));
        return UnitPtr(ut_parse(system_, unit.c_str(), UT_UTF8));
    }

    // The coherent SI unit of a unit's dimension: its definition without the scale factor or offset.
    std::string si_name(const ut_unit* u) const {
        char buf[256];
        const int n = ut_format(u, buf, sizeof buf, UT_ASCII | UT_DEFINITION);
        if (n < 0 || n >= static_cast<int>(sizeof buf)) return "1";
        std::string def(buf, static_cast<std::size_t>(n));
        if (auto at = def.find(" @ "); at != std::string::npos) def.resize(at);
        // A leading number is the scale ("1.60217733e-16 m2.kg.s-2"); what follows is the SI unit.
        const auto first = def.find_first_not_of(" ");
        if (first != std::string::npos && (std::isdigit(static_cast<unsigned char>(def[first])) || def[first] == '.' ||
                                           def[first] == '-')) {
            const auto space = def.find(' ', first);
            def = space == std::string::npos ? std::string("1") : def.substr(space + 1);
        }
        return def.empty() ? "1" : def;
    }

    void alias(const char* name, const ut_unit* target, bool symbol) {
        const auto status = symbol ? ut_map_symbol_to_unit(name, UT_UTF8, const_cast<ut_unit*>(target))
                                   : ut_map_name_to_unit(name, UT_UTF8, const_cast<ut_unit*>(target));
        if (status != UT_SUCCESS) throw Error(fmt::format("cannot add the unit alias '{}' to UDUNITS-2", name));
    }

    void add_aliases() {
        UnitPtr degree(ut_parse(system_, "arc_degree", UT_UTF8));
        alias("deg", degree.get(), true);
        // A pixel is a dimension of its own, so "mm/pixel" is a pixel size and not a length. It is
        // named in ASCII because ut_format(UT_ASCII) looks names up by encoding.
        pixel_.reset(ut_new_base_unit(system_));
        alias("pixel", pixel_.get(), false);
        alias("pixels", pixel_.get(), false);
        alias("px", pixel_.get(), true);
        if (ut_map_unit_to_name(pixel_.get(), "pixel", UT_ASCII) != UT_SUCCESS ||
            ut_map_unit_to_symbol(pixel_.get(), "px", UT_ASCII) != UT_SUCCESS)
            throw Error("cannot name the pixel unit in UDUNITS-2");
        const ut_unit* one = ut_get_dimensionless_unit_one(system_);
        alias("counts", one, false);  // UDUNITS-2 knows "count"; its plural is not always accepted
        alias("cts", one, true);
        alias("photon", one, false);
        alias("photons", one, false);
    }

    ut_system* system_ = nullptr;
    UnitPtr pixel_;
    std::mutex mutex_;
    // Looked up by string_view without building a string: this is on registration's hot path.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, std::unique_ptr<SiConversion>, Hash, std::equal_to<>> cache_;
};

System& system() {
    static System s;
    return s;
}

}  // namespace

const SiConversion* find_unit(std::string_view unit) {
    auto& s = system();
    std::lock_guard lock(s.mutex());
    return s.lookup(unit);
}

const SiConversion& require_unit(std::string_view unit, std::string_view field) {
    if (const auto* u = find_unit(unit)) return *u;
    throw UnitError({{std::string(field), std::string(unit),
                      "is not a unit UDUNITS-2 knows: use e.g. keV, mm, degC, or one of deg, pixel, counts, photons"}});
}

bool is_known(std::string_view unit) { return find_unit(unit) != nullptr; }

bool are_compatible(std::string_view a, std::string_view b) {
    const auto* ua = find_unit(a);
    const auto* ub = find_unit(b);
    return ua && ub && ua->si_unit == ub->si_unit;
}

double convert(double value, std::string_view from, std::string_view to) {
    const auto& a = require_unit(from, "from unit");
    const auto& b = require_unit(to, "to unit");
    if (a.si_unit != b.si_unit)
        throw UnitError({{"to unit", std::string(to),
                          fmt::format("must have the dimension of '{}' ({}), not {}", from, a.si_unit, b.si_unit)}});
    return convert_between(value, a, b);
}

double convert_between(double value, const SiConversion& from, const SiConversion& to) noexcept {
    const double y = to.from_si(from.to_si(value));
    if (!std::isfinite(y) || y == 0) return y;
    char text[32];
    const auto written = std::to_chars(text, text + sizeof text, y, std::chars_format::general, 15);
    double tidy = y;
    std::from_chars(text, written.ptr, tidy);
    return tidy;
}

std::string si_unit(std::string_view unit) { return require_unit(unit, "unit").si_unit; }

Quantity to_si(const Quantity& q) {
    const auto& u = require_unit(q.unit, "unit");
    return {u.to_si(q.value), u.si_unit};
}

}  // namespace datatrail::units
