// The data plane's Prometheus endpoints: MetricsServer over loopback, and the
// mount's counters (reader_metrics_text) after real reads.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>

#include "aqueduct/fuse/dataset_reader.h"
#include "aqueduct/fuse/metrics_server.h"
#include "support/temp_dir.h"

namespace aqueduct::fuse {
namespace {

using aqueduct::testing::TempDir;

TEST(MetricsServer, ServesTheTextOfTheMomentAndStops) {
  int scrapes = 0;
  auto m = MetricsServer::start("--metrics-listen", "127.0.0.1:0", [&scrapes] {
    return "x_total " + std::to_string(++scrapes) + "\n";
  });
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  ASSERT_GT((*m)->port(), 0);
  httplib::Client c("127.0.0.1", (*m)->port());
  auto first = c.Get("/metrics");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "x_total 1\n");
  EXPECT_EQ(c.Get("/metrics")->body, "x_total 2\n");
  EXPECT_EQ(c.Get("/healthz")->body, "ok\n");
  EXPECT_EQ(c.Get("/other")->status, 404);
  (*m)->stop();
  (*m)->stop();  // idempotent
  EXPECT_FALSE(httplib::Client("127.0.0.1", (*m)->port()).Get("/metrics"));
}

TEST(MetricsServer, BadAddressesAreNamed) {
  for (const char* bad : {"nowhere", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:8x", ":-1"}) {
    auto m = MetricsServer::start("--metrics-listen", bad, [] { return std::string(); });
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.status().message(),
              std::string("--metrics-listen ") + bad + ": expected HOST:PORT");
  }
}

// Regression: values went through a double and printed with six digits
// (12345678901 as 1.23457e+10), so byte counters lost their precision.
TEST(MetricsServer, LargeCountersAreExact) {
  std::string text;
  prometheus_metric(text, "counter", "x_total", "Help.", 12'345'678'901ULL);
  EXPECT_EQ(text, "# HELP x_total Help.\n# TYPE x_total counter\nx_total 12345678901\n");
}

TEST(ReaderMetrics, CountWhatTheReaderDid) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("data"));
  dir.write("data/f", std::string(3 << 20, 'a'));
  ReaderOptions o;
  o.block_size = 1 << 20;
  auto src = open_source("local://" + dir.file("data"));
  ASSERT_TRUE(src.ok());
  auto r = DatasetReader::create(std::move(*src), {}, o);
  ASSERT_TRUE(r.ok());
  std::string buf(3 << 20, '\0');
  ASSERT_TRUE((*r)->read("/f", 0, buf.size(), buf.data()).ok());
  ASSERT_TRUE((*r)->read("/f", 0, 4096, buf.data()).ok());  // from the memory tier
  (*r)->flush();
  const ReaderStats s = (*r)->stats();
  const std::string text = reader_metrics_text(s);
  EXPECT_NE(text.find("# TYPE aqueduct_fuse_source_reads_total counter\n"
                      "aqueduct_fuse_source_reads_total " +
                      std::to_string(s.source_reads) + "\n"),
            std::string::npos)
      << text;
  EXPECT_GE(s.source_reads, 3u);
  EXPECT_NE(text.find("aqueduct_fuse_local_hits_total " + std::to_string(s.local_hits) + "\n"),
            std::string::npos);
  EXPECT_GE(s.local_hits, 1u);
  for (const char* name :
       {"worker_hits", "short_circuit_reads", "short_circuit_rejects", "readaheads",
        "passive_skipped", "worker_puts", "puts_lost", "worker_errors", "rejected_blocks"}) {
    EXPECT_NE(text.find(std::string("aqueduct_fuse_") + name + "_total "), std::string::npos)
        << name;
  }
}

}  // namespace
}  // namespace aqueduct::fuse
