// ControlServer on a real AF_UNIX socket in a temporary directory, with its io_context run on
// a thread of its own; clients are control_call() and a raw socket that writes frames by hand.
#include "lib/control_socket.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <atomic>
#include <boost/asio.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>

#include "lib/control.pb.h"
#include "lib/unique_fd.h"
#include "tests/support/test_support.h"

namespace vs {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::error_of;
using testing::ok;

constexpr int kPollMs = 10000;  // only a bound against hanging; no test measures time

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

UniqueFd connect_raw(const std::string& path) {
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof addr.sun_path - 1);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("connect " + path + ": " + std::strerror(errno));
  }
  return fd;
}

// A client that speaks the framing by hand, independently of control_call().
class RawClient {
 public:
  explicit RawClient(const std::string& path) : fd_(connect_raw(path)) {}

  void send_bytes(const std::string& bytes) {
    ASSERT_EQ(send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }

  void send_request(const std::string& command, const std::vector<std::string>& args) {
    control::Request request;
    request.set_command(command);
    for (const std::string& arg : args) request.add_args(arg);
    std::string body = request.SerializeAsString();
    uint32_t size = body.size();
    send_bytes(std::string{char(size >> 24), char(size >> 16), char(size >> 8), char(size)} + body);
  }

  // The next reply, or nullopt when the server closed the connection.
  std::optional<control::Reply> read_reply() {
    std::string header = read_exactly(4);
    if (header.size() < 4) return std::nullopt;
    uint32_t size = uint32_t(uint8_t(header[0])) << 24 | uint32_t(uint8_t(header[1])) << 16 |
                    uint32_t(uint8_t(header[2])) << 8 | uint8_t(header[3]);
    control::Reply reply;
    if (!reply.ParseFromString(read_exactly(size))) return std::nullopt;
    return reply;
  }

  // True when the server closes the connection (reads end of file).
  bool closed_by_server() { return read_exactly(1).empty(); }

 private:
  // Fewer bytes than asked for means end of file; a hang fails the test.
  std::string read_exactly(size_t size) {
    std::string data;
    while (data.size() < size) {
      pollfd pfd{fd_.get(), POLLIN, 0};
      if (poll(&pfd, 1, kPollMs) != 1) throw std::runtime_error("no answer from the server");
      char buffer[4096];
      ssize_t n = recv(fd_.get(), buffer, std::min(sizeof buffer, size - data.size()), 0);
      if (n <= 0) break;
      data.append(buffer, n);
    }
    return data;
  }

  UniqueFd fd_;
};

class ControlSocketTest : public ::testing::Test {
 protected:
  ControlSocketTest() {
    server_.add_command("echo", "[WORD...]", 0, ControlServer::kUnlimited, [](const auto& args) {
      return ControlReply{0, join(args), ""};
    });
    server_.add_command("fdb/show", "BRIDGE", 1, 1, [](const auto& args) {
      return ControlReply{0, "fdb of " + args[0] + "\n", ""};
    });
    server_.add_command("refuse", "", 0, 0, [](const auto&) {
      return ControlReply{1, "partial", "refused"};
    });
    server_.add_command("throw", "", 0, 0,
                        [](const auto&) -> ControlReply { throw std::runtime_error("boom"); });
    server_.add_command("thread", "", 0, 0, [this](const auto&) {
      handler_thread_ = std::this_thread::get_id();
      return ControlReply{};
    });
    ok(server_.listen(path_));
    io_thread_ = std::thread([this] { io_.run(); });
  }

  ~ControlSocketTest() override {
    work_.reset();
    io_.stop();
    io_thread_.join();
  }

  // Runs `fn` on the io_context's thread, where the server must be used, and waits for it.
  void on_io_thread(std::function<void()> fn) {
    std::promise<void> done;
    asio::post(io_, [&] {
      fn();
      done.set_value();
    });
    done.get_future().get();
  }

  Result<ControlReply> call(const std::string& command, const std::vector<std::string>& args) {
    return control_call(path_, command, args, 10s);
  }

  testing::TempDir dir_;
  std::string path_ = dir_.path() + "/vswitchd.ctl";
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  ControlServer server_{io_};
  std::thread io_thread_;
  std::thread::id handler_thread_;  // written on the io thread, read after a reply
};

TEST_F(ControlSocketTest, CallsCommandWithArguments) {
  ControlReply reply = ok(call("echo", {"a", "b c", ""}));
  EXPECT_EQ(reply.status, 0);
  EXPECT_EQ(reply.output, "a b c ");
  EXPECT_EQ(reply.error, "");
  EXPECT_EQ(ok(call("fdb/show", {"br0"})).output, "fdb of br0\n");
}

TEST_F(ControlSocketTest, ArgumentsNeedNotBeUtf8) {
  EXPECT_EQ(ok(call("echo", {"eth\xff\xfe"})).output, "eth\xff\xfe");
}

TEST_F(ControlSocketTest, HandlersRunOnTheIoThread) {
  ok(call("thread", {}));
  EXPECT_EQ(handler_thread_, io_thread_.get_id());
}

TEST_F(ControlSocketTest, ListCommandsShowsEveryCommandSortedWithUsage) {
  const std::string expected =
      "The available commands are:\n"
      "  echo                    [WORD...]\n"
      "  fdb/show                BRIDGE\n"
      "  help\n"
      "  list-commands\n"
      "  refuse\n"
      "  thread\n"
      "  throw\n";
  EXPECT_EQ(ok(call("list-commands", {})).output, expected);
  EXPECT_EQ(ok(call("help", {})).output, expected);
}

TEST_F(ControlSocketTest, UnknownCommandIsStatus2) {
  ControlReply reply = ok(call("no/such", {}));
  EXPECT_EQ(reply.status, 2);
  EXPECT_EQ(reply.error, "\"no/such\" is not a valid command (use list-commands to see a list)");
}

TEST_F(ControlSocketTest, WrongArgumentCountNamesCommandAndUsage) {
  ControlReply few = ok(call("fdb/show", {}));
  EXPECT_EQ(few.status, 2);
  EXPECT_EQ(few.error,
            "\"fdb/show\" command requires at least 1 argument (usage: fdb/show BRIDGE)");
  ControlReply many = ok(call("fdb/show", {"br0", "br1"}));
  EXPECT_EQ(many.status, 2);
  EXPECT_EQ(many.error, "\"fdb/show\" command takes at most 1 argument (usage: fdb/show BRIDGE)");
}

TEST_F(ControlSocketTest, HandlerStatusAndOutputPassThrough) {
  ControlReply reply = ok(call("refuse", {}));
  EXPECT_EQ(reply.status, 1);
  EXPECT_EQ(reply.output, "partial");
  EXPECT_EQ(reply.error, "refused");
}

TEST_F(ControlSocketTest, ThrowingHandlerIsStatus2WithItsMessage) {
  ControlReply reply = ok(call("throw", {}));
  EXPECT_EQ(reply.status, 2);
  EXPECT_EQ(reply.error, "\"throw\" command failed: boom");
  EXPECT_EQ(ok(call("echo", {"still", "here"})).output, "still here");
}

TEST_F(ControlSocketTest, ReplyOverTheFrameLimitBecomesAnError) {
  server_.add_command("huge", "", 0, 0, [](const auto&) {
    return ControlReply{0, std::string(kControlMaxMessage + 1, 'x'), ""};
  });
  ControlReply reply = ok(call("huge", {}));
  EXPECT_EQ(reply.status, 2);
  EXPECT_NE(reply.error.find("longer than"), std::string::npos) << reply.error;
}

TEST_F(ControlSocketTest, AnswersPipelinedRequestsOnOneConnectionInOrder) {
  RawClient client(path_);
  client.send_request("echo", {"first"});
  client.send_request("no/such", {});
  client.send_request("echo", {"third"});
  auto first = client.read_reply();
  auto second = client.read_reply();
  auto third = client.read_reply();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->output(), "first");
  EXPECT_EQ(second->status(), 2);
  EXPECT_EQ(third->output(), "third");
}

TEST_F(ControlSocketTest, ServesConcurrentClients) {
  RawClient idle(path_);
  idle.send_bytes(std::string("\0\0", 2));  // half a header: must not hold up the others
  std::vector<std::thread> clients;
  std::atomic<int> correct = 0;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < 20; ++i) {
        std::string word = std::to_string(c) + "-" + std::to_string(i);
        auto reply = call("echo", {word});
        if (reply && reply.value().output == word) ++correct;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(correct, 8 * 20);
}

TEST_F(ControlSocketTest, GarbageFrameClosesOnlyThatConnection) {
  const std::vector<std::string> garbage = {
      std::string("\xff\xff\xff\xff", 4),              // length over the limit
      std::string("\x00\x00\x00\x03\xff\xff\xff", 7),  // not a Request
      std::string("\x01\x00\x00\x01", 4),              // 16 MiB + 1
  };
  for (const std::string& frame : garbage) {
    RawClient bystander(path_);
    RawClient bad(path_);
    bad.send_bytes(frame);
    EXPECT_TRUE(bad.closed_by_server());
    bystander.send_request("echo", {"alive"});
    auto reply = bystander.read_reply();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->output(), "alive");
    EXPECT_EQ(ok(call("echo", {"new"})).output, "new");
  }
}

TEST_F(ControlSocketTest, EmptyFrameIsAnEmptyCommand) {
  RawClient client(path_);
  client.send_bytes(std::string(4, '\0'));
  auto reply = client.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status(), 2);
}

TEST_F(ControlSocketTest, CloseRemovesSocketFileAndDropsConnections) {
  RawClient connected(path_);
  ASSERT_TRUE(std::filesystem::exists(path_));
  on_io_thread([this] { server_.close(); });
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_TRUE(connected.closed_by_server());
  EXPECT_NE(error_of(call("echo", {})).find("cannot connect to " + path_), std::string::npos);
}

TEST_F(ControlSocketTest, ListenRefusesASocketInUse) {
  ControlServer second(io_);
  EXPECT_EQ(error_of(second.listen(path_)),
            path_ + ": another process is already listening on this socket");
  EXPECT_EQ(ok(call("echo", {"first"})).output, "first");
}

TEST(ControlServer, DestructorRemovesSocketFile) {
  testing::TempDir dir;
  std::string path = dir.path() + "/x.ctl";
  asio::io_context io;
  {
    ControlServer server(io);
    ok(server.listen(path));
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ControlServer, ListenReplacesStaleSocketFile) {
  testing::TempDir dir;
  std::string path = dir.path() + "/stale.ctl";
  {
    asio::io_context io;
    asio::local::stream_protocol::acceptor dead(io, path);  // bound, then closed: stale
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  asio::io_context io;
  ControlServer server(io);
  ok(server.listen(path));
}

TEST(ControlServer, ListenFailsClearly) {
  testing::TempDir dir;
  asio::io_context io;
  ControlServer server(io);
  EXPECT_EQ(error_of(server.listen(dir.path() + "/missing/x.ctl")),
            "cannot listen on " + dir.path() + "/missing/x.ctl: directory " + dir.path() +
                "/missing does not exist");
  std::string long_path = dir.path() + "/" + std::string(120, 'a');
  EXPECT_EQ(
      error_of(server.listen(long_path)),
      "cannot listen on " + long_path + ": path too long for a unix socket (at most 107 bytes)");
  std::string file = dir.path() + "/file";
  std::ofstream(file) << "keep me";
  EXPECT_EQ(error_of(server.listen(file)), file + ": exists and is not a socket");
  EXPECT_TRUE(std::filesystem::exists(file));
}

TEST(ControlCall, MissingSocketNamesThePath) {
  testing::TempDir dir;
  std::string path = dir.path() + "/absent.ctl";
  EXPECT_EQ(error_of(control_call(path, "echo", {}, 1s)),
            "cannot connect to " + path + ": No such file or directory");
}

TEST(ControlCall, TimesOutWhenNobodyAnswers) {
  testing::TempDir dir;
  std::string path = dir.path() + "/mute.ctl";
  asio::io_context io;
  asio::local::stream_protocol::acceptor mute(io, path);  // listens, never answers
  EXPECT_EQ(error_of(control_call(path, "echo", {}, 50ms)),
            path + ": timed out waiting for the reply");
}

TEST(ControlCall, ReportsConnectionClosedBeforeReply) {
  testing::TempDir dir;
  std::string path = dir.path() + "/rude.ctl";
  asio::io_context io;
  asio::local::stream_protocol::acceptor rude(io, path);
  std::thread closer([&] {
    // Reads the whole request first: closing on unread data would reset the connection.
    auto socket = rude.accept();
    std::array<uint8_t, 4> header;
    asio::read(socket, asio::buffer(header));
    std::string body(header[3], '\0');  // a request this short has a one-byte length
    asio::read(socket, asio::buffer(body));
  });
  EXPECT_EQ(error_of(control_call(path, "echo", {}, 10s)),
            path + ": connection closed before the reply");
  closer.join();
}

}  // namespace
}  // namespace vs
