#include <datatrail/error.hpp>
#include <datatrail/pid.hpp>
#include <datatrail/time.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

using namespace datatrail;

// No catalogue here: run once, not once per engine.
TEST_SUITE_BEGIN("core");

TEST_CASE("ULIDs are 26 Crockford base32 characters, unique and sorted by creation") {
    std::vector<std::string> ids;
    for (int i = 0; i < 5000; ++i) ids.push_back(new_ulid());
    std::set<std::string> unique(ids.begin(), ids.end());
    CHECK(unique.size() == ids.size());
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    for (const auto& id : ids) {
        REQUIRE(id.size() == 26);
        CHECK(id.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ") == std::string::npos);
    }
    // The first 10 characters are the millisecond time: today's ULIDs start with "01".
    CHECK(ids.front().substr(0, 2) == "01");
}

TEST_CASE("PIDs are <prefix>/<suffix>") {
    const auto pid = new_pid("hzdr");
    CHECK(pid.starts_with("hzdr/"));
    CHECK(is_valid_pid(pid));
    CHECK(is_valid_pid("10.15151/ESRF-DC-1534175008"));
    CHECK_FALSE(is_valid_pid("no-slash"));
    CHECK_FALSE(is_valid_pid("local/"));
    CHECK_FALSE(is_valid_pid("/suffix"));
    CHECK_FALSE(is_valid_pid("local/has space"));
    CHECK(is_valid_pid_prefix("20.500.12345"));
    CHECK_FALSE(is_valid_pid_prefix(""));
    CHECK_FALSE(is_valid_pid_prefix("-x"));
    CHECK_FALSE(is_valid_pid_prefix("a/b"));
}

TEST_CASE("times are ISO 8601 UTC with microseconds, parsed with offsets") {
    const auto t = parse_time("2026-11-21T10:00:00.5+01:00");
    CHECK(format_time(t) == "2026-11-21T09:00:00.500000Z");
    CHECK(parse_time("2026-11-21") == parse_time("2026-11-21T00:00:00Z"));
    CHECK(parse_time("2026-11-21 10:30") == parse_time("2026-11-21T10:30:00Z"));
    CHECK(parse_time("2026-11-21T10:30:00-0230") == parse_time("2026-11-21T13:00:00Z"));
    const auto n = now();
    CHECK(parse_time(format_time(n)) == n);
    for (const char* bad : {"", "yesterday", "2026-13-01", "2026-02-30", "2026-11-21T25:00", "2026-11-21T10:00:00Zjunk",
                            "2026-11-21T10:00:00+99:00"}) {
        CAPTURE(std::string(bad));
        try {
            parse_time(bad, "start_time");
            FAIL("expected ValidationError");
        } catch (const ValidationError& e) {
            CHECK(e.violations()[0].field == "start_time");
            CHECK(e.violations()[0].value == bad);
        }
    }
}

TEST_SUITE_END();
