// Status and Result<T>: the error currency at every module border.
// A Status is OK or carries a code and a human-readable message that names the
// file/field/line at fault. No exception crosses a public header of ours.
#pragma once

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace aqueduct::core {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input: YAML, trace, config, CLI argument
  kNotFound,         // a named file/object does not exist
  kAlreadyExists,
  kFailedPrecondition,  // the request is valid but the state forbids it
  kResourceExhausted,   // does not fit (node capacity, cache quota)
  kUnavailable,         // transient: retry may succeed
  kInternal,            // a bug of ours
  kIo,                  // file-system or stream error
  kAborted,             // a concurrent change won (a write conflict): re-read and retry
  kPermissionDenied,    // refused on purpose: a path outside its root, a missing credential
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: message" (or "OK").
  std::string to_string() const;
  // Returns a copy whose message is "context: message".
  Status with_context(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string msg) {
  return Status(StatusCode::kInvalidArgument, std::move(msg));
}
inline Status not_found(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
inline Status failed_precondition(std::string msg) {
  return Status(StatusCode::kFailedPrecondition, std::move(msg));
}
inline Status resource_exhausted(std::string msg) {
  return Status(StatusCode::kResourceExhausted, std::move(msg));
}
inline Status internal_error(std::string msg) {
  return Status(StatusCode::kInternal, std::move(msg));
}
inline Status io_error(std::string msg) { return Status(StatusCode::kIo, std::move(msg)); }

// Result<T>: a value or a non-OK Status; shaped like std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).is_ok()) {
      v_ = Status(StatusCode::kInternal, "Result constructed from an OK Status without a value");
    }
  }

  bool has_value() const { return std::holds_alternative<T>(v_); }
  bool ok() const { return has_value(); }
  explicit operator bool() const { return has_value(); }

  T& value() & { return check(), std::get<T>(v_); }
  const T& value() const& { return check(), std::get<T>(v_); }
  T&& value() && { return check(), std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; OK when a value is held.
  Status status() const { return has_value() ? Status() : std::get<Status>(v_); }
  T value_or(T fallback) const { return has_value() ? std::get<T>(v_) : std::move(fallback); }

 private:
  void check() const {
    if (!has_value()) {
      std::cerr << "fatal: Result::value() on error: " << std::get<Status>(v_).to_string() << "\n";
      std::abort();
    }
  }
  std::variant<T, Status> v_;
};

}  // namespace aqueduct::core

// Propagate a non-OK Status from an expression returning Status.
#define AQ_RETURN_IF_ERROR(expr)                  \
  do {                                            \
    ::aqueduct::core::Status aq_status_ = (expr); \
    if (!aq_status_.is_ok()) return aq_status_;   \
  } while (0)

#define AQ_CONCAT_INNER_(a, b) a##b
#define AQ_CONCAT_(a, b) AQ_CONCAT_INNER_(a, b)
// `AQ_ASSIGN_OR_RETURN(auto x, expr)`: unwrap a Result or return its Status.
#define AQ_ASSIGN_OR_RETURN(lhs, expr)                                                          \
  auto AQ_CONCAT_(aq_result_, __LINE__) = (expr);                                               \
  if (!AQ_CONCAT_(aq_result_, __LINE__).ok()) return AQ_CONCAT_(aq_result_, __LINE__).status(); \
  lhs = std::move(AQ_CONCAT_(aq_result_, __LINE__)).value()
