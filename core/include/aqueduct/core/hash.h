// Fixed, portable hashes for anything that must be the same on every machine
// and every run (random streams, consistent-hash rings): FNV-1a over bytes and
// the splitmix64 step.
#pragma once

#include <cstdint>
#include <string_view>

namespace aqueduct::core {

std::uint64_t fnv1a64(std::string_view s);
// Advances `state` and returns the next splitmix64 output.
std::uint64_t splitmix64(std::uint64_t& state);

}  // namespace aqueduct::core
