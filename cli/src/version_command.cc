#include <iostream>
#include <nlohmann/json.hpp>

#include "aqueduct/core/version.h"
#include "commands.h"

namespace aqueduct::cli {

int run_version(bool json) {
  if (json) {
    nlohmann::ordered_json j;
    j["version"] = core::version();
    j["commit"] = core::commit();
    j["build"] = core::build_info();
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "aqueduct " << core::version() << "\ncommit: " << core::commit()
              << "\nbuild: " << core::build_info() << "\n";
  }
  return 0;
}

}  // namespace aqueduct::cli
