#include "aqueduct/sim/cache_trace.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "aqueduct/core/text/suggest.h"
#include "aqueduct/sim/csv.h"
#include "aqueduct/sim/rng.h"

namespace aqueduct::sim {
namespace {

constexpr char kMagic[8] = {'A', 'Q', 'C', 'T', 'R', 'C', '0', '1'};
// One row's op_count may repeat it at most this often.
constexpr std::int64_t kMaxOpCount = 1'000'000;

std::string size_limit_error(std::int64_t bytes) {
  return "size " + std::to_string(bytes) + " B is over the limit of 1 PiB per request";
}

std::uint64_t key_of(const std::string& s) {
  if (auto v = parse_int(s); v && *v >= 0) return static_cast<std::uint64_t>(*v);
  return fnv1a64(s);
}

core::Result<std::vector<core::CacheRequest>> read_binary(const std::string& path,
                                                          std::int64_t max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::not_found(path + ": cannot open trace file");
  char magic[8];
  std::uint64_t count = 0;
  if (!in.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0) {
    return core::invalid_argument(path +
                                  ": not a binary cache trace (expected the magic AQCTRC01)");
  }
  if (!in.read(reinterpret_cast<char*>(&count), 8))
    return core::invalid_argument(path + ": truncated header");
  // The header's count must match the file: 16 header bytes, 16 per record.
  std::error_code ec;
  const std::uintmax_t file_bytes = std::filesystem::file_size(path, ec);
  if (ec) return core::io_error(path + ": cannot size the trace file: " + ec.message());
  const std::uintmax_t records = (file_bytes - 16) / 16;
  if (count != records || (file_bytes - 16) % 16 != 0) {
    return core::invalid_argument(
        path + ": header says " + std::to_string(count) + " requests, but the file's " +
        std::to_string(file_bytes) + " bytes hold " + std::to_string(records) + " records" +
        ((file_bytes - 16) % 16 ? " and a partial one" : "") + " (expected 16 + 16 x count bytes)");
  }
  std::vector<core::CacheRequest> out;
  std::uint64_t want =
      max > 0 ? std::min<std::uint64_t>(count, static_cast<std::uint64_t>(max)) : count;
  out.reserve(want);
  for (std::uint64_t i = 0; i < want; ++i) {
    std::uint64_t rec[2];
    if (!in.read(reinterpret_cast<char*>(rec), 16)) {
      return core::invalid_argument(path + ": truncated at record " + std::to_string(i) + " of " +
                                    std::to_string(count));
    }
    if (rec[1] > static_cast<std::uint64_t>(core::kMaxRequestBytes)) {
      return core::invalid_argument(
          path + ": record " + std::to_string(i) + ": " +
          size_limit_error(rec[1] > INT64_MAX ? INT64_MAX : static_cast<std::int64_t>(rec[1])));
    }
    out.push_back({core::BlockKey{0, rec[0]}, static_cast<std::int64_t>(rec[1])});
  }
  return out;
}

}  // namespace

std::vector<std::string> cache_trace_formats() {
  return {"binary", "cachelib-block", "cachelib-kv", "cloudphysics", "csv"};
}

core::Result<std::vector<core::CacheRequest>> read_cache_trace(const std::string& path,
                                                               const CacheTraceOptions& opts) {
  if (opts.format == "binary") return read_binary(path, opts.max_requests);
  std::string key_col = opts.key_column, size_col = opts.size_column, count_col;
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
  } else if (opts.format != "csv") {
    std::string known;
    std::vector<std::string> names;
    for (const auto& f : cache_trace_formats()) {
      known += (known.empty() ? "" : ", ") + f;
      names.emplace_back(f);
    }
    return core::invalid_argument("unknown trace format \"" + opts.format + "\": expected one of " +
                                  known + core::did_you_mean(opts.format, names));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::not_found(path + ": cannot open trace file");
  CsvReader csv(in);
  std::vector<std::string> f;
  if (!csv.next(f)) return core::invalid_argument(path + ":1: empty trace: expected a header line");
  CsvHeader header(f);
  auto ki = header.find(key_col), si = header.find(size_col);
  if (!ki || !si) {
    return core::invalid_argument(path + ":1: format " + opts.format + " needs columns \"" +
                                  key_col + "\" and \"" + size_col + "\"");
  }
  auto ci = count_col.empty() ? std::nullopt : header.find(count_col);
  std::vector<core::CacheRequest> out;
  while (csv.next(f)) {
    if (f.size() == 1 && f[0].empty()) continue;
    std::string where = path + ":" + std::to_string(csv.line()) + ": ";
    if (f.size() != header.names().size()) {
      return core::invalid_argument(where + "expected " + std::to_string(header.names().size()) +
                                    " fields, got " + std::to_string(f.size()));
    }
    if (f[*ki].empty())
      return core::invalid_argument(where + "column " + key_col + ": missing key");
    auto size = parse_int(f[*si]);
    if (!size || *size < 0) {
      return core::invalid_argument(where + "column " + size_col +
                                    ": expected a size in bytes, got \"" + f[*si] + "\"");
    }
    if (*size > core::kMaxRequestBytes) {
      return core::invalid_argument(where + "column " + size_col + ": " + size_limit_error(*size));
    }
    std::int64_t times = 1;
    if (ci) {
      auto c = parse_int(f[*ci]);
      if (!c || *c < 1 || *c > kMaxOpCount) {
        return core::invalid_argument(where +
                                      "column op_count: expected a count from 1 to 1000000");
      }
      times = *c;
    }
    core::CacheRequest q{core::BlockKey{0, key_of(f[*ki])}, *size};
    for (std::int64_t t = 0; t < times; ++t) out.push_back(q);
    if (opts.max_requests > 0 && static_cast<std::int64_t>(out.size()) >= opts.max_requests) {
      out.resize(static_cast<std::size_t>(opts.max_requests));
      break;
    }
  }
  if (!csv.status().is_ok()) return core::invalid_argument(path + ": " + csv.status().message());
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
