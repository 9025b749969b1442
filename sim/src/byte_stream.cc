#include "byte_stream.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace aqueduct::sim {
namespace {

constexpr std::size_t kView = 8u << 20;   // a mapped file is handed out 8 MiB at a time
constexpr std::size_t kBlock = 1u << 20;  // pipes are read 1 MiB at a time

std::string os_error(const std::string& path, const std::string& what) {
  return path + ": " + what + ": " + std::strerror(errno);
}

class MappedFile final : public ByteStream {
 public:
  MappedFile(const char* data, std::size_t size) : data_(data), size_(size) {}
  ~MappedFile() override {
    if (size_ > 0) munmap(const_cast<char*>(data_), size_);
  }
  core::Result<std::span<const char>> next() override {
    const std::size_t n = std::min(kView, size_ - at_);
    std::span<const char> v(data_ + at_, n);
    at_ += n;
    return v;
  }
  core::Status rewind() override {
    at_ = 0;
    return core::Status::ok();
  }
  double progress() const override { return size_ ? static_cast<double>(at_) / size_ : 1.0; }
  std::int64_t known_size() const override { return static_cast<std::int64_t>(size_); }
  std::span<const char> head() const { return {data_, std::min<std::size_t>(size_, 4)}; }

 private:
  const char* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

// A pipe, FIFO or standard input: read in blocks, never rewound.
class FdStream final : public ByteStream {
 public:
  FdStream(int fd, std::string name, bool owned) : fd_(fd), name_(std::move(name)), owned_(owned) {
    buf_.resize(kBlock);
  }
  ~FdStream() override {
    if (owned_) ::close(fd_);
  }
  // The first bytes without consuming them (for the zstd magic).
  core::Result<std::span<const char>> peek() {
    if (!peeked_) {
      AQ_ASSIGN_OR_RETURN(filled_, fill());
      peeked_ = true;
    }
    return std::span<const char>(buf_.data(), filled_);
  }
  core::Result<std::span<const char>> next() override {
    if (peeked_) {
      peeked_ = false;
      return std::span<const char>(buf_.data(), filled_);
    }
    AQ_ASSIGN_OR_RETURN(filled_, fill());
    return std::span<const char>(buf_.data(), filled_);
  }
  core::Status rewind() override {
    return core::invalid_argument(name_ + ": cannot read a pipe or standard input twice");
  }
  double progress() const override { return -1; }

 private:
  core::Result<std::size_t> fill() {
    for (;;) {
      ssize_t n = ::read(fd_, buf_.data(), buf_.size());
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return core::io_error(os_error(name_, "read failed"));
    }
  }
  int fd_;
  std::string name_;
  bool owned_;
  std::vector<char> buf_;
  std::size_t filled_ = 0;
  bool peeked_ = false;
};

class ZstdStream final : public ByteStream {
 public:
  ZstdStream(std::unique_ptr<ByteStream> in, std::string name)
      : in_(std::move(in)), name_(std::move(name)), d_(ZSTD_createDStream()) {
    out_.resize(ZSTD_DStreamOutSize() * 8);
    ZSTD_initDStream(d_);
  }
  ~ZstdStream() override { ZSTD_freeDStream(d_); }
  core::Result<std::span<const char>> next() override {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    while (out.pos == 0) {
      if (input_.pos == input_.size) {
        AQ_ASSIGN_OR_RETURN(auto chunk, in_->next());
        if (chunk.empty()) {
          if (pending_ != 0) {
            return core::invalid_argument(name_ +
                                          ": the zstd stream ends inside a frame (truncated)");
          }
          return std::span<const char>();
        }
        input_ = ZSTD_inBuffer{chunk.data(), chunk.size(), 0};
      }
      pending_ = ZSTD_decompressStream(d_, &out, &input_);
      if (ZSTD_isError(pending_)) {
        return core::invalid_argument(name_ + ": zstd: " + ZSTD_getErrorName(pending_));
      }
    }
    return std::span<const char>(out_.data(), out.pos);
  }
  core::Status rewind() override {
    AQ_RETURN_IF_ERROR(in_->rewind());
    ZSTD_initDStream(d_);
    input_ = ZSTD_inBuffer{nullptr, 0, 0};
    pending_ = 0;
    return core::Status::ok();
  }
  double progress() const override { return in_->progress(); }

 private:
  std::unique_ptr<ByteStream> in_;
  std::string name_;
  ZSTD_DStream* d_;
  std::vector<char> out_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  std::size_t pending_ = 0;
};

bool zstd_magic(std::span<const char> head) {
  static constexpr unsigned char kMagic[4] = {0x28, 0xB5, 0x2F, 0xFD};
  return head.size() >= 4 && std::memcmp(head.data(), kMagic, 4) == 0;
}

}  // namespace

core::Result<std::unique_ptr<ByteStream>> open_byte_stream(const std::string& path) {
  if (path == "-") {
    auto in = std::make_unique<FdStream>(STDIN_FILENO, "<stdin>", /*owned=*/false);
    AQ_ASSIGN_OR_RETURN(auto head, in->peek());
    if (zstd_magic(head))
      return std::unique_ptr<ByteStream>(std::make_unique<ZstdStream>(std::move(in), "<stdin>"));
    return std::unique_ptr<ByteStream>(std::move(in));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::not_found(os_error(path, "cannot open trace file"));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    auto err = core::io_error(os_error(path, "cannot stat"));
    ::close(fd);
    return err;
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return core::invalid_argument(path + ": is a folder, not a trace file");
  }
  if (!S_ISREG(st.st_mode)) {
    auto in = std::make_unique<FdStream>(fd, path, /*owned=*/true);
    AQ_ASSIGN_OR_RETURN(auto head, in->peek());
    if (zstd_magic(head))
      return std::unique_ptr<ByteStream>(std::make_unique<ZstdStream>(std::move(in), path));
    return std::unique_ptr<ByteStream>(std::move(in));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  const char* data = nullptr;
  if (size > 0) {
    void* m = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      auto err = core::io_error(os_error(path, "cannot map"));
      ::close(fd);
      return err;
    }
    ::madvise(m, size, MADV_SEQUENTIAL);
    data = static_cast<const char*>(m);
  }
  ::close(fd);
  auto file = std::make_unique<MappedFile>(data, size);
  if (zstd_magic(file->head()))
    return std::unique_ptr<ByteStream>(std::make_unique<ZstdStream>(std::move(file), path));
  return std::unique_ptr<ByteStream>(std::move(file));
}

core::Result<const char*> RecordCursor::next() {
  if (view_.size() >= size_ && carry_.empty()) {
    const char* r = view_.data();
    view_ = view_.subspan(size_);
    return r;
  }
  // A record split across views (or the end): gather it in carry_.
  for (;;) {
    const std::size_t take = std::min(size_ - carry_.size(), view_.size());
    carry_.append(view_.data(), take);
    view_ = view_.subspan(take);
    if (carry_.size() == size_) {
      // The caller reads the record before the next call; keep it until then.
      record_.swap(carry_);
      carry_.clear();
      return record_.data();
    }
    AQ_ASSIGN_OR_RETURN(view_, in_.next());
    if (view_.empty()) {
      if (carry_.empty()) return static_cast<const char*>(nullptr);
      return core::invalid_argument("truncated record");
    }
    if (carry_.empty() && view_.size() >= size_) {
      const char* r = view_.data();
      view_ = view_.subspan(size_);
      return r;
    }
  }
}

core::Result<bool> LineCursor::next(std::string_view& line) {
  for (;;) {
    const char* nl = view_.empty()
                         ? nullptr
                         : static_cast<const char*>(std::memchr(view_.data(), '\n', view_.size()));
    if (nl != nullptr) {
      std::size_t n = static_cast<std::size_t>(nl - view_.data());
      if (carry_.empty()) {
        line = std::string_view(view_.data(), n);
      } else {
        carry_.append(view_.data(), n);
        held_.swap(carry_);
        carry_.clear();
        line = held_;
      }
      view_ = view_.subspan(n + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++line_;
      return true;
    }
    carry_.append(view_.data(), view_.size());
    AQ_ASSIGN_OR_RETURN(view_, in_.next());
    if (view_.empty()) {
      if (carry_.empty()) return false;
      held_.swap(carry_);
      carry_.clear();
      line = held_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++line_;
      return true;
    }
  }
}

}  // namespace aqueduct::sim
