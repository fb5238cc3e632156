// vsctl commands run in-process on a real database file: output, exit status and the rows
// they leave, including every kind of bad input (nothing committed, a message naming it).
#include "vsctl/vsctl.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>

#include "ovsdb/daemon.h"
#include "tests/support/test_support.h"

namespace vs::vsctl {
namespace {

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

class Vsctl : public ::testing::Test {
 protected:
  void SetUp() override { db_ = dir_.path() + "/conf.db"; }

  // Runs `vsctl --db=DB --no-wait ARGS...`.
  Outcome run(std::vector<std::string> args, bool no_wait = true) {
    args.insert(args.begin(), "--db=" + db_);
    if (no_wait) args.insert(args.begin(), "--no-wait");
    Outcome r;
    r.status = run_vsctl(args, r.out, r.err);
    return r;
  }

  std::string out(std::vector<std::string> args) {
    Outcome r = run(std::move(args));
    EXPECT_EQ(r.status, 0) << r.err;
    return r.out;
  }

  // Every row of every table, in a stable order: equal dumps mean equal databases.
  std::string dump() {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    std::string text;
    std::vector<std::string> tables;
    sqlite3_exec(
        db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        [](void* arg, int, char** values, char**) {
          static_cast<std::vector<std::string>*>(arg)->push_back(values[0]);
          return 0;
        },
        &tables, nullptr);
    for (const std::string& table : tables) {
      text += "[" + table + "]\n";
      sqlite3_exec(
          db, ("SELECT * FROM \"" + table + "\" ORDER BY 1, 2").c_str(),
          [](void* arg, int n, char** values, char**) {
            auto* out = static_cast<std::string*>(arg);
            for (int i = 0; i < n; ++i) *out += std::string(values[i] ? values[i] : "NULL") + "|";
            *out += "\n";
            return 0;
          },
          &text, nullptr);
    }
    sqlite3_close(db);
    return text;
  }

  // The line fails with exit 1, a message containing `message`, and no change at all.
  void expect_refused(std::vector<std::string> args, const std::string& message) {
    std::string before = dump();
    Outcome r = run(args);
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(r.err.find(message), std::string::npos) << "stderr: " << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(dump(), before) << "database changed by a refused command";
  }

  vs::testing::TempDir dir_;
  std::string db_;
};

TEST_F(Vsctl, AddBrCreatesBridgeWithInternalLocalPort) {
  out({"add-br", "br0"});
  EXPECT_EQ(out({"list-br"}), "br0\n");
  EXPECT_EQ(out({"list-ports", "br0"}), "");
  EXPECT_EQ(out({"get", "Interface", "br0", "type"}), "internal\n");
  EXPECT_EQ(out({"br-to-parent", "br0"}), "br0\n");
  EXPECT_EQ(out({"br-to-vlan", "br0"}), "0\n");
}

TEST_F(Vsctl, AddPortWithColumnArgumentsAndAbbreviatedTrunks) {
  out({"add-br", "xenbr0"});
  out({"--", "--if-exists", "del-port", "vif1.0", "--", "add-port", "xenbr0", "vif1.0", "tag=10",
       "trunk=20,30"});
  EXPECT_EQ(out({"get", "Port", "vif1.0", "tag", "trunks"}), "10\n[20, 30]\n");
  EXPECT_EQ(out({"list-ports", "xenbr0"}), "vif1.0\n");
  EXPECT_EQ(out({"port-to-br", "vif1.0"}), "xenbr0\n");
  EXPECT_EQ(out({"iface-to-br", "vif1.0"}), "xenbr0\n");
}

TEST_F(Vsctl, LibvirtCommandLineReplacesPortAndSetsExternalIds) {
  out({"add-br", "br0"});
  for (int i = 0; i < 2; ++i) {  // libvirt sends the same line again on restart
    out({"--timeout=5",
         "--",
         "--if-exists",
         "del-port",
         "vnet0",
         "--",
         "add-port",
         "br0",
         "vnet0",
         "tag=42",
         "--",
         "set",
         "Interface",
         "vnet0",
         "external-ids:attached-mac=\"52:54:00:12:34:56\"",
         "--",
         "set",
         "Interface",
         "vnet0",
         "external-ids:iface-status=active"});
  }
  EXPECT_EQ(out({"get", "Interface", "vnet0", "external_ids"}),
            "{attached-mac=\"52:54:00:12:34:56\", iface-status=active}\n");
  EXPECT_EQ(out({"get", "Interface", "vnet0", "external_ids:attached-mac"}),
            "\"52:54:00:12:34:56\"\n");
  EXPECT_EQ(out({"--columns=name", "find", "Port", "tag=42"}), "name                : vnet0\n");
  // Exactly one Port and Interface named vnet0 survive the replacement.
  EXPECT_EQ(out({"--bare", "--columns=name", "find", "Interface", "name=vnet0"}), "vnet0\n");
}

TEST_F(Vsctl, MayExistAddPortLeavesExistingPortAlone) {
  out({"add-br", "br0"});
  out({"--timeout=5", "--", "--may-exist", "add-port", "br0", "vnet1", "vlan_mode=native-untagged",
       "tag=7", "trunk=8,9"});
  out({"--may-exist", "add-port", "br0", "vnet1", "tag=99"});
  EXPECT_EQ(out({"get", "Port", "vnet1", "vlan_mode", "tag", "trunks"}),
            "native-untagged\n7\n[8, 9]\n");
  out({"add-br", "br1"});
  expect_refused({"--may-exist", "add-port", "br1", "vnet1"}, "actually attached to bridge br0");
}

TEST_F(Vsctl, FakeBridgeHoldsPortsOnItsVlan) {
  out({"add-br", "br0"});
  out({"add-br", "br0.10", "br0", "10"});
  out({"add-port", "br0.10", "vnet5"});
  out({"add-port", "br0", "eth1"});
  EXPECT_EQ(out({"list-br"}), "br0\nbr0.10\n");
  EXPECT_EQ(out({"br-to-vlan", "br0.10"}), "10\n");
  EXPECT_EQ(out({"br-to-parent", "br0.10"}), "br0\n");
  EXPECT_EQ(out({"list-ports", "br0.10"}), "vnet5\n");
  EXPECT_EQ(out({"list-ports", "br0"}), "eth1\n");
  EXPECT_EQ(out({"port-to-br", "vnet5"}), "br0.10\n");
  EXPECT_EQ(out({"get", "Port", "vnet5", "tag"}), "10\n");
  out({"br-set-external-id", "br0.10", "k", "v"});
  EXPECT_EQ(out({"br-get-external-id", "br0.10"}), "k=v\n");
  EXPECT_EQ(out({"get", "Port", "br0.10", "external_ids"}), "{fake-bridge-k=v}\n");
  out({"del-br", "br0.10"});
  EXPECT_EQ(out({"list-br"}), "br0\n");
  EXPECT_EQ(out({"list-ports", "br0"}), "eth1\n");
  expect_refused({"port-to-br", "vnet5"}, "no port named vnet5");
}

TEST_F(Vsctl, DelBrDeletesPortsInterfacesAndControllers) {
  out({"add-br", "br0", "--", "add-port", "br0", "p1", "--", "set-controller", "br0",
       "tcp:127.0.0.1:6653"});
  out({"del-br", "br0"});
  EXPECT_EQ(out({"list-br"}), "");
  for (const char* table : {"Bridge", "Port", "Interface", "Controller"}) {
    EXPECT_EQ(out({"list", table}), "") << table;
  }
}

TEST_F(Vsctl, DelPortFormsAndLocalPortProtection) {
  out({"add-br", "br0", "--", "add-port", "br0", "p1", "--", "add-port", "br0", "p2"});
  out({"add-br", "br1"});
  expect_refused({"del-port", "br1", "p1"}, "bridge br1 does not have a port p1");
  out({"del-port", "br0", "p1"});
  out({"del-port", "p2"});
  EXPECT_EQ(out({"list-ports", "br0"}), "");
  expect_refused({"del-port", "br0"}, "no port named br0");
  out({"--if-exists", "del-port", "p2"});
}

TEST_F(Vsctl, BrExistsExitsTwoForMissingBridge) {
  out({"add-br", "br0"});
  EXPECT_EQ(run({"br-exists", "br0"}).status, 0);
  Outcome r = run({"br-exists", "nope"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "");
}

TEST_F(Vsctl, ControllerAndFailModeCommands) {
  out({"add-br", "br0"});
  out({"set-controller", "br0", "tcp:127.0.0.1:6653", "ptcp:6654", "unix:/run/c.sock"});
  EXPECT_EQ(out({"get-controller", "br0"}), "ptcp:6654\ntcp:127.0.0.1:6653\nunix:/run/c.sock\n");
  out({"set-controller", "br0", "tcp:[::1]:6653"});
  EXPECT_EQ(out({"get-controller", "br0"}), "tcp:[::1]:6653\n");
  EXPECT_EQ(out({"--bare", "--columns=target", "list", "Controller"}), "tcp:[::1]:6653\n");
  out({"del-controller", "br0"});
  EXPECT_EQ(out({"list", "Controller"}), "");
  out({"set-fail-mode", "br0", "secure"});
  EXPECT_EQ(out({"get-fail-mode", "br0"}), "secure\n");
  out({"del-fail-mode", "br0"});
  EXPECT_EQ(out({"get-fail-mode", "br0"}), "");
}

TEST_F(Vsctl, DatabaseCommandsOnMapsSetsAndScalars) {
  out({"add-br", "br0", "--", "add-port", "br0", "p"});
  out({"set", "Bridge", "br0", "other_config={a=1, b=2}", "stp_enable=true"});
  out({"set", "Bridge", "br0", "other_config:c=3"});
  out({"add", "Bridge", "br0", "other_config", "a=9", "d=4"});  // replaces, as ovs-vsctl 3.1 does
  EXPECT_EQ(out({"get", "Bridge", "br0", "other_config", "stp_enable"}),
            "{a=\"9\", b=\"2\", c=\"3\", d=\"4\"}\ntrue\n");
  out({"remove", "Bridge", "br0", "other_config", "a", "b=wrong", "c=3", "nokey"});
  EXPECT_EQ(out({"get", "Bridge", "br0", "other_config"}), "{b=\"2\", d=\"4\"}\n");
  out({"add", "Port", "p", "trunks", "30", "10,20"});
  out({"remove", "Port", "p", "trunks", "20"});
  EXPECT_EQ(out({"get", "Port", "p", "trunks"}), "[10, 30]\n");
  out({"set", "Port", "p", "tag=5"});
  out({"clear", "Port", "p", "tag", "trunks"});
  EXPECT_EQ(out({"get", "Port", "p", "tag", "trunks"}), "[]\n[]\n");
  EXPECT_EQ(out({"--if-exists", "get", "Bridge", "br0", "other_config:zz"}), "\n");
  expect_refused({"get", "Bridge", "br0", "other_config:zz"}, "no key \"zz\"");
  expect_refused({"clear", "Port", "p", "interfaces"}, "not allowed to be empty");
}

TEST_F(Vsctl, FindWithSetAndComparisonOperators) {
  out({"add-br", "br0", "--", "add-port", "br0", "a", "trunks=1,2,3", "--", "add-port", "br0", "b",
       "trunks=2", "tag=5"});
  EXPECT_EQ(out({"--bare", "--columns=name", "find", "Port", "trunks{>=}2,3"}), "a\n");
  EXPECT_EQ(out({"--bare", "--columns=name", "find", "Port", "trunks{<=}1,2,3,4", "tag!=[]"}),
            "b\n");
  EXPECT_EQ(out({"--bare", "--columns=name", "find", "Port", "tag>=5"}), "b\n");
  // The local port br0 has no trunks: the empty set is in every set.
  EXPECT_EQ(out({"--bare", "--columns=name", "find", "Port", "trunks{in}1,2", "name!=br0"}), "b\n");
  EXPECT_EQ(out({"--bare", "--columns=name", "find", "Port", "trunks{in}1,2", "name=br0"}),
            "br0\n");
  EXPECT_EQ(out({"--bare", "--columns=name", "find", "Port", "trunks{not-in}3,4", "name!=br0"}),
            "b\n");
  EXPECT_EQ(out({"--bare", "--columns=name", "find", "Port", "trunks{not-in}2", "name!=br0"}), "");
  expect_refused(
      {"find", "Port", "tag"},
      "tag: argument does not end in \"=\", \"!=\", \"<\", \">\", \"<=\", \">=\", "
      "\"{=}\", \"{!=}\", \"{<}\", \"{>}\", \"{<=}\", \"{>=}\", \"{in}\", or \"{not-in}\" "
      "followed by a value.");
  out({"set", "Interface", "a", "external_ids:iface-id=abc"});
  EXPECT_EQ(out({"--bare", "--columns=name", "find", "Interface", "external_ids:iface-id=abc"}),
            "a\n");
  EXPECT_EQ(out({"--bare", "--columns=name", "find", "Interface", "external_ids:iface-id=zzz"}),
            "");
}

TEST_F(Vsctl, CreateWithForwardReferencesAcrossTheChain) {
  out({"add-br", "br0", "--", "add-port", "br0", "vnet0"});
  Outcome r = run({"--", "set", "port", "vnet0", "qos=@q", "--", "--id=@q", "create", "qos",
                   "type=linux-htb", "other_config:max-rate=1000000", "queues:0=@q0", "--",
                   "--id=@q0", "create", "queue", "other_config:min-rate=100000"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto qos = Uuid::parse(r.out.substr(0, 36));
  ASSERT_TRUE(qos);
  EXPECT_EQ(out({"get", "Port", "vnet0", "qos"}), qos->to_string() + "\n");
  EXPECT_EQ(out({"get", "QoS", "vnet0", "type"}), "linux-htb\n");  // QoS found by port name
  // QoS and Queue are root tables: they outlive the port.
  out({"clear", "Port", "vnet0", "qos"});
  EXPECT_NE(out({"list", "QoS"}), "");
  expect_refused({"destroy", "Queue", "--all"},
                 "no row \"--all\" in table Queue");  // options go first
  expect_refused({"--all", "destroy", "Queue"}, "still referenced");
  out({"--all", "destroy", "QoS", "--", "--all", "destroy", "Queue"});
  EXPECT_EQ(out({"list", "Queue"}), "");
  expect_refused({"set", "Port", "vnet0", "qos=@nowhere"}, "referenced but never created");
}

TEST_F(Vsctl, TableAndColumnNamesMatchAsOvsVsctlDoes) {
  out({"add-br", "br0", "--", "add-port", "br0", "vnet0", "tag=3"});
  EXPECT_EQ(out({"get", "port", "vnet0", "ta"}), "3\n");
  EXPECT_EQ(out({"--bare", "--columns=name", "list", "br"}), "br0\n");
  EXPECT_EQ(out({"get", "INTERFACE", "vnet0", "Ingress-Policing-Rate"}), "0\n");
  expect_refused(
      {"get", "Interface", "vnet0", "s"},
      "Interface contains more than one column whose name matches \"s\": statistics, status");
  expect_refused({"list", "Brdge"}, "unknown table");
  expect_refused({"set", "Port", "vnet0", "tga=5"},
                 "Port does not contain a column whose name matches \"tga\"");
}

TEST_F(Vsctl, TyposInEnumsAreRefusedWithTheAllowedValues) {
  out({"add-br", "br0", "--", "add-port", "br0", "p"});
  expect_refused({"set", "Interface", "p", "type=tpa"}, "internal");
  expect_refused({"set", "Interface", "p", "type=tpa"}, "tap");
  expect_refused({"set", "Interface", "p", "type=afxpd"}, "afxdp");
  out({"set", "Interface", "p", "type=afxdp", "options:xdp-mode=generic"});
  EXPECT_EQ(out({"get", "Interface", "p", "type"}), "afxdp\n");
  expect_refused({"set", "Bridge", "br0", "fail_mode=secrue"}, "standalone");
  expect_refused({"set", "Port", "p", "vlan_mode=trunc"}, "native-untagged");
  expect_refused({"set-fail-mode", "br0", "secrue"}, "\"standalone\" or \"secure\"");
  expect_refused({"set", "Bridge", "br0", "datapath_type=netdve"}, "netdev");
}

TEST_F(Vsctl, BadInputChangesNothing) {
  out({"add-br", "br0", "--", "add-port", "br0", "p"});
  expect_refused({"frobnicate"}, "unknown command 'frobnicate'");
  expect_refused({"set", "Port", "p", "tag=5000"}, "5000");
  expect_refused({"set", "Port", "p", "tag=abc"}, "abc");
  expect_refused({"set", "Port", "p", "trunks=abc"}, "abc");
  expect_refused({"add-port", "br0", "x", "tag=4096"}, "4096");
  expect_refused({"set", "Interface", "p", "ofport_request=0"}, "0");
  expect_refused({"set", "Interface", "p", "ofport_request=70000"}, "70000");
  expect_refused({"add-br", "br0"}, "a bridge named br0 already exists");
  expect_refused({"add-port", "br0", "p"}, "a port named p already exists on bridge br0");
  expect_refused({"add-port", "nobr", "q"}, "no bridge named nobr");
  expect_refused({"del-port", "nope"}, "no port named nope");
  expect_refused({"del-br", "nope"}, "no bridge named nope");
  expect_refused({"set", "Bridge", "br0", "name=other"}, "read-only column name");
  expect_refused({"set-controller", "br0", "foo:bar"}, "foo:bar");
  expect_refused({"set-controller", "br0", "tcp:1.2.3.4:99999"}, "99999");
  expect_refused({"add-br", "brX", "--", "set", "Port", "p", "tag=9999", "--", "add-br", "brY"},
                 "9999");
  expect_refused({"list-br", "extra"}, "takes at most 0 arguments");
  expect_refused({"list-br", "--real"}, "(note that options must precede command names");
  expect_refused({"add-port", "br0"}, "requires at least 2 arguments");
  expect_refused({"--may-exist", "list-br"}, "has no '--may-exist' option");
  EXPECT_EQ(out({"list-br"}), "br0\n");
}

TEST_F(Vsctl, DryRunPrintsButCommitsNothing) {
  out({"add-br", "br0"});
  std::string before = dump();
  Outcome r = run({"--dry-run", "create", "QoS", "type=linux-htb"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.size(), 37u);
  EXPECT_EQ(dump(), before);
}

TEST_F(Vsctl, NextCfgCountsCommittedChanges) {
  out({"add-br", "br0"});
  std::string first = out({"get", "Open_vSwitch", ".", "next_cfg"});
  out({"list-br"});
  EXPECT_EQ(out({"get", "Open_vSwitch", ".", "next_cfg"}), first);
  out({"add-port", "br0", "p"});
  EXPECT_EQ(std::stoi(out({"get", "Open_vSwitch", ".", "next_cfg"})), std::stoi(first) + 1);
}

TEST_F(Vsctl, OnelineEscapesNewlines) {
  out({"add-br", "br0", "--", "add-br", "br1"});
  EXPECT_EQ(out({"--oneline", "list-br", "--", "br-to-vlan", "br0"}), "br0\\nbr1\n0\n");
}

TEST_F(Vsctl, ShowListsBridgesPortsAndInterfacesByName) {
  out({"add-br", "br0", "--", "set-controller", "br0", "tcp:127.0.0.1:6653", "--", "set-fail-mode",
       "br0", "secure", "--", "set", "Bridge", "br0", "datapath_type=netdev"});
  out({"add-port", "br0", "vnet0", "tag=42", "--", "set", "Interface", "vnet0", "type=tap",
       "error=\"could not open\""});
  out({"add-port", "br0", "gre0", "--", "set", "Interface", "gre0", "type=gre",
       "options:remote_ip=192.0.2.2", "options:key=100"});
  out({"add-port", "br0", "eth1", "trunks=20,30"});
  std::string uuid = out({"get", "Open_vSwitch", ".", "_uuid"});
  EXPECT_EQ(out({"show"}), uuid +
                               "    Bridge br0\n"
                               "        Controller \"tcp:127.0.0.1:6653\"\n"
                               "        fail_mode: secure\n"
                               "        datapath_type: netdev\n"
                               "        Port br0\n"
                               "            Interface br0\n"
                               "                type: internal\n"
                               "        Port eth1\n"
                               "            trunks: [20, 30]\n"
                               "            Interface eth1\n"
                               "        Port gre0\n"
                               "            Interface gre0\n"
                               "                type: gre\n"
                               "                options: {key=\"100\", remote_ip=\"192.0.2.2\"}\n"
                               "        Port vnet0\n"
                               "            tag: 42\n"
                               "            Interface vnet0\n"
                               "                type: tap\n"
                               "                error: \"could not open\"\n");
}

TEST_F(Vsctl, WithoutDaemonCommitsAndSaysSo) {
  Outcome r = run({"add-br", "br0"}, /*no_wait=*/false);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.err.find("no vswitchd is serving"), std::string::npos) << r.err;
  EXPECT_EQ(out({"list-br"}), "br0\n");
}

TEST_F(Vsctl, EmerResetClearsControllersFailModeAndPolicing) {
  out({"add-br", "br0", "--", "set-controller", "br0", "tcp:127.0.0.1:6653", "--", "set-fail-mode",
       "br0", "secure", "--", "set", "Bridge", "br0", "other_config:hwaddr=\"02:00:00:00:00:01\"",
       "other_config:foo=bar"});
  out({"add-port", "br0", "p", "other_config:x=y", "--", "set", "Interface", "p",
       "ingress_policing_rate=1000", "ingress_policing_burst=100"});
  out({"emer-reset"});
  EXPECT_EQ(out({"get-controller", "br0"}), "");
  EXPECT_EQ(out({"list", "Controller"}), "");
  EXPECT_EQ(out({"get-fail-mode", "br0"}), "");
  EXPECT_EQ(out({"get", "Bridge", "br0", "other_config"}), "{hwaddr=\"02:00:00:00:00:01\"}\n");
  EXPECT_EQ(out({"get", "Port", "p", "other_config"}), "{}\n");
  EXPECT_EQ(out({"get", "Interface", "p", "ingress_policing_rate", "ingress_policing_burst"}),
            "0\n0\n");
  EXPECT_EQ(out({"list-ports", "br0"}), "p\n");
}

TEST_F(Vsctl, WaitUntilReturnsWhenTheConditionHolds) {
  out({"add-br", "br0", "--", "add-port", "br0", "p", "tag=3"});
  EXPECT_EQ(run({"wait-until", "Port", "p", "tag=3"}).status, 0);
  Outcome r = run({"--timeout=1", "wait-until", "Port", "p", "tag=4"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
}

TEST_F(Vsctl, IdGetBindsAnExistingRowForLaterCommands) {
  out({"add-br", "br0", "--", "add-port", "br0", "p"});
  std::string qos = out({"create", "QoS", "type=linux-htb"});
  qos.pop_back();
  out({"--", "--id=@q", "get", "QoS", qos, "--", "set", "Port", "p", "qos=@q"});
  EXPECT_EQ(out({"get", "Port", "p", "qos"}), qos + "\n");
}

TEST_F(Vsctl, VersionAndHelp) {
  Outcome v = run({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out, "vsctl (vswitch) " VS_VERSION "\nDB Schema 8.3.1\n");
  Outcome h = run({"--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("add-port BRIDGE NEW-PORT"), std::string::npos);
}

}  // namespace
}  // namespace vs::vsctl
