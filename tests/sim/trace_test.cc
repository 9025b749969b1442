#include "aqueduct/sim/trace.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"
#include "support/trace_spec.h"

namespace aqueduct::sim {
namespace {

using aqueduct::testing::source_path;
using aqueduct::testing::TempDir;
using aqueduct::testing::trace_spec;

TraceData read_ok(const std::string& file, const std::string& reader) {
  TraceSpec s;
  s.file = file;
  s.reader = reader;
  auto r = read_trace(s);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : TraceData{};
}

TEST(TraceReaders, Pollux) {
  TraceData t =
      read_ok(source_path("data/traces/philly-derived/pollux_workloads/realistic/workload-1.csv"),
              "pollux");
  EXPECT_EQ(t.rows, 160);
  ASSERT_EQ(t.jobs.size(), 160u);
  EXPECT_EQ(t.jobs[0].id, "cifar10-0");
  EXPECT_EQ(t.jobs[0].application, "cifar10");
  EXPECT_DOUBLE_EQ(t.jobs[0].arrival_s, 107);
  EXPECT_DOUBLE_EQ(t.jobs.back().gpus, 4);
  for (std::size_t i = 1; i < t.jobs.size(); ++i)
    EXPECT_LE(t.jobs[i - 1].arrival_s, t.jobs[i].arrival_s);
}

TEST(TraceReaders, PhillyGavelTakesRunTimesFromStepsAndThroughputs) {
  TraceSpec s;
  s.file = source_path("data/traces/philly-derived/gavel_msr_seed0/6214e9.csv");
  s.reader = "philly-gavel";
  s.throughputs = source_path("data/traces/philly-derived/gavel_throughputs.csv");
  s.skip_bad_rows = true;
  auto r = read_trace(s);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const TraceData& t = *r;
  EXPECT_EQ(t.rows, 2000);
  // 15 jobs ask for a GPU count Gavel measured no throughput for.
  EXPECT_EQ(t.jobs.size(), 1985u);
  ASSERT_EQ(t.skipped.size(), 15u);
  EXPECT_NE(t.skipped[0].reason.find("no v100 throughput for"), std::string::npos)
      << t.skipped[0].reason;
  for (const auto& j : t.jobs) {
    EXPECT_EQ(j.application.find('('), std::string::npos) << j.application;
    EXPECT_GE(j.gpus, 1);
    EXPECT_TRUE(j.has_duration);
  }
  // The first row: Transformer (batch size 128) on 1 GPU, 20,851,471 steps
  // at Gavel's isolated V100 throughput (the table's own row, read here).
  double tp = 0;
  {
    std::ifstream in(s.throughputs);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("v100,\"Transformer (batch size 128)\",1,", 0) == 0)
        tp = std::stod(line.substr(line.rfind(',') + 1));
    }
  }
  ASSERT_GT(tp, 0);
  EXPECT_EQ(t.jobs[0].job_type, "Transformer (batch size 128)");
  EXPECT_NEAR(t.jobs[0].duration_s, 20851471 / tp, 1e-6);
  // Without skipping, the first such row is an error naming its line.
  s.skip_bad_rows = false;
  auto strict = read_trace(s);
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.status().message().find("6214e9.csv:"), std::string::npos);
  // Without a throughput table the reader says what it needs.
  s.throughputs.clear();
  auto none = read_trace(s);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("throughputs"), std::string::npos);
  // Asked to take only arrivals, it needs none and gives no run times.
  s.lengths = "application";
  auto arrivals = read_trace(s);
  ASSERT_TRUE(arrivals.ok()) << arrivals.status().message();
  EXPECT_EQ(arrivals->jobs.size(), 2000u);
  for (const auto& j : arrivals->jobs) EXPECT_FALSE(j.has_duration);
}

TEST(TraceReaders, ArrivalScaleChangesTheRateAndKeepsRunTimesTimeScaleChangesBoth) {
  TraceSpec s;
  s.file = source_path("data/traces/philly-derived/gavel_continuous_single.csv");
  s.reader = "philly-gavel";
  s.throughputs = source_path("data/traces/philly-derived/gavel_throughputs.csv");
  s.max_jobs = 50;
  auto base = read_trace(s);
  ASSERT_TRUE(base.ok()) << base.status().message();
  s.arrival_scale = 0.25;
  auto faster = read_trace(s);
  ASSERT_TRUE(faster.ok()) << faster.status().message();
  s.arrival_scale = 1;
  s.time_scale = 2;
  auto slower = read_trace(s);
  ASSERT_TRUE(slower.ok()) << slower.status().message();
  ASSERT_EQ(base->jobs.size(), 50u);
  ASSERT_EQ(faster->jobs.size(), 50u);
  ASSERT_EQ(slower->jobs.size(), 50u);
  EXPECT_GT(base->jobs.back().arrival_s, 0);
  for (std::size_t i = 0; i < 50; ++i) {
    EXPECT_DOUBLE_EQ(faster->jobs[i].arrival_s, base->jobs[i].arrival_s * 0.25);
    EXPECT_DOUBLE_EQ(faster->jobs[i].duration_s, base->jobs[i].duration_s);
    EXPECT_DOUBLE_EQ(slower->jobs[i].arrival_s, base->jobs[i].arrival_s * 2);
    EXPECT_DOUBLE_EQ(slower->jobs[i].duration_s, base->jobs[i].duration_s * 2);
    EXPECT_DOUBLE_EQ(base->jobs[i].speed_by_type.at("v100"), 1.0);  // the reference type
    EXPECT_EQ(base->jobs[i].speed_by_type.size(), 3u);
  }
  // The first job, LM (batch size 80) on one GPU: Gavel's K80 throughput over
  // its V100 throughput.
  EXPECT_EQ(base->jobs[0].job_type, "LM (batch size 80)");
  EXPECT_NEAR(base->jobs[0].speed_by_type.at("k80"), 6.054204218128158 / 28.239955054085122, 1e-12);
}

TEST(TraceReaders, AlibabaGpuV2023) {
  TraceData t = read_ok(source_path("data/traces/alibaba-gpu-v2023/openb_pod_list_default.csv"),
                        "alibaba-gpu-v2023");
  EXPECT_EQ(t.rows, 8152);
  EXPECT_EQ(t.jobs.size(), 8152u);
  // openb-pod-0001: 6 cores, 12 GiB, one GPU shared at 460 milli-GPU.
  const TraceJob* p1 = nullptr;
  for (const auto& j : t.jobs) {
    if (j.id == "openb-pod-0001") p1 = &j;
    EXPECT_TRUE(j.has_duration) << j.id;
    EXPECT_GE(j.duration_s, 0) << j.id;
  }
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(p1->cpu_milli, 6000);
  EXPECT_EQ(p1->memory_bytes, 12LL << 30);
  EXPECT_DOUBLE_EQ(p1->gpus, 0.46);
  EXPECT_DOUBLE_EQ(p1->duration_s, 12902960 - 427061);
}

TEST(TraceReaders, MalformedRowsNameTheLine) {
  TempDir dir;
  std::string f = dir.write("t.csv",
                            "job_id,arrival_s,gpus,application\n"
                            "a,0,1,x\n"
                            "b,ten,1,x\n"
                            "c,5,1\n"
                            "d,7,-2,x\n"
                            "e,9,2,x\n");
  TraceSpec s = trace_spec(f, "generic-csv", false, 1.0);
  auto r = read_trace(s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(f + ":3: column arrival_s: expected a number, got \"ten\""),
            std::string::npos)
      << r.status().message();
  s.skip_bad_rows = true;
  auto k = read_trace(s);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->rows, 5);
  EXPECT_EQ(k->jobs.size(), 2u);
  ASSERT_EQ(k->skipped.size(), 3u);
  EXPECT_EQ(k->skipped[0].line, 3);
  EXPECT_EQ(k->skipped[1].line, 4);
  EXPECT_EQ(k->skipped[1].reason, "expected 4 fields, got 3");
  EXPECT_EQ(k->skipped[2].line, 5);
}

// Regressions from fuzzing (tests/fuzz/crashers/job_trace): a duplicate job
// id reached an internal check in the run, 2^31 GPUs hung it, NaN and 1e300
// became undefined integer and time conversions.
TEST(TraceReaders, DuplicateIdsAndOutOfRangeNumbersNameTheLine) {
  TempDir dir;
  std::string f = dir.write("p.csv",
                            "name,time,application,num_replicas,batch_size\n"
                            "j,1,cifar10,1,128\n"
                            "k,2,cifar10,2147483648,128\n"
                            "j,3,cifar10,1,128\n"
                            "m,nan,cifar10,1,128\n"
                            "n,1e300,cifar10,1,128\n");
  TraceSpec s = trace_spec(f, "pollux", true, 1.0);
  auto r = read_trace(s);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->jobs.size(), 1u);
  ASSERT_EQ(r->skipped.size(), 4u);
  EXPECT_EQ(r->skipped[0].reason,
            "column num_replicas: expected a value from 0 to 100000, got 2147483648");
  EXPECT_EQ(r->skipped[1].line, 4);
  EXPECT_EQ(r->skipped[1].reason, "job id \"j\" repeats the job on line 2 (ids must be unique)");
  EXPECT_EQ(r->skipped[2].reason, "column time: expected a number, got \"nan\"");
  EXPECT_EQ(r->skipped[3].reason, "column time: expected a value from 0 to 10000000000, got 1e300");
  s.skip_bad_rows = false;
  auto strict = read_trace(s);
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.status().message().find(f + ":3: column num_replicas"), std::string::npos)
      << strict.status().message();
}

TEST(TraceReaders, MissingColumnsAndFiles) {
  TempDir dir;
  std::string f = dir.write("t.csv", "name,when\nx,1\n");
  auto r = read_trace(trace_spec(f, "pollux", false, 1.0));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("needs column \"time\""), std::string::npos);
  auto m = read_trace(trace_spec(dir.file("nope.csv"), "pollux", false, 1.0));
  EXPECT_EQ(m.status().code(), core::StatusCode::kNotFound);
  auto e = read_trace(trace_spec(dir.write("e.csv", ""), "pollux", false, 1.0));
  EXPECT_NE(e.status().message().find("empty trace"), std::string::npos);
  auto u = read_trace(trace_spec(f, "borg", false, 1.0));
  EXPECT_NE(u.status().message().find("unknown trace reader"), std::string::npos);
}

TEST(TraceReaders, QuotedFieldsAndScaling) {
  TempDir dir;
  std::string f =
      dir.write("t.csv", "job_id,arrival_s,application\r\n\"a,1\",10,\"say \"\"hi\"\"\"\r\n");
  auto r = read_trace(trace_spec(f, "generic-csv", false, 0.5));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->jobs[0].id, "a,1");
  EXPECT_EQ(r->jobs[0].application, "say \"hi\"");
  EXPECT_DOUBLE_EQ(r->jobs[0].arrival_s, 5);
}

}  // namespace
}  // namespace aqueduct::sim

namespace aqueduct::sim {
namespace {

TEST(TraceReaders, AlibabaGenAiLora) {
  TraceSpec s = trace_spec(
      aqueduct::testing::source_path("data/traces/alibaba-genai-lora-v2026/lora_request_trace.csv"),
      "alibaba-genai-lora-v2026", true, 1.0);
  auto r = read_trace(s);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows, 26823);
  EXPECT_EQ(r->jobs.size() + r->skipped.size(), 26823u);
  // First request: 2024-11-15 16:57:50, 32 s.
  EXPECT_DOUBLE_EQ(r->jobs[0].arrival_s, 16 * 3600 + 57 * 60 + 50);
  EXPECT_DOUBLE_EQ(r->jobs[0].duration_s, 32);
  s.start_s = 3 * 86400;
  s.end_s = 6 * 86400;
  auto w = read_trace(s);
  ASSERT_TRUE(w.ok());
  EXPECT_GT(w->outside_window, 0);
  for (const auto& j : w->jobs) {
    EXPECT_GE(j.arrival_s, 0);
    EXPECT_LT(j.arrival_s, 3 * 86400);
  }
}

}  // namespace
}  // namespace aqueduct::sim
