// Source implementations (private to fuse/).
#pragma once

#include "aqueduct/fuse/source.h"

namespace aqueduct::fuse {

core::Result<std::unique_ptr<Source>> open_local_source(const std::string& root);
// scheme "http" or "https"; host_port "host[:port]"; prefix "/..." (may be "").
core::Result<std::unique_ptr<Source>> open_http_source(const std::string& scheme,
                                                       const std::string& host_port,
                                                       const std::string& prefix);

}  // namespace aqueduct::fuse
