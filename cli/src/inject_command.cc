// `aqueduct inject`: Fluid's pod injection applied offline to manifests, like
// `istioctl kube-inject`: the mutated objects on stdout, one line per pod
// template on stderr saying which profile and plugins applied.
#include <iostream>

#include "aqueduct/core/diagnostics.h"
#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/core/injection/pod_injection.h"
#include "aqueduct/core/yaml/yaml_json.h"
#include "aqueduct/core/yaml/yaml_reader.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"
#include "commands.h"
#include "input_files.h"

namespace aqueduct::cli {

core::Result<core::InjectionOptions> injection_options(const InjectArgs& a) {
  core::InjectionOptions o;
  o.sidecar_mode =
      a.native_sidecar ? core::SidecarMode::kNativeSidecar : core::SidecarMode::kContainer;
  o.serverful_opt_in = a.serverful_opt_in;
  o.arch_affinity = !a.no_arch_affinity;
  if (!a.platform_label.empty()) {
    auto eq = a.platform_label.find('=');
    if (eq == std::string::npos || eq == 0) {
      return core::invalid_argument("--platform-label: expected KEY=VALUE, got \"" +
                                    a.platform_label + "\"");
    }
    o.platform_label_key = a.platform_label.substr(0, eq);
    o.platform_label_value = a.platform_label.substr(eq + 1);
  }
  return o;
}

core::Result<core::DatasetResolver> resolver_from_files(const std::vector<std::string>& paths,
                                                        InputFiles& inputs) {
  core::FluidObjects objs;
  core::Diagnostics diags;
  for (const auto& path : paths) {
    // A file with no documents yet (only comments: an empty ConfigMap) is not an error.
    const std::string f = input_name(path);
    auto text = inputs.read(path);
    if (!text) return text.status();
    auto docs = core::parse_yaml_documents_as_json(*text, f);
    if (docs.ok() && docs->empty()) {
      std::cerr << f << ": warning: no Datasets or runtimes in this file\n";
      continue;
    }
    objs.append(core::load_fluid_yaml(*text, f, diags));
  }
  core::check_references(objs, diags, /*complete=*/false);
  for (const auto& line : diags.report_lines(/*errors_only=*/true)) std::cerr << line << "\n";
  if (diags.has_errors()) return diags.to_status();
  return runtime_adapters::static_dataset_resolver(objs);
}

int run_inject(const InjectArgs& args) {
  auto opts = injection_options(args);
  if (!opts) {
    std::cerr << "aqueduct inject: " << opts.status().message() << "\n";
    return kExitErrors;
  }
  std::vector<std::string> inputs = args.objects;
  inputs.push_back(args.file);
  if (auto st = check_one_stdin(inputs, "-f and --objects"); !st.is_ok()) {
    std::cerr << "aqueduct inject: " << st.message() << "\n";
    return kExitErrors;
  }
  InputFiles files(std::cin);
  auto resolve = resolver_from_files(args.objects, files);
  if (!resolve) {
    std::cerr << "aqueduct inject: " << resolve.status().message() << "\n";
    return kExitErrors;
  }
  const std::string name = input_name(args.file);
  auto text = files.read(args.file);
  if (!text) {
    std::cerr << "aqueduct inject: " << text.status().message() << "\n";
    return kExitErrors;
  }
  auto docs = core::parse_yaml_documents_as_json(*text, name);
  if (!docs) {
    std::cerr << "aqueduct inject: " << docs.status().message() << "\n";
    return kExitErrors;
  }
  if (docs->empty()) {
    std::cerr << "aqueduct inject: " << name << ": no objects in the file\n";
    return kExitErrors;
  }
  std::vector<nlohmann::ordered_json> outs;
  for (std::size_t i = 0; i < docs->size(); ++i) {
    std::string source =
        name + (docs->size() > 1 ? " (document " + std::to_string(i + 1) + ")" : "");
    auto r = core::inject_object((*docs)[i], *resolve, *opts, source);
    if (!r) {
      std::cerr << "aqueduct inject: " << r.status().message() << "\n";
      return kExitErrors;
    }
    const auto& obj = (*docs)[i];
    const bool named = obj.contains("metadata") && obj["metadata"].is_object() &&
                       obj["metadata"].contains("name") && obj["metadata"]["name"].is_string();
    std::string obj_name = named ? obj["metadata"]["name"].get<std::string>() : "";
    for (const auto& p : r->pods) {
      if (args.quiet) break;
      std::cerr << "# " << obj.value("kind", "?") << " " << obj_name << ": " << p.profile;
      if (!p.reason.empty()) std::cerr << " (" << p.reason << ")";
      if (!p.applied.empty()) {
        std::cerr << ":";
        for (const auto& a : p.applied) std::cerr << " " << a;
      }
      std::cerr << "\n";
      for (const auto& w : p.warnings) std::cerr << "# warning: " << w << "\n";
    }
    outs.push_back(std::move(r->object));
  }
  if (args.output == "json") {
    if (outs.size() == 1) {
      std::cout << outs[0].dump(2) << "\n";
    } else {
      nlohmann::ordered_json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", outs}};
      std::cout << list.dump(2) << "\n";
    }
  } else {
    for (std::size_t i = 0; i < outs.size(); ++i) {
      if (i) std::cout << "---\n";
      std::cout << core::json_to_yaml_text(outs[i]);
    }
  }
  return kExitOk;
}

}  // namespace aqueduct::cli
