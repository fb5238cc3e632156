// vsappctl: runs one command in a running vswitchd through its control socket
// (lib/control_socket.h), as ovs-appctl does for ovs-vswitchd. Exit status: 0 success; 2 the
// command failed and the daemon said why; 1 bad usage or the daemon could not be reached.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lib/control_socket.h"

namespace {

constexpr std::string_view kDefaultRundir = "/run/vswitch";

constexpr char kHelp[] =
    "vsappctl: runtime queries and control of vswitchd (ovs-appctl command lines)\n"
    "usage: vsappctl [OPTIONS] COMMAND [ARG...]\n"
    "Run \"vsappctl list-commands\" for the commands the daemon supports.\n"
    "\n"
    "Options:\n"
    "  -t, --target=TARGET  daemon to talk to: a socket path (containing '/') or a name in\n"
    "                       the run directory, TARGET.ctl (default: vswitchd)\n"
    "  --rundir=DIR         run directory (default: $VSWITCH_RUNDIR or /run/vswitch)\n"
    "  -T, --timeout=SECS   give up after SECS seconds (default: 0, wait forever)\n"
    "  -h, --help           display this help message\n"
    "  -V, --version        display version information\n"
    "\n"
    "Exit status: 0 success; 2 the command failed (the daemon's reason on stderr); 1 bad\n"
    "usage or the daemon could not be reached.\n";

struct Options {
  std::string target = "vswitchd";
  std::string rundir;
  std::chrono::milliseconds timeout = vs::kNoTimeout;
  std::vector<std::string> command;  // COMMAND ARG...
  bool help = false;
  bool version = false;
};

vs::Result<std::chrono::milliseconds> parse_timeout(std::string_view option,
                                                    std::string_view text) {
  unsigned seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return vs::make_error("option '" + std::string(option) + "': \"" + std::string(text) +
                          "\" is not a number of seconds");
  }
  return std::chrono::seconds(seconds);
}

// Options come first; the first other word is the command, and everything after it is its
// arguments, even words that start with '-'.
vs::Result<Options> parse_options(int argc, char** argv) {
  Options options;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;
    // --name=value, --name value, -xvalue, -x value.
    std::string_view name = arg, attached;
    bool has_attached = false;
    if (arg.starts_with("--")) {
      if (size_t eq = arg.find('='); eq != std::string_view::npos) {
        name = arg.substr(0, eq);
        attached = arg.substr(eq + 1);
        has_attached = true;
      }
    } else if (arg.size() > 2) {
      name = arg.substr(0, 2);
      attached = arg.substr(2);
      has_attached = true;
    }
    auto value = [&]() -> vs::Result<std::string> {
      if (has_attached) return std::string(attached);
      if (i + 1 >= argc) return vs::make_error("option '" + std::string(name) + "' needs a value");
      return std::string(argv[++i]);
    };
    if (name == "-t" || name == "--target") {
      VS_ASSIGN(options.target, value());
      if (options.target.empty()) return vs::make_error("the target must not be empty");
    } else if (name == "--rundir") {
      VS_ASSIGN(options.rundir, value());
    } else if (name == "-T" || name == "--timeout") {
      VS_ASSIGN(std::string text, value());
      VS_ASSIGN(options.timeout, parse_timeout(name, text));
    } else if (!has_attached && (name == "-h" || name == "--help")) {
      options.help = true;
    } else if (!has_attached && (name == "-V" || name == "--version")) {
      options.version = true;
    } else {
      return vs::make_error("unrecognized option '" + std::string(arg) + "'");
    }
  }
  options.command.assign(argv + i, argv + argc);
  return options;
}

// As ovs-appctl: a target without '/' names a daemon whose socket is RUNDIR/TARGET.ctl.
std::string socket_path(const Options& options) {
  if (options.target.find('/') != std::string::npos) return options.target;
  std::string rundir = options.rundir;
  if (rundir.empty()) {
    const char* env = std::getenv("VSWITCH_RUNDIR");
    rundir = env && *env ? env : kDefaultRundir;
  }
  return rundir + "/" + options.target + ".ctl";
}

void print(std::FILE* stream, const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stream);
  if (!text.empty() && text.back() != '\n') std::fputc('\n', stream);
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr, "vsappctl: %s (use --help for help)\n", options.error().message.c_str());
    return 1;
  }
  if (options.value().help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (options.value().version) {
    std::puts("vsappctl (vswitch) " VS_VERSION);
    return 0;
  }
  const std::vector<std::string>& words = options.value().command;
  if (words.empty()) {
    std::fputs("vsappctl: a command is required (use --help for help)\n", stderr);
    return 1;
  }

  std::string path = socket_path(options.value());
  auto reply =
      vs::control_call(path, words[0], {words.begin() + 1, words.end()}, options.value().timeout);
  if (!reply) {
    std::fprintf(stderr, "vsappctl: %s\n", reply.error().message.c_str());
    return 1;
  }
  print(stdout, reply.value().output);
  if (reply.value().status != 0) {
    std::fflush(stdout);
    print(stderr, reply.value().error);
    std::fprintf(stderr, "vsappctl: %s: server returned an error\n", path.c_str());
    return 2;
  }
  return 0;
}
