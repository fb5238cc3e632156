// The OpenFlow channel (controller/of_channel.h) over real sockets: HELLO bytes and version
// negotiation, echo, errors for malformed input, framing across partial reads and writes,
// the punix:/ptcp: listeners, and ovs-ofctl as a real client. Each test runs its io_context
// until a condition holds or a deadline passes; nothing sleeps.
#include "controller/of_channel.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "tests/controller/ofp_golden.h"
#include "tests/support/hex.h"

namespace vs::controller {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;
using UnixSocket = asio::local::stream_protocol::socket;

using vs::testing::to_hex;

Bytes hex(std::string_view text) { return vs::testing::from_hex(text); }

// A message's hex with its xid blanked, for comparing our HELLO, whose xid is ours to choose.
std::string without_xid(std::span<const uint8_t> bytes) {
  std::string text = to_hex(bytes);
  if (text.size() >= 16) text.replace(8, 8, "xxxxxxxx");
  return text;
}

// Runs `io` until `done` holds; false if the deadline passed first.
bool run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(deadline - now);
  }
  return true;
}

// The test's end of a connection: writes bytes as given, collects what arrives. Its state is
// shared with the pending read, so the peer may go away while the read is still queued.
template <class Socket>
class TestPeer {
 public:
  explicit TestPeer(Socket socket) : state_(std::make_shared<State>(std::move(socket))) {
    read(state_);
  }

  void write(const Bytes& bytes) { asio::write(state_->socket, asio::buffer(bytes)); }
  void write(std::string_view hex_text) { write(hex(hex_text)); }

  // The next whole message, or nullopt on EOF or timeout.
  std::optional<Bytes> next(asio::io_context& io) {
    run_until(io, [&] { return state_->eof || whole_message(); });
    if (!whole_message()) return std::nullopt;
    const size_t length = size_t{state_->received[2]} << 8 | state_->received[3];
    Bytes message(state_->received.begin(), state_->received.begin() + length);
    state_->received.erase(state_->received.begin(), state_->received.begin() + length);
    return message;
  }
  std::string next_hex(asio::io_context& io) {
    std::optional<Bytes> message = next(io);
    return message ? to_hex(*message) : "(none)";
  }

  // True once the other side has closed and everything it sent has been taken by next().
  bool closed_after_all_read(asio::io_context& io) {
    run_until(io, [&] { return state_->eof; });
    return state_->eof && state_->received.empty();
  }

  Socket& socket() { return state_->socket; }

 private:
  struct State {
    explicit State(Socket s) : socket(std::move(s)) {}
    Socket socket;
    std::array<uint8_t, 4096> buffer;
    Bytes received;
    bool eof = false;
  };

  static void read(std::shared_ptr<State> state) {
    State& s = *state;
    s.socket.async_read_some(
        asio::buffer(s.buffer),
        [state = std::move(state)](const boost::system::error_code& ec, size_t n) {
          if (ec) {
            state->eof = true;
            return;
          }
          state->received.insert(state->received.end(), state->buffer.begin(),
                                 state->buffer.begin() + n);
          read(state);
        });
  }

  bool whole_message() const {
    const Bytes& r = state_->received;
    return r.size() >= 4 && r.size() >= (size_t{r[2]} << 8 | r[3]);
  }

  std::shared_ptr<State> state_;
};

constexpr std::string_view kOurHello = "04000010xxxxxxxx0001000800000010";
constexpr std::string_view kOfctlHello = "04000010000000010001000800000010";

// A temporary directory for socket files, removed with its contents.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/of_channel_test.XXXXXX";
    path_ = ::mkdtemp(name) ? name : "";
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  std::string operator/(std::string_view file) const { return path_ + "/" + std::string(file); }

 private:
  std::string path_;
};

class OfChannel : public ::testing::Test {
 protected:
  // What every connection reports, recorded for the test; `reply_` answers messages.
  OfHandlers handlers() {
    OfHandlers h;
    h.on_ready = [this](OfConnection&) { ++ready_; };
    h.on_message = [this](OfConnection& c, const ofp::Message& m, std::span<const uint8_t> raw) {
      messages_.push_back(m);
      raw_.emplace_back(raw.begin(), raw.end());
      if (reply_) reply_(c, m);
    };
    h.on_activity = [this](OfConnection&) { ++activity_; };
    h.on_close = [this](OfConnection&, std::string_view reason) {
      ++closed_;
      close_reason_ = reason;
    };
    return h;
  }

  // A started connection over a socketpair; the test holds the other end in peer_.
  void connect_pair() {
    UnixSocket ours(io_), theirs(io_);
    asio::local::connect_pair(ours, theirs);
    if (small_send_buffer_) ours.set_option(asio::socket_base::send_buffer_size(4096));
    conn_ = OfConnection::create(std::move(ours), handlers(), clock_);
    peer_.emplace(std::move(theirs));
    conn_->start();
  }

  // connect_pair() and the HELLO exchange, as ovs-ofctl does it.
  void connect_ready() {
    connect_pair();
    ASSERT_EQ(without_xid(peer_->next(io_).value()), kOurHello);
    peer_->write(kOfctlHello);
    ASSERT_TRUE(run_until(io_, [&] { return ready_ == 1; }));
  }

  // Plays a golden capture: writes the client's messages, expects the switch's in order.
  void replay(std::span<const golden::Message> capture) {
    for (const golden::Message& m : capture) {
      if (!m.from_switch) {
        peer_->write(m.hex);
        continue;
      }
      std::optional<Bytes> got = peer_->next(io_);
      ASSERT_TRUE(got) << "expected " << m.hex;
      if (got->size() > 1 && (*got)[1] == 0) {  // HELLO: the xid is ours
        EXPECT_EQ(without_xid(*got), without_xid(hex(m.hex)));
      } else {
        EXPECT_EQ(to_hex(*got), m.hex);
      }
    }
  }

  asio::io_context io_;
  SteadyClock clock_;
  ManualClock manual_;  // for active targets: the test moves Reconnect's time
  bool small_send_buffer_ = false;
  int ready_ = 0, activity_ = 0, closed_ = 0;
  std::string close_reason_;
  std::vector<ofp::Message> messages_;
  std::vector<Bytes> raw_;
  std::function<void(OfConnection&, const ofp::Message&)> reply_;
  std::shared_ptr<OfConnection> conn_;
  std::optional<TestPeer<UnixSocket>> peer_;
};

// Hello and version negotiation.

TEST_F(OfChannel, SendsItsHelloAtOnceWithOnlyVersion13InTheBitmap) {
  connect_pair();
  EXPECT_EQ(without_xid(peer_->next(io_).value()), kOurHello);
  EXPECT_EQ(conn_->state(), OfConnection::State::kHello);
  EXPECT_EQ(conn_->version(), 0);
}

TEST_F(OfChannel, NegotiatesWithTheHelloOfOvsOfctl) {
  connect_pair();
  replay(golden::kProbe);
  EXPECT_EQ(ready_, 1);
  EXPECT_TRUE(conn_->is_ready());
  EXPECT_EQ(conn_->version(), ofp::kVersion13);
  EXPECT_TRUE(messages_.empty());  // the echo was answered by the connection
}

TEST_F(OfChannel, NegotiatesAVersion4HelloWithoutBitmap) {
  connect_pair();
  peer_->write("0400000800000007");
  EXPECT_TRUE(run_until(io_, [&] { return ready_ == 1; }));
  EXPECT_EQ(conn_->version(), ofp::kVersion13);
}

TEST_F(OfChannel, TakesVersion13FromAnOpenFlow15PeerWithoutBitmap) {
  connect_pair();
  peer_->write("0600000800000007");
  ASSERT_TRUE(run_until(io_, [&] { return ready_ == 1; }));
  EXPECT_EQ(conn_->version(), ofp::kVersion13);
  without_xid(peer_->next(io_).value());  // our HELLO
  peer_->write("0402000800000009");
  EXPECT_EQ(peer_->next_hex(io_), "0403000800000009");
}

TEST_F(OfChannel, NegotiatesFromABitmapThatHolds13WhateverTheHeaderSays) {
  connect_pair();
  peer_->write("06000010000000070001000800000072");  // versions 1, 4, 5, 6
  EXPECT_TRUE(run_until(io_, [&] { return ready_ == 1; }));
}

TEST_F(OfChannel, AnOpenFlow10PeerGetsHelloFailedAndIsClosed) {
  connect_pair();
  // Byte for byte what Open vSwitch 3.1 answers `ovs-ofctl -O OpenFlow10` (a version-1 error).
  for (const golden::Message& m : golden::kErrorHelloOf10) {
    // The client's own HELLO_FAILED to the switch (version 4) is not replayed.
    if (!m.from_switch && m.hex.starts_with("01")) peer_->write(m.hex);
    if (!m.from_switch) continue;
    const std::optional<Bytes> got = peer_->next(io_);
    ASSERT_TRUE(got) << "expected " << m.hex;
    if ((*got)[1] == 0) {  // our HELLO, whose xid differs
      EXPECT_EQ(without_xid(*got), without_xid(hex(m.hex)));
    } else {
      EXPECT_EQ(to_hex(*got), m.hex);
    }
  }
  EXPECT_TRUE(peer_->closed_after_all_read(io_));
  EXPECT_EQ(ready_, 0);
  EXPECT_EQ(closed_, 1);
  EXPECT_EQ(close_reason_, "version negotiation failed");
}

TEST_F(OfChannel, ABitmapWithout13GetsHelloFailedInThePeersHighestVersion) {
  connect_pair();
  without_xid(peer_->next(io_).value());
  peer_->write("04000010000000070001000800000006");  // versions 1 and 2, header says 4
  const Bytes text(std::string_view("We support version 0x04, you support version 0x02 and "
                                    "earlier, no common versions.")
                       .begin(),
                   std::string_view("We support version 0x04, you support version 0x02 and "
                                    "earlier, no common versions.")
                       .end());
  Bytes expected = ofp::encode({0, ofp::ErrorMsg{ofp::err::kHelloIncompatible, text}});
  expected[0] = 2;
  EXPECT_EQ(peer_->next_hex(io_), to_hex(expected));
  EXPECT_TRUE(peer_->closed_after_all_read(io_));
}

TEST_F(OfChannel, AMessageBeforeHelloClosesWithoutAnAnswer) {
  connect_pair();
  without_xid(peer_->next(io_).value());
  peer_->write("0402000800000001");  // ECHO_REQUEST: OVS drops such a peer and says nothing
  EXPECT_TRUE(peer_->closed_after_all_read(io_));
  EXPECT_EQ(closed_, 1);
  EXPECT_EQ(close_reason_, "received message while expecting hello");
}

// After negotiation.

TEST_F(OfChannel, AnswersAnEchoRequestWithTheSameXidAndData) {
  connect_ready();
  peer_->write("0402000c12345678deadbeef");
  EXPECT_EQ(peer_->next_hex(io_), "0403000c12345678deadbeef");
  EXPECT_TRUE(messages_.empty());
  EXPECT_GE(activity_, 2);  // the HELLO and the echo
}

TEST_F(OfChannel, AMalformedMessageGetsTheErrorWithItsBytesAndTheConnectionStaysUp) {
  connect_ready();
  // FEATURES_REQUEST has no body: four extra bytes earn OFPBRC_BAD_LEN.
  peer_->write("0405000c00000042aabbccdd");
  EXPECT_EQ(peer_->next_hex(io_),
            "0401001800000042"
            "00010006"
            "0405000c00000042aabbccdd");
  // A type this switch does not take (METER_MOD): OFPBRC_BAD_TYPE.
  peer_->write("041d001000000043 0000000000000000");
  EXPECT_EQ(peer_->next_hex(io_),
            "0401001c00000043"
            "00010001"
            "041d0010000000430000000000000000");
  // A 1.0 message after negotiating 1.3: OFPBRC_BAD_VERSION.
  peer_->write("0105000800000044");
  EXPECT_EQ(peer_->next_hex(io_),
            "0401001400000044"
            "00010000"
            "0105000800000044");
  EXPECT_TRUE(messages_.empty());
  peer_->write("0402000800000045");
  EXPECT_EQ(peer_->next_hex(io_), "0403000800000045");
  EXPECT_EQ(closed_, 0);
}

TEST_F(OfChannel, MessagesReachTheHandlerAndItsRepliesReachThePeer) {
  connect_pair();
  reply_ = [](OfConnection& c, const ofp::Message& m) {
    if (std::holds_alternative<ofp::BarrierRequest>(m.body)) {
      c.send({m.xid, ofp::BarrierReply{}});
    }
  };
  replay(golden::kDelFlowsAll);  // FLOW_MOD, BARRIER_REQUEST -> BARRIER_REPLY
  ASSERT_EQ(messages_.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<ofp::FlowMod>(messages_[0].body));
  EXPECT_EQ(to_hex(raw_[0]), golden::kDelFlowsAll[2].hex);
  EXPECT_TRUE(std::holds_alternative<ofp::BarrierRequest>(messages_[1].body));
  EXPECT_EQ(messages_[1].xid, 3u);
}

TEST_F(OfChannel, FramesAMessageThatArrivesOneByteAtATime) {
  connect_ready();
  const Bytes echo = hex("0402001000000077 0102030405060708");
  for (uint8_t byte : echo) {
    peer_->write(Bytes{byte});
    io_.poll();
  }
  EXPECT_EQ(peer_->next_hex(io_),
            "0403001000000077"
            "0102030405060708");
}

TEST_F(OfChannel, WritesALargeReplyThroughASmallSocketBufferInOrder) {
  small_send_buffer_ = true;
  connect_ready();
  // The largest message there is, then small ones that must queue behind its reply.
  Bytes big = hex("0402ffff00000100");
  for (size_t i = big.size(); i < ofp::kMaxMessage; ++i) big.push_back(static_cast<uint8_t>(i));
  peer_->write(big);
  for (int i = 1; i <= 50; ++i) peer_->write("0402000800000100");
  std::optional<Bytes> reply = peer_->next(io_);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->size(), ofp::kMaxMessage);
  EXPECT_EQ(to_hex(std::span(*reply).first(8)), "0403ffff00000100");
  EXPECT_TRUE(std::equal(reply->begin() + 8, reply->end(), big.begin() + 8));
  for (int i = 1; i <= 50; ++i) EXPECT_EQ(peer_->next_hex(io_), "0403000800000100");
}

TEST_F(OfChannel, ManySendsKeepTheirOrder) {
  connect_ready();
  for (uint32_t xid = 1; xid <= 200; ++xid) conn_->send({xid, ofp::BarrierReply{}});
  EXPECT_GT(conn_->queued_bytes(), 0u);
  for (uint32_t xid = 1; xid <= 200; ++xid) {
    ofp::Message expected{xid, ofp::BarrierReply{}};
    ASSERT_EQ(peer_->next_hex(io_), to_hex(ofp::encode(expected)));
  }
  EXPECT_TRUE(run_until(io_, [&] { return conn_->queued_bytes() == 0; }));
}

TEST_F(OfChannel, AHeaderWithALengthBelow8Closes) {
  connect_ready();
  peer_->write("0402000400000001");
  EXPECT_TRUE(peer_->closed_after_all_read(io_));
  EXPECT_EQ(closed_, 1);
  EXPECT_TRUE(conn_->is_closed());
}

TEST_F(OfChannel, ThePeersEofFiresOnCloseOnce) {
  connect_ready();
  peer_->socket().close();
  EXPECT_TRUE(run_until(io_, [&] { return closed_ == 1; }));
  EXPECT_EQ(close_reason_, "connection closed by peer");
  conn_->close();
  conn_->send({1, ofp::BarrierReply{}});  // dropped, no crash
  EXPECT_EQ(closed_, 1);
}

TEST_F(OfChannel, AWriteErrorClosesTheConnectionAndDropsWhatIsQueued) {
  connect_ready();
  // The peer stops reading but stays connected: only our writes can fail (EPIPE).
  peer_->socket().shutdown(asio::socket_base::shutdown_receive);
  for (uint32_t xid = 1; xid <= 3; ++xid) conn_->send({xid, ofp::BarrierReply{}});
  ASSERT_TRUE(run_until(io_, [&] { return closed_ == 1; }));
  EXPECT_EQ(close_reason_, "write error: Broken pipe");
  EXPECT_EQ(conn_->queued_bytes(), 0u);
  conn_->send({4, ofp::BarrierReply{}});
  EXPECT_EQ(conn_->queued_bytes(), 0u);
  EXPECT_EQ(closed_, 1);
}

TEST_F(OfChannel, ClosingFromInsideTheHandlerIsSafe) {
  connect_pair();
  reply_ = [this](OfConnection& c, const ofp::Message&) {
    c.close("handler closed");
    conn_.reset();  // the owner lets go too
  };
  without_xid(peer_->next(io_).value());
  // HELLO, then two barriers in one write: the second must not reach the handler.
  peer_->write(std::string(kOfctlHello) + "0414000800000001" + "0414000800000002");
  EXPECT_TRUE(peer_->closed_after_all_read(io_));
  EXPECT_EQ(messages_.size(), 1u);
  EXPECT_EQ(closed_, 1);
  EXPECT_EQ(close_reason_, "handler closed");
}

TEST_F(OfChannel, TakesThePeersNameFromATcpSocket) {
  auto listener =
      OfListener::open(io_, parse_openflow_target("ptcp:0:127.0.0.1").value(), handlers(), clock_)
          .value();
  asio::ip::tcp::socket client(io_);
  client.connect({asio::ip::make_address("127.0.0.1"), listener->port()});
  const std::string client_name = "127.0.0.1:" + std::to_string(client.local_endpoint().port());
  TestPeer<asio::ip::tcp::socket> peer(std::move(client));
  EXPECT_EQ(without_xid(peer.next(io_).value()), kOurHello);
  ASSERT_EQ(listener->connections().size(), 1u);
  EXPECT_EQ(listener->connections()[0]->peer(), client_name);
}

// Listeners.

TEST_F(OfChannel, PunixRemovesItsSocketFileOnCloseAndOnDestruction) {
  TempDir dir;
  const std::string path = dir / "br0.mgmt";
  auto listener =
      OfListener::open(io_, parse_openflow_target("punix:" + path).value(), handlers(), clock_);
  ASSERT_TRUE(listener) << listener.error().message;
  EXPECT_EQ(listener.value()->name(), "punix:" + path);
  EXPECT_EQ(listener.value()->port(), 0);
  EXPECT_TRUE(std::filesystem::is_socket(path));
  listener.value()->close();
  EXPECT_FALSE(std::filesystem::exists(path));

  auto again =
      OfListener::open(io_, parse_openflow_target("punix:" + path).value(), handlers(), clock_);
  ASSERT_TRUE(again);
  EXPECT_TRUE(std::filesystem::is_socket(path));
  again.value().reset();  // destroys the listener
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(OfChannel, PunixReplacesAStaleSocketFileButNotARegularFile) {
  TempDir dir;
  const std::string path = dir / "stale.sock";
  {
    // A socket file whose listener is gone, as a crashed daemon leaves it.
    asio::local::stream_protocol::acceptor dead(io_, asio::local::stream_protocol::endpoint(path));
  }
  ASSERT_TRUE(std::filesystem::is_socket(path));
  auto listener =
      OfListener::open(io_, parse_openflow_target("punix:" + path).value(), handlers(), clock_);
  ASSERT_TRUE(listener) << listener.error().message;
  UnixSocket client(io_);
  client.connect(asio::local::stream_protocol::endpoint(path));
  TestPeer<UnixSocket> peer(std::move(client));
  EXPECT_EQ(without_xid(peer.next(io_).value()), kOurHello);
  listener.value()->close();

  const std::string regular = dir / "regular";
  std::ofstream(regular) << "keep me";
  auto refused =
      OfListener::open(io_, parse_openflow_target("punix:" + regular).value(), handlers(), clock_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "punix:" + regular + ": exists and is not a socket");
  EXPECT_TRUE(std::filesystem::is_regular_file(regular));
}

TEST_F(OfChannel, PtcpListensOnLoopbackWithPortZero) {
  auto listener =
      OfListener::open(io_, parse_openflow_target("ptcp:0:127.0.0.1").value(), handlers(), clock_);
  ASSERT_TRUE(listener) << listener.error().message;
  const uint16_t port = listener.value()->port();
  ASSERT_NE(port, 0);
  EXPECT_EQ(listener.value()->name(), "ptcp:" + std::to_string(port) + ":127.0.0.1");
  asio::ip::tcp::socket client(io_);
  client.connect({asio::ip::make_address("127.0.0.1"), port});
  TestPeer<asio::ip::tcp::socket> peer(std::move(client));
  peer.write(kOfctlHello);
  EXPECT_EQ(without_xid(peer.next(io_).value()), kOurHello);
  peer.write("0402000800000005");
  EXPECT_EQ(peer.next_hex(io_), "0403000800000005");
  EXPECT_EQ(ready_, 1);
}

TEST_F(OfChannel, ListenersRefuseActiveTargetsAndBadAddresses) {
  EXPECT_FALSE(
      OfListener::open(io_, parse_openflow_target("tcp:127.0.0.1").value(), handlers(), clock_));
  OpenflowTarget bad = parse_openflow_target("ptcp:0").value();
  bad.host = "not-an-address";
  EXPECT_FALSE(OfListener::open(io_, bad, handlers(), clock_));
  const std::string long_path = "punix:/tmp/" + std::string(200, 'x');
  EXPECT_FALSE(OfListener::open(io_, parse_openflow_target(long_path).value(), handlers(), clock_));
}

TEST_F(OfChannel, AListenerServesSeveralConnectionsAtOnceAndClosesThemAll) {
  TempDir dir;
  const std::string path = dir / "multi.sock";
  reply_ = [](OfConnection& c, const ofp::Message& m) { c.send({m.xid, ofp::BarrierReply{}}); };
  auto listener =
      OfListener::open(io_, parse_openflow_target("punix:" + path).value(), handlers(), clock_)
          .value();
  std::vector<TestPeer<UnixSocket>> peers;
  for (int i = 0; i < 4; ++i) {
    UnixSocket client(io_);
    client.connect(asio::local::stream_protocol::endpoint(path));
    peers.emplace_back(std::move(client));
  }
  for (auto& peer : peers) peer.write(kOfctlHello);
  for (auto& peer : peers) EXPECT_EQ(without_xid(peer.next(io_).value()), kOurHello);
  // Interleaved requests; each peer gets its own answer.
  for (uint32_t i = 0; i < peers.size(); ++i) {
    peers[i].write(to_hex(ofp::encode({100 + i, ofp::BarrierRequest{}})));
  }
  for (uint32_t i = 0; i < peers.size(); ++i) {
    EXPECT_EQ(peers[i].next_hex(io_), to_hex(ofp::encode({100 + i, ofp::BarrierReply{}})));
  }
  EXPECT_EQ(ready_, 4);
  EXPECT_EQ(listener->connections().size(), 4u);

  // One peer leaves: the listener forgets it.
  peers[0].socket().close();
  EXPECT_TRUE(run_until(io_, [&] { return listener->connections().size() == 3; }));
  listener->close();
  EXPECT_TRUE(listener->connections().empty());
  EXPECT_EQ(closed_, 4);
  for (size_t i = 1; i < peers.size(); ++i) EXPECT_TRUE(peers[i].closed_after_all_read(io_));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(OfChannel, OvsOfctlProbeSucceedsAgainstAPunixListener) {
  if (::access("/usr/bin/ovs-ofctl", X_OK) != 0) GTEST_SKIP() << "ovs-ofctl is not installed";
  TempDir dir;
  const std::string path = dir / "probe.sock";
  auto listener =
      OfListener::open(io_, parse_openflow_target("punix:" + path).value(), handlers(), clock_)
          .value();
  // The io_context runs on its own thread while ovs-ofctl blocks this one; a work guard keeps
  // it running between connections.
  auto work = asio::make_work_guard(io_);
  std::thread runner([&] { io_.run(); });
  const std::string command =
      "timeout 10 /usr/bin/ovs-ofctl -O OpenFlow13 probe unix:" + path + " 2>&1";
  const int status = std::system(command.c_str());
  asio::post(io_, [&] {
    listener->close();
    io_.stop();
  });
  runner.join();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// Active targets, on a clock the test moves: the Reconnect machine's timer is only a backstop.

TEST_F(OfChannel, AnActiveUnixTargetConnectsOnceTheHellosAreExchanged) {
  TempDir dir;
  const std::string path = dir / "ctl.sock";
  auto controller =
      OfListener::open(io_, parse_openflow_target("punix:" + path).value(), handlers(), clock_)
          .value();
  std::vector<std::string> states;
  std::vector<ofp::Message> switch_got;
  OfHandlers switch_side;
  switch_side.on_message = [&](OfConnection&, const ofp::Message& m, std::span<const uint8_t>) {
    switch_got.push_back(m);
  };
  auto active = OfActiveConnection::create(io_, parse_openflow_target("unix:" + path).value(), {},
                                           switch_side, manual_)
                    .value();
  active->set_status_observer(
      [&](const OfActiveConnection& a) { states.emplace_back(a.reconnect().state_name()); });
  EXPECT_EQ(active->name(), "unix:" + path);
  active->start();
  ASSERT_TRUE(run_until(io_, [&] { return active->is_connected(); }));
  EXPECT_EQ(states, (std::vector<std::string>{"CONNECTING", "ACTIVE"}));
  ASSERT_NE(active->connection(), nullptr);
  EXPECT_EQ(active->connection()->peer(), "unix:" + path);
  EXPECT_EQ(active->reconnect().successful_connections(), 1u);

  // Both ways: the controller asks, the switch side's handler hears it.
  ASSERT_TRUE(run_until(io_, [&] { return ready_ == 1; }));
  controller->connections()[0]->send({77, ofp::BarrierRequest{}});
  ASSERT_TRUE(run_until(io_, [&] { return switch_got.size() == 1; }));
  EXPECT_EQ(switch_got[0], (ofp::Message{77, ofp::BarrierRequest{}}));

  active->stop();
  EXPECT_EQ(states.back(), "VOID");
  EXPECT_EQ(active->connection(), nullptr);
  EXPECT_TRUE(run_until(io_, [&] { return closed_ == 1; }));  // the controller saw it go
}

TEST_F(OfChannel, AnActiveTargetBacksOffUntilSomethingListens) {
  TempDir dir;
  const std::string path = dir / "late.sock";
  auto active = OfActiveConnection::create(io_, parse_openflow_target("unix:" + path).value(), {},
                                           {}, manual_)
                    .value();
  active->start();
  ASSERT_TRUE(
      run_until(io_, [&] { return active->reconnect().state() == Reconnect::State::kBackoff; }));
  EXPECT_EQ(active->reconnect().last_error(), "No such file or directory");
  EXPECT_EQ(active->reconnect().connection_attempts(), 1u);

  auto controller =
      OfListener::open(io_, parse_openflow_target("punix:" + path).value(), handlers(), clock_)
          .value();
  manual_.advance(active->reconnect().backoff());
  active->run();
  EXPECT_TRUE(run_until(io_, [&] { return active->is_connected(); }));
  EXPECT_EQ(active->reconnect().connection_attempts(), 2u);
}

TEST_F(OfChannel, AnActiveTargetProbesAnIdlePeerAndDropsItWhenTheEchoGoesUnanswered) {
  TempDir dir;
  const std::string path = dir / "quiet.sock";
  std::optional<TestPeer<UnixSocket>> peer;
  asio::local::stream_protocol::acceptor acceptor(io_,
                                                  asio::local::stream_protocol::endpoint(path));
  acceptor.async_accept([&](const boost::system::error_code& ec, UnixSocket socket) {
    if (!ec) peer.emplace(std::move(socket));
  });
  ReconnectSettings settings;
  settings.probe_interval = 5s;
  auto active = OfActiveConnection::create(io_, parse_openflow_target("unix:" + path).value(),
                                           settings, {}, manual_)
                    .value();
  active->start();
  ASSERT_TRUE(run_until(io_, [&] { return peer.has_value(); }));
  EXPECT_EQ(without_xid(peer->next(io_).value()), kOurHello);
  peer->write(kOfctlHello);
  ASSERT_TRUE(run_until(io_, [&] { return active->is_connected(); }));

  // Quiet for a probe interval: an echo request, whose reply makes the peer active again.
  manual_.advance(5s);
  active->run();
  EXPECT_EQ(active->reconnect().state(), Reconnect::State::kIdle);
  Bytes probe = peer->next(io_).value();
  ASSERT_EQ(to_hex(std::span(probe).first(4)), "04020008");
  probe[1] = 3;  // ECHO_REPLY, same xid
  peer->write(probe);
  EXPECT_TRUE(
      run_until(io_, [&] { return active->reconnect().state() == Reconnect::State::kActive; }));

  // Quiet again, and this time the probe goes unanswered.
  manual_.advance(5s);
  active->run();
  EXPECT_EQ(peer->next_hex(io_).substr(0, 8), "04020008");
  manual_.advance(5s);
  active->run();
  EXPECT_EQ(active->reconnect().state(), Reconnect::State::kBackoff);
  EXPECT_EQ(active->reconnect().last_error(), Reconnect::kTimedOutError);
  EXPECT_TRUE(peer->closed_after_all_read(io_));
}

TEST_F(OfChannel, AnActiveTcpTargetReconnectsAfterTheControllerGoesAway) {
  auto controller =
      OfListener::open(io_, parse_openflow_target("ptcp:0:127.0.0.1").value(), handlers(), clock_)
          .value();
  const uint16_t port = controller->port();
  const std::string target = "tcp:127.0.0.1:" + std::to_string(port);
  int switch_closed = 0;
  OfHandlers switch_side;
  switch_side.on_close = [&](OfConnection&, std::string_view) { ++switch_closed; };
  auto active = OfActiveConnection::create(io_, parse_openflow_target(target).value(), {},
                                           switch_side, manual_)
                    .value();
  EXPECT_EQ(active->name(), target);
  active->start();
  ASSERT_TRUE(run_until(io_, [&] { return active->is_connected(); }));
  EXPECT_EQ(active->connection()->peer(), "127.0.0.1:" + std::to_string(port));

  controller->close();
  ASSERT_TRUE(run_until(io_, [&] { return !active->is_connected(); }));
  EXPECT_EQ(switch_closed, 1);
  EXPECT_EQ(active->reconnect().last_error(), "connection closed by peer");

  controller =
      OfListener::open(io_,
                       parse_openflow_target("ptcp:" + std::to_string(port) + ":127.0.0.1").value(),
                       handlers(), clock_)
          .value();
  manual_.advance(active->reconnect().backoff());
  active->run();
  EXPECT_TRUE(run_until(io_, [&] { return active->is_connected(); }));
  EXPECT_EQ(active->reconnect().successful_connections(), 2u);
}

TEST_F(OfChannel, ActiveConnectionsRefusePassiveTargets) {
  EXPECT_FALSE(
      OfActiveConnection::create(io_, parse_openflow_target("ptcp:0").value(), {}, {}, manual_));
}

}  // namespace
}  // namespace vs::controller
