#include "aqueduct/core/cache/lru_stack.h"

#include <algorithm>
#include <cmath>

#include "aqueduct/core/cache/block_map.h"

namespace aqueduct::core {
namespace {

// Fenwick (binary indexed) tree of byte counts over time slots.
class Fenwick {
 public:
  void assign(const std::vector<std::int64_t>& values) {
    // Linear-time construction.
    t_ = values;
    for (std::size_t i = 0; i < t_.size(); ++i) {
      const std::size_t j = i | (i + 1);
      if (j < t_.size()) t_[j] += t_[i];
    }
  }
  void add(std::size_t i, std::int64_t v) {
    for (; i < t_.size(); i |= i + 1) t_[i] += v;
  }
  // Sum of slots [0, i].
  std::int64_t prefix(std::size_t i) const {
    std::int64_t s = 0;
    for (std::size_t k = i + 1; k > 0; k &= k - 1) s += t_[k - 1];
    return s;
  }
  std::size_t size() const { return t_.size(); }

 private:
  std::vector<std::int64_t> t_;
};

// Slots are grouped in blocks of kBlock: a Fenwick tree over block sums (small
// enough to stay in the CPU's caches) plus a scan inside one block.
constexpr std::size_t kBlock = 64;

}  // namespace

struct LruStackDistance::State {
  std::vector<std::int64_t> caps;   // sorted ascending
  std::vector<std::size_t> order;   // caps[order[i]] is the i-th capacity as given
  std::vector<std::uint64_t> hits;  // per capacity index: requests whose distance first fits it
  std::vector<std::int64_t> hit_bytes;
  double rate = 1;
  std::uint64_t threshold = 0;  // sampled when hash < threshold (of 2^32)
  bool update = false;
  bool exact = true;
  std::uint64_t requests = 0, sampled = 0, zero = 0;
  std::int64_t bytes = 0, sampled_bytes = 0;
  // Each object's last-use slot and cached size (one probe finds both), and
  // the object and bytes in each slot (0 bytes: it moved on).
  struct Entry {
    std::uint32_t slot;
    std::int64_t bytes;
  };
  BlockMap<Entry> last;
  std::vector<BlockKey> slot_key;
  std::vector<std::int64_t> slot_bytes;
  Fenwick blocks;
  std::int64_t live = 0;  // bytes in the slots
  std::uint32_t next = 0;

  void resize_slots(std::size_t cap) {
    slot_key.assign(cap, BlockKey{});
    slot_bytes.assign(cap, 0);
    blocks.assign(std::vector<std::int64_t>((cap + kBlock - 1) / kBlock, 0));
  }

  // Spare slot arrays, reused by every compaction (no allocation or page
  // faults once the live set stops growing).
  std::vector<BlockKey> spare_keys;
  std::vector<std::int64_t> spare_bytes, block_sums;

  void compact() {
    // Renumber the live slots 0..m-1 in time order, with room to grow.
    std::size_t m = 0;
    for (std::size_t s = 0; s < next; ++s) m += slot_bytes[s] > 0;
    const std::size_t cap = std::max<std::size_t>({4096, 4 * m, slot_bytes.size()});
    spare_keys.resize(cap);
    spare_bytes.assign(cap, 0);
    std::uint32_t j = 0;
    for (std::size_t s = 0; s < next; ++s) {
      if (slot_bytes[s] == 0) continue;
      spare_keys[j] = slot_key[s];
      spare_bytes[j] = slot_bytes[s];
      last[slot_key[s]].slot = j;
      ++j;
    }
    block_sums.assign((cap + kBlock - 1) / kBlock, 0);
    for (std::size_t k = 0; k < j; ++k) block_sums[k / kBlock] += spare_bytes[k];
    slot_key.swap(spare_keys);
    slot_bytes.swap(spare_bytes);
    blocks.assign(block_sums);
    next = j;
  }

  // Bytes in slots [0, slot].
  std::int64_t prefix(std::uint32_t slot) const {
    const std::size_t b = slot / kBlock;
    std::int64_t sum = b > 0 ? blocks.prefix(b - 1) : 0;
    const std::int64_t* p = slot_bytes.data() + b * kBlock;
    for (std::size_t k = 0, n = slot - b * kBlock + 1; k < n; ++k) sum += p[k];
    return sum;
  }

  void access(const CacheRequest& q) {
    const auto size = q.bytes;
    double need = -1;  // the cache size this request needs to hit; <0: a cold miss
    auto [it, fresh] = last.try_emplace(q.key, Entry{0, size});
    if (!fresh) {
      const std::uint32_t slot = it->second.slot;
      const std::int64_t cached = it->second.bytes;
      // Bytes of the distinct objects used since, then this object's own (as cached).
      const std::int64_t since = live - prefix(slot);
      need = static_cast<double>(since + cached) / rate;
      // keep: the cached size depends on C; update: a block that shrinks
      // leaves room the replay does not refill from below, unlike the stack.
      if (cached != size && (!update || size < cached)) exact = false;
      blocks.add(slot / kBlock, -cached);
      slot_bytes[slot] = 0;
      live -= cached;
    }
    if (next == slot_bytes.size()) compact();  // moves slots, not `it`'s entry
    const std::uint32_t slot = next++;
    slot_key[slot] = q.key;
    slot_bytes[slot] = size;
    it->second = Entry{slot, size};
    blocks.add(slot / kBlock, size);
    live += size;
    if (size > caps.front()) exact = false;  // never cached at the smallest size, yet on the stack
    if (need < 0) return;
    // The first capacity that holds it; hits there and at every larger one.
    const auto at = std::lower_bound(caps.begin(), caps.end(), need, [](std::int64_t c, double n) {
      return static_cast<double>(c) < n;
    });
    const auto k = static_cast<std::size_t>(at - caps.begin());
    if (k < caps.size()) {
      ++hits[k];
      hit_bytes[k] += size;
    }
  }
};

LruStackDistance::LruStackDistance(std::vector<std::int64_t> capacities, double sample_rate,
                                   OnHitSize on_hit_size)
    : s_(std::make_unique<State>()) {
  std::vector<std::size_t> idx(capacities.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(),
            [&](std::size_t a, std::size_t b) { return capacities[a] < capacities[b]; });
  s_->order.resize(idx.size());
  for (std::size_t r = 0; r < idx.size(); ++r) {
    s_->caps.push_back(capacities[idx[r]]);
    s_->order[idx[r]] = r;
  }
  if (s_->caps.empty()) s_->caps.push_back(1);
  s_->hits.assign(s_->caps.size(), 0);
  s_->hit_bytes.assign(s_->caps.size(), 0);
  s_->rate = std::clamp(sample_rate, 1e-6, 1.0);
  s_->threshold = static_cast<std::uint64_t>(std::ldexp(s_->rate, 32));
  s_->update = on_hit_size == OnHitSize::kUpdate;
  s_->resize_slots(4096);
}

LruStackDistance::~LruStackDistance() = default;
LruStackDistance::LruStackDistance(LruStackDistance&&) noexcept = default;
LruStackDistance& LruStackDistance::operator=(LruStackDistance&&) noexcept = default;

void LruStackDistance::add(std::span<const CacheRequest> batch) {
  State& s = *s_;
  const bool sampling = s.rate < 1.0;
  const BlockKeyHash hash;
  // The map probe is the first of a request's dependent loads: fetch it a
  // few requests ahead.
  constexpr std::size_t kAhead = 12;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (i + kAhead < batch.size()) s.last.prefetch(batch[i + kAhead].key);
    const CacheRequest& q = batch[i];
    if (q.bytes <= 0) {
      s.zero += q.bytes == 0;
      continue;
    }
    ++s.requests;
    s.bytes += q.bytes;
    // Spatial sampling: a key is in or out for the whole trace.
    if (sampling && (hash(q.key) & 0xffffffffu) >= s.threshold) continue;
    ++s.sampled;
    s.sampled_bytes += q.bytes;
    s.access(q);
  }
}

std::vector<ReplayResult> LruStackDistance::results() const {
  const State& s = *s_;
  std::vector<ReplayResult> sorted(s.caps.size());
  std::uint64_t hits = 0;
  std::int64_t hit_bytes = 0;
  // SHARDS-adj: the sampled requests expected at this rate, minus those seen,
  // count as hits (the first bucket of the distance histogram).
  const double expected = s.rate * static_cast<double>(s.requests);
  const double expected_bytes = s.rate * static_cast<double>(s.bytes);
  for (std::size_t k = 0; k < s.caps.size(); ++k) {
    hits += s.hits[k];
    hit_bytes += s.hit_bytes[k];
    ReplayResult& r = sorted[k];
    r.policy = "lru";
    r.capacity_bytes = s.caps[k];
    r.requests = s.requests;
    r.bytes = s.bytes;
    r.zero_byte_requests = s.zero;
    if (s.rate == 1.0) {
      r.misses = s.requests - hits;
      r.miss_bytes = s.bytes - hit_bytes;
    } else {
      const double h = static_cast<double>(hits) + (expected - static_cast<double>(s.sampled));
      const double hb =
          static_cast<double>(hit_bytes) + (expected_bytes - static_cast<double>(s.sampled_bytes));
      const double mr = expected > 0 ? std::clamp(1.0 - h / expected, 0.0, 1.0) : 0.0;
      const double bmr = expected_bytes > 0 ? std::clamp(1.0 - hb / expected_bytes, 0.0, 1.0) : 0.0;
      r.misses = static_cast<std::uint64_t>(std::llround(mr * static_cast<double>(s.requests)));
      r.miss_bytes = static_cast<std::int64_t>(std::llround(bmr * static_cast<double>(s.bytes)));
    }
  }
  std::vector<ReplayResult> out(sorted.size());
  for (std::size_t i = 0; i < s.order.size(); ++i) out[i] = sorted[s.order[i]];
  return out;
}

bool LruStackDistance::exact() const { return s_->exact; }
std::uint64_t LruStackDistance::sampled_requests() const { return s_->sampled; }

}  // namespace aqueduct::core
