#include "aqueduct/fuse/slice_frames.h"

#include <array>

namespace aqueduct::fuse {
namespace {

constexpr std::string_view kHelloMagic = "AQH1", kRequestMagic = "AQS1", kReplyMagic = "AQR1";

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_le(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

core::Status frame_error(std::string what) {
  return core::invalid_argument("data port frame: " + std::move(what));
}

}  // namespace

std::string encode_hello(std::string_view token) {
  std::string out(kHelloMagic);
  put_le(out, token.size(), 4);
  out += token;
  return out;
}

core::Result<std::uint32_t> decode_hello_header(std::string_view header) {
  if (header.size() != kHelloHeaderBytes || header.substr(0, 4) != kHelloMagic)
    return frame_error("expected a hello (\"AQH1\")");
  const auto len = static_cast<std::uint32_t>(get_le(header, 4, 4));
  if (len > kMaxFrameString) {
    return frame_error("token_len " + std::to_string(len) + " is over " +
                       std::to_string(kMaxFrameString));
  }
  return len;
}

std::string encode_slice_request(const SliceRequestFrame& r) {
  std::string out(kRequestMagic);
  put_le(out, r.length, 4);
  put_le(out, r.index, 8);
  put_le(out, r.offset, 8);
  put_le(out, r.dataset.size(), 2);
  put_le(out, r.path.size(), 2);
  put_le(out, r.version.size(), 2);
  put_le(out, 0, 2);
  out += r.dataset;
  out += r.path;
  out += r.version;
  return out;
}

core::Result<std::size_t> decode_slice_request_header(std::string_view header, SliceRequestFrame* r,
                                                      std::uint32_t max_length) {
  if (header.size() != kSliceRequestHeaderBytes || header.substr(0, 4) != kRequestMagic)
    return frame_error("expected a slice request (\"AQS1\")");
  r->length = static_cast<std::uint32_t>(get_le(header, 4, 4));
  r->index = get_le(header, 8, 8);
  r->offset = get_le(header, 16, 8);
  const std::array<std::size_t, 3> lens = {get_le(header, 24, 2), get_le(header, 26, 2),
                                           get_le(header, 28, 2)};
  const std::array<const char*, 3> names = {"dataset_len", "path_len", "version_len"};
  if (r->length == 0 || r->length > max_length) {
    return frame_error("length " + std::to_string(r->length) + ": expected 1.." +
                       std::to_string(max_length));
  }
  std::size_t body = 0;
  for (std::size_t i = 0; i < lens.size(); ++i) {
    if (lens[i] > kMaxFrameString) {
      return frame_error(std::string(names[i]) + " " + std::to_string(lens[i]) + " is over " +
                         std::to_string(kMaxFrameString));
    }
    body += lens[i];
  }
  if (lens[0] == 0) return frame_error("dataset_len: a dataset is required");
  if (lens[1] == 0) return frame_error("path_len: a path is required");
  // The string lengths travel in the struct until the body arrives.
  r->dataset.assign(lens[0], '\0');
  r->path.assign(lens[1], '\0');
  r->version.assign(lens[2], '\0');
  return body;
}

core::Status decode_slice_request_body(std::string_view body, SliceRequestFrame* r) {
  if (body.size() != r->dataset.size() + r->path.size() + r->version.size())
    return frame_error("body of " + std::to_string(body.size()) + " bytes unlike its header");
  std::size_t at = 0;
  for (std::string* s : {&r->dataset, &r->path, &r->version}) {
    s->assign(body.substr(at, s->size()));
    at += s->size();
  }
  return core::Status::ok();
}

std::string encode_slice_reply_header(const SliceReplyHeader& h) {
  std::string out(kReplyMagic);
  put_le(out, static_cast<std::uint8_t>(h.status), 1);
  put_le(out, h.tier, 1);
  put_le(out, 0, 2);
  put_le(out, h.length, 4);
  put_le(out, 0, 4);
  put_le(out, h.xxh64, 8);
  return out;
}

core::Result<SliceReplyHeader> decode_slice_reply_header(std::string_view header,
                                                         std::uint32_t max_length) {
  if (header.size() != kSliceReplyHeaderBytes || header.substr(0, 4) != kReplyMagic)
    return frame_error("expected a slice reply (\"AQR1\")");
  SliceReplyHeader h;
  const auto status = static_cast<std::uint8_t>(get_le(header, 4, 1));
  if (status > static_cast<std::uint8_t>(SliceStatus::kBusy))
    return frame_error("status " + std::to_string(status) + ": expected 0 to 3");
  h.status = static_cast<SliceStatus>(status);
  h.tier = static_cast<std::uint8_t>(get_le(header, 5, 1));
  h.length = static_cast<std::uint32_t>(get_le(header, 8, 4));
  h.xxh64 = get_le(header, 16, 8);
  const bool message = h.status == SliceStatus::kError || h.status == SliceStatus::kBusy;
  const std::uint32_t limit = message ? kMaxReplyError : max_length;
  if (h.length > limit || (h.status == SliceStatus::kNotCached && h.length != 0)) {
    return frame_error("length " + std::to_string(h.length) + " is over " +
                       std::to_string(h.status == SliceStatus::kNotCached ? 0 : limit));
  }
  return h;
}

}  // namespace aqueduct::fuse
