// The data port's frames (fuse/slice_frames.h) as both ends decode them: the
// worker reads a hello, then request headers and bodies; the client reads
// reply headers. The input is one byte choosing the decoder, then the bytes
// it reads. Whatever decodes must encode back to the same bytes.
#include <cstdlib>

#include "aqueduct/fuse/slice_frames.h"
#include "fuzz_support.h"

using namespace aqueduct::fuse;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view in = aqueduct::fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto len = decode_hello_header(in.substr(0, kHelloHeaderBytes));
      if (len.ok() && in.size() >= kHelloHeaderBytes + *len) {
        const std::string back = encode_hello(in.substr(kHelloHeaderBytes, *len));
        if (back != in.substr(0, back.size())) std::abort();
      }
      break;
    }
    case 1: {
      SliceRequestFrame r;
      auto body = decode_slice_request_header(in.substr(0, kSliceRequestHeaderBytes), &r, 1 << 20);
      if (!body.ok()) break;
      if (*body > kMaxFrameString * 3) std::abort();  // a server would read that much
      const auto rest = in.substr(kSliceRequestHeaderBytes, *body);
      if (!decode_slice_request_body(rest, &r).is_ok()) break;
      const std::string back = encode_slice_request(r);
      // The reserved field is not kept: compare all but it.
      if (back.size() != kSliceRequestHeaderBytes + *body ||
          back.substr(0, 30) != in.substr(0, 30) || back.substr(32) != in.substr(32, *body)) {
        std::abort();
      }
      break;
    }
    default: {
      auto h = decode_slice_reply_header(in.substr(0, kSliceReplyHeaderBytes), 4 << 20);
      if (h.ok() && h->length > (4u << 20)) std::abort();
      break;
    }
  }
  return 0;
}
