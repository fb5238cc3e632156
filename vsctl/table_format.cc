// Renders list/find results in ovs-vsctl's five output formats. Cell text comes from
// ovsdb/datum.h (format_datum, format_datum_json); this file only lays the cells out. The
// blank line ovs-vsctl prints before every list, table or csv output after the first one in a
// process is left to the caller, which knows how many tables it prints.
#include "vsctl/table_format.h"

#include <algorithm>
#include <cassert>
#include <cstdio>

#include "lib/uuid.h"

namespace vs::vsctl {
namespace {

constexpr size_t kUuidLength = 36;
constexpr size_t kListHeadingWidth = 20;

// --bare: strings raw (no quotes, no escapes), set and map members separated by one space, no
// brackets, so an empty value is an empty string.
std::string bare_text(const ovsdb::Datum& datum, const ovsdb::ColumnType& type) {
  auto bare_atom = [](const ovsdb::Atom& atom, ovsdb::AtomicType atomic) {
    return atomic == ovsdb::AtomicType::kString ? atom.string() : ovsdb::format_atom(atom, atomic);
  };
  std::string out;
  for (size_t i = 0; i < datum.size(); ++i) {
    if (i > 0) out += ' ';
    out += bare_atom(datum.keys[i], type.key.type);
    if (type.is_map()) {
      out += '=';
      out += bare_atom(datum.values[i], type.value->type);
    }
  }
  return out;
}

std::string cell_text(const Cell& cell, const FormatOptions& options) {
  if (options.bare) return bare_text(cell.datum, *cell.type);
  if (options.data == CellData::kJson) return ovsdb::format_datum_json(cell.datum, *cell.type);
  return ovsdb::format_datum(cell.datum, *cell.type);
}

bool show_headings(const FormatOptions& options) { return options.headings && !options.bare; }

// All cell texts, computed once: table format needs them twice (widths, then output).
std::vector<std::vector<std::string>> all_cell_texts(const TableOutput& table,
                                                     const FormatOptions& options) {
  std::vector<std::vector<std::string>> texts;
  texts.reserve(table.rows.size());
  for (const std::vector<Cell>& row : table.rows) {
    assert(row.size() == table.headings.size());
    std::vector<std::string>& out = texts.emplace_back();
    out.reserve(row.size());
    for (const Cell& cell : row) out.push_back(cell_text(cell, options));
  }
  return texts;
}

void append_padded(std::string& out, std::string_view text, size_t width) {
  out += text;
  if (text.size() < width) out.append(width - text.size(), ' ');
}

// ovs-vsctl strips trailing blanks from every table line, even blanks that belong to a value.
void finish_line(std::string& out, size_t line_start) {
  size_t end = out.size();
  while (end > line_start && out[end - 1] == ' ') --end;
  out.resize(end);
  out += '\n';
}

std::string render_list(const TableOutput& table, const FormatOptions& options) {
  const bool headings = show_headings(options);
  std::string out;
  for (size_t y = 0; y < table.rows.size(); ++y) {
    if (y > 0) out += '\n';
    assert(table.rows[y].size() == table.headings.size());
    for (size_t x = 0; x < table.headings.size(); ++x) {
      if (headings) {
        // A heading longer than the field is printed whole, pushing the ": " right.
        append_padded(out, table.headings[x], kListHeadingWidth);
        out += ": ";
      }
      out += cell_text(table.rows[y][x], options);
      out += '\n';
    }
  }
  return out;
}

std::string render_columns(const TableOutput& table, const FormatOptions& options) {
  const bool headings = show_headings(options);
  const auto texts = all_cell_texts(table, options);
  const size_t n_columns = table.headings.size();

  // Widths count bytes, as ovs-vsctl does, so non-ASCII text misaligns the same way.
  std::vector<size_t> widths(n_columns, 0);
  for (size_t x = 0; x < n_columns; ++x) {
    if (headings) widths[x] = table.headings[x].size();
    for (const auto& row : texts) widths[x] = std::max(widths[x], row[x].size());
  }

  std::string out;
  auto put_line = [&](auto&& text_of) {
    size_t start = out.size();
    for (size_t x = 0; x < n_columns; ++x) {
      if (x > 0) out += ' ';
      append_padded(out, text_of(x), widths[x]);
    }
    finish_line(out, start);
  };
  if (headings) {
    put_line([&](size_t x) { return std::string_view(table.headings[x]); });
    std::vector<std::string> dashes;
    for (size_t width : widths) dashes.emplace_back(width, '-');
    put_line([&](size_t x) { return std::string_view(dashes[x]); });
  }
  for (const auto& row : texts) {
    put_line([&](size_t x) { return std::string_view(row[x]); });
  }
  return out;
}

// Quoted only when a comma, a double quote or a newline would break the record; inner quotes are
// doubled. Spaces alone do not trigger quoting.
void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string render_csv(const TableOutput& table, const FormatOptions& options) {
  std::string out;
  auto put_record = [&out](const std::vector<std::string>& fields) {
    for (size_t x = 0; x < fields.size(); ++x) {
      if (x > 0) out += ',';
      append_csv_field(out, fields[x]);
    }
    out += '\n';
  };
  if (show_headings(options)) put_record(table.headings);
  for (const auto& row : all_cell_texts(table, options)) put_record(row);
  return out;
}

// Cells are always OVSDB JSON here: --data, --bare and --no-headings do not apply. Keys come out
// sorted ("data" before "headings"), compact, on one line.
std::string render_json(const TableOutput& table) {
  std::string out = "{\"data\":[";
  for (size_t y = 0; y < table.rows.size(); ++y) {
    if (y > 0) out += ',';
    out += '[';
    const std::vector<Cell>& row = table.rows[y];
    assert(row.size() == table.headings.size());
    for (size_t x = 0; x < row.size(); ++x) {
      if (x > 0) out += ',';
      out += ovsdb::format_datum_json(row[x].datum, *row[x].type);
    }
    out += ']';
  }
  out += "],\"headings\":[";
  for (size_t x = 0; x < table.headings.size(); ++x) {
    if (x > 0) out += ',';
    ovsdb::append_json_string(out, table.headings[x]);
  }
  out += "]}\n";
  return out;
}

void append_html_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
}

// Every UUID anywhere in the text (even inside a string value) becomes a link to the row anchor,
// shown by its first 8 digits.
void append_html_cell(std::string& out, std::string_view element, std::string_view text) {
  out += "    <";
  out += element;
  out += '>';
  for (size_t i = 0; i < text.size();) {
    if (text.size() - i >= kUuidLength && Uuid::parse(text.substr(i, kUuidLength))) {
      out += "<a href=\"#";
      out += text.substr(i, kUuidLength);
      out += "\">";
      out += text.substr(i, 8);
      out += "</a>";
      i += kUuidLength;
    } else {
      append_html_escaped(out, text.substr(i, 1));
      ++i;
    }
  }
  out += "</";
  out += element;
  out += ">\n";
}

std::string render_html(const TableOutput& table, const FormatOptions& options) {
  std::string out = "<table border=1>\n";
  if (show_headings(options)) {
    out += "  <tr>\n";
    for (const std::string& heading : table.headings) append_html_cell(out, "th", heading);
    out += "  </tr>\n";
  }
  for (const auto& row : all_cell_texts(table, options)) {
    out += "  <tr>\n";
    for (size_t x = 0; x < row.size(); ++x) {
      const std::string& text = row[x];
      if (table.headings[x] == "_uuid") {
        // The row's anchor: the whole text names it, its first 8 bytes label it (even when
        // --data=json makes those bytes `["uuid",`).
        out += "    <td><a name=\"";
        append_html_escaped(out, text);
        out += "\">";
        append_html_escaped(out, std::string_view(text).substr(0, 8));
        out += "</a></td>\n";
      } else {
        append_html_cell(out, "td", text);
      }
    }
    out += "  </tr>\n";
  }
  out += "</table>\n";
  return out;
}

}  // namespace

std::string render_table(const TableOutput& table, const FormatOptions& options) {
  switch (options.format) {
    case OutputFormat::kList:
      return render_list(table, options);
    case OutputFormat::kTable:
      return render_columns(table, options);
    case OutputFormat::kCsv:
      return render_csv(table, options);
    case OutputFormat::kJson:
      return render_json(table);
    case OutputFormat::kHtml:
      return render_html(table, options);
  }
  return {};
}

}  // namespace vs::vsctl
