// The datasets and runtimes the injection targets resolve claims against:
// tests/data/injection/objects.yaml, loaded once per process.
#pragma once

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/yaml/yaml_reader.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"

namespace aqueduct::fuzz {

inline const core::DatasetResolver& injection_resolver() {
  static const core::DatasetResolver resolve = [] {
    const std::string file = std::string(AQ_SOURCE_DIR) + "/tests/data/injection/objects.yaml";
    auto text = core::read_text_file(file);
    core::Diagnostics diags;
    core::FluidObjects objs = core::load_fluid_yaml(text.ok() ? *text : "", file, diags);
    return runtime_adapters::static_dataset_resolver(objs);
  }();
  return resolve;
}

}  // namespace aqueduct::fuzz
