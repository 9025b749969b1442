// An allocator for the large arrays of cache indexes (hash tables of millions
// of blocks, per-slot arrays): blocks of 2 MiB or more are mapped on their own
// and marked for transparent huge pages, so that random probes into tens of
// megabytes miss the TLB about 500 times less often than with 4 KiB pages
// (one page walk per probe otherwise costs as much as the probe itself).
// Smaller blocks come from the ordinary allocator. Where the kernel does not
// give huge pages (THP off), the memory is ordinary memory.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace aqueduct::core {

template <class T>
class HugePageAllocator {
 public:
  using value_type = T;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  HugePageAllocator() noexcept = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT: rebinding

  T* allocate(std::size_t n) {
    if (n > (std::size_t{1} << 62) / sizeof(T)) throw std::bad_array_new_length();
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return std::allocator<T>().allocate(n);
    const std::size_t len = round_up(bytes);
    // Map one huge page more than needed, then cut it to an aligned start.
    void* raw = ::mmap(nullptr, len + kHugePage, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
    if (aligned > start) ::munmap(raw, aligned - start);
    const std::size_t tail = start + len + kHugePage - (aligned + len);
    if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + len), tail);
    ::madvise(reinterpret_cast<void*>(aligned), len, MADV_HUGEPAGE);
    return reinterpret_cast<T*>(aligned);
  }

  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return std::allocator<T>().deallocate(p, n);
    ::munmap(p, round_up(bytes));
  }

  template <class U>
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator<U>&) noexcept {
    return true;
  }

 private:
  static std::size_t round_up(std::size_t bytes) {
    return (bytes + kHugePage - 1) & ~(kHugePage - 1);
  }
};

}  // namespace aqueduct::core
