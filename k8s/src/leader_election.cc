#include "aqueduct/k8s/leader_election.h"

#include <unistd.h>

#include <ctime>
#include <iostream>

namespace aqueduct::k8s {

std::string micro_time_now() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - secs).count();
  std::time_t t = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%06lldZ", buf, static_cast<long long>(micros));
  return out;
}

std::string time_now() { return micro_time_now().substr(0, 19) + "Z"; }

LeaderElector::LeaderElector(ApiClient& client, LeaderElectionConfig config, Callbacks callbacks)
    : client_(client), config_(std::move(config)), callbacks_(std::move(callbacks)) {
  if (config_.identity.empty()) {
    char host[256] = {0};
    ::gethostname(host, sizeof host - 1);
    config_.identity = std::string(host) + "_" + std::to_string(::getpid());
  }
}

LeaderElector::~LeaderElector() { stop(); }

void LeaderElector::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void LeaderElector::stop() {
  stopping_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LeaderElector::wait(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, d, [&] { return stopping_.load(); });
}

void LeaderElector::report(const core::Status& st) {
  // Once per distinct problem, not every retry period.
  if (st.message() == last_error_) return;
  last_error_ = st.message();
  client_.log().warn("lease " + config_.lease_namespace + "/" + config_.lease_name + ": " +
                     st.message() + " (retrying)");
}

bool LeaderElector::try_acquire_or_renew() {
  const ResourceType& leases = resources::leases();
  const std::string path = leases.object(config_.lease_namespace, config_.lease_name);
  const auto now = std::chrono::steady_clock::now();
  const std::string stamp = micro_time_now();
  const long duration_s = std::max<long>(
      1, static_cast<long>(
             std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count()));
  auto got = client_.get(path);
  if (!got.ok()) {
    if (got.status().code() != core::StatusCode::kNotFound) {
      report(got.status());
      return false;
    }
    Json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}},
        {"spec",
         {{"holderIdentity", config_.identity},
          {"leaseDurationSeconds", duration_s},
          {"acquireTime", stamp},
          {"renewTime", stamp},
          {"leaseTransitions", 0}}}};
    auto made = client_.create(leases.collection(config_.lease_namespace), lease);
    if (!made.ok()) {
      // AlreadyExists: someone else created it first. Anything else (a
      // missing namespace, no permission) would block us for good: say so.
      if (made.status().code() != core::StatusCode::kAlreadyExists) report(made.status());
      return false;
    }
    observed_holder_ = config_.identity;
    observed_renew_ = stamp;
    observed_at_ = now;
    return true;
  }
  Json lease = *got;
  Json& spec = lease["spec"];
  if (!spec.is_object()) spec = Json::object();
  const std::string holder = spec.value("holderIdentity", "");
  const std::string renew = spec.value("renewTime", "");
  if (holder != observed_holder_ || renew != observed_renew_) {
    observed_holder_ = holder;
    observed_renew_ = renew;
    observed_at_ = now;
  }
  const bool mine = holder == config_.identity;
  const bool expired = holder.empty() || now - observed_at_ >= config_.lease_duration;
  if (!mine && !expired) return false;
  spec["holderIdentity"] = config_.identity;
  spec["leaseDurationSeconds"] = duration_s;
  spec["renewTime"] = stamp;
  if (!mine) {
    spec["acquireTime"] = stamp;
    spec["leaseTransitions"] = spec.value("leaseTransitions", 0) + 1;
  }
  // The resourceVersion read makes this a compare-and-swap.
  auto put = client_.replace(path, lease);
  if (!put.ok()) {
    if (put.status().code() != core::StatusCode::kAborted) report(put.status());
    return false;
  }
  observed_holder_ = config_.identity;
  observed_renew_ = stamp;
  observed_at_ = now;
  return true;
}

void LeaderElector::run() {
  while (!stopping_) {
    // Candidate: try every retry period.
    while (!stopping_ && !try_acquire_or_renew()) {
      if (!wait(config_.retry_period)) return;
    }
    if (stopping_) return;
    leading_ = true;
    last_error_.clear();
    client_.log().info(config_.identity + " leads " + config_.lease_namespace + "/" +
                       config_.lease_name);
    if (callbacks_.started_leading) callbacks_.started_leading();
    // Leader: renew every retry period; step down past the renew deadline.
    auto last_renew = std::chrono::steady_clock::now();
    while (!stopping_) {
      if (!wait(config_.retry_period)) break;
      if (try_acquire_or_renew()) {
        last_renew = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - last_renew >= config_.renew_deadline) {
        client_.log().warn(config_.identity + " could not renew the lease; stepping down");
        break;
      }
    }
    leading_ = false;
    if (callbacks_.stopped_leading) callbacks_.stopped_leading();
    if (stopping_ && config_.release_on_stop) {
      const std::string path =
          resources::leases().object(config_.lease_namespace, config_.lease_name);
      (void)client_.update(path, [&](Json& l) {
        if (l["spec"].value("holderIdentity", "") != config_.identity) {
          return core::failed_precondition("no longer the holder");
        }
        l["spec"]["holderIdentity"] = "";
        l["spec"]["renewTime"] = micro_time_now();
        return core::Status::ok();
      });
    }
  }
}

}  // namespace aqueduct::k8s
