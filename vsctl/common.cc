// Helpers shared by vsctl's commands: name matching, row lookup, `@name` symbols and the
// COLUMN[:KEY]=VALUE argument syntax.
#include <algorithm>
#include <cctype>
#include <climits>

#include "vsctl/vsctl.h"

namespace vs::vsctl {

using boost::outcome_v2::success;
using ovsdb::Atom;
using ovsdb::Column;
using ovsdb::Datum;
using ovsdb::Table;

// --- symbols ------------------------------------------------------------------------------

static std::string symbol_key(std::string_view name) {
  return name.starts_with('@') ? std::string(name) : "@" + std::string(name);
}

Uuid Symbols::reference(std::string_view name) {
  auto [it, inserted] = symbols_.try_emplace(symbol_key(name));
  if (inserted) it->second.uuid = Uuid::random();
  return it->second.uuid;
}

Result<Uuid> Symbols::create(std::string_view name) {
  std::string key = symbol_key(name);
  auto [it, inserted] = symbols_.try_emplace(key);
  if (inserted) it->second.uuid = Uuid::random();
  if (it->second.created)
    return make_error("row id \"" + key + "\" may only be specified on one --id option");
  it->second.created = true;
  return it->second.uuid;
}

void Symbols::bind(std::string_view name, const Uuid& uuid) {
  Symbol& symbol = symbols_[symbol_key(name)];
  symbol.uuid = uuid;
  symbol.created = true;
}

ovsdb::SymbolResolver Symbols::resolver() {
  return [this](std::string_view name) -> std::optional<Uuid> { return reference(name); };
}

Result<void> Symbols::check_all_created() const {
  for (const auto& [name, symbol] : symbols_) {
    if (!symbol.created) {
      return make_error("row id \"" + name +
                        "\" is referenced but never created (e.g. with \"-- --id=" + name +
                        " create ...\")");
    }
  }
  return success();
}

// --- names --------------------------------------------------------------------------------

// How well `input` names `name`: UINT_MAX for an exact match, UINT_MAX - 1 for a match that
// differs only in case or '-' for '_', the prefix length for a prefix, 0 for no match.
static unsigned match_score(std::string_view name, std::string_view input) {
  if (name == input) return UINT_MAX;
  auto fold = [](char c) {
    return c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  if (input.size() > name.size()) return 0;
  for (size_t i = 0; i < input.size(); ++i) {
    if (fold(name[i]) != fold(input[i])) return 0;
  }
  return input.size() == name.size() ? UINT_MAX - 1 : static_cast<unsigned>(input.size());
}

// The candidate `input` names best, or nullptr with the names of the tied candidates.
template <class T>
static const T* best_match(const std::vector<const T*>& candidates, std::string_view input,
                           std::vector<std::string>* ties) {
  const T* best = nullptr;
  unsigned best_score = 0;
  for (const T* candidate : candidates) {
    unsigned score = match_score(candidate->name, input);
    if (score > best_score) {
      best = candidate;
      best_score = score;
      ties->assign({candidate->name});
    } else if (score == best_score && score > 0) {
      ties->push_back(candidate->name);
    }
  }
  if (ties->size() > 1 || input.empty()) return nullptr;
  return best;
}

static std::string join(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

Result<const Table*> match_table(const ovsdb::Schema& schema, std::string_view name) {
  std::vector<const Table*> tables;
  for (const Table& table : schema.tables) tables.push_back(&table);
  std::vector<std::string> ties;
  if (const Table* table = best_match(tables, name, &ties)) return table;
  if (ties.size() > 1) {
    return make_error("\"" + std::string(name) + "\" matches multiple table names: " + join(ties));
  }
  return make_error("unknown table \"" + std::string(name) + "\"");
}

const Column& uuid_column() {
  static const Column column = [] {
    Column c;
    c.name = "_uuid";
    c.type.key.type = ovsdb::AtomicType::kUuid;
    c.mutable_after_insert = false;
    return c;
  }();
  return column;
}

Result<const Column*> match_column(const Table& table, std::string_view name) {
  if (name.empty()) return make_error(": missing column name");
  std::vector<const Column*> columns{&uuid_column()};
  for (const Column& column : table.columns) columns.push_back(&column);
  std::vector<std::string> ties;
  if (const Column* column = best_match(columns, name, &ties)) return column;
  if (ties.size() > 1) {
    return make_error(table.name + " contains more than one column whose name matches \"" +
                      std::string(name) + "\": " + join(ties));
  }
  return make_error(table.name + " does not contain a column whose name matches \"" +
                    std::string(name) + "\"");
}

// --- rows ---------------------------------------------------------------------------------

static bool is_uuid_prefix(std::string_view text) {
  if (text.size() < 4 || text.size() > 36) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

// The row a name column of `via` (with optional reference column) leads to.
static Result<std::optional<Uuid>> find_via(Context& ctx, const Table& via, std::string_view name,
                                            const char* ref_column) {
  VS_ASSIGN(auto row, ctx.txn.find_by_name(via, name));
  if (!row || !ref_column) return row;
  VS_ASSIGN(Datum ref, ctx.txn.get(via, *row, *via.find_column(ref_column)));
  if (ref.size() != 1) return std::optional<Uuid>();
  return std::optional<Uuid>(ref.keys[0].uuid());
}

Result<std::optional<Uuid>> find_record(Context& ctx, const Table& table, std::string_view id) {
  ovsdb::Txn& txn = ctx.txn;
  if (auto uuid = Uuid::parse(id)) {
    VS_ASSIGN(bool found, txn.exists(table, *uuid));
    if (found) return uuid;
  }
  std::optional<Uuid> row;
  if (table.single_row) {
    if (id == ".") {
      VS_ASSIGN(auto rows, txn.row_uuids(table));
      if (!rows.empty()) row = rows[0];
    }
  } else if (!table.name_column.empty()) {
    VS_ASSIGN(row, txn.find_by_name(table, id));
  } else if (table.name == "Controller") {
    VS_ASSIGN(row, find_via(ctx, ctx.table("Bridge"), id, "controller"));
  } else if (table.name == "QoS") {
    VS_ASSIGN(row, find_via(ctx, ctx.table("Port"), id, "qos"));
  }
  if (row || !is_uuid_prefix(id)) return row;
  VS_ASSIGN(auto uuids, txn.row_uuids(table));
  for (const Uuid& uuid : uuids) {
    if (uuid.to_string().starts_with(id)) {
      if (row) {
        return make_error(table.name + " contains 2 or more rows whose UUIDs begin with " +
                          std::string(id) + ": at least " + row->to_string() + " and " +
                          uuid.to_string());
      }
      row = uuid;
    }
  }
  return row;
}

// --- COLUMN[:KEY]=VALUE -------------------------------------------------------------------

Result<ColumnArg> parse_column_arg(const Table& table, std::string_view arg,
                                   std::span<const std::string_view> ops, bool value_required) {
  ColumnArg result;
  std::string_view rest = arg;
  VS_ASSIGN(ovsdb::Token column, ovsdb::parse_token(rest));
  if (column.text.empty()) return make_error(std::string(arg) + ": missing column name");
  VS_ASSIGN(result.column, match_column(table, column.text));
  rest.remove_prefix(column.length);
  if (!rest.empty() && rest[0] == ':') {
    rest.remove_prefix(1);
    VS_ASSIGN(ovsdb::Token key, ovsdb::parse_token(rest));
    if (key.length == 0) return make_error(std::string(arg) + ": missing key");
    result.key = key.text;
    rest.remove_prefix(key.length);
  }
  if (ops.empty()) {
    if (!rest.empty()) {
      return make_error(std::string(arg) + ": trailing garbage \"" + std::string(rest) +
                        "\" in argument");
    }
    return result;
  }
  std::string_view best;  // the longest operator that matches: "<=" rather than "<"
  for (std::string_view op : ops) {
    if (rest.starts_with(op) && op.size() > best.size()) best = op;
  }
  if (!best.empty()) {
    result.op = best;
    result.value = rest.substr(best.size());
    return result;
  }
  if (rest.empty() && !value_required) return result;
  std::string expected;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i > 0) expected += ops.size() > 2 ? ", " : " ";
    if (i > 0 && i + 1 == ops.size()) expected += "or ";
    expected += "\"" + std::string(ops[i]) + "\"";
  }
  return make_error(std::string(arg) + ": argument does not end in " + expected +
                    " followed by a value.");
}

Result<void> set_column(Context& ctx, const Table& table, const Uuid& row, std::string_view arg) {
  static constexpr std::string_view kEquals[] = {"="};
  VS_ASSIGN(ColumnArg parsed, parse_column_arg(table, arg, kEquals, true));
  const Column& column = *parsed.column;
  if (&column == &uuid_column())
    return make_error("cannot modify read-only column _uuid in table " + table.name);
  auto symbols = ctx.symbols.resolver();
  if (parsed.key) {
    if (!column.type.is_map()) {
      return make_error("cannot specify key to set for non-map column " + column.name);
    }
    VS_ASSIGN(Atom key, ovsdb::parse_atom(*parsed.key, column.type.key, symbols));
    VS_ASSIGN(Atom value, ovsdb::parse_atom(parsed.value, *column.type.value, symbols));
    return ctx.txn.set_key(table, row, column, key, value);
  }
  auto value = ovsdb::parse_datum(parsed.value, column.type, symbols);
  if (!value) return make_error(column.name + ": " + value.error().message);
  return ctx.txn.set(table, row, column, value.value());
}

}  // namespace vs::vsctl
