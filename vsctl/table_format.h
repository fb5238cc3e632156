// Renders the rows of `list` and `find` (and other tabular output) in ovs-vsctl's output
// formats: list (the default for list/find), table, csv, json, bare, with --columns order,
// --no-headings, --oneline and --data=string|json.
#pragma once

#include <string>
#include <vector>

#include "ovsdb/datum.h"
#include "ovsdb/schema.h"

namespace vs::vsctl {

enum class OutputFormat { kList, kTable, kCsv, kJson, kHtml };
enum class CellData { kString, kJson };

struct FormatOptions {
  OutputFormat format = OutputFormat::kList;
  CellData data = CellData::kString;
  bool headings = true;  // --no-headings turns them off
  bool bare = false;     // --bare: values only, no headings, rows separated by a blank line
};

struct Cell {
  ovsdb::Datum datum;
  const ovsdb::ColumnType* type;  // never null
};

struct TableOutput {
  std::string title;                  // table name (used by json and html output)
  std::vector<std::string> headings;  // column names, e.g. "_uuid", "name"
  std::vector<std::vector<Cell>> rows;
};

// The full text ovs-vsctl would print for this table, including the final newline(s).
std::string render_table(const TableOutput& table, const FormatOptions& options);

}  // namespace vs::vsctl
