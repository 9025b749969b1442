#include <algorithm>

#include "aqueduct/sim/cache_cluster.h"
#include "aqueduct/sim/rng.h"

namespace aqueduct::sim {

void HashRing::add(std::uint32_t worker, std::string_view worker_name) {
  std::uint64_t base = fnv1a64(worker_name);
  for (int i = 0; i < kVirtualNodes; ++i) {
    std::uint64_t st = base + static_cast<std::uint64_t>(i);
    points_.push_back({splitmix64(st), worker});
  }
  std::sort(points_.begin(), points_.end(), [](const Point& a, const Point& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.worker < b.worker;
  });
}

void HashRing::remove(std::uint32_t worker) {
  std::erase_if(points_, [&](const Point& p) { return p.worker == worker; });
}

std::uint32_t HashRing::owner(const core::BlockKey& key) const {
  std::uint64_t h = core::BlockKeyHash{}(key);
  auto it = std::lower_bound(points_.begin(), points_.end(), h,
                             [](const Point& p, std::uint64_t v) { return p.hash < v; });
  if (it == points_.end()) it = points_.begin();
  return it->worker;
}

}  // namespace aqueduct::sim
