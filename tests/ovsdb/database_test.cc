// Tests for ovsdb/database on real files: creation and SQLite settings, reopening, refusing
// files from newer programs, forward migration from an older schema, the integrity the SQL
// layout enforces by itself, and how the file path is chosen. Each test works in its own
// temporary directory.
#include "ovsdb/database.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ovsdb/daemon.h"
#include "ovsdb/txn.h"
#include "tests/support/test_support.h"

namespace vs::ovsdb {
namespace {

using vs::testing::error_of;
using vs::testing::ok;
using vs::testing::TempDir;

// Sets or unsets an environment variable for the lifetime of the object, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Raw SQL on a connection of its own, bypassing Database and Txn: what is really in the file.
class RawFile {
 public:
  explicit RawFile(const std::string& path)
      : sql_(ok(Connection::open(path, SQLITE_OPEN_READWRITE))) {
    ok(sql_->exec("PRAGMA foreign_keys=ON"));
  }
  std::string text(const std::string& query) {
    Statement* stmt = ok(sql_->prepare(query));
    if (!ok(stmt->step())) throw std::runtime_error("no result: " + query);
    std::string value(stmt->column_text(0));
    ok(stmt->run());
    return value;
  }
  int64_t integer(const std::string& query) { return std::stoll(text(query)); }
  std::set<std::string> strings(const std::string& query) {
    Statement* stmt = ok(sql_->prepare(query));
    std::set<std::string> values;
    while (ok(stmt->step())) values.emplace(stmt->column_text(0));
    return values;
  }
  Result<void> exec(const std::string& statements) { return sql_->exec(statements); }

 private:
  std::unique_ptr<Connection> sql_;
};

const Table& table(std::string_view name) { return vswitch_schema().table(name); }
const Column& column(std::string_view t, std::string_view c) { return *table(t).find_column(c); }

// A bridge with one port and interface, named `name`, committed through a Txn.
Uuid commit_bridge(Database& db, const std::string& name) {
  const Schema& schema = db.schema();
  const Table& bridges = schema.table("Bridge");
  const Table& ports = schema.table("Port");
  const Table& ifaces = schema.table("Interface");
  const Table& ovs = schema.table("Open_vSwitch");
  auto txn = ok(Txn::begin(db, Txn::Mode::kWrite));
  Uuid iface = ok(txn->insert(ifaces));
  ok(txn->set(ifaces, iface, *ifaces.find_column("name"), Datum::scalar(name)));
  Uuid port = ok(txn->insert(ports));
  ok(txn->set(ports, port, *ports.find_column("name"), Datum::scalar(name)));
  ok(txn->set(ports, port, *ports.find_column("interfaces"), Datum::scalar(iface)));
  Uuid bridge = ok(txn->insert(bridges));
  ok(txn->set(bridges, bridge, *bridges.find_column("name"), Datum::scalar(name)));
  ok(txn->set(bridges, bridge, *bridges.find_column("ports"), Datum::scalar(port)));
  Uuid ovs_row = ok(txn->row_uuids(ovs)).at(0);
  ok(txn->add(ovs, ovs_row, *ovs.find_column("bridges"), Datum::scalar(bridge)));
  ok(txn->commit());
  return bridge;
}

// --- creating and opening ---------------------------------------------------------------------

TEST(Database, NewFileIsCreatedWithParentDirectoriesInWalMode) {
  TempDir dir;
  const std::string path = dir.path() + "/var/lib/vswitch/conf.db";
  {
    auto db = ok(Database::open(path));
    EXPECT_EQ(db->path(), path);
  }
  ASSERT_TRUE(std::filesystem::is_regular_file(path));
  RawFile file(path);
  EXPECT_EQ(file.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(file.integer("PRAGMA user_version"), vswitch_schema().storage_version);
  EXPECT_EQ(file.integer("SELECT count(*) FROM \"Open_vSwitch\""), 1);
  EXPECT_EQ(file.integer("SELECT next_cfg FROM \"Open_vSwitch\""), 0);
  // Every table of the schema is there, each set or map column in its child table.
  std::set<std::string> tables = file.strings("SELECT name FROM sqlite_master WHERE type='table'");
  for (const Table& t : vswitch_schema().tables) {
    EXPECT_TRUE(tables.count(sql_table(t))) << t.name;
    for (const Column& c : t.columns) {
      if (!c.type.is_inline()) {
        EXPECT_TRUE(tables.count(sql_child_table(t, c))) << c.name;
      }
    }
  }
}

TEST(Database, ForeignKeysAreOnForTheConnection) {
  TempDir dir;
  auto db = ok(Database::open(dir.path() + "/conf.db"));
  Statement* stmt = ok(db->sql().prepare("PRAGMA foreign_keys"));
  ASSERT_TRUE(ok(stmt->step()));
  EXPECT_EQ(stmt->column_int(0), 1);
  ok(stmt->run());
  // So a set element whose parent row does not exist is refused on the spot.
  auto r = db->sql().exec(
      "INSERT INTO \"Bridge.external_ids\"(_row, key, value) "
      "VALUES ('0b1d5e6a-7c8f-4a3b-9e2d-1f0a6b7c8d9e', 'k', 'v')");
  EXPECT_NE(error_of(r).find("FOREIGN KEY constraint failed"), std::string::npos) << error_of(r);
}

TEST(Database, ReopeningExistingFileKeepsItsData) {
  TempDir dir;
  const std::string path = dir.path() + "/conf.db";
  Uuid bridge, ovs_row;
  {
    auto db = ok(Database::open(path));
    bridge = commit_bridge(*db, "br0");
    ok(write_cur_cfg(*db, 1));
    auto txn = ok(Txn::begin(*db, Txn::Mode::kRead));
    ovs_row = ok(txn->row_uuids(table("Open_vSwitch"))).at(0);
  }
  auto db = ok(Database::open(path));
  auto txn = ok(Txn::begin(*db, Txn::Mode::kRead));
  EXPECT_EQ(ok(txn->row_uuids(table("Open_vSwitch"))), std::vector<Uuid>{ovs_row});
  EXPECT_EQ(ok(txn->find_by_name(table("Bridge"), "br0")), bridge);
  EXPECT_TRUE(ok(txn->find_by_name(table("Interface"), "br0")).has_value());
  ConfigSequence seq = ok(read_config_sequence(*db));
  EXPECT_EQ(seq.next_cfg, 1);
  EXPECT_EQ(seq.cur_cfg, 1);
}

TEST(Database, FileFromNewerProgramIsRefusedNamingBothVersions) {
  TempDir dir;
  const std::string path = dir.path() + "/conf.db";
  ok(Database::open(path));
  const int newer = vswitch_schema().storage_version + 6;
  ok(RawFile(path).exec("PRAGMA user_version = " + std::to_string(newer)));
  auto db = Database::open(path);
  EXPECT_EQ(error_of(db), path + ": database storage version " + std::to_string(newer) +
                              " is newer than this program supports (" +
                              std::to_string(vswitch_schema().storage_version) + ")");
  EXPECT_EQ(RawFile(path).integer("PRAGMA user_version"), newer);  // left untouched
}

TEST(Database, UnusablePathIsReportedWithThePath) {
  TempDir dir;
  const std::string blocker = dir.path() + "/not-a-directory";
  std::ofstream(blocker) << "x";
  const std::string path = blocker + "/conf.db";
  std::string error = error_of(Database::open(path));
  EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
}

// vswitchd and vsctl (or many vsctl) starting on a file that does not exist yet.
TEST(Database, ConcurrentFirstOpensAllSucceedAndCreateOneOpenVSwitchRow) {
  TempDir dir;
  constexpr int kRounds = 20;  // the races are narrow: try a few fresh files
  constexpr int kOpeners = 8;
  for (int round = 0; round < kRounds; ++round) {
    const std::string path = dir.path() + "/conf" + std::to_string(round) + ".db";
    std::vector<std::string> errors(kOpeners);
    std::vector<std::thread> threads;
    for (int i = 0; i < kOpeners; ++i) {
      threads.emplace_back([&, i] {
        auto db = Database::open(path);
        if (!db) errors[i] = db.error().message;
      });
    }
    for (std::thread& t : threads) t.join();
    for (int i = 0; i < kOpeners; ++i) {
      EXPECT_EQ(errors[i], "") << "round " << round << ", opener " << i;
    }
    EXPECT_EQ(RawFile(path).integer("SELECT count(*) FROM \"Open_vSwitch\""), 1);
  }
}

// --- forward migration ------------------------------------------------------------------------

void drop_column(Schema& schema, std::string_view table_name, std::string_view column_name) {
  for (Table& t : schema.tables) {
    if (t.name != table_name) continue;
    std::erase_if(t.columns, [&](const Column& c) { return c.name == column_name; });
  }
}

// The vswitch schema as an older program knew it: without Port.fake_bridge (a scalar), Port.qos
// (an optional reference), Interface.other_config (a map) and the whole Queue table (with the
// QoS.queues map that references it).
Schema older_schema() {
  Schema s = vswitch_schema();
  s.storage_version = 1;  // 0 is what an empty file reads: the oldest real version is 1
  drop_column(s, "Port", "fake_bridge");
  drop_column(s, "Port", "qos");
  drop_column(s, "Interface", "other_config");
  drop_column(s, "QoS", "queues");
  std::erase_if(s.tables, [](const Table& t) { return t.name == "Queue"; });
  return s;
}

// The full schema, as the next program version that brings those additions.
Schema newer_schema() {
  Schema s = vswitch_schema();
  s.storage_version = 2;
  return s;
}

class MigrationTest : public ::testing::Test {
 protected:
  MigrationTest() : path_(dir_.path() + "/conf.db") {}

  // A file written by the older program: one bridge, port, interface and QoS row.
  void write_older_file() {
    auto db = ok(Database::open(path_, older_));
    commit_bridge(*db, "br0");
    auto txn = ok(Txn::begin(*db, Txn::Mode::kWrite));
    const Table& ifaces = older_.table("Interface");
    Uuid iface = ok(txn->find_by_name(ifaces, "br0")).value();
    ok(txn->set_key(ifaces, iface, *ifaces.find_column("external_ids"), "iface-id", "vm1"));
    const Table& qos = older_.table("QoS");
    qos_ = ok(txn->insert(qos));
    ok(txn->set(qos, qos_, *qos.find_column("type"), Datum::scalar("linux-htb")));
    ok(txn->commit());
    auto read = ok(Txn::begin(*db, Txn::Mode::kRead));
    ovs_row_ = ok(read->row_uuids(older_.table("Open_vSwitch"))).at(0);
  }

  TempDir dir_;
  std::string path_;
  const Schema older_ = older_schema();
  const Schema newer_ = newer_schema();
  Uuid qos_;
  Uuid ovs_row_;
};

TEST_F(MigrationTest, OlderFileGainsNewTablesAndColumnsAndKeepsItsData) {
  write_older_file();
  {
    RawFile file(path_);
    EXPECT_EQ(file.integer("PRAGMA user_version"), 1);
    EXPECT_EQ(file.integer("SELECT count(*) FROM sqlite_master WHERE name = 'Queue'"), 0);
  }
  auto db = ok(Database::open(path_, newer_));
  EXPECT_EQ(RawFile(path_).integer("PRAGMA user_version"), 2);
  Uuid port, iface, queue;
  {
    auto txn = ok(Txn::begin(*db, Txn::Mode::kRead));
    // The old data is all there, and still the one Open_vSwitch row.
    EXPECT_EQ(ok(txn->row_uuids(table("Open_vSwitch"))), std::vector<Uuid>{ovs_row_});
    EXPECT_EQ(ok(read_config_sequence(*db)).next_cfg, 2);
    port = ok(txn->find_by_name(table("Port"), "br0")).value();
    iface = ok(txn->find_by_name(table("Interface"), "br0")).value();
    EXPECT_EQ(ok(txn->get(table("Port"), port, column("Port", "interfaces"))),
              Datum::scalar(iface));
    Datum ids;
    ids.keys = {"iface-id"};
    ids.values = {"vm1"};
    EXPECT_EQ(ok(txn->get(table("Interface"), iface, column("Interface", "external_ids"))), ids);
    EXPECT_EQ(ok(txn->get(table("QoS"), qos_, column("QoS", "type"))), Datum::scalar("linux-htb"));
    // New columns read their defaults.
    EXPECT_EQ(ok(txn->get(table("Port"), port, column("Port", "fake_bridge"))),
              Datum::scalar(false));
    EXPECT_EQ(ok(txn->get(table("Port"), port, column("Port", "qos"))), Datum());
    EXPECT_EQ(ok(txn->get(table("Interface"), iface, column("Interface", "other_config"))),
              Datum());
    EXPECT_EQ(ok(txn->get(table("QoS"), qos_, column("QoS", "queues"))), Datum());
    EXPECT_TRUE(ok(txn->row_uuids(table("Queue"))).empty());
    EXPECT_EQ(ok(txn->load_table(table("Port"))).size(), 1u);
  }
  {
    // ... and work like any other.
    auto txn = ok(Txn::begin(*db, Txn::Mode::kWrite));
    queue = ok(txn->insert(table("Queue")));
    ok(txn->set(table("Queue"), queue, column("Queue", "dscp"), Datum::scalar(int64_t{46})));
    ok(txn->set_key(table("QoS"), qos_, column("QoS", "queues"), int64_t{0}, queue));
    ok(txn->set(table("Port"), port, column("Port", "qos"), Datum::scalar(qos_)));
    ok(txn->set(table("Port"), port, column("Port", "fake_bridge"), Datum::scalar(true)));
    ok(txn->set_key(table("Interface"), iface, column("Interface", "other_config"), "k", "v"));
    ok(txn->commit());
  }
  db.reset();
  db = ok(Database::open(path_, newer_));
  auto txn = ok(Txn::begin(*db, Txn::Mode::kRead));
  EXPECT_EQ(ok(txn->get(table("Queue"), queue, column("Queue", "dscp"))),
            Datum::scalar(int64_t{46}));
  Datum queues;
  queues.keys = {int64_t{0}};
  queues.values = {queue};
  EXPECT_EQ(ok(txn->get(table("QoS"), qos_, column("QoS", "queues"))), queues);
  EXPECT_EQ(ok(txn->get(table("Port"), port, column("Port", "qos"))), Datum::scalar(qos_));
  EXPECT_EQ(ok(txn->get(table("Port"), port, column("Port", "fake_bridge"))), Datum::scalar(true));
  EXPECT_EQ(ok(txn->count(table("Interface"), iface, column("Interface", "other_config"))), 1u);
  std::vector<Referrer> refs = ok(txn->referrers(table("Queue"), queue));
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].uuid, qos_);
}

TEST_F(MigrationTest, MigratedReferenceColumnsAreChecked) {
  write_older_file();
  auto db = ok(Database::open(path_, newer_));
  const Uuid ghost = *Uuid::parse("0b1d5e6a-7c8f-4a3b-9e2d-1f0a6b7c8d9e");
  auto txn = ok(Txn::begin(*db, Txn::Mode::kWrite));
  Uuid port = ok(txn->find_by_name(table("Port"), "br0")).value();
  ok(txn->set(table("Port"), port, column("Port", "qos"), Datum::scalar(ghost)));
  EXPECT_FALSE(txn->commit());
  txn.reset();
  // The foreign key on the added column holds at the SQL level too.
  RawFile file(path_);
  ok(file.exec("BEGIN"));
  ok(file.exec("UPDATE \"Port\" SET qos = '" + ghost.to_string() + "'"));
  EXPECT_NE(error_of(file.exec("COMMIT")).find("FOREIGN KEY"), std::string::npos);
  ok(file.exec("ROLLBACK"));
}

TEST_F(MigrationTest, MigratedFileHasTheLayoutOfAFreshOne) {
  write_older_file();
  ok(Database::open(path_, newer_));
  const std::string fresh_path = dir_.path() + "/fresh.db";
  ok(Database::open(fresh_path, newer_));
  auto layout = [](const std::string& path) {
    RawFile file(path);
    std::set<std::string> items = file.strings(
        "SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'");
    for (const std::string& t : file.strings("SELECT name FROM sqlite_master WHERE type='table'")) {
      for (const std::string& c :
           file.strings("SELECT name || ' ' || type || ' ' || \"notnull\" || ' ' || "
                        "ifnull(dflt_value, 'NULL') FROM pragma_table_info('" +
                        t + "')")) {
        items.insert("column " + t + "." + c);
      }
      for (const std::string& fk :
           file.strings("SELECT \"from\" || ' -> ' || \"table\" FROM pragma_foreign_key_list('" +
                        t + "')")) {
        items.insert("foreign key " + t + "." + fk);
      }
    }
    return items;
  };
  std::set<std::string> migrated = layout(path_);
  std::set<std::string> fresh = layout(fresh_path);
  std::vector<std::string> only_fresh, only_migrated;
  std::set_difference(fresh.begin(), fresh.end(), migrated.begin(), migrated.end(),
                      std::back_inserter(only_fresh));
  std::set_difference(migrated.begin(), migrated.end(), fresh.begin(), fresh.end(),
                      std::back_inserter(only_migrated));
  EXPECT_EQ(only_fresh, std::vector<std::string>{});
  EXPECT_EQ(only_migrated, std::vector<std::string>{});
}

TEST_F(MigrationTest, UpgradedFileIsRefusedByTheOlderProgram) {
  write_older_file();
  ok(Database::open(path_, newer_));
  EXPECT_EQ(error_of(Database::open(path_, older_)),
            path_ + ": database storage version 2 is newer than this program supports (1)");
}

// --- integrity in the SQL layout itself -------------------------------------------------------

TEST(SqlLayout, UniqueIndexRefusesDuplicateBridgeName) {
  TempDir dir;
  const std::string path = dir.path() + "/conf.db";
  ok(Database::open(path));
  RawFile file(path);
  ok(
      file.exec("INSERT INTO \"Bridge\"(_uuid, name) "
                "VALUES ('11111111-1111-4111-8111-111111111111', 'br0')"));
  std::string error = error_of(file.exec(
      "INSERT INTO \"Bridge\"(_uuid, name) VALUES ('22222222-2222-4222-8222-222222222222', "
      "'br0')"));
  EXPECT_NE(error.find("UNIQUE constraint failed: Bridge.name"), std::string::npos) << error;
  EXPECT_EQ(file.integer("SELECT count(*) FROM \"Bridge\""), 1);
}

TEST(SqlLayout, PortInTwoBridgesIsRefusedBySql) {
  TempDir dir;
  const std::string path = dir.path() + "/conf.db";
  {
    auto db = ok(Database::open(path));
    commit_bridge(*db, "br0");
  }
  RawFile file(path);
  std::string port = file.text("SELECT _uuid FROM \"Port\"");
  ok(
      file.exec("INSERT INTO \"Bridge\"(_uuid, name) "
                "VALUES ('22222222-2222-4222-8222-222222222222', 'br1')"));
  std::string error =
      error_of(file.exec("INSERT INTO \"Bridge.ports\"(_row, key) "
                         "VALUES ('22222222-2222-4222-8222-222222222222', '" +
                         port + "')"));
  EXPECT_NE(error.find("UNIQUE constraint failed"), std::string::npos) << error;
}

TEST(SqlLayout, DanglingReferenceIsRefusedAtCommit) {
  TempDir dir;
  const std::string path = dir.path() + "/conf.db";
  Uuid bridge;
  {
    auto db = ok(Database::open(path));
    bridge = commit_bridge(*db, "br0");
  }
  RawFile file(path);
  ok(file.exec("BEGIN"));
  // Deferred: a transaction may reference a row it creates later, but not leave it dangling.
  ok(file.exec("INSERT INTO \"Bridge.ports\"(_row, key) VALUES ('" + bridge.to_string() +
               "', '0b1d5e6a-7c8f-4a3b-9e2d-1f0a6b7c8d9e')"));
  EXPECT_NE(error_of(file.exec("COMMIT")).find("FOREIGN KEY constraint failed"), std::string::npos);
  ok(file.exec("ROLLBACK"));
  EXPECT_EQ(file.integer("SELECT count(*) FROM \"Bridge.ports\""), 1);
}

TEST(SqlLayout, DeletingRowDeletesItsSetAndMapValues) {
  TempDir dir;
  const std::string path = dir.path() + "/conf.db";
  {
    auto db = ok(Database::open(path));
    commit_bridge(*db, "br0");
  }
  RawFile file(path);
  std::string iface = file.text("SELECT _uuid FROM \"Interface\"");
  ok(file.exec("INSERT INTO \"Interface.options\"(_row, key, value) VALUES ('" + iface +
               "', 'remote_ip', '192.0.2.2')"));
  ok(file.exec("BEGIN"));
  ok(file.exec("DELETE FROM \"Bridge.ports\""));
  ok(file.exec("DELETE FROM \"Port\""));       // cascades to Port.interfaces
  ok(file.exec("DELETE FROM \"Interface\""));  // cascades to Interface.options
  ok(file.exec("COMMIT"));
  EXPECT_EQ(file.integer("SELECT count(*) FROM \"Interface.options\""), 0);
  EXPECT_EQ(file.integer("SELECT count(*) FROM \"Port.interfaces\""), 0);
}

// --- choosing the file ------------------------------------------------------------------------

TEST(ResolveDbPath, FlagWinsOverEnvironment) {
  ScopedEnv env("VSWITCH_DB", "/tmp/from-env.db");
  EXPECT_EQ(resolve_db_path("/tmp/from-flag.db"), "/tmp/from-flag.db");
}

TEST(ResolveDbPath, EnvironmentWinsOverDefault) {
  ScopedEnv env("VSWITCH_DB", "/tmp/from-env.db");
  EXPECT_EQ(resolve_db_path(""), "/tmp/from-env.db");
}

TEST(ResolveDbPath, DefaultWhenNeitherFlagNorEnvironment) {
  {
    ScopedEnv env("VSWITCH_DB", nullptr);
    EXPECT_EQ(resolve_db_path(""), "/var/lib/vswitch/conf.db");
  }
  ScopedEnv env("VSWITCH_DB", "");  // set but empty counts as unset
  EXPECT_EQ(resolve_db_path(""), "/var/lib/vswitch/conf.db");
}

}  // namespace
}  // namespace vs::ovsdb
