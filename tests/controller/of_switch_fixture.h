// The fixture of the OfSwitch tests: one bridge "br0" with three memory ports (OpenFlow 1-3)
// on a running forwarding thread, and helpers to send messages and frames through it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <utility>

#include "controller/of_switch.h"
#include "datapath/datapath.h"
#include "datapath/forwarding_thread.h"
#include "datapath/memory_port.h"
#include "tests/support/port_peer.h"
#include "tests/support/test_support.h"

namespace vs::controller {

using namespace ofp;
using datapath::MemoryPort;
using vs::testing::Bytes;
using vs::testing::kBroadcast;
using vs::testing::make_frame;
using vs::testing::ok;

inline const Bytes kMac1 = {0x02, 0, 0, 0, 0, 0x01};

class OfSwitchTest : public ::testing::Test {
 protected:
  OfSwitchTest()
      : xlate_(clock_),
        dp_(ok(datapath::Datapath::create(xlate_))),
        thread_(ok(datapath::ForwardingThread::start(*dp_))),
        switch_("br0", 0x00000000000000ab, *thread_, xlate_, clock_,
                {[] {
                   return std::vector<PortDesc>{{1, {2, 0, 0, 0, 0, 1}, "p1"}};
                 },
                 [] {
                   PortStats one{1, 10, 20, 1000, 2000};
                   PortStats two{2, 3, 4, 300, 400};
                   two.tx_dropped = 5;
                   return std::vector<PortStats>{one, two};
                 },
                 [this](const PortMod& mod) -> OfpResult<void> {
                   port_mods_.push_back(mod);
                   if (mod.port_no != 1) return err::kPortModBadPort;
                   return boost::outcome_v2::success();
                 }}) {
    thread_->call([&](datapath::Datapath& dp) {
      // Packet-ins are collected here (on the forwarding thread; read them through call()).
      xlate_.set_packet_in_sink([this](PacketInEvent&& event) { packet_ins_.push_back(event); });
      Ofproto& bridge = xlate_.add_bridge("br0");
      for (uint32_t ofport : {1, 2, 3}) {
        auto port = std::make_unique<MemoryPort>("p" + std::to_string(ofport));
        ports_[ofport] = port.get();
        uint32_t dp_port = ok(dp.add_port(std::move(port)));
        xlate_.attach_port(bridge, ofport, dp_port, "p" + std::to_string(ofport));
      }
    });
  }

  // Sends one message to the switch; returns its replies, decoded.
  std::vector<Message> request(const Message& message) {
    const Bytes raw = encode(message);
    std::vector<Message> out;
    for (const auto& reply : switch_.handle(decode(raw).value(), raw)) {
      out.push_back(decode(reply).value());
    }
    return out;
  }

  // The OpenFlow error a message earns, or {0xffff, 0xffff} if none.
  OfpError error_for(const Message& message) {
    auto replies = request(message);
    if (replies.size() != 1 || !std::holds_alternative<ErrorMsg>(replies[0].body)) {
      return {0xffff, 0xffff};
    }
    return std::get<ErrorMsg>(replies[0].body).error;
  }

  // Injects `frame` on port `in` and returns which ports sent what, once forwarding is done.
  std::map<uint32_t, std::vector<Bytes>> send(uint32_t in, const Bytes& frame) {
    thread_->call([&](datapath::Datapath&) { ports_[in]->inject(frame); });
    std::map<uint32_t, std::vector<Bytes>> out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    size_t quiet_polls = 0;
    while (quiet_polls < 20 && std::chrono::steady_clock::now() < deadline) {
      bool any = false;
      thread_->call([&](datapath::Datapath&) {
        for (auto& [number, port] : ports_) {
          for (auto& f : port->take_sent()) {
            out[number].push_back(std::move(f));
            any = true;
          }
        }
      });
      quiet_polls = any ? 0 : quiet_polls + 1;
    }
    return out;
  }

  static FlowMod flow(uint16_t priority, Match match, ActionList apply, uint8_t table = 0) {
    FlowMod mod;
    mod.priority = priority;
    mod.table_id = table;
    mod.match = std::move(match);
    mod.instructions.apply_actions = std::move(apply);
    return mod;
  }

  std::vector<PacketInEvent> take_packet_ins() {
    return thread_->call([&](datapath::Datapath&) { return std::exchange(packet_ins_, {}); });
  }

  // The frames the ports sent, without injecting anything (after a packet-out).
  std::map<uint32_t, std::vector<Bytes>> sent() {
    std::map<uint32_t, std::vector<Bytes>> out;
    thread_->call([&](datapath::Datapath&) {
      for (auto& [number, port] : ports_) {
        for (auto& f : port->take_sent()) out[number].push_back(std::move(f));
      }
    });
    return out;
  }

  ManualClock clock_;
  std::vector<PortMod> port_mods_;         // what the port source was asked to do
  std::vector<PacketInEvent> packet_ins_;  // forwarding thread
  Xlate xlate_;
  std::unique_ptr<datapath::Datapath> dp_;
  std::unique_ptr<datapath::ForwardingThread> thread_;
  OfSwitch switch_;
  std::map<uint32_t, MemoryPort*> ports_;
};

}  // namespace vs::controller
