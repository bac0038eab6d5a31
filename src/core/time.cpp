#include <datatrail/error.hpp>
#include <datatrail/time.hpp>

#include <fmt/format.h>

#include <charconv>

namespace datatrail {

using namespace std::chrono;

Timestamp now() { return time_point_cast<microseconds>(system_clock::now()); }

std::string format_time(Timestamp t) {
    // Written digit by digit: this runs for every time stored, and fmt's general machinery
    // costs several times more for a fixed layout.
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    std::string out = "0000-00-00T00:00:00.000000Z";
    const auto put = [&out](std::size_t end, long long value, int width) {
        for (int k = 0; k < width; ++k, value /= 10) out[end - k] = static_cast<char>('0' + value % 10);
    };
    const int year = int(ymd.year());
    if (year < 0 || year > 9999) return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", year,
                                                    unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                                                    hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
    put(3, year, 4);
    put(6, unsigned(ymd.month()), 2);
    put(9, unsigned(ymd.day()), 2);
    put(12, hms.hours().count(), 2);
    put(15, hms.minutes().count(), 2);
    put(18, hms.seconds().count(), 2);
    put(25, hms.subseconds().count(), 6);
    return out;
}

namespace {

// A small cursor over the text; every read checks bounds so malformed input cannot overrun.
struct Cursor {
    std::string_view s;
    std::size_t i = 0;

    bool done() const { return i >= s.size(); }
    bool peek(char c) const { return i < s.size() && s[i] == c; }
    bool take(char c) {
        if (!peek(c)) return false;
        ++i;
        return true;
    }
    bool digits(int count, int& out) {
        if (i + count > s.size()) return false;
        auto r = std::from_chars(s.data() + i, s.data() + i + count, out);
        if (r.ec != std::errc{} || r.ptr != s.data() + i + count) return false;
        i += count;
        return true;
    }
};

}  // namespace

Timestamp parse_time(std::string_view text, std::string_view field) {
    auto fail = [&](const char* why) -> Timestamp {
        throw ValidationError({{std::string(field), std::string(text),
                                fmt::format("must be an ISO 8601 time like 2026-11-21T10:00:00Z ({})", why)}});
    };
    Cursor c{text};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!c.digits(4, y) || !c.take('-') || !c.digits(2, mo) || !c.take('-') || !c.digits(2, d)) return fail("bad date");
    const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
    if (!ymd.ok() || y < 1) return fail("no such date");
    long long micros = 0;
    if (c.take('T') || c.take(' ')) {
        if (!c.digits(2, h) || !c.take(':') || !c.digits(2, mi)) return fail("bad time of day");
        if (c.take(':')) {
            if (!c.digits(2, sec)) return fail("bad seconds");
            if (c.take('.') || c.take(',')) {
                int scale = 100000, n = 0;
                while (!c.done() && std::isdigit(static_cast<unsigned char>(c.s[c.i]))) {
                    micros += (c.s[c.i] - '0') * scale;
                    scale /= 10;
                    ++c.i;
                    ++n;
                }
                if (n == 0) return fail("bad fraction of a second");
            }
        }
        if (h > 23 || mi > 59 || sec > 59) return fail("time of day out of range");
    }
    minutes offset{0};
    if (c.take('Z') || c.take('z')) {
    } else if (c.peek('+') || c.peek('-')) {
        const bool minus = c.s[c.i] == '-';
        ++c.i;
        int oh = 0, om = 0;
        if (!c.digits(2, oh)) return fail("bad UTC offset");
        c.take(':');
        if (!c.done() && !c.digits(2, om)) return fail("bad UTC offset");
        if (oh > 23 || om > 59) return fail("UTC offset out of range");
        offset = minutes{(minus ? -1 : 1) * (oh * 60 + om)};
    }
    if (!c.done()) return fail("unexpected text after the time");
    return sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + microseconds{micros} - offset;
}

}  // namespace datatrail
