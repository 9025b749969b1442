// The frames of a worker's data port (docs/data-plane.md): a plain TCP side
// channel for small reads, where one 4 KiB read costs one short frame each
// way and no HTTP/2 call. Little-endian, fixed headers, bounded fields:
//
//   hello    "AQH1" u32 token_len | token                  (client, once)
//   request  "AQS1" u32 length u64 index u64 offset
//            u16 dataset_len u16 path_len u16 version_len u16 0
//            | dataset path version                           (client)
//   reply    "AQR1" u8 status u8 tier u16 0 u32 length u32 0 u64 xxh64
//            | data (status kFound) or a message (kError, kBusy)  (worker)
//
// Each decoder reads a header first (fixed size) and says how many body
// bytes follow, so a server never reads more than the limits allow.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aqueduct/core/status.h"

namespace aqueduct::fuse {

inline constexpr std::size_t kHelloHeaderBytes = 8;
inline constexpr std::size_t kSliceRequestHeaderBytes = 32;
inline constexpr std::size_t kSliceReplyHeaderBytes = 24;
inline constexpr std::size_t kMaxFrameString = 4096;  // token, dataset, path, version
inline constexpr std::uint32_t kMaxReplyError = 4096;

struct SliceRequestFrame {
  std::string dataset, path, version;
  std::uint64_t index = 0, offset = 0;
  std::uint32_t length = 0;
};

// kBusy: the port has all the connections it serves (the client uses gRPC).
enum class SliceStatus : std::uint8_t { kFound = 0, kNotCached = 1, kError = 2, kBusy = 3 };

struct SliceReplyHeader {
  SliceStatus status = SliceStatus::kNotCached;
  std::uint8_t tier = 0;
  std::uint32_t length = 0;  // body bytes that follow
  std::uint64_t xxh64 = 0;
};

std::string encode_hello(std::string_view token);
// The token length from a hello header; an error for a bad magic or a token
// over kMaxFrameString.
core::Result<std::uint32_t> decode_hello_header(std::string_view header);

std::string encode_slice_request(const SliceRequestFrame& r);
// Fills the numbers of *r and returns the body length (the three strings);
// an error names the field that is out of bounds.
core::Result<std::size_t> decode_slice_request_header(std::string_view header, SliceRequestFrame* r,
                                                      std::uint32_t max_length);
// The strings of *r from its body (of the length the header gave).
core::Status decode_slice_request_body(std::string_view body, SliceRequestFrame* r);

// The reply header; the body (data or error text) follows separately.
std::string encode_slice_reply_header(const SliceReplyHeader& h);
// `max_length`: the longest data body the client accepts.
core::Result<SliceReplyHeader> decode_slice_reply_header(std::string_view header,
                                                         std::uint32_t max_length);

}  // namespace aqueduct::fuse
