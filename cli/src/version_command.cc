#include <iostream>
#include <nlohmann/json.hpp>

#include "aqueduct/core/version.h"
#include "commands.h"
#include "output_format.h"

namespace aqueduct::cli {

int run_version(const std::string& output) {
  const OutputFormat format = parse_output_format(output);
  if (format == OutputFormat::kTable) {
    std::cout << "aqueduct " << core::version() << "\ncommit: " << core::commit()
              << "\nbuild: " << core::build_info() << "\n";
    return 0;
  }
  nlohmann::ordered_json j;
  j["version"] = core::version();
  j["commit"] = core::commit();
  j["build"] = core::build_info();
  write_object(j, format, std::cout);
  return 0;
}

}  // namespace aqueduct::cli
