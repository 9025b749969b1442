// SIGINT and SIGTERM for the long-running commands (webhook, extender,
// controller, worker, sim nodes): blocked in every thread, so construct it
// before starting any, then wait() for one.
#pragma once

#include <pthread.h>
#include <signal.h>

namespace aqueduct::cli {

class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  // Blocks until SIGINT or SIGTERM arrives; returns which.
  int wait() const {
    int sig = 0;
    sigwait(&set_, &sig);
    return sig;
  }

 private:
  sigset_t set_;
};

}  // namespace aqueduct::cli
