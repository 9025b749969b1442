// YAML <-> JSON for Kubernetes objects: `aqueduct inject` reads manifests as
// users write them (YAML or JSON, several documents) and prints them back.
// Plain scalars resolve as Kubernetes' YAML reader resolves them (true/false,
// null, integers, floats), quoted ones stay strings; printing quotes any
// string that would otherwise read back as another type.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/status.h"

namespace aqueduct::core {

// Every non-empty document of `text`; errors name `file`, line and column.
Result<std::vector<nlohmann::ordered_json>> parse_yaml_documents_as_json(std::string_view text,
                                                                         const std::string& file);
// Block-style YAML of one document (no leading "---").
std::string json_to_yaml_text(const nlohmann::ordered_json& doc);

}  // namespace aqueduct::core
