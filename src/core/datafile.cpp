#include <datatrail/datafile.hpp>
#include <datatrail/error.hpp>

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>

namespace datatrail {

namespace fs = std::filesystem;

std::string sha256_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw NotFound(fmt::format("cannot read file '{}'", path.string()));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        throw Error("cannot start SHA-256: OpenSSL failed");
    std::array<char, 1 << 16> buffer;
    while (in) {
        in.read(buffer.data(), buffer.size());
        if (in.gcount() > 0 && EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(in.gcount())) != 1)
            throw Error("SHA-256 update failed in OpenSSL");
    }
    if (in.bad()) throw Error(fmt::format("reading '{}' failed while computing its SHA-256", path.string()));
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1) throw Error("SHA-256 final failed in OpenSSL");
    std::string hex;
    hex.reserve(2 * length);
    for (unsigned i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

std::string guess_format(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static constexpr std::pair<std::string_view, std::string_view> table[] = {
        {".nxs", "nexus"}, {".nx5", "nexus"}, {".nx", "nexus"},    {".h5", "hdf5"},   {".hdf5", "hdf5"},
        {".hdf", "hdf5"},  {".tif", "tiff"},  {".tiff", "tiff"},   {".cbf", "cbf"},   {".edf", "edf"},
        {".json", "json"}, {".csv", "csv"},   {".txt", "text"},    {".dat", "text"},  {".log", "text"},
        {".png", "png"},   {".jpg", "jpeg"},  {".jpeg", "jpeg"},   {".npy", "numpy"}, {".zarr", "zarr"},
        {".yaml", "yaml"}, {".yml", "yaml"},  {".ipynb", "ipynb"},
    };
    for (const auto& [e, format] : table)
        if (ext == e) return std::string(format);
    return {};
}

Datafile describe_file(const fs::path& root, const std::string& relative_path) {
    const fs::path full = root.empty() ? fs::path(relative_path) : root / relative_path;
    std::error_code ec;
    if (!fs::is_regular_file(full, ec))
        throw NotFound(fmt::format("file '{}' (dataset file '{}') does not exist or is not a regular file",
                                   full.string(), relative_path));
    Datafile f;
    f.path = relative_path;
    f.size = fs::file_size(full, ec);
    if (ec) throw NotFound(fmt::format("cannot read the size of '{}': {}", full.string(), ec.message()));
    const auto mtime = fs::last_write_time(full, ec);
    if (!ec)
        f.modified = std::chrono::time_point_cast<std::chrono::microseconds>(
            std::chrono::file_clock::to_sys(mtime));
    f.sha256 = sha256_file(full);
    f.format = guess_format(relative_path);
    return f;
}

}  // namespace datatrail
