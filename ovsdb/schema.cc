// vswitch's schema, written as data. Types and constraints follow Open vSwitch's vswitch
// schema (8.3) for every column kept; vswitch adds enums where OVS would store a typo and fail
// later in a log (Interface.type, Bridge.datapath_type) and a syntax check on controller targets.
#include "ovsdb/schema.h"

#include <cassert>

#include "lib/openflow_target.h"
#include "ovsdb/datum.h"

namespace vs::ovsdb {

std::string_view atomic_type_name(AtomicType type) {
  switch (type) {
    case AtomicType::kInteger:
      return "integer";
    case AtomicType::kReal:
      return "real";
    case AtomicType::kBoolean:
      return "boolean";
    case AtomicType::kString:
      return "string";
    case AtomicType::kUuid:
      return "uuid";
  }
  return "?";
}

const Column* Table::find_column(std::string_view column_name) const {
  for (const Column& column : columns) {
    if (column.name == column_name) return &column;
  }
  return nullptr;
}

const Table* Schema::find_table(std::string_view table_name) const {
  for (const Table& t : tables) {
    if (t.name == table_name) return &t;
  }
  return nullptr;
}

const Table& Schema::table(std::string_view table_name) const {
  const Table* t = find_table(table_name);
  assert(t);
  return *t;
}

namespace {

// Small builders so the schema below reads like OVS's JSON schema.
BaseType integer(int64_t min = std::numeric_limits<int64_t>::min(),
                 int64_t max = std::numeric_limits<int64_t>::max()) {
  BaseType b;
  b.type = AtomicType::kInteger;
  b.min_integer = min;
  b.max_integer = max;
  return b;
}
BaseType string() { return BaseType{}; }
BaseType boolean() {
  BaseType b;
  b.type = AtomicType::kBoolean;
  return b;
}
BaseType enumeration(std::vector<std::string> values) {
  BaseType b;
  b.enum_values = std::move(values);
  return b;
}
BaseType ref(std::string table) {
  BaseType b;
  b.type = AtomicType::kUuid;
  b.ref_table = std::move(table);
  return b;
}

Column scalar(std::string name, BaseType key) {
  return Column{std::move(name), ColumnType{std::move(key), std::nullopt, 1, 1}};
}
Column optional(std::string name, BaseType key) {
  return Column{std::move(name), ColumnType{std::move(key), std::nullopt, 0, 1}};
}
Column set(std::string name, BaseType key, unsigned min = 0, unsigned max = kUnlimited) {
  return Column{std::move(name), ColumnType{std::move(key), std::nullopt, min, max}};
}
Column map(std::string name, BaseType key, BaseType value) {
  return Column{std::move(name), ColumnType{std::move(key), std::move(value), 0, kUnlimited}};
}
Column exclusive(Column column) {
  column.exclusive_refs = true;
  return column;
}
Column string_map(std::string name) { return map(std::move(name), string(), string()); }
Column immutable_name() {
  Column c = scalar("name", string());
  c.mutable_after_insert = false;
  return c;
}

Schema build_vswitch_schema() {
  BaseType target = string();
  target.check = [](const Atom& atom) { return describe_target_error(atom.string()); };

  Schema s;
  s.name = "Open_vSwitch";
  s.version = "8.3.1";
  s.storage_version = 1;
  s.tables = {
      Table{"Open_vSwitch",
            {exclusive(set("bridges", ref("Bridge"))), scalar("next_cfg", integer()),
             scalar("cur_cfg", integer()), string_map("external_ids"), string_map("other_config"),
             optional("ovs_version", string()), optional("db_version", string()),
             set("iface_types", string()), set("datapath_types", string())},
            /*is_root=*/true,
            /*single_row=*/true,
            ""},
      Table{"Bridge",
            {immutable_name(), exclusive(set("ports", ref("Port"))),
             exclusive(set("controller", ref("Controller"))),
             optional("fail_mode", enumeration({"secure", "standalone"})),
             scalar("datapath_type", enumeration({"", "netdev", "system"})),
             optional("datapath_id", string()),
             set("protocols", enumeration({"OpenFlow10", "OpenFlow11", "OpenFlow12", "OpenFlow13",
                                           "OpenFlow14", "OpenFlow15"})),
             scalar("stp_enable", boolean()), string_map("other_config"),
             string_map("external_ids"), string_map("status")},
            false,
            false,
            "name"},
      Table{"Port",
            {immutable_name(), exclusive(set("interfaces", ref("Interface"), 1)),
             optional("tag", integer(0, 4095)), set("trunks", integer(0, 4095), 0, 4096),
             optional("vlan_mode", enumeration({"access", "dot1q-tunnel", "native-tagged",
                                                "native-untagged", "trunk"})),
             optional("qos", ref("QoS")), scalar("fake_bridge", boolean()),
             string_map("other_config"), string_map("external_ids"), string_map("status")},
            false,
            false,
            "name"},
      Table{"Interface",
            {immutable_name(),
             scalar("type",
                    enumeration({"", "afxdp", "gre", "internal", "macvtap", "system", "tap"})),
             string_map("options"), optional("ofport", integer()),
             optional("ofport_request", integer(1, 65279)), optional("mac_in_use", string()),
             optional("admin_state", enumeration({"down", "up"})),
             optional("link_state", enumeration({"down", "up"})), optional("mtu", integer()),
             optional("mtu_request", integer(1)), scalar("ingress_policing_rate", integer(0)),
             scalar("ingress_policing_burst", integer(0)), optional("error", string()),
             map("statistics", string(), integer()), string_map("status"),
             string_map("external_ids"), string_map("other_config")},
            false,
            false,
            "name"},
      Table{"Controller",
            {scalar("target", target), scalar("is_connected", boolean()),
             optional("role", enumeration({"master", "other", "slave"})),
             optional("inactivity_probe", integer()), optional("max_backoff", integer(1000)),
             string_map("status"), string_map("external_ids"), string_map("other_config")},
            false,
            false,
            ""},
      Table{"QoS",
            {scalar("type", string()), map("queues", integer(0, 4294967295), ref("Queue")),
             string_map("other_config"), string_map("external_ids")},
            true,
            false,
            ""},
      Table{"Queue",
            {optional("dscp", integer(0, 63)), string_map("other_config"),
             string_map("external_ids")},
            true,
            false,
            ""},
  };
  return s;
}

}  // namespace

const Schema& vswitch_schema() {
  static const Schema schema = build_vswitch_schema();
  return schema;
}

}  // namespace vs::ovsdb
