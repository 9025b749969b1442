// Kubeconfig exec credential plugins: the kubeconfig fields, running a
// plugin (a shell script in a temporary folder), its errors, and the API
// client fetching a new credential on 401 and on expiry against the fake
// API server on 127.0.0.1.
#include "aqueduct/k8s/exec_credential.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>

#include "aqueduct/k8s/api_client.h"
#include "aqueduct/k8s/kubeconfig.h"
#include "support/fake_apiserver.h"
#include "support/temp_dir.h"

namespace aqueduct::k8s {
namespace {

using aqueduct::testing::FakeApiServer;
using aqueduct::testing::read_file;
using aqueduct::testing::TempDir;
using namespace std::chrono_literals;

// A plugin that counts its runs in $DIR/count, keeps KUBERNETES_EXEC_INFO
// and its arguments in $DIR/info and $DIR/args, and answers `answer` with
// %N replaced by the run's number.
std::string plugin(TempDir& dir, const std::string& answer) {
  std::string a = answer;
  for (std::size_t i; (i = a.find("%N")) != std::string::npos;) a.replace(i, 2, "$n");
  const std::string path = dir.write("plugin.sh",
                                     "#!/bin/sh\n"
                                     "n=$(cat \"$DIR/count\" 2>/dev/null || echo 0)\n"
                                     "n=$((n+1)); echo $n > \"$DIR/count\"\n"
                                     "printf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$DIR/info\"\n"
                                     "echo \"$@\" > \"$DIR/args\"\n"
                                     "cat <<EOF\n" +
                                         a + "\nEOF\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

ExecPlugin exec_of(TempDir& dir, const std::string& command) {
  ExecPlugin p;
  p.api_version = "client.authentication.k8s.io/v1";
  p.command = command;
  p.args = {"token", "--cluster", "demo"};
  p.env = {{"DIR", dir.path().string()}};
  p.where = "kubeconfig: users[eks].user.exec";
  return p;
}

constexpr const char* kToken =
    R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
    R"("status":{"token":"t%N"}})";

TEST(ExecCredential, RunsThePluginWithItsArgumentsEnvironmentAndExecInfo) {
  TempDir dir;
  ExecPlugin p = exec_of(dir, plugin(dir, kToken));
  p.provide_cluster_info = true;
  auto c = run_exec_plugin(p, "https://10.0.0.1:6443", "CA");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->token, "t1");
  EXPECT_FALSE(c->expires.has_value());
  EXPECT_EQ(read_file(dir.file("args")), "token --cluster demo\n");
  auto info = nlohmann::json::parse(read_file(dir.file("info")));
  EXPECT_EQ(info["kind"], "ExecCredential");
  EXPECT_EQ(info["apiVersion"], "client.authentication.k8s.io/v1");
  EXPECT_EQ(info["spec"]["interactive"], false);
  EXPECT_EQ(info["spec"]["cluster"]["server"], "https://10.0.0.1:6443");
  EXPECT_EQ(info["spec"]["cluster"]["certificate-authority-data"], "CA");
}

TEST(ExecCredential, CertificatesAndExpiryAreRead) {
  ExecPlugin p;
  p.api_version = "client.authentication.k8s.io/v1beta1";
  p.command = "aws";
  p.where = "k: users[u].user.exec";
  auto c = parse_exec_credential(
      p, R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",
             "status":{"clientCertificateData":"CERT","clientKeyData":"KEY",
                       "expirationTimestamp":"2030-01-02T03:04:05.123+02:00"}})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->client_cert_pem, "CERT");
  EXPECT_EQ(c->client_key_pem, "KEY");
  ASSERT_TRUE(c->expires.has_value());
  // 2030-01-02T01:04:05Z
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*c->expires), 1893546245);
}

TEST(ExecCredential, BadAnswersAndFailingPluginsAreClearErrors) {
  ExecPlugin p;
  p.api_version = "client.authentication.k8s.io/v1";
  p.command = "gke-gcloud-auth-plugin";
  p.where = "cfg: users[gke].user.exec";
  auto expect_error = [&](const std::string& text, const std::string& what) {
    auto c = parse_exec_credential(p, text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_NE(c.status().message().find(what), std::string::npos) << c.status().message();
    EXPECT_NE(c.status().message().find("cfg: users[gke].user.exec"), std::string::npos);
  };
  expect_error("not json", "is not a JSON ExecCredential");
  expect_error(R"({"kind":"Pod"})", "kind: expected ExecCredential");
  expect_error(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1",
                   "status":{"token":"x"}})",
               "apiVersion: expected client.authentication.k8s.io/v1");
  expect_error(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1"})",
               "status: missing");
  expect_error(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1",
                   "status":{}})",
               "expected a token or clientCertificateData");
  expect_error(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1",
                   "status":{"clientCertificateData":"C"}})",
               "go together");
  expect_error(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1",
                   "status":{"token":"x","expirationTimestamp":"tomorrow"}})",
               "expirationTimestamp: expected RFC 3339");
  expect_error(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1",
                   "status":{"token":7}})",
               "status.token: expected a string");

  TempDir dir;
  ExecPlugin missing = exec_of(dir, dir.file("no-such-plugin"));
  missing.install_hint = "install it with: apt-get install something";
  auto r = run_exec_plugin(missing, "https://x", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot run"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("install it with"), std::string::npos);

  const std::string failing =
      dir.write("fail.sh", "#!/bin/sh\necho 'token expired: run aws sso login' >&2\nexit 3\n");
  ::chmod(failing.c_str(), 0755);
  r = run_exec_plugin(exec_of(dir, failing), "https://x", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("exited with status 3: token expired: run aws sso login"),
            std::string::npos)
      << r.status().message();

  const std::string slow = dir.write("slow.sh", "#!/bin/sh\nexec sleep 30\n");
  ::chmod(slow.c_str(), 0755);
  const auto t0 = std::chrono::steady_clock::now();
  r = run_exec_plugin(exec_of(dir, slow), "https://x", "", 200ms);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("gave no credential within"), std::string::npos)
      << r.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

TEST(ExecCredential, KubeconfigExecFieldsAreReadAndChecked) {
  TempDir dir;
  auto config = [&](const std::string& exec) {
    return dir.write("config",
                     "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                     "clusters: [{name: c1, cluster: {server: \"https://10.0.0.1:6443\"}}]\n"
                     "contexts: [{name: c, context: {cluster: c1, user: eks}}]\n"
                     "users:\n- name: eks\n  user:\n    exec:\n" +
                         exec);
  };
  auto c =
      load_kubeconfig(config("      apiVersion: client.authentication.k8s.io/v1beta1\n"
                             "      command: bin/get-token\n"
                             "      args: [eks, get-token, --cluster-name, demo]\n"
                             "      env: [{name: AWS_PROFILE, value: prod}]\n"
                             "      provideClusterInfo: true\n"
                             "      interactiveMode: Never\n"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE(c->exec.has_value());
  EXPECT_EQ(c->exec->command, (dir.path() / "bin/get-token").string());
  EXPECT_EQ(c->exec->args.size(), 4u);
  ASSERT_EQ(c->exec->env.size(), 1u);
  EXPECT_EQ(c->exec->env[0].first, "AWS_PROFILE");
  EXPECT_TRUE(c->exec->provide_cluster_info);
  // A bare name is looked up on $PATH when run.
  c =
      load_kubeconfig(config("      apiVersion: client.authentication.k8s.io/v1\n"
                             "      command: aws\n"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->exec->command, "aws");
  auto bad = [&](const std::string& exec, const std::string& what) {
    auto r = load_kubeconfig(config(exec));
    ASSERT_FALSE(r.ok()) << exec;
    EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("users[eks].user.exec"), std::string::npos)
        << r.status().message();
  };
  bad("      apiVersion: client.authentication.k8s.io/v1alpha1\n      command: aws\n",
      ".apiVersion: expected client.authentication.k8s.io/v1");
  bad("      apiVersion: client.authentication.k8s.io/v1\n", ".command: missing");
  bad("      apiVersion: client.authentication.k8s.io/v1\n      command: aws\n"
      "      interactiveMode: Always\n",
      "Always needs a terminal");
  bad("      apiVersion: client.authentication.k8s.io/v1\n      command: aws\n"
      "      env: [{name: \"\"}]\n",
      ".env[0].name");
}

TEST(ExecCredential, TheClientFetchesANewCredentialOn401AndOnExpiry) {
  // The server takes only "t2": the plugin's first token (t1) is refused,
  // the client runs the plugin again and repeats the request once.
  TempDir dir;
  FakeApiServer server("t2");
  ClusterConfig cfg;
  cfg.server = server.url();
  cfg.exec = exec_of(dir, plugin(dir, kToken));
  auto client = ApiClient::create(cfg);
  ASSERT_TRUE(client.ok()) << client.status().message();
  auto ns = (*client)->request("GET", "/api/v1/namespaces/default/configmaps");
  ASSERT_TRUE(ns.ok()) << ns.status().message();
  EXPECT_EQ(ns->status, 200);
  EXPECT_EQ(read_file(dir.file("count")), "2\n");
  // Still 200 on the next request, without running the plugin.
  ns = (*client)->request("GET", "/api/v1/namespaces/default/configmaps");
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(ns->status, 200);
  EXPECT_EQ(read_file(dir.file("count")), "2\n");

  // A credential that has expired is fetched again before each request.
  TempDir dir2;
  FakeApiServer server2("tok");
  ClusterConfig cfg2;
  cfg2.server = server2.url();
  cfg2.exec = exec_of(dir2, plugin(dir2, R"({"apiVersion":"client.authentication.k8s.io/v1",)"
                                         R"("kind":"ExecCredential","status":{"token":"tok",)"
                                         R"("expirationTimestamp":"2001-01-01T00:00:00Z"}})"));
  auto client2 = ApiClient::create(cfg2);
  ASSERT_TRUE(client2.ok()) << client2.status().message();
  for (int i = 0; i < 3; ++i) {
    auto r = (*client2)->request("GET", "/api/v1/namespaces/default/configmaps");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(read_file(dir2.file("count")), "4\n");

  // A plugin that keeps failing: create says why.
  TempDir dir3;
  const std::string failing =
      dir3.write("fail.sh", "#!/bin/sh\necho 'no SSO session' >&2\nexit 1\n");
  ::chmod(failing.c_str(), 0755);
  ClusterConfig cfg3;
  cfg3.server = server.url();
  cfg3.exec = exec_of(dir3, failing);
  auto client3 = ApiClient::create(cfg3);
  ASSERT_FALSE(client3.ok());
  EXPECT_NE(client3.status().message().find("no SSO session"), std::string::npos)
      << client3.status().message();
}

}  // namespace
}  // namespace aqueduct::k8s
