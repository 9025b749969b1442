// Bytes of a trace file as they are read: a mapped regular file, a pipe or
// standard input read in blocks, and zstd decompression over either. Trace
// readers parse records and lines from the views these hand out.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "aqueduct/core/status.h"

namespace aqueduct::sim {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // The next bytes; empty at the end. The view is valid until the next call.
  virtual core::Result<std::span<const char>> next() = 0;
  // Back to the first byte; an error for pipes and standard input.
  virtual core::Status rewind() = 0;
  // The share of the underlying file consumed so far, or -1 when unknown.
  virtual double progress() const = 0;
  // The total bytes `next` will hand out, when known before reading them.
  virtual std::int64_t known_size() const { return -1; }
};

// "-" is standard input; a regular file is mapped; zstd input (by its magic
// number) is decompressed on the fly. Errors name the path.
core::Result<std::unique_ptr<ByteStream>> open_byte_stream(const std::string& path);

// Fixed-size records over a stream, whole even where they straddle two views.
class RecordCursor {
 public:
  RecordCursor(ByteStream& in, std::size_t record_bytes) : in_(in), size_(record_bytes) {}
  // The next record, nullptr at the end, or an error when the stream ends
  // inside a record (`bytes_left` then says how many bytes were there).
  core::Result<const char*> next();
  std::size_t bytes_left() const { return carry_.size(); }
  void reset() {
    view_ = {};
    carry_.clear();
  }

 private:
  ByteStream& in_;
  std::size_t size_;
  std::span<const char> view_;
  std::string carry_, record_;
};

// Lines over a stream (without "\n" or "\r\n"), numbered from 1.
class LineCursor {
 public:
  explicit LineCursor(ByteStream& in) : in_(in) {}
  // The next line, or false at the end.
  core::Result<bool> next(std::string_view& line);
  std::int64_t line() const { return line_; }
  void reset() {
    view_ = {};
    carry_.clear();
    line_ = 0;
  }

 private:
  ByteStream& in_;
  std::span<const char> view_;
  std::string carry_, held_;
  std::int64_t line_ = 0;
};

}  // namespace aqueduct::sim
