// Tests for ovsdb/txn and ovsdb/daemon on real database files: values round-trip exactly,
// commit enforces OVSDB's rules (references, exclusive references, size limits, immutable
// columns), garbage-collects unreferenced non-root rows and bumps next_cfg; concurrent writers
// queue. Each test works in its own temporary directory.
#include "ovsdb/txn.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ovsdb/daemon.h"
#include "ovsdb/database.h"
#include "tests/support/test_support.h"

namespace vs::ovsdb {
namespace {

using vs::testing::error_of;
using vs::testing::ok;
using vs::testing::TempDir;

using Mode = Txn::Mode;

const Table& table(std::string_view name) { return vswitch_schema().table(name); }

const Column& column(std::string_view table_name, std::string_view column_name) {
  const Column* c = table(table_name).find_column(column_name);
  if (!c) throw std::runtime_error("no column " + std::string(column_name));
  return *c;
}

Atom integer(int64_t i) { return Atom(i); }

Datum set_of(std::vector<Atom> atoms) {
  Datum d;
  d.keys = std::move(atoms);
  d.normalize();
  return d;
}

Datum map_of(std::vector<std::pair<Atom, Atom>> pairs) {
  Datum d;
  for (auto& [k, v] : pairs) {
    d.keys.push_back(std::move(k));
    d.values.push_back(std::move(v));
  }
  d.normalize();
  return d;
}

// Reading and writing columns by name.
Datum get(Txn& txn, std::string_view t, const Uuid& row, std::string_view c) {
  return ok(txn.get(table(t), row, column(t, c)));
}
void set(Txn& txn, std::string_view t, const Uuid& row, std::string_view c, const Datum& value) {
  ok(txn.set(table(t), row, column(t, c), value));
}
Result<void> try_set(Txn& txn, std::string_view t, const Uuid& row, std::string_view c,
                     const Datum& value) {
  return txn.set(table(t), row, column(t, c), value);
}

Uuid ovs_row(Txn& txn) {
  auto rows = ok(txn.row_uuids(table("Open_vSwitch")));
  if (rows.size() != 1) throw std::runtime_error("expected one Open_vSwitch row");
  return rows[0];
}

std::optional<Uuid> find(Txn& txn, std::string_view t, std::string_view name) {
  return ok(txn.find_by_name(table(t), name));
}

bool exists(Txn& txn, std::string_view t, const Uuid& row) { return ok(txn.exists(table(t), row)); }

// A bridge as `add-br` makes it, listed in Open_vSwitch.bridges (bridges are not root rows).
Uuid add_bridge(Txn& txn, const std::string& name) {
  Uuid bridge = ok(txn.insert(table("Bridge")));
  set(txn, "Bridge", bridge, "name", Datum::scalar(name));
  ok(txn.add(table("Open_vSwitch"), ovs_row(txn), column("Open_vSwitch", "bridges"),
             Datum::scalar(bridge)));
  return bridge;
}

Uuid add_interface(Txn& txn, const std::string& name) {
  Uuid iface = ok(txn.insert(table("Interface")));
  set(txn, "Interface", iface, "name", Datum::scalar(name));
  return iface;
}

struct PortRows {
  Uuid port;
  std::vector<Uuid> interfaces;
};

// A port with its interfaces, in `bridge`'s ports, as `add-port` / `add-bond` make it.
PortRows add_port(Txn& txn, const Uuid& bridge, const std::string& name,
                  const std::vector<std::string>& iface_names) {
  PortRows rows;
  std::vector<Atom> refs;
  for (const std::string& iface : iface_names) {
    rows.interfaces.push_back(add_interface(txn, iface));
    refs.emplace_back(rows.interfaces.back());
  }
  rows.port = ok(txn.insert(table("Port")));
  set(txn, "Port", rows.port, "name", Datum::scalar(name));
  set(txn, "Port", rows.port, "interfaces", set_of(refs));
  ok(txn.add(table("Bridge"), bridge, column("Bridge", "ports"), Datum::scalar(rows.port)));
  return rows;
}

void expect_rows_equal(const Row& a, const Row& b) {
  EXPECT_EQ(a.uuid, b.uuid);
  EXPECT_EQ(a.columns, b.columns) << "row " << a.uuid.to_string();
}

class TxnTest : public ::testing::Test {
 protected:
  TxnTest() : path_(dir_.path() + "/conf.db") { reopen(); }

  // Closes and reopens the file, so that reads come from disk, not from this connection.
  void reopen() {
    db_.reset();
    db_ = ok(Database::open(path_));
  }
  std::unique_ptr<Txn> write() { return ok(Txn::begin(*db_, Mode::kWrite)); }
  std::unique_ptr<Txn> read() { return ok(Txn::begin(*db_, Mode::kRead)); }
  int64_t next_cfg() { return ok(read_config_sequence(*db_)).next_cfg; }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Database> db_;
};

// --- values round-trip ------------------------------------------------------------------------

TEST_F(TxnTest, ScalarsRoundTripExactly) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const std::string kName = "eth0 \"quoted\" \\ caf\xc3\xa9 \xe2\x9c\x93";
  Uuid bridge, iface_a, iface_b;
  {
    auto txn = write();
    bridge = add_bridge(*txn, "br0");
    set(*txn, "Bridge", bridge, "stp_enable", Datum::scalar(true));
    set(*txn, "Bridge", bridge, "datapath_type", Datum::scalar("netdev"));
    PortRows port = add_port(*txn, bridge, "p0", {kName, "eth1"});
    iface_a = port.interfaces[0];
    iface_b = port.interfaces[1];
    set(*txn, "Interface", iface_a, "type", Datum::scalar("gre"));
    set(*txn, "Interface", iface_a, "ofport", Datum::scalar(integer(kMax)));
    set(*txn, "Interface", iface_b, "ofport", Datum::scalar(integer(kMin)));
    set(*txn, "Interface", iface_a, "ingress_policing_rate", Datum::scalar(integer(1000000)));
    ok(txn->commit());
  }
  reopen();
  auto txn = read();
  EXPECT_EQ(get(*txn, "Bridge", bridge, "stp_enable"), Datum::scalar(true));
  EXPECT_EQ(get(*txn, "Bridge", bridge, "datapath_type"), Datum::scalar("netdev"));
  EXPECT_EQ(get(*txn, "Interface", iface_a, "name"), Datum::scalar(kName));
  EXPECT_EQ(find(*txn, "Interface", kName), iface_a);
  EXPECT_EQ(get(*txn, "Interface", iface_a, "type"), Datum::scalar("gre"));
  EXPECT_EQ(get(*txn, "Interface", iface_a, "ofport"), Datum::scalar(integer(kMax)));
  EXPECT_EQ(get(*txn, "Interface", iface_b, "ofport"), Datum::scalar(integer(kMin)));
  EXPECT_EQ(get(*txn, "Interface", iface_a, "ingress_policing_rate"),
            Datum::scalar(integer(1000000)));
  // Scalars never written read their defaults.
  EXPECT_EQ(get(*txn, "Interface", iface_b, "type"), Datum::scalar(""));
  EXPECT_EQ(get(*txn, "Interface", iface_b, "ingress_policing_burst"), Datum::scalar(integer(0)));
  EXPECT_EQ(get(*txn, "Port", find(*txn, "Port", "p0").value(), "fake_bridge"),
            Datum::scalar(false));
}

TEST_F(TxnTest, OptionalValuesRoundTripPresentAndAbsent) {
  Uuid bridge, tagged, untagged, qos;
  {
    auto txn = write();
    bridge = add_bridge(*txn, "br0");
    tagged = add_port(*txn, bridge, "tagged", {"tagged"}).port;
    untagged = add_port(*txn, bridge, "untagged", {"untagged"}).port;
    qos = ok(txn->insert(table("QoS")));
    set(*txn, "Port", tagged, "tag", Datum::scalar(integer(0)));  // 0 is a value, not absence
    set(*txn, "Port", tagged, "qos", Datum::scalar(qos));
    set(*txn, "Port", tagged, "vlan_mode", Datum::scalar("native-untagged"));
    set(*txn, "Port", untagged, "tag", Datum::scalar(integer(4095)));
    ok(txn->commit());
  }
  reopen();
  {
    auto txn = write();
    EXPECT_EQ(get(*txn, "Port", tagged, "tag"), Datum::scalar(integer(0)));
    EXPECT_EQ(get(*txn, "Port", tagged, "qos"), Datum::scalar(qos));
    EXPECT_EQ(get(*txn, "Port", tagged, "vlan_mode"), Datum::scalar("native-untagged"));
    EXPECT_EQ(get(*txn, "Port", untagged, "tag"), Datum::scalar(integer(4095)));
    EXPECT_EQ(get(*txn, "Port", untagged, "qos"), Datum());
    EXPECT_EQ(get(*txn, "Bridge", bridge, "fail_mode"), Datum());
    // Clearing an optional value makes it absent again.
    set(*txn, "Port", untagged, "tag", Datum());
    set(*txn, "Port", tagged, "qos", Datum());
    ok(txn->commit());
  }
  reopen();
  auto txn = read();
  EXPECT_EQ(get(*txn, "Port", untagged, "tag"), Datum());
  EXPECT_EQ(get(*txn, "Port", tagged, "qos"), Datum());
  EXPECT_TRUE(exists(*txn, "QoS", qos));  // QoS is a root table: unreferenced, it stays
}

TEST_F(TxnTest, SetsAndMapsRoundTripExactly) {
  const Datum trunks = set_of({integer(4095), integer(0), integer(10), integer(20)});
  const Datum protocols = set_of({"OpenFlow13", "OpenFlow10"});
  const Datum external_ids = map_of({{"iface-id", "abc"},
                                     {"", "empty key"},
                                     {"empty value", ""},
                                     {"k=v,{x}", "[\"quoted\"]"},
                                     {"caf\xc3\xa9", "\xe2\x9c\x93"}});
  const Datum statistics = map_of(
      {{"rx_packets", integer(std::numeric_limits<int64_t>::max())}, {"rx_errors", integer(-1)}});
  Uuid bridge, port, iface;
  {
    auto txn = write();
    bridge = add_bridge(*txn, "br0");
    PortRows rows = add_port(*txn, bridge, "p0", {"p0"});
    port = rows.port;
    iface = rows.interfaces[0];
    set(*txn, "Port", port, "trunks", trunks);
    set(*txn, "Bridge", bridge, "protocols", protocols);
    set(*txn, "Interface", iface, "external_ids", external_ids);
    set(*txn, "Interface", iface, "statistics", statistics);
    ok(txn->commit());
  }
  reopen();
  auto txn = read();
  EXPECT_EQ(get(*txn, "Port", port, "trunks"), trunks);
  EXPECT_EQ(get(*txn, "Bridge", bridge, "protocols"), protocols);
  EXPECT_EQ(get(*txn, "Interface", iface, "external_ids"), external_ids);
  EXPECT_EQ(get(*txn, "Interface", iface, "statistics"), statistics);
  EXPECT_EQ(get(*txn, "Interface", iface, "options"), Datum());
  EXPECT_EQ(get(*txn, "Bridge", bridge, "ports"), Datum::scalar(port));
  EXPECT_EQ(ok(txn->count(table("Interface"), iface, column("Interface", "external_ids"))), 5u);
}

// --- immutable columns ------------------------------------------------------------------------

TEST_F(TxnTest, NameOfExistingRowCannotBeChanged) {
  Uuid bridge;
  {
    auto txn = write();
    bridge = add_bridge(*txn, "br0");
    ok(txn->commit());
  }
  auto txn = write();
  EXPECT_EQ(error_of(try_set(*txn, "Bridge", bridge, "name", Datum::scalar("br1"))),
            "cannot modify read-only column name in table Bridge");
  EXPECT_EQ(get(*txn, "Bridge", bridge, "name"), Datum::scalar("br0"));
  // Other columns of the same row stay writable.
  EXPECT_TRUE(try_set(*txn, "Bridge", bridge, "fail_mode", Datum::scalar("secure")));
}

TEST_F(TxnTest, NameCanBeRewrittenOnRowInsertedInSameTxn) {
  auto txn = write();
  Uuid bridge = add_bridge(*txn, "first");
  EXPECT_TRUE(try_set(*txn, "Bridge", bridge, "name", Datum::scalar("second")));
  ok(txn->commit());
  txn = read();
  EXPECT_EQ(find(*txn, "Bridge", "second"), bridge);
  EXPECT_EQ(find(*txn, "Bridge", "first"), std::nullopt);
}

TEST_F(TxnTest, DuplicateBridgeNameIsRefused) {
  auto txn = write();
  add_bridge(*txn, "br0");
  Uuid second = ok(txn->insert(table("Bridge")));
  std::string error = error_of(try_set(*txn, "Bridge", second, "name", Datum::scalar("br0")));
  EXPECT_NE(error.find("cannot set name of Bridge row " + second.to_string()), std::string::npos)
      << error;
}

// --- rollback ---------------------------------------------------------------------------------

TEST_F(TxnTest, TxnDestroyedWithoutCommitLeavesNothing) {
  int64_t before = next_cfg();
  {
    auto txn = write();
    Uuid bridge = add_bridge(*txn, "br0");
    add_port(*txn, bridge, "p0", {"p0"});
    ok(txn->insert(table("QoS")));
    set(*txn, "Open_vSwitch", ovs_row(*txn), "external_ids", map_of({{"system-id", "x"}}));
  }
  {
    auto txn = write();  // the same handle is free for the next transaction
    EXPECT_EQ(find(*txn, "Bridge", "br0"), std::nullopt);
  }
  reopen();
  auto txn = read();
  for (const char* t : {"Bridge", "Port", "Interface", "QoS"}) {
    EXPECT_TRUE(ok(txn->row_uuids(table(t))).empty()) << t;
  }
  EXPECT_EQ(get(*txn, "Open_vSwitch", ovs_row(*txn), "external_ids"), Datum());
  EXPECT_EQ(get(*txn, "Open_vSwitch", ovs_row(*txn), "bridges"), Datum());
  EXPECT_EQ(next_cfg(), before);
}

TEST_F(TxnTest, FailedCommitFinishesTheTxn) {
  auto txn = write();
  Uuid bridge = add_bridge(*txn, "br0");
  Uuid port = ok(txn->insert(table("Port")));
  set(*txn, "Port", port, "name", Datum::scalar("p0"));
  ok(txn->add(table("Bridge"), bridge, column("Bridge", "ports"), Datum::scalar(port)));
  EXPECT_FALSE(txn->commit());  // the referenced port has no interfaces
  EXPECT_EQ(error_of(txn->commit()), "transaction already finished");
  txn.reset();
  txn = read();
  EXPECT_EQ(find(*txn, "Bridge", "br0"), std::nullopt);
}

// --- garbage collection -----------------------------------------------------------------------

TEST_F(TxnTest, RemovingPortFromBridgeDeletesItsInterfaces) {
  Uuid bridge, qos, queue;
  PortRows bond, other;
  {
    auto txn = write();
    bridge = add_bridge(*txn, "br0");
    bond = add_port(*txn, bridge, "bond0", {"eth0", "eth1"});
    other = add_port(*txn, bridge, "p1", {"p1"});
    qos = ok(txn->insert(table("QoS")));  // root rows that nothing references
    queue = ok(txn->insert(table("Queue")));
    ok(txn->commit());
  }
  {
    auto txn = write();
    ok(txn->remove_elements(table("Bridge"), bridge, column("Bridge", "ports"),
                            Datum::scalar(bond.port), false));
    ok(txn->commit());
  }
  reopen();
  auto txn = read();
  EXPECT_FALSE(exists(*txn, "Port", bond.port));
  EXPECT_FALSE(exists(*txn, "Interface", bond.interfaces[0]));
  EXPECT_FALSE(exists(*txn, "Interface", bond.interfaces[1]));
  EXPECT_EQ(find(*txn, "Interface", "eth0"), std::nullopt);
  EXPECT_TRUE(exists(*txn, "Port", other.port));
  EXPECT_TRUE(exists(*txn, "Interface", other.interfaces[0]));
  EXPECT_EQ(get(*txn, "Bridge", bridge, "ports"), Datum::scalar(other.port));
  EXPECT_TRUE(exists(*txn, "QoS", qos));
  EXPECT_TRUE(exists(*txn, "Queue", queue));
}

TEST_F(TxnTest, RemovingBridgeFromOpenVSwitchDeletesItsPortsAndInterfaces) {
  Uuid br0, br1;
  PortRows p0, p1;
  {
    auto txn = write();
    br0 = add_bridge(*txn, "br0");
    br1 = add_bridge(*txn, "br1");
    p0 = add_port(*txn, br0, "p0", {"p0"});
    p1 = add_port(*txn, br1, "p1", {"p1"});
    ok(txn->commit());
  }
  {
    auto txn = write();
    ok(txn->remove_elements(table("Open_vSwitch"), ovs_row(*txn), column("Open_vSwitch", "bridges"),
                            Datum::scalar(br0), false));
    ok(txn->commit());
  }
  auto txn = read();
  EXPECT_EQ(ok(txn->row_uuids(table("Bridge"))), std::vector<Uuid>{br1});
  EXPECT_EQ(ok(txn->row_uuids(table("Port"))), std::vector<Uuid>{p1.port});
  EXPECT_EQ(ok(txn->row_uuids(table("Interface"))), p1.interfaces);
}

TEST_F(TxnTest, RowsInsertedButNeverReferencedAreNotKept) {
  Uuid port, iface, qos;
  {
    auto txn = write();
    iface = add_interface(*txn, "lonely");
    port = ok(txn->insert(table("Port")));
    set(*txn, "Port", port, "name", Datum::scalar("lonely"));
    set(*txn, "Port", port, "interfaces", Datum::scalar(iface));
    qos = ok(txn->insert(table("QoS")));
    ok(txn->commit());
  }
  auto txn = read();
  EXPECT_FALSE(exists(*txn, "Port", port));
  EXPECT_FALSE(exists(*txn, "Interface", iface));
  EXPECT_TRUE(exists(*txn, "QoS", qos));
}

TEST_F(TxnTest, MovingPortToAnotherBridgeInOneTxnKeepsIt) {
  Uuid br0, br1;
  PortRows port;
  {
    auto txn = write();
    br0 = add_bridge(*txn, "br0");
    br1 = add_bridge(*txn, "br1");
    port = add_port(*txn, br0, "p0", {"p0"});
    ok(txn->commit());
  }
  {
    auto txn = write();
    ok(txn->remove_elements(table("Bridge"), br0, column("Bridge", "ports"),
                            Datum::scalar(port.port), false));
    ok(txn->add(table("Bridge"), br1, column("Bridge", "ports"), Datum::scalar(port.port)));
    ok(txn->commit());
  }
  auto txn = read();
  EXPECT_TRUE(exists(*txn, "Port", port.port));
  EXPECT_TRUE(exists(*txn, "Interface", port.interfaces[0]));
  EXPECT_EQ(get(*txn, "Bridge", br0, "ports"), Datum());
  EXPECT_EQ(get(*txn, "Bridge", br1, "ports"), Datum::scalar(port.port));
}

// --- references -------------------------------------------------------------------------------

TEST_F(TxnTest, DeletingRowStillReferencedFailsAndCommitsNothing) {
  PortRows port;
  {
    auto txn = write();
    port = add_port(*txn, add_bridge(*txn, "br0"), "p0", {"p0"});
    ok(txn->commit());
  }
  int64_t before = next_cfg();
  {
    auto txn = write();
    set(*txn, "Port", port.port, "external_ids", map_of({{"changed", "yes"}}));
    ok(txn->remove(table("Interface"), port.interfaces[0]));
    EXPECT_EQ(error_of(txn->commit()),
              "cannot delete Interface row " + port.interfaces[0].to_string() +
                  " because it is still referenced by column interfaces of Port row " +
                  port.port.to_string());
  }
  reopen();
  auto txn = read();
  EXPECT_TRUE(exists(*txn, "Interface", port.interfaces[0]));
  EXPECT_EQ(get(*txn, "Port", port.port, "interfaces"), Datum::scalar(port.interfaces[0]));
  EXPECT_EQ(get(*txn, "Port", port.port, "external_ids"), Datum());
  EXPECT_EQ(next_cfg(), before);
}

TEST_F(TxnTest, ReferenceToRowNeverCreatedFailsAtCommit) {
  const Uuid ghost = *Uuid::parse("0b1d5e6a-7c8f-4a3b-9e2d-1f0a6b7c8d9e");
  {
    auto txn = write();
    Uuid bridge = add_bridge(*txn, "br0");
    set(*txn, "Bridge", bridge, "ports", Datum::scalar(ghost));
    std::string error = error_of(txn->commit());
    EXPECT_NE(error.find("reference to nonexistent Port row " + ghost.to_string()),
              std::string::npos)
        << error;
  }
  auto txn = read();
  EXPECT_EQ(find(*txn, "Bridge", "br0"), std::nullopt);
}

TEST_F(TxnTest, ReferenceOverwrittenBeforeCommitIsNotChecked) {
  const Uuid ghost = *Uuid::parse("0b1d5e6a-7c8f-4a3b-9e2d-1f0a6b7c8d9e");
  {
    auto txn = write();
    Uuid bridge = add_bridge(*txn, "br0");
    set(*txn, "Bridge", bridge, "ports", Datum::scalar(ghost));
    set(*txn, "Bridge", bridge, "ports", Datum());
    ok(txn->commit());
  }
  auto txn = read();
  EXPECT_TRUE(find(*txn, "Bridge", "br0").has_value());
}

TEST_F(TxnTest, ForwardReferenceToRowInsertedLaterSucceeds) {
  const Uuid chosen = *Uuid::parse("5f2c7a9e-3b1d-4e8f-a6c0-9d8e7f6a5b4c");
  {
    auto txn = write();
    Uuid bridge = add_bridge(*txn, "br0");
    set(*txn, "Bridge", bridge, "ports", Datum::scalar(chosen));  // row created below
    Uuid iface = add_interface(*txn, "p0");
    EXPECT_EQ(ok(txn->insert(table("Port"), chosen)), chosen);
    set(*txn, "Port", chosen, "name", Datum::scalar("p0"));
    set(*txn, "Port", chosen, "interfaces", Datum::scalar(iface));
    ok(txn->commit());
  }
  auto txn = read();
  EXPECT_EQ(find(*txn, "Port", "p0"), chosen);
  EXPECT_EQ(get(*txn, "Bridge", find(*txn, "Bridge", "br0").value(), "ports"),
            Datum::scalar(chosen));
}

TEST_F(TxnTest, PortCannotBeInTwoBridges) {
  Uuid br0, br1;
  PortRows port;
  {
    auto txn = write();
    br0 = add_bridge(*txn, "br0");
    br1 = add_bridge(*txn, "br1");
    port = add_port(*txn, br0, "p0", {"p0"});
    ok(txn->commit());
  }
  auto txn = write();
  EXPECT_EQ(
      error_of(txn->add(table("Bridge"), br1, column("Bridge", "ports"), Datum::scalar(port.port))),
      "Port row " + port.port.to_string() + " is already in column ports of Bridge row " +
          br0.to_string());
  EXPECT_EQ(error_of(try_set(*txn, "Bridge", br1, "ports", Datum::scalar(port.port))),
            "Port row " + port.port.to_string() + " is already in column ports of Bridge row " +
                br0.to_string());
  EXPECT_EQ(get(*txn, "Bridge", br1, "ports"), Datum());
}

TEST_F(TxnTest, InterfaceCannotBeInTwoPorts) {
  auto txn = write();
  Uuid bridge = add_bridge(*txn, "br0");
  PortRows p0 = add_port(*txn, bridge, "p0", {"p0"});
  Uuid p1 = ok(txn->insert(table("Port")));
  EXPECT_EQ(error_of(try_set(*txn, "Port", p1, "interfaces", Datum::scalar(p0.interfaces[0]))),
            "Interface row " + p0.interfaces[0].to_string() +
                " is already in column interfaces of Port row " + p0.port.to_string());
}

// --- size and value checks --------------------------------------------------------------------

TEST_F(TxnTest, PortWithoutInterfacesIsRefusedAtCommit) {
  {
    auto txn = write();
    Uuid bridge = add_bridge(*txn, "br0");
    Uuid port = ok(txn->insert(table("Port")));
    set(*txn, "Port", port, "name", Datum::scalar("p0"));
    ok(txn->add(table("Bridge"), bridge, column("Bridge", "ports"), Datum::scalar(port)));
    EXPECT_EQ(error_of(txn->commit()),
              "Port row " + port.to_string() + ": column interfaces needs at least 1 value(s)");
  }
  auto txn = read();
  EXPECT_EQ(find(*txn, "Bridge", "br0"), std::nullopt);
}

TEST_F(TxnTest, RemovingLastInterfaceOfPortIsRefusedAtCommit) {
  PortRows port;
  {
    auto txn = write();
    port = add_port(*txn, add_bridge(*txn, "br0"), "p0", {"p0"});
    ok(txn->commit());
  }
  {
    auto txn = write();
    ok(txn->remove_elements(table("Port"), port.port, column("Port", "interfaces"),
                            Datum::scalar(port.interfaces[0]), false));
    EXPECT_EQ(error_of(txn->commit()), "Port row " + port.port.to_string() +
                                           ": column interfaces needs at least 1 value(s)");
  }
  auto txn = read();
  EXPECT_TRUE(exists(*txn, "Interface", port.interfaces[0]));
}

TEST_F(TxnTest, TrunksOutsideVlanRangeAreRefusedBySet) {
  auto txn = write();
  Uuid port = add_port(*txn, add_bridge(*txn, "br0"), "p0", {"p0"}).port;
  for (int64_t bad : {int64_t{4096}, int64_t{-1}, std::numeric_limits<int64_t>::max()}) {
    EXPECT_FALSE(try_set(*txn, "Port", port, "trunks", set_of({integer(10), integer(bad)}))) << bad;
    EXPECT_FALSE(
        txn->add(table("Port"), port, column("Port", "trunks"), Datum::scalar(integer(bad))))
        << bad;
    EXPECT_FALSE(try_set(*txn, "Port", port, "tag", Datum::scalar(integer(bad)))) << bad;
  }
  EXPECT_EQ(get(*txn, "Port", port, "trunks"), Datum());
  EXPECT_EQ(get(*txn, "Port", port, "tag"), Datum());
  EXPECT_TRUE(try_set(*txn, "Port", port, "trunks", set_of({integer(0), integer(4095)})));
}

TEST_F(TxnTest, EnumColumnsRefuseOtherStrings) {
  auto txn = write();
  Uuid bridge = add_bridge(*txn, "br0");
  EXPECT_FALSE(try_set(*txn, "Bridge", bridge, "fail_mode", Datum::scalar("Secure")));
  EXPECT_FALSE(try_set(*txn, "Bridge", bridge, "protocols", Datum::scalar("OpenFlow16")));
  EXPECT_EQ(get(*txn, "Bridge", bridge, "fail_mode"), Datum());
}

TEST_F(TxnTest, OpenVSwitchTableKeepsOneRow) {
  {
    auto txn = write();
    EXPECT_EQ(error_of(txn->insert(table("Open_vSwitch"))),
              "table Open_vSwitch may have only one row");
  }
  auto txn = read();
  EXPECT_EQ(ok(txn->row_uuids(table("Open_vSwitch"))).size(), 1u);
}

TEST_F(TxnTest, ReadTransactionRefusesWrites) {
  Uuid bridge;
  {
    auto txn = write();
    bridge = add_bridge(*txn, "br0");
    ok(txn->commit());
  }
  auto txn = read();
  EXPECT_FALSE(try_set(*txn, "Bridge", bridge, "fail_mode", Datum::scalar("secure")));
  EXPECT_FALSE(txn->insert(table("QoS")));
  EXPECT_FALSE(txn->remove(table("Bridge"), bridge));
}

// --- next_cfg ---------------------------------------------------------------------------------

TEST_F(TxnTest, CommitThatChangesSomethingIncrementsNextCfgByOne) {
  int64_t before = next_cfg();
  {
    auto txn = write();
    add_bridge(*txn, "br0");
    add_bridge(*txn, "br1");
    EXPECT_EQ(ok(txn->commit()), before + 1);
  }
  EXPECT_EQ(next_cfg(), before + 1);
  {
    auto txn = write();
    set(*txn, "Bridge", find(*txn, "Bridge", "br0").value(), "fail_mode", Datum::scalar("secure"));
    EXPECT_EQ(ok(txn->commit()), before + 2);
  }
  reopen();
  EXPECT_EQ(next_cfg(), before + 2);
}

TEST_F(TxnTest, CommitThatChangesNothingLeavesNextCfg) {
  {
    auto txn = write();
    add_bridge(*txn, "br0");
    ok(txn->commit());
  }
  int64_t before = next_cfg();
  {
    auto txn = write();
    EXPECT_TRUE(find(*txn, "Bridge", "br0").has_value());
    ok(txn->load_table(table("Bridge")));
    EXPECT_FALSE(txn->changed());
    EXPECT_EQ(ok(txn->commit()), before);
  }
  {
    auto txn = read();
    EXPECT_EQ(ok(txn->commit()), before);
  }
  EXPECT_EQ(next_cfg(), before);
}

// --- queries ----------------------------------------------------------------------------------

TEST_F(TxnTest, QueriesReturnWhatWasWritten) {
  Uuid bridge;
  std::vector<PortRows> ports;
  {
    auto txn = write();
    bridge = add_bridge(*txn, "br0");
    ports.push_back(add_port(*txn, bridge, "p0", {"p0"}));
    ports.push_back(add_port(*txn, bridge, "bond1", {"eth1", "eth2"}));
    ports.push_back(add_port(*txn, bridge, "p2", {"p2"}));
    set(*txn, "Port", ports[0].port, "tag", Datum::scalar(integer(10)));
    set(*txn, "Port", ports[2].port, "tag", Datum::scalar(integer(10)));
    set(*txn, "Port", ports[1].port, "trunks", set_of({integer(10), integer(20)}));
    set(*txn, "Port", ports[1].port, "external_ids", map_of({{"a", "1"}, {"b", "2"}}));
    set(*txn, "Interface", ports[0].interfaces[0], "type", Datum::scalar("internal"));
    ok(txn->commit());
  }
  reopen();
  auto txn = read();
  const Table& port_table = table("Port");

  EXPECT_EQ(find(*txn, "Port", "bond1"), ports[1].port);
  EXPECT_EQ(find(*txn, "Interface", "eth2"), ports[1].interfaces[1]);
  EXPECT_EQ(find(*txn, "Port", "eth2"), std::nullopt);

  std::vector<Uuid> tagged = {ports[0].port, ports[2].port};
  std::sort(tagged.begin(), tagged.end());
  EXPECT_EQ(ok(txn->find_rows(port_table, column("Port", "tag"), integer(10))), tagged);
  EXPECT_EQ(ok(txn->find_rows(port_table, column("Port", "tag"), integer(20))),
            std::vector<Uuid>{});
  EXPECT_EQ(ok(txn->find_rows(table("Interface"), column("Interface", "type"), "internal")),
            std::vector<Uuid>{ports[0].interfaces[0]});

  std::vector<Uuid> all = {ports[0].port, ports[1].port, ports[2].port};
  std::sort(all.begin(), all.end());
  EXPECT_EQ(ok(txn->row_uuids(port_table)), all);

  std::vector<Row> rows = ok(txn->load_table(port_table));
  ASSERT_EQ(rows.size(), 3u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].uuid, all[i]);
    expect_rows_equal(rows[i], ok(txn->load_row(port_table, all[i])));
  }
  const Row& bond = rows[std::find(all.begin(), all.end(), ports[1].port) - all.begin()];
  EXPECT_EQ(bond.columns[&column("Port", "name") - port_table.columns.data()],
            Datum::scalar("bond1"));
  EXPECT_EQ(bond.columns[&column("Port", "interfaces") - port_table.columns.data()],
            set_of({ports[1].interfaces[0], ports[1].interfaces[1]}));

  std::vector<Referrer> refs = ok(txn->referrers(table("Interface"), ports[1].interfaces[1]));
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].table, &port_table);
  EXPECT_EQ(refs[0].column, &column("Port", "interfaces"));
  EXPECT_EQ(refs[0].uuid, ports[1].port);
  refs = ok(txn->referrers(port_table, ports[2].port));
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].column, &column("Bridge", "ports"));
  EXPECT_EQ(refs[0].uuid, bridge);

  EXPECT_EQ(ok(txn->count(table("Bridge"), bridge, column("Bridge", "ports"))), 3u);
  EXPECT_EQ(ok(txn->count(port_table, ports[1].port, column("Port", "interfaces"))), 2u);
  EXPECT_EQ(ok(txn->count(port_table, ports[1].port, column("Port", "external_ids"))), 2u);
  EXPECT_EQ(ok(txn->count(port_table, ports[1].port, column("Port", "tag"))), 0u);
  EXPECT_EQ(ok(txn->count(port_table, ports[0].port, column("Port", "tag"))), 1u);
}

TEST_F(TxnTest, ReadsInsideTxnSeeEarlierWritesOfSameTxn) {
  auto txn = write();
  Uuid bridge = add_bridge(*txn, "br0");
  EXPECT_EQ(find(*txn, "Bridge", "br0"), bridge);
  EXPECT_EQ(ok(txn->row_uuids(table("Bridge"))), std::vector<Uuid>{bridge});
  EXPECT_EQ(get(*txn, "Open_vSwitch", ovs_row(*txn), "bridges"), Datum::scalar(bridge));
}

// --- map and set mutations --------------------------------------------------------------------

class MapMutationTest : public TxnTest {
 protected:
  MapMutationTest() {
    auto txn = write();
    bridge_ = add_bridge(*txn, "br0");
    set(*txn, "Bridge", bridge_, "external_ids", map_of({{"a", "1"}, {"b", "2"}, {"c", "3"}}));
    ok(txn->commit());
  }
  Datum external_ids() {
    auto txn = read();
    return get(*txn, "Bridge", bridge_, "external_ids");
  }
  const Table& bridge_table_ = table("Bridge");
  const Column& external_ids_ = column("Bridge", "external_ids");
  Uuid bridge_;
};

TEST_F(MapMutationTest, SetKeyReplacesExistingValue) {
  auto txn = write();
  ok(txn->set_key(bridge_table_, bridge_, external_ids_, "b", "two"));
  ok(txn->set_key(bridge_table_, bridge_, external_ids_, "d", "4"));
  ok(txn->commit());
  txn.reset();
  EXPECT_EQ(external_ids(), map_of({{"a", "1"}, {"b", "two"}, {"c", "3"}, {"d", "4"}}));
}

TEST_F(MapMutationTest, AddDoesNotReplaceExistingKey) {
  auto txn = write();
  ok(txn->add(bridge_table_, bridge_, external_ids_, map_of({{"a", "changed"}, {"e", "5"}})));
  ok(txn->commit());
  txn.reset();
  EXPECT_EQ(external_ids(), map_of({{"a", "1"}, {"b", "2"}, {"c", "3"}, {"e", "5"}}));
}

TEST_F(MapMutationTest, RemoveElementsMatchingValuesRemovesOnlyMatchingPairs) {
  auto txn = write();
  ok(txn->remove_elements(bridge_table_, bridge_, external_ids_,
                          map_of({{"a", "1"}, {"b", "wrong"}, {"zz", "1"}}), true));
  ok(txn->commit());
  txn.reset();
  EXPECT_EQ(external_ids(), map_of({{"b", "2"}, {"c", "3"}}));
}

TEST_F(MapMutationTest, RemoveElementsByKeyIgnoresValues) {
  auto txn = write();
  ok(txn->remove_elements(bridge_table_, bridge_, external_ids_, set_of({"a", "c", "zz"}), false));
  ok(txn->commit());
  txn.reset();
  EXPECT_EQ(external_ids(), map_of({{"b", "2"}}));
}

TEST_F(TxnTest, AddToSetKeepsExistingElements) {
  Uuid port;
  {
    auto txn = write();
    port = add_port(*txn, add_bridge(*txn, "br0"), "p0", {"p0"}).port;
    set(*txn, "Port", port, "trunks", set_of({integer(10), integer(20)}));
    ok(txn->add(table("Port"), port, column("Port", "trunks"), set_of({integer(20), integer(30)})));
    ok(txn->commit());
  }
  auto txn = read();
  EXPECT_EQ(get(*txn, "Port", port, "trunks"), set_of({integer(10), integer(20), integer(30)}));
}

TEST_F(TxnTest, SetKeyOnReferenceMapKeepsReplacedRootRow) {
  Uuid qos, queue_a, queue_b;
  {
    auto txn = write();
    qos = ok(txn->insert(table("QoS")));
    queue_a = ok(txn->insert(table("Queue")));
    queue_b = ok(txn->insert(table("Queue")));
    ok(txn->set_key(table("QoS"), qos, column("QoS", "queues"), integer(0), queue_a));
    ok(txn->commit());
  }
  {
    auto txn = write();
    ok(txn->set_key(table("QoS"), qos, column("QoS", "queues"), integer(0), queue_b));
    ok(txn->commit());
  }
  auto txn = read();
  EXPECT_EQ(get(*txn, "QoS", qos, "queues"), map_of({{integer(0), queue_b}}));
  EXPECT_TRUE(exists(*txn, "Queue", queue_a));  // Queue is a root table
}

// --- concurrency ------------------------------------------------------------------------------

TEST_F(TxnTest, SecondWriterWaitsForFirstInsteadOfFailing) {
  auto other_db = ok(Database::open(path_));
  auto first = write();
  add_bridge(*first, "first");
  std::optional<Result<int64_t>> first_commit;
  std::thread committer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    first_commit = first->commit();
  });
  auto second = Txn::begin(*other_db, Mode::kWrite);  // blocks until `first` commits
  // Read at once: a transaction that had not waited would miss the bridge `first` is writing.
  std::optional<Result<std::optional<Uuid>>> seen;
  if (second) seen = second.value()->find_by_name(table("Bridge"), "first");
  committer.join();
  ASSERT_TRUE(first_commit.has_value());
  ASSERT_TRUE(*first_commit) << first_commit->error().message;
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_TRUE(seen.has_value() && *seen) << "find_by_name failed";
  EXPECT_TRUE(seen->value().has_value());
  add_bridge(*second.value(), "second");
  EXPECT_EQ(ok(second.value()->commit()), first_commit->value() + 1);

  auto txn = read();
  EXPECT_TRUE(find(*txn, "Bridge", "first").has_value());
  EXPECT_TRUE(find(*txn, "Bridge", "second").has_value());
}

TEST_F(TxnTest, HandleSeesCommitsMadeThroughAnotherHandle) {
  auto other_db = ok(Database::open(path_));
  Uuid bridge;
  {
    auto txn = write();
    bridge = add_bridge(*txn, "br0");
    EXPECT_TRUE(exists(*txn, "Bridge", bridge));
    ok(txn->commit());
  }
  {
    auto txn = ok(Txn::begin(*other_db, Mode::kWrite));
    set(*txn, "Bridge", bridge, "fail_mode", Datum::scalar("secure"));
    ok(txn->commit());
  }
  {
    auto txn = read();
    EXPECT_EQ(get(*txn, "Bridge", bridge, "fail_mode"), Datum::scalar("secure"));
  }
  EXPECT_EQ(next_cfg(), ok(read_config_sequence(*other_db)).next_cfg);
  auto txn = Txn::begin(*db_, Mode::kWrite);
  ASSERT_TRUE(txn) << txn.error().message;
  set(*txn.value(), "Bridge", bridge, "fail_mode", Datum::scalar("standalone"));
  EXPECT_TRUE(txn.value()->commit());
}

TEST_F(TxnTest, HandleSeesCommitsOfAnotherHandleAfterRollingBack) {
  auto other_db = ok(Database::open(path_));
  Uuid bridge;
  {
    auto txn = write();
    bridge = add_bridge(*txn, "br0");
    ok(txn->commit());
  }
  {
    auto txn = read();  // ends without commit, after a lookup that stopped at its first row
    EXPECT_TRUE(exists(*txn, "Bridge", bridge));
  }
  {
    auto txn = ok(Txn::begin(*other_db, Mode::kWrite));
    set(*txn, "Bridge", bridge, "fail_mode", Datum::scalar("secure"));
    ok(txn->commit());
  }
  auto txn = Txn::begin(*db_, Mode::kWrite);
  ASSERT_TRUE(txn) << txn.error().message;
  EXPECT_EQ(get(*txn.value(), "Bridge", bridge, "fail_mode"), Datum::scalar("secure"));
}

// --- daemon record and configuration sequence -------------------------------------------------

TEST_F(TxnTest, DaemonRecordIsWrittenReadAndCleared) {
  EXPECT_EQ(ok(read_daemon_record(*db_)), std::nullopt);
  ok(write_daemon_record(*db_, DaemonRecord{4242, "/run/vswitch/vswitchd.4242.ctl"}));
  auto other_db = ok(Database::open(path_));
  auto record = ok(read_daemon_record(*other_db));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->pid, 4242);
  EXPECT_EQ(record->control_socket, "/run/vswitch/vswitchd.4242.ctl");

  ok(write_daemon_record(*db_, DaemonRecord{7, "/tmp/other.ctl"}));
  record = ok(read_daemon_record(*other_db));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->pid, 7);
  EXPECT_EQ(record->control_socket, "/tmp/other.ctl");

  ok(clear_daemon_record(*other_db));
  EXPECT_EQ(ok(read_daemon_record(*db_)), std::nullopt);
}

TEST_F(TxnTest, CurCfgRoundTripsAndNextCfgFollowsCommits) {
  ConfigSequence start = ok(read_config_sequence(*db_));
  EXPECT_EQ(start.next_cfg, 0);
  EXPECT_EQ(start.cur_cfg, 0);
  {
    auto txn = write();
    add_bridge(*txn, "br0");
    ok(txn->commit());
  }
  ok(write_cur_cfg(*db_, 1));
  auto other_db = ok(Database::open(path_));
  ConfigSequence seq = ok(read_config_sequence(*other_db));
  EXPECT_EQ(seq.next_cfg, 1);
  EXPECT_EQ(seq.cur_cfg, 1);
  ok(write_cur_cfg(*other_db, 42));
  EXPECT_EQ(ok(read_config_sequence(*db_)).cur_cfg, 42);
  EXPECT_EQ(ok(read_config_sequence(*db_)).next_cfg, 1);  // writing cur_cfg is not a request
}

}  // namespace
}  // namespace vs::ovsdb
