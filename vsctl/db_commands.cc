// The generic database commands of ovs-vsctl: list, find, get, set, add, remove, clear,
// create, destroy, wait-until. They work on every table and column through the schema.
#include <algorithm>

#include "vsctl/vsctl.h"

namespace vs::vsctl {
namespace {

using boost::outcome_v2::success;
using ovsdb::Atom;
using ovsdb::Column;
using ovsdb::ColumnType;
using ovsdb::Datum;
using ovsdb::Table;

// find and wait-until operators, in the order ovs-vsctl lists them.
constexpr std::string_view kConditionOps[] = {
    "=",    "!=",  "<",   ">",    "<=",   ">=",   "{=}",
    "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}", "{not-in}"};

Error no_row(const Table& table, std::string_view id) {
  return make_error("no row \"" + std::string(id) + "\" in table " + table.name);
}

Result<const Table*> table_arg(Context& ctx, size_t i) {
  return match_table(ctx.schema(), ctx.arg(i));
}

// The columns to show: --columns in the given order, else _uuid and then every column in
// alphabetical order, as ovs-vsctl prints them.
Result<std::vector<const Column*>> output_columns(Context& ctx, const Table& table) {
  std::vector<const Column*> columns;
  std::string spec = ctx.option("--columns");
  if (spec.empty()) {
    columns.push_back(&uuid_column());
    for (const Column& column : table.columns) columns.push_back(&column);
    std::sort(columns.begin() + 1, columns.end(),
              [](const Column* a, const Column* b) { return a->name < b->name; });
    return columns;
  }
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string name =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    VS_ASSIGN(const Column* column, match_column(table, name));
    columns.push_back(column);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return columns;
}

Datum column_value(const Table& table, const ovsdb::Row& row, const Column* column) {
  if (column == &uuid_column()) return Datum::scalar(Atom(row.uuid));
  return row.columns[static_cast<size_t>(column - table.columns.data())];
}

std::string render(Context& ctx, const Table& table, const std::vector<const Column*>& columns,
                   const std::vector<const ovsdb::Row*>& rows) {
  TableOutput out;
  out.title = table.name;
  for (const Column* column : columns) out.headings.push_back(column->name);
  for (const ovsdb::Row* row : rows) {
    std::vector<Cell> cells;
    for (const Column* column : columns)
      cells.push_back(Cell{column_value(table, *row, column), &column->type});
    out.rows.push_back(std::move(cells));
  }
  // ovs-vsctl separates consecutive tables of one run by a blank line (not in JSON or HTML).
  std::string separator;
  OutputFormat format = ctx.global.format.format;
  if (ctx.tables_printed && (*ctx.tables_printed)++ > 0 && format != OutputFormat::kJson &&
      format != OutputFormat::kHtml) {
    separator = "\n";
  }
  return separator + render_table(out, ctx.global.format);
}

// Datums compare by size first, then element by element (OVSDB's order).
int compare(const Datum& a, const Datum& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a.keys[i] < b.keys[i]) return -1;
    if (b.keys[i] < a.keys[i]) return 1;
  }
  for (size_t i = 0; i < a.values.size() && i < b.values.size(); ++i) {
    if (a.values[i] < b.values[i]) return -1;
    if (b.values[i] < a.values[i]) return 1;
  }
  return 0;
}

// Every element (key, and value for maps) of `a` is in `b`.
bool includes(const Datum& b, const Datum& a) {
  for (size_t i = 0; i < a.size(); ++i) {
    auto j = b.find(a.keys[i]);
    if (!j) return false;
    if (!a.values.empty() && !(b.values[*j] == a.values[i])) return false;
  }
  return true;
}

bool evaluate(const Datum& have, const Datum& want, std::string_view op) {
  if (op == "=" || op == "{=}") return compare(have, want) == 0;
  if (op == "!=" || op == "{!=}") return compare(have, want) != 0;
  if (op == "<") return compare(have, want) < 0;
  if (op == "<=") return compare(have, want) <= 0;
  if (op == ">") return compare(have, want) > 0;
  if (op == ">=") return compare(have, want) >= 0;
  if (op == "{<=}" || op == "{in}") return includes(want, have);
  if (op == "{not-in}") {
    for (size_t i = 0; i < have.size(); ++i) {
      if (want.find(have.keys[i])) return false;
    }
    return true;
  }
  if (op == "{<}") return includes(want, have) && have.size() < want.size();
  if (op == "{>=}") return includes(have, want);
  if (op == "{>}") return includes(have, want) && have.size() > want.size();
  return false;
}

struct Condition {
  const Column* column;
  std::optional<Atom> key;
  std::string op;
  Datum value;
};

Result<Condition> parse_condition(Context& ctx, const Table& table, std::string_view arg) {
  VS_ASSIGN(ColumnArg parsed, parse_column_arg(table, arg, kConditionOps, true));
  Condition condition{parsed.column, std::nullopt, parsed.op, {}};
  const ColumnType& type = parsed.column->type;
  auto symbols = ctx.symbols.resolver();
  ColumnType value_type = type;
  if (parsed.key) {
    if (!type.is_map())
      return make_error("cannot specify key to check for non-map column " + parsed.column->name);
    VS_ASSIGN(condition.key, ovsdb::parse_atom(*parsed.key, type.key, symbols));
    value_type = ColumnType{*type.value, std::nullopt, 0, ovsdb::kUnlimited};
  } else {
    value_type.min = 0;
    value_type.max = ovsdb::kUnlimited;
  }
  VS_ASSIGN(condition.value, ovsdb::parse_datum(parsed.value, value_type, symbols));
  return condition;
}

bool satisfied(const Condition& condition, const Datum& have) {
  if (!condition.key) return evaluate(have, condition.value, condition.op);
  auto index = have.find(*condition.key);
  bool set_op = condition.op.starts_with('{');
  if (!index && !set_op) return false;
  Datum value;
  if (index) value.keys.push_back(have.values[*index]);
  return evaluate(value, condition.value, condition.op);
}

Result<void> cmd_list(Context& ctx) {
  VS_ASSIGN(const Table* table, table_arg(ctx, 0));
  VS_ASSIGN(auto columns, output_columns(ctx, *table));
  VS_ASSIGN(auto rows, ctx.txn.load_table(*table));
  std::vector<const ovsdb::Row*> selected;
  if (ctx.n_args() == 1) {
    for (const ovsdb::Row& row : rows) selected.push_back(&row);
  } else {
    for (size_t i = 1; i < ctx.n_args(); ++i) {
      VS_ASSIGN(auto uuid, find_record(ctx, *table, ctx.arg(i)));
      if (!uuid) {
        if (ctx.has_option("--if-exists")) continue;
        return no_row(*table, ctx.arg(i));
      }
      auto it = std::find_if(rows.begin(), rows.end(),
                             [&](const ovsdb::Row& r) { return r.uuid == *uuid; });
      if (it != rows.end()) selected.push_back(&*it);
    }
  }
  ctx.output += render(ctx, *table, columns, selected);
  return success();
}

Result<void> cmd_find(Context& ctx) {
  VS_ASSIGN(const Table* table, table_arg(ctx, 0));
  VS_ASSIGN(auto columns, output_columns(ctx, *table));
  std::vector<Condition> conditions;
  for (size_t i = 1; i < ctx.n_args(); ++i) {
    VS_ASSIGN(Condition condition, parse_condition(ctx, *table, ctx.arg(i)));
    conditions.push_back(std::move(condition));
  }
  VS_ASSIGN(auto rows, ctx.txn.load_table(*table));
  std::vector<const ovsdb::Row*> selected;
  for (const ovsdb::Row& row : rows) {
    bool all = std::all_of(conditions.begin(), conditions.end(), [&](const Condition& c) {
      return satisfied(c, column_value(*table, row, c.column));
    });
    if (all) selected.push_back(&row);
  }
  ctx.output += render(ctx, *table, columns, selected);
  return success();
}

Result<void> cmd_get(Context& ctx) {
  VS_ASSIGN(const Table* table, table_arg(ctx, 0));
  bool if_exists = ctx.has_option("--if-exists");
  VS_ASSIGN(auto uuid, find_record(ctx, *table, ctx.arg(1)));
  if (!uuid) {
    if (if_exists) return success();
    return no_row(*table, ctx.arg(1));
  }
  if (std::string id = ctx.option("--id"); !id.empty()) {
    if (!id.starts_with('@')) return make_error("row id \"" + id + "\" does not begin with \"@\"");
    ctx.symbols.bind(id, *uuid);
  }
  for (size_t i = 2; i < ctx.n_args(); ++i) {
    VS_ASSIGN(ColumnArg arg, parse_column_arg(*table, ctx.arg(i), {}, false));
    const Column& column = *arg.column;
    Datum value;
    if (&column == &uuid_column()) {
      value = Datum::scalar(Atom(*uuid));
    } else {
      VS_ASSIGN(value, ctx.txn.get(*table, *uuid, column));
    }
    if (!arg.key) {
      ctx.output += ovsdb::format_datum(value, column.type) + "\n";
      continue;
    }
    if (!column.type.is_map()) {
      return make_error("cannot specify key to get for non-map column " + column.name);
    }
    VS_ASSIGN(Atom key, ovsdb::parse_atom(*arg.key, column.type.key, ctx.symbols.resolver()));
    auto index = value.find(key);
    if (!index) {
      if (if_exists) {  // ovs-vsctl prints an empty line for the missing key
        ctx.output += "\n";
        continue;
      }
      return make_error("no key \"" + *arg.key + "\" in " + table->name + " record \"" +
                        ctx.arg(1) + "\" column " + column.name);
    }
    ctx.output += ovsdb::format_atom(value.values[*index], column.type.value->type) + "\n";
  }
  return success();
}

// The row of a set/add/remove/clear command, or nullopt with --if-exists.
Result<std::optional<Uuid>> target_row(Context& ctx, const Table& table) {
  VS_ASSIGN(auto uuid, find_record(ctx, table, ctx.arg(1)));
  if (!uuid && !ctx.has_option("--if-exists")) {
    return no_row(table, ctx.arg(1));
  }
  return uuid;
}

Result<const Column*> writable_column(const Table& table, std::string_view name) {
  VS_ASSIGN(const Column* column, match_column(table, name));
  if (column == &uuid_column())
    return make_error("cannot modify read-only column _uuid in table " + table.name);
  return column;
}

Result<void> cmd_set(Context& ctx) {
  VS_ASSIGN(const Table* table, table_arg(ctx, 0));
  VS_ASSIGN(auto uuid, target_row(ctx, *table));
  if (!uuid) return success();
  for (size_t i = 2; i < ctx.n_args(); ++i) VS_TRY(set_column(ctx, *table, *uuid, ctx.arg(i)));
  return success();
}

// A value argument of add/remove: any number of elements of the column's type.
Result<Datum> parse_elements(Context& ctx, const Column& column, std::string_view text,
                             bool keys_only) {
  ColumnType type = column.type;
  type.min = 1;
  type.max = ovsdb::kUnlimited;
  if (keys_only) type.value.reset();
  auto datum = ovsdb::parse_datum(text, type, ctx.symbols.resolver());
  if (!datum) return make_error(column.name + ": " + datum.error().message);
  return datum;
}

Result<void> cmd_add(Context& ctx) {
  VS_ASSIGN(const Table* table, table_arg(ctx, 0));
  VS_ASSIGN(const Column* column, writable_column(*table, ctx.arg(2)));
  VS_ASSIGN(auto uuid, target_row(ctx, *table));
  if (!uuid) return success();
  for (size_t i = 3; i < ctx.n_args(); ++i) {
    VS_ASSIGN(Datum value, parse_elements(ctx, *column, ctx.arg(i), false));
    if (!column->type.is_map()) {
      VS_TRY(ctx.txn.add(*table, *uuid, *column, value));
      continue;
    }
    // ovs-vsctl 3.1 replaces the value of a key already present (its manual says it keeps
    // it); scripts are written against what it does.
    for (size_t k = 0; k < value.size(); ++k) {
      VS_TRY(ctx.txn.set_key(*table, *uuid, *column, value.keys[k], value.values[k]));
    }
  }
  return success();
}

Result<void> cmd_remove(Context& ctx) {
  VS_ASSIGN(const Table* table, table_arg(ctx, 0));
  VS_ASSIGN(const Column* column, writable_column(*table, ctx.arg(2)));
  VS_ASSIGN(auto uuid, target_row(ctx, *table));
  if (!uuid) return success();
  for (size_t i = 3; i < ctx.n_args(); ++i) {
    // A map takes KEY=VALUE pairs (removed only if the value matches) or bare keys.
    auto pairs = parse_elements(ctx, *column, ctx.arg(i), false);
    if (pairs) {
      VS_TRY(ctx.txn.remove_elements(*table, *uuid, *column, pairs.value(), column->type.is_map()));
      continue;
    }
    if (!column->type.is_map()) return pairs.error();
    VS_ASSIGN(Datum keys, parse_elements(ctx, *column, ctx.arg(i), true));
    VS_TRY(ctx.txn.remove_elements(*table, *uuid, *column, keys, false));
  }
  VS_ASSIGN(size_t left, ctx.txn.count(*table, *uuid, *column));
  if (left < column->type.min) {
    return make_error("\"remove\" operation would put " + std::to_string(left) +
                      " values in column " + column->name + " of table " + table->name +
                      " but the minimum number is " + std::to_string(column->type.min));
  }
  return success();
}

Result<void> cmd_clear(Context& ctx) {
  VS_ASSIGN(const Table* table, table_arg(ctx, 0));
  VS_ASSIGN(auto uuid, target_row(ctx, *table));
  for (size_t i = 2; i < ctx.n_args(); ++i) {
    VS_ASSIGN(const Column* column, writable_column(*table, ctx.arg(i)));
    if (column->type.min > 0) {
      return make_error("\"clear\" operation cannot be applied to column " + column->name +
                        " of table " + table->name + ", which is not allowed to be empty");
    }
    if (uuid) VS_TRY(ctx.txn.set(*table, *uuid, *column, Datum()));
  }
  return success();
}

Result<void> cmd_create(Context& ctx) {
  VS_ASSIGN(const Table* table, table_arg(ctx, 0));
  std::optional<Uuid> uuid;
  if (std::string id = ctx.option("--id"); !id.empty()) {
    if (!id.starts_with('@')) return make_error("row id \"" + id + "\" does not begin with \"@\"");
    VS_ASSIGN(uuid, ctx.symbols.create(id));
  }
  if (!uuid && !table->is_root) {  // nothing can reference it, so the commit collects it
    ctx.warnings += "vsctl: warning: applying \"create\" command to table " + table->name +
                    " without --id option will have no effect\n";
  }
  VS_ASSIGN(Uuid row, ctx.txn.insert(*table, uuid));
  for (size_t i = 1; i < ctx.n_args(); ++i) VS_TRY(set_column(ctx, *table, row, ctx.arg(i)));
  ctx.output += row.to_string() + "\n";
  return success();
}

Result<void> cmd_destroy(Context& ctx) {
  VS_ASSIGN(const Table* table, table_arg(ctx, 0));
  if (ctx.has_option("--all")) {
    if (ctx.n_args() > 1)
      return make_error("--all and records argument should not be specified together");
    VS_ASSIGN(auto rows, ctx.txn.row_uuids(*table));
    for (const Uuid& uuid : rows) VS_TRY(ctx.txn.remove(*table, uuid));
    return success();
  }
  if (ctx.n_args() < 2) return make_error("either --all or records argument should be specified");
  for (size_t i = 1; i < ctx.n_args(); ++i) {
    VS_ASSIGN(auto uuid, find_record(ctx, *table, ctx.arg(i)));
    if (!uuid) {
      if (ctx.has_option("--if-exists")) continue;
      return no_row(*table, ctx.arg(i));
    }
    VS_TRY(ctx.txn.remove(*table, *uuid));
  }
  return success();
}

Result<void> cmd_wait_until(Context& ctx) {
  VS_ASSIGN(const Table* table, table_arg(ctx, 0));
  std::vector<Condition> conditions;
  for (size_t i = 2; i < ctx.n_args(); ++i) {
    VS_ASSIGN(Condition condition, parse_condition(ctx, *table, ctx.arg(i)));
    conditions.push_back(std::move(condition));
  }
  VS_ASSIGN(auto uuid, find_record(ctx, *table, ctx.arg(1)));
  if (!uuid) {
    ctx.try_again = true;
    return success();
  }
  for (const Condition& condition : conditions) {
    Datum have;
    if (condition.column == &uuid_column()) {
      have = Datum::scalar(Atom(*uuid));
    } else {
      VS_ASSIGN(have, ctx.txn.get(*table, *uuid, *condition.column));
    }
    if (!satisfied(condition, have)) {
      ctx.try_again = true;
      return success();
    }
  }
  return success();
}

constexpr CommandSpec kDbCommands[] = {
    {"list", 1, -1, "TABLE [RECORD]...", "--if-exists,--columns=", false, cmd_list},
    {"find", 1, -1, "TABLE [COLUMN[:KEY]=VALUE]...", "--columns=", false, cmd_find},
    {"get", 2, -1, "TABLE RECORD [COLUMN[:KEY]]...", "--if-exists,--id=", false, cmd_get},
    {"set", 3, -1, "TABLE RECORD COLUMN[:KEY]=VALUE...", "--if-exists", true, cmd_set},
    {"add", 4, -1, "TABLE RECORD COLUMN [KEY=]VALUE...", "--if-exists", true, cmd_add},
    {"remove", 4, -1, "TABLE RECORD COLUMN KEY|VALUE|KEY=VALUE...", "--if-exists", true,
     cmd_remove},
    {"clear", 3, -1, "TABLE RECORD COLUMN...", "--if-exists", true, cmd_clear},
    {"create", 2, -1, "TABLE COLUMN[:KEY]=VALUE...", "--id=", true, cmd_create},
    {"destroy", 1, -1, "TABLE [RECORD]...", "--if-exists,--all", true, cmd_destroy},
    {"wait-until", 2, -1, "TABLE RECORD [COLUMN[:KEY]=VALUE]...", "", false, cmd_wait_until},
};

}  // namespace

std::span<const CommandSpec> db_commands() { return kDbCommands; }

}  // namespace vs::vsctl
