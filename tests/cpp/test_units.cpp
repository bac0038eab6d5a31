#include <datatrail/error.hpp>
#include <datatrail/units.hpp>

#include <doctest/doctest.h>

using namespace datatrail;

// No catalogue here: run once, not once per engine.
TEST_SUITE_BEGIN("core");

TEST_CASE("UDUNITS-2 units convert between compatible units") {
    CHECK(units::convert(12.7, "keV", "eV") == doctest::Approx(12700.0));
    CHECK(units::convert(1.0, "mm", "um") == doctest::Approx(1000.0));
    CHECK(units::convert(25.0, "degC", "K") == doctest::Approx(298.15));
    CHECK(units::convert(1.0, "bar", "Pa") == doctest::Approx(1e5));
    CHECK(units::convert(1.0, "angstrom", "nm") == doctest::Approx(0.1));
}

TEST_CASE("conversions carry no binary noise from the scale factors") {
    CHECK(units::convert(0.8, "um", "nm") == 800.0);
    CHECK(units::convert(0.45, "mm", "um") == 450.0);
    CHECK(units::convert(-173.15, "degC", "K") == 100.0);
    CHECK(units::convert(15000, "eV", "keV") == 15.0);
    CHECK(units::convert(1.0 / 3.0, "m", "mm") == doctest::Approx(333.333333333333));
    CHECK(units::convert(0, "degC", "K") == 273.15);
}

TEST_CASE("SI units name the dimension") {
    CHECK(units::si_unit("keV") == units::si_unit("J"));
    CHECK(units::si_unit("mm") == "m");
    CHECK(units::si_unit("degC") == "K");
    CHECK(units::si_unit("") == "1");
    CHECK(units::si_unit("%") == "1");
    const auto q = units::to_si({12.7, "keV"});
    CHECK(q.value == doctest::Approx(12.7e3 * 1.602176634e-19).epsilon(1e-6));
    CHECK(q.unit == units::si_unit("eV"));
}

TEST_CASE("facility aliases: deg, pixel, counts, photons") {
    CHECK(units::is_known("deg"));
    CHECK(units::convert(180.0, "deg", "rad") == doctest::Approx(3.14159265358979));
    CHECK(units::are_compatible("deg", "arcdeg"));

    // A pixel is its own dimension: mm/pixel is a pixel size, not a length.
    CHECK(units::is_known("pixel"));
    CHECK(units::is_known("pixels"));
    CHECK(units::are_compatible("mm/pixel", "um/px"));
    CHECK(units::convert(0.075, "mm/pixel", "um/pixel") == doctest::Approx(75.0));
    CHECK_FALSE(units::are_compatible("mm/pixel", "mm"));
    CHECK_FALSE(units::are_compatible("pixel", "counts"));

    CHECK(units::are_compatible("counts", "1"));
    CHECK(units::are_compatible("photons/s", "Hz"));
    CHECK(units::are_compatible("photon", "counts"));
}

TEST_CASE("unknown and incompatible units are UnitErrors naming the unit") {
    CHECK_FALSE(units::is_known("furlongs_per_fortnight"));
    try {
        units::convert(1.0, "furlongs_per_fortnight", "m");
        FAIL("expected UnitError");
    } catch (const UnitError& e) {
        REQUIRE(e.violations().size() == 1);
        CHECK(e.violations()[0].field == "from unit");
        CHECK(e.violations()[0].value == "furlongs_per_fortnight");
        CHECK(std::string(e.what()).find("furlongs_per_fortnight") != std::string::npos);
    }
    try {
        units::convert(1.0, "keV", "mm");
        FAIL("expected UnitError");
    } catch (const UnitError& e) {
        CHECK(e.violations()[0].value == "mm");
        CHECK(std::string(e.what()).find("dimension") != std::string::npos);
    }
    // Logarithmic units cannot be stored as SI numbers.
    CHECK_FALSE(units::is_known("lg(re 1 mW)"));
}

TEST_SUITE_END();
