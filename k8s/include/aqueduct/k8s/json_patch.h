// RFC 6902 JSON Patch between two documents, shaped for admission responses:
// objects are compared key by key, arrays by their common prefix and suffix,
// so a container prepended to a pod is one "add /spec/containers/0" rather
// than a rewrite of every container after it.
#pragma once

#include "aqueduct/core/injection/pod_json.h"

namespace aqueduct::k8s {

// Operations that turn `from` into `to` (empty when they are equal).
core::Json json_patch_diff(const core::Json& from, const core::Json& to);

// "~" -> "~0", "/" -> "~1" (RFC 6901), for one reference token.
std::string json_pointer_escape(const std::string& token);

}  // namespace aqueduct::k8s
