#include "aqueduct/core/cache/lru_stack.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <variant>

#include "last_use_table.h"
#include "slot_sums.h"

namespace aqueduct::core {
namespace {

// Each request is handled in two passes, each with one independent cache
// miss per request that is prefetched well ahead, instead of one pass with
// two dependent misses (the key's entry, then its slot):
//   KeyPass   the key's last slot from the table, and its new one;
//   SlotPass  the byte distance from the old slot, then the move.
// Slots are numbered in arrival order, so both passes agree on them without
// talking; when the slots fill up both compact, at the same request, to the
// same numbering.

// One request as the key pass hands it to the slot pass.
struct Moved {
  std::uint32_t old;  // the key's last slot; LastUseTable::kEmpty: first use
  std::int64_t bytes;
};

// The slot count after a compaction that keeps `m` live slots.
std::size_t grown(std::size_t m, std::size_t cap) {
  const std::size_t want = std::max<std::size_t>({4096, 4 * m, cap});
  constexpr std::size_t kBlock = SlotSums<std::int64_t>::kBlock;
  return (want + kBlock - 1) / kBlock * kBlock;
}

class KeyPass {
 public:
  explicit KeyPass(std::size_t cap) : cap_(cap), alive_(cap / 64, 0) {}

  [[gnu::always_inline]] void prefetch(std::uint64_t hash) const { last_.prefetch(hash); }
  bool full() const { return next_ == cap_; }

  Moved take(const CacheRequest& q, std::uint64_t hash) {
    bool fresh = false;
    LastUseTable::Entry& e = last_.find_or_insert(q.key, hash, fresh);
    const Moved m{fresh ? LastUseTable::kEmpty : e.slot, q.bytes};
    if (!fresh) alive_[e.slot / 64] &= ~(std::uint64_t{1} << (e.slot % 64));
    e.slot = next_++;
    alive_[e.slot / 64] |= std::uint64_t{1} << (e.slot % 64);
    return m;
  }

  // Renumbers the live slots 0..m-1 in time order (a slot's new number is
  // the count of live slots before it); every key in the table owns one.
  void compact() {
    rank_.resize(alive_.size());
    std::uint32_t r = 0;
    for (std::size_t w = 0; w < alive_.size(); ++w) {
      rank_[w] = r;
      r += static_cast<std::uint32_t>(std::popcount(alive_[w]));
    }
    last_.remap_slots([&](std::uint32_t slot) {
      const std::uint64_t below = alive_[slot / 64] & ((std::uint64_t{1} << (slot % 64)) - 1);
      return rank_[slot / 64] + static_cast<std::uint32_t>(std::popcount(below));
    });
    cap_ = grown(r, cap_);
    alive_.assign(cap_ / 64, 0);
    for (std::uint32_t s = 0; s < r; ++s) alive_[s / 64] |= std::uint64_t{1} << (s % 64);
    next_ = r;
  }

 private:
  LastUseTable last_;
  std::size_t cap_;
  std::uint32_t next_ = 0;
  std::vector<std::uint64_t> alive_;  // one bit per slot: its key's last use
  std::vector<std::uint32_t> rank_;
};

// `Slot`: the slots' value type (SlotSums); 32-bit until a request needs more.
template <class Slot>
class SlotPass {
 public:
  SlotPass(std::vector<std::int64_t> caps, double rate, bool update, std::size_t cap)
      : caps_(std::move(caps)),
        hits_(caps_.size() + 1, 0),
        hit_bytes_(caps_.size() + 1, 0),
        rate_(rate),
        update_(update) {
    slots_.reset(cap);
  }

  void run(std::span<const Moved> moved) {
    // First every request's distance, then the capacities they first fit:
    // the searches, apart from the rest, overlap in the CPU.
    constexpr std::size_t kAhead = 8;
    need_.resize(moved.size());
    for (std::size_t i = 0; i < moved.size(); ++i) {
      if (i + kAhead < moved.size() && moved[i + kAhead].old != LastUseTable::kEmpty)
        slots_.prefetch(moved[i + kAhead].old);
      need_[i] = move(moved[i]);
    }
    for (std::size_t i = 0; i < moved.size(); ++i) {
      const std::size_t k = first_fit(need_[i]);
      ++hits_[k];
      hit_bytes_[k] += moved[i].bytes;
    }
  }

  // Renumbers the live slots as KeyPass::compact() does.
  void compact() {
    spare_.resize(std::max(spare_.size(), slots_.size()));
    std::uint32_t j = 0;
    for (std::size_t s = 0; s < next_; ++s) {  // without a branch on which are live
      spare_[j] = static_cast<Slot>(slots_[s]);
      j += slots_[s] != 0;
    }
    spare_.resize(grown(j, slots_.size()));
    std::fill(spare_.begin() + j, spare_.end(), 0);
    slots_.adopt(spare_, j);
    next_ = j;
  }

  // The same state with 64-bit slots, for a request too large for Slot.
  SlotPass<std::int64_t> widened() {
    SlotPass<std::int64_t> w(std::move(caps_), rate_, update_, 0);
    w.hits_ = std::move(hits_);
    w.hit_bytes_ = std::move(hit_bytes_);
    w.exact_ = exact_;
    w.live_ = live_;
    w.next_ = next_;
    typename SlotSums<std::int64_t>::template Vector<std::int64_t> values(slots_.size());
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = slots_[i];
    w.slots_.adopt(values, next_);
    return w;
  }

  const std::vector<std::int64_t>& caps() const { return caps_; }
  const std::vector<std::uint64_t>& hits() const { return hits_; }
  const std::vector<std::int64_t>& hit_bytes() const { return hit_bytes_; }
  bool exact() const { return exact_; }

 private:
  // A sampled distance scaled to the whole trace, rounded up: an integer
  // capacity c holds it exactly when c >= the result. Unsampled: as is.
  std::int64_t scaled(std::int64_t distance) const {
    if (rate_ == 1.0) return distance;
    const double d = std::ceil(static_cast<double>(distance) / rate_);
    return d >= 0x1p62 ? std::int64_t{1} << 62 : static_cast<std::int64_t>(d);
  }

  // The cache size this request needs to hit; kCold for a first use.
  std::int64_t move(const Moved& m) {
    const std::int64_t size = m.bytes;
    std::int64_t need = kCold;
    if (m.old != LastUseTable::kEmpty) {
      const std::int64_t cached = slots_[m.old];
      // Bytes of the distinct objects used since, then this object's own (as cached).
      const std::int64_t since = live_ - slots_.prefix(m.old);
      need = scaled(since + cached);
      // keep: the cached size depends on C; update: a block that shrinks
      // leaves room the replay does not refill from below, unlike the stack.
      if (cached != size && (!update_ || size < cached)) exact_ = false;
      slots_.add(m.old, -cached);
      live_ -= cached;
    }
    slots_.append(next_++, size);
    live_ += size;
    if (size > caps_.front())
      exact_ = false;  // never cached at the smallest size, yet on the stack
    return need;
  }

  // The first capacity that holds `need` (it hits there and at every larger
  // one), caps_.size() when none does, by a binary search without branches.
  std::size_t first_fit(std::int64_t need) const {
    const std::int64_t* base = caps_.data();
    for (std::size_t len = caps_.size(); len > 1;) {
      const std::size_t half = len / 2;
      base += static_cast<std::size_t>(base[half - 1] < need) * half;
      len -= half;
    }
    return static_cast<std::size_t>(base - caps_.data()) + (*base < need);
  }

  static constexpr std::int64_t kCold = std::numeric_limits<std::int64_t>::max();

  std::vector<std::int64_t> caps_;  // sorted ascending
  // Per capacity: requests whose distance first fits it; the last entry
  // counts those that fit none (cold misses among them).
  std::vector<std::uint64_t> hits_;
  std::vector<std::int64_t> hit_bytes_;
  double rate_;
  bool update_;
  bool exact_ = true;
  template <class>
  friend class SlotPass;

  SlotSums<Slot> slots_;  // bytes per slot (0: its object moved on)
  std::int64_t live_ = 0;
  std::uint32_t next_ = 0;
  typename SlotSums<Slot>::template Vector<Slot> spare_;  // reused by every compaction
  std::vector<std::int64_t> need_;                        // per request of a run: move()'s result
};

constexpr std::size_t kFirstSlots = 4096;

}  // namespace

struct LruStackDistance::State {
  State(std::vector<std::int64_t> sorted_caps, double rate, bool update)
      : rate(rate),
        keys(kFirstSlots),
        slots(std::in_place_index<0>, std::move(sorted_caps), rate, update, kFirstSlots) {
    threshold = static_cast<std::uint64_t>(std::ldexp(rate, 32));
    run.reserve(kRun);
  }

  // Requests pass the key pass in runs of kRun (a few hundred KiB, in the
  // CPU's caches) before the slot pass takes the run.
  static constexpr std::size_t kRun = 4096;
  std::vector<std::size_t> order;  // caps[order[i]] is the i-th capacity as given
  double rate = 1;
  std::uint64_t threshold = 0;  // sampled when hash < threshold (of 2^32)
  std::uint64_t requests = 0, sampled = 0, zero = 0;
  std::int64_t bytes = 0, sampled_bytes = 0;
  KeyPass keys;
  std::variant<SlotPass<std::int32_t>, SlotPass<std::int64_t>> slots;
  std::vector<Moved> run;  // through the key pass, not yet the slot pass

  void flush() {
    std::visit([&](auto& p) { p.run(run); }, slots);
    run.clear();
  }
  void compact() {
    flush();
    keys.compact();
    std::visit([](auto& p) { p.compact(); }, slots);
  }
  // Before a request whose bytes do not fit 32-bit slots.
  void widen() {
    if (slots.index() != 0) return;
    flush();
    slots = std::get<0>(slots).widened();
  }
};

LruStackDistance::LruStackDistance(std::vector<std::int64_t> capacities, double sample_rate,
                                   OnHitSize on_hit_size) {
  std::vector<std::size_t> idx(capacities.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(),
            [&](std::size_t a, std::size_t b) { return capacities[a] < capacities[b]; });
  std::vector<std::int64_t> sorted;
  std::vector<std::size_t> order(idx.size());
  for (std::size_t r = 0; r < idx.size(); ++r) {
    sorted.push_back(capacities[idx[r]]);
    order[idx[r]] = r;
  }
  if (sorted.empty()) sorted.push_back(1);
  s_ = std::make_unique<State>(std::move(sorted), std::clamp(sample_rate, 1e-6, 1.0),
                               on_hit_size == OnHitSize::kUpdate);
  s_->order = std::move(order);
}

LruStackDistance::~LruStackDistance() = default;
LruStackDistance::LruStackDistance(LruStackDistance&&) noexcept = default;
LruStackDistance& LruStackDistance::operator=(LruStackDistance&&) noexcept = default;

void LruStackDistance::add(std::span<const CacheRequest> batch) {
  State& s = *s_;
  const bool sampling = s.rate < 1.0;
  // The key pass's miss is the key's table line: fetched kAhead requests
  // ahead, with the hashes computed once, into a ring.
  constexpr std::size_t kAhead = 16, kRing = 32;
  std::uint64_t ring[kRing];
  const std::size_t n = batch.size();
  for (std::size_t i = 0; i < std::min(n, kAhead); ++i) {
    ring[i % kRing] = LastUseTable::hash(batch[i].key);
    s.keys.prefetch(ring[i % kRing]);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) {
      const std::uint64_t h = LastUseTable::hash(batch[i + kAhead].key);
      ring[(i + kAhead) % kRing] = h;
      s.keys.prefetch(h);
    }
    const CacheRequest& q = batch[i];
    const std::uint64_t h = ring[i % kRing];
    if (q.bytes <= 0) {
      s.zero += q.bytes == 0;
      continue;
    }
    ++s.requests;
    s.bytes += q.bytes;
    // Spatial sampling: a key is in or out for the whole trace.
    if (sampling && (h & 0xffffffffu) >= s.threshold) continue;
    ++s.sampled;
    s.sampled_bytes += q.bytes;
    if (q.bytes > std::numeric_limits<std::int32_t>::max()) s.widen();
    if (s.keys.full()) {
      s.compact();
    } else if (s.run.size() == State::kRun) {
      s.flush();
    }
    s.run.push_back(s.keys.take(q, h));
  }
  s.flush();
}

std::vector<ReplayResult> LruStackDistance::results() const {
  const State& s = *s_;
  const std::vector<std::int64_t>& caps = std::visit(
      [](const auto& p) -> const std::vector<std::int64_t>& { return p.caps(); }, s.slots);
  const std::vector<std::uint64_t>& counts = std::visit(
      [](const auto& p) -> const std::vector<std::uint64_t>& { return p.hits(); }, s.slots);
  const std::vector<std::int64_t>& counted_bytes = std::visit(
      [](const auto& p) -> const std::vector<std::int64_t>& { return p.hit_bytes(); }, s.slots);
  std::vector<ReplayResult> sorted(caps.size());
  std::uint64_t hits = 0;
  std::int64_t hit_bytes = 0;
  // SHARDS-adj: the sampled requests expected at this rate, minus those seen,
  // count as hits (the first bucket of the distance histogram).
  const double expected = s.rate * static_cast<double>(s.requests);
  const double expected_bytes = s.rate * static_cast<double>(s.bytes);
  for (std::size_t k = 0; k < caps.size(); ++k) {
    hits += counts[k];
    hit_bytes += counted_bytes[k];
    ReplayResult& r = sorted[k];
    r.policy = "lru";
    r.capacity_bytes = caps[k];
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

bool LruStackDistance::exact() const {
  return std::visit([](const auto& p) { return p.exact(); }, s_->slots);
}
std::uint64_t LruStackDistance::sampled_requests() const { return s_->sampled; }

}  // namespace aqueduct::core
