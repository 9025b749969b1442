#include "aqueduct/core/cache/tiered_store.h"

#include <algorithm>

#include "aqueduct/core/check.h"

namespace aqueduct::core {

Result<TieredStore> TieredStore::create(std::vector<TierSpec> tiers,
                                        const EvictionRegistry& registry, std::string_view policy) {
  if (tiers.empty()) return invalid_argument("tiered store: expected at least one level");
  TieredStore store;
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    const TierSpec& t = tiers[i];
    std::string where =
        "tiered store level " + std::to_string(i) + " (" + medium_name(t.medium) + ")";
    if (t.quota_bytes <= 0) return invalid_argument(where + ": expected quota > 0");
    if (!(t.low >= 0 && t.low <= t.high && t.high <= 1.0)) {
      return invalid_argument(where + ": expected 0 <= low <= high <= 1");
    }
    if (i > 0 && static_cast<int>(t.medium) < static_cast<int>(tiers[i - 1].medium)) {
      return invalid_argument(where + ": levels must be ordered MEM, SSD, HDD");
    }
    AQ_ASSIGN_OR_RETURN(auto p, registry.create(policy));
    if (p->needs_future()) {
      return invalid_argument(
          "eviction policy \"" + std::string(policy) +
          "\" needs the future of the trace; it can only replay traces (cache-sim)");
    }
    p->set_capacity(t.quota_bytes);
    (void)p->enable_handles();
    store.levels_.push_back(Level{t, 0, std::move(p)});
  }
  return store;
}

std::optional<int> TieredStore::lookup(const BlockKey& key) {
  auto it = where_.find(key);
  if (it == where_.end()) return std::nullopt;
  int level = it->second.level;
  if (level == 0 || !promote_on_hit_) {
    levels_[level].policy->on_access_handle(it->second.handle, key);
    return level;
  }
  // A hit below the top level promotes the block (it was served from where it
  // was). Promotion never evicts data from the store: the block moves up when
  // the top level has room below its high watermark, otherwise it swaps places
  // with the top level's victim (as Alluxio's tier alignment does).
  levels_[level].policy->on_access_handle(it->second.handle, key);
  std::int64_t bytes = it->second.bytes;
  Level& low = levels_[level];
  Level& top = levels_[0];
  auto high = static_cast<std::int64_t>(top.spec.high * static_cast<double>(top.spec.quota_bytes));
  if (top.used + bytes <= high) {
    low.policy->on_remove_handle(it->second.handle, key, /*evicted=*/false);
    low.used -= bytes;
    it->second.handle = top.policy->on_insert_handle(key, bytes);
    top.used += bytes;
    it->second.level = 0;
    ++stats_.promotions;
    moved(key, level, 0);
    return level;
  }
  auto v = top.policy->victim();
  if (!v) return level;
  auto vit = where_.find(*v);
  AQ_CHECK(vit != where_.end());
  std::int64_t vbytes = vit->second.bytes;
  bool fits_top = top.used - vbytes + bytes <= top.spec.quota_bytes;
  bool fits_low = low.used - bytes + vbytes <= low.spec.quota_bytes;
  if (!fits_top || !fits_low) return level;
  top.policy->on_remove_handle(vit->second.handle, *v, /*evicted=*/true);
  low.policy->on_remove_handle(it->second.handle, key, /*evicted=*/false);
  top.used += bytes - vbytes;
  low.used += vbytes - bytes;
  it->second.handle = top.policy->on_insert_handle(key, bytes);
  vit->second.handle = low.policy->on_insert_handle(*v, vbytes);
  it->second.level = 0;
  vit->second.level = level;
  ++stats_.promotions;
  ++stats_.demotions;
  moved(*v, 0, level);
  moved(key, level, 0);
  return level;
}

std::optional<int> TieredStore::peek(const BlockKey& key) const {
  auto it = where_.find(key);
  if (it == where_.end()) return std::nullopt;
  return it->second.level;
}

void TieredStore::prefetch(const BlockKey& key, int stage) const {
  if (stage == 0) {
    where_.prefetch(key);
    return;
  }
  auto it = where_.find(key);
  if (it == where_.end() || it->second.handle == EvictionPolicy::kNoHandle) return;
  levels_[it->second.level].policy->prefetch_handle(it->second.handle, stage - 1);
}

Status TieredStore::insert(const BlockKey& key, std::int64_t bytes) {
  if (where_.count(key)) return Status::ok();
  int level = 0;
  while (level < level_count() && bytes > levels_[level].spec.quota_bytes) ++level;
  if (level == level_count()) {
    ++stats_.rejected;
    return resource_exhausted("block of " + std::to_string(bytes) +
                              " bytes is larger than every cache level");
  }
  ++stats_.inserts;
  dataset_bytes_of(key.dataset) += bytes;
  place(key, bytes, level, -1);
  return Status::ok();
}

void TieredStore::place(const BlockKey& key, std::int64_t bytes, int level, int from) {
  while (level < level_count() && bytes > levels_[level].spec.quota_bytes) ++level;
  if (level >= level_count()) {
    if (from < 0) {
      // A new block no level admitted (levels that keep what they hold).
      ++stats_.rejected;
      dataset_bytes_of(key.dataset) -= bytes;
      return;
    }
    // Fell off the last level.
    ++stats_.evictions;
    dataset_bytes_of(key.dataset) -= bytes;
    moved(key, from, -1);
    return;
  }
  Level& l = levels_[level];
  if (!l.policy->replaces()) {
    // A level that keeps what it holds admits up to its high watermark; a
    // block that does not fit goes down a level (or leaves the store).
    auto high = static_cast<std::int64_t>(l.spec.high * static_cast<double>(l.spec.quota_bytes));
    if (l.used + bytes > high) {
      place(key, bytes, level + 1, from);
      return;
    }
  }
  // The policy learns of the incoming block before it picks victims (ARC's
  // cases depend on whether the key is one of its ghosts).
  l.policy->on_miss(key, bytes);
  // Hard limit first: the block must fit under the quota.
  if (l.used + bytes > l.spec.quota_bytes) shrink(level, l.spec.quota_bytes - bytes);
  l.used += bytes;
  where_[key] = Entry{level, l.policy->on_insert_handle(key, bytes), bytes};
  moved(key, from, level);
  // Then the watermark: past high, free down to low.
  auto high = static_cast<std::int64_t>(l.spec.high * static_cast<double>(l.spec.quota_bytes));
  if (l.used > high) {
    auto low = static_cast<std::int64_t>(l.spec.low * static_cast<double>(l.spec.quota_bytes));
    shrink(level, low);
  }
}

void TieredStore::shrink(int level, std::int64_t target) {
  Level& l = levels_[level];
  while (l.used > target) {
    auto v = l.policy->victim();
    if (!v) break;
    auto it = where_.find(*v);
    AQ_CHECK(it != where_.end() && it->second.level == level);
    std::int64_t bytes = it->second.bytes;
    l.policy->on_remove_handle(it->second.handle, *v, /*evicted=*/true);
    l.used -= bytes;
    where_.erase(it);
    BlockKey key = *v;
    if (level + 1 < level_count()) {
      ++stats_.demotions;
      place(key, bytes, level + 1, level);
    } else {
      ++stats_.evictions;
      dataset_bytes_of(key.dataset) -= bytes;
      moved(key, level, -1);
    }
  }
}

void TieredStore::set_quota(int level, std::int64_t bytes) {
  Level& l = levels_[level];
  l.spec.quota_bytes = std::max<std::int64_t>(0, bytes);
  if (l.used > l.spec.quota_bytes) shrink(level, l.spec.quota_bytes);
}

bool TieredStore::erase(const BlockKey& key) {
  auto it = where_.find(key);
  if (it == where_.end()) return false;
  Level& l = levels_[it->second.level];
  l.policy->on_remove_handle(it->second.handle, key, /*evicted=*/false);
  l.used -= it->second.bytes;
  dataset_bytes_of(key.dataset) -= it->second.bytes;
  int level = it->second.level;
  where_.erase(it);
  moved(key, level, -1);
  return true;
}

std::int64_t TieredStore::used_bytes() const {
  std::int64_t s = 0;
  for (const auto& l : levels_) s += l.used;
  return s;
}

std::int64_t TieredStore::capacity_bytes() const {
  std::int64_t s = 0;
  for (const auto& l : levels_) s += l.spec.quota_bytes;
  return s;
}

std::vector<std::pair<BlockKey, std::int64_t>> TieredStore::blocks() const {
  std::vector<std::pair<BlockKey, std::int64_t>> out;
  out.reserve(where_.size());
  for (const auto& [k, e] : where_) out.emplace_back(k, e.bytes);
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t TieredStore::dataset_bytes(std::uint32_t dataset) const {
  return dataset < dataset_bytes_.size() ? dataset_bytes_[dataset] : 0;
}

}  // namespace aqueduct::core
