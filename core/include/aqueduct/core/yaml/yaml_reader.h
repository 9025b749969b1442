// YamlCursor: a checked walk over a yaml-cpp node that records every problem in
// a Diagnostics with file:line:column and the dotted field path, tracks which
// keys were read so unknown fields are reported (with a did-you-mean), and
// never throws. A strict cursor reports unknown fields as errors (Aqueduct's
// own files); a lenient one as warnings (Fluid's YAML, whose fields Aqueduct
// does not all model). Children inherit the setting.
// This is the one public header that includes yaml-cpp: include it from .cc
// files of loaders only, never from another public header.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/quantity.h"
#include "aqueduct/core/time.h"

namespace aqueduct::core {

class YamlCursor {
 public:
  YamlCursor(YAML::Node node, std::string path, std::shared_ptr<const std::string> file,
             Diagnostics* diags, bool strict = false);

  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return *file_; }
  Diagnostics& diags() const { return *diags_; }
  SourcePos pos() const;
  bool is_map() const { return node_.IsMap(); }
  bool is_seq() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool is_null() const { return !node_ || node_.IsNull(); }
  bool strict() const { return strict_; }

  // Reports an error unless this node is a mapping; returns whether it is.
  bool expect_map(std::string_view what = "a mapping");
  // True if the mapping has `key` (a null value counts as absent).
  bool has(std::string_view key) const;
  // The child at `key`, marking the key as known; nullopt when absent (and an
  // error "missing required field" when required).
  std::optional<YamlCursor> child(std::string_view key, bool required = false);

  // Typed scalar getters. On a type error they report it and return nullopt.
  std::optional<std::string> str(std::string_view key, bool required = false);
  std::optional<bool> boolean(std::string_view key, bool required = false);
  std::optional<std::int64_t> integer(std::string_view key, bool required = false,
                                      std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX);
  std::optional<double> number(std::string_view key, bool required = false, double min = -1e300,
                               double max = 1e300);
  std::optional<Quantity> quantity(std::string_view key, bool required = false);
  // A ratio in [0, 1], written as a number or a string ("0.95").
  std::optional<double> ratio(std::string_view key, bool required = false);
  std::optional<Duration> duration(std::string_view key, bool required = false);
  std::optional<double> bandwidth(std::string_view key, bool required = false);
  // One of `allowed` (case-sensitive); the error lists them.
  std::optional<std::string> one_of(std::string_view key,
                                    std::initializer_list<std::string_view> allowed,
                                    bool required = false);
  std::map<std::string, std::string> string_map(std::string_view key);
  std::vector<std::string> string_list(std::string_view key);

  // Calls fn(item) for each element of the sequence at `key` (path "key[i]").
  // Reports an error when the value is not a sequence. Returns the element count.
  int each(std::string_view key, const std::function<void(YamlCursor&)>& fn, bool required = false);
  // Calls fn(name, value) for each entry of this mapping (REQUIRES: a
  // mapping), marking the keys known. A key that is not a plain name, or an
  // entry without a value, is an error naming it (`what` says what a value
  // should be) and is skipped.
  void each_entry(std::string_view what,
                  const std::function<void(const std::string&, YamlCursor&)>& fn);

  // The scalar text of this node itself (error when not a scalar).
  std::optional<std::string> scalar(std::string_view what = "a string");

  // Marks keys as known without reading them (accepted, not modeled).
  void accept(std::initializer_list<std::string_view> keys);
  void accept(const std::vector<std::string_view>& keys);
  // Reports every key that was neither read nor accepted: an error when
  // strict, else a warning; each names the closest known key if one is near.
  void finish_unknown(std::string_view context = "");

  void error(const std::string& field, const std::string& message) const;
  void warning(const std::string& field, const std::string& message) const;
  std::string field_path(std::string_view key) const;

 private:
  std::optional<YamlCursor> scalar_child(std::string_view key, bool required, const char* expected);
  YAML::Node node_;
  std::string path_;
  std::shared_ptr<const std::string> file_;
  Diagnostics* diags_;
  std::set<std::string, std::less<>> known_;
  bool strict_ = false;
};

// Parses every document in `text`. Syntax errors (tabs, unterminated quotes,
// truncated flow collections) become one error with the parser's position.
// Empty input is an error ("expected at least one YAML document").
std::vector<YAML::Node> parse_yaml_documents(std::string_view text, const std::string& file,
                                             Diagnostics& diags);

// Reads a whole file; NotFound/Io errors name the path.
Result<std::string> read_text_file(const std::string& path);

}  // namespace aqueduct::core
