// vsctl: ovs-vsctl's command line over vswitch's database. This header is the seam between
// the command-line parser, the command table and the commands themselves.
//
// A command line is global options, then commands separated by `--`, each with its own
// options (`--may-exist`, `--id=@name`, ...). All commands run in one transaction: any error
// rolls everything back and exits 1; the output of every command is printed only after the
// commit succeeded.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/result.h"
#include "lib/uuid.h"
#include "ovsdb/datum.h"
#include "ovsdb/txn.h"
#include "vsctl/table_format.h"

namespace vs::vsctl {

struct GlobalOptions {
  std::string db;           // --db; empty: $VSWITCH_DB or the default path
  bool no_wait = false;     // --no-wait
  int timeout_seconds = 0;  // --timeout; 0 waits for ever, as ovs-vsctl does
  bool dry_run = false;
  bool oneline = false;
  FormatOptions format;
  bool help = false;
  bool version = false;
};

class Context;

struct CommandSpec {
  const char* name;
  int min_args;
  int max_args;         // -1: unlimited
  const char* usage;    // arguments, for --help
  const char* options;  // comma-separated, "=" suffix takes a value: "--if-exists,--id="
  bool writes;          // needs a write transaction
  Result<void> (*run)(Context& ctx);
};

struct Command {
  const CommandSpec* spec = nullptr;
  std::map<std::string, std::string> options;  // "--if-exists" -> "", "--id" -> "@q"
  std::vector<std::string> args;               // arguments after the command name
};

struct CommandLine {
  GlobalOptions global;
  std::vector<Command> commands;
};

// Runs a whole vsctl command line (argv without argv[0]): parse, one transaction, commit,
// wait for vswitchd. Returns the exit status; `out` and `err` receive what vsctl prints.
int run_vsctl(const std::vector<std::string>& args, std::string& out, std::string& err);

// Parses argv (without argv[0]). Errors name the offending word.
Result<CommandLine> parse_command_line(const std::vector<std::string>& args);

// Every command vsctl knows, in --help order.
std::span<const CommandSpec> command_table();
std::span<const CommandSpec> bridge_commands();
std::span<const CommandSpec> db_commands();

// `@name` row ids of one command line: referenced in values before or after the
// `--id=@name create` that makes the row.
class Symbols {
 public:
  Uuid reference(std::string_view name);
  Result<Uuid> create(std::string_view name);          // for --id=@name
  void bind(std::string_view name, const Uuid& uuid);  // for --id=@name get
  ovsdb::SymbolResolver resolver();
  Result<void> check_all_created() const;

 private:
  struct Symbol {
    Uuid uuid;
    bool created = false;
  };
  std::map<std::string, Symbol, std::less<>> symbols_;
};

class Context {
 public:
  Context(ovsdb::Txn& txn, Symbols& symbols, const GlobalOptions& global, const Command& command)
      : txn(txn), symbols(symbols), global(global), command(command) {}

  bool has_option(std::string_view name) const { return command.options.count(std::string(name)); }
  std::string option(std::string_view name) const {
    auto it = command.options.find(std::string(name));
    return it == command.options.end() ? std::string() : it->second;
  }
  const std::string& arg(size_t i) const { return command.args[i]; }
  size_t n_args() const { return command.args.size(); }
  const ovsdb::Schema& schema() const { return txn.schema(); }
  const ovsdb::Table& table(std::string_view name) const { return schema().table(name); }

  ovsdb::Txn& txn;
  Symbols& symbols;
  const GlobalOptions& global;
  const Command& command;
  std::string output;
  std::string warnings;           // printed on stderr, after the output, when the line succeeds
  bool try_again = false;         // wait-until: the condition does not hold yet
  int exit_status = 0;            // br-exists sets kExitNotFound
  int* tables_printed = nullptr;  // list/find outputs so far in this run (for separators)
};

// Exit statuses, as ovs-vsctl's.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitNotFound = 2;      // br-exists: no such bridge
inline constexpr int kExitNotApplied = 142;  // committed, vswitchd did not confirm in time

// --- helpers shared by the command files -----------------------------------------------

// Table and column names as ovs-vsctl matches them: case-insensitive, '-' equals '_', any
// unique prefix.
Result<const ovsdb::Table*> match_table(const ovsdb::Schema& schema, std::string_view name);
Result<const ovsdb::Column*> match_column(const ovsdb::Table& table, std::string_view name);
// The pseudo-column _uuid, accepted wherever a column is read.
const ovsdb::Column& uuid_column();

// Finds a row by the ways ovs-vsctl accepts for its table (name, ".", bridge or port name for
// Controller and QoS, uuid or unique uuid prefix). nullopt when absent.
Result<std::optional<Uuid>> find_record(Context& ctx, const ovsdb::Table& table,
                                        std::string_view id);

// COLUMN[:KEY]OP VALUE, split with the value syntax's tokenizer. `ops` lists the operators
// accepted (the longest one that matches wins).
struct ColumnArg {
  const ovsdb::Column* column = nullptr;
  std::optional<std::string> key;
  std::string op;
  std::string value;
};
Result<ColumnArg> parse_column_arg(const ovsdb::Table& table, std::string_view arg,
                                   std::span<const std::string_view> ops, bool value_required);

// `set` semantics for one COLUMN[:KEY]=VALUE argument on a row (also add-port's extras).
Result<void> set_column(Context& ctx, const ovsdb::Table& table, const Uuid& row,
                        std::string_view arg);

}  // namespace vs::vsctl
