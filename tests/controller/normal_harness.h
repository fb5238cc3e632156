// The harness of the NORMAL tests: memory ports on a Datapath whose upcall is Xlate, so every
// frame goes through the parser, the caches and the pipeline's NORMAL rule. A ManualClock drives
// MAC aging; send() returns the exact frames each port sent.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "controller/xlate.h"
#include "datapath/datapath.h"
#include "datapath/memory_port.h"
#include "tests/support/port_peer.h"
#include "tests/support/test_support.h"
#include "vlan/port_vlans.h"

namespace vs::controller {

using datapath::Datapath;
using datapath::MemoryPort;
using vs::testing::Bytes;
using vs::testing::kBroadcast;
using vs::testing::make_frame;
using vs::testing::ok;

const Bytes kMac1 = {0x02, 0, 0, 0, 0, 0x01};
const Bytes kMac2 = {0x02, 0, 0, 0, 0, 0x02};
const Bytes kMac3 = {0x02, 0, 0, 0, 0, 0x03};
const Bytes kMacUnknown = {0x02, 0, 0, 0, 0, 0x99};

// Bridges of memory ports named p1, p2, ...; port pN has OpenFlow number N.
class NormalTest : public ::testing::Test {
 protected:
  NormalTest() : xlate_(clock_), dp_(ok(Datapath::create(xlate_))) {}

  MemoryPort& add_port(const std::string& bridge, uint32_t ofport,
                       const vlan::PortVlans& vlans = {}) {
    auto port = std::make_unique<MemoryPort>("p" + std::to_string(ofport));
    MemoryPort& ref = *port;
    uint32_t dp_port = ok(dp_->add_port(std::move(port)));
    xlate_.attach_port(xlate_.add_bridge(bridge), ofport, dp_port, ref.name(), vlans);
    ports_[ofport] = &ref;
    return ref;
  }

  // Injects `frame` on port `ofport`, forwards it, and returns which ports sent what.
  std::map<uint32_t, std::vector<Bytes>> send(uint32_t ofport, const Bytes& frame) {
    ports_.at(ofport)->inject(frame);
    while (dp_->poll(std::chrono::milliseconds(0)) > 0) {
    }
    std::map<uint32_t, std::vector<Bytes>> out;
    for (auto& [number, port] : ports_) {
      auto sent = port->take_sent();
      if (!sent.empty()) out[number] = std::move(sent);
    }
    return out;
  }

  static std::map<uint32_t, std::vector<Bytes>> to(std::vector<uint32_t> ports, const Bytes& f) {
    std::map<uint32_t, std::vector<Bytes>> out;
    for (uint32_t p : ports) out[p] = {f};
    return out;
  }

  ManualClock clock_;
  Xlate xlate_;
  std::unique_ptr<Datapath> dp_;
  std::map<uint32_t, MemoryPort*> ports_;
};

}  // namespace vs::controller
