#include "aqueduct/core/yaml/yaml_json.h"

#include "aqueduct/core/yaml/input_limits.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <regex>

namespace aqueduct::core {
namespace {

using Json = nlohmann::ordered_json;

bool is_null_word(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool is_bool_word(const std::string& s, bool& value) {
  if (s == "true" || s == "True" || s == "TRUE") return value = true, true;
  if (s == "false" || s == "False" || s == "FALSE") return value = false, true;
  return false;
}

bool is_int(const std::string& s, std::int64_t& value) {
  static const std::regex re("[-+]?[0-9]+");
  if (!std::regex_match(s, re)) return false;
  const char* b = s.data() + (s[0] == '+' ? 1 : 0);
  auto [p, ec] = std::from_chars(b, s.data() + s.size(), value);
  return ec == std::errc() && p == s.data() + s.size();
}

bool is_float(const std::string& s, double& value) {
  static const std::regex re("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (!std::regex_match(s, re)) return false;
  value = std::strtod(s.c_str(), nullptr);
  return std::isfinite(value);
}

Json scalar_json(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted: always a string
  if (n.Tag() == "tag:yaml.org,2002:str") return s;
  bool b;
  std::int64_t i;
  double d;
  if (is_null_word(s)) return nullptr;
  if (is_bool_word(s, b)) return b;
  if (is_int(s, i)) return i;
  if (is_float(s, d)) return d;
  return s;
}

Result<Json> to_json(const YAML::Node& n, const std::string& file) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      Json o = Json::object();
      for (auto it = n.begin(); it != n.end(); ++it) {
        if (!it->first.IsScalar()) {
          return invalid_argument(file + ":" + std::to_string(it->first.Mark().line + 1) +
                                  ": a mapping key must be a string");
        }
        AQ_ASSIGN_OR_RETURN(Json v, to_json(it->second, file));
        o[it->first.Scalar()] = std::move(v);
      }
      return o;
    }
    case YAML::NodeType::Sequence: {
      Json a = Json::array();
      for (const auto& item : n) {
        AQ_ASSIGN_OR_RETURN(Json v, to_json(item, file));
        a.push_back(std::move(v));
      }
      return a;
    }
    case YAML::NodeType::Scalar:
      return scalar_json(n);
    default:
      return Json(nullptr);
  }
}

// True when `s` written plain would read back as something other than this string.
bool needs_quotes(const std::string& s) {
  bool b;
  std::int64_t i;
  double d;
  if (is_null_word(s) || is_bool_word(s, b) || is_int(s, i) || is_float(s, d)) return true;
  static const std::regex yaml11("(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)");
  return std::regex_match(s, yaml11);
}

void emit(YAML::Emitter& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::object:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        break;
      }
      out << YAML::BeginMap;
      for (const auto& [k, v] : j.items()) {
        out << YAML::Key;
        if (needs_quotes(k)) out << YAML::DoubleQuoted;
        out << k << YAML::Value;
        emit(out, v);
      }
      out << YAML::EndMap;
      break;
    case Json::value_t::array:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        break;
      }
      out << YAML::BeginSeq;
      for (const auto& v : j) emit(out, v);
      out << YAML::EndSeq;
      break;
    case Json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      // Multi-line strings are double-quoted with escapes: yaml-cpp's literal
      // blocks would add a trailing newline.
      if (needs_quotes(s) || s.find('\n') != std::string::npos) out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case Json::value_t::null:
      out << YAML::Null;
      break;
    default:
      out << j.dump();
  }
}

}  // namespace

Result<std::vector<nlohmann::ordered_json>> parse_yaml_documents_as_json(std::string_view text,
                                                                         const std::string& file) {
  std::vector<YAML::Node> docs;
  try {
    if (auto loop = find_yaml_parser_loop(text)) {
      return invalid_argument(file + ":" + std::to_string(loop->line) + ": " + loop->what);
    }
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return invalid_argument(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                            std::to_string(e.mark.column + 1) + ": " + yaml_error_message(e));
  }
  std::vector<nlohmann::ordered_json> out;
  for (const auto& d : docs) {
    if (!d || d.IsNull()) continue;
    AQ_RETURN_IF_ERROR(check_yaml_limits(d, file));
    AQ_ASSIGN_OR_RETURN(Json j, to_json(d, file));
    out.push_back(std::move(j));
  }
  return out;
}

std::string json_to_yaml_text(const nlohmann::ordered_json& doc) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  out.SetMapFormat(YAML::Block);
  out.SetNullFormat(YAML::LowerNull);
  emit(out, doc);
  return std::string(out.c_str()) + "\n";
}

}  // namespace aqueduct::core
