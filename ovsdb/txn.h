// Transactions on the configuration database: the only way anything reads or writes rows.
//
// A Txn is one SQLite transaction (BEGIN IMMEDIATE for writers, so concurrent writers queue
// instead of failing). Every operation goes straight to SQL inside it, so later reads see
// earlier writes and a failed command line rolls back as a whole. commit() then finishes the
// job the way OVSDB does: checks that every reference written points at a row, that sets are
// within their size limits and that no deleted row is still referenced; deletes non-root rows
// that nothing references any more (a port removed from its bridge, its interfaces with it);
// increments Open_vSwitch.next_cfg when anything changed; and commits. Destroying a Txn that
// was not committed rolls it back.
//
// Not thread-safe: one Txn per Database at a time, used by one thread.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lib/result.h"
#include "lib/uuid.h"
#include "ovsdb/database.h"
#include "ovsdb/datum.h"
#include "ovsdb/schema.h"

namespace vs::ovsdb {

// One row with every column loaded, in schema column order.
struct Row {
  Uuid uuid;
  std::vector<Datum> columns;
};

// A row that references another, through `column` of `table`.
struct Referrer {
  const Table* table;
  const Column* column;
  Uuid uuid;
};

class Txn {
 public:
  enum class Mode { kRead, kWrite };
  static Result<std::unique_ptr<Txn>> begin(Database& db, Mode mode);
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  const Schema& schema() const { return db_.schema(); }

  // --- reading
  Result<bool> exists(const Table& table, const Uuid& uuid);
  // The row whose name column equals `name` (tables with a name index only).
  Result<std::optional<Uuid>> find_by_name(const Table& table, std::string_view name);
  // Rows whose single-valued `column` equals `value`, in uuid order.
  Result<std::vector<Uuid>> find_rows(const Table& table, const Column& column, const Atom& value);
  // Every row's uuid, in uuid order.
  Result<std::vector<Uuid>> row_uuids(const Table& table);
  // Every row with all columns, in uuid order, in a constant number of queries.
  Result<std::vector<Row>> load_table(const Table& table);
  Result<Row> load_row(const Table& table, const Uuid& uuid);
  Result<Datum> get(const Table& table, const Uuid& uuid, const Column& column);
  // Rows that reference `uuid` (a row of `table`), through any column.
  Result<std::vector<Referrer>> referrers(const Table& table, const Uuid& uuid);
  // The number of elements of a set or map column, without loading it.
  Result<size_t> count(const Table& table, const Uuid& uuid, const Column& column);

  // --- writing (kWrite only)
  // A new row with every column at its default; `uuid` lets --id=@name forward references
  // name the row before it exists.
  Result<Uuid> insert(const Table& table, std::optional<Uuid> uuid = std::nullopt);
  Result<void> remove(const Table& table, const Uuid& uuid);
  // Replaces the whole value. Immutable columns can only be written on rows inserted here.
  Result<void> set(const Table& table, const Uuid& uuid, const Column& column, const Datum& value);
  // Adds set elements, or map pairs whose key is not present yet (OVSDB "insert" mutation).
  Result<void> add(const Table& table, const Uuid& uuid, const Column& column, const Datum& value);
  // Sets one map entry, replacing any value under that key.
  Result<void> set_key(const Table& table, const Uuid& uuid, const Column& column, const Atom& key,
                       const Atom& value);
  // Removes set elements or map keys equal to value.keys; for maps, when `match_values`, only
  // the pairs whose value matches too.
  Result<void> remove_elements(const Table& table, const Uuid& uuid, const Column& column,
                               const Datum& value, bool match_values);

  bool changed() const;
  // kKeep is for vswitchd writing back what it observed (ofport, link state, statistics):
  // that is status, not configuration, so no writer should wait for it to be applied.
  enum class NextCfg { kIncrement, kKeep };
  // Validates, garbage-collects, bumps next_cfg if anything changed (unless kKeep), and
  // commits. Returns the committed next_cfg (or the unchanged one when nothing changed).
  Result<int64_t> commit(NextCfg next_cfg = NextCfg::kIncrement);
  void rollback();

 private:
  Txn(Database& db, Mode mode);

  Result<void> check_writable(const Table& table, const Uuid& uuid, const Column& column);
  Result<void> check_value(const Column& column, const Datum& value);
  Result<void> insert_elements(const Table& table, const Uuid& uuid, const Column& column,
                               const Datum& value, bool replace);
  void note_refs_written(const BaseType& base, const std::vector<Atom>& atoms);
  Result<void> note_refs_dropped(const Table& table, const Uuid& uuid, const Column& column);
  Result<void> validate();
  Result<void> collect_garbage();

  Database& db_;
  Connection& sql_;
  Mode mode_;
  bool open_ = false;
  int64_t changes_at_begin_ = 0;
  std::set<std::pair<const Table*, Uuid>> inserted_;
  std::set<std::pair<const Table*, Uuid>> deleted_;
  // Rows whose set/map columns changed: their size limits are checked at commit.
  std::set<std::tuple<const Table*, Uuid, const Column*>> resized_;
  // Every (table, uuid) a written reference points at: must exist at commit.
  std::set<std::pair<const Table*, Uuid>> referenced_;
  // Non-root rows that may have lost their last reference.
  std::set<std::pair<const Table*, Uuid>> orphan_candidates_;
};

}  // namespace vs::ovsdb
