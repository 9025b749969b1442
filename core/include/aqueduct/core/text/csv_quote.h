// One CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote
// or a line break, with quotes doubled. Shared by the result files and the
// CLI's -o csv.
#pragma once

#include <string>
#include <string_view>

namespace aqueduct::core {

std::string csv_quote(std::string_view field);

}  // namespace aqueduct::core
