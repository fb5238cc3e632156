// vswitchd's local control socket, the channel of vsappctl (OVS's unixctl): length-prefixed
// protobuf messages (lib/control.proto) over an AF_UNIX stream socket. ControlServer runs the
// commands that the daemon's modules register, on a Boost.Asio io_context; control_call() is
// the blocking client. Callers see only the plain structs here, never generated protobuf types.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "lib/result.h"

namespace vs {

// A frame is a 4-byte big-endian length, then that many bytes of serialized message. Both ends
// refuse longer frames.
inline constexpr uint32_t kControlMaxMessage = 16 << 20;

// The answer to one command: status 0 is success and `output` the text to print; otherwise
// the command failed and `error` says why.
struct ControlReply {
  int status = 0;
  std::string output;
  std::string error;
};

// Serves named commands on one AF_UNIX socket, for many clients at once; the requests of one
// connection are answered in order. A connection that sends a malformed frame (too long, not
// a Request) is closed; the others keep being served. The built-in commands `list-commands`
// and `help` list every command with its usage.
//
// Threading: handlers run on the io_context's thread. The server itself is not thread-safe:
// call its members from that thread, or while the io_context is not running, and destroy it
// before the io_context.
class ControlServer {
 public:
  using Reply = ControlReply;
  using Handler = std::function<Reply(const std::vector<std::string>& args)>;
  static constexpr int kUnlimited = std::numeric_limits<int>::max();  // for max_args

  explicit ControlServer(boost::asio::io_context& io);
  ~ControlServer();  // close()
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds and listens at `path`. A socket file left by a dead process is replaced; a socket
  // that someone still listens on, or a file that is not a socket, is an error.
  Result<void> listen(const std::string& path);

  // Registers command `name` (each name once). `usage` names its arguments, as OVS does
  // ("BRIDGE [PORT]"), for list-commands and errors. A request with fewer than min_args or
  // more than max_args arguments gets status 2 without calling the handler; so does a handler
  // that throws, with the exception's message.
  void add_command(std::string name, std::string usage, int min_args, int max_args,
                   Handler handler);

  // Stops accepting, closes every connection (no handler runs after this) and removes the
  // socket file. Does nothing when not listening.
  void close();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with pending asynchronous operations
};

// Waits forever (vsappctl's default, as ovs-appctl's).
inline constexpr std::chrono::milliseconds kNoTimeout{0};

// Runs `command` on the server at `path` over a new connection, waiting at most `timeout` in
// all. Fails when it cannot connect, times out, or the connection closes or sends a malformed
// reply; the message names the path. A command that failed is a reply with status != 0.
Result<ControlReply> control_call(const std::string& path, const std::string& command,
                                  const std::vector<std::string>& args,
                                  std::chrono::milliseconds timeout = kNoTimeout);

}  // namespace vs
