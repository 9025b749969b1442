#include <fmt/core.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aqueduct/core/fluid/fluid_loader.h"
#include "aqueduct/sim/cluster_file.h"
#include "commands.h"
#include "input_files.h"
#include "output_format.h"

namespace aqueduct::cli {
namespace {

// Pods a workload stamps out: Pod itself, Job parallelism, Deployment and
// StatefulSet replicas, named <workload>-<i>.
std::vector<core::Pod> expand(const core::Workload& w) {
  std::vector<core::Pod> out;
  if (w.kind == "Pod") {
    out.push_back(w.pod_template);
    return out;
  }
  for (std::int32_t i = 0; i < w.replicas; ++i) {
    core::Pod p = w.pod_template;
    p.meta.name = w.meta.name + "-" + std::to_string(i);
    p.meta.namespace_ = w.meta.namespace_;
    out.push_back(std::move(p));
  }
  return out;
}

// "key In a b & key2 Exists": one node selector term.
std::string term_text(const core::NodeSelectorTerm& t) {
  std::string s;
  for (const auto& e : t.match_expressions) {
    s += (s.empty() ? "" : " & ") + e.key + " " + core::selector_op_name(e.op);
    for (const auto& v : e.values) s += " " + v;
  }
  return s;
}

std::string describe_affinity(const core::NodeAffinity& a) {
  std::ostringstream os;
  for (const auto& t : a.required) os << "    required:  " << term_text(t) << "\n";
  for (const auto& p : a.preferred)
    os << "    preferred: " << p.weight << " " << term_text(p.preference) << "\n";
  return os.str();
}

nlohmann::ordered_json affinity_json(const core::NodeAffinity& a) {
  nlohmann::ordered_json required = nlohmann::ordered_json::array();
  for (const auto& t : a.required) required.push_back(term_text(t));
  nlohmann::ordered_json preferred = nlohmann::ordered_json::array();
  for (const auto& p : a.preferred)
    preferred.push_back({{"weight", p.weight}, {"term", term_text(p.preference)}});
  return {{"required", required}, {"preferred", preferred}};
}

// One pod's placement as a row of -o json|yaml|csv: with --explain, the
// affinity Fluid injected and the best nodes' scores per plugin.
nlohmann::ordered_json pod_row(const std::string& key, const core::Workload& w,
                               const core::Pod& pod, const scheduler::GangDecision& d,
                               std::size_t k, const sim::StaticCluster& view,
                               const std::vector<std::string>& plugin_names,
                               const ScheduleArgs& args, const std::string& injection) {
  nlohmann::ordered_json row = {
      {"pod", key},
      {"workload", w.kind + "/" + w.meta.name},
      {"placed", d.placed},
      {"node", d.placed ? nlohmann::ordered_json(view.nodes()[d.nodes[k]].node->meta.name)
                        : nlohmann::ordered_json()},
      {"reason", d.placed ? nlohmann::ordered_json() : nlohmann::ordered_json(d.reason)}};
  if (!args.explain) return row;
  if (injection == "fluid") {
    row["node_affinity"] = affinity_json(pod.node_affinity);
  }
  nlohmann::ordered_json scores = nlohmann::ordered_json::array();
  if (k < d.pods.size()) {
    std::size_t shown = 0;
    for (const auto& ns : d.pods[k].scores) {
      if (shown++ == args.top) break;
      nlohmann::ordered_json s = {{"node", view.nodes()[ns.node].node->meta.name},
                                  {"total", ns.total}};
      for (std::size_t p = 0; p < plugin_names.size(); ++p) s[plugin_names[p]] = ns.by_plugin[p];
      scores.push_back(std::move(s));
    }
  }
  row["scores"] = std::move(scores);
  return row;
}

}  // namespace

int run_schedule(const ScheduleArgs& args) {
  std::vector<std::string> inputs = args.objects;
  inputs.push_back(args.cluster);
  if (auto st = check_one_stdin(inputs, "--cluster and -f"); !st.is_ok()) {
    std::cerr << "aqueduct schedule: " << st.message() << "\n";
    return 2;
  }
  InputFiles files(std::cin);
  core::Diagnostics diags;
  core::Result<sim::ClusterFile> cluster = core::invalid_argument("");
  if (auto text = files.read(args.cluster); text.ok()) {
    cluster = sim::load_cluster_yaml(*text, input_name(args.cluster), diags, {args.lenient});
  } else {
    diags.error(core::SourcePos{input_name(args.cluster), 0, 0}, "", text.status().message());
  }
  core::FluidObjects objects;
  for (const auto& f : args.objects) {
    auto text = files.read(f);
    if (!text.ok()) {
      diags.error(core::SourcePos{input_name(f), 0, 0}, "", text.status().message());
      continue;
    }
    objects.append(core::load_fluid_yaml(*text, input_name(f), diags));
  }
  for (const auto& line : diags.report_lines()) std::cerr << line << "\n";
  if (!cluster.ok() || diags.has_errors()) return 2;
  const OutputFormat format = parse_output_format(args.output);
  const bool table = format == OutputFormat::kTable;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  auto fw = scheduler::Framework::create(cluster->profile, scheduler::builtin_plugins());
  if (!fw.ok()) {
    std::cerr << "error: " << input_name(args.cluster) << ": " << fw.status().message() << "\n";
    return 2;
  }
  const std::string injection = cluster->injection;
  sim::StaticCluster view(std::move(*cluster), objects);
  auto plugin_names = (*fw)->score_plugin_names();
  int unschedulable = 0;
  std::size_t total_pods = 0;
  for (const auto& w : objects.workloads) {
    std::vector<core::Pod> pods = expand(w);
    for (auto& p : pods) {
      if (injection == "fluid") p = view.inject(p);
      view.expect(p);
    }
    total_pods += pods.size();
    std::vector<std::vector<const core::Pod*>> groups;
    if (args.gang) {
      groups.emplace_back();
      for (const auto& p : pods) groups.back().push_back(&p);
    } else {
      for (const auto& p : pods) groups.push_back({&p});
    }
    for (const auto& g : groups) {
      scheduler::GangDecision d;
      const bool prebound = g.size() == 1 && !g[0]->node_name.empty();
      if (prebound) {
        // spec.nodeName: bound as written, not scheduled (as the apiserver
        // and kubelet do); it then counts for the pods after it.
        core::Status s = view.bind(core::object_key(g[0]->meta), g[0]->node_name);
        d.placed = s.is_ok();
        if (d.placed) {
          d.nodes.push_back(view.node_index(g[0]->node_name));
        } else {
          d.reason = "spec.nodeName: " + s.message();
        }
      } else {
        d = (*fw)->place(view, g, args.explain);
      }
      if (d.placed && !prebound) {
        core::Status s = (*fw)->bind(view, view, g, d);
        if (!s.is_ok()) {
          std::cerr << "error: " << s.message() << "\n";
          return 2;
        }
      }
      for (std::size_t k = 0; k < g.size(); ++k) {
        const core::Pod& pod = *g[k];
        std::string key = core::object_key(pod.meta);
        if (!table) {
          rows.push_back(pod_row(key, w, pod, d, k, view, plugin_names, args, injection));
          continue;
        }
        if (d.placed) {
          std::cout << key << " -> " << view.nodes()[d.nodes[k]].node->meta.name << "\n";
        } else {
          std::cout << key << " unschedulable: " << d.reason << "\n";
        }
        if (!args.explain) continue;
        if (injection == "fluid") {
          std::cout << "  node affinity after Fluid injection:\n"
                    << (pod.node_affinity.required.empty() && pod.node_affinity.preferred.empty()
                            ? std::string("    (none)\n")
                            : describe_affinity(pod.node_affinity));
        }
        if (k < d.pods.size() && !d.pods[k].scores.empty()) {
          std::string head = fmt::format("  {:<24} {:>7}", "node", "total");
          for (const auto& n : plugin_names)
            head += fmt::format(" {:>{}}", n, std::max<std::size_t>(n.size(), 5));
          std::cout << head << "\n";
          std::size_t shown = 0;
          for (const auto& ns : d.pods[k].scores) {
            if (shown++ == args.top) break;
            std::string line =
                fmt::format("  {:<24} {:>7}", view.nodes()[ns.node].node->meta.name, ns.total);
            for (std::size_t p = 0; p < plugin_names.size(); ++p) {
              line += fmt::format(" {:>{}}", ns.by_plugin[p],
                                  std::max<std::size_t>(plugin_names[p].size(), 5));
            }
            std::cout << line << "\n";
          }
        }
      }
      if (!d.placed) unschedulable += static_cast<int>(g.size());
    }
  }
  if (!table) write_rows(rows, format, std::cout, {"pod", "workload", "placed", "node", "reason"});
  std::cerr << total_pods << " pod(s): " << total_pods - unschedulable << " placed, "
            << unschedulable << " unschedulable (profile " << (*fw)->profile().name << ")\n";
  return unschedulable > 0 ? 1 : 0;
}

}  // namespace aqueduct::cli
