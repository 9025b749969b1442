// The identity of a cached block: which dataset, which block of it.
#pragma once

#include <cstdint>
#include <functional>

namespace aqueduct::core {

struct BlockKey {
  std::uint32_t dataset = 0;  // dense dataset id assigned by the owner of the cache
  std::uint64_t index = 0;    // block number within the dataset

  friend bool operator==(const BlockKey&, const BlockKey&) = default;
  friend auto operator<=>(const BlockKey&, const BlockKey&) = default;
};

struct BlockKeyHash {
  std::size_t operator()(const BlockKey& k) const noexcept {
    // splitmix64 finalizer over the packed key: good spread, deterministic.
    std::uint64_t x = (static_cast<std::uint64_t>(k.dataset) << 40) ^ k.index;
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<std::size_t>(x ^ (x >> 31));
  }
};

}  // namespace aqueduct::core
