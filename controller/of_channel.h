// The OpenFlow channel over Boost.Asio: one framed, version-negotiated connection to a peer
// (OfConnection), the passive ptcp:/punix: listeners that accept them (OfListener), and the
// active tcp:/unix: targets that Reconnect (reconnect.h) keeps connected (OfActiveConnection).
// Messages are typed by the codec in ofp_message.h. Everything runs on the control thread's
// io_context: no locks, and no callback is ever invoked from another thread.
#pragma once

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controller/ofp_message.h"
#include "controller/reconnect.h"
#include "lib/clock.h"
#include "lib/openflow_target.h"
#include "lib/result.h"

namespace vs::controller {

class OfConnection;

// What a connection reports to its owner. Every member may be empty. They are called on the
// io_context's thread, never from inside send() or close() except on_close (see close()).
// Handlers must not own the connection (capture a weak_ptr if they need one): it keeps itself
// alive while it has I/O pending and drops them when it is destroyed.
struct OfHandlers {
  // Version negotiation succeeded: the peer may now be sent requests.
  std::function<void(OfConnection&)> on_ready;
  // A negotiated message that decoded, other than ECHO_REQUEST (answered here). `raw` is the
  // message as framed, valid only during the call. The handler may send() and close().
  std::function<void(OfConnection&, const ofp::Message&, std::span<const uint8_t> raw)> on_message;
  // After the messages of one read were handed to on_message: nothing more from this peer is
  // waiting. A handler that holds messages back to apply them together applies them now.
  std::function<void(OfConnection&)> on_idle;
  // Every complete message received (before it is handled): the keep-alive's sign of life.
  std::function<void(OfConnection&)> on_activity;
  // Once, when the connection closes, whatever closed it: the peer's EOF, a read or write
  // error, a protocol violation, failed version negotiation, or close(). Not called if the
  // io_context is destroyed with the connection still open. `reason` is for logs.
  std::function<void(OfConnection&, std::string_view reason)> on_close;

  // Not a handler: the versions this side may negotiate, as a bitmap (bit n: version n),
  // intersected with what the channel speaks (OpenFlow 1.3). 0 means all of those. A bitmap
  // without 1.3 (Bridge.protocols=OpenFlow10) makes every negotiation fail.
  uint32_t versions = 0;
};

// One OpenFlow 1.3 peer over a connected stream socket (TCP or unix). On start() it sends our
// HELLO (version 1.3, a version bitmap holding only 1.3, as Open vSwitch does) and negotiates
// as OpenFlow 1.3.5 section 6.3.1 says; afterwards it answers ECHO_REQUEST itself, answers a
// message decode() refuses with that OFPT_ERROR (the connection stays up) and hands the rest to
// on_message. Until the peer's HELLO arrives, any other message closes the connection without
// an answer: that is what Open vSwitch's vconn does ("received message while expecting hello").
//
// Lifetime: always held by a shared_ptr (create()); pending reads and writes hold one, so the
// connection lives until it is closed even if its owner lets go. close() from any callback is
// safe. Destroy it (and any OfListener) before the io_context.
class OfConnection : public std::enable_shared_from_this<OfConnection> {
 public:
  using Socket = boost::asio::generic::stream_protocol::socket;
  enum class State { kHello, kReady, kClosing, kClosed };

  // `socket` is connected; `peer` names the other end in logs ("127.0.0.1:5555", "unix").
  // Nothing happens until start().
  static std::shared_ptr<OfConnection> create(Socket socket, std::string peer, OfHandlers handlers,
                                              const Clock& clock);
  // The same for the two concrete socket types; the peer's name is taken from the socket.
  static std::shared_ptr<OfConnection> create(boost::asio::ip::tcp::socket socket,
                                              OfHandlers handlers, const Clock& clock);
  static std::shared_ptr<OfConnection> create(boost::asio::local::stream_protocol::socket socket,
                                              OfHandlers handlers, const Clock& clock);
  ~OfConnection();

  OfConnection(const OfConnection&) = delete;
  OfConnection& operator=(const OfConnection&) = delete;

  // Sends our HELLO and starts reading. Call once.
  void start();

  // Queue one message (encoded as version 1.3) or bytes already framed. Writes go out in order,
  // one async_write at a time. Dropped silently once the connection is closing or closed: the
  // owner learns of the end from on_close, not from each send. A write error closes the
  // connection and drops what is queued.
  void send(const ofp::Message& message);
  void send_raw(std::vector<uint8_t> bytes);

  // Closes the socket at once, drops queued writes and calls on_close (synchronously, once).
  // Later calls do nothing. Safe from inside any handler.
  void close(std::string_view reason = "closed locally");

  State state() const { return state_; }
  bool is_ready() const { return state_ == State::kReady; }
  bool is_closed() const { return state_ == State::kClosed; }
  const std::string& peer() const { return peer_; }
  // The negotiated version (kVersion13) once ready; 0 before.
  uint8_t version() const { return version_; }
  // When the last complete message was received (start() counts as activity).
  Clock::TimePoint last_activity() const { return last_activity_; }
  // Bytes queued or being written: lets an owner drop packet-ins to a slow controller.
  size_t queued_bytes() const { return queued_bytes_; }
  // A transaction id for a request this side starts (HELLO, echo probes, ...).
  uint32_t next_xid() { return next_xid_++; }

 private:
  OfConnection(Socket socket, std::string peer, OfHandlers handlers, const Clock& clock);

  void read_more();
  void on_read(const boost::system::error_code& ec, size_t n);
  void handle_message(std::span<const uint8_t> raw);
  void negotiate(std::span<const uint8_t> raw);
  uint32_t our_versions() const;
  void write_next();
  void on_write(const boost::system::error_code& ec);
  // Closes once everything queued is written (after HELLO_FAILED).
  void close_after_flush(std::string reason);

  Socket socket_;
  std::string peer_;
  OfHandlers handlers_;
  const Clock& clock_;
  State state_ = State::kHello;
  bool started_ = false;
  uint8_t version_ = 0;
  uint32_t next_xid_ = 1;
  Clock::TimePoint last_activity_{};

  // Received bytes in in_[in_begin_, in_end_); big enough for the largest message.
  std::vector<uint8_t> in_;
  size_t in_begin_ = 0;
  size_t in_end_ = 0;

  std::deque<std::vector<uint8_t>> out_queue_;   // waiting for the current write
  std::vector<std::vector<uint8_t>> out_batch_;  // being written by the one async_write
  bool writing_ = false;
  size_t queued_bytes_ = 0;
  std::string close_reason_;  // for kClosing
};

// A passive target: punix:PATH or ptcp:PORT[:IP]. Accepts any number of peers, each an
// OfConnection started with the listener's handlers. punix: replaces a stale socket file at
// PATH (but not a file of another kind) and removes its own file when closed or destroyed;
// ptcp: sets SO_REUSEADDR, and port 0 picks a free port (see port()).
// Held by a shared_ptr so that a late accept completion can tell the listener is gone.
class OfListener : public std::enable_shared_from_this<OfListener> {
 public:
  // Errors: a target that is not ptcp:/punix:, a bad address, a path too long or occupied by
  // something other than a socket, and bind/listen failures, each naming the target.
  static Result<std::shared_ptr<OfListener>> open(boost::asio::io_context& io,
                                                  const OpenflowTarget& target, OfHandlers handlers,
                                                  const Clock& clock);
  ~OfListener();  // close()

  OfListener(const OfListener&) = delete;
  OfListener& operator=(const OfListener&) = delete;

  // Stops accepting, closes every connection (each calls on_close) and removes the socket file.
  void close();
  bool is_open() const { return open_; }

  // The bound TCP port (useful after ptcp:0), or 0 for punix:.
  uint16_t port() const { return port_; }
  // "punix:/run/br0.mgmt", "ptcp:127.0.0.1:6653".
  const std::string& name() const { return name_; }
  // The connections not yet closed, oldest first.
  const std::vector<std::shared_ptr<OfConnection>>& connections() const { return connections_; }

 private:
  OfListener(boost::asio::io_context& io, OfHandlers handlers, const Clock& clock);

  Result<void> listen_tcp(const OpenflowTarget& target);
  Result<void> listen_unix(const OpenflowTarget& target);
  // Accepts the next peer on whichever acceptor this listener has.
  void accept_next();
  template <class Acceptor>
  void accept_on(Acceptor& acceptor);
  void on_accept_error(const boost::system::error_code& ec);
  OfHandlers connection_handlers();
  void adopt(std::shared_ptr<OfConnection> connection);
  void remove_socket_file();

  boost::asio::io_context& io_;
  OfHandlers handlers_;
  const Clock& clock_;
  std::optional<boost::asio::ip::tcp::acceptor> tcp_;
  std::optional<boost::asio::local::stream_protocol::acceptor> unix_;
  boost::asio::steady_timer retry_timer_;  // after accept errors such as EMFILE
  bool open_ = false;
  uint16_t port_ = 0;
  std::string name_;
  std::string path_;                      // punix: the socket file we created
  uint64_t path_dev_ = 0, path_ino_ = 0;  // ... identified, so that we never remove another's
  std::vector<std::shared_ptr<OfConnection>> connections_;
};

// An active target, tcp:HOST[:PORT] or unix:PATH, kept connected by a Reconnect machine: it
// connects (the attempt ends when the HELLOs are exchanged, as in OVS's rconn), backs off after
// failures, sends ECHO_REQUEST to an idle peer and drops one that stays silent. Every received
// message counts as activity. Each connection gets the given handlers.
//
// A steady_timer calls run() at Reconnect::wakeup(), measured on the injected clock; a test with
// a ManualClock moves the clock and calls run() itself. Held by a shared_ptr (the timer and the
// connect handlers hold weak ones); destroy it before the io_context.
class OfActiveConnection : public std::enable_shared_from_this<OfActiveConnection> {
 public:
  // Errors: a target that is not tcp: or unix:. Nothing happens until start().
  static Result<std::shared_ptr<OfActiveConnection>> create(boost::asio::io_context& io,
                                                            const OpenflowTarget& target,
                                                            ReconnectSettings settings,
                                                            OfHandlers handlers,
                                                            const Clock& clock);
  ~OfActiveConnection();  // stop()

  OfActiveConnection(const OfActiveConnection&) = delete;
  OfActiveConnection& operator=(const OfActiveConnection&) = delete;

  // Enables the target: the first attempt starts at once.
  void start();
  // Disables it: drops the attempt or connection (its on_close fires) and stops the timer.
  void stop();
  // Carries out what the Reconnect machine asks for now, then sets the timer.
  void run();

  // New Controller-row settings; take effect at once.
  void set_backoff(Reconnect::Duration min_backoff, Reconnect::Duration max_backoff);
  void set_probe_interval(Reconnect::Duration probe_interval);

  // Called after every change of reconnect().state(): feeds Controller.is_connected and status.
  void set_status_observer(std::function<void(const OfActiveConnection&)> observer) {
    status_observer_ = std::move(observer);
  }
  const Reconnect& reconnect() const { return reconnect_; }
  bool is_connected() const { return reconnect_.is_connected(); }
  // "tcp:127.0.0.1:6653", "unix:/run/ctl.sock".
  const std::string& name() const { return name_; }
  // The negotiated connection, or null.
  std::shared_ptr<OfConnection> connection() const {
    return is_connected() ? connection_ : nullptr;
  }
  // Sends on the negotiated connection; dropped when there is none (as OVS's rconn does).
  void send(const ofp::Message& message);

 private:
  OfActiveConnection(boost::asio::io_context& io, const OpenflowTarget& target,
                     ReconnectSettings settings, OfHandlers handlers, const Clock& clock);

  void start_attempt();
  void drop_attempt(std::string_view reason);
  void attempt_failed(uint64_t generation, std::string_view error);
  OfHandlers connection_handlers(uint64_t generation);
  void schedule();
  void notify();

  boost::asio::io_context& io_;
  OpenflowTarget target_;
  std::string name_;
  OfHandlers handlers_;
  const Clock& clock_;
  Reconnect reconnect_;
  boost::asio::steady_timer timer_;
  // Completions of an older attempt or connection carry an older generation and are ignored.
  uint64_t generation_ = 0;
  std::optional<boost::asio::ip::tcp::resolver> resolver_;
  std::optional<boost::asio::ip::tcp::socket> tcp_attempt_;
  std::optional<boost::asio::local::stream_protocol::socket> unix_attempt_;
  std::shared_ptr<OfConnection> connection_;  // from TCP/unix connect until it closes
  std::function<void(const OfActiveConnection&)> status_observer_;
  Reconnect::State notified_state_ = Reconnect::State::kVoid;
};

}  // namespace vs::controller
