// Golden tests for vsctl/table_format.cc. Every expected string was captured from ovs-vsctl
// 3.1 (`list`/`find` with --format, --data, --bare, --no-headings, --columns) against a private
// ovsdb-server holding the same rows.
#include "vsctl/table_format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vs::vsctl {
namespace {

using ovsdb::Atom;
using ovsdb::AtomicType;
using ovsdb::ColumnType;
using ovsdb::Datum;

ColumnType scalar(AtomicType type) {
  ColumnType column;
  column.key.type = type;
  return column;
}

ColumnType set_of(AtomicType type, unsigned min, unsigned max) {
  ColumnType column = scalar(type);
  column.min = min;
  column.max = max;
  return column;
}

ColumnType string_map() {
  ColumnType column = scalar(AtomicType::kString);
  column.value = ovsdb::BaseType{};
  column.min = 0;
  column.max = ovsdb::kUnlimited;
  return column;
}

const ColumnType kString = scalar(AtomicType::kString);
const ColumnType kInteger = scalar(AtomicType::kInteger);
const ColumnType kBoolean = scalar(AtomicType::kBoolean);
const ColumnType kUuid = scalar(AtomicType::kUuid);
const ColumnType kTag = set_of(AtomicType::kInteger, 0, 1);
const ColumnType kOptionalString = set_of(AtomicType::kString, 0, 1);
const ColumnType kTrunks = set_of(AtomicType::kInteger, 0, 4096);
const ColumnType kUuidSet = set_of(AtomicType::kUuid, 1, ovsdb::kUnlimited);
const ColumnType kMap = string_map();

Uuid uuid(const char* text) { return *Uuid::parse(text); }

Datum set(std::vector<Atom> keys) { return Datum{std::move(keys), {}}; }

Datum map(std::vector<std::pair<std::string, std::string>> pairs) {
  Datum datum;
  for (auto& [key, value] : pairs) {
    datum.keys.emplace_back(key);
    datum.values.emplace_back(value);
  }
  return datum;
}

// `type` must outlive the cell: pass one of the constants above, never a temporary.
Cell cell(Datum datum, const ColumnType& type) { return Cell{std::move(datum), &type}; }
Cell str(const char* s) { return cell(Datum::scalar(Atom(s)), kString); }

// The four Port rows used in most tests, in the order ovs-vsctl listed them:
//   add-port br0 p1 trunks=20,30 -- set Port p1 'external_ids:note="a, \"b\" c"' external_ids:x=y
//   add-port br0 vnet0 tag=42
//   add-port br0 'my port'
// columns name,tag,trunks,external_ids
TableOutput ports() {
  TableOutput table;
  table.title = "Port";
  table.headings = {"name", "tag", "trunks", "external_ids"};
  table.rows.push_back({str("p1"), cell(set({}), kTag),
                        cell(set({Atom(int64_t{20}), Atom(int64_t{30})}), kTrunks),
                        cell(map({{"note", "a, \"b\" c"}, {"x", "y"}}), kMap)});
  table.rows.push_back({str("br0"), cell(set({}), kTag), cell(set({}), kTrunks), cell({}, kMap)});
  table.rows.push_back(
      {str("vnet0"), cell(set({Atom(int64_t{42})}), kTag), cell(set({}), kTrunks), cell({}, kMap)});
  table.rows.push_back(
      {str("my port"), cell(set({}), kTag), cell(set({}), kTrunks), cell({}, kMap)});
  return table;
}

TableOutput empty_name_tag() {
  TableOutput table;
  table.title = "Port";
  table.headings = {"name", "tag"};
  return table;
}

FormatOptions with(OutputFormat format) {
  FormatOptions options;
  options.format = format;
  return options;
}

FormatOptions no_headings(OutputFormat format) {
  FormatOptions options = with(format);
  options.headings = false;
  return options;
}

FormatOptions bare(OutputFormat format = OutputFormat::kList) {
  FormatOptions options = with(format);
  options.bare = true;
  return options;
}

FormatOptions json_data(OutputFormat format) {
  FormatOptions options = with(format);
  options.data = CellData::kJson;
  return options;
}

// --- list (the default) ---

TEST(ListFormat, PadsHeadingsToTwentyAndSeparatesRecordsWithABlankLine) {
  EXPECT_EQ(render_table(ports(), FormatOptions{}),
            "name                : p1\n"
            "tag                 : []\n"
            "trunks              : [20, 30]\n"
            "external_ids        : {note=\"a, \\\"b\\\" c\", x=y}\n"
            "\n"
            "name                : br0\n"
            "tag                 : []\n"
            "trunks              : []\n"
            "external_ids        : {}\n"
            "\n"
            "name                : vnet0\n"
            "tag                 : 42\n"
            "trunks              : []\n"
            "external_ids        : {}\n"
            "\n"
            "name                : \"my port\"\n"
            "tag                 : []\n"
            "trunks              : []\n"
            "external_ids        : {}\n");
}

TEST(ListFormat, HeadingLongerThanTwentyPushesTheColonRight) {
  // --columns=ingress_policing_burst,name,ingress_policing_rate list Interface vnet0
  TableOutput table;
  table.headings = {"ingress_policing_burst", "name", "ingress_policing_rate"};
  table.rows.push_back({cell(Datum::scalar(Atom(int64_t{0})), kInteger), str("vnet0"),
                        cell(Datum::scalar(Atom(int64_t{0})), kInteger)});
  EXPECT_EQ(render_table(table, FormatOptions{}),
            "ingress_policing_burst: 0\n"
            "name                : vnet0\n"
            "ingress_policing_rate: 0\n");
}

TEST(ListFormat, RepeatedColumnIsPrintedTwice) {
  // --columns=name,bond_active_slave,rstp_statistics,name list Port p1
  TableOutput table;
  table.headings = {"name", "bond_active_slave", "rstp_statistics", "name"};
  table.rows.push_back({str("p1"), cell(set({}), kTag), cell({}, kMap), str("p1")});
  EXPECT_EQ(render_table(table, FormatOptions{}),
            "name                : p1\n"
            "bond_active_slave   : []\n"
            "rstp_statistics     : {}\n"
            "name                : p1\n");
}

TEST(ListFormat, ZeroRowsPrintNothing) {
  EXPECT_EQ(render_table(empty_name_tag(), FormatOptions{}), "");
  EXPECT_EQ(render_table(empty_name_tag(), no_headings(OutputFormat::kList)), "");
  EXPECT_EQ(render_table(empty_name_tag(), bare()), "");
}

TEST(ListFormat, NoHeadingsPrintsOneValuePerLine) {
  TableOutput table = ports();
  table.rows.resize(2);
  EXPECT_EQ(render_table(table, no_headings(OutputFormat::kList)),
            "p1\n[]\n[20, 30]\n{note=\"a, \\\"b\\\" c\", x=y}\n"
            "\n"
            "br0\n[]\n[]\n{}\n");
}

TEST(ListFormat, JsonDataPrintsOvsdbJsonPerCell) {
  // --data=json --columns=_uuid,name,tag,trunks,external_ids list Port (first and third rows)
  TableOutput table;
  table.headings = {"_uuid", "name", "tag", "trunks", "external_ids"};
  table.rows.push_back({cell(Datum::scalar(uuid("81b886e1-965d-4ff5-858f-fad1d757a997")), kUuid),
                        str("p1"), cell(set({}), kTag),
                        cell(set({Atom(int64_t{20}), Atom(int64_t{30})}), kTrunks),
                        cell(map({{"note", "a, \"b\" c"}, {"x", "y"}}), kMap)});
  table.rows.push_back({cell(Datum::scalar(uuid("333deede-6ac0-48a9-83ab-de15cdbb5cc5")), kUuid),
                        str("vnet0"), cell(set({Atom(int64_t{42})}), kTag), cell(set({}), kTrunks),
                        cell({}, kMap)});
  EXPECT_EQ(render_table(table, json_data(OutputFormat::kList)),
            "_uuid               : "
            "[\"uuid\",\"81b886e1-965d-4ff5-858f-fad1d757a997\"]\n"
            "name                : \"p1\"\n"
            "tag                 : [\"set\",[]]\n"
            "trunks              : [\"set\",[20,30]]\n"
            "external_ids        : [\"map\",[[\"note\",\"a, \\\"b\\\" "
            "c\"],[\"x\",\"y\"]]]\n"
            "\n"
            "_uuid               : "
            "[\"uuid\",\"333deede-6ac0-48a9-83ab-de15cdbb5cc5\"]\n"
            "name                : \"vnet0\"\n"
            "tag                 : 42\n"
            "trunks              : [\"set\",[]]\n"
            "external_ids        : [\"map\",[]]\n");
}

// --- --bare ---

TEST(BareFormat, ValuesUnquotedSpaceSeparatedEmptyAsBlankLine) {
  EXPECT_EQ(render_table(ports(), bare()),
            "p1\n"
            "\n"
            "20 30\n"
            "note=a, \"b\" c x=y\n"
            "\n"
            "br0\n\n\n\n"
            "\n"
            "vnet0\n42\n\n\n"
            "\n"
            "my port\n\n\n\n");
}

TEST(BareFormat, UuidsAndBooleans) {
  // --bare --columns=_uuid,interfaces,fake_bridge list Port p1
  TableOutput table;
  table.headings = {"_uuid", "interfaces", "fake_bridge"};
  table.rows.push_back({cell(Datum::scalar(uuid("81b886e1-965d-4ff5-858f-fad1d757a997")), kUuid),
                        cell(set({uuid("35698a0d-57b3-4bbb-a050-b51935a0de39")}), kUuidSet),
                        cell(Datum::scalar(Atom(false)), kBoolean)});
  EXPECT_EQ(render_table(table, bare()),
            "81b886e1-965d-4ff5-858f-fad1d757a997\n"
            "35698a0d-57b3-4bbb-a050-b51935a0de39\n"
            "false\n");
}

TEST(BareFormat, BareOverridesJsonData) {
  // --data=json --bare: the later --bare wins for cells.
  FormatOptions options = bare();
  options.data = CellData::kJson;
  TableOutput table = ports();
  table.headings.resize(2);
  for (auto& row : table.rows) row.resize(2);
  EXPECT_EQ(render_table(table, options), "p1\n\n\nbr0\n\n\nvnet0\n42\n\nmy port\n\n");
}

TEST(BareFormat, WithTableFormatDropsHeadingsAndTrailingBlanks) {
  // --bare --format=table --columns=name,tag,trunks list Port
  TableOutput table = ports();
  table.headings.resize(3);
  for (auto& row : table.rows) row.resize(3);
  EXPECT_EQ(render_table(table, bare(OutputFormat::kTable)),
            "p1         20 30\n"
            "br0\n"
            "vnet0   42\n"
            "my port\n");
}

TEST(BareFormat, TrailingSpacesOfALastValueAreStrippedInTableOnly) {
  // set Bridge br0 'external_ids:zz="end  "'
  TableOutput table;
  table.headings = {"name", "external_ids"};
  table.rows.push_back({str("br0"), cell(map({{"zz", "end  "}}), kMap)});
  EXPECT_EQ(render_table(table, bare(OutputFormat::kTable)), "br0 zz=end\n");
  EXPECT_EQ(render_table(table, bare()), "br0\nzz=end  \n");

  TableOutput swapped;
  swapped.headings = {"external_ids", "name"};
  swapped.rows.push_back({cell(map({{"zz", "end  "}}), kMap), str("br0")});
  EXPECT_EQ(render_table(swapped, bare(OutputFormat::kTable)), "zz=end   br0\n");
}

TEST(BareFormat, CsvQuotesARawNewline) {
  // --bare --format=csv: the bare value holds a real newline, so csv quotes it.
  TableOutput table;
  table.headings = {"name", "external_ids"};
  table.rows.push_back(
      {str("vnet0"), cell(map({{"nl", "line1\nline2"}, {"u", "h\xc3\xa9llo"}}), kMap)});
  EXPECT_EQ(render_table(table, bare(OutputFormat::kCsv)),
            "vnet0,\"nl=line1\nline2 u=h\xc3\xa9llo\"\n");
}

// --- table ---

TEST(TableFormat, WidthsFromLongestCellOrHeadingNoTrailingSpaces) {
  EXPECT_EQ(render_table(ports(), with(OutputFormat::kTable)),
            "name      tag trunks   external_ids\n"
            "--------- --- -------- ------------------------\n"
            "p1        []  [20, 30] {note=\"a, \\\"b\\\" c\", x=y}\n"
            "br0       []  []       {}\n"
            "vnet0     42  []       {}\n"
            "\"my port\" []  []       {}\n");
}

TEST(TableFormat, NoHeadingsWidthsIgnoreHeadings) {
  EXPECT_EQ(render_table(ports(), no_headings(OutputFormat::kTable)),
            "p1        [] [20, 30] {note=\"a, \\\"b\\\" c\", x=y}\n"
            "br0       [] []       {}\n"
            "vnet0     42 []       {}\n"
            "\"my port\" [] []       {}\n");
}

TEST(TableFormat, ZeroRowsKeepHeadingAndDashes) {
  EXPECT_EQ(render_table(empty_name_tag(), with(OutputFormat::kTable)), "name tag\n---- ---\n");
  EXPECT_EQ(render_table(empty_name_tag(), no_headings(OutputFormat::kTable)), "");
}

TEST(TableFormat, WidthCountsBytesNotCharacters) {
  // add-port br0 'ü' -- --format=table --columns=name,tag list Port
  TableOutput table;
  table.headings = {"name", "tag"};
  table.rows.push_back({str("\xc3\xbc"), cell(set({}), kTag)});
  table.rows.push_back({str("my port"), cell(set({}), kTag)});
  EXPECT_EQ(render_table(table, with(OutputFormat::kTable)),
            "name      tag\n"
            "--------- ---\n"
            "\"\xc3\xbc\"      []\n"
            "\"my port\" []\n");
}

TEST(TableFormat, UuidColumnAndScalars) {
  // --format=table --columns=_uuid,fail_mode,datapath_id,stp_enable list Bridge
  TableOutput table;
  table.headings = {"_uuid", "fail_mode", "datapath_id", "stp_enable"};
  table.rows.push_back({cell(Datum::scalar(uuid("b5461a91-b135-407d-83f3-4a1335c34963")), kUuid),
                        cell(set({}), kOptionalString), cell(set({}), kOptionalString),
                        cell(Datum::scalar(Atom(false)), kBoolean)});
  EXPECT_EQ(render_table(table, with(OutputFormat::kTable)),
            "_uuid                                fail_mode datapath_id stp_enable\n"
            "------------------------------------ --------- ----------- ----------\n"
            "b5461a91-b135-407d-83f3-4a1335c34963 []        []          false\n");
}

TEST(TableFormat, JsonData) {
  TableOutput table = ports();
  table.headings.resize(3);
  for (auto& row : table.rows) row.resize(3);
  EXPECT_EQ(render_table(table, json_data(OutputFormat::kTable)),
            "name      tag        trunks\n"
            "--------- ---------- ---------------\n"
            "\"p1\"      [\"set\",[]] [\"set\",[20,30]]\n"
            "\"br0\"     [\"set\",[]] [\"set\",[]]\n"
            "\"vnet0\"   42         [\"set\",[]]\n"
            "\"my port\" [\"set\",[]] [\"set\",[]]\n");
}

// --- csv ---

TEST(CsvFormat, QuotesOnlyCommasQuotesAndNewlinesDoublingQuotes) {
  EXPECT_EQ(render_table(ports(), with(OutputFormat::kCsv)),
            "name,tag,trunks,external_ids\n"
            "p1,[],\"[20, 30]\",\"{note=\"\"a, \\\"\"b\\\"\" c\"\", x=y}\"\n"
            "br0,[],[],{}\n"
            "vnet0,42,[],{}\n"
            "\"\"\"my port\"\"\",[],[],{}\n");
}

TEST(CsvFormat, FindWithColumns) {
  // --format=csv --columns=name,tag find Port tag=42
  TableOutput table = empty_name_tag();
  table.rows.push_back({str("vnet0"), cell(set({Atom(int64_t{42})}), kTag)});
  EXPECT_EQ(render_table(table, with(OutputFormat::kCsv)), "name,tag\nvnet0,42\n");
}

TEST(CsvFormat, NoHeadings) {
  TableOutput table = ports();
  table.headings.resize(2);
  for (auto& row : table.rows) row.resize(2);
  EXPECT_EQ(render_table(table, no_headings(OutputFormat::kCsv)),
            "p1,[]\nbr0,[]\nvnet0,42\n\"\"\"my port\"\"\",[]\n");
}

TEST(CsvFormat, ZeroRowsPrintOnlyTheHeadingLine) {
  EXPECT_EQ(render_table(empty_name_tag(), with(OutputFormat::kCsv)), "name,tag\n");
  EXPECT_EQ(render_table(empty_name_tag(), no_headings(OutputFormat::kCsv)), "");
}

TEST(CsvFormat, JsonData) {
  TableOutput table = ports();
  table.rows.resize(1);
  EXPECT_EQ(render_table(table, json_data(OutputFormat::kCsv)),
            "name,tag,trunks,external_ids\n"
            "\"\"\"p1\"\"\",\"[\"\"set\"\",[]]\",\"[\"\"set\"\",[20,30]]\","
            "\"[\"\"map\"\",[[\"\"note\"\",\"\"a, \\\"\"b\\\"\" "
            "c\"\"],[\"\"x\"\",\"\"y\"\"]]]\"\n");
}

// --- json ---

TEST(JsonFormat, DataThenHeadingsCompactOnOneLine) {
  TableOutput table = ports();
  table.headings.push_back("interfaces");
  table.headings.push_back("_uuid");
  const char* interfaces[] = {
      "35698a0d-57b3-4bbb-a050-b51935a0de39", "f62b6d22-c140-45fe-99be-abb8ab32979c",
      "f6253a05-b2d4-4a53-bffd-38a48fe7cbb0", "0f82da40-4a5c-4472-abe2-530f4d115337"};
  const char* rows[] = {
      "81b886e1-965d-4ff5-858f-fad1d757a997", "c9f8a365-f842-4616-a4e1-50416b5dc15e",
      "333deede-6ac0-48a9-83ab-de15cdbb5cc5", "c53c3ba7-beaa-4c04-8139-6e57a36d710e"};
  for (size_t i = 0; i < table.rows.size(); ++i) {
    table.rows[i].push_back(cell(set({uuid(interfaces[i])}), kUuidSet));
    table.rows[i].push_back(cell(Datum::scalar(uuid(rows[i])), kUuid));
  }
  const std::string expected =
      "{\"data\":["
      "[\"p1\",[\"set\",[]],[\"set\",[20,30]],[\"map\",[[\"note\",\"a, "
      "\\\"b\\\" c\"],[\"x\",\"y\"]]],"
      "[\"uuid\",\"35698a0d-57b3-4bbb-a050-b51935a0de39\"],"
      "[\"uuid\",\"81b886e1-965d-4ff5-858f-fad1d757a997\"]],"
      "[\"br0\",[\"set\",[]],[\"set\",[]],[\"map\",[]],"
      "[\"uuid\",\"f62b6d22-c140-45fe-99be-abb8ab32979c\"],"
      "[\"uuid\",\"c9f8a365-f842-4616-a4e1-50416b5dc15e\"]],"
      "[\"vnet0\",42,[\"set\",[]],[\"map\",[]],"
      "[\"uuid\",\"f6253a05-b2d4-4a53-bffd-38a48fe7cbb0\"],"
      "[\"uuid\",\"333deede-6ac0-48a9-83ab-de15cdbb5cc5\"]],"
      "[\"my port\",[\"set\",[]],[\"set\",[]],[\"map\",[]],"
      "[\"uuid\",\"0f82da40-4a5c-4472-abe2-530f4d115337\"],"
      "[\"uuid\",\"c53c3ba7-beaa-4c04-8139-6e57a36d710e\"]]],"
      "\"headings\":[\"name\",\"tag\",\"trunks\",\"external_ids\","
      "\"interfaces\",\"_uuid\"]}\n";
  EXPECT_EQ(render_table(table, with(OutputFormat::kJson)), expected);
  // --data=string, --no-headings and --bare do not change json output.
  FormatOptions string_data = with(OutputFormat::kJson);
  string_data.data = CellData::kString;
  EXPECT_EQ(render_table(table, string_data), expected);
  EXPECT_EQ(render_table(table, no_headings(OutputFormat::kJson)), expected);
  EXPECT_EQ(render_table(table, bare(OutputFormat::kJson)), expected);
}

TEST(JsonFormat, ZeroRowsStillListHeadings) {
  const std::string expected = "{\"data\":[],\"headings\":[\"name\",\"tag\"]}\n";
  EXPECT_EQ(render_table(empty_name_tag(), with(OutputFormat::kJson)), expected);
  EXPECT_EQ(render_table(empty_name_tag(), no_headings(OutputFormat::kJson)), expected);
}

TEST(JsonFormat, MapOfStringsAndIntegers) {
  // --format=json --columns=options,ingress_policing_burst,link_speed,admin_state
  //   list Interface vnet0
  TableOutput table;
  table.headings = {"options", "ingress_policing_burst", "link_speed", "admin_state"};
  table.rows.push_back({cell(map({{"r", "1.5"}}), kMap),
                        cell(Datum::scalar(Atom(int64_t{7})), kInteger), cell(set({}), kTag),
                        cell(set({}), kOptionalString)});
  EXPECT_EQ(render_table(table, with(OutputFormat::kJson)),
            "{\"data\":[[[\"map\",[[\"r\",\"1.5\"]]],7,[\"set\",[]],[\"set\",[]]]],"
            "\"headings\":[\"options\",\"ingress_policing_burst\",\"link_speed\","
            "\"admin_state\"]}"
            "\n");
}

// --- html ---

TableOutput html_port() {
  TableOutput table;
  table.headings = {"_uuid", "name", "interfaces", "external_ids"};
  table.rows.push_back({cell(Datum::scalar(uuid("81b886e1-965d-4ff5-858f-fad1d757a997")), kUuid),
                        str("p1"),
                        cell(set({uuid("35698a0d-57b3-4bbb-a050-b51935a0de39")}), kUuidSet),
                        cell(map({{"note", "a, \"b\" c"}, {"x", "y"}}), kMap)});
  table.rows.push_back(
      {cell(Datum::scalar(uuid("c53c3ba7-beaa-4c04-8139-6e57a36d710e")), kUuid), str("my port"),
       cell(set({uuid("0f82da40-4a5c-4472-abe2-530f4d115337")}), kUuidSet),
       cell(map({{"ref", "see 81b886e1-965d-4ff5-858f-fad1d757a997 & <b>"}}), kMap)});
  return table;
}

TEST(HtmlFormat, AnchorsRowsLinksUuidsAndEscapes) {
  EXPECT_EQ(render_table(html_port(), with(OutputFormat::kHtml)),
            "<table border=1>\n"
            "  <tr>\n"
            "    <th>_uuid</th>\n"
            "    <th>name</th>\n"
            "    <th>interfaces</th>\n"
            "    <th>external_ids</th>\n"
            "  </tr>\n"
            "  <tr>\n"
            "    <td><a "
            "name=\"81b886e1-965d-4ff5-858f-fad1d757a997\">81b886e1</a></td>\n"
            "    <td>p1</td>\n"
            "    <td>[<a "
            "href=\"#35698a0d-57b3-4bbb-a050-b51935a0de39\">35698a0d</a>]</td>\n"
            "    <td>{note=&quot;a, \\&quot;b\\&quot; c&quot;, x=y}</td>\n"
            "  </tr>\n"
            "  <tr>\n"
            "    <td><a "
            "name=\"c53c3ba7-beaa-4c04-8139-6e57a36d710e\">c53c3ba7</a></td>\n"
            "    <td>&quot;my port&quot;</td>\n"
            "    <td>[<a "
            "href=\"#0f82da40-4a5c-4472-abe2-530f4d115337\">0f82da40</a>]</td>\n"
            "    <td>{ref=&quot;see <a "
            "href=\"#81b886e1-965d-4ff5-858f-fad1d757a997\">81b886e1</a>"
            " &amp; &lt;b&gt;&quot;}</td>\n"
            "  </tr>\n"
            "</table>\n");
}

TEST(HtmlFormat, JsonDataLabelsTheAnchorWithItsFirstEightBytes) {
  TableOutput table = html_port();
  table.headings.resize(2);
  table.rows.resize(1);
  table.rows[0].resize(2);
  EXPECT_EQ(render_table(table, json_data(OutputFormat::kHtml)),
            "<table border=1>\n"
            "  <tr>\n"
            "    <th>_uuid</th>\n"
            "    <th>name</th>\n"
            "  </tr>\n"
            "  <tr>\n"
            "    <td><a "
            "name=\"[&quot;uuid&quot;,&quot;81b886e1-965d-4ff5-858f-fad1d757a997"
            "&quot;]\">[&quot;uuid&quot;,</a></td>\n"
            "    <td>&quot;p1&quot;</td>\n"
            "  </tr>\n"
            "</table>\n");
}

TEST(HtmlFormat, ZeroRowsAndNoHeadings) {
  EXPECT_EQ(render_table(empty_name_tag(), with(OutputFormat::kHtml)),
            "<table border=1>\n"
            "  <tr>\n"
            "    <th>name</th>\n"
            "    <th>tag</th>\n"
            "  </tr>\n"
            "</table>\n");
  EXPECT_EQ(render_table(empty_name_tag(), no_headings(OutputFormat::kHtml)),
            "<table border=1>\n</table>\n");
  TableOutput table = empty_name_tag();
  table.rows.push_back({str("vnet0"), cell(set({Atom(int64_t{42})}), kTag)});
  EXPECT_EQ(render_table(table, no_headings(OutputFormat::kHtml)),
            "<table border=1>\n"
            "  <tr>\n"
            "    <td>vnet0</td>\n"
            "    <td>42</td>\n"
            "  </tr>\n"
            "</table>\n");
}

}  // namespace
}  // namespace vs::vsctl
