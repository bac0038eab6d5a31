#pragma once
// One table of fields per bound record drives every place its fields appear in Python: the
// constructor's keywords, the properties, pickling, repr, reading a mapping of keywords (with the
// list of known keys its errors give), the `:param` lines of docstrings, the keywords of
// catalogue methods that make the record (Catalog.register_dataset), and the HTML a notebook
// shows (`_fields`, drawn by datatrail._display). Adding a field to a record is one line in its
// table (records.hpp).
//
// A table is a struct:
//
//     struct sample_table {
//         using type = Sample;
//         static constexpr record_info info{.python_name = "Sample", ...};
//         static constexpr auto fields = std::tuple{
//             field<&Sample::pid, pid_text>{.name = "pid", .doc = "...", .arg = arg_at::last},
//             ...
//         };
//     };
//
// Fields are listed in the C++ struct's member order, which is also the order of the pickle
// state, of the properties and of the known keys in error messages. The constructor's keywords,
// the catalogue's keywords and repr each have their own order, given by `arg`, `add` and `repr`.
//
// A codec says how one kind of member crosses the boundary:
//
//     using arg = <hint type of the keyword and the setter, see convert.hpp>;
//     static constexpr default_value dflt;  static constexpr access prop;   (what fields default to)
//     static void read(M&, py::handle, const std::string& field, Violations&);
//     static <out> get(const M&);                        (getter of converted and read-only properties)
//     static py::object state(const M&);  static void from_state(M&, py::handle, const char* name);
//     static std::string show(const M&);  static bool is_set(const M&);      (repr)
//
// A new record is a table in records.hpp, `fields::record_class` and `fields::bind` in its binding
// file, and `fields::def_catalogue_method` for the Catalog method that makes one.
//
// Everything is resolved at compile time: a generated constructor or method converts each
// keyword with a direct call, as the hand-written bindings did.
#include "convert.hpp"
#include "display.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace datatrail::python::fields {

// How a field's property is bound.
enum class access : unsigned char {
    // def_readwrite: pybind11 casts the value (a wrong type is a TypeError), and the getter hands
    // out the member itself (so an Activity's Environment is changed in place).
    plain,
    // The setter converts as the constructor's keyword does: a ValidationError names the field.
    converted,
    // Read back from the catalogue: a getter only, and no keyword.
    read_only,
};

// Where a field stands among keywords: `first` and `second` lead, the `keyword`s follow in table
// order, then `last`; `none` is no keyword. A catalogue method takes the constructor's place
// (`as_constructor`) unless the field says otherwise.
enum class arg_at : unsigned char { first, second, keyword, last, none, as_constructor };

// A keyword's default as the signature shows it: None, a str, or ().
struct default_value {
    enum class kind : unsigned char { none, str, empty_tuple };
    kind k = kind::none;
    const char* text = "";

    constexpr default_value() = default;
    constexpr default_value(const char* s) : k(kind::str), text(s) {}  // implicit: `.dflt = "raw"`
    constexpr explicit default_value(kind x) : k(x) {}

    py::object object() const {
        switch (k) {
            case kind::str: return py::str(text);
            case kind::empty_tuple: return py::tuple();
            case kind::none: break;
        }
        return py::none();
    }
};
inline constexpr default_value py_none{};
inline constexpr default_value empty_tuple{default_value::kind::empty_tuple};

// How a field appears in repr.
enum class shown : unsigned char {
    always,        // name=<value>
    if_set,        // the same, only when not empty (not None)
    count,         // name=<number of items>
    count_if_set,  // the same, only when there are items
    keys,          // name=<n> key(s)
    digest,        // a checksum, only when set: its first 12 characters and "..." (the whole would drown the rest)
    head,          // a commit, only when set: its first 12 characters
};

// Position in repr, from 1; 0 leaves the field out.
struct repr_as {
    int at = 0;
    shown how = shown::always;
};

struct record_info {
    const char* python_name;  // the class: in repr and in errors about pickle states
    const char* keys_noun;    // "<keys_noun> keys must be str: <known keys>"
    const char* field_noun;   // "is not <field_noun> field; known: <known keys>"
    int positional = -1;      // keywords before `*` (constructor and catalogue method); -1: no `*`
    // The size of the pickle states an earlier datatrail wrote, before fields were appended to
    // the table; such a state still reads back, the newer fields keeping their defaults. -1: none.
    int older_state = -1;
};

template <class M>
struct member_traits;
template <class T, class M>
struct member_traits<M T::*> {
    using owner = T;
};

template <auto Member, class Codec>
struct field {
    using codec = Codec;
    using owner = typename member_traits<decltype(Member)>::owner;
    static constexpr auto member = Member;

    const char* name;
    const char* doc;                       // the property's docstring
    const char* param = nullptr;           // `:param <name>: <param>` in docstrings that list keywords
    const char* add_param = nullptr;       // the same in a catalogue method's docstring, when it differs
    arg_at arg = arg_at::keyword;          // place among the constructor's keywords
    arg_at add = arg_at::as_constructor;   // place among a catalogue method's keywords
    default_value dflt = Codec::dflt;
    access prop = Codec::prop;
    repr_as repr = {};
};

// --- codecs --------------------------------------------------------------------------------

// A pickle state that pybind11 casts both ways.
template <class M>
struct cast_state {
    static py::object state(const M& m) { return py::cast(m); }
    static void from_state(M& m, py::handle h, const char*) { m = h.template cast<M>(); }
};

template <class M>
using reader = M (*)(py::handle, std::string_view, Violations&);

// A member set to what `Read` makes of the Python value; its getter hands out a copy.
template <class M, reader<M> Read, class Arg, access Prop = access::converted>
struct read_by {
    using arg = Arg;
    static constexpr access prop = Prop;
    static void read(M& m, py::handle value, const std::string& field, Violations& v) { m = Read(value, field, v); }
    static M get(const M& m) { return m; }
};

// A std::string read by `Read`; None reads as empty unless `Strict`.
template <reader<std::string> Read, class Arg, access Prop = access::converted, bool Strict = false>
struct string_codec : read_by<std::string, Read, Arg, Prop>, cast_state<std::string> {
    static constexpr default_value dflt = "";
    static void read(std::string& m, py::handle value, const std::string& field, Violations& v) {
        m = !Strict && value.is_none() ? std::string() : Read(value, field, v);
    }
    static std::string show(const std::string& m) { return repr_str(m); }
    static bool is_set(const std::string& m) { return !m.empty(); }
};

// A C++ enum, a str in Python. `Parse` reads pickle states.
template <class E, reader<E> Read, E (*Parse)(std::string_view, std::string_view)>
struct enum_codec : read_by<E, Read, StrArg> {
    static constexpr default_value dflt = "";
    static std::string get(E m) { return std::string(to_string(m)); }
    static py::object state(E m) { return py::cast(get(m)); }
    static void from_state(E& m, py::handle h, const char* name) { m = Parse(h.cast<std::string>(), name); }
    static std::string show(E m) { return repr_str(to_string(m)); }
};

template <reader<std::vector<std::string>> Read, class Arg>
struct strings_codec : read_by<std::vector<std::string>, Read, Arg>, cast_state<std::vector<std::string>> {
    static constexpr default_value dflt = empty_tuple;
};

// Strings the catalogue reads back (an activity's generated datasets): no keyword, no setter.
struct read_only_strings : cast_state<std::vector<std::string>> {
    using arg = ObjectArg;
    static constexpr default_value dflt = py_none;
    static constexpr access prop = access::read_only;
    static std::vector<std::string> get(const std::vector<std::string>& m) { return m; }
};

// A flag the catalogue sets (a dataset's validity): no keyword, no setter.
struct read_only_flag : cast_state<bool> {
    using arg = ObjectArg;
    static constexpr default_value dflt = py_none;
    static constexpr access prop = access::read_only;
    static bool get(bool m) { return m; }
    static std::string show(bool m) { return m ? "True" : "False"; }
    static bool is_set(bool m) { return !m; }  // repr shows only valid=False
};

// The violations a lenient schema found in a dataset, read back from the catalogue.
struct read_only_violations : cast_state<std::vector<Violation>> {
    using arg = ObjectArg;
    static constexpr default_value dflt = py_none;
    static constexpr access prop = access::read_only;
    static std::vector<Violation> get(const std::vector<Violation>& m) { return m; }
    static std::string show(const std::vector<Violation>& m) { return std::to_string(m.size()); }
    static bool is_set(const std::vector<Violation>& m) { return !m.empty(); }
};

struct time_codec : read_by<std::optional<Timestamp>, &to_opt_time, OptTimeArg> {
    static constexpr default_value dflt = py_none;
    static OptDateTimeOut get(const std::optional<Timestamp>& m) { return OptDateTimeOut(from_opt_time(m)); }
    static py::object state(const std::optional<Timestamp>& m) { return time_state(m); }
    static void from_state(std::optional<Timestamp>& m, py::handle h, const char*) { m = time_from_state(h); }
    static std::string show(const std::optional<Timestamp>& m) { return repr_str(format_time(*m)); }
    static bool is_set(const std::optional<Timestamp>& m) { return m.has_value(); }
};

struct metadata_codec : read_by<Metadata, &to_metadata, MetadataArg> {
    static constexpr default_value dflt = py_none;
    static MetadataOut get(const Metadata& m) { return MetadataOut(from_metadata(m)); }
    static py::object state(const Metadata& m) { return metadata_state(m); }
    static void from_state(Metadata& m, py::handle h, const char*) { m = metadata_from_state(h); }
};

// A count that may be unknown (a file's size).
struct count_codec : read_by<std::optional<std::uint64_t>, &to_opt_count, OptIntArg>,
                     cast_state<std::optional<std::uint64_t>> {
    static constexpr default_value dflt = py_none;
    static std::string show(const std::optional<std::uint64_t>& m) { return std::to_string(*m); }
    static bool is_set(const std::optional<std::uint64_t>& m) { return m.has_value(); }
};

// True, False or None (unknown).
struct flag_codec : cast_state<std::optional<bool>> {
    using arg = OptBoolArg;
    static constexpr default_value dflt = py_none;
    static constexpr access prop = access::plain;
    static void read(std::optional<bool>& m, py::handle value, const std::string& field, Violations& v) {
        if (value.is_none())
            m.reset();
        else if (PyBool_Check(value.ptr()))
            m = value.ptr() == Py_True;
        else
            v.add(field, repr_of(value), "must be a bool or None (unknown)");
    }
    static std::string show(const std::optional<bool>& m) { return *m ? "True" : "False"; }
    static bool is_set(const std::optional<bool>& m) { return m.has_value(); }
};

struct str_map_codec : read_by<std::map<std::string, std::string>, &to_str_map, StrMapArg>,
                       cast_state<std::map<std::string, std::string>> {
    static constexpr default_value dflt = py_none;
    static StrMapOut get(const std::map<std::string, std::string>& m) { return StrMapOut(py::cast(m)); }
};

template <class Table>
using type_of = typename Table::type;
template <class Table>
py::tuple state(const type_of<Table>& x);
template <class Table>
type_of<Table> from_state(py::handle state);

// Another record held whole (an Activity's Environment), with its own table.
template <class Table, reader<type_of<Table>> Read, class Arg>
struct record_codec : read_by<type_of<Table>, Read, Arg, access::plain> {
    static constexpr default_value dflt = py_none;
    static py::object state(const type_of<Table>& m) { return fields::state<Table>(m); }
    static void from_state(type_of<Table>& m, py::handle h, const char*) { m = fields::from_state<Table>(h); }
};

// A list of other records (a Dataset's files), each pickled by its own table.
template <class Table, reader<std::vector<type_of<Table>>> Read, class Arg>
struct records_codec : read_by<std::vector<type_of<Table>>, Read, Arg> {
    static constexpr default_value dflt = empty_tuple;
    static py::object state(const std::vector<type_of<Table>>& m) {
        py::list out;
        for (const auto& x : m) out.append(fields::state<Table>(x));
        return out;
    }
    static void from_state(std::vector<type_of<Table>>& m, py::handle h, const char*) {
        for (py::handle x : h) m.push_back(fields::from_state<Table>(x));
    }
};

// --- reading a table -------------------------------------------------------------------------

template <class Table>
inline constexpr std::size_t size = std::tuple_size_v<std::remove_cvref_t<decltype(Table::fields)>>;

template <class Table, std::size_t I>
using field_type = std::remove_cvref_t<std::tuple_element_t<I, std::remove_cvref_t<decltype(Table::fields)>>>;

template <class Table, std::size_t I>
inline constexpr const auto& field_at = std::get<I>(Table::fields);

// Calls f(std::integral_constant<std::size_t, I>) for each I in `indices`, in order.
template <auto indices, class F>
void for_each_index(F&& f) {
    [&]<std::size_t... J>(std::index_sequence<J...>) {
        (f(std::integral_constant<std::size_t, indices[J]>{}), ...);
    }(std::make_index_sequence<indices.size()>{});
}

// Which keywords: the constructor's, or a catalogue method's.
enum class use { constructor, catalogue };

// Ranks order fields for one purpose; a negative rank leaves the field out.
template <use U>
struct keyword_rank {
    template <class Field>
    constexpr int operator()(const Field& f) const {
        const arg_at at = U == use::catalogue && f.add != arg_at::as_constructor ? f.add : f.arg;
        switch (at) {
            case arg_at::first: return 0;
            case arg_at::second: return 1;
            case arg_at::keyword: return 2;
            case arg_at::last: return 3;
            default: return -1;
        }
    }
};

struct repr_rank {
    template <class Field>
    constexpr int operator()(const Field& f) const {
        return f.repr.at > 0 ? f.repr.at : -1;
    }
};

// Every field that is a keyword, in table order.
struct is_keyword {
    template <class Field>
    constexpr int operator()(const Field& f) const {
        return keyword_rank<use::constructor>{}(f) >= 0 ? 0 : -1;
    }
};

template <class Table, auto rank>
inline constexpr auto ranks = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<int, size<Table>>{rank(field_at<Table, I>)...};
}(std::make_index_sequence<size<Table>>{});

// The indices of the fields with a rank, sorted by rank (ties in table order).
template <class Table, auto rank>
inline constexpr auto ordered = [] {
    constexpr auto& r = ranks<Table, rank>;
    constexpr auto n = static_cast<std::size_t>(std::count_if(r.begin(), r.end(), [](int x) { return x >= 0; }));
    std::array<std::size_t, n> out{};
    std::size_t k = 0;
    for (int at = 0; k < n; ++at)
        for (std::size_t i = 0; i < r.size(); ++i)
            if (r[i] == at) out[k++] = i;
    return out;
}();

template <class Table, use U>
inline constexpr auto keyword_order = ordered<Table, keyword_rank<U>{}>;
template <class Table>
inline constexpr auto repr_order = ordered<Table, repr_rank{}>;
template <class Table>
inline constexpr auto keyword_fields = ordered<Table, is_keyword{}>;

// Whether no two of `xs` for which `counts` holds are equal.
template <class T, std::size_t N, class Counts>
constexpr bool distinct(const std::array<T, N>& xs, Counts counts) {
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = i + 1; j < N; ++j)
            if (counts(xs[i]) && xs[i] == xs[j]) return false;
    return true;
}

// Whether no two fields share a rank up to `up_to` (the first or second keyword, a place in repr).
template <class Table, auto rank>
constexpr bool ranks_unique(int up_to) {
    return distinct(ranks<Table, rank>, [up_to](int r) { return r >= 0 && r <= up_to; });
}

// The fields' names, in table order.
template <class Table>
constexpr auto names() {
    return []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<std::string_view, size<Table>>{field_at<Table, I>.name...};
    }(std::make_index_sequence<size<Table>>{});
}

template <class Table>
constexpr bool names_unique() {
    return distinct(names<Table>(), [](std::string_view) { return true; });
}

// Mistakes in a table, caught when it is compiled.
template <class Table>
constexpr bool check() {
    static_assert([]<std::size_t... I>(std::index_sequence<I...>) {
        return (std::is_same_v<typename field_type<Table, I>::owner, type_of<Table>> && ...);
    }(std::make_index_sequence<size<Table>>{}), "a field is a member of another struct");
    static_assert(size<Table> <= 64, "read_mapping() reports the fields it set in 64 bits");
    static_assert(names_unique<Table>(), "two fields have one name");
    static_assert(ranks_unique<Table, keyword_rank<use::constructor>{}>(1) &&
                      ranks_unique<Table, keyword_rank<use::catalogue>{}>(1),
                  "two fields are both first (or second) among the keywords");
    static_assert(ranks_unique<Table, repr_rank{}>(INT_MAX), "two fields have one place in repr");
    return true;
}

// --- converting --------------------------------------------------------------------------------

// Field I of x from a Python value, named `prefix.<name>` in violations.
template <class Table, std::size_t I>
void read_field(type_of<Table>& x, py::handle value, std::string_view prefix, Violations& v) {
    using F = field_type<Table, I>;
    F::codec::read(x.*F::member, value, join_field(prefix, field_at<Table, I>.name), v);
}

// The record that the keywords' values make, given in keyword order; a ValidationError names
// every value that breaks a rule, as `prefix.<field>`.
template <class Table, use U, class... Values>
type_of<Table> from_keywords(std::string_view prefix, const Values&... values) {
    type_of<Table> x;
    Violations v;
    [&]<std::size_t... J>(std::index_sequence<J...>) {
        (read_field<Table, keyword_order<Table, U>[J]>(x, values, prefix, v), ...);
    }(std::index_sequence_for<Values...>{});
    v.throw_if_any();
    return x;
}

// "pid, kind, name, ...": the keys a mapping may hold, in table order.
template <class Table>
const std::string& known_keys() {
    static const std::string keys = [] {
        std::string out;
        for_each_index<keyword_fields<Table>>([&](auto index) {
            if (!out.empty()) out += ", ";
            out += field_at<Table, decltype(index)::value>.name;
        });
        return out;
    }();
    return keys;
}

// Sets the field named `key` from a Python value, as the constructor's keyword would. Returns the
// field's index, or nothing when there is no such keyword.
template <class Table>
std::optional<std::size_t> set_field(type_of<Table>& x, std::string_view key, py::handle value,
                                     std::string_view prefix, Violations& v) {
    struct entry {
        std::string_view name;
        void (*read)(type_of<Table>&, py::handle, std::string_view, Violations&);
        std::size_t index;
    };
    static constexpr auto entries = []<std::size_t... J>(std::index_sequence<J...>) {
        constexpr auto& keywords = keyword_fields<Table>;
        return std::array<entry, sizeof...(J)>{
            entry{field_at<Table, keywords[J]>.name, &read_field<Table, keywords[J]>, keywords[J]}...};
    }(std::make_index_sequence<keyword_fields<Table>.size()>{});
    for (const auto& e : entries)
        if (e.name == key) {
            e.read(x, value, prefix, v);
            return e.index;
        }
    return std::nullopt;
}

// Bit I for the field named `name` (field I); 0 when there is none.
template <class Table>
constexpr std::uint64_t bit_of(std::string_view name) {
    std::uint64_t bit = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((name == field_at<Table, I>.name ? void(bit = std::uint64_t{1} << I) : void()), ...);
    }(std::make_index_sequence<size<Table>>{});
    return bit;
}

// Reads a mapping of keywords into x; a key that is not a str or not a keyword is a violation
// naming the known keys. Returns which fields it set, bit I for field I.
template <class Table>
std::uint64_t read_mapping(type_of<Table>& x, py::handle obj, std::string_view prefix, Violations& v) {
    static_assert(check<Table>());
    std::uint64_t given = 0;
    for (py::handle pair : obj.attr("items")()) {
        py::tuple kv = py::reinterpret_borrow<py::tuple>(pair);
        if (!PyUnicode_Check(kv[0].ptr())) {
            v.add(join_field(prefix, repr_of(kv[0])), repr_of(kv[0]),
                  std::string(Table::info.keys_noun) + " keys must be str: " + known_keys<Table>());
            continue;
        }
        const std::string key = kv[0].cast<std::string>();
        if (const auto index = set_field<Table>(x, key, kv[1], prefix, v))
            given |= std::uint64_t{1} << *index;
        else
            v.add(join_field(prefix, key), repr_of(kv[1]),
                  std::string("is not ") + Table::info.field_noun + " field; known: " + known_keys<Table>());
    }
    return given;
}

// The record `obj` is (a copy), or the one a mapping of its keywords makes; anything else breaks
// `rule` and gives an empty record.
template <class Table>
type_of<Table> record_or_mapping(py::handle obj, std::string_view field, Violations& v, const char* rule) {
    if (py::isinstance<type_of<Table>>(obj)) return obj.cast<const type_of<Table>&>();
    type_of<Table> x;
    if (is_mapping(obj))
        read_mapping<Table>(x, obj, field, v);
    else
        v.add(std::string(field), repr_of(obj), rule);
    return x;
}

// --- pickling and repr -------------------------------------------------------------------------

template <class Table>
py::tuple state(const type_of<Table>& x) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return py::make_tuple(field_type<Table, I>::codec::state(x.*field_type<Table, I>::member)...);
    }(std::make_index_sequence<size<Table>>{});
}

template <class Table>
type_of<Table> from_state(py::handle state) {
    constexpr int older = Table::info.older_state;
    const bool is_older = older >= 0 && PyTuple_Check(state.ptr()) && PyTuple_GET_SIZE(state.ptr()) == older;
    const std::size_t n = is_older ? static_cast<std::size_t>(older) : size<Table>;
    py::tuple t = state_tuple(state, n, Table::info.python_name);
    type_of<Table> x;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((I < n ? field_type<Table, I>::codec::from_state(x.*field_type<Table, I>::member, t[I], field_at<Table, I>.name)
                : void()),
         ...);
    }(std::make_index_sequence<size<Table>>{});
    return x;
}

template <class Table>
std::string repr(const type_of<Table>& x) {
    std::string out;
    out.reserve(128);  // one allocation for most reprs
    out += Table::info.python_name;
    out += '(';
    bool first = true;
    for_each_index<repr_order<Table>>([&](auto index) {
        constexpr std::size_t I = decltype(index)::value;
        using F = field_type<Table, I>;
        using C = typename F::codec;
        constexpr const auto& f = field_at<Table, I>;
        constexpr shown how = f.repr.how;
        const auto& m = x.*F::member;
        if constexpr (how == shown::if_set) {
            if (!C::is_set(m)) return;
        } else if constexpr (how == shown::count_if_set || how == shown::digest || how == shown::head) {
            if (m.empty()) return;
        }
        out += first ? "" : ", ";
        out += f.name;
        out += '=';
        first = false;
        if constexpr (how == shown::always || how == shown::if_set)
            out += C::show(m);
        else if constexpr (how == shown::count || how == shown::count_if_set)
            out += std::to_string(m.size());
        else if constexpr (how == shown::keys)
            out += count_keys(m.size());
        else
            out += repr_str(how == shown::digest && m.size() > 12 ? m.substr(0, 12) + "..." : m.substr(0, 12));
    });
    out += ')';
    return out;
}

// --- docstrings ----------------------------------------------------------------------------------

// ":param <name>: <text>" lines for the keywords, in keyword order.
template <class Table, use U>
std::string params() {
    std::string out;
    for_each_index<keyword_order<Table, U>>([&](auto index) {
        constexpr const auto& f = field_at<Table, decltype(index)::value>;
        const char* text = U == use::catalogue && f.add_param ? f.add_param : f.param;
        if (text == nullptr)
            throw std::logic_error(std::string(Table::info.python_name) + "." + f.name + " has no :param text");
        out += std::string(":param ") + f.name + ": " + text + "\n";
    });
    return out;
}

// --- binding -------------------------------------------------------------------------------------

// The keywords' py::arg objects in keyword order, with py::kw_only() where the table puts it.
// With `required_first` the first keyword has no default.
template <class Table, use U, bool required_first>
auto keyword_args() {
    return []<std::size_t... J>(std::index_sequence<J...>) {
        return std::tuple_cat([] {
            constexpr const auto& f = field_at<Table, keyword_order<Table, U>[J]>;
            auto arg = [] {
                if constexpr (required_first && J == 0)
                    return py::arg(f.name);
                else
                    return py::arg(f.name) = f.dflt.object();
            }();
            if constexpr (Table::info.positional == static_cast<int>(J))
                return std::make_tuple(py::kw_only(), arg);
            else
                return std::make_tuple(arg);
        }()...);
    }(std::make_index_sequence<keyword_order<Table, U>.size()>{});
}

template <class Table, use U, std::size_t J>
using keyword_arg_t = typename field_type<Table, keyword_order<Table, U>[J]>::codec::arg;

template <class Table, std::size_t I>
void def_field(py::class_<type_of<Table>>& cls) {
    using T = type_of<Table>;
    using F = field_type<Table, I>;
    using C = typename F::codec;
    constexpr const auto& f = field_at<Table, I>;
    static_assert(f.prop != access::read_only || (f.arg == arg_at::none && f.add == arg_at::as_constructor),
                  "a read-only field takes no keyword");
    if constexpr (f.prop == access::plain) {
        cls.def_readwrite(f.name, F::member, f.doc);
    } else if constexpr (f.prop == access::read_only) {
        cls.def_property_readonly(f.name, [](const T& x) { return C::get(x.*F::member); }, f.doc);
    } else {
        cls.def_property(
            f.name, [](const T& x) { return C::get(x.*F::member); },
            [](T& x, const typename C::arg& value) {
                // Into a copy: a value that breaks a rule leaves the record as it was.
                Violations v;
                T updated = x;
                read_field<Table, I>(updated, value, "", v);
                v.throw_if_any();
                x.*F::member = std::move(updated.*F::member);
            },
            f.doc);
    }
}

// The record's Python class. `doc` is its docstring; with `with_params`, the constructor's
// `:param` lines follow it.
template <class Table>
py::class_<type_of<Table>> record_class(py::module_& m, const char* doc, bool with_params) {
    const std::string text = with_params ? doc + params<Table, use::constructor>() : std::string(doc);
    return py::class_<type_of<Table>>(m, Table::info.python_name, text.c_str());
}

// Binds the record's constructor (keywords in keyword order, converted like every other input:
// one ValidationError naming each bad field), its properties, ==, repr, pickling, copying and its
// HTML for Jupyter (the fields in table order, `_fields`).
template <class Table>
void bind(py::class_<type_of<Table>>& cls) {
    static_assert(check<Table>());
    using T = type_of<Table>;
    using K = std::make_index_sequence<keyword_order<Table, use::constructor>.size()>;
    auto init = []<std::size_t... J>(std::index_sequence<J...>) {
        return py::init([](const keyword_arg_t<Table, use::constructor, J>&... values) {
            return from_keywords<Table, use::constructor>("", values...);
        });
    }(K{});
    std::apply([&](auto&&... args) { cls.def(std::move(init), args...); },
               keyword_args<Table, use::constructor, false>());
    [&]<std::size_t... I>(std::index_sequence<I...>) { (def_field<Table, I>(cls), ...); }(
        std::make_index_sequence<size<Table>>{});
    cls.def("__eq__", &equal_fields<T>, py::arg("other")).def("__repr__", &repr<Table>);
    add_pickle(cls, &state<Table>, [](const py::tuple& s) { return from_state<Table>(s); });
    add_copy(cls);
    set_display_fields(cls, names<Table>());
    def_repr_html(cls, "record_html");
}

// Binds `name` on `cls`: a method taking the record's catalogue keywords (the first required)
// and then `extra` (the py::arg objects of `Extra...`). The keywords become a record, each
// violation named `prefix.<field>`; then f(self, record, extra...) is called and returned.
template <class Table, class Self, class... Extra, class Class, class F, class... ExtraArgs>
void def_catalogue_method(Class& cls, const char* name, const char* prefix, F f, std::tuple<ExtraArgs...> extra,
                          const std::string& doc) {
    static_assert(check<Table>());
    using K = std::make_index_sequence<keyword_order<Table, use::catalogue>.size()>;
    auto method = [&]<std::size_t... J>(std::index_sequence<J...>) {
        return [f, prefix](Self self, const keyword_arg_t<Table, use::catalogue, J>&... values, Extra... more) {
            return f(self, from_keywords<Table, use::catalogue>(prefix, values...), more...);
        };
    }(K{});
    std::apply([&](auto&&... args) { cls.def(name, method, args..., doc.c_str()); },
               std::tuple_cat(keyword_args<Table, use::catalogue, true>(), std::move(extra)));
}

}  // namespace datatrail::python::fields
