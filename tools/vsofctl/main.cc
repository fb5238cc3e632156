// vsofctl: ovs-ofctl's command lines against a vswitch bridge, or any OpenFlow 1.3 switch: flows,
// ports, groups, tables and packet-out over the bridge's management socket RUNDIR/BRIDGE.mgmt,
// unix:PATH or tcp:HOST[:PORT]. The text in and out is controller/ofp_text.h; this file holds
// the command table and a small OpenFlow client. Output, transaction ids included, is what
// ovs-ofctl prints, so that scripts and tests can compare the two.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "controller/ofp_message.h"
#include "controller/ofp_text.h"
#include "lib/openflow_target.h"
#include "lib/result.h"

namespace {

namespace asio = boost::asio;
namespace ofp = vs::controller::ofp;
using vs::make_error;
using vs::Result;

constexpr std::string_view kDefaultRundir = "/run/vswitch";

constexpr char kHelp[] =
    "vsofctl: OpenFlow 1.3 switch management (ovs-ofctl command lines)\n"
    "usage: vsofctl [OPTIONS] COMMAND SWITCH [ARG...]\n"
    "\n"
    "SWITCH is a bridge name (its socket RUNDIR/BRIDGE.mgmt), unix:PATH, a socket path or\n"
    "tcp:HOST[:PORT] (port 6653 by default).\n"
    "\n"
    "Commands:\n"
    "  show SWITCH                       features, ports and configuration\n"
    "  dump-desc SWITCH                  switch description\n"
    "  dump-tables SWITCH                table statistics\n"
    "  dump-ports SWITCH [PORT]          port statistics\n"
    "  dump-ports-desc SWITCH [PORT]     port descriptions\n"
    "  dump-flows SWITCH [FLOW]          flows, all or those matching FLOW\n"
    "  dump-aggregate SWITCH [FLOW]      flow count and counters\n"
    "  add-flow SWITCH FLOW              add a flow\n"
    "  add-flows SWITCH FILE             add the flows in FILE (one a line; - for stdin)\n"
    "  mod-flows SWITCH FLOW             modify the actions of matching flows\n"
    "  del-flows SWITCH [FLOW]           delete matching flows (all without FLOW)\n"
    "  add-group SWITCH GROUP            add a group\n"
    "  mod-group SWITCH GROUP            modify a group\n"
    "  del-groups SWITCH [GROUP]         delete a group (all without GROUP)\n"
    "  dump-groups SWITCH                group descriptions\n"
    "  dump-group-stats SWITCH [GROUP]   group statistics\n"
    "  packet-out SWITCH IN_PORT ACTIONS PACKET...\n"
    "  packet-out SWITCH in_port=PORT,packet=HEX,actions=ACTIONS\n"
    "\n"
    "Options:\n"
    "  -O, --protocols=OpenFlow13  the only version spoken (accepted for ovs-ofctl's lines)\n"
    "  --strict                    mod-flows and del-flows match priority and fields exactly\n"
    "  --names, --no-names         print port names (default: only on a terminal)\n"
    "  --no-stats                  dump-flows without counters and durations\n"
    "  --rundir=DIR                bridge sockets (default: $VSWITCH_RUNDIR or /run/vswitch)\n"
    "  -t, --timeout=SECS          give up after SECS seconds (default: wait forever)\n"
    "  -h, --help, -V, --version\n"
    "\n"
    "Exit status: 0 success; 1 bad usage, a refused request or no switch to talk to.\n";

struct Options {
  std::string rundir;
  bool strict = false;
  std::optional<bool> names;  // --names / --no-names; unset: a terminal gets names
  bool stats = true;
  std::chrono::milliseconds timeout{0};
  std::vector<std::string> words;  // COMMAND SWITCH ARG...
  bool help = false, version = false;
};

Result<Options> parse_options(int argc, char** argv) {
  Options options;
  bool only_words = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (only_words || arg.size() < 2 || arg[0] != '-') {
      options.words.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_words = true;
      continue;
    }
    std::string name = arg, value;
    bool has_value = false;
    if (size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    } else if (!arg.starts_with("--") && arg.size() > 2) {
      name = arg.substr(0, 2);
      value = arg.substr(2);
      has_value = true;
    }
    auto take_value = [&]() -> Result<std::string> {
      if (has_value) return value;
      if (i + 1 >= argc) return make_error("option '" + name + "' requires an argument");
      return std::string(argv[++i]);
    };
    if (name == "-O" || name == "--protocols") {
      // Any list that allows OpenFlow 1.3 is fine: it is what is spoken.
      VS_ASSIGN(const std::string protocols, take_value());
      if (protocols.find("OpenFlow13") == std::string::npos) {
        return make_error("protocols " + protocols + ": vsofctl speaks only OpenFlow13");
      }
    } else if (name == "--rundir") {
      VS_ASSIGN(options.rundir, take_value());
    } else if (name == "-t" || name == "--timeout") {
      VS_ASSIGN(const std::string text, take_value());
      char* end = nullptr;
      const long seconds = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end || seconds < 0) {
        return make_error("value " + text + " on -t or --timeout is invalid");
      }
      options.timeout = std::chrono::seconds(seconds);
    } else if (name == "--strict" && !has_value) {
      options.strict = true;
    } else if (name == "--names" && !has_value) {
      options.names = true;
    } else if (name == "--no-names" && !has_value) {
      options.names = false;
    } else if (name == "--no-stats" && !has_value) {
      options.stats = false;
    } else if (name == "--stats" && !has_value) {
      options.stats = true;
    } else if ((name == "-h" || name == "--help") && !has_value) {
      options.help = true;
    } else if ((name == "-V" || name == "--version") && !has_value) {
      options.version = true;
    } else {
      return make_error("unrecognized option '" + arg + "' (use --help for help)");
    }
  }
  return options;
}

// ---------------------------------------------------------------------------------------
// The OpenFlow client: one connection, messages written in order while replies are read, so
// that a long pipeline of requests never deadlocks against a switch that answers as it goes.

class Client {
 public:
  Client(std::string name, std::chrono::milliseconds timeout)
      : name_(std::move(name)), socket_(io_), timer_(io_), timeout_(timeout) {}

  Result<void> connect(const vs::OpenflowTarget& target) {
    boost::system::error_code ec;
    if (target.kind == vs::OpenflowTarget::Kind::kUnix) {
      asio::local::stream_protocol::socket unix_socket(io_);
      unix_socket.connect(asio::local::stream_protocol::endpoint(target.path), ec);
      if (!ec) socket_ = Socket(std::move(unix_socket));
    } else {
      asio::ip::tcp::socket tcp_socket(io_);
      asio::ip::tcp::resolver resolver(io_);
      auto endpoints = resolver.resolve(target.host, std::to_string(target.port), ec);
      if (!ec) {
        bool done = false;
        asio::async_connect(tcp_socket, endpoints,
                            [&](const boost::system::error_code& e, const auto&) {
                              ec = e;
                              done = true;
                            });
        VS_TRY(wait_until([&] { return done; }));
        if (!ec) tcp_socket.set_option(asio::ip::tcp::no_delay(true));
      }
      if (!ec) socket_ = Socket(std::move(tcp_socket));
    }
    if (ec) return make_error("connecting to " + name_ + " (" + ec.message() + ")");
    read_more();
    return boost::outcome_v2::success();
  }

  // Sends our HELLO and checks the switch's: it must allow OpenFlow 1.3.
  Result<void> handshake() {
    send({next_xid(), ofp::Hello{ofp::kVersion13, 1u << ofp::kVersion13}});
    VS_ASSIGN(const std::vector<uint8_t> bytes, receive());
    const auto hello = ofp::decode(bytes);
    const auto* body = hello ? std::get_if<ofp::Hello>(&hello.value().body) : nullptr;
    const bool ok = body && (bytes[0] == ofp::kVersion13 ||
                             (bytes[0] > ofp::kVersion13 &&
                              (!body->versions || (*body->versions >> ofp::kVersion13 & 1))));
    if (!ok) {
      char text[96];
      std::snprintf(text, sizeof text,
                    "version negotiation failed (we support version 0x04, peer supports "
                    "version 0x%02x)",
                    bytes[0]);
      return make_error(name_ + ": " + text);
    }
    return boost::outcome_v2::success();
  }

  uint32_t next_xid() { return xid_++; }
  void set_next_xid(uint32_t xid) { xid_ = xid; }

  void send(const ofp::Message& message) { queue(ofp::encode(message)); }

  // The next message from the switch; echo requests are answered here.
  Result<std::vector<uint8_t>> receive() {
    VS_TRY(wait_until([&] { return !received_.empty(); }));
    std::vector<uint8_t> bytes = std::move(received_.front());
    received_.pop_front();
    return bytes;
  }

 private:
  using Socket = asio::generic::stream_protocol::socket;

  template <class Predicate>
  Result<void> wait_until(Predicate done) {
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    while (!done()) {
      if (failure_) return make_error(*failure_);
      if (timeout_.count() > 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
          return make_error(name_ + ": no answer after " + std::to_string(timeout_.count() / 1000) +
                            " s");
        }
        timer_.expires_at(deadline);
        timer_.async_wait([](const boost::system::error_code&) {});
      }
      io_.run_one();
      timer_.cancel();
      if (io_.stopped()) io_.restart();
    }
    return boost::outcome_v2::success();
  }

  void queue(std::vector<uint8_t> bytes) {
    out_.push_back(std::move(bytes));
    if (!writing_) write_more();
  }

  void write_more() {
    // Queued messages go out in writes of up to 256 KiB.
    batch_.clear();
    while (!out_.empty() && batch_.size() < 256 * 1024) {
      batch_.insert(batch_.end(), out_.front().begin(), out_.front().end());
      out_.pop_front();
    }
    if (batch_.empty()) return;
    writing_ = true;
    asio::async_write(socket_, asio::buffer(batch_),
                      [this](const boost::system::error_code& ec, size_t) {
                        writing_ = false;
                        if (ec) return fail(ec);
                        write_more();
                      });
  }

  void read_more() {
    if (in_.size() - in_end_ < 65536) in_.resize(in_end_ + 65536);
    socket_.async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                            [this](const boost::system::error_code& ec, size_t n) {
                              if (ec) return fail(ec);
                              in_end_ += n;
                              frame();
                              if (!failure_) read_more();
                            });
  }

  void frame() {
    size_t at = 0;
    while (in_end_ - at >= sizeof(ofp::Header)) {
      const size_t length = static_cast<size_t>(in_[at + 2] << 8 | in_[at + 3]);
      if (length < sizeof(ofp::Header)) {
        failure_ = name_ + ": received a message of length " + std::to_string(length);
        return;
      }
      if (in_end_ - at < length) break;
      std::vector<uint8_t> message(in_.begin() + at, in_.begin() + at + length);
      at += length;
      if (message[1] == static_cast<uint8_t>(ofp::Type::kEchoRequest)) {
        message[1] = static_cast<uint8_t>(ofp::Type::kEchoReply);
        queue(std::move(message));
        continue;
      }
      received_.push_back(std::move(message));
    }
    std::copy(in_.begin() + at, in_.begin() + in_end_, in_.begin());
    in_end_ -= at;
  }

  void fail(const boost::system::error_code& ec) {
    if (failure_) return;
    failure_ = ec == asio::error::eof ? name_ + ": connection closed by the switch"
                                      : name_ + ": " + ec.message();
  }

  std::string name_;
  asio::io_context io_;
  Socket socket_;
  asio::steady_timer timer_;
  std::chrono::milliseconds timeout_;
  uint32_t xid_ = 1;
  std::deque<std::vector<uint8_t>> out_;
  std::vector<uint8_t> batch_;
  bool writing_ = false;
  std::vector<uint8_t> in_;
  size_t in_end_ = 0;
  std::deque<std::vector<uint8_t>> received_;
  std::optional<std::string> failure_;
};

// ---------------------------------------------------------------------------------------
// One command's session: the connection, port names, printing.

// Where SWITCH leads: tcp:/unix: targets, a socket path, or RUNDIR/BRIDGE.mgmt.
Result<vs::OpenflowTarget> resolve_target(const std::string& target, const Options& options) {
  if (target.find(':') != std::string::npos) {
    VS_ASSIGN(vs::OpenflowTarget parsed, vs::parse_openflow_target(target));
    if (parsed.kind != vs::OpenflowTarget::Kind::kTcp &&
        parsed.kind != vs::OpenflowTarget::Kind::kUnix) {
      return make_error(target + ": vsofctl connects only to tcp: and unix: targets");
    }
    return parsed;
  }
  std::string path = target;
  if (target.find('/') == std::string::npos) {
    std::string rundir = options.rundir;
    if (rundir.empty()) {
      const char* env = std::getenv("VSWITCH_RUNDIR");
      rundir = env && *env ? env : kDefaultRundir;
    }
    path = rundir + "/" + target + ".mgmt";
  }
  struct stat info;
  if (stat(path.c_str(), &info) != 0 || !S_ISSOCK(info.st_mode)) {
    return make_error(target + " is not a bridge or a socket");
  }
  return vs::OpenflowTarget{vs::OpenflowTarget::Kind::kUnix, "", 0, path};
}

class Session {
 public:
  Session(const Options& options, std::string name)
      : options_(options),
        name_(name),
        client_(std::move(name), options.timeout),
        names_for_output_(options.names.value_or(isatty(STDOUT_FILENO) != 0)) {}

  Result<void> open(const vs::OpenflowTarget& target) {
    VS_TRY(client_.connect(target));
    return client_.handshake();
  }

  Client& client() { return client_; }
  const std::string& name() const { return name_; }
  const Options& options() const { return options_; }
  bool names_for_output() const { return names_for_output_; }

  // ovs-ofctl numbers transactions across the connections it opens; a command whose argument
  // may name ports first looks them up (two connections, xids 2-5), so its request is xid 6.
  void skip_name_lookup_xids() {
    if (options_.names.value_or(true)) client_.set_next_xid(6);
  }

  // The switch's port names, fetched once.
  Result<const ofp::PortNames*> port_names() {
    if (!names_) {
      ofp::PortNames names;
      const uint32_t xid = 0x7fff0000;  // outside ovs-ofctl's numbering
      client_.send({xid, ofp::MultipartRequest{0, ofp::PortDescRequest{}}});
      VS_ASSIGN(std::vector<ofp::Message> replies, collect(xid));
      for (const ofp::Message& reply : replies) {
        const auto* part = std::get_if<ofp::MultipartReply>(&reply.body);
        const auto* ports = part ? std::get_if<ofp::PortDescReply>(&part->body) : nullptr;
        if (!ports) continue;
        for (const ofp::PortDesc& port : ports->ports) names.emplace_back(port.port_no, port.name);
      }
      names_ = std::move(names);
    }
    return &*names_;
  }

  // Port names in arguments; --no-names turns them off, as in ovs-ofctl.
  ofp::PortLookup lookup() {
    if (options_.names == false) return {};
    return [this](std::string_view name) -> Result<std::optional<uint32_t>> {
      VS_ASSIGN(const ofp::PortNames* names, port_names());
      for (const auto& [number, port_name] : *names) {
        if (port_name == name) return std::optional<uint32_t>(number);
      }
      return std::optional<uint32_t>();
    };
  }

  Result<ofp::FormatOptions> format() {
    ofp::FormatOptions format{nullptr, options_.stats};
    if (names_for_output_) {
      VS_ASSIGN(format.names, port_names());
    }
    return format;
  }

  // Every message answering `xid`, up to the last part of a multipart reply or an error.
  Result<std::vector<ofp::Message>> collect(uint32_t xid) {
    std::vector<ofp::Message> replies;
    for (;;) {
      VS_ASSIGN(const std::vector<uint8_t> bytes, client_.receive());
      if (ofp::peek_header(bytes)->xid != xid) continue;
      auto message = ofp::decode(bytes);
      if (!message) {
        return make_error("undecodable reply from the switch:\n" + ofp::format_raw_message(bytes));
      }
      replies.push_back(message.value());
      const auto* part = std::get_if<ofp::MultipartReply>(&message.value().body);
      if (!part || !(part->flags & ofp::kMultipartMore)) return replies;
    }
  }

  // Sends `request` and returns its replies.
  Result<std::vector<ofp::Message>> request(ofp::Body body) {
    const uint32_t xid = client_.next_xid();
    client_.send({xid, std::move(body)});
    return collect(xid);
  }

  // A request whose replies are printed as they come (a dump). An OFPT_ERROR is printed the
  // same way and is not a failure, as with ovs-ofctl.
  Result<int> dump(ofp::Body body) {
    VS_ASSIGN(std::vector<ofp::Message> replies, request(std::move(body)));
    VS_ASSIGN(const ofp::FormatOptions format_options, format());
    std::string text;
    for (const ofp::Message& reply : replies) text += ofp::format_message(reply, format_options);
    std::fputs(text.c_str(), stdout);
    return 0;
  }

  // Requests that have no reply when they succeed, sent back to back, then one barrier: every
  // OFPT_ERROR that comes back is printed to stderr and fails the command. xids go up by two
  // per request, as ovs-ofctl's do (it sends a barrier after each).
  Result<int> transact(std::vector<ofp::Body> requests) {
    // Port names first: fetching them later would skip replies on the way.
    VS_ASSIGN(const ofp::FormatOptions format_options, format());
    uint32_t xid = client_.next_xid();
    for (ofp::Body& body : requests) {
      client_.send({xid, std::move(body)});
      xid += 2;
    }
    const uint32_t barrier = xid - 1;
    client_.send({barrier, ofp::BarrierRequest{}});
    int status = 0;
    for (;;) {
      VS_ASSIGN(const std::vector<uint8_t> bytes, client_.receive());
      const ofp::HeaderView header = *ofp::peek_header(bytes);
      if (header.type == static_cast<uint8_t>(ofp::Type::kError)) {
        std::fputs(ofp::format_raw_message(bytes, format_options).c_str(), stderr);
        status = 1;
      } else if (header.type == static_cast<uint8_t>(ofp::Type::kBarrierReply) &&
                 header.xid == barrier) {
        return status;
      }
    }
  }

 private:
  const Options& options_;
  std::string name_;
  Client client_;
  bool names_for_output_;
  std::optional<ofp::PortNames> names_;
};

void print_warnings(const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) std::fprintf(stderr, "vsofctl: %s\n", w.c_str());
}

// ---------------------------------------------------------------------------------------
// Commands. `args` starts with the switch.

using Args = std::span<const std::string>;

Result<int> show(Session& s, Args) {
  VS_TRY(s.dump(ofp::FeaturesRequest{}));
  VS_TRY(s.dump(ofp::MultipartRequest{0, ofp::PortDescRequest{}}));
  s.client().set_next_xid(5);  // ovs-ofctl asks for the configuration on a second connection
  return s.dump(ofp::GetConfigRequest{});
}

Result<int> dump_desc(Session& s, Args) {
  return s.dump(ofp::MultipartRequest{0, ofp::DescRequest{}});
}

Result<int> dump_tables(Session& s, Args) {
  return s.dump(ofp::MultipartRequest{0, ofp::TableStatsRequest{}});
}

Result<int> dump_ports(Session& s, Args args) {
  uint32_t port = ofp::kPortAny;
  if (args.size() > 1) {
    // A port name costs ovs-ofctl a look-up connection (xids 2 and 3).
    if (!ofp::parse_port(args[1])) s.client().set_next_xid(4);
    auto parsed = ofp::parse_port(args[1], s.lookup());
    if (!parsed) return make_error(s.name() + ": unknown port `" + args[1] + "'");
    port = parsed.value();
  }
  return s.dump(ofp::MultipartRequest{0, ofp::PortStatsRequest{port}});
}

// The port is checked but, as with ovs-ofctl over OpenFlow 1.3 (whose request has no port),
// every port is listed.
Result<int> dump_ports_desc(Session& s, Args args) {
  if (args.size() > 1) VS_TRY(ofp::parse_port(args[1], s.lookup()));
  return s.dump(ofp::MultipartRequest{0, ofp::PortDescRequest{}});
}

Result<int> dump_flows(Session& s, Args args, bool aggregate) {
  const std::string text = args.size() > 1 ? args[1] : "";
  if (!text.empty()) s.skip_name_lookup_xids();
  VS_ASSIGN(auto parsed, ofp::parse_flow_stats_request(text, aggregate, s.lookup()));
  print_warnings(parsed.warnings);
  ofp::MultipartRequest request{0, std::move(parsed.value)};
  if (aggregate || (!s.names_for_output() && s.options().stats)) return s.dump(std::move(request));
  // With names or without statistics ovs-ofctl prints the flows alone, without headers.
  VS_ASSIGN(std::vector<ofp::Message> replies, s.request(std::move(request)));
  VS_ASSIGN(const ofp::FormatOptions format, s.format());
  std::string out;
  for (const ofp::Message& reply : replies) {
    const auto* part = std::get_if<ofp::MultipartReply>(&reply.body);
    const auto* flows = part ? std::get_if<ofp::FlowStatsReply>(&part->body) : nullptr;
    if (!flows) {
      out += ofp::format_message(reply, format);
      continue;
    }
    for (const ofp::FlowStats& flow : flows->flows) {
      out += ofp::format_flow_stats(flow, format) + "\n";
    }
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

ofp::FlowCommand flow_command(const std::string& name, bool strict) {
  if (name == "add-flow" || name == "add-flows") return ofp::FlowCommand::kAdd;
  if (name == "mod-flows") {
    return strict ? ofp::FlowCommand::kModifyStrict : ofp::FlowCommand::kModify;
  }
  return strict ? ofp::FlowCommand::kDeleteStrict : ofp::FlowCommand::kDelete;
}

Result<int> flow_mods(Session& s, Args args, const std::string& command) {
  const ofp::FlowCommand kind = flow_command(command, s.options().strict);
  s.skip_name_lookup_xids();
  std::vector<ofp::Body> mods;
  auto add = [&](std::string_view text, const std::string& where) -> Result<void> {
    auto parsed = ofp::parse_flow_mod(text, kind, s.lookup());
    if (!parsed) return make_error(where + parsed.error().message);
    print_warnings(parsed.value().warnings);
    mods.push_back(std::move(parsed.value().value));
    return boost::outcome_v2::success();
  };
  if (command != "add-flows") {
    VS_TRY(add(args.size() > 1 ? args[1] : "", ""));
    return s.transact(std::move(mods));
  }
  // One flow a line; '#' starts a comment; blank lines are skipped. The whole file is parsed
  // before anything is sent, so that a typo changes nothing. Unlike ovs-ofctl, which waits
  // for a barrier after each flow and stops at the first refusal, every flow is sent and
  // every refusal printed: 100,000 flows take one round trip, not 100,000.
  const std::string& file = args[1];
  std::ifstream stream;
  if (file != "-") {
    stream.open(file);
    if (!stream) return make_error(file + ": open failed (" + std::strerror(errno) + ")");
  }
  std::istream& in = file == "-" ? std::cin : stream;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    line.erase(std::min(line.size(), line.find('#')));
    if (line.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    VS_TRY(add(line, (file == "-" ? "stdin" : file) + ":" + std::to_string(number) + ": "));
  }
  if (mods.empty()) return 0;
  return s.transact(std::move(mods));
}

Result<int> groups(Session& s, Args args, const std::string& command) {
  const ofp::GroupModCommand kind = command == "add-group"   ? ofp::GroupModCommand::kAdd
                                    : command == "mod-group" ? ofp::GroupModCommand::kModify
                                                             : ofp::GroupModCommand::kDelete;
  s.skip_name_lookup_xids();
  VS_ASSIGN(ofp::GroupMod mod,
            ofp::parse_group_mod(args.size() > 1 ? args[1] : "", kind, s.lookup()));
  std::vector<ofp::Body> mods;
  mods.push_back(std::move(mod));
  return s.transact(std::move(mods));
}

Result<int> dump_groups(Session& s, Args) {
  return s.dump(ofp::MultipartRequest{0, ofp::GroupDescRequest{}});
}

// [group_id=N|all], as ovs-ofctl takes it.
Result<int> dump_group_stats(Session& s, Args args) {
  s.skip_name_lookup_xids();
  ofp::GroupStatsRequest request;
  std::string_view text = args.size() > 1 ? std::string_view(args[1]) : std::string_view();
  while (!text.empty()) {
    const size_t end = std::min(text.size(), text.find_first_of(", \t"));
    const std::string_view word = text.substr(0, end);
    text.remove_prefix(std::min(text.size(), end + 1));
    if (word.empty()) continue;
    const size_t eq = word.find_first_of("=:");
    const std::string key(word.substr(0, eq)), value(eq == word.npos ? "" : word.substr(eq + 1));
    if (key != "group_id") return make_error("unknown keyword " + key);
    char* rest = nullptr;
    const unsigned long id = std::strtoul(value.c_str(), &rest, 0);
    if (value == "all" || value == "ALL") {
      request.group_id = ofp::kGroupAll;
    } else if (value.empty() || *rest || id > UINT32_MAX) {
      return make_error("invalid numeric format " + value);
    } else if (id > ofp::kGroupMax && id != ofp::kGroupAll) {
      return make_error("invalid group id " + value);
    } else {
      request.group_id = static_cast<uint32_t>(id);
    }
  }
  return s.dump(ofp::MultipartRequest{0, request});
}

Result<int> packet_out(Session& s, Args args) {
  s.skip_name_lookup_xids();
  VS_ASSIGN(std::vector<ofp::PacketOut> outs, ofp::parse_packet_out(args.subspan(1), s.lookup()));
  return s.transact(std::vector<ofp::Body>(outs.begin(), outs.end()));
}

struct Command {
  std::string_view name;
  size_t min_args, max_args;  // after the command's name, the switch included
  Result<int> (*run)(Session&, Args, const std::string&);
};

template <Result<int> (*F)(Session&, Args)>
Result<int> plain(Session& s, Args args, const std::string&) {
  return F(s, args);
}
Result<int> flows(Session& s, Args args, const std::string&) { return dump_flows(s, args, false); }
Result<int> aggregate(Session& s, Args args, const std::string&) {
  return dump_flows(s, args, true);
}

constexpr Command kCommands[] = {
    {"show", 1, 1, plain<show>},
    {"dump-desc", 1, 1, plain<dump_desc>},
    {"dump-tables", 1, 1, plain<dump_tables>},
    {"dump-ports", 1, 2, plain<dump_ports>},
    {"dump-ports-desc", 1, 2, plain<dump_ports_desc>},
    {"dump-flows", 1, 2, flows},
    {"dump-aggregate", 1, 2, aggregate},
    {"add-flow", 2, 2, flow_mods},
    {"add-flows", 2, 2, flow_mods},
    {"mod-flows", 2, 2, flow_mods},
    {"del-flows", 1, 2, flow_mods},
    {"add-group", 2, 2, groups},
    {"mod-group", 2, 2, groups},
    {"del-groups", 1, 2, groups},
    {"dump-groups", 1, 1, plain<dump_groups>},
    {"dump-group-stats", 1, 2, plain<dump_group_stats>},
    {"packet-out", 2, 64, plain<packet_out>},
};

Result<int> run(const Options& options) {
  if (options.words.empty()) return make_error("missing command name; use --help for help");
  const std::string& name = options.words[0];
  const Args args = std::span(options.words).subspan(1);
  const Command* command = nullptr;
  for (const Command& c : kCommands) {
    if (c.name == name) command = &c;
  }
  if (!command) return make_error("unknown command '" + name + "'; use --help for help");
  if (args.size() < command->min_args) {
    return make_error("'" + name + "' command requires at least " +
                      std::to_string(command->min_args) + " arguments");
  }
  if (args.size() > command->max_args) {
    return make_error("'" + name + "' command takes at most " + std::to_string(command->max_args) +
                      " arguments");
  }
  VS_ASSIGN(const vs::OpenflowTarget target, resolve_target(args[0], options));
  Session session(options,
                  target.kind == vs::OpenflowTarget::Kind::kUnix ? "unix:" + target.path : args[0]);
  VS_TRY(session.open(target));
  return command->run(session, args, name);
}

}  // namespace

int main(int argc, char** argv) {
  // A switch or a reader of our output that goes away is an error to report, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  auto options = parse_options(argc, argv);
  if (options && options.value().help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (options && options.value().version) {
    std::puts("vsofctl (vswitch) " VS_VERSION);
    return 0;
  }
  auto status = options ? run(options.value()) : Result<int>(options.error());
  std::fflush(stdout);
  if (!status) {
    std::fprintf(stderr, "vsofctl: %s\n", status.error().message.c_str());
    return 1;
  }
  return status.value();
}
