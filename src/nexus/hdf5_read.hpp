#pragma once
// Reading HDF5 objects over the RAII layer of hdf5.hpp, private to the library: what a group
// holds, attributes and datasets as catalogue values, arrays as bytes. Files written by other
// software are read too, so every function copes with what h5py and older NeXus writers make:
// fixed-length and variable-length strings, ASCII or UTF-8, scalars or one-element arrays,
// groups without creation order.
#include "nexus/hdf5.hpp"

#include <datatrail/metadata.hpp>
#include <datatrail/nexus.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace datatrail::nexus::h5 {

// True when the file starts with HDF5's signature; false for anything else, a missing file too.
bool is_hdf5(const std::filesystem::path& path);

// The names of the links in a group, in creation order where the group tracks it, else by name.
std::vector<std::string> children(const Location& group);

// An object opened at a path below `parent` (links followed, external ones too); invalid when
// there is nothing there or it cannot be opened, with HDF5's error stack cleared.
Handle open_object(const Location& parent, std::string_view path);
LinkTarget object_kind(hid_t object);

// A string attribute (variable or fixed length, scalar or a one-element array); nullopt when
// absent or not a string.
std::optional<std::string> string_attribute(hid_t object, std::string_view name);
// A string attribute read as a list (a scalar string is a list of one).
std::vector<std::string> string_list_attribute(hid_t object, std::string_view name);
std::optional<std::int64_t> integer_attribute(hid_t object, std::string_view name);
// A scalar attribute of any class as a catalogue value: strings, integers, floats.
std::optional<Value> value_attribute(hid_t object, std::string_view name);

// The NX_class of a group (or ""), read as string_attribute does.
std::string nx_class(hid_t object);

// A dataset as a catalogue value with its @units: a string or a list of strings, an integer,
// a float, a boolean (h5py's FALSE/TRUE enum, or numpy's bool), or a 1-D numeric array; an array
// of one element is read as a scalar.
// nullopt for what metadata cannot hold (arrays of more than one dimension, compounds...).
std::optional<MetadataValue> read_value(hid_t dataset);

// The element type of a numeric dataset; nullopt for anything else.
std::optional<ElementType> element_type(hid_t dataset);
std::vector<std::uint64_t> shape(hid_t dataset);
// The filters of a dataset's pipeline by name ("deflate", "lz4", "blosc", or "filter 32008").
std::vector<std::string> filters(hid_t dataset);
// The name of the file that holds the object, as HDF5 opened it (an external link's target file
// for an object reached through one); empty when HDF5 cannot tell.
std::string file_name(hid_t object);
// Reads a whole numeric dataset into `out`, converted to `type` in native byte order; `where`
// names it in errors.
void read_array(hid_t dataset, ElementType type, void* out, const std::string& file, const std::string& where);

}  // namespace datatrail::nexus::h5
