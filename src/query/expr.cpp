// The query tree: nodes, the combinators that keep it flat, and its text form.
#include <datatrail/query.hpp>

#include <fmt/format.h>

#include <cctype>
#include <cmath>

namespace datatrail::query {

struct Expr::Node {
    Kind kind = Kind::all;
    std::string key;
    Op op = Op::eq;
    std::vector<Operand> operands;
    std::string text;
    std::vector<Expr> children;
};

namespace {

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

// A literal as the parser reads it back: strings quoted, floats always with a '.' or an
// exponent (so 12.0 stays a float), times in ISO 8601.
std::string literal(const Operand& x) {
    std::string out;
    if (x.value.is<std::string>()) {
        out = quote(x.value.as<std::string>());
    } else if (x.value.is<double>()) {
        out = x.value.to_string();
        if (std::isfinite(x.value.as<double>()) && out.find_first_of(".eE") == std::string::npos) out += ".0";
    } else {
        out = x.value.to_string();
    }
    if (!x.unit.empty()) out += " " + x.unit;
    return out;
}

}  // namespace

std::string_view to_string(Op op) noexcept {
    switch (op) {
        case Op::eq: return "==";
        case Op::ne: return "!=";
        case Op::lt: return "<";
        case Op::le: return "<=";
        case Op::gt: return ">";
        case Op::ge: return ">=";
        case Op::between: return "between";
        case Op::glob: return "~";
        case Op::in: return "in";
        case Op::exists: return "exists";
    }
    return "?";
}

const Expr::Node& Expr::empty_node() {
    static const Node node;
    return node;
}

Expr::Expr() = default;
Expr::Expr(std::shared_ptr<const Node> node) : node_(std::move(node)) {}

Expr Expr::condition(std::string key, Op op, std::vector<Operand> operands) {
    auto n = std::make_shared<Node>();
    n->kind = Kind::condition;
    n->key = std::move(key);
    n->op = op;
    n->operands = std::move(operands);
    return Expr(std::move(n));
}

Expr Expr::text_search(std::string words) {
    auto n = std::make_shared<Node>();
    n->kind = Kind::text;
    n->text = std::move(words);
    return Expr(std::move(n));
}

// and/or of children, flattening nested ones of the same kind and dropping "all" from a
// conjunction; a disjunction with "all" in it is "all".
Expr Expr::group(Kind kind, std::vector<Expr> children) {
    std::vector<Expr> flat;
    for (auto& c : children) {
        if (c.kind() == Kind::all) {
            if (kind == Kind::any_of) return Expr();
            continue;
        }
        if (c.kind() == kind) {
            for (const auto& g : c.children()) flat.push_back(g);
        } else {
            flat.push_back(std::move(c));
        }
    }
    if (flat.empty()) return Expr();
    if (flat.size() == 1) return std::move(flat.front());
    auto n = std::make_shared<Node>();
    n->kind = kind;
    n->children = std::move(flat);
    return Expr(std::move(n));
}

Expr Expr::all_of(std::vector<Expr> children) {
    return group(Kind::all_of, std::move(children));
}

Expr Expr::any_of(std::vector<Expr> children) {
    return group(Kind::any_of, std::move(children));
}

Expr Expr::negation(Expr child) {
    auto n = std::make_shared<Node>();
    n->kind = Kind::negation;
    n->children.push_back(std::move(child));
    return Expr(std::move(n));
}

Expr::Kind Expr::kind() const noexcept { return node_ ? node_->kind : Kind::all; }
const std::string& Expr::key() const noexcept { return (node_ ? *node_ : empty_node()).key; }
Op Expr::op() const noexcept { return node_ ? node_->op : Op::eq; }
const std::vector<Operand>& Expr::operands() const noexcept { return (node_ ? *node_ : empty_node()).operands; }
const std::string& Expr::text() const noexcept { return (node_ ? *node_ : empty_node()).text; }
const std::vector<Expr>& Expr::children() const noexcept { return (node_ ? *node_ : empty_node()).children; }

bool Expr::operator==(const Expr& other) const {
    if (node_ == other.node_) return true;
    return kind() == other.kind() && key() == other.key() && op() == other.op() && operands() == other.operands() &&
           text() == other.text() && children() == other.children();
}

std::string Expr::to_string() const {
    const auto nested = [](const Expr& e) {
        const bool group = e.kind() == Kind::all_of || e.kind() == Kind::any_of;
        return group ? "(" + e.to_string() + ")" : e.to_string();
    };
    switch (kind()) {
        case Kind::all: return {};
        case Kind::text: return "text(" + quote(text()) + ")";
        case Kind::negation: return "not " + nested(children().front());
        case Kind::all_of:
        case Kind::any_of: {
            std::string out;
            for (const auto& c : children()) {
                if (!out.empty()) out += kind() == Kind::all_of ? " and " : " or ";
                // "and" binds tighter than "or": only an "or" inside an "and" needs parentheses.
                out += c.kind() == Kind::any_of && kind() == Kind::all_of ? nested(c) : c.to_string();
            }
            return out;
        }
        case Kind::condition: break;
    }
    const std::string& k = key();
    const auto& xs = operands();
    switch (op()) {
        case Op::exists: return "exists " + k;
        case Op::between:
            return fmt::format("{} between {} and {}", k, xs.size() > 0 ? literal(xs[0]) : "?", xs.size() > 1 ? literal(xs[1]) : "?");
        case Op::in: {
            std::string list;
            for (const auto& x : xs) list += (list.empty() ? "" : ", ") + literal(x);
            return fmt::format("{} in [{}]", k, list);
        }
        default: return fmt::format("{} {} {}", k, query::to_string(op()), xs.empty() ? "?" : literal(xs.front()));
    }
}

Expr operator&&(const Expr& a, const Expr& b) { return Expr::all_of({a, b}); }
Expr operator||(const Expr& a, const Expr& b) { return Expr::any_of({a, b}); }
Expr operator!(const Expr& a) { return Expr::negation(a); }

}  // namespace datatrail::query
