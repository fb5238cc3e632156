// One vsctl invocation: parse, run every command in one transaction, commit, print, and wait
// for vswitchd to apply the change. The exit status tells the truth about the commit:
// 0 committed (and applied, or stderr says why not), 142 committed but not confirmed within
// --timeout, any other non-zero status: nothing was committed.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "ovsdb/daemon.h"
#include "vsctl/vsctl.h"

namespace vs::vsctl {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kPollInterval = 5ms;

std::span<const CommandSpec> all_commands() {
  static const std::vector<CommandSpec> table = [] {
    std::vector<CommandSpec> all(bridge_commands().begin(), bridge_commands().end());
    all.insert(all.end(), db_commands().begin(), db_commands().end());
    return all;
  }();
  return table;
}

std::string help_text() {
  std::string text =
      "vsctl: vswitch configuration utility (ovs-vsctl command lines)\n"
      "usage: vsctl [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND [ARG...]]...\n\nCommands:\n";
  for (const CommandSpec& spec : all_commands()) {
    std::string line = std::string("  ") + spec.name + " " + spec.usage;
    if (*spec.options) line += "  (" + std::string(spec.options) + ")";
    text += line + "\n";
  }
  text +=
      "\nOptions:\n"
      "  --db=FILE           database file (default: $VSWITCH_DB or " +
      std::string(ovsdb::kDefaultDbPath) +
      ")\n"
      "  --no-wait           do not wait for vswitchd to apply the change\n"
      "  -t, --timeout=SECS  wait at most SECS seconds for vswitchd (exit 142 if exceeded)\n"
      "  --dry-run           do not commit changes to the database\n"
      "  --oneline           print the output of each command on one line\n"
      "  -f, --format=FORMAT list, table, csv, json or html (for list and find)\n"
      "  -d, --data=FORMAT   string or json cells\n"
      "  --no-headings       omit column headings\n"
      "  --bare              print only the values, without headings or decoration\n"
      "  --columns=COLUMNS   columns to print in list and find, comma-separated\n"
      "  -h, --help          display this help message\n"
      "  -V, --version       display version information\n"
      "\nExit status: 0 committed (and applied unless --no-wait or no vswitchd runs, which\n"
      "stderr says); 142 committed, not yet applied within --timeout; 2 br-exists found no\n"
      "bridge; 1 or anything else: an error, nothing was committed.\n";
  return text;
}

std::string oneline(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  std::string escaped;
  for (char c : text) {
    if (c == '\n') {
      escaped += "\\n";
    } else if (c == '\\') {
      escaped += "\\\\";
    } else {
      escaped += c;
    }
  }
  return escaped + "\n";
}

// A daemon serves the file if its process exists and its control socket accepts connections.
bool daemon_alive(const ovsdb::DaemonRecord& record) {
  if (record.pid <= 0 || (kill(static_cast<pid_t>(record.pid), 0) != 0 && errno != EPERM))
    return false;
  if (record.control_socket.empty()) return true;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (record.control_socket.size() >= sizeof addr.sun_path) {
    close(fd);
    return false;
  }
  record.control_socket.copy(addr.sun_path, sizeof addr.sun_path - 1);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// Waits until vswitchd has applied `next_cfg`. Returns the exit status and says on `err`
// anything the caller must know.
int wait_for_daemon(ovsdb::Database& db, int64_t next_cfg, int timeout_seconds, std::string& err) {
  auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  auto next_liveness_check = Clock::now();
  for (;;) {
    if (Clock::now() >= next_liveness_check) {
      auto record = ovsdb::read_daemon_record(db);
      if (!record) {
        err += "vsctl: cannot read the database: " + record.error().message + "\n";
        return kExitOk;  // committed; we just cannot tell whether it was applied
      }
      if (!record.value()) {
        err += "vsctl: no vswitchd is serving " + db.path() +
               "; the change is committed and will be applied when vswitchd starts\n";
        return kExitOk;
      }
      if (!daemon_alive(*record.value())) {
        err +=
            "vsctl: vswitchd (pid " + std::to_string(record.value()->pid) + ") serving " +
            db.path() +
            " is not running; the change is committed and will be applied when vswitchd starts\n";
        return kExitOk;
      }
      next_liveness_check = Clock::now() + 200ms;
    }
    auto seq = ovsdb::read_config_sequence(db);
    if (seq && seq.value().cur_cfg >= next_cfg) return kExitOk;
    if (timeout_seconds > 0 && Clock::now() >= deadline) {
      err += "vsctl: timed out after " + std::to_string(timeout_seconds) +
             " seconds waiting for vswitchd to apply the change: committed, not yet applied\n";
      return kExitNotApplied;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

struct Attempt {
  int status = kExitOk;
  bool try_again = false;
  bool changed = false;
  int64_t next_cfg = 0;
};

// Runs every command in one transaction and commits it (or rolls back on --dry-run).
Attempt run_once(ovsdb::Database& db, const CommandLine& line, std::string& out, std::string& err) {
  Attempt attempt;
  bool writes = std::any_of(line.commands.begin(), line.commands.end(),
                            [](const Command& c) { return c.spec->writes; });
  auto txn = ovsdb::Txn::begin(db, writes ? ovsdb::Txn::Mode::kWrite : ovsdb::Txn::Mode::kRead);
  if (!txn) {
    err += "vsctl: " + db.path() + ": " + txn.error().message + "\n";
    attempt.status = kExitError;
    return attempt;
  }
  Symbols symbols;
  std::vector<std::string> outputs;
  std::string warnings;
  int tables_printed = 0;
  for (const Command& command : line.commands) {
    Context ctx(*txn.value(), symbols, line.global, command);
    ctx.tables_printed = &tables_printed;
    auto result = command.spec->run(ctx);
    if (!result) {
      err += "vsctl: " + result.error().message + "\n";
      attempt.status = kExitError;
      return attempt;
    }
    if (ctx.try_again) {
      attempt.try_again = true;
      return attempt;
    }
    if (ctx.exit_status != kExitOk) attempt.status = ctx.exit_status;
    outputs.push_back(std::move(ctx.output));
    warnings += ctx.warnings;
  }
  if (auto r = symbols.check_all_created(); !r) {
    err += "vsctl: " + r.error().message + "\n";
    attempt.status = kExitError;
    return attempt;
  }
  if (line.global.dry_run || !writes) {
    txn.value()->rollback();
  } else {
    attempt.changed = txn.value()->changed();
    auto committed = txn.value()->commit();
    if (!committed) {
      err += "vsctl: transaction error: " + committed.error().message + "\n";
      attempt.status = kExitError;
      attempt.changed = false;
      return attempt;
    }
    attempt.next_cfg = committed.value();
  }
  for (const std::string& text : outputs) out += line.global.oneline ? oneline(text) : text;
  err += warnings;
  return attempt;
}

}  // namespace

std::span<const CommandSpec> command_table() { return all_commands(); }

int run_vsctl(const std::vector<std::string>& args, std::string& out, std::string& err) {
  auto parsed = parse_command_line(args);
  if (!parsed) {
    err += "vsctl: " + parsed.error().message + "\n";
    return kExitError;
  }
  const CommandLine& line = parsed.value();
  if (line.global.help) {
    out += help_text();
    return kExitOk;
  }
  if (line.global.version) {
    out += "vsctl (vswitch) " VS_VERSION "\nDB Schema " + ovsdb::vswitch_schema().version + "\n";
    return kExitOk;
  }
  std::string path = ovsdb::resolve_db_path(line.global.db);
  auto db = ovsdb::Database::open(path);
  if (!db) {
    err += "vsctl: " + db.error().message + "\n";
    return kExitError;
  }
  auto deadline = Clock::now() + std::chrono::seconds(line.global.timeout_seconds);
  for (;;) {
    std::string attempt_out;
    Attempt attempt = run_once(*db.value(), line, attempt_out, err);
    if (!attempt.try_again) {
      out += attempt_out;
      if (attempt.status != kExitOk || !attempt.changed || line.global.no_wait)
        return attempt.status;
      return wait_for_daemon(*db.value(), attempt.next_cfg, line.global.timeout_seconds, err);
    }
    // wait-until: nothing was committed; look again once the database changes.
    if (line.global.timeout_seconds > 0 && Clock::now() >= deadline) {
      err += "vsctl: timed out after " + std::to_string(line.global.timeout_seconds) +
             " seconds waiting for the condition of wait-until; nothing was committed\n";
      return kExitError;
    }
    std::this_thread::sleep_for(kPollInterval * 4);
  }
}

}  // namespace vs::vsctl
