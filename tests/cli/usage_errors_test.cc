// Usage errors: exit 2 whatever the error, and a did-you-mean for a
// misspelled subcommand or long option at the level it was typed.
#include "usage_errors.h"

#include <gtest/gtest.h>

namespace aqueduct::cli {
namespace {

struct Cli {
  CLI::App app{"test"};
  std::string out;
  int seed = 0;
  std::string format;
  Cli() {
    app.require_subcommand(1);
    app.set_version_flag("--version", "v1");
    app.add_subcommand("validate", "")->add_option("files", out);
    auto* sim = app.add_subcommand("sim", "");
    sim->require_subcommand(1);
    auto* run = sim->add_subcommand("run", "");
    run->add_option("experiment", out)->required();
    run->add_option("--seed", seed);
    run->add_option("--out", out);
    run->add_option("--format", format)->check(CLI::IsMember({"png", "pdf", "svg"}));
    sim->add_subcommand("nodes", "");
  }
  int parse(std::vector<std::string> args, std::string* err) {
    std::vector<char*> argv;
    std::string prog = "aqueduct";
    argv.push_back(prog.data());
    for (auto& a : args) argv.push_back(a.data());
    ::testing::internal::CaptureStderr();
    ::testing::internal::CaptureStdout();
    int rc = parse_or_exit(app, static_cast<int>(argv.size()), argv.data());
    (void)::testing::internal::GetCapturedStdout();
    *err = ::testing::internal::GetCapturedStderr();
    return rc;
  }
};

TEST(UsageSuggestion, NamesTheClosestSubcommandOrOption) {
  Cli c;
  EXPECT_EQ(usage_suggestion(c.app, {"valdiate", "x.yaml"}),
            "unknown command \"valdiate\" (did you mean \"validate\"?)");
  EXPECT_EQ(usage_suggestion(c.app, {"sim", "rn", "e.yaml"}),
            "unknown subcommand of sim \"rn\" (did you mean \"run\"?)");
  EXPECT_EQ(usage_suggestion(c.app, {"sim", "run", "e.yaml", "--seeed", "3"}),
            "unknown option \"--seeed\" (did you mean \"--seed\"?)");
  EXPECT_EQ(usage_suggestion(c.app, {"sim", "run", "e.yaml", "--ot=x"}),
            "unknown option \"--ot\" (did you mean \"--out\"?)");
  EXPECT_EQ(usage_suggestion(c.app, {"sim", "run", "e.yaml", "--seed", "3"}), "");
  EXPECT_EQ(usage_suggestion(c.app, {"frobnicate"}), "unknown command \"frobnicate\"");
}

TEST(ParseOrExit, EveryUsageErrorExitsTwoWithTheSuggestion) {
  std::string err;
  {
    Cli c;
    EXPECT_EQ(c.parse({"valdiate", "x.yaml"}, &err), kExitUsage);
    EXPECT_NE(err.find("error: unknown command \"valdiate\" (did you mean \"validate\"?)"),
              std::string::npos)
        << err;
  }
  {
    Cli c;
    EXPECT_EQ(c.parse({"sim", "run"}, &err), kExitUsage);  // a required argument missing
    EXPECT_NE(err.find("experiment is required"), std::string::npos) << err;
  }
  {
    Cli c;
    EXPECT_EQ(c.parse({"sim", "run", "e.yaml", "--seed", "x"}, &err), kExitUsage);
    EXPECT_NE(err.find("--seed"), std::string::npos) << err;
  }
  {
    Cli c;
    EXPECT_EQ(c.parse({"sim", "run", "e.yaml", "--seeed", "3"}, &err), kExitUsage);
    EXPECT_NE(err.find("did you mean \"--seed\"?"), std::string::npos) << err;
  }
  {
    Cli c;
    EXPECT_EQ(c.parse({}, &err), kExitUsage);  // no subcommand
  }
}

TEST(ParseOrExit, AValueOutsideItsSetNamesTheAllowedOnesAndTheClosest) {
  Cli c;
  std::string err;
  EXPECT_EQ(c.parse({"sim", "run", "e.yaml", "--format", "pfd"}, &err), kExitUsage);
  EXPECT_NE(
      err.find("error: --format: \"pfd\" is not one of png, pdf, svg (did you mean \"pdf\"?)"),
      std::string::npos)
      << err;
  EXPECT_EQ(value_suggestion("--x: apple not in {kiwi,fig}"), "--x: \"apple\" is not one of kiwi, fig");
  EXPECT_EQ(value_suggestion("something else"), "");
}

TEST(ParseOrExit, HelpAndVersionExitZeroAndGoodArgumentsRun) {
  std::string err;
  {
    Cli c;
    EXPECT_EQ(c.parse({"--help"}, &err), 0);
  }
  {
    Cli c;
    EXPECT_EQ(c.parse({"--version"}, &err), 0);
  }
  {
    Cli c;
    EXPECT_EQ(c.parse({"sim", "run", "e.yaml", "--seed", "3"}, &err), -1);
    EXPECT_EQ(c.seed, 3);
  }
}

}  // namespace
}  // namespace aqueduct::cli
