// Transactions: row operations in SQL, then OVSDB's commit-time checks and garbage collection
// (see txn.h for the contract).
#include "ovsdb/txn.h"

#include <algorithm>
#include <unordered_map>

namespace vs::ovsdb {
namespace {

using boost::outcome_v2::success;

void bind_atom(Statement& stmt, int index, const Atom& atom, AtomicType type) {
  switch (type) {
    case AtomicType::kInteger:
      stmt.bind(index, atom.integer());
      break;
    case AtomicType::kReal:
      stmt.bind(index, atom.real());
      break;
    case AtomicType::kBoolean:
      stmt.bind(index, int64_t{atom.boolean() ? 1 : 0});
      break;
    case AtomicType::kString:
      stmt.bind(index, atom.string());
      break;
    case AtomicType::kUuid:
      stmt.bind(index, atom.uuid().to_string());
      break;
  }
}

Atom read_atom(const Statement& stmt, int column, AtomicType type) {
  switch (type) {
    case AtomicType::kInteger:
      return Atom(stmt.column_int(column));
    case AtomicType::kReal:
      return Atom(stmt.column_double(column));
    case AtomicType::kBoolean:
      return Atom(stmt.column_int(column) != 0);
    case AtomicType::kString:
      return Atom(std::string(stmt.column_text(column)));
    case AtomicType::kUuid:
      return Atom(Uuid::parse(stmt.column_text(column)).value_or(Uuid()));
  }
  return Atom();
}

std::string q(std::string_view name) { return quote_identifier(name); }

std::string describe(const Table& table, const Uuid& uuid) {
  return table.name + " row " + uuid.to_string();
}

bool references_table(const BaseType& base, const Table& target) {
  return base.type == AtomicType::kUuid && base.ref_table == target.name;
}

}  // namespace

Txn::Txn(Database& db, Mode mode) : db_(db), sql_(db.sql()), mode_(mode) {}

Result<std::unique_ptr<Txn>> Txn::begin(Database& db, Mode mode) {
  std::unique_ptr<Txn> txn(new Txn(db, mode));
  VS_TRY(db.sql().exec(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN"));
  txn->open_ = true;
  txn->changes_at_begin_ = db.sql().total_changes();
  return txn;
}

Txn::~Txn() { rollback(); }

void Txn::rollback() {
  if (open_) {
    sql_.reset_statements();  // or a lookup left on a row keeps this snapshot alive
    (void)sql_.exec("ROLLBACK");
  }
  open_ = false;
}

bool Txn::changed() const { return sql_.total_changes() != changes_at_begin_; }

// --- reading ------------------------------------------------------------------------------

Result<bool> Txn::exists(const Table& table, const Uuid& uuid) {
  VS_ASSIGN(Statement * stmt,
            sql_.prepare("SELECT 1 FROM " + q(sql_table(table)) + " WHERE _uuid = ?"));
  stmt->bind(1, uuid.to_string());
  VS_ASSIGN(bool row, stmt->step());
  return row;
}

Result<std::optional<Uuid>> Txn::find_by_name(const Table& table, std::string_view name) {
  if (table.name_column.empty()) return std::optional<Uuid>();
  VS_ASSIGN(Statement * stmt, sql_.prepare("SELECT _uuid FROM " + q(sql_table(table)) + " WHERE " +
                                           q(table.name_column) + " = ?"));
  stmt->bind(1, name);
  VS_ASSIGN(bool row, stmt->step());
  if (!row) return std::optional<Uuid>();
  return Uuid::parse(stmt->column_text(0));
}

Result<std::vector<Uuid>> Txn::find_rows(const Table& table, const Column& column,
                                         const Atom& value) {
  if (!column.type.is_inline()) return make_error("find_rows needs a single-valued column");
  VS_ASSIGN(Statement * stmt, sql_.prepare("SELECT _uuid FROM " + q(sql_table(table)) + " WHERE " +
                                           q(column.name) + " = ? ORDER BY _uuid"));
  bind_atom(*stmt, 1, value, column.type.key.type);
  std::vector<Uuid> uuids;
  for (;;) {
    VS_ASSIGN(bool row, stmt->step());
    if (!row) break;
    uuids.push_back(Uuid::parse(stmt->column_text(0)).value_or(Uuid()));
  }
  return uuids;
}

Result<std::vector<Uuid>> Txn::row_uuids(const Table& table) {
  VS_ASSIGN(Statement * stmt,
            sql_.prepare("SELECT _uuid FROM " + q(sql_table(table)) + " ORDER BY _uuid"));
  std::vector<Uuid> uuids;
  for (;;) {
    VS_ASSIGN(bool row, stmt->step());
    if (!row) break;
    uuids.push_back(Uuid::parse(stmt->column_text(0)).value_or(Uuid()));
  }
  return uuids;
}

// Inline columns come from one SELECT on the table, each set or map column from one SELECT on
// its child table; `where` restricts both to one row when given.
Result<std::vector<Row>> Txn::load_table(const Table& table) {
  std::string select = "SELECT _uuid";
  for (const Column& column : table.columns) {
    if (column.type.is_inline()) select += ", " + q(column.name);
  }
  VS_ASSIGN(Statement * stmt,
            sql_.prepare(select + " FROM " + q(sql_table(table)) + " ORDER BY _uuid"));
  std::vector<Row> rows;
  std::unordered_map<std::string, size_t> index;
  for (;;) {
    VS_ASSIGN(bool more, stmt->step());
    if (!more) break;
    Row row;
    row.uuid = Uuid::parse(stmt->column_text(0)).value_or(Uuid());
    row.columns.resize(table.columns.size());
    int sql_column = 1;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const ColumnType& type = table.columns[i].type;
      if (!type.is_inline()) continue;
      if (!stmt->column_is_null(sql_column)) {
        row.columns[i].keys.push_back(read_atom(*stmt, sql_column, type.key.type));
      }
      ++sql_column;
    }
    index.emplace(std::string(stmt->column_text(0)), rows.size());
    rows.push_back(std::move(row));
  }
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Column& column = table.columns[i];
    if (column.type.is_inline()) continue;
    VS_ASSIGN(Statement * child,
              sql_.prepare(std::string("SELECT _row, key") + (column.type.value ? ", value" : "") +
                           " FROM " + q(sql_child_table(table, column))));
    for (;;) {
      VS_ASSIGN(bool more, child->step());
      if (!more) break;
      auto it = index.find(std::string(child->column_text(0)));
      if (it == index.end()) continue;
      Datum& datum = rows[it->second].columns[i];
      datum.keys.push_back(read_atom(*child, 1, column.type.key.type));
      if (column.type.value) datum.values.push_back(read_atom(*child, 2, column.type.value->type));
    }
  }
  for (Row& row : rows) {
    for (Datum& datum : row.columns) datum.normalize();
  }
  return rows;
}

Result<Row> Txn::load_row(const Table& table, const Uuid& uuid) {
  Row row;
  row.uuid = uuid;
  for (const Column& column : table.columns) {
    VS_ASSIGN(Datum datum, get(table, uuid, column));
    row.columns.push_back(std::move(datum));
  }
  return row;
}

Result<Datum> Txn::get(const Table& table, const Uuid& uuid, const Column& column) {
  Datum datum;
  if (column.type.is_inline()) {
    VS_ASSIGN(Statement * stmt, sql_.prepare("SELECT " + q(column.name) + " FROM " +
                                             q(sql_table(table)) + " WHERE _uuid = ?"));
    stmt->bind(1, uuid.to_string());
    VS_ASSIGN(bool row, stmt->step());
    if (!row) return make_error("no " + describe(table, uuid));
    if (!stmt->column_is_null(0)) datum.keys.push_back(read_atom(*stmt, 0, column.type.key.type));
    return datum;
  }
  VS_ASSIGN(Statement * stmt,
            sql_.prepare(std::string("SELECT key") + (column.type.value ? ", value" : "") +
                         " FROM " + q(sql_child_table(table, column)) + " WHERE _row = ?"));
  stmt->bind(1, uuid.to_string());
  for (;;) {
    VS_ASSIGN(bool row, stmt->step());
    if (!row) break;
    datum.keys.push_back(read_atom(*stmt, 0, column.type.key.type));
    if (column.type.value) datum.values.push_back(read_atom(*stmt, 1, column.type.value->type));
  }
  datum.normalize();
  return datum;
}

Result<std::vector<Referrer>> Txn::referrers(const Table& target, const Uuid& uuid) {
  std::vector<Referrer> result;
  auto collect = [&](const Table& table, const Column& column,
                     const std::string& sql) -> Result<void> {
    VS_ASSIGN(Statement * stmt, sql_.prepare(sql));
    stmt->bind(1, uuid.to_string());
    for (;;) {
      VS_ASSIGN(bool row, stmt->step());
      if (!row) return success();
      result.push_back({&table, &column, Uuid::parse(stmt->column_text(0)).value_or(Uuid())});
    }
  };
  for (const Table& table : schema().tables) {
    for (const Column& column : table.columns) {
      const ColumnType& type = column.type;
      if (type.is_inline()) {
        if (references_table(type.key, target)) {
          VS_TRY(collect(
              table, column,
              "SELECT _uuid FROM " + q(sql_table(table)) + " WHERE " + q(column.name) + " = ?"));
        }
        continue;
      }
      std::string child = q(sql_child_table(table, column));
      if (references_table(type.key, target)) {
        VS_TRY(collect(table, column, "SELECT DISTINCT _row FROM " + child + " WHERE key = ?"));
      }
      if (type.value && references_table(*type.value, target)) {
        VS_TRY(collect(table, column, "SELECT DISTINCT _row FROM " + child + " WHERE value = ?"));
      }
    }
  }
  return result;
}

Result<size_t> Txn::count(const Table& table, const Uuid& uuid, const Column& column) {
  if (column.type.is_inline()) {
    VS_ASSIGN(Datum datum, get(table, uuid, column));
    return datum.size();
  }
  VS_ASSIGN(Statement * stmt, sql_.prepare("SELECT count(*) FROM " +
                                           q(sql_child_table(table, column)) + " WHERE _row = ?"));
  stmt->bind(1, uuid.to_string());
  VS_TRY(stmt->step());
  size_t n = static_cast<size_t>(stmt->column_int(0));
  VS_TRY(stmt->run());
  return n;
}

// --- writing ------------------------------------------------------------------------------

Result<Uuid> Txn::insert(const Table& table, std::optional<Uuid> uuid) {
  if (mode_ != Mode::kWrite) return make_error("read-only transaction");
  if (table.single_row) {
    VS_ASSIGN(auto rows, row_uuids(table));
    if (!rows.empty()) return make_error("table " + table.name + " may have only one row");
  }
  Uuid id = uuid.value_or(Uuid::random());
  VS_ASSIGN(Statement * stmt,
            sql_.prepare("INSERT INTO " + q(sql_table(table)) + "(_uuid) VALUES (?)"));
  stmt->bind(1, id.to_string());
  if (auto r = stmt->run(); !r) {
    if (table.single_row) return make_error("table " + table.name + " may have only one row");
    return make_error("cannot insert " + describe(table, id) + ": " + r.error().message);
  }
  inserted_.emplace(&table, id);
  if (!table.is_root) orphan_candidates_.emplace(&table, id);
  for (const Column& column : table.columns) {
    if (!column.type.is_inline() && column.type.min > 0) resized_.emplace(&table, id, &column);
  }
  return id;
}

Result<void> Txn::remove(const Table& table, const Uuid& uuid) {
  if (mode_ != Mode::kWrite) return make_error("read-only transaction");
  VS_ASSIGN(bool found, exists(table, uuid));
  if (!found) return make_error("no " + describe(table, uuid));
  for (const Column& column : table.columns) VS_TRY(note_refs_dropped(table, uuid, column));
  VS_ASSIGN(Statement * stmt,
            sql_.prepare("DELETE FROM " + q(sql_table(table)) + " WHERE _uuid = ?"));
  stmt->bind(1, uuid.to_string());
  VS_TRY(stmt->run());
  deleted_.emplace(&table, uuid);
  return success();
}

Result<void> Txn::check_writable(const Table& table, const Uuid& uuid, const Column& column) {
  if (mode_ != Mode::kWrite) return make_error("read-only transaction");
  if (!column.mutable_after_insert && !inserted_.count({&table, uuid})) {
    return make_error("cannot modify read-only column " + column.name + " in table " + table.name);
  }
  VS_ASSIGN(bool found, exists(table, uuid));
  if (!found) return make_error("no " + describe(table, uuid));
  return success();
}

Result<void> Txn::check_value(const Column& column, const Datum& value) {
  for (const Atom& atom : value.keys) VS_TRY(check_atom(atom, column.type.key));
  if (column.type.value) {
    for (const Atom& atom : value.values) VS_TRY(check_atom(atom, *column.type.value));
  }
  return success();
}

void Txn::note_refs_written(const BaseType& base, const std::vector<Atom>& atoms) {
  if (base.ref_table.empty()) return;
  const Table& target = schema().table(base.ref_table);
  for (const Atom& atom : atoms) referenced_.emplace(&target, atom.uuid());
}

Result<void> Txn::note_refs_dropped(const Table& table, const Uuid& uuid, const Column& column) {
  const ColumnType& type = column.type;
  bool key_refs = !type.key.ref_table.empty();
  bool value_refs = type.value && !type.value->ref_table.empty();
  if (!key_refs && !value_refs) return success();
  VS_ASSIGN(Datum old, get(table, uuid, column));
  if (key_refs) {
    const Table& target = schema().table(type.key.ref_table);
    for (const Atom& atom : old.keys) orphan_candidates_.emplace(&target, atom.uuid());
  }
  if (value_refs) {
    const Table& target = schema().table(type.value->ref_table);
    for (const Atom& atom : old.values) orphan_candidates_.emplace(&target, atom.uuid());
  }
  return success();
}

Result<void> Txn::set(const Table& table, const Uuid& uuid, const Column& column,
                      const Datum& value) {
  VS_TRY(check_writable(table, uuid, column));
  VS_TRY(check_value(column, value));
  const ColumnType& type = column.type;
  if (value.size() < type.min || value.size() > type.max) {
    return make_error("column " + column.name + " of table " + table.name + " takes " +
                      (type.max == 1 ? (type.min == 1 ? std::string("exactly one value")
                                                      : std::string("at most one value"))
                                     : "between " + std::to_string(type.min) + " and " +
                                           std::to_string(type.max) + " values") +
                      ", not " + std::to_string(value.size()));
  }
  VS_TRY(note_refs_dropped(table, uuid, column));
  note_refs_written(type.key, value.keys);
  if (type.value) note_refs_written(*type.value, value.values);
  if (type.is_inline()) {
    VS_ASSIGN(Statement * stmt, sql_.prepare("UPDATE " + q(sql_table(table)) + " SET " +
                                             q(column.name) + " = ? WHERE _uuid = ?"));
    if (value.empty()) {
      stmt->bind_null(1);
    } else {
      bind_atom(*stmt, 1, value.keys[0], type.key.type);
    }
    stmt->bind(2, uuid.to_string());
    if (auto r = stmt->run(); !r) {
      return make_error("cannot set " + column.name + " of " + describe(table, uuid) + ": " +
                        r.error().message);
    }
    return success();
  }
  VS_ASSIGN(Statement * clear,
            sql_.prepare("DELETE FROM " + q(sql_child_table(table, column)) + " WHERE _row = ?"));
  clear->bind(1, uuid.to_string());
  VS_TRY(clear->run());
  return insert_elements(table, uuid, column, value, false);
}

// Inserts the elements of `value` into a child table. Existing keys are kept unless `replace`.
Result<void> Txn::insert_elements(const Table& table, const Uuid& uuid, const Column& column,
                                  const Datum& value, bool replace) {
  const ColumnType& type = column.type;
  std::string child = q(sql_child_table(table, column));
  if (column.exclusive_refs) {
    VS_ASSIGN(Statement * owner, sql_.prepare("SELECT _row FROM " + child + " WHERE key = ?"));
    for (const Atom& key : value.keys) {
      owner->reset().bind(1, key.uuid().to_string());
      VS_ASSIGN(bool row, owner->step());
      if (row && owner->column_text(0) != uuid.to_string()) {
        return make_error(type.key.ref_table + " row " + key.uuid().to_string() +
                          " is already in column " + column.name + " of " + table.name + " row " +
                          std::string(owner->column_text(0)));
      }
    }
  }
  VS_ASSIGN(
      Statement * stmt,
      sql_.prepare(
          std::string(replace ? "INSERT OR REPLACE" : "INSERT OR IGNORE") + " INTO " + child +
          (type.value ? "(_row, key, value) VALUES (?, ?, ?)" : "(_row, key) VALUES (?, ?)")));
  for (size_t i = 0; i < value.keys.size(); ++i) {
    stmt->reset().bind(1, uuid.to_string());
    bind_atom(*stmt, 2, value.keys[i], type.key.type);
    if (type.value) bind_atom(*stmt, 3, value.values[i], type.value->type);
    if (auto r = stmt->run(); !r) {
      return make_error("cannot write " + column.name + " of " + describe(table, uuid) + ": " +
                        r.error().message);
    }
  }
  note_refs_written(type.key, value.keys);
  if (type.value) note_refs_written(*type.value, value.values);
  resized_.emplace(&table, uuid, &column);
  return success();
}

Result<void> Txn::add(const Table& table, const Uuid& uuid, const Column& column,
                      const Datum& value) {
  VS_TRY(check_writable(table, uuid, column));
  VS_TRY(check_value(column, value));
  if (column.type.is_inline()) {
    VS_ASSIGN(Datum merged, get(table, uuid, column));
    for (size_t i = 0; i < value.size(); ++i) {
      if (!merged.find(value.keys[i])) merged.keys.push_back(value.keys[i]);
    }
    merged.normalize();
    return set(table, uuid, column, merged);
  }
  return insert_elements(table, uuid, column, value, false);
}

Result<void> Txn::set_key(const Table& table, const Uuid& uuid, const Column& column,
                          const Atom& key, const Atom& value) {
  VS_TRY(check_writable(table, uuid, column));
  if (!column.type.is_map()) return make_error("column " + column.name + " is not a map");
  Datum pair;
  pair.keys.push_back(key);
  pair.values.push_back(value);
  VS_TRY(check_value(column, pair));
  if (!column.type.value->ref_table.empty()) {
    Datum old_key;
    old_key.keys.push_back(key);
    VS_TRY(remove_elements(table, uuid, column, old_key, false));
  }
  return insert_elements(table, uuid, column, pair, true);
}

Result<void> Txn::remove_elements(const Table& table, const Uuid& uuid, const Column& column,
                                  const Datum& value, bool match_values) {
  VS_TRY(check_writable(table, uuid, column));
  const ColumnType& type = column.type;
  if (type.is_inline()) {
    VS_ASSIGN(Datum current, get(table, uuid, column));
    if (!current.empty() && value.find(current.keys[0])) return set(table, uuid, column, Datum());
    return success();
  }
  std::string child = q(sql_child_table(table, column));
  std::string where =
      " WHERE _row = ? AND key = ?" + std::string(match_values ? " AND value = ?" : "");
  bool refs = !type.key.ref_table.empty() || (type.value && !type.value->ref_table.empty());
  VS_ASSIGN(Statement * select,
            sql_.prepare(std::string("SELECT key") + (type.value ? ", value" : "") + " FROM " +
                         child + where));
  VS_ASSIGN(Statement * erase, sql_.prepare("DELETE FROM " + child + where));
  for (size_t i = 0; i < value.keys.size(); ++i) {
    for (Statement* stmt : {select, erase}) {
      stmt->reset().bind(1, uuid.to_string());
      bind_atom(*stmt, 2, value.keys[i], type.key.type);
      if (match_values) bind_atom(*stmt, 3, value.values[i], type.value->type);
    }
    if (refs) {  // remember what loses a reference before it is gone
      VS_ASSIGN(bool row, select->step());
      if (row) {
        if (!type.key.ref_table.empty()) {
          orphan_candidates_.emplace(&schema().table(type.key.ref_table),
                                     read_atom(*select, 0, type.key.type).uuid());
        }
        if (type.value && !type.value->ref_table.empty()) {
          orphan_candidates_.emplace(&schema().table(type.value->ref_table),
                                     read_atom(*select, 1, type.value->type).uuid());
        }
      }
      VS_TRY(select->run());
    }
    VS_TRY(erase->run());
  }
  resized_.emplace(&table, uuid, &column);
  return success();
}

// --- commit -------------------------------------------------------------------------------

Result<void> Txn::collect_garbage() {
  while (!orphan_candidates_.empty()) {
    auto [table, uuid] = *orphan_candidates_.begin();
    orphan_candidates_.erase(orphan_candidates_.begin());
    if (table->is_root) continue;
    VS_ASSIGN(bool found, exists(*table, uuid));
    if (!found) continue;
    VS_ASSIGN(auto refs, referrers(*table, uuid));
    if (refs.empty()) VS_TRY(remove(*table, uuid));
  }
  return success();
}

Result<void> Txn::validate() {
  for (const auto& [table, uuid] : referenced_) {
    VS_ASSIGN(bool found, exists(*table, uuid));
    if (!found) {
      // Fine if the reference itself is gone again (overwritten, or its row collected).
      VS_ASSIGN(auto refs, referrers(*table, uuid));
      if (refs.empty()) continue;
      return make_error("reference to nonexistent " + describe(*table, uuid) +
                        " (a row cannot refer to a deleted or never-created row)");
    }
  }
  for (const auto& [table, uuid] : deleted_) {
    VS_ASSIGN(bool found, exists(*table, uuid));
    if (found) continue;
    VS_ASSIGN(auto refs, referrers(*table, uuid));
    if (!refs.empty()) {
      return make_error("cannot delete " + describe(*table, uuid) + " because it is still " +
                        "referenced by column " + refs[0].column->name + " of " +
                        describe(*refs[0].table, refs[0].uuid));
    }
  }
  for (const auto& [table, uuid, column] : resized_) {
    if (column->type.min == 0 && column->type.max == kUnlimited) continue;  // nothing to count
    VS_ASSIGN(bool found, exists(*table, uuid));
    if (!found) continue;
    VS_ASSIGN(size_t n, count(*table, uuid, *column));
    if (n < column->type.min) {
      return make_error(describe(*table, uuid) + ": column " + column->name + " needs at least " +
                        std::to_string(column->type.min) + " value(s)");
    }
    if (n > column->type.max) {
      return make_error(describe(*table, uuid) + ": column " + column->name + " takes at most " +
                        std::to_string(column->type.max) + " values, not " + std::to_string(n));
    }
  }
  return success();
}

Result<int64_t> Txn::commit(NextCfg bump) {
  if (!open_) return make_error("transaction already finished");
  auto result = [&]() -> Result<int64_t> {
    VS_TRY(collect_garbage());
    VS_TRY(validate());
    const Table* root = nullptr;
    for (const Table& table : schema().tables) {
      if (table.single_row) root = &table;
    }
    if (changed() && root && bump == NextCfg::kIncrement) {
      VS_TRY(sql_.exec("UPDATE " + q(sql_table(*root)) + " SET next_cfg = next_cfg + 1"));
    }
    int64_t next_cfg = 0;
    if (root) {
      VS_ASSIGN(Statement * stmt, sql_.prepare("SELECT next_cfg FROM " + q(sql_table(*root))));
      VS_ASSIGN(bool row, stmt->step());
      if (row) next_cfg = stmt->column_int(0);
      VS_TRY(stmt->run());
    }
    sql_.reset_statements();
    if (auto r = sql_.exec("COMMIT"); !r) {
      return make_error("database integrity check failed at commit: " + r.error().message);
    }
    open_ = false;
    return next_cfg;
  }();
  if (!result) rollback();
  return result;
}

}  // namespace vs::ovsdb
