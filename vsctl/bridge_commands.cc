// ovs-vsctl's Open vSwitch-level commands: bridges (real and fake VLAN bridges), ports,
// interfaces, controllers, fail modes, show and emer-reset.
//
// Unlike ovs-vsctl, which loads the whole database before every command, these commands
// look rows up through the database's indexes, so their cost does not grow with the number
// of ports on the switch (only with what they print).
#include <algorithm>

#include "vsctl/vsctl.h"

namespace vs::vsctl {
namespace {

using boost::outcome_v2::success;
using ovsdb::Atom;
using ovsdb::Column;
using ovsdb::Datum;
using ovsdb::Table;

// A bridge as the operator sees it: a Bridge row, or a fake bridge (a Port of its parent
// with fake_bridge=true whose tag is the VLAN).
struct BridgeRef {
  std::string name;
  Uuid row;  // the Bridge row (the parent's, for a fake bridge)
  std::optional<Uuid> fake_port;
  std::string parent;  // for a fake bridge
  int64_t vlan = 0;
  bool is_fake() const { return fake_port.has_value(); }
};

struct PortRef {
  Uuid row;
  std::string name;
  std::optional<int64_t> tag;
  bool fake_bridge = false;
};

// The switch-level view of the database that the commands below share.
struct Model {
  explicit Model(Context& ctx)
      : txn(ctx.txn),
        ovs_table(ctx.table("Open_vSwitch")),
        bridge_table(ctx.table("Bridge")),
        port_table(ctx.table("Port")),
        iface_table(ctx.table("Interface")) {}

  Result<Datum> get(const Table& table, const Uuid& row, std::string_view column) {
    return txn.get(table, row, *table.find_column(column));
  }

  Result<Uuid> root() {
    VS_ASSIGN(auto rows, txn.row_uuids(ovs_table));
    if (rows.empty()) return txn.insert(ovs_table);
    return rows[0];
  }

  Result<PortRef> port(const Uuid& row) {
    PortRef ref{row, {}, std::nullopt, false};
    VS_ASSIGN(Datum name, get(port_table, row, "name"));
    VS_ASSIGN(Datum tag, get(port_table, row, "tag"));
    VS_ASSIGN(Datum fake, get(port_table, row, "fake_bridge"));
    ref.name = name.keys[0].string();
    if (!tag.empty()) ref.tag = tag.keys[0].integer();
    ref.fake_bridge = fake.keys[0].boolean();
    return ref;
  }

  Result<std::optional<BridgeRef>> find_bridge(std::string_view name) {
    VS_ASSIGN(auto row, txn.find_by_name(bridge_table, name));
    if (row)
      return std::optional<BridgeRef>(BridgeRef{std::string(name), *row, std::nullopt, "", 0});
    VS_ASSIGN(auto port_row, txn.find_by_name(port_table, name));
    if (!port_row) return std::optional<BridgeRef>();
    VS_ASSIGN(PortRef p, port(*port_row));
    if (!p.fake_bridge || !p.tag) return std::optional<BridgeRef>();
    VS_ASSIGN(auto parent, owning_bridge(*port_row));
    if (!parent) return std::optional<BridgeRef>();
    VS_ASSIGN(Datum parent_name, get(bridge_table, *parent, "name"));
    return std::optional<BridgeRef>(
        BridgeRef{std::string(name), *parent, *port_row, parent_name.keys[0].string(), *p.tag});
  }

  Result<BridgeRef> must_find_bridge(std::string_view name) {
    VS_ASSIGN(auto bridge, find_bridge(name));
    if (!bridge) return make_error("no bridge named " + std::string(name));
    return *bridge;
  }

  // The Bridge row whose ports include `port_row`.
  Result<std::optional<Uuid>> owning_bridge(const Uuid& port_row) {
    VS_ASSIGN(auto refs, txn.referrers(port_table, port_row));
    for (const auto& ref : refs) {
      if (ref.table == &bridge_table) return std::optional<Uuid>(ref.uuid);
    }
    return std::optional<Uuid>();
  }

  Result<std::optional<Uuid>> owning_port(const Uuid& iface_row) {
    VS_ASSIGN(auto refs, txn.referrers(iface_table, iface_row));
    for (const auto& ref : refs) {
      if (ref.table == &port_table) return std::optional<Uuid>(ref.uuid);
    }
    return std::optional<Uuid>();
  }

  // Every port of a Bridge row, with the VLANs of its fake bridges.
  Result<std::vector<PortRef>> ports_of_row(const Uuid& bridge_row) {
    VS_ASSIGN(Datum ports, get(bridge_table, bridge_row, "ports"));
    std::vector<PortRef> result;
    for (const Atom& atom : ports.keys) {
      VS_ASSIGN(PortRef p, port(atom.uuid()));
      result.push_back(std::move(p));
    }
    return result;
  }

  static std::vector<int64_t> fake_vlans(const std::vector<PortRef>& ports) {
    std::vector<int64_t> vlans;
    for (const PortRef& p : ports) {
      if (p.fake_bridge && p.tag) vlans.push_back(*p.tag);
    }
    return vlans;
  }

  // The ports that belong to `bridge` as ovs-vsctl assigns them: a port whose tag is the VLAN
  // of a fake bridge on the same parent belongs to that fake bridge. Includes the local port.
  Result<std::vector<PortRef>> ports(const BridgeRef& bridge) {
    VS_ASSIGN(auto all, ports_of_row(bridge.row));
    auto vlans = fake_vlans(all);
    std::vector<PortRef> result;
    for (PortRef& p : all) {
      bool in_fake = p.tag && std::count(vlans.begin(), vlans.end(), *p.tag);
      if (bridge.is_fake() ? in_fake && *p.tag == bridge.vlan : !in_fake)
        result.push_back(std::move(p));
    }
    std::sort(result.begin(), result.end(),
              [](const PortRef& a, const PortRef& b) { return a.name < b.name; });
    return result;
  }

  // The name of the (possibly fake) bridge a port belongs to.
  Result<std::string> bridge_name_of_port(const Uuid& port_row) {
    VS_ASSIGN(auto bridge_row, owning_bridge(port_row));
    if (!bridge_row) return std::string();
    VS_ASSIGN(PortRef p, port(port_row));
    if (p.tag && !p.fake_bridge) {  // a fake bridge on the same bridge and VLAN owns the port
      VS_ASSIGN(auto fakes,
                txn.find_rows(port_table, *port_table.find_column("fake_bridge"), Atom(true)));
      for (const Uuid& fake : fakes) {
        VS_ASSIGN(PortRef other, port(fake));
        if (other.tag != p.tag) continue;
        VS_ASSIGN(auto fake_owner, owning_bridge(fake));
        if (fake_owner == bridge_row) return other.name;
      }
    }
    if (p.fake_bridge) return p.name;
    VS_ASSIGN(Datum name, get(bridge_table, *bridge_row, "name"));
    return name.keys[0].string();
  }

  Result<std::vector<std::string>> iface_names(const Uuid& port_row) {
    VS_ASSIGN(Datum ifaces, get(port_table, port_row, "interfaces"));
    std::vector<std::string> names;
    for (const Atom& atom : ifaces.keys) {
      VS_ASSIGN(Datum name, get(iface_table, atom.uuid(), "name"));
      names.push_back(name.keys[0].string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  // A port by name, excluding bridges' local ports (as ovs-vsctl's find_port does).
  Result<std::optional<Uuid>> find_port(std::string_view name) {
    VS_ASSIGN(auto row, txn.find_by_name(port_table, name));
    if (!row) return row;
    VS_ASSIGN(std::string bridge, bridge_name_of_port(*row));
    if (bridge == name) return std::optional<Uuid>();
    return row;
  }

  // ovs-vsctl's check_conflicts: `name` is free for a new bridge, port or interface.
  Result<void> check_conflicts(std::string_view name, const std::string& what) {
    VS_ASSIGN(auto bridge, find_bridge(name));
    if (bridge)
      return make_error(what + " because a bridge named " + std::string(name) + " already exists");
    VS_ASSIGN(auto port_row, txn.find_by_name(port_table, name));
    if (port_row) {
      VS_ASSIGN(std::string owner, bridge_name_of_port(*port_row));
      return make_error(what + " because a port named " + std::string(name) +
                        " already exists on bridge " + owner);
    }
    VS_ASSIGN(auto iface_row, txn.find_by_name(iface_table, name));
    if (iface_row) {
      VS_ASSIGN(auto owner_port, owning_port(*iface_row));
      std::string owner;
      if (owner_port) {
        VS_ASSIGN(owner, bridge_name_of_port(*owner_port));
      }
      return make_error(what + " because an interface named " + std::string(name) +
                        " already exists on bridge " + owner);
    }
    return success();
  }

  // New Interface and Port rows for a port named `name` with one interface per iface name.
  Result<Uuid> create_port(std::string_view name, const std::vector<std::string>& ifaces,
                           std::string_view iface_type) {
    Datum iface_rows;
    for (const std::string& iface_name : ifaces) {
      VS_ASSIGN(Uuid iface, txn.insert(iface_table));
      VS_TRY(txn.set(iface_table, iface, *iface_table.find_column("name"),
                     Datum::scalar(Atom(iface_name))));
      if (!iface_type.empty()) {
        VS_TRY(txn.set(iface_table, iface, *iface_table.find_column("type"),
                       Datum::scalar(Atom(std::string(iface_type)))));
      }
      iface_rows.keys.push_back(Atom(iface));
    }
    iface_rows.normalize();
    VS_ASSIGN(Uuid port, txn.insert(port_table));
    VS_TRY(txn.set(port_table, port, *port_table.find_column("name"),
                   Datum::scalar(Atom(std::string(name)))));
    VS_TRY(txn.set(port_table, port, *port_table.find_column("interfaces"), iface_rows));
    return port;
  }

  Result<void> attach_port(const Uuid& bridge_row, const Uuid& port_row) {
    return txn.add(bridge_table, bridge_row, *bridge_table.find_column("ports"),
                   Datum::scalar(Atom(port_row)));
  }

  Result<void> detach_port(const Uuid& bridge_row, const Uuid& port_row) {
    return txn.remove_elements(bridge_table, bridge_row, *bridge_table.find_column("ports"),
                               Datum::scalar(Atom(port_row)), false);
  }

  // Deletes a port and its interfaces now, not at commit, so that a later command of the same
  // line can reuse the names (`-- --if-exists del-port p -- add-port br0 p`).
  Result<void> delete_port(const Uuid& bridge_row, const Uuid& port_row) {
    VS_TRY(detach_port(bridge_row, port_row));
    VS_ASSIGN(Datum ifaces, get(port_table, port_row, "interfaces"));
    VS_TRY(txn.remove(port_table, port_row));
    for (const Atom& iface : ifaces.keys) VS_TRY(txn.remove(iface_table, iface.uuid()));
    return success();
  }

  Result<void> delete_bridge(const BridgeRef& bridge) {
    if (bridge.is_fake()) {
      VS_ASSIGN(auto ports, this->ports(bridge));
      for (const PortRef& p : ports) VS_TRY(delete_port(bridge.row, p.row));
      return success();
    }
    VS_ASSIGN(auto ports, ports_of_row(bridge.row));
    for (const PortRef& p : ports) VS_TRY(delete_port(bridge.row, p.row));
    VS_ASSIGN(Uuid ovs, root());
    VS_TRY(txn.remove_elements(ovs_table, ovs, *ovs_table.find_column("bridges"),
                               Datum::scalar(Atom(bridge.row)), false));
    return txn.remove(bridge_table, bridge.row);
  }

  ovsdb::Txn& txn;
  const Table& ovs_table;
  const Table& bridge_table;
  const Table& port_table;
  const Table& iface_table;
};

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

Result<void> cmd_init(Context& ctx) {
  Model model(ctx);
  VS_TRY(model.root());
  return success();
}

Result<void> cmd_add_br(Context& ctx) {
  Model m(ctx);
  const std::string& name = ctx.arg(0);
  if (ctx.n_args() == 2) return make_error("'add-br' command takes exactly 1 or 3 arguments");
  bool fake = ctx.n_args() == 3;
  std::string parent_name = fake ? ctx.arg(1) : "";
  int64_t vlan = 0;
  if (fake) {
    ovsdb::BaseType integer;
    integer.type = ovsdb::AtomicType::kInteger;
    auto parsed = ovsdb::parse_atom(ctx.arg(2), integer);
    if (!parsed || parsed.value().integer() < 0 || parsed.value().integer() > 4095) {
      return make_error("vlan must be between 0 and 4095 (not \"" + ctx.arg(2) + "\")");
    }
    vlan = parsed.value().integer();
  }
  if (ctx.has_option("--may-exist")) {
    VS_ASSIGN(auto existing, m.find_bridge(name));
    if (existing) {
      if (!fake && existing->is_fake()) {
        return make_error("\"--may-exist add-br " + name + "\" but " + name +
                          " is a VLAN bridge for VLAN " + std::to_string(existing->vlan));
      }
      if (fake && !existing->is_fake()) {
        return make_error("\"--may-exist add-br " + name + " " + parent_name + " " + ctx.arg(2) +
                          "\" but " + name + " is not a VLAN bridge");
      }
      if (fake && existing->parent != parent_name) {
        return make_error("\"--may-exist add-br " + name + " " + parent_name + " " + ctx.arg(2) +
                          "\" but " + name + " has the wrong parent " + existing->parent);
      }
      if (fake && existing->vlan != vlan) {
        return make_error("\"--may-exist add-br " + name + " " + parent_name + " " + ctx.arg(2) +
                          "\" but " + name + " is a VLAN bridge for the wrong VLAN " +
                          std::to_string(existing->vlan));
      }
      return success();
    }
  }
  VS_TRY(m.check_conflicts(name, "cannot create a bridge named " + name));
  if (!fake) {
    VS_ASSIGN(Uuid port, m.create_port(name, {name}, "internal"));
    VS_ASSIGN(Uuid bridge, m.txn.insert(m.bridge_table));
    VS_TRY(m.txn.set(m.bridge_table, bridge, *m.bridge_table.find_column("name"),
                     Datum::scalar(Atom(name))));
    VS_TRY(m.attach_port(bridge, port));
    VS_ASSIGN(Uuid ovs, m.root());
    return m.txn.add(m.ovs_table, ovs, *m.ovs_table.find_column("bridges"),
                     Datum::scalar(Atom(bridge)));
  }
  VS_ASSIGN(auto parent, m.find_bridge(parent_name));
  if (!parent) return make_error("parent bridge " + parent_name + " does not exist");
  if (parent->is_fake()) return make_error("cannot create bridge with fake bridge as parent");
  VS_ASSIGN(Uuid port, m.create_port(name, {name}, "internal"));
  VS_TRY(m.txn.set(m.port_table, port, *m.port_table.find_column("fake_bridge"),
                   Datum::scalar(Atom(true))));
  VS_TRY(
      m.txn.set(m.port_table, port, *m.port_table.find_column("tag"), Datum::scalar(Atom(vlan))));
  return m.attach_port(parent->row, port);
}

Result<void> cmd_del_br(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(auto bridge, m.find_bridge(ctx.arg(0)));
  if (!bridge) {
    if (ctx.has_option("--if-exists")) return success();
    return make_error("no bridge named " + ctx.arg(0));
  }
  return m.delete_bridge(*bridge);
}

Result<void> cmd_list_br(Context& ctx) {
  Model m(ctx);
  bool real = ctx.has_option("--real"), fake = ctx.has_option("--fake");
  if (!real && !fake) real = fake = true;
  std::vector<std::string> names;
  VS_ASSIGN(auto bridges, m.txn.load_table(m.bridge_table));
  size_t name_index =
      static_cast<size_t>(m.bridge_table.find_column("name") - m.bridge_table.columns.data());
  if (real) {
    for (const auto& row : bridges) names.push_back(row.columns[name_index].keys[0].string());
  }
  if (fake) {
    VS_ASSIGN(auto fakes,
              m.txn.find_rows(m.port_table, *m.port_table.find_column("fake_bridge"), Atom(true)));
    for (const Uuid& row : fakes) {
      VS_ASSIGN(PortRef p, m.port(row));
      VS_ASSIGN(auto owner, m.owning_bridge(row));
      if (owner && p.tag) names.push_back(p.name);
    }
  }
  std::sort(names.begin(), names.end());
  ctx.output += join_lines(names);
  return success();
}

Result<void> cmd_br_exists(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(auto bridge, m.find_bridge(ctx.arg(0)));
  if (!bridge) ctx.exit_status = kExitNotFound;
  return success();
}

Result<void> cmd_br_to_vlan(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(ctx.arg(0)));
  ctx.output += std::to_string(bridge.vlan) + "\n";
  return success();
}

Result<void> cmd_br_to_parent(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(ctx.arg(0)));
  ctx.output += (bridge.is_fake() ? bridge.parent : bridge.name) + "\n";
  return success();
}

// External ids of a fake bridge live on its port, under a "fake-bridge-" prefix.
struct ExternalIds {
  const Table* table;
  Uuid row;
  std::string prefix;
};

Result<ExternalIds> external_ids_of(Model& m, const std::string& name) {
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(name));
  if (bridge.is_fake()) return ExternalIds{&m.port_table, *bridge.fake_port, "fake-bridge-"};
  return ExternalIds{&m.bridge_table, bridge.row, ""};
}

Result<void> cmd_br_set_external_id(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(ExternalIds ids, external_ids_of(m, ctx.arg(0)));
  const Column& column = *ids.table->find_column("external_ids");
  Atom key(ids.prefix + ctx.arg(1));
  if (ctx.n_args() == 3) return m.txn.set_key(*ids.table, ids.row, column, key, Atom(ctx.arg(2)));
  return m.txn.remove_elements(*ids.table, ids.row, column, Datum::scalar(key), false);
}

Result<void> cmd_br_get_external_id(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(ExternalIds ids, external_ids_of(m, ctx.arg(0)));
  VS_ASSIGN(Datum map, m.txn.get(*ids.table, ids.row, *ids.table->find_column("external_ids")));
  for (size_t i = 0; i < map.size(); ++i) {
    const std::string& key = map.keys[i].string();
    if (!key.starts_with(ids.prefix)) continue;
    std::string bare_key = key.substr(ids.prefix.size());
    if (ctx.n_args() == 2) {
      if (bare_key == ctx.arg(1)) ctx.output += map.values[i].string() + "\n";
    } else {
      ctx.output += bare_key + "=" + map.values[i].string() + "\n";
    }
  }
  return success();
}

Result<void> cmd_list_ports(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(ctx.arg(0)));
  VS_ASSIGN(auto ports, m.ports(bridge));
  for (const PortRef& p : ports) {
    if (p.name != bridge.name) ctx.output += p.name + "\n";
  }
  return success();
}

Result<void> cmd_add_port(Context& ctx) {
  Model m(ctx);
  const std::string& bridge_name = ctx.arg(0);
  const std::string& port_name = ctx.arg(1);
  if (ctx.has_option("--may-exist")) {
    VS_ASSIGN(auto existing, m.find_port(port_name));
    if (existing) {
      VS_ASSIGN(std::string owner, m.bridge_name_of_port(*existing));
      if (owner != bridge_name) {
        return make_error("\"--may-exist add-port " + bridge_name + " " + port_name + "\" but " +
                          port_name + " is actually attached to bridge " + owner);
      }
      VS_ASSIGN(auto ifaces, m.iface_names(*existing));
      if (ifaces != std::vector<std::string>{port_name}) {
        std::string have;
        for (const std::string& name : ifaces) have += (have.empty() ? "" : ", ") + name;
        return make_error("\"--may-exist add-port " + bridge_name + " " + port_name + "\" but " +
                          port_name + " actually has interface(s) " + have);
      }
      return success();
    }
  }
  VS_TRY(m.check_conflicts(port_name, "cannot create a port named " + port_name));
  VS_TRY(m.check_conflicts(port_name, "cannot create an interface named " + port_name));
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(bridge_name));
  VS_ASSIGN(Uuid port, m.create_port(port_name, {port_name}, ""));
  if (bridge.is_fake()) {
    VS_TRY(m.txn.set(m.port_table, port, *m.port_table.find_column("tag"),
                     Datum::scalar(Atom(bridge.vlan))));
  }
  for (size_t i = 2; i < ctx.n_args(); ++i) VS_TRY(set_column(ctx, m.port_table, port, ctx.arg(i)));
  return m.attach_port(bridge.row, port);
}

Result<void> cmd_del_port(Context& ctx) {
  Model m(ctx);
  bool must_exist = !ctx.has_option("--if-exists");
  const std::string& target = ctx.arg(ctx.n_args() - 1);
  VS_ASSIGN(auto port, m.find_port(target));
  if (!port && ctx.has_option("--with-iface")) {
    VS_ASSIGN(auto iface, m.txn.find_by_name(m.iface_table, target));
    if (iface) {
      VS_ASSIGN(port, m.owning_port(*iface));
    }
    if (!port && must_exist) return make_error("no port or interface named " + target);
  }
  if (!port) {
    if (must_exist) return make_error("no port named " + target);
    return success();
  }
  VS_ASSIGN(std::string owner, m.bridge_name_of_port(*port));
  if (ctx.n_args() == 2) {
    VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(ctx.arg(0)));
    if (owner != bridge.name) {
      VS_ASSIGN(auto owner_ref, m.must_find_bridge(owner));
      if (owner_ref.is_fake() && owner_ref.parent == bridge.name) {
        return make_error("bridge " + bridge.name + " does not have a port " + target +
                          " (although its child bridge " + owner + " does)");
      }
      return make_error("bridge " + bridge.name + " does not have a port " + target);
    }
  }
  VS_ASSIGN(auto bridge_row, m.owning_bridge(*port));
  return m.delete_port(*bridge_row, *port);
}

Result<void> cmd_port_to_br(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(auto port, m.find_port(ctx.arg(0)));
  if (!port) return make_error("no port named " + ctx.arg(0));
  VS_ASSIGN(std::string owner, m.bridge_name_of_port(*port));
  ctx.output += owner + "\n";
  return success();
}

Result<void> cmd_list_ifaces(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(ctx.arg(0)));
  VS_ASSIGN(auto ports, m.ports(bridge));
  std::vector<std::string> names;
  for (const PortRef& p : ports) {
    VS_ASSIGN(auto ifaces, m.iface_names(p.row));
    for (const std::string& name : ifaces) {
      if (name != bridge.name) names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  ctx.output += join_lines(names);
  return success();
}

Result<void> cmd_iface_to_br(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(auto iface, m.txn.find_by_name(m.iface_table, ctx.arg(0)));
  std::optional<Uuid> port;
  if (iface) {
    VS_ASSIGN(port, m.owning_port(*iface));
  }
  std::string owner;
  if (port) {
    VS_ASSIGN(owner, m.bridge_name_of_port(*port));
  }
  if (owner.empty() || owner == ctx.arg(0)) return make_error("no interface named " + ctx.arg(0));
  ctx.output += owner + "\n";
  return success();
}

Result<void> cmd_get_controller(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(ctx.arg(0)));
  VS_ASSIGN(Datum controllers, m.get(m.bridge_table, bridge.row, "controller"));
  const Table& table = ctx.table("Controller");
  std::vector<std::string> targets;
  for (const Atom& atom : controllers.keys) {
    VS_ASSIGN(Datum target, m.get(table, atom.uuid(), "target"));
    targets.push_back(target.keys[0].string());
  }
  std::sort(targets.begin(), targets.end());
  ctx.output += join_lines(targets);
  return success();
}

Result<void> cmd_del_controller(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(ctx.arg(0)));
  return m.txn.set(m.bridge_table, bridge.row, *m.bridge_table.find_column("controller"), Datum());
}

Result<void> cmd_set_controller(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(ctx.arg(0)));
  const Table& table = ctx.table("Controller");
  const Column& target_column = *table.find_column("target");
  Datum rows;
  for (size_t i = 1; i < ctx.n_args(); ++i) {
    VS_ASSIGN(Atom target, ovsdb::parse_atom(ctx.arg(i), target_column.type.key));
    VS_ASSIGN(Uuid row, m.txn.insert(table));
    VS_TRY(m.txn.set(table, row, target_column, Datum::scalar(target)));
    if (std::string probe = ctx.option("--inactivity-probe"); !probe.empty()) {
      VS_ASSIGN(Atom ms, ovsdb::parse_atom(probe, table.find_column("inactivity_probe")->type.key));
      VS_TRY(m.txn.set(table, row, *table.find_column("inactivity_probe"), Datum::scalar(ms)));
    }
    rows.keys.push_back(Atom(row));
  }
  rows.normalize();
  return m.txn.set(m.bridge_table, bridge.row, *m.bridge_table.find_column("controller"), rows);
}

Result<void> cmd_get_fail_mode(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(ctx.arg(0)));
  VS_ASSIGN(Datum mode, m.get(m.bridge_table, bridge.row, "fail_mode"));
  if (!mode.empty()) ctx.output += mode.keys[0].string() + "\n";
  return success();
}

Result<void> cmd_del_fail_mode(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(ctx.arg(0)));
  return m.txn.set(m.bridge_table, bridge.row, *m.bridge_table.find_column("fail_mode"), Datum());
}

Result<void> cmd_set_fail_mode(Context& ctx) {
  Model m(ctx);
  VS_ASSIGN(BridgeRef bridge, m.must_find_bridge(ctx.arg(0)));
  const std::string& mode = ctx.arg(1);
  if (mode != "standalone" && mode != "secure") {
    return make_error("fail-mode must be \"standalone\" or \"secure\" (not \"" + mode + "\")");
  }
  return m.txn.set(m.bridge_table, bridge.row, *m.bridge_table.find_column("fail_mode"),
                   Datum::scalar(Atom(mode)));
}

Result<void> cmd_emer_reset(Context& ctx) {
  Model m(ctx);
  auto clear = [&](const Table& table, const Uuid& row, const char* column) {
    return m.txn.set(table, row, *table.find_column(column),
                     ovsdb::default_datum(table.find_column(column)->type));
  };
  VS_ASSIGN(auto bridges, m.txn.row_uuids(m.bridge_table));
  for (const Uuid& row : bridges) {
    VS_TRY(clear(m.bridge_table, row, "controller"));
    VS_TRY(clear(m.bridge_table, row, "fail_mode"));
    VS_ASSIGN(Datum other, m.get(m.bridge_table, row, "other_config"));
    Datum kept;  // only the bridge's MAC address survives, as in ovs-vsctl
    if (auto i = other.find(Atom("hwaddr"))) {
      kept.keys.push_back(other.keys[*i]);
      kept.values.push_back(other.values[*i]);
    }
    VS_TRY(m.txn.set(m.bridge_table, row, *m.bridge_table.find_column("other_config"), kept));
  }
  VS_ASSIGN(auto ports, m.txn.row_uuids(m.port_table));
  for (const Uuid& row : ports) VS_TRY(clear(m.port_table, row, "other_config"));
  VS_ASSIGN(auto ifaces, m.txn.row_uuids(m.iface_table));
  for (const Uuid& row : ifaces) {
    VS_TRY(clear(m.iface_table, row, "ingress_policing_rate"));
    VS_TRY(clear(m.iface_table, row, "ingress_policing_burst"));
  }
  return success();
}

// --- show ---------------------------------------------------------------------------------

void show_column(std::string& out, int indent, const Column& column, const Datum& value) {
  if (value.empty() || value == ovsdb::default_datum(column.type)) return;
  out += std::string(indent, ' ') + column.name + ": " + ovsdb::format_datum(value, column.type) +
         "\n";
}

Result<void> cmd_show(Context& ctx) {
  Model m(ctx);
  const Table& controller_table = ctx.table("Controller");
  VS_ASSIGN(Uuid ovs, m.root());
  std::string& out = ctx.output;
  out += ovs.to_string() + "\n";
  VS_ASSIGN(Datum bridges, m.get(m.ovs_table, ovs, "bridges"));
  std::vector<std::pair<std::string, Uuid>> sorted_bridges;
  for (const Atom& atom : bridges.keys) {
    VS_ASSIGN(Datum name, m.get(m.bridge_table, atom.uuid(), "name"));
    sorted_bridges.emplace_back(name.keys[0].string(), atom.uuid());
  }
  std::sort(sorted_bridges.begin(), sorted_bridges.end());
  for (const auto& [name, row] : sorted_bridges) {
    out += "    Bridge " + ovsdb::format_atom(Atom(name), ovsdb::AtomicType::kString) + "\n";
    VS_ASSIGN(Datum controllers, m.get(m.bridge_table, row, "controller"));
    for (const Atom& atom : controllers.keys) {
      VS_ASSIGN(Datum target, m.get(controller_table, atom.uuid(), "target"));
      out += "        Controller " +
             ovsdb::format_atom(target.keys[0], ovsdb::AtomicType::kString) + "\n";
      VS_ASSIGN(Datum connected, m.get(controller_table, atom.uuid(), "is_connected"));
      if (connected.keys[0].boolean()) out += "            is_connected: true\n";
    }
    for (const char* column : {"fail_mode", "datapath_type"}) {
      VS_ASSIGN(Datum value, m.get(m.bridge_table, row, column));
      show_column(out, 8, *m.bridge_table.find_column(column), value);
    }
    VS_ASSIGN(auto ports, m.ports_of_row(row));
    std::sort(ports.begin(), ports.end(),
              [](const PortRef& a, const PortRef& b) { return a.name < b.name; });
    for (const PortRef& port : ports) {
      out +=
          "        Port " + ovsdb::format_atom(Atom(port.name), ovsdb::AtomicType::kString) + "\n";
      for (const char* column : {"tag", "trunks"}) {  // what ovs-vsctl shows of a port
        VS_ASSIGN(Datum value, m.get(m.port_table, port.row, column));
        show_column(out, 12, *m.port_table.find_column(column), value);
      }
      VS_ASSIGN(Datum ifaces, m.get(m.port_table, port.row, "interfaces"));
      std::vector<std::pair<std::string, Uuid>> sorted_ifaces;
      for (const Atom& atom : ifaces.keys) {
        VS_ASSIGN(Datum iface_name, m.get(m.iface_table, atom.uuid(), "name"));
        sorted_ifaces.emplace_back(iface_name.keys[0].string(), atom.uuid());
      }
      std::sort(sorted_ifaces.begin(), sorted_ifaces.end());
      for (const auto& [iface_name, iface] : sorted_ifaces) {
        out += "            Interface " +
               ovsdb::format_atom(Atom(iface_name), ovsdb::AtomicType::kString) + "\n";
        for (const char* column : {"type", "options", "error"}) {
          VS_ASSIGN(Datum value, m.get(m.iface_table, iface, column));
          show_column(out, 16, *m.iface_table.find_column(column), value);
        }
      }
    }
  }
  VS_ASSIGN(Datum version, m.get(m.ovs_table, ovs, "ovs_version"));
  show_column(out, 4, *m.ovs_table.find_column("ovs_version"), version);
  return success();
}

constexpr CommandSpec kBridgeCommands[] = {
    {"init", 0, 0, "", "", true, cmd_init},
    {"show", 0, 0, "", "", false, cmd_show},
    {"emer-reset", 0, 0, "", "", true, cmd_emer_reset},
    {"add-br", 1, 3, "BRIDGE [PARENT VLAN]", "--may-exist", true, cmd_add_br},
    {"del-br", 1, 1, "BRIDGE", "--if-exists", true, cmd_del_br},
    {"list-br", 0, 0, "", "--real,--fake", false, cmd_list_br},
    {"br-exists", 1, 1, "BRIDGE", "", false, cmd_br_exists},
    {"br-to-vlan", 1, 1, "BRIDGE", "", false, cmd_br_to_vlan},
    {"br-to-parent", 1, 1, "BRIDGE", "", false, cmd_br_to_parent},
    {"br-set-external-id", 2, 3, "BRIDGE KEY [VALUE]", "", true, cmd_br_set_external_id},
    {"br-get-external-id", 1, 2, "BRIDGE [KEY]", "", false, cmd_br_get_external_id},
    {"list-ports", 1, 1, "BRIDGE", "", false, cmd_list_ports},
    {"add-port", 2, -1, "BRIDGE NEW-PORT [COLUMN[:KEY]=VALUE]...", "--may-exist", true,
     cmd_add_port},
    {"del-port", 1, 2, "[BRIDGE] PORT|IFACE", "--if-exists,--with-iface", true, cmd_del_port},
    {"port-to-br", 1, 1, "PORT", "", false, cmd_port_to_br},
    {"list-ifaces", 1, 1, "BRIDGE", "", false, cmd_list_ifaces},
    {"iface-to-br", 1, 1, "IFACE", "", false, cmd_iface_to_br},
    {"get-controller", 1, 1, "BRIDGE", "", false, cmd_get_controller},
    {"del-controller", 1, 1, "BRIDGE", "", true, cmd_del_controller},
    {"set-controller", 1, -1, "BRIDGE TARGET...", "--inactivity-probe=", true, cmd_set_controller},
    {"get-fail-mode", 1, 1, "BRIDGE", "", false, cmd_get_fail_mode},
    {"del-fail-mode", 1, 1, "BRIDGE", "", true, cmd_del_fail_mode},
    {"set-fail-mode", 2, 2, "BRIDGE MODE", "", true, cmd_set_fail_mode},
};

}  // namespace

std::span<const CommandSpec> bridge_commands() { return kBridgeCommands; }

}  // namespace vs::vsctl
