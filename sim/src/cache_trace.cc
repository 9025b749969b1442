#include "aqueduct/sim/cache_trace.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>

#include "aqueduct/core/text/suggest.h"
#include "aqueduct/sim/csv.h"
#include "aqueduct/sim/rng.h"
#include "byte_stream.h"

namespace aqueduct::sim {
namespace {

constexpr char kMagic[8] = {'A', 'Q', 'C', 'T', 'R', 'C', '0', '1'};
// One row's op_count may repeat it at most this often.
constexpr std::int64_t kMaxOpCount = 1'000'000;

std::string size_limit_error(std::uint64_t bytes) {
  return "size " + std::to_string(bytes) + " B is over the limit of 1 PiB per request";
}

std::uint64_t key_of(std::string_view s) {
  if (auto v = parse_int(s); v && *v >= 0) return static_cast<std::uint64_t>(*v);
  return fnv1a64(std::string(s));
}

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The reader every format shares: max_requests, and one request at a time
// from the format's next_request.
class FormatReader : public CacheTraceReader {
 public:
  FormatReader(std::string path, std::unique_ptr<ByteStream> in, std::int64_t max)
      : path_(std::move(path)), in_(std::move(in)), max_(max) {}
  core::Result<std::size_t> read(std::span<core::CacheRequest> out,
                                 std::span<std::uint64_t> next) override {
    std::size_t n = 0;
    std::uint64_t nu = UINT64_MAX;
    while (n < out.size() && (max_ <= 0 || read_ < static_cast<std::uint64_t>(max_))) {
      AQ_ASSIGN_OR_RETURN(bool more, next_request(out[n], nu));
      if (!more) break;
      if (!next.empty()) next[n] = nu;
      ++n;
      ++read_;
    }
    return n;
  }
  core::Status rewind() override {
    AQ_RETURN_IF_ERROR(in_->rewind());
    read_ = 0;
    return restart();
  }
  double progress() const override { return in_->progress(); }

 protected:
  // The next request, false at the end.
  virtual core::Result<bool> next_request(core::CacheRequest& q, std::uint64_t& next_use) = 0;
  virtual core::Status restart() = 0;
  core::Status error(const std::string& where, const std::string& what) const {
    return core::invalid_argument(path_ + ":" + where + ": " + what);
  }

  std::string path_;
  std::unique_ptr<ByteStream> in_;
  std::int64_t max_;
  std::uint64_t read_ = 0;
};

// Fixed-size records: Aqueduct's binary format and libCacheSim's oracleGeneral.
class RecordReader : public FormatReader {
 public:
  RecordReader(std::string path, std::unique_ptr<ByteStream> in, std::int64_t max,
               std::size_t record_bytes)
      : FormatReader(std::move(path), std::move(in), max),
        cursor_(*in_, record_bytes),
        record_bytes_(record_bytes) {}

 protected:
  core::Status restart() override {
    cursor_.reset();
    record_ = 0;
    return core::Status::ok();
  }
  // The next record, nullptr at the end; a partial record is an error.
  core::Result<const char*> next_record() {
    auto r = cursor_.next();
    if (!r.ok()) {
      return error(" record " + std::to_string(record_),
                   "truncated: the file ends " + std::to_string(cursor_.bytes_left()) +
                       " bytes into it (records are " + std::to_string(record_bytes_) + " bytes)");
    }
    if (*r != nullptr) ++record_;
    return r;
  }
  RecordCursor cursor_;
  std::size_t record_bytes_;
  std::uint64_t record_ = 0;  // records read so far
};

// "AQCTRC01", u64 count, count x (u64 key, u64 size).
class BinaryReader final : public RecordReader {
 public:
  BinaryReader(std::string path, std::unique_ptr<ByteStream> in, std::int64_t max)
      : RecordReader(std::move(path), std::move(in), max, 16) {}
  // Reads and checks the header (and, for a file of known size, its count):
  // 16 bytes, the size of a record.
  core::Status start() {
    auto h = cursor_.next();
    if (!h.ok() || *h == nullptr || std::memcmp(*h, kMagic, 8) != 0) {
      return core::invalid_argument(path_ +
                                    ": not a binary cache trace (expected the magic AQCTRC01)");
    }
    count_ = load<std::uint64_t>(*h + 8);
    const std::int64_t bytes = in_->known_size();
    if (bytes >= 16) {
      const auto body = static_cast<std::uint64_t>(bytes - 16);
      if (count_ != body / 16 || body % 16 != 0) {
        return core::invalid_argument(
            path_ + ": header says " + std::to_string(count_) + " requests, but the file's " +
            std::to_string(bytes) + " bytes hold " + std::to_string(body / 16) + " records" +
            (body % 16 ? " and a partial one" : "") + " (expected 16 + 16 x count bytes)");
      }
    }
    return core::Status::ok();
  }
  std::int64_t known_requests() const override {
    return count_ > static_cast<std::uint64_t>(INT64_MAX) ? -1 : static_cast<std::int64_t>(count_);
  }

 protected:
  core::Status restart() override {
    AQ_RETURN_IF_ERROR(RecordReader::restart());
    return start();
  }
  core::Result<bool> next_request(core::CacheRequest& q, std::uint64_t&) override {
    // The header's count bounds the read even in a stream whose size is unknown.
    if (record_ == count_) {
      AQ_ASSIGN_OR_RETURN(const char* extra, cursor_.next());
      if (extra != nullptr || cursor_.bytes_left() != 0) {
        return error(" record " + std::to_string(count_),
                     "more records than the header's count of " + std::to_string(count_));
      }
      return false;
    }
    AQ_ASSIGN_OR_RETURN(const char* r, next_record());
    if (r == nullptr) {
      return error(" record " + std::to_string(record_),
                   "the file ends after " + std::to_string(record_) + " of the header's " +
                       std::to_string(count_) + " requests");
    }
    const auto size = load<std::uint64_t>(r + 8);
    if (size > static_cast<std::uint64_t>(core::kMaxRequestBytes)) {
      return error(" record " + std::to_string(record_ - 1), size_limit_error(size));
    }
    q = {core::BlockKey{0, load<std::uint64_t>(r)}, static_cast<std::int64_t>(size)};
    return true;
  }

 private:
  std::uint64_t count_ = 0;
};

// libCacheSim's oracleGeneral: u32 time, u64 id, u32 size, i64 next access.
class OracleGeneralReader final : public RecordReader {
 public:
  OracleGeneralReader(std::string path, std::unique_ptr<ByteStream> in, std::int64_t max)
      : RecordReader(std::move(path), std::move(in), max, 24) {}
  bool has_next_use() const override { return true; }
  std::int64_t known_requests() const override {
    const std::int64_t b = in_->known_size();
    return b >= 0 && b % 24 == 0 ? b / 24 : -1;
  }

 protected:
  core::Result<bool> next_request(core::CacheRequest& q, std::uint64_t& next_use) override {
    AQ_ASSIGN_OR_RETURN(const char* r, next_record());
    if (r == nullptr) return false;
    q = {core::BlockKey{0, load<std::uint64_t>(r + 4)},
         static_cast<std::int64_t>(load<std::uint32_t>(r + 12))};
    const auto next = load<std::int64_t>(r + 16);
    next_use = next < 0 || next == INT64_MAX ? UINT64_MAX : static_cast<std::uint64_t>(next);
    return true;
  }
};

// Splits one CSV line into fields (RFC 4180 quoting within the line).
class CsvLine {
 public:
  // False with `why` set when a quote is not closed on the line.
  bool split(std::string_view line, std::string* why) {
    fields_.clear();
    owned_.clear();
    if (line.find('"') == std::string_view::npos) {
      std::size_t at = 0;
      for (;;) {
        std::size_t comma = line.find(',', at);
        fields_.push_back(line.substr(at, comma == std::string_view::npos ? comma : comma - at));
        if (comma == std::string_view::npos) return true;
        at = comma + 1;
      }
    }
    std::size_t i = 0;
    for (;;) {
      std::string field;
      if (i < line.size() && line[i] == '"') {
        ++i;
        for (;;) {
          if (i >= line.size()) {
            *why = "a quoted field is not closed on its line";
            return false;
          }
          if (line[i] == '"') {
            if (i + 1 < line.size() && line[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          field += line[i++];
        }
        while (i < line.size() && line[i] != ',') field += line[i++];
      } else {
        while (i < line.size() && line[i] != ',') field += line[i++];
      }
      owned_.push_back(std::move(field));
      fields_.push_back(owned_.back());
      if (i >= line.size()) return true;
      ++i;  // the comma
    }
  }
  const std::vector<std::string_view>& fields() const { return fields_; }

 private:
  std::vector<std::string_view> fields_;
  std::deque<std::string> owned_;
};

// Text formats: one request per line (cachelib-kv: op_count of them).
class TextReader final : public FormatReader {
 public:
  enum class Kind { kNamedColumns, kTwitter, kMsr };
  TextReader(std::string path, std::unique_ptr<ByteStream> in, std::int64_t max, Kind kind,
             std::string format, std::string key_col, std::string size_col, std::string count_col)
      : FormatReader(std::move(path), std::move(in), max),
        lines_(*in_),
        kind_(kind),
        format_(std::move(format)),
        key_col_(std::move(key_col)),
        size_col_(std::move(size_col)),
        count_col_(std::move(count_col)) {}

  core::Status start() {
    if (kind_ != Kind::kNamedColumns) {
      columns_ = 7;
      return core::Status::ok();
    }
    std::string_view line;
    AQ_ASSIGN_OR_RETURN(bool any, lines_.next(line));
    if (!any) return core::invalid_argument(path_ + ":1: empty trace: expected a header line");
    std::string why;
    if (!csv_.split(line, &why)) return error("1", why);
    std::vector<std::string> names(csv_.fields().begin(), csv_.fields().end());
    CsvHeader header(names);
    auto ki = header.find(key_col_), si = header.find(size_col_);
    if (!ki || !si) {
      return error("1", "format " + format_ + " needs columns \"" + key_col_ + "\" and \"" +
                            size_col_ + "\"");
    }
    key_ = *ki;
    size_ = *si;
    count_ = count_col_.empty() ? std::nullopt : header.find(count_col_);
    columns_ = names.size();
    return core::Status::ok();
  }

 protected:
  core::Status restart() override {
    lines_.reset();
    repeat_ = 0;
    return start();
  }
  core::Result<bool> next_request(core::CacheRequest& q, std::uint64_t&) override {
    if (repeat_ > 0) {
      --repeat_;
      q = last_;
      return true;
    }
    std::string_view line;
    for (;;) {
      AQ_ASSIGN_OR_RETURN(bool more, lines_.next(line));
      if (!more) return false;
      if (!line.empty()) break;
    }
    const std::string where = std::to_string(lines_.line());
    std::string why;
    if (!csv_.split(line, &why)) return error(where, why);
    const auto& f = csv_.fields();
    if (f.size() != columns_) {
      return error(where, "expected " + std::to_string(columns_) + " fields" +
                              (kind_ == Kind::kTwitter ? " (timestamp, key, key size, value "
                                                         "size, client id, operation, TTL)"
                               : kind_ == Kind::kMsr   ? " (Timestamp, Hostname, DiskNumber, "
                                                         "Type, Offset, Size, ResponseTime)"
                                                       : "") +
                              ", got " + std::to_string(f.size()));
    }
    switch (kind_) {
      case Kind::kNamedColumns: {
        if (f[key_].empty()) return error(where, "column " + key_col_ + ": missing key");
        AQ_ASSIGN_OR_RETURN(auto size, field_size(f[size_], size_col_, where));
        std::int64_t times = 1;
        if (count_) {
          auto c = parse_int(f[*count_]);
          if (!c || *c < 1 || *c > kMaxOpCount)
            return error(where, "column op_count: expected a count from 1 to 1000000");
          times = *c;
        }
        q = {core::BlockKey{0, key_of(f[key_])}, size};
        repeat_ = times - 1;
        break;
      }
      case Kind::kTwitter: {
        if (f[1].empty()) return error(where, "field 2 (key): missing key");
        AQ_ASSIGN_OR_RETURN(auto ks, field_size(f[2], "key size (field 3)", where));
        AQ_ASSIGN_OR_RETURN(auto vs, field_size(f[3], "value size (field 4)", where));
        q = {core::BlockKey{0, fnv1a64(std::string(f[1]))}, ks + vs};
        break;
      }
      case Kind::kMsr: {
        auto offset = parse_int(f[4]);
        if (!offset || *offset < 0)
          return error(
              where, "field 5 (Offset): expected a byte offset, got \"" + std::string(f[4]) + "\"");
        AQ_ASSIGN_OR_RETURN(auto size, field_size(f[5], "Size (field 6)", where));
        // One key space per host and disk.
        const std::string disk = std::string(f[1]) + "/" + std::string(f[2]);
        q = {core::BlockKey{static_cast<std::uint32_t>(fnv1a64(disk)),
                            static_cast<std::uint64_t>(*offset)},
             size};
        break;
      }
    }
    last_ = q;
    return true;
  }

 private:
  core::Result<std::int64_t> field_size(std::string_view v, const std::string& column,
                                        const std::string& where) const {
    auto size = parse_int(v);
    if (!size || *size < 0) {
      return error(
          where, "column " + column + ": expected a size in bytes, got \"" + std::string(v) + "\"");
    }
    if (*size > core::kMaxRequestBytes) {
      return error(where,
                   "column " + column + ": " + size_limit_error(static_cast<std::uint64_t>(*size)));
    }
    return *size;
  }

  LineCursor lines_;
  CsvLine csv_;
  Kind kind_;
  std::string format_, key_col_, size_col_, count_col_;
  std::size_t key_ = 0, size_ = 0, columns_ = 0;
  std::optional<std::size_t> count_;
  std::int64_t repeat_ = 0;
  core::CacheRequest last_;
};

class MemoryReader final : public CacheTraceReader {
 public:
  explicit MemoryReader(std::vector<core::CacheRequest> t) : trace_(std::move(t)) {}
  core::Result<std::size_t> read(std::span<core::CacheRequest> out,
                                 std::span<std::uint64_t>) override {
    const std::size_t n = std::min(out.size(), trace_.size() - at_);
    std::copy_n(trace_.begin() + static_cast<std::ptrdiff_t>(at_), n, out.begin());
    at_ += n;
    return n;
  }
  core::Status rewind() override {
    at_ = 0;
    return core::Status::ok();
  }
  double progress() const override {
    return trace_.empty() ? 1.0 : static_cast<double>(at_) / static_cast<double>(trace_.size());
  }
  std::int64_t known_requests() const override { return static_cast<std::int64_t>(trace_.size()); }

 private:
  std::vector<core::CacheRequest> trace_;
  std::size_t at_ = 0;
};

}  // namespace

std::unique_ptr<CacheTraceReader> memory_trace_reader(std::vector<core::CacheRequest> trace) {
  return std::make_unique<MemoryReader>(std::move(trace));
}

std::vector<std::string> cache_trace_formats() {
  return {"binary", "cachelib-block", "cachelib-kv", "cloudphysics", "csv",
          "msr",    "oracleGeneral",  "twitter"};
}

core::Result<std::unique_ptr<CacheTraceReader>> open_cache_trace(const std::string& path,
                                                                 const CacheTraceOptions& opts) {
  const auto formats = cache_trace_formats();
  if (std::find(formats.begin(), formats.end(), opts.format) == formats.end()) {
    std::string known;
    for (const auto& f : formats) known += (known.empty() ? "" : ", ") + f;
    return core::invalid_argument("unknown trace format \"" + opts.format + "\": expected one of " +
                                  known + core::did_you_mean(opts.format, formats));
  }
  const std::string name = path == "-" ? "<stdin>" : path;
  AQ_ASSIGN_OR_RETURN(auto in, open_byte_stream(path));
  if (opts.format == "binary") {
    auto r = std::make_unique<BinaryReader>(name, std::move(in), opts.max_requests);
    AQ_RETURN_IF_ERROR(r->start());
    return std::unique_ptr<CacheTraceReader>(std::move(r));
  }
  if (opts.format == "oracleGeneral") {
    return std::unique_ptr<CacheTraceReader>(
        std::make_unique<OracleGeneralReader>(name, std::move(in), opts.max_requests));
  }
  std::string key_col = opts.key_column, size_col = opts.size_column, count_col;
  auto kind = TextReader::Kind::kNamedColumns;
  if (opts.format == "cloudphysics") {
    key_col = "lbn";
    size_col = "size";
  } else if (opts.format == "cachelib-block") {
    key_col = "block_id";
    size_col = "io_size";
  } else if (opts.format == "cachelib-kv") {
    key_col = "key";
    size_col = "size";
    count_col = "op_count";
  } else if (opts.format == "twitter") {
    kind = TextReader::Kind::kTwitter;
  } else if (opts.format == "msr") {
    kind = TextReader::Kind::kMsr;
  }
  auto r = std::make_unique<TextReader>(name, std::move(in), opts.max_requests, kind, opts.format,
                                        key_col, size_col, count_col);
  AQ_RETURN_IF_ERROR(r->start());
  return std::unique_ptr<CacheTraceReader>(std::move(r));
}

core::Result<std::vector<core::CacheRequest>> read_cache_trace(const std::string& path,
                                                               const CacheTraceOptions& opts) {
  AQ_ASSIGN_OR_RETURN(auto reader, open_cache_trace(path, opts));
  std::vector<core::CacheRequest> out;
  if (reader->known_requests() > 0) {
    out.reserve(static_cast<std::size_t>(std::min<std::int64_t>(
        reader->known_requests(), opts.max_requests > 0 ? opts.max_requests : INT64_MAX)));
  }
  std::vector<core::CacheRequest> batch(1 << 16);
  for (;;) {
    AQ_ASSIGN_OR_RETURN(std::size_t n, reader->read(batch));
    if (n == 0) break;
    out.insert(out.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return out;
}

core::Status write_binary_cache_trace(const std::string& path,
                                      const std::vector<core::CacheRequest>& trace) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return core::io_error(path + ": cannot open for writing");
  std::uint64_t count = trace.size();
  out.write(kMagic, 8);
  out.write(reinterpret_cast<const char*>(&count), 8);
  for (const auto& q : trace) {
    std::uint64_t rec[2] = {q.key.index, static_cast<std::uint64_t>(q.bytes)};
    out.write(reinterpret_cast<const char*>(rec), 16);
  }
  if (!out) return core::io_error(path + ": write failed");
  return core::Status::ok();
}

}  // namespace aqueduct::sim
