#include "aqueduct/core/cache/hash_ring.h"

#include <algorithm>

#include "aqueduct/core/hash.h"

namespace aqueduct::core {

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

std::uint32_t HashRing::owner(std::uint64_t h) const {
  auto it = std::lower_bound(points_.begin(), points_.end(), h,
                             [](const Point& p, std::uint64_t v) { return p.hash < v; });
  if (it == points_.end()) it = points_.begin();
  return it->worker;
}

std::vector<std::uint32_t> HashRing::preference(std::uint64_t h) const {
  std::vector<std::uint32_t> out;
  if (points_.empty()) return out;
  auto it = std::lower_bound(points_.begin(), points_.end(), h,
                             [](const Point& p, std::uint64_t v) { return p.hash < v; });
  std::size_t start = static_cast<std::size_t>(it - points_.begin());
  for (std::size_t k = 0; k < points_.size(); ++k) {
    std::uint32_t w = points_[(start + k) % points_.size()].worker;
    if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
  }
  return out;
}

}  // namespace aqueduct::core
