#include "aqueduct/core/cache/policy/lfu_policy.h"

namespace aqueduct::core {

std::uint32_t LfuPolicy::new_bucket(std::uint64_t freq, std::uint32_t after) {
  std::uint32_t b;
  if (!free_buckets_.empty()) {
    b = free_buckets_.back();
    free_buckets_.pop_back();
  } else {
    b = static_cast<std::uint32_t>(buckets_.size());
    buckets_.emplace_back();
  }
  Bucket& nb = buckets_[b];
  nb = Bucket{freq, kNil, kNil, after, after == kNil ? first_ : buckets_[after].next};
  if (after == kNil) {
    first_ = b;
  } else {
    buckets_[after].next = b;
  }
  if (nb.next != kNil) buckets_[nb.next].prev = b;
  return b;
}

void LfuPolicy::drop_bucket_if_empty(std::uint32_t b) {
  Bucket& ob = buckets_[b];
  if (ob.head != kNil) return;
  if (ob.prev != kNil) {
    buckets_[ob.prev].next = ob.next;
  } else {
    first_ = ob.next;
  }
  if (ob.next != kNil) buckets_[ob.next].prev = ob.prev;
  free_buckets_.push_back(b);
}

void LfuPolicy::link_front(std::uint32_t n, std::uint32_t b) {
  Node& x = nodes_[n];
  Bucket& bk = buckets_[b];
  x.bucket = b;
  x.prev = kNil;
  x.next = bk.head;
  if (bk.head != kNil) nodes_[bk.head].prev = n;
  bk.head = n;
  if (bk.tail == kNil) bk.tail = n;
}

void LfuPolicy::unlink(std::uint32_t n) {
  Node& x = nodes_[n];
  Bucket& bk = buckets_[x.bucket];
  if (x.prev != kNil) {
    nodes_[x.prev].next = x.next;
  } else {
    bk.head = x.next;
  }
  if (x.next != kNil) {
    nodes_[x.next].prev = x.prev;
  } else {
    bk.tail = x.prev;
  }
}

void LfuPolicy::on_insert(const BlockKey& key, std::int64_t bytes) {
  std::uint32_t n;
  if (!free_nodes_.empty()) {
    n = free_nodes_.back();
    free_nodes_.pop_back();
  } else {
    n = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
  }
  nodes_[n].key = key;
  nodes_[n].bytes = bytes;
  index_[key] = n;
  const std::uint32_t b =
      first_ != kNil && buckets_[first_].freq == 1 ? first_ : new_bucket(1, kNil);
  link_front(n, b);
}

std::int64_t LfuPolicy::on_access(const BlockKey& key, std::int64_t new_bytes) {
  auto it = index_.find(key);
  if (it == index_.end()) return -1;
  const std::uint32_t n = it->second;
  Node& x = nodes_[n];
  const std::int64_t old = x.bytes;
  if (new_bytes >= 0) x.bytes = new_bytes;
  const std::uint32_t from = x.bucket;
  const std::uint64_t f = buckets_[from].freq + 1;
  const std::uint32_t nxt = buckets_[from].next;
  unlink(n);
  const std::uint32_t to = nxt != kNil && buckets_[nxt].freq == f ? nxt : new_bucket(f, from);
  link_front(n, to);
  drop_bucket_if_empty(from);
  return old;
}

void LfuPolicy::on_remove(const BlockKey& key, bool) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  const std::uint32_t n = it->second;
  const std::uint32_t b = nodes_[n].bucket;
  unlink(n);
  drop_bucket_if_empty(b);
  index_.erase(it);
  free_nodes_.push_back(n);
}

std::optional<BlockKey> LfuPolicy::victim() {
  if (first_ == kNil) return std::nullopt;
  return nodes_[buckets_[first_].tail].key;
}

std::int64_t LfuPolicy::bytes_of(const BlockKey& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? 0 : nodes_[it->second].bytes;
}

}  // namespace aqueduct::core
