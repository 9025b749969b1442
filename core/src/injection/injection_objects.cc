#include <string>

#include "aqueduct/core/injection/pod_injection.h"

namespace aqueduct::core {
namespace {

// Where each kind keeps its pod template.
std::vector<std::string> template_path(const std::string& kind) {
  if (kind == "Job" || kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
      kind == "ReplicaSet" || kind == "ReplicationController") {
    return {"spec", "template"};
  }
  if (kind == "CronJob") return {"spec", "jobTemplate", "spec", "template"};
  return {};
}

Status inject_one(Json& obj, const DatasetResolver& resolve, const InjectionOptions& options,
                  const std::string& source, ObjectInjection& out) {
  if (!obj.is_object()) return invalid_argument(source + ": expected an object");
  if (obj.contains("kind") && !obj["kind"].is_string()) {
    return invalid_argument(source + ": kind: expected a string, got " +
                            std::string(obj["kind"].type_name()));
  }
  const std::string kind = obj.value("kind", "");
  if (kind == "Pod") {
    AQ_ASSIGN_OR_RETURN(InjectionResult r, inject_pod(obj, resolve, options, source));
    obj = r.pod;
    out.pods.push_back(std::move(r));
    return Status::ok();
  }
  if (kind == "List") {
    if (!obj.contains("items") || !obj["items"].is_array()) {
      return invalid_argument(source + ": items: expected a list of objects");
    }
    for (std::size_t i = 0; i < obj["items"].size(); ++i) {
      AQ_RETURN_IF_ERROR(inject_one(obj["items"][i], resolve, options,
                                    source + ": items[" + std::to_string(i) + "]", out));
    }
    return Status::ok();
  }
  auto path = template_path(kind);
  if (path.empty()) {
    return invalid_argument(source +
                            ": kind: expected Pod, Job, CronJob, Deployment, "
                            "StatefulSet, DaemonSet, ReplicaSet or List, got \"" +
                            kind + "\"");
  }
  Json* tpl = &obj;
  std::string where;
  for (const auto& key : path) {
    where += (where.empty() ? "" : ".") + key;
    if (!tpl->is_object() || !tpl->contains(key) || !(*tpl)[key].is_object()) {
      return invalid_argument(source + ": " + where + ": expected an object (the " + kind +
                              "'s pod template)");
    }
    tpl = &(*tpl)[key];
  }
  // The template as a Pod in the object's namespace.
  Json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  const bool had_meta = tpl->contains("metadata");
  pod["metadata"] = had_meta ? (*tpl)["metadata"] : Json::object();
  if (!pod["metadata"].is_object()) {
    return invalid_argument(source + ": " + where + ".metadata: expected an object");
  }
  const bool had_ns = pod["metadata"].contains("namespace");
  if (!had_ns && obj.contains("metadata") && obj["metadata"].is_object() &&
      obj["metadata"].contains("namespace")) {
    pod["metadata"]["namespace"] = obj["metadata"]["namespace"];
  }
  if (tpl->contains("spec")) pod["spec"] = (*tpl)["spec"];
  AQ_ASSIGN_OR_RETURN(InjectionResult r, inject_pod(pod, resolve, options, source + ": " + where));
  Json meta = r.pod["metadata"];
  if (!had_ns) meta.erase("namespace");
  if (had_meta || !meta.empty()) (*tpl)["metadata"] = meta;
  (*tpl)["spec"] = r.pod["spec"];
  out.pods.push_back(std::move(r));
  return Status::ok();
}

}  // namespace

Result<ObjectInjection> inject_object(const Json& object, const DatasetResolver& resolve,
                                      const InjectionOptions& options, const std::string& source) {
  ObjectInjection out;
  out.object = object;
  try {
    AQ_RETURN_IF_ERROR(inject_one(out.object, resolve, options, source, out));
  } catch (const Json::exception& e) {
    // The border: a field of an unexpected type is an error, not an exception.
    return invalid_argument(source + ": a field has the wrong type (" + std::string(e.what()) +
                            ")");
  }
  return out;
}

Json check_mount_config_map(std::string_view ns, std::string_view fs_type) {
  // Waits (10 x 3 s) until a mount of `type` shows up under `dir` in the
  // sidecar's mount table and, when given, the dataset's sub path exists.
  // The type is looked for in the mount's file system type and source (the
  // fields after " - " in mountinfo), never in its path: the hostPath bind
  // of `dir` itself has the engine's name in its path.
  static constexpr const char* kScript = R"(#!/bin/bash
# Post-start check of a FUSE sidecar: $1 the directory holding the mount point,
# $2 the mount type, $3 an optional sub path that must exist in the mount.
# MOUNTINFO, CHECK_MOUNT_ATTEMPTS and CHECK_MOUNT_INTERVAL override the mount
# table read (default /proc/self/mountinfo) and the 10 x 3 s of waiting.
set -u
dir="$1"; type="$2"; sub="${3:-}"
[ "$type" = jindo ] && type=/dev/fuse
mounted() {
  local line left right mp fstype source
  while IFS= read -r line; do
    left="${line%% - *}"; right="${line#* - }"
    read -r _ _ _ _ mp _ <<< "$left"
    case "$mp" in "$dir" | "$dir"/*) ;; *) continue ;; esac
    read -r fstype source _ <<< "$right"
    case "$fstype $source" in *"$type"*) return 0 ;; esac
  done < "${MOUNTINFO:-/proc/self/mountinfo}"
  return 1
}
for ((attempt = 1; attempt <= ${CHECK_MOUNT_ATTEMPTS:-10}; attempt++)); do
  if mounted; then
    if [ -n "$sub" ] && ! ls -d "$dir"/*/"$sub" >/dev/null 2>&1; then
      echo "sub path $sub does not exist under $dir"; exit 2
    fi
    echo "mount of type $type ready under $dir"; exit 0
  fi
  sleep "${CHECK_MOUNT_INTERVAL:-3}"
done
echo "timed out waiting for a $type mount under $dir"; exit 1
)";
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", std::string(fs_type) + "-check-mount"}, {"namespace", ns}}},
          {"data", {{"check-mount.sh", kScript}}}};
}

}  // namespace aqueduct::core
