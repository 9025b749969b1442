// std::unique_ptr for objects a C library frees with its own function
// (OpenSSL's X509_free, BIO_free, ...): CHandle<X509, X509_free>.
#pragma once

#include <memory>

namespace aqueduct::core {

template <auto Free>
struct CallFree {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

template <typename T, auto Free>
using CHandle = std::unique_ptr<T, CallFree<Free>>;

}  // namespace aqueduct::core
