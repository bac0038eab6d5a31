#include <datatrail/error.hpp>
#include <datatrail/pid.hpp>

#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace datatrail {
namespace {

constexpr char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Monotonic ULID state: within one millisecond the random part is incremented, so PIDs minted
// in a batch sort in the order they were minted.
struct UlidState {
    std::mutex mutex;
    std::uint64_t last_ms = 0;
    std::array<unsigned char, 10> random{};
};

UlidState& state() {
    static UlidState s;
    return s;
}

bool increment(std::array<unsigned char, 10>& r) {
    for (auto it = r.rbegin(); it != r.rend(); ++it)
        if (++*it != 0) return true;
    return false;
}

bool is_prefix_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

}  // namespace

std::string new_ulid() {
    auto& s = state();
    std::uint64_t ms;
    std::array<unsigned char, 10> random;
    {
        std::lock_guard lock(s.mutex);
        ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
        if (ms <= s.last_ms) {
            ms = s.last_ms;
            if (!increment(s.random)) ++ms;  // 2^80 PIDs in one millisecond: borrow the next one
        } else if (RAND_bytes(s.random.data(), static_cast<int>(s.random.size())) != 1) {
            throw Error("cannot mint a PID: OpenSSL's random generator failed");
        }
        s.last_ms = ms;
        random = s.random;
    }
    // 128 bits: 48 of time then 80 random, written as 26 base32 digits (the first holds 3 bits).
    std::array<unsigned char, 16> bytes{};
    for (int i = 0; i < 6; ++i) bytes[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
    for (int i = 0; i < 10; ++i) bytes[6 + i] = random[i];
    std::string out(26, '0');
    for (int digit = 25, bit = 0; digit >= 0; --digit, bit += 5) {
        unsigned v = 0;
        for (int b = 0; b < 5 && bit + b < 128; ++b) {
            const int pos = bit + b;  // bit position from the least significant end
            v |= ((bytes[15 - pos / 8] >> (pos % 8)) & 1u) << b;
        }
        out[digit] = crockford[v];
    }
    return out;
}

std::string new_pid(std::string_view prefix) {
    std::string pid(prefix);
    pid += '/';
    pid += new_ulid();
    return pid;
}

bool is_valid_pid_prefix(std::string_view prefix) noexcept {
    if (prefix.empty() || prefix.size() > 64 || !is_prefix_char(prefix[0]) || prefix[0] == '.' ||
        prefix[0] == '_' || prefix[0] == '-')
        return false;
    for (char c : prefix)
        if (!is_prefix_char(c)) return false;
    return true;
}

bool is_valid_pid(std::string_view pid) noexcept {
    const auto slash = pid.find('/');
    if (slash == std::string_view::npos || pid.size() > 255) return false;
    if (!is_valid_pid_prefix(pid.substr(0, slash))) return false;
    const auto suffix = pid.substr(slash + 1);
    if (suffix.empty()) return false;
    for (unsigned char c : suffix)
        if (c <= 0x20 || c == 0x7f) return false;
    return true;
}

}  // namespace datatrail
