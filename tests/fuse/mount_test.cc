// The real FUSE mount, where the machine allows it (skipped, with the reason,
// where /dev/fuse or the mount permission is missing). ctest runs this binary
// in its own mount namespace (unshare -m), so a crash leaves no mount behind.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "aqueduct/fuse/mount.h"
#include "aqueduct/fuse/worker.h"
#include "support/temp_dir.h"

namespace aqueduct::fuse {
namespace {

using aqueduct::testing::TempDir;
namespace fs = std::filesystem;

constexpr std::int64_t kBlock = 1 << 20;

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string pread_path(const std::string& path, std::int64_t off, std::size_t len) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return "<open failed: " + std::string(std::strerror(errno)) + ">";
  std::string out(len, '\0');
  std::size_t got = 0;
  while (got < len) {
    ssize_t n = ::pread(fd, out.data() + got, len - got, off + static_cast<off_t>(got));
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

bool is_mountpoint(const std::string& p) {
  struct stat a {
  }, b{};
  if (::stat(p.c_str(), &a) != 0) return false;
  if (::stat((fs::path(p) / "..").c_str(), &b) != 0) return false;
  return a.st_dev != b.st_dev;
}

// A worker, a source folder and a live mount; torn down by --exit-when-done.
class Mounted : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/dev/fuse"))
      GTEST_SKIP() << "no /dev/fuse on this machine: FUSE mount tests skipped";
    fs::create_directories(dir_.file("data/sub"));
    fs::create_directories(dir_.file("mnt"));
    WorkerConfig wc;
    wc.listen = "127.0.0.1:0";
    wc.tiers.push_back({core::MediumType::kMem, "", 32 << 20});
    auto w = Worker::start(wc);
    ASSERT_TRUE(w.ok()) << w.status().to_string();
    worker_ = std::move(*w);
  }
  void Mount() {
    MountConfig mc;
    mc.source = "local://" + dir_.file("data");
    mc.workers = {"127.0.0.1:" + std::to_string(worker_->port())};
    mc.mountpoint = dir_.file("mnt");
    mc.reader.block_size = kBlock;
    mc.reader.worker_timeout = std::chrono::milliseconds(500);
    mc.exit_when_done = dir_.file("done");
    auto ready = std::make_shared<std::promise<void>>();
    auto ready_f = ready->get_future();
    thread_ = std::thread([this, mc, ready] {
      status_ = run_mount(mc, [ready] { ready->set_value(); });
      if (!status_.is_ok()) ready->set_value();
    });
    ready_f.wait();
    if (!status_.is_ok()) {
      thread_.join();
      GTEST_SKIP() << "cannot mount FUSE here (" << status_.message() << "): test skipped";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) {
      dir_.write("done", "");
      thread_.join();
      EXPECT_TRUE(status_.is_ok()) << status_.to_string();
      EXPECT_FALSE(is_mountpoint(dir_.file("mnt"))) << "unmounted at the end";
    }
  }
  std::string mnt(const std::string& rel) const { return dir_.file("mnt/" + rel); }

  TempDir dir_;
  std::unique_ptr<Worker> worker_;
  std::thread thread_;
  core::Status status_;
  bool mounted_ = false;
};

TEST_F(Mounted, EveryByteEqualsTheSource) {
  std::vector<std::pair<std::string, std::int64_t>> files = {
      {"empty", 0},   {"one", 1},           {"bs-1", kBlock - 1},
      {"bs", kBlock}, {"bs+1", kBlock + 1}, {"sub/mid", 5 * kBlock / 2 + 3}};
  std::uint32_t seed = 1;
  for (const auto& [name, size] : files) dir_.write("data/" + name, random_bytes(size, seed++));
  {  // a 2 GiB sparse file with a few islands of data
    int fd = ::open(dir_.file("data/sparse").c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_EQ(::ftruncate(fd, 2LL << 30), 0);
    for (int i = 0; i < 20; ++i) {
      std::string b = random_bytes(8192, 50 + i);
      ASSERT_EQ(::pwrite(fd, b.data(), b.size(),
                         (static_cast<off_t>(i) * 104729 * 997) % ((2LL << 30) - 8192)),
                8192);
    }
    ::close(fd);
    files.push_back({"sparse", 2LL << 30});
  }
  Mount();
  std::set<std::string> listed;
  for (const auto& e : fs::directory_iterator(dir_.file("mnt"))) listed.insert(e.path().filename());
  EXPECT_EQ(listed, (std::set<std::string>{"bs", "bs+1", "bs-1", "empty", "one", "sparse", "sub"}));
  std::mt19937_64 rng(3);
  for (const auto& [name, size] : files) {
    EXPECT_EQ(fs::file_size(mnt(name)), static_cast<std::uintmax_t>(size)) << name;
    for (int i = 0; i < 25; ++i) {
      std::int64_t off =
          size ? static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(size + 5)) : 0;
      std::size_t len = 1 + rng() % (2 * kBlock);
      ASSERT_EQ(pread_path(mnt(name), off, len), pread_path(dir_.file("data/" + name), off, len))
          << name << " @" << off << "+" << len;
    }
  }
}

TEST_F(Mounted, EightConcurrentReaders) {
  for (int f = 0; f < 4; ++f)
    dir_.write("data/f" + std::to_string(f), random_bytes(4 * kBlock + f, f));
  Mount();
  std::atomic<int> bad{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      for (int i = 0; i < 30; ++i) {
        std::string name = "f" + std::to_string(rng() % 4);
        std::int64_t off = static_cast<std::int64_t>(rng() % (4 * kBlock));
        std::size_t len = 1 + rng() % kBlock;
        if (pread_path(mnt(name), off, len) != pread_path(dir_.file("data/" + name), off, len))
          ++bad;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(bad, 0);
}

TEST_F(Mounted, WritesAreRefused) {
  dir_.write("data/a", "abc");
  Mount();
  errno = 0;
  EXPECT_LT(::open(mnt("a").c_str(), O_WRONLY), 0);
  EXPECT_EQ(errno, EROFS);
  EXPECT_LT(::open(mnt("new").c_str(), O_CREAT | O_WRONLY, 0644), 0);
  EXPECT_EQ(errno, EROFS);
  EXPECT_NE(::mkdir(mnt("d").c_str(), 0755), 0);
  EXPECT_EQ(errno, EROFS);
  EXPECT_NE(::unlink(mnt("a").c_str()), 0);
  EXPECT_EQ(pread_path(mnt("a"), 0, 10), "abc") << "nothing changed";
}

TEST_F(Mounted, WorkerKilledInTheMiddleOfALargeRead) {
  std::string data = random_bytes(12 * kBlock, 21);
  dir_.write("data/large", data);
  Mount();
  int fd = ::open(mnt("large").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::string out(data.size(), '\0');
  ASSERT_EQ(::pread(fd, out.data(), data.size() / 2, 0), static_cast<ssize_t>(data.size() / 2));
  worker_->stop();
  std::size_t got = data.size() / 2;
  while (got < data.size()) {
    ssize_t n = ::pread(fd, out.data() + got, data.size() - got, static_cast<off_t>(got));
    ASSERT_GT(n, 0) << std::strerror(errno);
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  EXPECT_EQ(out, data);
}

#ifdef AQ_BINARY
// `aqueduct fuse mount` in a child process; the pid once the mount is live,
// or -1 (child reaped) when this machine cannot mount.
pid_t spawn_mount(const std::string& src, const std::string& mp) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(AQ_BINARY, "aqueduct", "fuse", "mount", "--source", src.c_str(), mp.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 100 && !is_mountpoint(mp); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!is_mountpoint(mp)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
  }
  return pid;
}

TEST(MountRecover, ACrashedMountIsClearedAndMountedAgain) {
  if (!fs::exists("/dev/fuse")) GTEST_SKIP() << "no /dev/fuse on this machine";
  TempDir dir;
  fs::create_directories(dir.file("data"));
  fs::create_directories(dir.file("mnt"));
  dir.write("data/a", "recovered");
  const std::string src = "local://" + dir.file("data"), mp = dir.file("mnt");
  pid_t pid = spawn_mount(src, mp);
  if (pid < 0) GTEST_SKIP() << "cannot mount FUSE here: test skipped";
  ::kill(pid, SIGKILL);  // a crash: the mount stays, its server is gone
  ::waitpid(pid, nullptr, 0);
  ASSERT_TRUE(is_dead_mount(mp));
  MountConfig mc;
  mc.source = src;
  mc.mountpoint = mp;
  mc.recover = true;
  mc.exit_when_done = dir.file("done");
  core::Status st;
  std::promise<void> ready;
  std::thread t([&] { st = run_mount(mc, [&] { ready.set_value(); }); });
  ASSERT_EQ(ready.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(pread_path(mp + "/a", 0, 100), "recovered") << "new opens work again";
  dir.write("done", "");
  t.join();
  EXPECT_TRUE(st.is_ok()) << st.to_string();
}

TEST(MountSignals, SigtermUnmountsCleanly) {
  if (!fs::exists("/dev/fuse")) GTEST_SKIP() << "no /dev/fuse on this machine";
  TempDir dir;
  fs::create_directories(dir.file("data"));
  fs::create_directories(dir.file("mnt"));
  dir.write("data/a", "x");
  const std::string src = "local://" + dir.file("data"), mp = dir.file("mnt");
  pid_t pid = spawn_mount(src, mp);
  if (pid < 0) GTEST_SKIP() << "cannot mount FUSE here: test skipped";
  EXPECT_EQ(pread_path(mp + "/a", 0, 10), "x");
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_FALSE(is_mountpoint(mp));
  EXPECT_FALSE(is_dead_mount(mp));
}
#endif

}  // namespace
}  // namespace aqueduct::fuse
