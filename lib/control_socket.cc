// The control socket's server on Boost.Asio and its blocking client (see control_socket.h).
// Only this file sees the generated protobuf types.
#include "lib/control_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <cassert>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include "lib/control.pb.h"
#include "lib/unique_fd.h"

namespace vs {
namespace {

namespace asio = boost::asio;
using boost::outcome_v2::success;
using Local = asio::local::stream_protocol;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr size_t kHeaderSize = 4;
constexpr size_t kMaxPath = sizeof(sockaddr_un::sun_path) - 1;  // room for the NUL

uint32_t get_be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

std::string encode_frame(const google::protobuf::MessageLite& message) {
  std::string frame(kHeaderSize, '\0');
  uint32_t size = static_cast<uint32_t>(message.ByteSizeLong());
  for (size_t i = 0; i < kHeaderSize; ++i) frame[i] = static_cast<char>(size >> (24 - 8 * i));
  message.AppendToString(&frame);
  return frame;
}

std::string path_too_long(const std::string& path) {
  return path + ": path too long for a unix socket (at most " + std::to_string(kMaxPath) +
         " bytes)";
}

ControlReply failure(std::string error) { return {2, "", std::move(error)}; }

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

std::string count_arguments(int n) {
  return std::to_string(n) + (n == 1 ? " argument" : " arguments");
}

// Removes a socket file left by a dead server, so that bind() can succeed; refuses to take the
// place of a live server or to delete something that is not a socket.
Result<void> remove_stale_socket(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return success();
  if (!S_ISSOCK(st.st_mode)) return make_error(path + ": exists and is not a socket");
  UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, kMaxPath);
  if (probe && connect(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    return make_error(path + ": another process is already listening on this socket");
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return make_error("cannot remove stale socket " + path + ": " + std::strerror(errno));
  }
  return success();
}

}  // namespace

struct ControlServer::Impl : std::enable_shared_from_this<Impl> {
  struct Command {
    std::string usage;
    int min_args;
    int max_args;
    Handler handler;
  };

  // One client connection: reads a request, answers it, reads the next. It ends (closing the
  // socket) when the client leaves, sends a malformed frame, or the server closes it.
  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(std::shared_ptr<Impl> server, Local::socket socket)
        : server_(std::move(server)), socket_(std::move(socket)) {}

    void read_header() {
      asio::async_read(socket_, asio::buffer(header_),
                       [self = shared_from_this()](boost::system::error_code ec, size_t) {
                         if (ec) return;
                         uint32_t size = get_be32(self->header_.data());
                         if (size > kControlMaxMessage) return;
                         self->buffer_.resize(size);
                         self->read_body();
                       });
    }

    void close() {
      boost::system::error_code ignored;
      socket_.close(ignored);
    }

   private:
    void read_body() {
      asio::async_read(socket_, asio::buffer(buffer_),
                       [self = shared_from_this()](boost::system::error_code ec, size_t) {
                         // A read may complete just before close(); its request must not run.
                         if (ec || !self->socket_.is_open()) return;
                         control::Request request;
                         if (!request.ParseFromString(self->buffer_)) return;
                         self->answer(request);
                       });
    }

    void answer(const control::Request& request) {
      std::vector<std::string> args(request.args().begin(), request.args().end());
      ControlReply result = server_->execute(request.command(), args);
      control::Reply reply;
      reply.set_status(result.status);
      reply.set_output(std::move(result.output));
      reply.set_error(std::move(result.error));
      if (reply.ByteSizeLong() > kControlMaxMessage) {
        reply.Clear();
        reply.set_status(2);
        reply.set_error(quoted(request.command()) + " reply is longer than the " +
                        std::to_string(kControlMaxMessage) + "-byte limit");
      }
      buffer_ = encode_frame(reply);
      asio::async_write(socket_, asio::buffer(buffer_),
                        [self = shared_from_this()](boost::system::error_code ec, size_t) {
                          if (!ec) self->read_header();
                        });
    }

    std::shared_ptr<Impl> server_;
    Local::socket socket_;
    std::array<uint8_t, kHeaderSize> header_;
    std::string buffer_;  // the request's body, then the reply's frame
  };

  explicit Impl(asio::io_context& io) : acceptor(io) {}

  void accept() {
    acceptor.async_accept(
        [self = shared_from_this()](boost::system::error_code ec, Local::socket socket) {
          if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
          if (!ec) {
            std::erase_if(self->sessions, [](const auto& s) { return s.expired(); });
            auto session = std::make_shared<Session>(self, std::move(socket));
            self->sessions.push_back(session);
            session->read_header();
          }
          self->accept();
        });
  }

  ControlReply execute(const std::string& name, const std::vector<std::string>& args) const {
    auto it = commands.find(name);
    if (it == commands.end()) {
      return failure(quoted(name) + " is not a valid command (use list-commands to see a list)");
    }
    const Command& command = it->second;
    if (args.size() < static_cast<size_t>(command.min_args) ||
        args.size() > static_cast<size_t>(command.max_args)) {
      std::string limit = args.size() < static_cast<size_t>(command.min_args)
                              ? "requires at least " + count_arguments(command.min_args)
                              : "takes at most " + count_arguments(command.max_args);
      return failure(quoted(name) + " command " + limit + " (usage: " + name + " " + command.usage +
                     ")");
    }
    try {
      return command.handler(args);
    } catch (const std::exception& e) {
      return failure(quoted(name) + " command failed: " + e.what());
    } catch (...) {
      return failure(quoted(name) + " command failed with an unknown exception");
    }
  }

  // The layout of ovs-appctl's list-commands.
  std::string list_commands() const {
    std::string text = "The available commands are:\n";
    for (const auto& [name, command] : commands) {
      std::string line = "  " + name;
      if (!command.usage.empty()) {
        line.resize(std::max<size_t>(line.size(), 25), ' ');
        line += " " + command.usage;
      }
      text += line + "\n";
    }
    return text;
  }

  Local::acceptor acceptor;
  std::string path;  // of the socket file we created; "" when not listening
  std::map<std::string, Command> commands;
  std::vector<std::weak_ptr<Session>> sessions;
};

ControlServer::ControlServer(asio::io_context& io) : impl_(std::make_shared<Impl>(io)) {
  // The handlers capture the Impl, which owns them, so they never outlive it.
  auto list = [impl = impl_.get()](const std::vector<std::string>&) {
    return Reply{0, impl->list_commands(), ""};
  };
  add_command("list-commands", "", 0, 0, list);
  add_command("help", "", 0, 0, list);
}

ControlServer::~ControlServer() { close(); }

Result<void> ControlServer::listen(const std::string& path) {
  if (impl_->acceptor.is_open()) return make_error("already listening on " + impl_->path);
  if (path.size() > kMaxPath) return make_error("cannot listen on " + path_too_long(path));
  VS_TRY(remove_stale_socket(path));
  boost::system::error_code ec;
  auto& acceptor = impl_->acceptor;
  if (acceptor.open(Local(), ec); !ec) acceptor.bind(Local::endpoint(path), ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (ec == boost::system::errc::no_such_file_or_directory && !dir.empty()) {
      return make_error("cannot listen on " + path + ": directory " + dir.string() +
                        " does not exist");
    }
    return make_error("cannot listen on " + path + ": " + ec.message());
  }
  impl_->path = path;  // from here on close() removes the file
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    close();
    return make_error("cannot listen on " + path + ": " + ec.message());
  }
  impl_->accept();
  return success();
}

void ControlServer::add_command(std::string name, std::string usage, int min_args, int max_args,
                                Handler handler) {
  assert(0 <= min_args && min_args <= max_args && !impl_->commands.contains(name));
  impl_->commands.emplace(std::move(name),
                          Impl::Command{std::move(usage), min_args, max_args, std::move(handler)});
}

void ControlServer::close() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (const auto& weak : impl_->sessions) {
    if (auto session = weak.lock()) session->close();
  }
  impl_->sessions.clear();
  if (!impl_->path.empty()) unlink(impl_->path.c_str());
  impl_->path.clear();
}

// The client: blocking calls, each bounded by poll() against one deadline.
namespace {

class ClientConnection {
 public:
  ClientConnection(std::string path, std::optional<SteadyTime> deadline)
      : path_(std::move(path)), deadline_(deadline) {}

  Result<void> connect() {
    if (path_.size() > kMaxPath) return make_error("cannot connect to " + path_too_long(path_));
    fd_ = UniqueFd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd_) return make_error("cannot connect to " + path_ + ": " + std::strerror(errno));
    // connect() on AF_UNIX blocks only while the server's backlog is full; SO_SNDTIMEO bounds it.
    if (deadline_) {
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(remaining());
      timeval tv{.tv_sec = left.count() / 1000000, .tv_usec = left.count() % 1000000};
      setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, kMaxPath);
    int rc;
    do {
      rc = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      return make_error("cannot connect to " + path_ + ": " +
                        (errno == EAGAIN ? "timed out" : std::strerror(errno)));
    }
    return success();
  }

  Result<void> send_all(std::string_view data) {
    while (!data.empty()) {
      VS_TRY(wait_for(POLLOUT));
      ssize_t n = send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) return make_error(path_ + ": cannot send the request: " + std::strerror(errno));
      data.remove_prefix(n);
    }
    return success();
  }

  Result<void> receive_all(char* data, size_t size) {
    while (size > 0) {
      VS_TRY(wait_for(POLLIN));
      ssize_t n = recv(fd_.get(), data, size, MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) return make_error(path_ + ": cannot read the reply: " + std::strerror(errno));
      if (n == 0) return make_error(path_ + ": connection closed before the reply");
      data += n;
      size -= n;
    }
    return success();
  }

  Result<ControlReply> receive_reply() {
    std::array<uint8_t, kHeaderSize> header;
    VS_TRY(receive_all(reinterpret_cast<char*>(header.data()), header.size()));
    uint32_t size = get_be32(header.data());
    if (size > kControlMaxMessage) {
      return make_error(path_ + ": bad reply (" + std::to_string(size) +
                        "-byte message, longer than the limit)");
    }
    std::string body(size, '\0');
    VS_TRY(receive_all(body.data(), body.size()));
    control::Reply reply;
    if (!reply.ParseFromString(body)) return make_error(path_ + ": bad reply (not a Reply)");
    return ControlReply{reply.status(), reply.output(), reply.error()};
  }

 private:
  std::chrono::milliseconds remaining() const {
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(*deadline_ - std::chrono::steady_clock::now());
    return std::max(left, std::chrono::milliseconds(1));  // 0 would mean "no timeout" to callers
  }

  Result<void> wait_for(short events) {
    pollfd pfd{.fd = fd_.get(), .events = events, .revents = 0};
    for (;;) {
      if (deadline_ && std::chrono::steady_clock::now() >= *deadline_) {
        return make_error(path_ + ": timed out waiting for the reply");
      }
      int ms = deadline_ ? static_cast<int>(std::min<int64_t>(remaining().count(), INT_MAX)) : -1;
      int rc = poll(&pfd, 1, ms);
      // Errors and hang-ups show in the send() or recv() that follows.
      if (rc > 0) return success();
      if (rc < 0 && errno != EINTR) return make_error(path_ + ": " + std::strerror(errno));
    }
  }

  std::string path_;
  std::optional<SteadyTime> deadline_;
  UniqueFd fd_;
};

}  // namespace

Result<ControlReply> control_call(const std::string& path, const std::string& command,
                                  const std::vector<std::string>& args,
                                  std::chrono::milliseconds timeout) {
  std::optional<SteadyTime> deadline;
  if (timeout > kNoTimeout) deadline = std::chrono::steady_clock::now() + timeout;
  control::Request request;
  request.set_command(command);
  for (const std::string& arg : args) request.add_args(arg);
  if (request.ByteSizeLong() > kControlMaxMessage) {
    return make_error(path + ": request longer than the " + std::to_string(kControlMaxMessage) +
                      "-byte limit");
  }
  ClientConnection connection(path, deadline);
  VS_TRY(connection.connect());
  VS_TRY(connection.send_all(encode_frame(request)));
  return connection.receive_reply();
}

}  // namespace vs
