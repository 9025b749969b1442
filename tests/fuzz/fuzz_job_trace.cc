// Job traces, every reader: the first line names the reader (an unknown
// name picks by the line's first byte), the rest is the trace file.
#include "aqueduct/sim/trace.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = aqueduct::fuzz::as_text(data, size);
  auto nl = in.find('\n');
  std::string_view name = nl == std::string_view::npos ? in : in.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  auto readers = aqueduct::sim::trace_reader_names();
  aqueduct::sim::TraceSpec spec;
  spec.reader = readers[name.empty() ? 0 : static_cast<unsigned char>(name[0]) % readers.size()];
  for (const auto& r : readers) {
    if (r == name) spec.reader = r;
  }
  spec.file = aqueduct::fuzz::write_scratch("trace.csv", body);
  spec.throughputs =
      std::string(AQ_SOURCE_DIR) + "/data/traces/philly-derived/gavel_throughputs.csv";
  spec.skip_bad_rows = !name.empty() && (static_cast<unsigned char>(name[0]) & 0x80);
  auto t = aqueduct::sim::read_trace(spec);
  (void)t;
  return 0;
}
