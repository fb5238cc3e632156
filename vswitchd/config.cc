// read_config / write_status (config.h): schema columns to plain structs and back.
#include "vswitchd/config.h"

#include <algorithm>

#include "ovsdb/daemon.h"
#include "ovsdb/datum.h"
#include "ovsdb/txn.h"

namespace vs::vswitchd {
namespace {

using ovsdb::Atom;
using ovsdb::Datum;
using ovsdb::Row;
using ovsdb::Table;

// Column access by name on a loaded row.
class RowView {
 public:
  RowView(const Table& table, const Row& row) : table_(table), row_(row) {}

  const Datum& datum(std::string_view column) const {
    for (size_t i = 0; i < table_.columns.size(); ++i) {
      if (table_.columns[i].name == column) return row_.columns[i];
    }
    static const Datum kEmpty;
    return kEmpty;
  }
  std::string string(std::string_view column) const {
    const Datum& d = datum(column);
    return d.empty() ? std::string() : d.keys[0].string();
  }
  std::optional<std::string> optional_string(std::string_view column) const {
    const Datum& d = datum(column);
    return d.empty() ? std::nullopt : std::optional(d.keys[0].string());
  }
  int64_t integer(std::string_view column) const {
    const Datum& d = datum(column);
    return d.empty() ? 0 : d.keys[0].integer();
  }
  bool boolean(std::string_view column) const {
    const Datum& d = datum(column);
    return !d.empty() && d.keys[0].boolean();
  }
  std::optional<int64_t> optional_integer(std::string_view column) const {
    const Datum& d = datum(column);
    return d.empty() ? std::nullopt : std::optional(d.keys[0].integer());
  }
  StringMap string_map(std::string_view column) const {
    const Datum& d = datum(column);
    StringMap out;
    for (size_t i = 0; i < d.size(); ++i) out[d.keys[i].string()] = d.values[i].string();
    return out;
  }
  std::vector<int64_t> integers(std::string_view column) const {
    std::vector<int64_t> out;
    for (const Atom& a : datum(column).keys) out.push_back(a.integer());
    return out;
  }
  std::vector<Uuid> uuids(std::string_view column) const {
    std::vector<Uuid> out;
    for (const Atom& a : datum(column).keys) out.push_back(a.uuid());
    return out;
  }

 private:
  const Table& table_;
  const Row& row_;
};

template <class T>
Datum optional_datum(const std::optional<T>& value) {
  return value ? Datum::scalar(Atom(*value)) : Datum{};
}

template <class V>
Datum map_datum(const std::map<std::string, V>& map) {
  Datum d;
  for (const auto& [k, v] : map) {  // std::map order is the datum's key order
    d.keys.emplace_back(k);
    d.values.emplace_back(v);
  }
  return d;
}

}  // namespace

Result<Config> read_config(ovsdb::Database& db) {
  const ovsdb::Schema& schema = db.schema();
  const Table& bridge_table = schema.table("Bridge");
  const Table& port_table = schema.table("Port");
  const Table& iface_table = schema.table("Interface");
  Config config;
  VS_ASSIGN(auto txn, ovsdb::Txn::begin(db, ovsdb::Txn::Mode::kRead));
  VS_ASSIGN(auto bridges, txn->load_table(bridge_table));
  VS_ASSIGN(auto ports, txn->load_table(port_table));
  VS_ASSIGN(auto ifaces, txn->load_table(iface_table));
  const Table& controller_table = schema.table("Controller");
  VS_ASSIGN(auto controllers, txn->load_table(controller_table));
  std::map<Uuid, const Row*> controller_rows;
  for (const Row& r : controllers) controller_rows[r.uuid] = &r;
  std::map<Uuid, const Row*> port_rows, iface_rows;
  for (const Row& r : ports) port_rows[r.uuid] = &r;
  for (const Row& r : ifaces) iface_rows[r.uuid] = &r;

  for (const Row& b : bridges) {
    RowView bridge(bridge_table, b);
    BridgeConfig& bc = config.bridges.emplace_back();
    bc.uuid = b.uuid;
    bc.name = bridge.string("name");
    bc.other_config = bridge.string_map("other_config");
    bc.stp_enable = bridge.boolean("stp_enable");
    bc.fail_mode = bridge.optional_string("fail_mode");
    bc.datapath_id = bridge.optional_string("datapath_id");
    for (const Atom& a : bridge.datum("protocols").keys) bc.protocols.push_back(a.string());
    for (const Uuid& cu : bridge.uuids("controller")) {
      auto c = controller_rows.find(cu);
      if (c == controller_rows.end()) continue;
      RowView row(controller_table, *c->second);
      ControllerConfig& cc = bc.controllers.emplace_back();
      cc.uuid = cu;
      cc.target = row.string("target");
      cc.max_backoff = row.optional_integer("max_backoff");
      cc.inactivity_probe = row.optional_integer("inactivity_probe");
      cc.is_connected = row.boolean("is_connected");
      cc.role = row.optional_string("role");
      cc.status = row.string_map("status");
    }
    bc.status = bridge.string_map("status");
    for (const Uuid& pu : bridge.uuids("ports")) {
      auto p = port_rows.find(pu);
      if (p == port_rows.end()) continue;
      RowView port(port_table, *p->second);
      PortConfig& pc = bc.ports.emplace_back();
      pc.uuid = pu;
      pc.name = port.string("name");
      pc.has_qos = !port.datum("qos").empty();
      pc.tag = port.optional_integer("tag");
      pc.trunks = port.integers("trunks");
      pc.vlan_mode = port.string("vlan_mode");
      pc.priority_tags = port.string_map("other_config")["priority-tags"];
      pc.status = port.string_map("status");
      for (const Uuid& iu : port.uuids("interfaces")) {
        auto i = iface_rows.find(iu);
        if (i == iface_rows.end()) continue;
        RowView iface(iface_table, *i->second);
        InterfaceConfig& ic = pc.interfaces.emplace_back();
        ic.uuid = iu;
        ic.name = iface.string("name");
        ic.type = iface.string("type");
        ic.options = iface.string_map("options");
        ic.ofport_request = iface.optional_integer("ofport_request");
        ic.ingress_policing_rate = iface.integer("ingress_policing_rate");
        ic.ingress_policing_burst = iface.integer("ingress_policing_burst");
        ic.mtu_request = iface.optional_integer("mtu_request");
        InterfaceStatus& s = ic.current;
        s.ofport = iface.optional_integer("ofport");
        s.mac_in_use = iface.optional_string("mac_in_use");
        s.admin_state = iface.optional_string("admin_state");
        s.link_state = iface.optional_string("link_state");
        s.mtu = iface.optional_integer("mtu");
        s.error = iface.optional_string("error");
        s.status = iface.string_map("status");
        const Datum& stats = iface.datum("statistics");
        for (size_t k = 0; k < stats.size(); ++k) {
          s.statistics[stats.keys[k].string()] = stats.values[k].integer();
        }
      }
    }
  }
  std::sort(config.bridges.begin(), config.bridges.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  VS_ASSIGN(auto seq, ovsdb::read_config_sequence(db));
  config.next_cfg = seq.next_cfg;
  config.cur_cfg = seq.cur_cfg;
  txn->rollback();
  return config;
}

Result<void> write_status(ovsdb::Database& db, const std::map<Uuid, InterfaceStatus>& statuses,
                          const std::map<Uuid, InterfaceStatus>& previous,
                          const std::vector<RowStatus>& rows, std::optional<int64_t> cur_cfg,
                          const std::vector<ColumnWrite>& columns) {
  const Table& table = db.schema().table("Interface");
  auto column = [&](std::string_view name) { return table.find_column(name); };
  VS_ASSIGN(auto txn, ovsdb::Txn::begin(db, ovsdb::Txn::Mode::kWrite));
  for (const auto& [uuid, s] : statuses) {
    auto old = previous.find(uuid);
    if (old != previous.end() && old->second == s) continue;
    VS_ASSIGN(bool exists, txn->exists(table, uuid));
    if (!exists) continue;
    const InterfaceStatus* was = old == previous.end() ? nullptr : &old->second;
    auto write = [&](std::string_view name, const Datum& value, bool same) -> Result<void> {
      if (same) return boost::outcome_v2::success();
      return txn->set(table, uuid, *column(name), value);
    };
    VS_TRY(write("ofport", optional_datum(s.ofport), was && was->ofport == s.ofport));
    VS_TRY(
        write("mac_in_use", optional_datum(s.mac_in_use), was && was->mac_in_use == s.mac_in_use));
    VS_TRY(write("admin_state", optional_datum(s.admin_state),
                 was && was->admin_state == s.admin_state));
    VS_TRY(
        write("link_state", optional_datum(s.link_state), was && was->link_state == s.link_state));
    VS_TRY(write("mtu", optional_datum(s.mtu), was && was->mtu == s.mtu));
    VS_TRY(write("error", optional_datum(s.error), was && was->error == s.error));
    VS_TRY(write("status", map_datum(s.status), was && was->status == s.status));
    VS_TRY(write("statistics", map_datum(s.statistics), was && was->statistics == s.statistics));
  }
  for (const RowStatus& row : rows) {
    if (row.wanted == row.current) continue;
    const Table& owner = db.schema().table(row.table);
    VS_ASSIGN(bool exists, txn->exists(owner, row.uuid));
    if (exists)
      VS_TRY(txn->set(owner, row.uuid, *owner.find_column("status"), map_datum(row.wanted)));
  }
  for (const ColumnWrite& write : columns) {
    const Table& owner = db.schema().table(write.table);
    VS_ASSIGN(bool exists, txn->exists(owner, write.uuid));
    if (exists) VS_TRY(txn->set(owner, write.uuid, *owner.find_column(write.column), write.value));
  }
  if (cur_cfg) {
    const Table& root = db.schema().table("Open_vSwitch");
    VS_ASSIGN(auto rows, txn->row_uuids(root));
    for (const Uuid& row : rows) {
      VS_TRY(txn->set(root, row, *root.find_column("cur_cfg"), Datum::scalar(Atom(*cur_cfg))));
    }
  }
  VS_TRY(txn->commit(ovsdb::Txn::NextCfg::kKeep));
  return boost::outcome_v2::success();
}

}  // namespace vs::vswitchd
