// Cache traces read as they are replayed: libCacheSim's oracleGeneral, zstd,
// Twitter and MSR traces, records and lines across the reader's views, and
// errors that name file and record.
#include <gtest/gtest.h>
#include <zstd.h>

#include <cstring>
#include <fstream>

#include "aqueduct/sim/cache_sim.h"
#include "aqueduct/sim/cache_trace.h"
#include "support/temp_dir.h"

namespace aqueduct::sim {
namespace {

using aqueduct::testing::TempDir;

struct Oracle {
  std::uint32_t time;
  std::uint64_t id;
  std::uint32_t size;
  std::int64_t next;
};

std::string oracle_bytes(const std::vector<Oracle>& recs) {
  std::string out;
  for (const auto& r : recs) {
    char b[24];
    std::memcpy(b, &r.time, 4);
    std::memcpy(b + 4, &r.id, 8);
    std::memcpy(b + 12, &r.size, 4);
    std::memcpy(b + 16, &r.next, 8);
    out.append(b, 24);
  }
  return out;
}

std::string zstd(const std::string& raw) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

core::Result<std::vector<core::CacheRequest>> read(const std::string& path,
                                                   const std::string& format) {
  CacheTraceOptions o;
  o.format = format;
  return read_cache_trace(path, o);
}

// A trace of n requests over `keys` keys, sizes 1..64 KiB.
std::vector<Oracle> synthetic(std::size_t n, std::uint64_t keys) {
  std::vector<Oracle> t;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t id = (i * 2654435761u) % keys;
    t.push_back(
        {static_cast<std::uint32_t>(i), id, static_cast<std::uint32_t>(1 + id % 65536), -1});
  }
  return t;
}

TEST(CacheTraceStream, OracleGeneralRecordsAcrossViewsAndCompressed) {
  TempDir dir;
  // 400,000 records of 24 bytes: past the first 8 MiB view, with a record split across it.
  auto recs = synthetic(400'000, 50'000);
  recs[3].next = 17;
  const std::string raw = oracle_bytes(recs);
  const std::string plain = dir.write("t.oracleGeneral.bin", raw);
  const std::string packed = dir.write("t.oracleGeneral.bin.zst", zstd(raw));
  for (const auto& path : {plain, packed}) {
    auto t = read(path, "oracleGeneral");
    ASSERT_TRUE(t.ok()) << t.status().message();
    ASSERT_EQ(t->size(), recs.size()) << path;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      ASSERT_EQ((*t)[i].key.index, recs[i].id) << path << " record " << i;
      ASSERT_EQ((*t)[i].bytes, recs[i].size) << path << " record " << i;
    }
  }
  // Next uses come from the file.
  CacheTraceOptions o;
  o.format = "oracleGeneral";
  auto r = open_cache_trace(plain, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->has_next_use());
  std::vector<core::CacheRequest> q(5);
  std::vector<std::uint64_t> next(5);
  ASSERT_EQ(*(*r)->read(q, next), 5u);
  EXPECT_EQ(next[3], 17u);
  EXPECT_EQ(next[0], UINT64_MAX);
}

TEST(CacheTraceStream, TruncatedAndCorruptInputIsNamed) {
  TempDir dir;
  std::string raw = oracle_bytes(synthetic(10, 5));
  auto t = read(dir.write("cut.bin", raw.substr(0, 24 * 3 + 7)), "oracleGeneral");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(
      t.status().message().find("cut.bin: record 3: truncated: the file ends 7 bytes into it"),
      std::string::npos)
      << t.status().message();
  // A zstd stream cut short, and one with a damaged frame.
  const std::string z = zstd(raw);
  t = read(dir.write("cut.zst", z.substr(0, z.size() - 5)), "oracleGeneral");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("cut.zst"), std::string::npos) << t.status().message();
  std::string bad = z;
  bad[bad.size() / 2] ^= 0x5a;
  bad[bad.size() / 2 + 1] ^= 0x5a;
  t = read(dir.write("bad.zst", bad), "oracleGeneral");
  EXPECT_FALSE(t.ok());
  // Aqueduct's binary format: a header count beyond the records.
  std::string bin = "AQCTRC01";
  std::uint64_t count = 3;
  bin.append(reinterpret_cast<const char*>(&count), 8);
  std::uint64_t rec[2] = {1, 100};
  bin.append(reinterpret_cast<const char*>(rec), 16);
  t = read(dir.write("short.bin", bin), "binary");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("header says 3 requests"), std::string::npos)
      << t.status().message();
  // ... and compressed, where the size is known only at the end.
  t = read(dir.write("short.bin.zst", zstd(bin)), "binary");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("record 1: the file ends after 1 of the header's 3"),
            std::string::npos)
      << t.status().message();
  // A size near 2^63.
  std::string huge = "AQCTRC01";
  count = 1;
  huge.append(reinterpret_cast<const char*>(&count), 8);
  std::uint64_t big[2] = {1, (std::uint64_t{1} << 63) - 5};
  huge.append(reinterpret_cast<const char*>(big), 16);
  t = read(dir.write("huge.bin", huge), "binary");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("record 0: size 9223372036854775803 B is over the limit"),
            std::string::npos)
      << t.status().message();
}

TEST(CacheTraceStream, TwitterAndMsrTraces) {
  TempDir dir;
  // Twitter (twitter/cache-trace): timestamp, key, key size, value size, client, op, TTL.
  auto tw = read(dir.write("tw.csv",
                           "0,q:q:1:8WTfjZU,23,120,4,get,0\n"
                           "1,q:q:1:8WTfjZU,23,120,4,get,0\n"
                           "1,nq:2,10,0,7,set,3600\n"),
                 "twitter");
  ASSERT_TRUE(tw.ok()) << tw.status().message();
  ASSERT_EQ(tw->size(), 3u);
  EXPECT_EQ((*tw)[0].bytes, 143);
  EXPECT_EQ((*tw)[0].key, (*tw)[1].key);
  EXPECT_NE((*tw)[0].key, (*tw)[2].key);
  auto bad = read(dir.write("tw2.csv", "0,k,23,120,4,get,0\n1,k,x,1,4,get,0\n"), "twitter");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("tw2.csv:2: column key size (field 3)"), std::string::npos)
      << bad.status().message();
  bad = read(dir.write("tw3.csv", "0,k,23,120,4,get\n"), "twitter");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("tw3.csv:1: expected 7 fields"), std::string::npos);
  // MSR Cambridge: Timestamp, Hostname, DiskNumber, Type, Offset, Size, ResponseTime.
  auto msr = read(dir.write("msr.csv",
                            "128166372003061629,hm,1,Read,3216171008,65536,1234\r\n"
                            "128166372003061630,hm,1,Write,3216171008,4096,99\r\n"
                            "128166372003061631,hm,0,Read,3216171008,4096,99\r\n"),
                  "msr");
  ASSERT_TRUE(msr.ok()) << msr.status().message();
  ASSERT_EQ(msr->size(), 3u);
  EXPECT_EQ((*msr)[0].key, (*msr)[1].key) << "same host, disk and offset";
  EXPECT_NE((*msr)[0].key, (*msr)[2].key) << "another disk";
  EXPECT_EQ((*msr)[0].bytes, 65536);
  bad = read(dir.write("msr2.csv", "1,hm,1,Read,-5,512,1\n"), "msr");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("msr2.csv:1: field 5 (Offset)"), std::string::npos);
}

TEST(CacheTraceStream, LongCsvLinesAcrossViews) {
  TempDir dir;
  // About 9.5 MiB of CSV: lines cross the first 8 MiB view.
  std::string text = "key,size\n";
  const std::size_t rows = 500'000;
  for (std::size_t i = 0; i < rows; ++i) {
    text += std::to_string(1'000'000'000 + i) + "," + std::to_string(1 + i % 4096) + "\n";
  }
  auto t = read(dir.write("big.csv", text), "csv");
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_EQ(t->size(), rows);
  for (std::size_t i = 0; i < rows; ++i) {
    ASSERT_EQ((*t)[i].key.index, 1'000'000'000 + i) << i;
    ASSERT_EQ((*t)[i].bytes, static_cast<std::int64_t>(1 + i % 4096)) << i;
  }
}

TEST(CacheSimEngine, OneReadFeedsEveryCacheAsReplaysInMemoryWould) {
  TempDir dir;
  auto recs = synthetic(60'000, 3'000);
  // Next uses written into the file, as libCacheSim's converter does.
  std::vector<core::CacheRequest> mem;
  for (const auto& r : recs) mem.push_back({core::BlockKey{0, r.id}, r.size});
  const auto next = core::next_uses(mem);
  for (std::size_t i = 0; i < recs.size(); ++i)
    recs[i].next = next[i] == UINT64_MAX ? -1 : static_cast<std::int64_t>(next[i]);
  const std::string path = dir.write("t.bin", oracle_bytes(recs));
  const auto registry = core::builtin_eviction_policies();
  std::vector<CacheConfig> configs;
  for (const std::string p : {"lru", "arc", "s3fifo", "belady"}) {
    for (std::int64_t size : {1'000'000, 20'000'000}) configs.push_back({p, size});
  }
  for (int threads : {1, 2, 3}) {
    for (std::size_t batch : {std::size_t{1000}, std::size_t{1} << 16}) {
      CacheTraceOptions o;
      o.format = "oracleGeneral";
      auto reader = open_cache_trace(path, o);
      ASSERT_TRUE(reader.ok());
      CacheSimOptions so;
      so.threads = threads;
      so.batch = batch;
      auto got = simulate_caches(**reader, configs, registry, so);
      ASSERT_TRUE(got.ok()) << got.status().message();
      // The same caches from a reader without next uses (Belady then reads it whole).
      auto from_memory = simulate_caches(*memory_trace_reader(mem), configs, registry, so);
      ASSERT_TRUE(from_memory.ok());
      for (std::size_t c = 0; c < configs.size(); ++c) {
        auto want = core::replay(mem, configs[c].policy, configs[c].capacity_bytes, registry, next);
        ASSERT_TRUE(want.ok());
        EXPECT_EQ((*got)[c].misses, want->misses) << configs[c].policy << " threads " << threads;
        EXPECT_EQ((*got)[c].miss_bytes, want->miss_bytes) << configs[c].policy;
        EXPECT_EQ((*from_memory)[c].misses, want->misses) << configs[c].policy;
      }
    }
  }
}

TEST(CacheSimEngine, FootprintCountsFirstSizesAndRewinds) {
  std::vector<core::CacheRequest> t = {{{0, 1}, 10}, {{0, 2}, 5}, {{0, 1}, 50}};
  auto reader = memory_trace_reader(t);
  auto f = trace_footprint(*reader);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->objects, 2u);
  EXPECT_EQ(f->bytes, 15) << "each key at the size of its first request, as libCacheSim";
  std::vector<core::CacheRequest> again(3);
  EXPECT_EQ(*reader->read(again), 3u) << "rewound";
}

}  // namespace
}  // namespace aqueduct::sim
