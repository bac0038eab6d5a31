#pragma once
// NeXus/HDF5 files written from the catalogue (docs/nexus.md): a raw dataset's file and a processed
// dataset's file that carries its own provenance. The HDF5 C API stays behind this header.
#include <datatrail/error.hpp>
#include <datatrail/export.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace datatrail {

class Catalog;

// The element types a NeXus array may hold. The file stores them little-endian.
enum class ElementType { int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64 };

DATATRAIL_API std::string_view to_string(ElementType t) noexcept;
DATATRAIL_API std::size_t element_size(ElementType t) noexcept;

template <class T>
constexpr ElementType element_type_of() noexcept {
    using U = std::remove_cv_t<T>;
    static_assert(std::is_arithmetic_v<U> && !std::is_same_v<U, bool> && (sizeof(U) <= 8),
                  "NeXus arrays hold integers of 8 to 64 bits, float or double");
    if constexpr (std::is_floating_point_v<U>) {
        static_assert(sizeof(U) == 4 || sizeof(U) == 8, "float or double");
        return sizeof(U) == 4 ? ElementType::float32 : ElementType::float64;
    } else if constexpr (std::is_signed_v<U>) {
        if constexpr (sizeof(U) == 1) return ElementType::int8;
        else if constexpr (sizeof(U) == 2) return ElementType::int16;
        else if constexpr (sizeof(U) == 4) return ElementType::int32;
        else return ElementType::int64;
    } else {
        if constexpr (sizeof(U) == 1) return ElementType::uint8;
        else if constexpr (sizeof(U) == 2) return ElementType::uint16;
        else if constexpr (sizeof(U) == 4) return ElementType::uint32;
        else return ElementType::uint64;
    }
}

// A view of an array to write: the caller's memory in C order (last index fastest), not copied
// and not owned, so it must outlive the write call. `size` is how many elements `data` holds;
// the writer checks it against the shape, so a span and a shape that disagree are refused with
// a ValidationError rather than read past the end.
struct NexusArray {
    ElementType type = ElementType::float64;
    std::vector<std::uint64_t> shape;
    const void* data = nullptr;
    std::size_t size = 0;
    std::string units;      // UDUNITS form ("counts", "mm", "1/nm"); written as @units when set
    std::string long_name;  // a label for plots; written as @long_name when set

    // Empty `shape`: one dimension of values.size().
    template <class T>
    static NexusArray of(std::span<const T> values, std::vector<std::uint64_t> shape = {}, std::string units = {},
                         std::string long_name = {}) {
        NexusArray a;
        a.type = element_type_of<T>();
        a.shape = shape.empty() ? std::vector<std::uint64_t>{values.size()} : std::move(shape);
        a.data = values.data();
        a.size = values.size();
        a.units = std::move(units);
        a.long_name = std::move(long_name);
        return a;
    }
};

// An axis of the signal: 1-D, as long as the dimension it labels, finite values.
struct NexusAxis {
    std::string name;  // a NeXus name (letters, digits, '_'); empty: this dimension has no axis
    NexusArray values;
};

// What goes into NXdata: the signal and its axes. axes[i] labels dimension i of the signal; fewer
// axes than dimensions leave the last dimensions without one ("." in @axes). NaN and infinity are
// allowed in the signal (masked pixels) but not in an axis.
struct NexusData {
    std::string signal_name = "data";
    NexusArray signal;
    std::vector<NexusAxis> axes;
};

// Writes the NeXus file of the raw dataset `dataset_pid`: NXroot attributes, /entry (NXentry) with
// the PID as entry_identifier, its users, sample, instrument (source, detector), the metadata at
// the NeXus paths its schema names (the rest under /entry/metadata, an NXcollection), and `data`
// as /entry/data (NXdata), with the @default chain root -> entry -> data.
// The file is written under a temporary name in the same folder and renamed at the end, so a
// failure leaves no file behind (and an existing file at `path` is replaced only on success).
// Bad input (an empty or inconsistent shape, a bad name, a non-finite axis value) is a
// ValidationError naming the field, an unknown PID NotFound, an HDF5 failure NexusError naming the
// file and object; nothing is written then.
DATATRAIL_API void write_raw_file(const std::filesystem::path& path, const Catalog& catalog,
                                  const std::string& dataset_pid, const NexusData& data);

// Writes the NeXus file of the processed dataset `dataset_pid`: the skeleton of a raw file plus one
// NXprocess per activity in its lineage (Catalog::ancestors), oldest first (program, version, date,
// sequence_index from 1, NXparameters, an NXnote of type application/json with the whole activity,
// and an NXcollection with its PID and its inputs' PIDs and files' SHA-256), and, when `raw_file`
// is given, an external link with a path relative to `path` to that file's /entry/data. `data` is
// the result, as /entry/data. Errors and atomicity as write_raw_file; a raw_file that is not a
// NeXus file with /entry/data is a ValidationError.
DATATRAIL_API void write_processed_file(const std::filesystem::path& path, const Catalog& catalog,
                                        const std::string& dataset_pid, const NexusData& data,
                                        const std::filesystem::path& raw_file = {});

}  // namespace datatrail
