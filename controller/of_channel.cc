// The OpenFlow channel (of_channel.h): framing, HELLO negotiation and echo on one connection,
// the ptcp:/punix: listeners, and the reconnecting tcp:/unix: targets. Behaviour follows Open
// vSwitch's lib/vconn.c and lib/rconn.c where the specification leaves a choice.
#include "controller/of_channel.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <utility>
#include <variant>

#include "lib/log.h"

namespace vs::controller {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr uint32_t kOurVersions = 1u << ofp::kVersion13;
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);

std::shared_ptr<spdlog::logger> logger() { return log::get("vconn"); }

std::string describe(const asio::ip::tcp::endpoint& endpoint) {
  const asio::ip::address address = endpoint.address();
  const std::string text = address.to_string();
  return (address.is_v6() ? "[" + text + "]" : text) + ":" + std::to_string(endpoint.port());
}

// The versions a HELLO without a version bitmap offers: every one up to its header's
// (OVS's version_bitmap_from_version()). Bit 0 is never set: there is no version 0.
uint32_t versions_up_to(uint8_t version) { return ((version < 32 ? 1u << version : 0u) - 1) << 1; }

// "version 0x04", "version 0x03 and earlier", "versions 0x01, 0x04", "no versions": the words
// of OVS's version_bitmap_to_string(), so that the HELLO_FAILED text matches its.
std::string describe_versions(uint32_t bitmap) {
  auto hex = [](int version) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02x", version);
    return std::string(text);
  };
  const int highest = bitmap ? 31 - std::countl_zero(bitmap) : 0;
  if (bitmap == 0) return "no versions";
  if (std::has_single_bit(bitmap)) return "version " + hex(highest);
  if (std::has_single_bit((bitmap >> 1) + 1)) return "version " + hex(highest) + " and earlier";
  std::string out = "versions ";
  for (int version = 0; version < 32; ++version) {
    if (!(bitmap & (1u << version))) continue;
    if (out.size() > 9) out += ", ";
    out += hex(version);
  }
  return out;
}

}  // namespace

// OfConnection.

OfConnection::OfConnection(Socket socket, std::string peer, OfHandlers handlers, const Clock& clock)
    : socket_(std::move(socket)),
      peer_(std::move(peer)),
      handlers_(std::move(handlers)),
      clock_(clock),
      in_(ofp::kMaxMessage + 1) {}

OfConnection::~OfConnection() = default;

std::shared_ptr<OfConnection> OfConnection::create(Socket socket, std::string peer,
                                                   OfHandlers handlers, const Clock& clock) {
  return std::shared_ptr<OfConnection>(
      new OfConnection(std::move(socket), std::move(peer), std::move(handlers), clock));
}

std::shared_ptr<OfConnection> OfConnection::create(asio::ip::tcp::socket socket,
                                                   OfHandlers handlers, const Clock& clock) {
  error_code ec;
  const asio::ip::tcp::endpoint remote = socket.remote_endpoint(ec);
  std::string peer = ec ? std::string("tcp") : describe(remote);
  return create(Socket(std::move(socket)), std::move(peer), std::move(handlers), clock);
}

std::shared_ptr<OfConnection> OfConnection::create(asio::local::stream_protocol::socket socket,
                                                   OfHandlers handlers, const Clock& clock) {
  // A unix peer is almost always unnamed, so its address says nothing.
  return create(Socket(std::move(socket)), "unix", std::move(handlers), clock);
}

void OfConnection::start() {
  if (started_ || state_ == State::kClosed) return;
  started_ = true;
  last_activity_ = clock_.now();
  // Ours goes first, before anything the owner queued already.
  std::vector<uint8_t> hello =
      ofp::encode(ofp::Message{next_xid(), ofp::Hello{ofp::kVersion13, our_versions()}});
  queued_bytes_ += hello.size();
  out_queue_.push_front(std::move(hello));
  write_next();
  read_more();
}

void OfConnection::send(const ofp::Message& message) {
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  send_raw(ofp::encode(message));
}

void OfConnection::send_raw(std::vector<uint8_t> bytes) {
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  queued_bytes_ += bytes.size();
  out_queue_.push_back(std::move(bytes));
  if (started_ && !writing_) write_next();
}

void OfConnection::close(std::string_view reason) {
  if (state_ == State::kClosed) return;
  // on_close may drop the owner's last reference (a listener forgets the connection).
  const std::shared_ptr<OfConnection> self = shared_from_this();
  state_ = State::kClosed;
  error_code ignored;
  socket_.close(ignored);
  // out_batch_ stays: the aborted write still points into it until its handler runs.
  out_queue_.clear();
  queued_bytes_ = 0;
  logger()->debug("{}: connection closed ({})", peer_, reason);
  auto on_close = std::move(handlers_.on_close);
  handlers_.on_close = nullptr;
  if (on_close) on_close(*this, reason);
}

void OfConnection::close_after_flush(std::string reason) {
  state_ = State::kClosing;
  close_reason_ = std::move(reason);
  if (!writing_ && out_queue_.empty()) close(close_reason_);
}

void OfConnection::read_more() {
  if (in_begin_ > 0) {
    std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  socket_.async_read_some(
      asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
      [self = shared_from_this()](const error_code& ec, size_t n) { self->on_read(ec, n); });
}

void OfConnection::on_read(const error_code& ec, size_t n) {
  if (state_ == State::kClosed) return;
  if (ec) {
    close(ec == asio::error::eof ? "connection closed by peer" : "read error: " + ec.message());
    return;
  }
  in_end_ += n;
  while (state_ == State::kHello || state_ == State::kReady) {
    const std::span<const uint8_t> buffered(in_.data() + in_begin_, in_end_ - in_begin_);
    const std::optional<ofp::HeaderView> header = ofp::peek_header(buffered);
    if (!header) break;
    if (header->length < sizeof(ofp::Header)) {
      // No way to find the next message: the stream cannot be trusted any more.
      logger()->warn("{}: received message length {} is shorter than a header", peer_,
                     header->length);
      close("message length " + std::to_string(header->length) + " shorter than a header");
      return;
    }
    if (buffered.size() < header->length) break;
    in_begin_ += header->length;
    handle_message(buffered.first(header->length));
  }
  if (handlers_.on_idle) handlers_.on_idle(*this);
  if (state_ == State::kHello || state_ == State::kReady) read_more();
}

void OfConnection::handle_message(std::span<const uint8_t> raw) {
  last_activity_ = clock_.now();
  if (handlers_.on_activity) handlers_.on_activity(*this);
  if (state_ == State::kHello) {
    negotiate(raw);
    return;
  }
  if (state_ != State::kReady) return;  // on_activity closed us

  ofp::OfpResult<ofp::Message> decoded = ofp::decode(raw);
  if (!decoded) {
    logger()->debug("{}: answering a malformed message with error type {} code {}", peer_,
                    decoded.error().type, decoded.error().code);
    send_raw(ofp::encode_error_reply(decoded.error(), raw));
    return;
  }
  const ofp::Message& message = decoded.value();
  if (const auto* echo = std::get_if<ofp::EchoRequest>(&message.body)) {
    send(ofp::Message{message.xid, ofp::EchoReply{echo->data}});
    return;
  }
  if (handlers_.on_message) handlers_.on_message(*this, message, raw);
}

uint32_t OfConnection::our_versions() const {
  return handlers_.versions == 0 ? kOurVersions : handlers_.versions & kOurVersions;
}

void OfConnection::negotiate(std::span<const uint8_t> raw) {
  const ofp::HeaderView header = *ofp::peek_header(raw);
  if (header.type != static_cast<uint8_t>(ofp::Type::kHello)) {
    // As OVS's vcs_recv_hello(): no error message, the peer broke the protocol.
    logger()->warn("{}: received message type {} while expecting hello", peer_, header.type);
    close("received message while expecting hello");
    return;
  }
  uint32_t peer_versions = versions_up_to(header.version);
  // A malformed HELLO still counts by its header's version, as in OVS.
  ofp::OfpResult<ofp::Message> decoded = ofp::decode(raw);
  if (decoded) {
    const auto* hello = std::get_if<ofp::Hello>(&decoded.value().body);
    if (hello && hello->versions && (*hello->versions & ~1u))
      peer_versions = *hello->versions & ~1u;
  }

  const uint32_t ours = our_versions();
  if (peer_versions & ours) {
    version_ = ofp::kVersion13;
    state_ = State::kReady;
    logger()->debug("{}: negotiated OpenFlow version 0x04 (peer supports {})", peer_,
                    describe_versions(peer_versions));
    if (handlers_.on_ready) handlers_.on_ready(*this);
    return;
  }

  // HELLO_FAILED in the peer's highest version, so that it can read it (OVS does the same).
  const std::string text = "We support " + describe_versions(ours) + ", you support " +
                           describe_versions(peer_versions) + ", no common versions.";
  logger()->warn("{}: version negotiation failed (we support {}, peer supports {})", peer_,
                 describe_versions(ours), describe_versions(peer_versions));
  std::vector<uint8_t> error =
      ofp::encode(ofp::Message{0, ofp::ErrorMsg{ofp::err::kHelloIncompatible,
                                                std::vector<uint8_t>(text.begin(), text.end())}});
  error[0] =
      peer_versions ? static_cast<uint8_t>(31 - std::countl_zero(peer_versions)) : header.version;
  send_raw(std::move(error));
  close_after_flush("version negotiation failed");
}

void OfConnection::write_next() {
  if (out_queue_.empty()) return;
  out_batch_.assign(std::make_move_iterator(out_queue_.begin()),
                    std::make_move_iterator(out_queue_.end()));
  out_queue_.clear();
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(out_batch_.size());
  for (const auto& bytes : out_batch_) buffers.push_back(asio::buffer(bytes));
  writing_ = true;
  asio::async_write(socket_, buffers, [self = shared_from_this()](const error_code& ec, size_t) {
    self->on_write(ec);
  });
}

void OfConnection::on_write(const error_code& ec) {
  writing_ = false;
  if (state_ == State::kClosed) return;
  for (const auto& bytes : out_batch_) queued_bytes_ -= bytes.size();
  out_batch_.clear();
  if (ec) {
    // What was queued behind the failed write can no longer arrive in order: drop it all.
    logger()->warn("{}: write failed: {}", peer_, ec.message());
    close("write error: " + ec.message());
    return;
  }
  if (!out_queue_.empty()) {
    write_next();
  } else if (state_ == State::kClosing) {
    close(close_reason_);
  }
}

// OfListener.

OfListener::OfListener(asio::io_context& io, OfHandlers handlers, const Clock& clock)
    : io_(io), handlers_(std::move(handlers)), clock_(clock), retry_timer_(io) {}

OfListener::~OfListener() { close(); }

Result<std::shared_ptr<OfListener>> OfListener::open(asio::io_context& io,
                                                     const OpenflowTarget& target,
                                                     OfHandlers handlers, const Clock& clock) {
  std::shared_ptr<OfListener> listener(new OfListener(io, std::move(handlers), clock));
  if (target.kind == OpenflowTarget::Kind::kPtcp) {
    VS_TRY(listener->listen_tcp(target));
    listener->open_ = true;
    listener->accept_next();
  } else if (target.kind == OpenflowTarget::Kind::kPunix) {
    VS_TRY(listener->listen_unix(target));
    listener->open_ = true;
    listener->accept_next();
  } else {
    return make_error("OfListener: only ptcp: and punix: targets listen");
  }
  return listener;
}

Result<void> OfListener::listen_tcp(const OpenflowTarget& target) {
  error_code ec;
  asio::ip::address address = asio::ip::address_v4::any();  // OVS's ptcp: default: IPv4 only
  if (!target.host.empty()) {
    address = asio::ip::make_address(target.host, ec);
    if (ec) return make_error("ptcp: \"" + target.host + "\" is not an IP address");
  }
  const asio::ip::tcp::endpoint endpoint(address, target.port);
  // OVS's spelling, ptcp:PORT:IP; the port is filled in again once bound.
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  name_ = "ptcp:" + std::to_string(target.port) + ":" + host;
  auto fail = [&](const char* step) {
    return make_error(name_ + ": " + step + " failed: " + ec.message());
  };
  tcp_.emplace(io_);
  if (tcp_->open(endpoint.protocol(), ec)) return fail("socket");
  if (tcp_->set_option(asio::socket_base::reuse_address(true), ec)) return fail("setsockopt");
  if (tcp_->bind(endpoint, ec)) return fail("bind");
  if (tcp_->listen(asio::socket_base::max_listen_connections, ec)) return fail("listen");
  port_ = tcp_->local_endpoint(ec).port();
  if (ec) return fail("getsockname");
  name_ = "ptcp:" + std::to_string(port_) + ":" + host;
  return boost::outcome_v2::success();
}

Result<void> OfListener::listen_unix(const OpenflowTarget& target) {
  name_ = "punix:" + target.path;
  if (target.path.empty() || target.path.size() >= sizeof(sockaddr_un::sun_path)) {
    return make_error(name_ + ": socket path must be 1 to " +
                      std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes long");
  }
  struct stat st;
  if (::lstat(target.path.c_str(), &st) == 0) {
    // A socket left by a process that died; never anything else.
    if (!S_ISSOCK(st.st_mode)) return make_error(name_ + ": exists and is not a socket");
    if (::unlink(target.path.c_str()) != 0) {
      return make_error(name_ + ": cannot remove stale socket: " + std::strerror(errno));
    }
  }
  error_code ec;
  auto fail = [&](const char* step) {
    return make_error(name_ + ": " + step + " failed: " + ec.message());
  };
  const asio::local::stream_protocol::endpoint endpoint(target.path);
  unix_.emplace(io_);
  if (unix_->open(endpoint.protocol(), ec)) return fail("socket");
  if (unix_->bind(endpoint, ec)) return fail("bind");
  path_ = target.path;
  if (::stat(path_.c_str(), &st) == 0) {
    path_dev_ = st.st_dev;
    path_ino_ = st.st_ino;
  }
  if (unix_->listen(asio::socket_base::max_listen_connections, ec)) {
    remove_socket_file();
    return fail("listen");
  }
  return boost::outcome_v2::success();
}

void OfListener::accept_next() {
  if (tcp_) accept_on(*tcp_);
  if (unix_) accept_on(*unix_);
}

template <class Acceptor>
void OfListener::accept_on(Acceptor& acceptor) {
  acceptor.async_accept([weak = weak_from_this()](const error_code& ec,
                                                  typename Acceptor::protocol_type::socket peer) {
    const std::shared_ptr<OfListener> self = weak.lock();
    if (!self || !self->open_) return;
    if (ec) {
      self->on_accept_error(ec);
      return;
    }
    self->adopt(OfConnection::create(std::move(peer), self->connection_handlers(), self->clock_));
    self->accept_next();
  });
}

void OfListener::on_accept_error(const error_code& ec) {
  if (ec == asio::error::operation_aborted) return;
  // EMFILE and the like: accepting again at once would spin, so wait a little.
  logger()->warn("{}: accept failed: {}", name_, ec.message());
  retry_timer_.expires_after(kAcceptRetry);
  retry_timer_.async_wait([weak = weak_from_this()](const error_code& timer_ec) {
    const std::shared_ptr<OfListener> self = weak.lock();
    if (timer_ec || !self || !self->open_) return;
    self->accept_next();
  });
}

OfHandlers OfListener::connection_handlers() {
  // The connection leaves connections_ when it closes; the user's on_close runs after that.
  OfHandlers handlers = handlers_;
  handlers.on_close = [weak = weak_from_this(), user_on_close = handlers_.on_close](
                          OfConnection& closed, std::string_view reason) {
    if (const std::shared_ptr<OfListener> self = weak.lock()) {
      std::erase_if(self->connections_, [&](const auto& c) { return c.get() == &closed; });
    }
    if (user_on_close) user_on_close(closed, reason);
  };
  return handlers;
}

void OfListener::adopt(std::shared_ptr<OfConnection> connection) {
  logger()->debug("{}: accepted a connection from {}", name_, connection->peer());
  connections_.push_back(connection);
  connection->start();
}

void OfListener::close() {
  if (!open_ && connections_.empty() && path_.empty()) return;
  open_ = false;
  error_code ignored;
  if (tcp_) tcp_->close(ignored);
  if (unix_) unix_->close(ignored);
  retry_timer_.cancel();
  remove_socket_file();
  // Closing a connection erases it from connections_ (on_close): work on a copy.
  std::vector<std::shared_ptr<OfConnection>> connections = std::move(connections_);
  connections_.clear();
  for (const auto& connection : connections) connection->close("listener closed");
}

void OfListener::remove_socket_file() {
  if (path_.empty()) return;
  struct stat st;
  // Only our own socket: another listener may have replaced it since.
  if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) &&
      static_cast<uint64_t>(st.st_dev) == path_dev_ &&
      static_cast<uint64_t>(st.st_ino) == path_ino_) {
    ::unlink(path_.c_str());
  }
  path_.clear();
}

// OfActiveConnection.

OfActiveConnection::OfActiveConnection(asio::io_context& io, const OpenflowTarget& target,
                                       ReconnectSettings settings, OfHandlers handlers,
                                       const Clock& clock)
    : io_(io),
      target_(target),
      handlers_(std::move(handlers)),
      clock_(clock),
      reconnect_(settings),
      timer_(io) {
  if (target.kind == OpenflowTarget::Kind::kUnix) {
    name_ = "unix:" + target.path;
  } else {
    const bool v6 = target.host.find(':') != std::string::npos;
    name_ =
        "tcp:" + (v6 ? "[" + target.host + "]" : target.host) + ":" + std::to_string(target.port);
  }
}

OfActiveConnection::~OfActiveConnection() {
  // As stop(), without telling the observer about an object that is going away.
  timer_.cancel();
  drop_attempt("controller removed");
}

Result<std::shared_ptr<OfActiveConnection>> OfActiveConnection::create(asio::io_context& io,
                                                                       const OpenflowTarget& target,
                                                                       ReconnectSettings settings,
                                                                       OfHandlers handlers,
                                                                       const Clock& clock) {
  if (target.kind != OpenflowTarget::Kind::kTcp && target.kind != OpenflowTarget::Kind::kUnix) {
    return make_error("OfActiveConnection: only tcp: and unix: targets connect");
  }
  if (target.kind == OpenflowTarget::Kind::kUnix &&
      (target.path.empty() || target.path.size() >= sizeof(sockaddr_un::sun_path))) {
    return make_error("unix:" + target.path + ": socket path must be 1 to " +
                      std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes long");
  }
  settings.passive = false;
  return std::shared_ptr<OfActiveConnection>(
      new OfActiveConnection(io, target, settings, std::move(handlers), clock));
}

void OfActiveConnection::start() {
  reconnect_.enable(clock_.now());
  run();
}

void OfActiveConnection::stop() {
  reconnect_.disable(clock_.now());
  drop_attempt("controller disabled");
  timer_.cancel();
  notify();
}

void OfActiveConnection::set_backoff(Reconnect::Duration min_backoff,
                                     Reconnect::Duration max_backoff) {
  reconnect_.set_backoff(min_backoff, max_backoff);
  run();
}

void OfActiveConnection::set_probe_interval(Reconnect::Duration probe_interval) {
  reconnect_.set_probe_interval(probe_interval);
  run();
}

void OfActiveConnection::send(const ofp::Message& message) {
  if (const std::shared_ptr<OfConnection> connection = this->connection()) {
    connection->send(message);
  }
}

void OfActiveConnection::run() {
  // Each action moves the machine to a state that waits, so this ends after a few rounds.
  for (bool acted = true; acted;) {
    acted = true;
    switch (reconnect_.run(clock_.now())) {
      case Reconnect::Action::kNone:
        acted = false;
        break;
      case Reconnect::Action::kConnect:
        start_attempt();
        break;
      case Reconnect::Action::kDisconnect:
        logger()->info("{}: {}, disconnecting", name_, reconnect_.last_error());
        drop_attempt(reconnect_.last_error());
        break;
      case Reconnect::Action::kProbe:
        if (connection_) connection_->send({connection_->next_xid(), ofp::EchoRequest{}});
        break;
    }
  }
  schedule();
  notify();
}

void OfActiveConnection::start_attempt() {
  const uint64_t generation = ++generation_;
  auto weak = weak_from_this();
  if (target_.kind == OpenflowTarget::Kind::kUnix) {
    unix_attempt_.emplace(io_);
    unix_attempt_->async_connect(asio::local::stream_protocol::endpoint(target_.path),
                                 [weak, generation](const error_code& ec) {
                                   const std::shared_ptr<OfActiveConnection> self = weak.lock();
                                   if (!self || generation != self->generation_) return;
                                   if (ec) return self->attempt_failed(generation, ec.message());
                                   asio::local::stream_protocol::socket socket =
                                       std::move(*self->unix_attempt_);
                                   self->unix_attempt_.reset();
                                   self->connection_ = OfConnection::create(
                                       OfConnection::Socket(std::move(socket)), self->name_,
                                       self->connection_handlers(generation), self->clock_);
                                   self->connection_->start();
                                 });
    return;
  }
  resolver_.emplace(io_);
  resolver_->async_resolve(
      target_.host, std::to_string(target_.port), asio::ip::tcp::resolver::numeric_service,
      [weak, generation](const error_code& ec, asio::ip::tcp::resolver::results_type results) {
        const std::shared_ptr<OfActiveConnection> self = weak.lock();
        if (!self || generation != self->generation_) return;
        if (ec) return self->attempt_failed(generation, ec.message());
        self->tcp_attempt_.emplace(self->io_);
        asio::async_connect(
            *self->tcp_attempt_, results,
            [weak, generation](const error_code& connect_ec, const asio::ip::tcp::endpoint&) {
              const std::shared_ptr<OfActiveConnection> self = weak.lock();
              if (!self || generation != self->generation_) return;
              if (connect_ec) return self->attempt_failed(generation, connect_ec.message());
              asio::ip::tcp::socket socket = std::move(*self->tcp_attempt_);
              self->tcp_attempt_.reset();
              self->connection_ = OfConnection::create(
                  std::move(socket), self->connection_handlers(generation), self->clock_);
              self->connection_->start();
            });
      });
}

void OfActiveConnection::attempt_failed(uint64_t generation, std::string_view error) {
  if (generation != generation_) return;
  logger()->debug("{}: connection attempt failed: {}", name_, error);
  resolver_.reset();
  tcp_attempt_.reset();
  unix_attempt_.reset();
  reconnect_.connect_failed(clock_.now(), error);
  run();
}

void OfActiveConnection::drop_attempt(std::string_view reason) {
  ++generation_;  // whatever completes later belongs to no one
  resolver_.reset();
  tcp_attempt_.reset();
  unix_attempt_.reset();
  if (connection_) {
    const std::shared_ptr<OfConnection> connection = std::exchange(connection_, nullptr);
    connection->close(reason);
  }
}

OfHandlers OfActiveConnection::connection_handlers(uint64_t generation) {
  // Each wrapper reports to the Reconnect machine, if the connection is still the current one,
  // and then to the owner's handler.
  auto current = [weak = weak_from_this(), generation]() -> std::shared_ptr<OfActiveConnection> {
    std::shared_ptr<OfActiveConnection> self = weak.lock();
    return self && self->generation_ == generation ? self : nullptr;
  };
  OfHandlers handlers = handlers_;
  handlers.on_ready = [current, user = handlers_.on_ready](OfConnection& connection) {
    if (const auto self = current()) {
      logger()->info("{}: connected", self->name_);
      self->reconnect_.connected(self->clock_.now());
      self->run();
    }
    if (user) user(connection);
  };
  handlers.on_activity = [current, user = handlers_.on_activity](OfConnection& connection) {
    if (const auto self = current()) {
      const Reconnect::State before = self->reconnect_.state();
      self->reconnect_.activity(self->clock_.now());
      // An early timer is harmless, so only a change of state needs run() at once.
      if (self->reconnect_.state() != before) self->run();
    }
    if (user) user(connection);
  };
  handlers.on_close = [current, user = handlers_.on_close](OfConnection& connection,
                                                           std::string_view reason) {
    if (const auto self = current()) {
      self->connection_.reset();
      if (self->reconnect_.state() == Reconnect::State::kConnecting) {
        self->reconnect_.connect_failed(self->clock_.now(), reason);  // before the HELLOs
      } else {
        logger()->info("{}: connection dropped ({})", self->name_, reason);
        self->reconnect_.disconnected(self->clock_.now(), reason);
      }
      self->run();
    }
    if (user) user(connection, reason);
  };
  return handlers;
}

void OfActiveConnection::schedule() {
  const std::optional<Reconnect::TimePoint> wakeup = reconnect_.wakeup();
  if (!wakeup) {
    timer_.cancel();
    return;
  }
  // A delay rather than a deadline, so that the injected clock need not be the steady clock.
  timer_.expires_after(std::max(Clock::TimePoint::duration::zero(), *wakeup - clock_.now()));
  timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
    if (ec) return;
    if (const std::shared_ptr<OfActiveConnection> self = weak.lock()) self->run();
  });
}

void OfActiveConnection::notify() {
  if (reconnect_.state() == notified_state_) return;
  notified_state_ = reconnect_.state();
  if (status_observer_) status_observer_(*this);
}

}  // namespace vs::controller
