// The query language, and the older condition language that is a part of it.
//
//   query     := or_expr
//   or_expr   := and_expr ("or" and_expr)*
//   and_expr  := not_expr ("and" not_expr)*
//   not_expr  := "not" not_expr | "(" or_expr ")" | "text" "(" string ")" | "exists" key | condition
//   condition := key op operand | key "between" operand "and" operand | key "~" pattern
//              | key "in" "[" operand ("," operand)* "]"
//   operand   := (number [unit]) | string | bare word | true | false | ISO 8601 time
//
// parse_conditions() reads only conditions joined by "and" (no or, not, parentheses, ~, in,
// exists or text), where a unit runs to the next "and": its language as it always was.
#include "query/comparison.hpp"

#include <datatrail/error.hpp>
#include <datatrail/metadata.hpp>
#include <datatrail/query.hpp>
#include <datatrail/units.hpp>

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace datatrail {
namespace {

using query::Expr;
using query::Op;
using query::Operand;

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)); }
// Characters that end a unit, a bare time or a bare pattern in the query language.
bool is_closer(char c) { return c == ')' || c == ',' || c == ']'; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t k = 0; k < a.size(); ++k)
        if (std::tolower(static_cast<unsigned char>(a[k])) != b[k]) return false;
    return true;
}

class Parser {
public:
    enum class Mode { query, conditions };
    Parser(std::string_view text, Mode mode) : s_(text), mode_(mode) {}

    Expr parse_query() {
        skip_space();
        if (done()) return Expr();
        Expr e = or_expr();
        skip_space();
        if (!done()) {
            if (s_[i_] == ')') fail("this ')' closes no '('");
            fail("expected 'and', 'or' or the end of the query");
        }
        return e;
    }

    std::vector<Expr> parse_conditions() {
        std::vector<Expr> out;
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
        while (!done() && is_space(s_[i_])) ++i_;
    }
    std::string_view peek_word() const {
        std::size_t j = i_;
        while (j < s_.size() && is_word_char(s_[j])) ++j;
        return s_.substr(i_, j - i_);
    }
    // The first character after the word at the cursor and the spaces after it.
    char after_word() const {
        std::size_t j = i_ + peek_word().size();
        while (j < s_.size() && is_space(s_[j])) ++j;
        return j < s_.size() ? s_[j] : '\0';
    }
    bool keyword(std::string_view word) {
        skip_space();
        const auto w = peek_word();
        if (!iequals(w, word)) return false;
        i_ += w.size();
        return true;
    }
    bool take(char c) {
        skip_space();
        if (done() || s_[i_] != c) return false;
        ++i_;
        return true;
    }

    Expr or_expr() {
        std::vector<Expr> terms{and_expr()};
        while (keyword("or")) terms.push_back(and_expr());
        return Expr::any_of(std::move(terms));
    }

    Expr and_expr() {
        std::vector<Expr> terms{not_expr()};
        while (keyword("and")) terms.push_back(not_expr());
        return Expr::all_of(std::move(terms));
    }

    Expr not_expr() {
        skip_space();
        if (done()) fail("expected a condition such as: energy > 12 keV");
        if (keyword("not")) return Expr::negation(not_expr());
        if (s_[i_] == '(') {
            const std::size_t open = i_++;
            Expr inner = or_expr();
            if (!take(')')) fail(fmt::format("expected ')' to close the '(' at position {}", open));
            return inner;
        }
        const auto word = peek_word();
        if (iequals(word, "text") && after_word() == '(') {
            i_ += word.size();
            take('(');
            skip_space();
            if (done() || (s_[i_] != '"' && s_[i_] != '\'')) fail("expected a quoted string: text(\"lysozyme\")");
            std::string words = quoted(s_[i_]).as<std::string>();
            if (!take(')')) fail("expected ')' after the text of text(...)");
            return Expr::text_search(std::move(words));
        }
        if (iequals(word, "exists") && is_word_char(after_word())) {
            i_ += word.size();
            skip_space();
            return Expr::condition(key(), Op::exists);
        }
        return condition();
    }

    std::string key() {
        skip_space();
        const std::size_t at = i_;
        std::string k(peek_word());
        if (k.empty()) fail(mode_ == Mode::query ? "expected a field or metadata key such as energy or sample.name"
                                                 : "expected a metadata key such as detector.distance");
        // A keyword is not a key here (a metadata key "or" is written metadata.or).
        if (mode_ == Mode::query && (iequals(k, "and") || iequals(k, "or")))
            fail(fmt::format("expected a condition such as energy > 12 keV, not '{}'", k));
        if (!is_valid_metadata_key(k))
            fail_at(fmt::format("'{}' is not a key (dotted identifiers, e.g. detector.distance)", k), at);
        i_ += k.size();
        return k;
    }

    Expr condition() {
        std::string k = key();
        skip_space();
        if (keyword("between")) {
            Operand low = operand();
            if (!keyword("and")) fail("expected 'and' between the two bounds of 'between'");
            Operand high = operand();
            const std::size_t upper_at = unit_at_;
            if (high.unit.empty()) high.unit = low.unit;
            else if (low.unit.empty()) low.unit = high.unit;
            else if (low.unit != high.unit)
                fail_at(fmt::format("give both bounds in one unit (got '{}' and '{}')", low.unit, high.unit), upper_at);
            if (low.value.is_number() != high.value.is_number() ||
                (!low.value.is_number() && low.value.type() != high.value.type()))
                fail_at("both bounds of 'between' must be of one type", upper_at);
            if (!low.unit.empty() && !low.value.is_number())
                fail_at(fmt::format("a unit ('{}') goes only with a number", low.unit), upper_at);
            return Expr::condition(std::move(k), Op::between, {std::move(low), std::move(high)});
        }
        if (mode_ == Mode::query) {
            if (take('~')) return Expr::condition(std::move(k), Op::glob, {Operand(pattern())});
            if (keyword("in")) return Expr::condition(std::move(k), Op::in, list());
        }
        const Op op = comparison();
        return Expr::condition(std::move(k), op, {operand()});
    }

    Op comparison() {
        skip_space();
        auto take_op = [&](std::string_view op) {
            if (s_.substr(i_, op.size()) != op) return false;
            i_ += op.size();
            return true;
        };
        if (take_op("==") || take_op("=")) return Op::eq;
        if (take_op("!=") || take_op("<>")) return Op::ne;
        if (take_op("<=")) return Op::le;
        if (take_op(">=")) return Op::ge;
        if (take_op("<")) return Op::lt;
        if (take_op(">")) return Op::gt;
        fail(mode_ == Mode::query ? "expected an operator: == != < <= > >= ~ in or between"
                                  : "expected a comparison: = != < <= > >= or between");
    }

    std::vector<Operand> list() {
        if (!take('[')) fail("expected '[' to start the list of 'in', e.g. in [\"MX\", \"SAXS\"]");
        std::vector<Operand> out;
        if (take(']')) fail_at("the list of 'in' is empty", i_ - 1);
        do {
            out.push_back(operand());
        } while (take(','));
        if (!take(']')) fail("expected ',' or ']' in the list of 'in'");
        return out;
    }

    // A literal and its unit; unit_at_ is where the unit starts (or would).
    Operand operand() {
        Operand x{literal(), {}};
        unit_at_ = (skip_space(), i_);
        // The condition language reads a unit after any value (and refuses it after a non-number).
        if (mode_ == Mode::query && !x.value.is_number()) return x;
        x.unit = unit();
        if (!x.unit.empty() && !x.value.is_number())
            fail_at(fmt::format("a unit ('{}') goes only with a number", x.unit), unit_at_);
        return x;
    }

    // A glob pattern: quoted, or bare up to a space or a closing parenthesis.
    std::string pattern() {
        skip_space();
        if (done()) fail("expected a pattern such as \"lyso*\"");
        if (s_[i_] == '"' || s_[i_] == '\'') return quoted(s_[i_]).as<std::string>();
        const std::size_t start = i_;
        while (!done() && !is_space(s_[i_]) && s_[i_] != ')') ++i_;
        if (i_ == start) fail("expected a pattern such as \"lyso*\"");
        return std::string(s_.substr(start, i_ - start));
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
            while (j < s_.size() && !is_space(s_[j]) && !(mode_ == Mode::query && is_closer(s_[j]))) ++j;
            const auto text = s_.substr(i_, j - i_);
            try {
                auto t = parse_time(text);
                i_ = j;
                return t;
            } catch (const ValidationError&) {
                fail_at(fmt::format("'{}' is not an ISO 8601 time", text), at);
            }
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.') return number();
        auto word = peek_word();
        // In the query language a bare word may also hold the characters of PIDs, versions and
        // times: local/01ABC, mx@1.2, eiger-2.
        if (mode_ == Mode::query && !word.empty()) {
            std::size_t j = i_ + word.size();
            while (j < s_.size() && (is_word_char(s_[j]) || std::string_view("/-:@+").find(s_[j]) != std::string_view::npos)) ++j;
            word = s_.substr(i_, j - i_);
        }
        if (word.empty()) fail("expected a value: a number, a quoted string, true, false or a date");
        if (mode_ == Mode::query && (iequals(word, "and") || iequals(word, "or") || iequals(word, "not")))
            fail(fmt::format("expected a value, not '{}'", word));
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

    // A unit runs over words and symbols ("W m-2", "m/s"): in the condition language to the
    // next 'and'; in the query language to a keyword (and, or, not), a closing ')' or ']', or a ','.
    std::string unit() {
        skip_space();
        std::size_t j = i_;
        std::size_t end = i_;
        while (j < s_.size()) {
            if (is_space(s_[j])) {
                ++j;
                continue;
            }
            if (mode_ == Mode::query && is_closer(s_[j])) break;
            std::size_t k = j;
            while (k < s_.size() && !is_space(s_[k]) && !(mode_ == Mode::query && is_closer(s_[k]))) ++k;
            const auto word = s_.substr(j, k - j);
            if (iequals(word, "and")) break;
            if (mode_ == Mode::query && (iequals(word, "or") || iequals(word, "not"))) break;
            end = j = k;
        }
        std::string u(s_.substr(i_, end - i_));
        if (!u.empty() && !units::is_known(u)) {
            // The condition language has no 'or' or 'not': read as part of a unit, they would be
            // reported as an unknown unit.
            if (mode_ == Mode::conditions)
                for (std::size_t w = i_; w < end;) {
                    while (w < end && is_space(s_[w])) ++w;
                    std::size_t k = w;
                    while (k < end && !is_space(s_[k])) ++k;
                    const auto word = s_.substr(w, k - w);
                    if (iequals(word, "or") || iequals(word, "not"))
                        fail_at(fmt::format("'{}' does not join conditions here, only 'and' does: for or, not and "
                                            "parentheses, give the query language (the query argument) instead",
                                            word),
                                w);
                    w = k;
                }
            fail(fmt::format("'{}' is not a unit UDUNITS-2 knows (nor one of deg, pixel, counts, photons)", u));
        }
        i_ = end;
        return u;
    }

    std::string_view s_;
    Mode mode_;
    std::size_t i_ = 0;
    std::size_t unit_at_ = 0;
};


}  // namespace

namespace query {

Expr parse(std::string_view text) { return Parser(text, Parser::Mode::query).parse_query(); }

}  // namespace query

std::vector<MetadataCondition> parse_conditions(std::string_view text) {
    std::vector<MetadataCondition> out;
    for (const auto& e : Parser(text, Parser::Mode::conditions).parse_conditions()) {
        MetadataCondition c;
        c.key = e.key();
        c.op = detail::comparison_of(e.op());
        const auto& xs = e.operands();
        c.value = xs.front().value;
        c.unit = xs.front().unit;
        if (e.op() == Op::between) c.upper = xs.back().value;
        out.push_back(std::move(c));
    }
    return out;
}

DatasetQuery& DatasetQuery::where(std::string_view text) {
    for (auto& c : parse_conditions(text)) metadata.push_back(std::move(c));
    return *this;
}

DatasetQuery& DatasetQuery::matching(std::string_view text) { return matching(query::parse(text)); }

}  // namespace datatrail
