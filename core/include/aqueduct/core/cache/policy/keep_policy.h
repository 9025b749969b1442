// KEEP: a cache that never replaces what it holds, as CoorDL's MinIO cache
// for DNN training (Mohan et al., "Analyzing and Mitigating Data Stalls in
// DNN Training", PVLDB 14(5), 2021): under per-epoch shuffling every
// cached item is equally likely to be read next, so swapping one for another
// only costs I/O; a cache that keeps its first c of D items hits c/D of every
// epoch, where LRU thrashes. A full level admits nothing new (the store
// passes the new block down, or drops it); victim() is only asked when a
// level must shrink (a quota cut), and then gives up the newest block.
#pragma once
#include "aqueduct/core/cache/policy/list_policy.h"

namespace aqueduct::core {

class KeepPolicy final : public ListPolicy {
 public:
  std::string_view name() const override { return "keep"; }
  bool replaces() const override { return false; }
  std::optional<BlockKey> victim() override {
    if (list_.empty()) return std::nullopt;
    return list_.at(list_.head()).key;
  }
};

}  // namespace aqueduct::core
