// Shared base of the policies that keep their resident blocks in one
// KeyedList: size and size lookups come from the list.
#pragma once

#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/cache/keyed_list.h"

namespace aqueduct::core {

class ListPolicy : public EvictionPolicy {
 public:
  std::size_t size() const override { return list_.size(); }
  std::int64_t bytes_of(const BlockKey& key) const override {
    std::uint32_t s = list_.find(key);
    return s == KeyedList::kNil ? 0 : list_.at(s).bytes;
  }
  void set_capacity(std::int64_t bytes) override { capacity_ = bytes; }

 protected:
  // Looks the key up; on a hit applies new_bytes and returns the slot.
  std::uint32_t hit(const BlockKey& key, std::int64_t new_bytes, std::int64_t* old) {
    std::uint32_t s = list_.find(key);
    if (s == KeyedList::kNil) {
      *old = -1;
      return s;
    }
    *old = list_.at(s).bytes;
    if (new_bytes >= 0) list_.set_bytes(s, new_bytes);
    return s;
  }
  KeyedList list_;
  std::int64_t capacity_ = 0;
};

}  // namespace aqueduct::core
