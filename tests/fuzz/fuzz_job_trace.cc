// Job traces, every reader: the first line names the reader (an unknown
// name picks by the line's first byte), the rest is the trace file.
#include "aqueduct/sim/trace.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = aqueduct::fuzz::as_text(data, size);
  auto [reader, body] = aqueduct::fuzz::pick_by_first_line(in, aqueduct::sim::trace_reader_names());
  aqueduct::sim::TraceSpec spec;
  spec.reader = reader;
  spec.file = aqueduct::fuzz::write_scratch("trace.csv", body);
  spec.throughputs =
      std::string(AQ_SOURCE_DIR) + "/data/traces/philly-derived/gavel_throughputs.csv";
  spec.skip_bad_rows = !in.empty() && (static_cast<unsigned char>(in[0]) & 0x80);
  auto t = aqueduct::sim::read_trace(spec);
  (void)t;
  return 0;
}
