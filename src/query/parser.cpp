// The metadata condition language: a conjunction of comparisons, one per key.
//   energy between 12 and 13 keV and detector.name = "eiger" and start >= 2026-11-01
#include <datatrail/error.hpp>
#include <datatrail/metadata.hpp>
#include <datatrail/query.hpp>
#include <datatrail/units.hpp>

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace datatrail {
namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

class Parser {
public:
    explicit Parser(std::string_view text) : s_(text) {}

    std::vector<MetadataCondition> parse() {
        std::vector<MetadataCondition> out;
        skip_space();
        if (done()) fail("expected a condition such as: energy > 12 keV");
        while (true) {
            out.push_back(condition());
            skip_space();
            if (done()) break;
            if (!keyword("and")) fail("expected 'and' or the end of the query");
        }
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& message) const { fail_at(message, i_); }
    [[noreturn]] void fail_at(const std::string& message, std::size_t at) const {
        throw QuerySyntaxError(message, std::string(s_), at);
    }

    bool done() const { return i_ >= s_.size(); }
    void skip_space() {
        while (!done() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    std::string_view peek_word() const {
        std::size_t j = i_;
        while (j < s_.size() && is_word_char(s_[j])) ++j;
        return s_.substr(i_, j - i_);
    }
    static bool iequals(std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (std::size_t k = 0; k < a.size(); ++k)
            if (std::tolower(static_cast<unsigned char>(a[k])) != b[k]) return false;
        return true;
    }
    bool keyword(std::string_view word) {
        skip_space();
        const auto w = peek_word();
        if (!iequals(w, word)) return false;
        i_ += w.size();
        return true;
    }

    MetadataCondition condition() {
        MetadataCondition c;
        skip_space();
        const std::size_t key_at = i_;
        c.key = std::string(peek_word());
        if (c.key.empty()) fail("expected a metadata key such as detector.distance");
        if (!is_valid_metadata_key(c.key))
            fail_at(fmt::format("'{}' is not a metadata key (dotted identifiers, e.g. detector.distance)", c.key), key_at);
        i_ += c.key.size();
        skip_space();
        if (keyword("between")) {
            c.op = Comparison::between;
            std::string lower_unit;
            c.value = literal();
            lower_unit = unit();
            if (!keyword("and")) fail("expected 'and' between the two bounds of 'between'");
            c.upper = literal();
            const std::size_t unit_at = (skip_space(), i_);
            c.unit = unit();
            if (!lower_unit.empty() && c.unit.empty()) c.unit = lower_unit;
            else if (!lower_unit.empty() && lower_unit != c.unit)
                fail_at(fmt::format("give both bounds in one unit (got '{}' and '{}')", lower_unit, c.unit), unit_at);
            if (c.value.is_number() != c.upper->is_number() || (!c.value.is_number() && c.value.type() != c.upper->type()))
                fail_at("both bounds of 'between' must be of one type", unit_at);
            if (!c.unit.empty() && !c.value.is_number())
                fail_at(fmt::format("a unit ('{}') goes only with a number", c.unit), unit_at);
            return c;
        }
        c.op = comparison();
        c.value = literal();
        const std::size_t unit_at = (skip_space(), i_);
        c.unit = unit();
        if (!c.unit.empty() && !c.value.is_number())
            fail_at(fmt::format("a unit ('{}') goes only with a number", c.unit), unit_at);
        return c;
    }

    Comparison comparison() {
        skip_space();
        auto take = [&](std::string_view op) {
            if (s_.substr(i_, op.size()) != op) return false;
            i_ += op.size();
            return true;
        };
        if (take("==") || take("=")) return Comparison::eq;
        if (take("!=") || take("<>")) return Comparison::ne;
        if (take("<=")) return Comparison::le;
        if (take(">=")) return Comparison::ge;
        if (take("<")) return Comparison::lt;
        if (take(">")) return Comparison::gt;
        fail("expected a comparison: = != < <= > >= or between");
    }

    Value literal() {
        skip_space();
        if (done()) fail("expected a value");
        const std::size_t at = i_;
        const char c = s_[i_];
        if (c == '"' || c == '\'') return quoted(c);
        // A bare ISO date: 4 digits then '-'.
        if (i_ + 4 < s_.size() && std::isdigit(static_cast<unsigned char>(c)) && s_[i_ + 4] == '-') {
            std::size_t j = i_;
            while (j < s_.size() && !std::isspace(static_cast<unsigned char>(s_[j]))) ++j;
            const auto text = s_.substr(i_, j - i_);
            try {
                auto t = parse_time(text);
                i_ = j;
                return t;
            } catch (const ValidationError& e) {
                fail_at(fmt::format("'{}' is not an ISO 8601 time", text), at);
            }
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.') return number();
        const auto word = peek_word();
        if (word.empty()) fail("expected a value: a number, a quoted string, true, false or a date");
        i_ += word.size();
        if (iequals(word, "true")) return true;
        if (iequals(word, "false")) return false;
        return std::string(word);  // a bare word is a string: detector.name = eiger
    }

    Value quoted(char quote) {
        const std::size_t start = i_++;
        std::string out;
        while (!done() && s_[i_] != quote) {
            if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
            out += s_[i_++];
        }
        if (done()) fail_at("unterminated string", start);
        ++i_;
        return out;
    }

    Value number() {
        const std::size_t start = i_;
        std::size_t j = i_;
        if (s_[j] == '+' || s_[j] == '-') ++j;
        bool is_float = false;
        while (j < s_.size()) {
            const char ch = s_[j];
            if (std::isdigit(static_cast<unsigned char>(ch))) {
                ++j;
            } else if (ch == '.' || ch == 'e' || ch == 'E') {
                is_float = true;
                ++j;
                if ((ch == 'e' || ch == 'E') && j < s_.size() && (s_[j] == '+' || s_[j] == '-')) ++j;
            } else {
                break;
            }
        }
        const char* first = s_.data() + start + (s_[start] == '+' ? 1 : 0);
        const char* last = s_.data() + j;
        if (!is_float) {
            std::int64_t v = 0;
            auto r = std::from_chars(first, last, v);
            if (r.ec == std::errc{} && r.ptr == last) {
                i_ = j;
                return v;
            }
        }
        double d = 0;
        auto r = std::from_chars(first, last, d);
        if (r.ec != std::errc{} || r.ptr != last) fail_at("expected a number", start);
        i_ = j;
        return d;
    }

    // Everything up to the next 'and' or the end: units may hold spaces ("W m-2") and symbols ("m/s").
    std::string unit() {
        skip_space();
        std::size_t j = i_;
        std::size_t end = i_;
        while (j < s_.size()) {
            if (std::isspace(static_cast<unsigned char>(s_[j]))) {
                ++j;
                continue;
            }
            std::size_t k = j;
            while (k < s_.size() && !std::isspace(static_cast<unsigned char>(s_[k]))) ++k;
            if (iequals(s_.substr(j, k - j), "and")) break;
            end = j = k;
        }
        std::string u(s_.substr(i_, end - i_));
        if (!u.empty() && !units::is_known(u))
            fail(fmt::format("'{}' is not a unit UDUNITS-2 knows (nor one of deg, pixel, counts, photons)", u));
        i_ = end;
        return u;
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

}  // namespace

std::vector<MetadataCondition> parse_conditions(std::string_view text) { return Parser(text).parse(); }

DatasetQuery& DatasetQuery::where(std::string_view text) {
    for (auto& c : parse_conditions(text)) metadata.push_back(std::move(c));
    return *this;
}

}  // namespace datatrail
