// FlowNetwork: the simulator's data path at flow level. Every transfer is a
// flow of a number of bytes over the resources it crosses (a source medium,
// NICs out and in, a zone link), each a capacity in bytes/s, plus a cap of
// its own (a per-connection limit). Rates are the max-min fair allocation
// (progressive filling, the model of SimGrid's LMM solver without weights):
// re-solved whenever a flow starts or ends, for the connected component of
// flows that share a finite resource with it, so the work of an event never
// grows with flows elsewhere in the cluster.
//
// Flows with the same path and cap always get the same rate, so they travel
// as one bundle: the solver sees a bundle once, with its flow count as its
// weight, and the bundle's flows progress together on one virtual clock
// (bytes moved per flow), each finishing when the clock passes its target.
// A job's loaders reading through the same worker to the same node are one
// bundle, so a solve costs the distinct paths, not the flows. Completion
// times are re-planned only for bundles whose rate or membership changed;
// the network keeps one simulator timer, at its earliest completion.
//
// Bundles that progressive filling fixes at a resource's fair share form
// that resource's class: they all move at the resource's level, so their
// progress is one virtual clock per resource, and the class keeps one
// completion entry for all of them. A flow that joins or leaves a shared
// bottleneck changes the level: one re-plan, not one per bundle.
//
// A resource couples flows only when it could be saturated: when the sum of
// its flows' upper bounds (each flow's cap, or the smallest capacity on its
// path) exceeds its capacity. Other resources (infinite ones, a NIC that
// only capped store reads cross) can never bind, so the solver skips them and
// they never join components. When a resource stops being able to saturate,
// the flows it may have held are re-solved once.
// Deterministic: ties are broken by resource and bundle ids.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <queue>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "aqueduct/core/status.h"
#include "aqueduct/core/time.h"
#include "aqueduct/sim/simulator.h"

namespace aqueduct::sim {

class FlowNetwork {
 public:
  using ResourceId = std::uint32_t;
  using FlowId = std::uint32_t;
  static constexpr double kUnlimited = std::numeric_limits<double>::infinity();
  static constexpr std::size_t kMaxPath = 6;
  // Called when a flow has moved all its bytes, with the tag given at start.
  using DoneHandler = std::function<void(std::uint64_t tag)>;

  explicit FlowNetwork(Simulator* sim) : sim_(sim) {}
  FlowNetwork(const FlowNetwork&) = delete;
  FlowNetwork& operator=(const FlowNetwork&) = delete;

  void set_done_handler(DoneHandler h) { done_ = std::move(h); }

  // A resource of `capacity` bytes/s (> 0; kUnlimited allowed).
  ResourceId add_resource(double capacity);
  // Changes a capacity (e.g. a worker removed); running flows are re-shared.
  void set_capacity(ResourceId r, double capacity);
  double capacity(ResourceId r) const { return res_[r].capacity; }

  // Starts a flow of `bytes` (> 0) over `path` (at most kMaxPath resources,
  // no repeats) limited to `cap` bytes/s of its own. A flow whose path and cap
  // are all unlimited completes at once (at the current time). Flows started
  // at the same instant are re-solved together, once, by an event at that
  // instant (no time passes in between, so no byte moves at a stale rate).
  core::Result<FlowId> start(std::span<const ResourceId> path, double bytes, double cap,
                             std::uint64_t tag);
  // Ends a flow early (its bytes are abandoned); no done callback.
  void abort(FlowId f);

  // Queries see the allocation with every flow started so far (they apply
  // pending starts first).
  double rate(FlowId f);
  double remaining(FlowId f);
  bool active(FlowId f) const { return f < flows_.size() && flows_[f].active; }
  // Sum of the rates of the flows crossing `r` now.
  double load(ResourceId r);
  std::size_t active_flows() const { return active_count_; }
  std::size_t resource_count() const { return res_.size(); }

  struct Stats {
    std::uint64_t solves = 0;           // component re-solves
    std::uint64_t bundles_touched = 0;  // bundles re-rated over all solves
    std::uint64_t replans = 0;          // completion times re-planned
    std::uint64_t flushes = 0;          // simulator events that re-solved for started flows
  };
  const Stats& stats() {
    flush();
    return stats_;
  }

 private:
  using Path = std::array<ResourceId, kMaxPath>;
  struct Target {
    double at;    // the bundle's clock value at which the flow is done
    FlowId flow;  // (in a class queue: the bundle)
    bool operator>(const Target& o) const { return at != o.at ? at > o.at : flow > o.flow; }
  };
  struct Resource {
    double capacity = 0;
    std::vector<std::uint32_t> bundles;  // active bundles crossing it
    // Solver scratch.
    double left = 0;
    double unfixed = 0;  // flows (bundle weights) not yet fixed
    std::uint64_t mark = 0;
    std::uint64_t touch = 0;
    double bound = 0;  // sum over its flows of their rate's upper bound
    // Its class: the bundles fixed at its fair share, all at `level`.
    double level = 0;
    double vclock = 0;  // bytes per flow moved at `level`, as of `vsince`
    core::Time vsince{0};
    std::uint32_t members = 0;
    std::uint64_t cversion = 0;  // of its planned completion
    // Members' next completions on the class clock (lazy: stale entries stay).
    std::priority_queue<Target, std::vector<Target>, std::greater<>> member_due;
    double new_level = 0;      // solver scratch
    bool class_dirty = false;  // its next completion must be re-planned
  };
  struct Bundle {
    Path path{};
    std::array<std::uint32_t, kMaxPath> slot{};  // index in each resource's list
    std::uint8_t hops = 0;
    double cap = kUnlimited;
    double upper = kUnlimited;  // min(cap, capacities on the path): no rate exceeds it
    std::uint32_t count = 0;    // active flows
    double rate = 0;            // of each flow
    double clock = 0;           // bytes moved per flow, as of `since`
    core::Time since{0};
    std::priority_queue<Target, std::vector<Target>, std::greater<>> targets;  // lazy
    ResourceId cls = 0xffffffffu;      // the resource whose class it is in, if any
    double offset = 0;                 // in a class: clock = the class clock + offset
    double queued = -1;                // in a class: the entry its class queue holds for it
    ResourceId new_cls = 0xffffffffu;  // solver scratch
    bool fixed = false;
    bool dirty = false;  // membership changed: re-plan even at the same rate
    std::uint64_t version = 0;
    std::uint64_t mark = 0;
  };
  struct Flow {
    std::uint32_t bundle = 0;
    double target = 0;
    std::uint64_t tag = 0;
    bool active = false;
  };
  struct Due {
    core::Time at;
    std::uint32_t bundle;
    std::uint64_t version;
    bool operator>(const Due& o) const {
      return at != o.at ? at > o.at
                        : (bundle != o.bundle ? bundle > o.bundle : version > o.version);
    }
  };
  struct KeyHash {
    std::size_t operator()(const std::pair<Path, double>& k) const;
  };

  bool finite(ResourceId r) const { return res_[r].capacity < kUnlimited; }
  // Whether `r` could be saturated by the flows crossing it.
  bool coupling(ResourceId r) const {
    return finite(r) && res_[r].bound > res_[r].capacity * (1 - 1e-9);
  }
  // Adds `delta` flows of bundle `b` to its resources' bounds; resources that
  // could saturate before and cannot now go to `released`.
  void add_bound(std::uint32_t b, double delta, std::vector<ResourceId>* released);
  std::uint32_t bundle_for(std::span<const ResourceId> path, double cap);
  // The bundle's clock at `t` (bytes moved per flow), from its class's clock
  // when it is in one.
  double clock_at(const Bundle& b, core::Time t) const;
  void advance(Bundle& b, core::Time now);
  void advance_class(Resource& r, core::Time now);
  void join_class(std::uint32_t b, ResourceId r);
  void leave_class(Bundle& b);
  // Plans the class's next completion (its earliest member target).
  void plan_class(ResourceId r);
  void mark_class(ResourceId r);
  void plan_marked_classes();
  // Whether a class queue entry is its member's current next completion.
  bool member_entry_valid(ResourceId r, const Target& t);
  // Ends the flows of bundle `b` that are due at `now` (the first one in any
  // case when `force_first`), collecting their tags.
  void finish_due(std::uint32_t b, core::Time now, bool force_first,
                  std::vector<std::uint64_t>& tags, std::vector<std::uint32_t>& changed);
  static constexpr std::uint32_t kClassBit = 0x80000000u;  // Due of a class, not a bundle
  bool due_valid(const Due& d) const;
  void drop_dead_targets(Bundle& b);
  // A bundle whose last flow left leaves its resources and the lookup.
  void retire(std::uint32_t b);
  // Re-solves the component(s) reachable from `seeds` (resources), `extra`
  // bundles and every bundle on a `released` resource.
  void resolve(std::span<const ResourceId> seeds, std::span<const std::uint32_t> extra = {},
               std::span<const ResourceId> released = {});
  void plan(std::uint32_t b);
  // Re-solves for the flows started since the last solve (and re-arms the
  // timer unless the caller will).
  void flush(bool arm = true);
  void arm_timer();
  void on_timer();

  Simulator* sim_;
  DoneHandler done_;
  std::vector<Resource> res_;
  std::vector<Bundle> bundles_;
  std::vector<std::uint32_t> free_bundles_;
  std::unordered_map<std::pair<Path, double>, std::uint32_t, KeyHash> by_key_;
  std::vector<Flow> flows_;
  std::vector<FlowId> free_flows_;
  std::size_t active_count_ = 0;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  core::TimerId timer_{};
  core::Time timer_at_ = core::Time::max();
  std::uint64_t stamp_ = 0;
  std::uint64_t touch_stamp_ = 0;
  Stats stats_;
  // Scratch, reused across solves.
  std::vector<std::uint32_t> comp_bundles_;
  std::vector<ResourceId> comp_res_;
  std::vector<std::pair<double, std::uint32_t>> capped_;
  std::vector<double> old_rate_;
  std::vector<ResourceId> seeds_;
  std::vector<ResourceId> released_;
  std::vector<std::uint32_t> extra_;
  std::vector<ResourceId> old_cls_;
  std::vector<ResourceId> touched_;
  std::vector<ResourceId> pending_seeds_;
  std::vector<std::uint32_t> pending_extra_;
  bool flush_scheduled_ = false;
  std::vector<ResourceId> marked_classes_;
};

}  // namespace aqueduct::sim
