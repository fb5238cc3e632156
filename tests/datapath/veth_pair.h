// A fixture for tests of ports on a real device (root only): a veth pair with names unique to the
// test run, removed in TearDown even when the test fails. The port under test opens a_; peer_ is
// a raw socket on b_, the other end of the wire; push_vlan_on_egress() makes b_ send tags the way
// a VLAN device does.
#pragma once

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "datapath/bpf_insn.h"
#include "lib/unique_fd.h"
#include "tests/support/port_peer.h"

namespace vs::testing {

class VethPairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a veth pair";
    static int counter = 0;
    std::string base = "vsp" + std::to_string(::getpid()) + std::to_string(counter++);
    a_ = base + "a";
    b_ = base + "b";
    ASSERT_LE(a_.size(), 15u);
    ASSERT_TRUE(run("ip link add " + a_ + " " + a_options() + " type veth peer name " + b_))
        << "ip link add failed";
    created_ = true;
    // No IPv6 chatter (router solicitations, MLD) on the pair; best effort.
    for (const std::string& dev : {a_, b_}) {
      std::ofstream("/proc/sys/net/ipv6/conf/" + dev + "/disable_ipv6") << "1";
    }
    ASSERT_TRUE(run("ip link set " + a_ + " up"));
    ASSERT_TRUE(run("ip link set " + b_ + " up"));
    ASSERT_TRUE(peer_.open(b_));
  }

  void TearDown() override {
    if (created_) run("ip link del " + a_);  // removes the peer too
  }

  // Makes every frame leaving `device` carry VLAN `vid` as offload metadata (skb->vlan_tci), the
  // way the kernel's VLAN devices hand tags to a veth (this kernel may have no VLAN devices): a
  // tc egress program calling bpf_skb_vlan_push(skb, htons(ETH_P_8021Q), vid). It goes away
  // with the device.
  static ::testing::AssertionResult push_vlan_on_egress(const std::string& device, int vid) {
    const bpf_insn program[] = {
        datapath::bpf::mov64_imm(BPF_REG_2, htons(ETH_P_8021Q)),
        datapath::bpf::mov64_imm(BPF_REG_3, vid),
        datapath::bpf::call(BPF_FUNC_skb_vlan_push),
        datapath::bpf::mov64_imm(BPF_REG_0, TC_ACT_OK),
        datapath::bpf::exit(),
    };
    UniqueFd prog(::bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "vs_vlan_push", "GPL", program,
                                  sizeof program / sizeof program[0], nullptr));
    if (!prog) return ::testing::AssertionFailure() << "loading the tc program failed";
    bpf_tc_hook hook{};
    hook.sz = sizeof hook;
    hook.ifindex = static_cast<int>(::if_nametoindex(device.c_str()));
    hook.attach_point = BPF_TC_EGRESS;
    if (int rc = ::bpf_tc_hook_create(&hook); rc != 0 && rc != -EEXIST) {
      return ::testing::AssertionFailure() << "clsact on " << device << ": " << std::strerror(-rc);
    }
    bpf_tc_opts opts{};
    opts.sz = sizeof opts;
    opts.prog_fd = prog.get();
    if (int rc = ::bpf_tc_attach(&hook, &opts)) {
      return ::testing::AssertionFailure() << "tc on " << device << ": " << std::strerror(-rc);
    }
    return ::testing::AssertionSuccess();
  }

  // Extra `ip link add` arguments for a_ (e.g. "numrxqueues 2").
  virtual std::string a_options() const { return ""; }

  std::string a_, b_;
  bool created_ = false;
  RawPeer peer_;
};

}  // namespace vs::testing
