// vswitchd: the daemon. Opens the database, starts the forwarding thread, and runs the control
// thread's event loop (Boost.Asio): database changes, netlink link events, the control socket,
// the periodic status write-back and SIGTERM. The wiring of every module happens here only.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/xlate.h"
#include "datapath/datapath.h"
#include "datapath/forwarding_thread.h"
#include "datapath/link_monitor.h"
#include "datapath/port_factory.h"
#include "lib/control_socket.h"
#include "lib/log.h"
#include "ovsdb/daemon.h"
#include "ovsdb/database.h"
#include "ovsdb/watch.h"
#include "tunnels/gre_port.h"
#include "vswitchd/bridges.h"

namespace vs::vswitchd {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

constexpr const char* kDefaultRundir = "/run/vswitch";
// How often Interface.statistics and link states are written back (OVS: 5 s).
constexpr auto kStatusInterval = std::chrono::seconds(5);
// A commit's WAL write can wake us a moment before readers can see it (the WAL index is
// updated through shared memory, which inotify does not report): look again this much later.
constexpr auto kRecheckDelay = milliseconds(25);

struct Options {
  std::string db;
  std::string rundir;
  bool detach = false;
  std::optional<std::string> pidfile;  // --pidfile with no value: RUNDIR/vswitchd.pid
  std::string log_file;
  bool verbose = false;
};

void usage(std::ostream& out) {
  out << "vswitchd: the vswitch daemon, a userspace switch configured by its database\n"
         "usage: vswitchd [OPTIONS]\n"
         "  --db=FILE          database (default: $VSWITCH_DB or "
      << ovsdb::kDefaultDbPath
      << ")\n"
         "  --rundir=DIR       control socket and pid file (default: $VSWITCH_RUNDIR or "
      << kDefaultRundir
      << ")\n"
         "  --detach           run in the background once started\n"
         "  --pidfile[=FILE]   write the pid (default file: RUNDIR/vswitchd.pid)\n"
         "  --log-file=FILE    log there instead of stderr\n"
         "  -v, --verbose      log at debug level\n"
         "  -h, --help         this text;  -V, --version  the version\n";
}

// Throws std::invalid_argument on a bad option (caught in main).
Options parse_options(int argc, char** argv) {
  Options o;
  auto value_of = [&](const std::string& arg, const std::string& name, int& i) {
    if (arg.size() > name.size() && arg[name.size()] == '=') return arg.substr(name.size() + 1);
    if (i + 1 >= argc) throw std::invalid_argument(name + " needs a value");
    return std::string(argv[++i]);
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto is = [&](const std::string& name) {
      return arg == name || arg.rfind(name + "=", 0) == 0;
    };
    if (is("--db")) {
      o.db = value_of(arg, "--db", i);
    } else if (is("--rundir")) {
      o.rundir = value_of(arg, "--rundir", i);
    } else if (is("--log-file")) {
      o.log_file = value_of(arg, "--log-file", i);
    } else if (arg == "--pidfile") {
      o.pidfile = "";
    } else if (arg.rfind("--pidfile=", 0) == 0) {
      o.pidfile = arg.substr(10);
    } else if (arg == "--detach") {
      o.detach = true;
    } else if (arg == "-v" || arg == "--verbose") {
      o.verbose = true;
    } else if (arg == "-h" || arg == "--help") {
      usage(std::cout);
      std::exit(0);
    } else if (arg == "-V" || arg == "--version") {
      std::cout << "vswitchd (vswitch) " << VS_VERSION << "\n";
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown option " + arg + " (try --help)");
    }
  }
  o.db = ovsdb::resolve_db_path(o.db);
  if (o.rundir.empty()) {
    const char* env = std::getenv("VSWITCH_RUNDIR");
    o.rundir = env && *env ? env : kDefaultRundir;
  }
  if (o.pidfile && o.pidfile->empty()) *o.pidfile = o.rundir + "/vswitchd.pid";
  if (!o.log_file.empty()) o.log_file = std::filesystem::absolute(o.log_file).string();
  return o;
}

// --detach: the parent waits until the child is serving (or failed), so that a script running
// `vswitchd --detach; vsctl add-br br0` finds the daemon ready, as with ovs-vswitchd.
class Detacher {
 public:
  // In the child, returns; the parent exits with the child's start-up verdict.
  void detach() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid > 0) {
      ::close(fds[1]);
      char ok = 0;
      ssize_t n = ::read(fds[0], &ok, 1);
      std::_Exit(n == 1 && ok == 1 ? 0 : 1);
    }
    ::close(fds[0]);
    ready_fd_ = fds[1];
    ::setsid();
  }
  // Tells the parent start-up succeeded and lets go of the terminal.
  void ready() {
    if (ready_fd_ < 0) return;
    char ok = 1;
    (void)!::write(ready_fd_, &ok, 1);
    ::close(ready_fd_);
    ready_fd_ = -1;
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
      ::dup2(null, STDIN_FILENO);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
      ::close(null);
    }
  }

 private:
  int ready_fd_ = -1;
};

// The pid file, locked for the daemon's life so that a second daemon on it is refused; a file
// left by a killed daemon is unlocked and simply taken over.
Result<int> take_pidfile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return make_error("cannot open pid file " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    (void)!::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    return make_error("another vswitchd (pid " + std::string(buf, strcspn(buf, "\n")) +
                      ") holds " + path);
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    ::close(fd);
    return make_error("cannot write pid file " + path + ": " + std::strerror(errno));
  }
  return fd;
}

// Re-arms an async wait for readability on `fd` and calls `on_ready` each time.
void watch_readable(asio::posix::stream_descriptor& fd, std::function<void()> on_ready) {
  fd.async_wait(asio::posix::stream_descriptor::wait_read,
                [&fd, on_ready](const boost::system::error_code& ec) {
                  if (ec) return;
                  on_ready();
                  watch_readable(fd, on_ready);
                });
}

void register_commands(ControlServer& server, Bridges& bridges, asio::io_context& io) {
  using Args = const std::vector<std::string>&;
  using Reply = ControlReply;
  auto result_reply = [](Result<std::string> r) {
    return r ? Reply{0, r.value(), ""} : Reply{2, "", r.error().message};
  };
  server.add_command("dpif/show", "", 0, 0,
                     [&](Args) { return Reply{0, bridges.dpif_show(), ""}; });
  server.add_command("fdb/show", "BRIDGE", 1, 1,
                     [&, result_reply](Args a) { return result_reply(bridges.fdb_show(a[0])); });
  server.add_command("ofproto/trace", "BRIDGE FLOW", 2, 2, [&, result_reply](Args a) {
    return result_reply(bridges.trace(a[0], a[1]));
  });
  server.add_command("fdb/flush", "[BRIDGE]", 0, 1, [&, result_reply](Args a) {
    return result_reply(bridges.fdb_flush(a.empty() ? std::nullopt : std::optional(a[0])));
  });
  server.add_command("coverage/show", "", 0, 0,
                     [&](Args) { return Reply{0, bridges.coverage_show(), ""}; });
  server.add_command("vlog/set", "SPEC...", 1, ControlServer::kUnlimited, [](Args a) {
    for (const std::string& spec : a) {
      if (auto r = log::set_levels(spec); !r) return Reply{2, "", r.error().message};
    }
    return Reply{};
  });
  server.add_command("vlog/list", "", 0, 0, [](Args) { return Reply{0, log::list_levels(), ""}; });
  server.add_command("version", "", 0, 0, [](Args) {
    return Reply{0, std::string("vswitchd (vswitch) ") + VS_VERSION + "\n", ""};
  });
  // The reply must reach the client before the loop stops: stop a moment later.
  auto exit_timer = std::make_shared<asio::steady_timer>(io);
  server.add_command("exit", "", 0, 0, [&io, exit_timer](Args) {
    exit_timer->expires_after(milliseconds(50));
    exit_timer->async_wait([&io](const boost::system::error_code&) { io.stop(); });
    return Reply{};
  });
}

int run(const Options& options, Detacher& detacher) {
  auto logger = log::get("vswitchd");
  for (const char* module : {"bridge", "netlink", "dbwatch", "control"}) log::get(module);
  auto fail = [&](const std::string& what) {
    logger->critical("{}", what);
    std::cerr << "vswitchd: " << what << "\n";
    return 1;
  };

  std::error_code ec;
  std::filesystem::create_directories(options.rundir, ec);
  if (ec) return fail("cannot create run directory " + options.rundir + ": " + ec.message());
  int pidfile_fd = -1;
  if (options.pidfile) {
    auto fd = take_pidfile(*options.pidfile);
    if (!fd) return fail(fd.error().message);
    pidfile_fd = fd.value();
  }

  auto db = ovsdb::Database::open(options.db);
  if (!db) return fail(db.error().message);
  auto watcher = ovsdb::ChangeWatcher::open(*db.value());
  if (!watcher) return fail(watcher.error().message);
  auto links = datapath::LinkMonitor::open();
  if (!links) return fail("netlink: " + links.error().message);
  // Seeds what the monitor knows, so that only later changes are reported as events.
  if (auto seeded = links.value()->snapshot(); !seeded) {
    return fail("netlink: " + seeded.error().message);
  }

  SteadyClock clock;
  controller::Xlate xlate(clock);
  auto dp = datapath::Datapath::create(xlate);
  if (!dp) return fail(dp.error().message);
  auto forwarding = datapath::ForwardingThread::start(*dp.value());
  if (!forwarding) return fail(forwarding.error().message);
  datapath::PortFactory factory;
  datapath::register_builtin_ports(factory);
  // GRE ports send and receive through one socket; its receiver, gre_sys, is a datapath port in
  // no bridge (tunnels/gre_port.h). Without it (no CAP_NET_RAW) GRE ports fail to open, saying
  // why.
  if (auto gre = tunnels::GreTunnels::open(); !gre) {
    factory.register_kind("gre",
                          [why = gre.error().message](const datapath::PortConfig& port)
                              -> Result<std::unique_ptr<datapath::Port>> {
                            return make_error("interface " + port.name + ": " + why);
                          });
  } else {
    tunnels::register_gre_port(factory, gre.value());
    auto receiver = std::make_unique<tunnels::GreReceiver>(gre.value());
    auto added = forwarding.value()->call(
        [&](datapath::Datapath& d) { return d.add_port(std::move(receiver)); });
    if (!added) log::get("tunnels")->warn("{}: GRE ports will not receive", added.error().message);
  }
  asio::io_context io;
  Bridges bridges(*db.value(), *forwarding.value(), xlate, factory, io, options.rundir, clock);
  ControlServer server(io);
  const std::string control_path = options.rundir + "/vswitchd.ctl";
  if (auto r = server.listen(control_path); !r) return fail(r.error().message);
  register_commands(server, bridges, io);

  auto reconfigure = [&] {
    if (auto r = bridges.reconfigure(); !r) {
      log::get("bridge")->error("reconfiguration failed: {}", r.error().message);
    }
  };
  reconfigure();
  if (auto r = ovsdb::write_daemon_record(*db.value(), {::getpid(), control_path}); !r) {
    return fail(r.error().message);
  }

  // Database changes by any writer.
  asio::posix::stream_descriptor db_events(io, ::dup(watcher.value()->fd()));
  asio::steady_timer recheck(io);
  auto check_db = [&] {
    auto changed = watcher.value()->changed();
    if (!changed) {
      log::get("dbwatch")->error("{}", changed.error().message);
    } else if (changed.value()) {
      log::get("dbwatch")->debug("database changed: reconfiguring");
      reconfigure();
    }
  };
  watch_readable(db_events, [&] {
    check_db();
    recheck.expires_after(kRecheckDelay);
    recheck.async_wait([&](const boost::system::error_code& e) {
      if (!e) check_db();
    });
  });

  // Devices appearing and disappearing.
  asio::posix::stream_descriptor link_events(io, ::dup(links.value()->fd()));
  watch_readable(link_events, [&] {
    std::vector<datapath::LinkEvent> events;
    auto status = links.value()->process([&](const datapath::LinkEvent& e) { events.push_back(e); });
    auto netlink = log::get("netlink");
    if (!status) return netlink->error("{}", status.error().message);
    if (status.value() == datapath::LinkMonitor::ProcessStatus::kResyncNeeded) {
      netlink->warn("netlink events were lost: resynchronising every device");
      auto snapshot = links.value()->snapshot();
      if (!snapshot) return netlink->error("{}", snapshot.error().message);
      if (auto r = bridges.on_link_resync(snapshot.value()); !r) {
        netlink->error("{}", r.error().message);
      }
      return;
    }
    for (const auto& e : events) {
      netlink->debug("link {} {} (ifindex {})", e.name,
                     e.kind == datapath::LinkEvent::kAdded     ? "added"
                     : e.kind == datapath::LinkEvent::kRemoved ? "removed"
                                                               : "changed",
                     e.ifindex);
    }
    if (auto r = bridges.on_link_events(events); !r) netlink->error("{}", r.error().message);
  });

  asio::steady_timer status_timer(io);
  std::function<void()> schedule_status = [&] {
    status_timer.expires_after(kStatusInterval);
    status_timer.async_wait([&](const boost::system::error_code& e) {
      if (e) return;
      if (auto r = bridges.refresh_status(); !r) {
        log::get("bridge")->error("status write-back failed: {}", r.error().message);
      }
      schedule_status();
    });
  };
  schedule_status();

  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  signals.async_wait([&](const boost::system::error_code& e, int signal) {
    if (!e) logger->info("signal {}: shutting down", signal);
    io.stop();
  });

  logger->info("vswitchd {} started: database {}, control socket {}", VS_VERSION, options.db,
               control_path);
  detacher.ready();
  io.run();

  server.close();
  bridges.close_all();
  forwarding.value().reset();
  (void)ovsdb::clear_daemon_record(*db.value());
  if (pidfile_fd >= 0) {
    ::unlink(options.pidfile->c_str());
    ::close(pidfile_fd);
  }
  logger->info("vswitchd stopped");
  return 0;
}

}  // namespace
}  // namespace vs::vswitchd

int main(int argc, char** argv) {
  using namespace vs::vswitchd;
  ::signal(SIGPIPE, SIG_IGN);
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "vswitchd: " << e.what() << "\n";
    return 1;
  }
  Detacher detacher;
  try {
    if (options.detach) detacher.detach();
    if (auto r = vs::log::configure(options.log_file, options.verbose ? "dbg" : "info"); !r) {
      std::cerr << "vswitchd: " << r.error().message << "\n";
      return 1;
    }
    return run(options, detacher);
  } catch (const std::exception& e) {
    std::cerr << "vswitchd: " << e.what() << "\n";
    return 1;
  }
}
