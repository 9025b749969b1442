// LFU: evict the least frequently used block; ties go to the least recently
// used among them. O(1) per operation as in Shah, Mitra and Matani, "An O(1)
// algorithm for implementing the LFU cache eviction scheme" (2010): blocks sit
// in per-frequency lists, and the lists themselves in a list ordered by
// frequency, so a hit moves a block to the next list (creating it when
// missing) and the victim is the tail of the first. Nodes and lists live in
// vectors with free lists (no allocation per operation once warm), with one
// hash index from key to node. Frequencies are not aged.
#pragma once
#include <vector>

#include "aqueduct/core/cache/block_map.h"
#include "aqueduct/core/cache/eviction_policy.h"

namespace aqueduct::core {
class LfuPolicy final : public EvictionPolicy {
 public:
  std::string_view name() const override { return "lfu"; }
  void on_insert(const BlockKey& key, std::int64_t bytes) override;
  std::int64_t on_access(const BlockKey& key, std::int64_t new_bytes) override;
  void on_remove(const BlockKey& key, bool evicted) override;
  std::optional<BlockKey> victim() override;
  std::size_t size() const override { return index_.size(); }
  std::int64_t bytes_of(const BlockKey& key) const override;

 private:
  static constexpr std::uint32_t kNil = 0xffffffffu;
  struct Node {
    BlockKey key;
    std::int64_t bytes = 0;
    std::uint32_t prev = kNil, next = kNil;  // within its bucket, front = most recent
    std::uint32_t bucket = kNil;
  };
  struct Bucket {
    std::uint64_t freq = 0;
    std::uint32_t head = kNil, tail = kNil;
    std::uint32_t prev = kNil, next = kNil;  // neighbouring frequencies, ascending
  };
  std::uint32_t new_bucket(std::uint64_t freq, std::uint32_t after);  // kNil: first
  void drop_bucket_if_empty(std::uint32_t b);
  void link_front(std::uint32_t n, std::uint32_t b);
  void unlink(std::uint32_t n);

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> free_nodes_;
  std::vector<Bucket> buckets_;
  std::vector<std::uint32_t> free_buckets_;
  std::uint32_t first_ = kNil;  // the lowest frequency's bucket
  BlockMap<std::uint32_t> index_;
};
}  // namespace aqueduct::core
