#include "aqueduct/core/yaml/yaml_reader.h"

#include "aqueduct/core/text/suggest.h"
#include "aqueduct/core/yaml/input_limits.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace aqueduct::core {
namespace {

std::string describe(const YAML::Node& n) {
  if (!n || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  return "\"" + n.Scalar() + "\"";
}

}  // namespace

YamlCursor::YamlCursor(YAML::Node node, std::string path, std::shared_ptr<const std::string> file,
                       Diagnostics* diags, bool strict)
    : node_(std::move(node)),
      path_(std::move(path)),
      file_(std::move(file)),
      diags_(diags),
      strict_(strict) {}

SourcePos YamlCursor::pos() const {
  SourcePos p;
  p.file = *file_;
  if (node_) {
    auto m = node_.Mark();
    if (m.line >= 0) {
      p.line = m.line + 1;
      p.column = m.column + 1;
    }
  }
  return p;
}

std::string YamlCursor::field_path(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  if (key.empty()) return path_;
  return path_ + "." + std::string(key);
}

void YamlCursor::error(const std::string& field, const std::string& message) const {
  diags_->error(pos(), field.empty() ? path_ : field, message);
}
void YamlCursor::warning(const std::string& field, const std::string& message) const {
  diags_->warning(pos(), field.empty() ? path_ : field, message);
}

bool YamlCursor::expect_map(std::string_view what) {
  if (node_.IsMap()) return true;
  error(path_, "expected " + std::string(what) + ", got " + describe(node_));
  return false;
}

bool YamlCursor::has(std::string_view key) const {
  if (!node_.IsMap()) return false;
  const YAML::Node& cn = node_;  // const lookup never inserts
  auto c = cn[std::string(key)];
  return c && !c.IsNull();
}

std::optional<YamlCursor> YamlCursor::child(std::string_view key, bool required) {
  known_.insert(std::string(key));
  if (!node_.IsMap()) {
    if (required) error(field_path(key), "missing required field (parent is not a mapping)");
    return std::nullopt;
  }
  const YAML::Node& cn = node_;
  YAML::Node c = cn[std::string(key)];
  if (!c || c.IsNull()) {
    if (required) error(field_path(key), "missing required field");
    return std::nullopt;
  }
  return YamlCursor(c, field_path(key), file_, diags_, strict_);
}

std::optional<YamlCursor> YamlCursor::scalar_child(std::string_view key, bool required,
                                                   const char* expected) {
  auto c = child(key, required);
  if (!c) return std::nullopt;
  if (!c->node_.IsScalar()) {
    c->error("", std::string("expected ") + expected + ", got " + describe(c->node_));
    return std::nullopt;
  }
  return c;
}

std::optional<std::string> YamlCursor::scalar(std::string_view what) {
  if (!node_.IsScalar()) {
    error("", "expected " + std::string(what) + ", got " + describe(node_));
    return std::nullopt;
  }
  return node_.Scalar();
}

std::optional<std::string> YamlCursor::str(std::string_view key, bool required) {
  auto c = scalar_child(key, required, "a string");
  if (!c) return std::nullopt;
  return c->node_.Scalar();
}

std::optional<bool> YamlCursor::boolean(std::string_view key, bool required) {
  auto c = scalar_child(key, required, "true or false");
  if (!c) return std::nullopt;
  const std::string& s = c->node_.Scalar();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  c->error("", "expected true or false, got \"" + s + "\"");
  return std::nullopt;
}

std::optional<std::int64_t> YamlCursor::integer(std::string_view key, bool required,
                                                std::int64_t min, std::int64_t max) {
  auto c = scalar_child(key, required, "an integer");
  if (!c) return std::nullopt;
  const std::string& s = c->node_.Scalar();
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    c->error("", "expected an integer, got \"" + s + "\"");
    return std::nullopt;
  }
  if (v < min || v > max) {
    c->error("", "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                     "], got " + s);
    return std::nullopt;
  }
  return v;
}

std::optional<double> YamlCursor::number(std::string_view key, bool required, double min,
                                         double max) {
  auto c = scalar_child(key, required, "a number");
  if (!c) return std::nullopt;
  const std::string& s = c->node_.Scalar();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) {
    c->error("", "expected a number, got \"" + s + "\"");
    return std::nullopt;
  }
  if (v < min || v > max) {
    std::ostringstream os;
    os << "expected a number in [" << min << ", " << max << "], got " << s;
    c->error("", os.str());
    return std::nullopt;
  }
  return v;
}

std::optional<Quantity> YamlCursor::quantity(std::string_view key, bool required) {
  auto c = scalar_child(key, required, "a Kubernetes quantity such as 4Gi");
  if (!c) return std::nullopt;
  auto q = parse_quantity(c->node_.Scalar());
  if (!q.ok()) {
    c->error("", q.status().message());
    return std::nullopt;
  }
  return *q;
}

std::optional<double> YamlCursor::ratio(std::string_view key, bool required) {
  return number(key, required, 0.0, 1.0);
}

std::optional<Duration> YamlCursor::duration(std::string_view key, bool required) {
  auto c = scalar_child(key, required, "a duration such as 90s");
  if (!c) return std::nullopt;
  auto d = parse_duration(c->node_.Scalar());
  if (!d.ok()) {
    c->error("", d.status().message());
    return std::nullopt;
  }
  return *d;
}

std::optional<double> YamlCursor::bandwidth(std::string_view key, bool required) {
  auto c = scalar_child(key, required, "a bandwidth such as 1GiB/s");
  if (!c) return std::nullopt;
  auto b = parse_bandwidth(c->node_.Scalar());
  if (!b.ok()) {
    c->error("", b.status().message());
    return std::nullopt;
  }
  if (!(*b >= 0) || !std::isfinite(*b)) {
    c->error("", "expected a bandwidth >= 0, got \"" + c->node_.Scalar() + "\"");
    return std::nullopt;
  }
  return *b;
}

std::optional<std::string> YamlCursor::one_of(std::string_view key,
                                              std::initializer_list<std::string_view> allowed,
                                              bool required) {
  auto c = scalar_child(key, required, "a string");
  if (!c) return std::nullopt;
  const std::string& s = c->node_.Scalar();
  std::string list;
  std::vector<std::string> names;
  for (auto a : allowed) {
    if (s == a) return s;
    list += (list.empty() ? "" : ", ") + std::string(a);
    names.emplace_back(a);
  }
  c->error("", "expected one of " + list + ", got \"" + s + "\"" + did_you_mean(s, names));
  return std::nullopt;
}

std::map<std::string, std::string> YamlCursor::string_map(std::string_view key) {
  std::map<std::string, std::string> out;
  auto c = child(key);
  if (!c) return out;
  if (!c->node_.IsMap()) {
    c->error("", "expected a mapping of strings, got " + describe(c->node_));
    return out;
  }
  for (auto it = c->node_.begin(); it != c->node_.end(); ++it) {
    std::string k = it->first.Scalar();
    if (!it->second.IsScalar() && !it->second.IsNull()) {
      YamlCursor v(it->second, c->field_path(k), file_, diags_, strict_);
      v.error("", "expected a string value, got " + describe(it->second));
      continue;
    }
    out[k] = it->second.IsNull() ? "" : it->second.Scalar();
  }
  return out;
}

std::vector<std::string> YamlCursor::string_list(std::string_view key) {
  std::vector<std::string> out;
  each(key, [&](YamlCursor& item) {
    if (auto s = item.scalar()) out.push_back(*s);
  });
  return out;
}

void YamlCursor::each_entry(std::string_view what,
                            const std::function<void(const std::string&, YamlCursor&)>& fn) {
  if (!node_.IsMap()) return;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (!it->first.IsScalar()) {
      YamlCursor(it->first, path_, file_, diags_, strict_)
          .error(path_, "expected names as keys, got " + describe(it->first));
      continue;
    }
    const std::string name = it->first.Scalar();
    known_.insert(name);
    if (!it->second || it->second.IsNull()) {
      YamlCursor(it->first, field_path(name), file_, diags_, strict_)
          .error("", "expected " + std::string(what) + ", got nothing");
      continue;
    }
    YamlCursor c(it->second, field_path(name), file_, diags_, strict_);
    fn(name, c);
  }
}

int YamlCursor::each(std::string_view key, const std::function<void(YamlCursor&)>& fn,
                     bool required) {
  auto c = child(key, required);
  if (!c) return 0;
  if (!c->node_.IsSequence()) {
    c->error("", "expected a list, got " + describe(c->node_));
    return 0;
  }
  int i = 0;
  for (auto it = c->node_.begin(); it != c->node_.end(); ++it, ++i) {
    YamlCursor item(*it, c->path_ + "[" + std::to_string(i) + "]", file_, diags_, strict_);
    fn(item);
  }
  return i;
}

void YamlCursor::accept(std::initializer_list<std::string_view> keys) {
  for (auto k : keys) known_.insert(std::string(k));
}

void YamlCursor::accept(const std::vector<std::string_view>& keys) {
  for (auto k : keys) known_.insert(std::string(k));
}

void YamlCursor::finish_unknown(std::string_view context) {
  if (!node_.IsMap()) return;
  std::vector<std::string> known(known_.begin(), known_.end());
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string k = it->first.Scalar();
    if (known_.count(k)) continue;
    YamlCursor kc(it->first, field_path(k), file_, diags_, strict_);
    std::string msg = strict_ ? "unknown field" : "unknown field, ignored";
    if (!context.empty()) msg += " (not part of " + std::string(context) + ")";
    msg += did_you_mean(k, known);
    if (strict_) {
      kc.error("", msg);
    } else {
      kc.warning("", msg);
    }
  }
}

std::vector<YAML::Node> parse_yaml_documents(std::string_view text, const std::string& file,
                                             Diagnostics& diags) {
  std::vector<YAML::Node> docs;
  bool blank = true;
  for (char ch : text) {
    if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t') {
      blank = false;
      break;
    }
  }
  if (blank) {
    diags.error(SourcePos{file, 1, 1}, "", "file is empty: expected at least one YAML document");
    return docs;
  }
  try {
    if (auto loop = find_yaml_parser_loop(text)) {
      diags.error(SourcePos{file, loop->line, 1}, "", "YAML syntax error: " + loop->what);
      return docs;
    }
    std::vector<YAML::Node> all = YAML::LoadAll(std::string(text));
    for (auto& d : all) {
      if (!d || d.IsNull()) continue;
      if (auto v = find_yaml_limit_violation(d)) {
        diags.error(SourcePos{file, v->line, 1}, "", v->what);
        docs.clear();
        return docs;
      }
      docs.push_back(d);
    }
  } catch (const YAML::Exception& e) {
    SourcePos p{file, e.mark.line + 1, e.mark.column + 1};
    std::string msg = "YAML syntax error: " + yaml_error_message(e);
    // Tabs are the most common cause of "cannot start any token".
    std::size_t line_start = 0;
    int line = 0;
    for (std::size_t i = 0; i < text.size() && line < e.mark.line; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    if (line_start < text.size() && text[line_start] == '\t') {
      msg += " (the line is indented with a tab; YAML requires spaces)";
    } else if (text.find('\t') != std::string_view::npos &&
               e.msg.find("token") != std::string::npos) {
      msg += " (the file contains tab characters; YAML indentation must use spaces)";
    }
    if (e.msg.find("EOF") != std::string::npos) {
      if (msg.find("tab") == std::string::npos) msg += " (the file ends early: is it truncated?)";
    }
    diags.error(p, "", msg);
    docs.clear();
    return docs;
  }
  if (docs.empty()) {
    diags.error(SourcePos{file, 1, 1}, "", "file has no YAML documents (only comments or '---')");
  }
  return docs;
}

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open file (does it exist and is it readable?)");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return io_error(path + ": read error");
  return ss.str();
}

}  // namespace aqueduct::core
