// ConnectionManager over real unix sockets: roles, who gets packet-ins, controller status, the
// flows a bridge keeps as controllers come and go, and fail-open. The io_context runs on its own
// thread; the test talks to the manager through post_and_wait() and to the sockets as a client.
#include "controller/connmgr.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "datapath/datapath.h"
#include "datapath/forwarding_thread.h"
#include "tests/support/test_support.h"

namespace vs::controller {
namespace {

using namespace ofp;
using namespace std::chrono_literals;
using vs::testing::ok;
using vs::testing::TempDir;

// A blocking OpenFlow 1.3 client on a unix socket; receive() gives up after `timeout`.
class Client {
 public:
  explicit Client(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) break;
      std::this_thread::sleep_for(20ms);
    }
    send({1, Hello{}});
    auto hello = receive();
    EXPECT_TRUE(hello && std::holds_alternative<Hello>(hello->body));
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void send(const Message& message) {
    const auto bytes = encode(message);
    ASSERT_EQ(::write(fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }

  // Several messages in one write, as a controller pipelines them.
  void send_all(const std::vector<Message>& messages) {
    std::vector<uint8_t> bytes;
    for (const Message& message : messages) {
      const auto one = encode(message);
      bytes.insert(bytes.end(), one.begin(), one.end());
    }
    ASSERT_EQ(::write(fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }

  std::optional<Message> receive(std::chrono::milliseconds timeout = 2000ms) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::vector<uint8_t> bytes(8);
    if (!read_exactly(bytes.data(), 8)) return std::nullopt;
    const size_t length = peek_header(bytes)->length;
    bytes.resize(length);
    if (length > 8 && !read_exactly(bytes.data() + 8, length - 8)) return std::nullopt;
    auto message = decode(bytes);
    EXPECT_TRUE(message) << "undecodable message from the switch";
    if (!message) return std::nullopt;
    return std::move(message).value();
  }

  // Sends and returns the first message back.
  std::optional<Message> transact(const Message& message) {
    send(message);
    return receive();
  }

  // True if nothing but the barrier reply comes back: the switch had queued nothing before it.
  bool receives_nothing_before_barrier() {
    send({0xbbbb, BarrierRequest{}});
    auto next = receive();
    return next && std::holds_alternative<BarrierReply>(next->body);
  }

 private:
  bool read_exactly(uint8_t* out, size_t n) {
    while (n > 0) {
      ssize_t got = ::read(fd_, out, n);
      if (got <= 0) return false;
      out += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }
  int fd_ = -1;
};

RoleRequest role_request(ControllerRole role, uint64_t generation) {
  RoleRequest request;
  request.role = role;
  request.generation_id = generation;
  return request;
}

template <class T>
const T* as(const std::optional<Message>& message) {
  return message ? std::get_if<T>(&message->body) : nullptr;
}

class ConnectionManagerTest : public ::testing::Test {
 protected:
  ConnectionManagerTest()
      : xlate_(clock_),
        dp_(ok(datapath::Datapath::create(xlate_))),
        thread_(ok(datapath::ForwardingThread::start(*dp_))),
        work_(boost::asio::make_work_guard(io_)) {
    thread_->call([&](datapath::Datapath&) { xlate_.add_bridge("br0"); });
    auto of_switch = std::make_shared<OfSwitch>(
        "br0", 1, *thread_, xlate_, clock_,
        OfSwitch::PortSource{
            [] { return std::vector<PortDesc>{}; }, [] { return std::vector<PortStats>{}; }, {}});
    manager_ = ConnectionManager::create(io_, clock_, std::move(of_switch));
    io_thread_ = std::thread([this] { io_.run(); });
    post_and_wait([&] { ok(manager_->open_management(mgmt_path())); });
  }
  ~ConnectionManagerTest() override {
    post_and_wait([&] { manager_->close(); });
    work_.reset();
    io_.stop();
    io_thread_.join();
  }

  template <class F>
  auto post_and_wait(F&& fn) -> std::invoke_result_t<F> {
    std::packaged_task<std::invoke_result_t<F>()> task(std::forward<F>(fn));
    auto done = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return done.get();
  }

  std::string mgmt_path() const { return dir_.path() + "/br0.mgmt"; }
  std::string controller_path() const { return dir_.path() + "/ctl.sock"; }

  // A passive controller target on a unix socket, so that the test's clients are primary.
  void listen_as_controller(FailMode mode = FailMode::kStandalone) {
    post_and_wait([&] {
      manager_->set_fail_mode(mode);
      manager_->set_controllers({{"punix:" + controller_path()}});
    });
  }

  size_t flow_count() {
    return thread_->call(
        [&](datapath::Datapath&) { return xlate_.bridge("br0")->pipeline().rule_count(); });
  }
  bool bridge_fails_open() {
    return thread_->call([&](datapath::Datapath&) { return xlate_.bridge("br0")->fail_open(); });
  }

  static PacketInEvent event() {
    PacketInEvent e;
    e.bridge = "br0";
    e.reason = PacketInReason::kNoMatch;
    e.table_id = 3;
    e.cookie = 0x55;
    e.in_port = 2;
    e.metadata = 0x10;
    e.total_len = 60;
    e.frame = std::vector<uint8_t>(20, 0xee);
    return e;
  }

  TempDir dir_;
  ManualClock clock_;
  Xlate xlate_;
  std::unique_ptr<datapath::Datapath> dp_;
  std::unique_ptr<datapath::ForwardingThread> thread_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<ConnectionManager> manager_;
  std::thread io_thread_;
};

TEST_F(ConnectionManagerTest, APacketInReachesControllersWithItsFieldsButNotTheManagementSocket) {
  listen_as_controller();
  Client controller(controller_path());
  Client management(mgmt_path());
  ASSERT_TRUE(controller.receives_nothing_before_barrier());  // the connection is ready
  post_and_wait([&] { manager_->send_packet_in(event()); });

  auto message = controller.receive();
  const PacketIn* packet_in = as<PacketIn>(message);
  ASSERT_NE(packet_in, nullptr);
  EXPECT_EQ(packet_in->buffer_id, kNoBuffer);
  EXPECT_EQ(packet_in->total_len, 60);
  EXPECT_EQ(packet_in->reason, PacketInReason::kNoMatch);
  EXPECT_EQ(packet_in->table_id, 3);
  EXPECT_EQ(packet_in->cookie, 0x55u);
  EXPECT_EQ(packet_in->match,
            (Match{Oxm::exact(OxmField::kInPort, 2), Oxm::exact(OxmField::kMetadata, 0x10)}));
  EXPECT_EQ(packet_in->data, std::vector<uint8_t>(20, 0xee));
  EXPECT_TRUE(management.receives_nothing_before_barrier());

  // A service connection that sets a miss_send_len gets them too (ovs-ofctl monitor does).
  auto config = management.transact({6, GetConfigRequest{}});
  ASSERT_NE(as<GetConfigReply>(config), nullptr);
  EXPECT_EQ(as<GetConfigReply>(config)->miss_send_len, 0);
  SetConfig set;
  set.miss_send_len = 0xffff;
  management.send({7, set});
  config = management.transact({8, GetConfigRequest{}});
  ASSERT_NE(as<GetConfigReply>(config), nullptr);
  EXPECT_EQ(as<GetConfigReply>(config)->miss_send_len, 0xffff);
  config = controller.transact({9, GetConfigRequest{}});  // the controller's is its own
  ASSERT_NE(as<GetConfigReply>(config), nullptr);
  EXPECT_EQ(as<GetConfigReply>(config)->miss_send_len, 128);
  post_and_wait([&] { manager_->send_packet_in(event()); });
  EXPECT_NE(as<PacketIn>(management.receive()), nullptr);
  EXPECT_NE(as<PacketIn>(controller.receive()), nullptr);

  // SET_ASYNC narrows what a connection gets: no NO_MATCH packet-ins any more.
  SetAsync async;
  async.packet_in_mask = {1u << 1, 0};  // ACTION only
  management.send({10, async});
  auto masks = management.transact({11, GetAsyncRequest{}});
  ASSERT_NE(as<GetAsyncReply>(masks), nullptr);
  EXPECT_EQ(as<GetAsyncReply>(masks)->packet_in_mask, (std::array<uint32_t, 2>{2, 0}));
  post_and_wait([&] { manager_->send_packet_in(event()); });
  EXPECT_NE(as<PacketIn>(controller.receive()), nullptr);
  EXPECT_TRUE(management.receives_nothing_before_barrier());
}

TEST_F(ConnectionManagerTest, PipelinedFlowModsAreAllAppliedBeforeTheBarrierWithErrorsInOrder) {
  Client management(mgmt_path());
  std::vector<Message> burst;
  for (uint32_t i = 0; i < 3000; ++i) {
    FlowMod mod;
    mod.priority = 100;
    mod.table_id = i == 1500 || i == 2999 ? 254 : 1;  // two refused: BAD_TABLE_ID
    mod.match = {Oxm::exact(OxmField::kInPort, i + 1)};
    burst.push_back({1000 + i, mod});
  }
  burst.push_back({0xbbbb, BarrierRequest{}});
  management.send_all(burst);
  for (uint32_t xid : {2500u, 3999u}) {
    auto reply = management.receive();
    ASSERT_TRUE(as<ErrorMsg>(reply)) << "expected the error of flow-mod " << xid;
    EXPECT_EQ(reply->xid, xid);
    EXPECT_EQ(as<ErrorMsg>(reply)->error, err::kFlowModBadTableId);
  }
  auto barrier = management.receive();
  ASSERT_TRUE(as<BarrierReply>(barrier));
  EXPECT_EQ(barrier->xid, 0xbbbbu);
  EXPECT_EQ(flow_count(), 1 + 2998u);  // NORMAL and every flow-mod that was not refused
}

TEST_F(ConnectionManagerTest, ANewMasterDemotesTheOldOneWhichMayNoLongerChangeTheSwitch) {
  listen_as_controller();
  Client first(controller_path());
  Client second(controller_path());
  auto reply = first.transact({1, role_request(ControllerRole::kMaster, 10)});
  ASSERT_NE(as<RoleReply>(reply), nullptr);
  EXPECT_EQ(as<RoleReply>(reply)->role, ControllerRole::kMaster);
  EXPECT_EQ(as<RoleReply>(reply)->generation_id, 10u);

  reply = second.transact({2, role_request(ControllerRole::kMaster, 11)});
  ASSERT_NE(as<RoleReply>(reply), nullptr);
  EXPECT_EQ(as<RoleReply>(reply)->role, ControllerRole::kMaster);
  reply = first.transact({3, role_request(ControllerRole::kNoChange, 0)});
  ASSERT_NE(as<RoleReply>(reply), nullptr);
  EXPECT_EQ(as<RoleReply>(reply)->role, ControllerRole::kSlave);

  // The slave's flow-mod is refused and changes nothing; it gets no packet-ins either.
  const size_t flows = flow_count();
  FlowMod mod;
  mod.instructions.apply_actions = ActionList{Action::output(1)};
  reply = first.transact({4, mod});
  ASSERT_NE(as<ErrorMsg>(reply), nullptr);
  EXPECT_EQ(as<ErrorMsg>(reply)->error, err::kIsSlave);
  EXPECT_EQ(flow_count(), flows);
  post_and_wait([&] { manager_->send_packet_in(event()); });
  EXPECT_NE(as<PacketIn>(second.receive()), nullptr);
  EXPECT_TRUE(first.receives_nothing_before_barrier());

  // An older generation is stale.
  reply = first.transact({5, role_request(ControllerRole::kMaster, 9)});
  ASSERT_NE(as<ErrorMsg>(reply), nullptr);
  EXPECT_EQ(as<ErrorMsg>(reply)->error, err::kRoleStale);

  auto status = post_and_wait([&] { return manager_->controller_status(); });
  ASSERT_EQ(status.size(), 1u);
  EXPECT_TRUE(status.begin()->second.is_connected);
  EXPECT_EQ(status.begin()->second.role, "master");
}

TEST_F(ConnectionManagerTest,
       FlowsAreFlushedWhenTheFirstControllerComesAndNormalReturnsAfterTheLast) {
  EXPECT_EQ(flow_count(), 1u);  // priority=0 actions=NORMAL
  listen_as_controller();
  EXPECT_EQ(flow_count(), 0u);
  {
    Client controller(controller_path());
    FlowMod mod;
    mod.instructions.apply_actions = ActionList{Action::output(1)};
    controller.send({1, mod});
    ASSERT_TRUE(controller.receives_nothing_before_barrier());
    EXPECT_EQ(flow_count(), 1u);
  }
  // A controller's reconnection keeps its flows.
  Client again(controller_path());
  ASSERT_TRUE(again.receives_nothing_before_barrier());
  EXPECT_EQ(flow_count(), 1u);

  post_and_wait([&] { manager_->set_controllers({}); });
  EXPECT_EQ(flow_count(), 1u);  // only NORMAL again
  post_and_wait([&] { manager_->set_fail_mode(FailMode::kSecure); });
  EXPECT_EQ(flow_count(), 0u);  // secure without controllers: the switch forwards nothing
}

TEST_F(ConnectionManagerTest, StandaloneFailsOpenAfterThreeProbeIntervalsAndSecureNever) {
  // A target nobody listens on.
  const std::string nowhere = "unix:" + dir_.path() + "/nobody.sock";
  post_and_wait([&] { manager_->set_controllers({{nowhere, 8000ms, 1000ms}}); });
  EXPECT_FALSE(bridge_fails_open());
  post_and_wait([&] { clock_.advance(2999ms); });
  std::this_thread::sleep_for(1500ms);  // the manager looks once a second
  EXPECT_FALSE(bridge_fails_open());
  post_and_wait([&] { clock_.advance(1ms); });
  for (int i = 0; i < 30 && !bridge_fails_open(); ++i) std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(bridge_fails_open());

  auto status = post_and_wait([&] { return manager_->controller_status(); });
  EXPECT_FALSE(status.at(nowhere).is_connected);
  EXPECT_FALSE(status.at(nowhere).status.at("last_error").empty());

  // A controller that connects ends it.
  post_and_wait([&] {
    manager_->set_controllers(
        {{nowhere, 8000ms, 1000ms}, {"punix:" + controller_path(), 8000ms, 1000ms}});
  });
  Client controller(controller_path());
  ASSERT_TRUE(controller.receives_nothing_before_barrier());
  EXPECT_FALSE(bridge_fails_open());

  post_and_wait([&] { manager_->set_fail_mode(FailMode::kSecure); });
  post_and_wait([&] { manager_->set_controllers({{nowhere, 8000ms, 1000ms}}); });
  post_and_wait([&] { clock_.advance(60s); });
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(bridge_fails_open());
}

TEST_F(ConnectionManagerTest, ProtocolsWithoutOpenflow13RefuseEveryConnection) {
  post_and_wait([&] { manager_->set_allowed_versions(1u << 1); });  // OpenFlow10 only
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", mgmt_path().c_str());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const auto hello = encode({1, Hello{}});
  ASSERT_EQ(::write(fd, hello.data(), hello.size()), static_cast<ssize_t>(hello.size()));
  // Our HELLO, then HELLO_FAILED, then the end of the connection.
  std::vector<uint8_t> all;
  uint8_t buffer[512];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
    all.insert(all.end(), buffer, buffer + n);
  ::close(fd);
  ASSERT_GE(all.size(), 16u);
  const size_t first = peek_header(all)->length;
  auto error = decode(std::span(all).subspan(first));
  ASSERT_TRUE(error);
  ASSERT_NE(std::get_if<ErrorMsg>(&error.value().body), nullptr);
  EXPECT_EQ(std::get<ErrorMsg>(error.value().body).error, err::kHelloIncompatible);
}

}  // namespace
}  // namespace vs::controller
