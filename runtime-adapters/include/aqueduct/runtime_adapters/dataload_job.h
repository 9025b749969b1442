// The batch Job that runs a DataLoad (Fluid's DataLoad: warm a dataset's
// cache), rendered per engine: it mounts the dataset's claim and runs the
// engine's own warm-up over each target path (JuiceFS `juicefs warmup`,
// Alluxio `alluxio fs distributedLoad`, Jindo `jindo fs -load`, other engines
// read the files through the mount). Named `<dataload>-loader-job`, owned by
// the DataLoad, labelled fluid.io/dataload=<name>.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "aqueduct/core/model/dataload.h"
#include "aqueduct/core/model/dataset.h"
#include "aqueduct/core/model/runtime.h"

namespace aqueduct::runtime_adapters {

std::string dataload_job_name(const core::DataLoad& load);
nlohmann::ordered_json render_dataload_job(const core::DataLoad& load, const core::Dataset& ds,
                                           const core::Runtime& rt,
                                           const std::string& dataload_uid);

}  // namespace aqueduct::runtime_adapters
