// The configuration schema as data: tables, columns and their OVSDB types, following Open
// vSwitch's vswitch schema. One description drives the SQL layout (database.cc), the value
// checks (datum.cc, txn.cc) and every generic vsctl command.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vs::ovsdb {

enum class AtomicType { kInteger, kReal, kBoolean, kString, kUuid };

std::string_view atomic_type_name(AtomicType type);

struct Atom;

// The type of one key or value: an atomic type plus its constraints.
struct BaseType {
  AtomicType type = AtomicType::kString;
  int64_t min_integer = std::numeric_limits<int64_t>::min();
  int64_t max_integer = std::numeric_limits<int64_t>::max();
  std::vector<std::string> enum_values;  // allowed strings; empty means any string
  std::string ref_table;                 // for kUuid: the table referenced (strong ref)
  // An extra check the OVSDB type system cannot express (controller target syntax).
  // Returns an error message, or an empty string when the atom is acceptable.
  std::string (*check)(const Atom&) = nullptr;
};

inline constexpr unsigned kUnlimited = std::numeric_limits<unsigned>::max();

struct ColumnType {
  BaseType key;
  std::optional<BaseType> value;  // present for maps
  unsigned min = 1;               // 0 or 1
  unsigned max = 1;               // >= 1, kUnlimited for unbounded sets and maps

  bool is_map() const { return value.has_value(); }
  bool is_scalar() const { return min == 1 && max == 1 && !is_map(); }
  bool is_optional() const { return min == 0 && max == 1 && !is_map(); }
  // Stored in the row itself (one SQL column) rather than in a child table.
  bool is_inline() const { return max == 1 && !is_map(); }
};

struct Column {
  std::string name;
  ColumnType type;
  bool mutable_after_insert = true;  // false for "name": OVSDB immutable columns
  // A referenced row may be referenced through this column by one row only (a port in exactly
  // one bridge, an interface in one port); enforced by a unique index.
  bool exclusive_refs = false;
};

struct Table {
  std::string name;
  std::vector<Column> columns;  // in schema order, without _uuid
  bool is_root = false;         // non-root rows are deleted when nothing references them
  bool single_row = false;      // Open_vSwitch
  std::string name_column;      // unique index used to identify rows by name ("" if none)

  const Column* find_column(std::string_view name) const;
};

struct Schema {
  std::string name;
  std::string version;  // OVSDB-style x.y.z, also the migration target
  int storage_version;  // integer stored in the file's user_version pragma
  std::vector<Table> tables;

  const Table* find_table(std::string_view name) const;
  const Table& table(std::string_view name) const;  // asserts the table exists
};

// vswitch's schema: Open_vSwitch, Bridge, Port, Interface, Controller, QoS, Queue.
const Schema& vswitch_schema();

}  // namespace vs::ovsdb
