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
  index();
}

void HashRing::remove(std::uint32_t worker) {
  std::erase_if(points_, [&](const Point& p) { return p.worker == worker; });
  index();
}

void HashRing::index() {
  // About one point per bucket.
  int bits = 0;
  while (bits < 20 && (std::size_t{1} << (bits + 1)) <= points_.size()) ++bits;
  shift_ = 64 - bits;
  const std::size_t n = std::size_t{1} << bits;
  buckets_.assign(n + 1, 0);
  std::size_t p = 0;
  for (std::size_t b = 0; b < n; ++b) {
    const std::uint64_t start = bits == 0 ? 0 : static_cast<std::uint64_t>(b) << shift_;
    while (p < points_.size() && points_[p].hash < start) ++p;
    buckets_[b] = static_cast<std::uint32_t>(p);
  }
  buckets_[n] = static_cast<std::uint32_t>(points_.size());
}

std::uint32_t HashRing::owner(std::uint64_t h) const {
  // The first point with hash >= h lies in h's bucket or is the first point
  // of a later one.
  const std::size_t b = shift_ >= 64 ? 0 : static_cast<std::size_t>(h >> shift_);
  std::size_t p = buckets_[b];
  while (p < points_.size() && points_[p].hash < h) ++p;
  return points_[p == points_.size() ? 0 : p].worker;
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
