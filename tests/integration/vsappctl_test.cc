// Runs the built vsappctl binary (VSAPPCTL_PATH, set by the build) against an in-process
// ControlServer and checks what a script sees: exit status, stdout and stderr.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/asio.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "lib/control_socket.h"
#include "tests/support/test_support.h"

extern char** environ;

namespace vs {
namespace {

namespace asio = boost::asio;

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

class VsappctlTest : public ::testing::Test {
 protected:
  VsappctlTest() {
    server_.add_command("echo", "[WORD...]", 0, ControlServer::kUnlimited, [](const auto& args) {
      std::string text;
      for (const std::string& arg : args) text += (text.empty() ? "" : " ") + arg;
      return ControlReply{0, text, ""};
    });
    server_.add_command("fdb/show", "BRIDGE", 1, 1, [](const auto& args) {
      return ControlReply{0, " port  VLAN  MAC\n" + args[0] + "\n", ""};
    });
    server_.add_command("refuse", "", 0, 0, [](const auto&) {
      return ControlReply{1, "", "no bridge named br9"};
    });
    testing::ok(server_.listen(socket_));
    io_thread_ = std::thread([this] { io_.run(); });
  }

  ~VsappctlTest() override {
    work_.reset();
    io_.stop();
    io_thread_.join();
  }

  // Runs vsappctl with `args` and, unless empty, VSWITCH_RUNDIR=`env_rundir`.
  Outcome vsappctl(std::vector<std::string> args, const std::string& env_rundir = "") {
    std::string out = dir_.path() + "/stdout", err = dir_.path() + "/stderr";
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&files, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    args.insert(args.begin(), VSAPPCTL_PATH);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
      if (std::string_view(*e).starts_with("VSWITCH_RUNDIR=")) continue;
      env_strings.push_back(*e);
    }
    if (!env_rundir.empty()) env_strings.push_back("VSWITCH_RUNDIR=" + env_rundir);
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid;
    int rc = posix_spawn(&pid, VSAPPCTL_PATH, &files, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&files);
    if (rc != 0) throw std::runtime_error("cannot run " VSAPPCTL_PATH);
    int status;
    waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  }

  static std::string slurp(const std::string& path) {
    std::ostringstream text;
    text << std::ifstream(path).rdbuf();
    return text.str();
  }

  testing::TempDir dir_;
  std::string socket_ = dir_.path() + "/vswitchd.ctl";
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  ControlServer server_{io_};
  std::thread io_thread_;
};

TEST_F(VsappctlTest, PrintsOutputAndAddsTheMissingNewline) {
  Outcome run = vsappctl({"-t", socket_, "echo", "a", "-b", "--c"});
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.out, "a -b --c\n");
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(vsappctl({"--target=" + socket_, "fdb/show", "br0"}).out, " port  VLAN  MAC\nbr0\n");
}

TEST_F(VsappctlTest, FindsTheDefaultSocketInTheRundir) {
  EXPECT_EQ(vsappctl({"echo", "env"}, dir_.path()).out, "env\n");
  EXPECT_EQ(vsappctl({"--rundir", dir_.path(), "echo", "flag"}, "/nonexistent").out, "flag\n");
  EXPECT_EQ(vsappctl({"-t", "vswitchd", "--rundir=" + dir_.path(), "echo", "name"}).out, "name\n");
}

TEST_F(VsappctlTest, FailedCommandExits2WithTheReasonOnStderr) {
  Outcome run = vsappctl({"-t", socket_, "refuse"});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "no bridge named br9\nvsappctl: " + socket_ + ": server returned an error\n");
  Outcome unknown = vsappctl({"-t", socket_, "no/such"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("\"no/such\" is not a valid command"), std::string::npos);
  EXPECT_EQ(vsappctl({"-t", socket_, "fdb/show"}).status, 2);
}

TEST_F(VsappctlTest, UnreachableDaemonExits1) {
  Outcome run = vsappctl({"--rundir", dir_.path() + "/empty", "echo"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "vsappctl: cannot connect to " + dir_.path() +
                         "/empty/vswitchd.ctl: No such file or directory\n");
}

TEST_F(VsappctlTest, TimeoutExits1) {
  std::string mute_path = dir_.path() + "/mute.ctl";
  asio::local::stream_protocol::acceptor mute(io_, mute_path);  // listens, never answers
  Outcome run = vsappctl({"-t", mute_path, "--timeout", "1", "echo"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "vsappctl: " + mute_path + ": timed out waiting for the reply\n");
}

TEST_F(VsappctlTest, BadUsageExits1) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"--bogus", "echo"}, {"-t"}, {"--timeout=soon", "echo"}, {"-t", "", "echo"}}) {
    Outcome run = vsappctl(args);
    EXPECT_EQ(run.status, 1) << run.err;
    EXPECT_NE(run.err.find("(use --help for help)"), std::string::npos) << run.err;
  }
}

TEST_F(VsappctlTest, HelpAndVersion) {
  Outcome help = vsappctl({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("usage: vsappctl"), std::string::npos);
  Outcome version = vsappctl({"-V"});
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out, "vsappctl (vswitch) " VS_VERSION "\n");
}

}  // namespace
}  // namespace vs
