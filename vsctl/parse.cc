// Splits an ovs-vsctl command line into global options and `--`-separated commands, each
// with its options, and checks names, options and argument counts against the command table.
#include <algorithm>
#include <charconv>

#include "vsctl/vsctl.h"

namespace vs::vsctl {
namespace {

// Options that may be written either as --name=value or as --name value.
struct GlobalOption {
  std::string_view long_name;
  char short_name;  // 0: none
  bool takes_value;
};

constexpr GlobalOption kGlobalOptions[] = {
    {"db", 0, true},         {"no-wait", 0, false},     {"timeout", 't', true},
    {"dry-run", 0, false},   {"oneline", 0, false},     {"format", 'f', true},
    {"data", 'd', true},     {"no-headings", 0, false}, {"pretty", 0, false},
    {"bare", 0, false},      {"help", 'h', false},      {"version", 'V', false},
    {"verbose", 'v', false}, {"no-syslog", 0, false},   {"retry", 0, false},
};

const GlobalOption* find_global(std::string_view name) {
  for (const GlobalOption& option : kGlobalOptions) {
    if (option.long_name == name) return &option;
  }
  return nullptr;
}

const GlobalOption* find_global_short(char name) {
  for (const GlobalOption& option : kGlobalOptions) {
    if (option.short_name == name) return &option;
  }
  return nullptr;
}

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& spec : command_table()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// Whether `spec` accepts option `name` ("--if-exists"), and whether it takes a value.
std::optional<bool> command_option(const CommandSpec& spec, std::string_view name) {
  std::string_view options = spec.options;
  while (!options.empty()) {
    size_t comma = options.find(',');
    std::string_view option = options.substr(0, comma);
    bool takes_value = !option.empty() && option.back() == '=';
    if (takes_value) option.remove_suffix(1);
    if (option == name) return takes_value;
    options = comma == std::string_view::npos ? std::string_view() : options.substr(comma + 1);
  }
  return std::nullopt;
}

// True if any command of the table has option `name`: such options may also be written
// among the global options and then belong to the first command, as with ovs-vsctl.
bool is_any_command_option(std::string_view name) {
  return std::any_of(command_table().begin(), command_table().end(), [&](const CommandSpec& spec) {
    return command_option(spec, name).has_value();
  });
}

Result<void> apply_global(GlobalOptions& global, std::string_view name, const std::string& value) {
  if (name == "db") {
    global.db = value;
  } else if (name == "no-wait") {
    global.no_wait = true;
  } else if (name == "timeout") {
    int seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end != value.data() + value.size() || seconds < 0) {
      return make_error("value " + value + " on -t or --timeout is invalid");
    }
    global.timeout_seconds = seconds;
  } else if (name == "dry-run") {
    global.dry_run = true;
  } else if (name == "oneline") {
    global.oneline = true;
  } else if (name == "format") {
    static const std::pair<std::string_view, OutputFormat> kFormats[] = {
        {"list", OutputFormat::kList},
        {"table", OutputFormat::kTable},
        {"csv", OutputFormat::kCsv},
        {"json", OutputFormat::kJson},
        {"html", OutputFormat::kHtml}};
    auto it = std::find_if(std::begin(kFormats), std::end(kFormats),
                           [&](const auto& f) { return f.first == value; });
    if (it == std::end(kFormats)) {
      return make_error("unknown output format \"" + value +
                        "\" (allowed: list, table, csv, json, html)");
    }
    global.format.format = it->second;
  } else if (name == "data") {
    if (value == "string") {
      global.format.data = CellData::kString;
    } else if (value == "json") {
      global.format.data = CellData::kJson;
    } else {
      return make_error("unknown data format \"" + value + "\" (allowed: string, json)");
    }
  } else if (name == "no-headings") {
    global.format.headings = false;
  } else if (name == "bare") {  // as in ovs-vsctl: list format, bare cells, no headings
    global.format.format = OutputFormat::kList;
    global.format.bare = true;
  } else if (name == "help") {
    global.help = true;
  } else if (name == "version") {
    global.version = true;
  }
  // --pretty, --verbose, --no-syslog, --retry: accepted for compatibility, no effect here.
  return boost::outcome_v2::success();
}

Result<Command> parse_command(const std::vector<std::string>& words,
                              const std::map<std::string, std::string>& leading_options) {
  Command command;
  command.options = leading_options;
  size_t i = 0;
  std::vector<std::string> option_order;
  for (const auto& [name, value] : leading_options) option_order.push_back(name);
  for (; i < words.size() && words[i].starts_with("--"); ++i) {
    const std::string& word = words[i];
    size_t equals = word.find('=');
    std::string name = word.substr(0, equals);
    std::string value = equals == std::string::npos ? "" : word.substr(equals + 1);
    if (command.options.count(name))
      return make_error("'" + name + "' option specified multiple times");
    command.options[name] = value;
    option_order.push_back(word);
  }
  if (i == words.size()) return make_error("missing command name (use --help for help)");
  command.spec = find_command(words[i]);
  if (!command.spec) return make_error("unknown command '" + words[i] + "'; use --help for help");
  const CommandSpec& spec = *command.spec;
  for (const auto& [name, value] : command.options) {
    auto takes_value = command_option(spec, name);
    if (!takes_value)
      return make_error("'" + std::string(spec.name) + "' command has no '" + name + "' option");
    if (*takes_value && value.empty()) {
      return make_error("missing argument to '" + name + "' option on '" + spec.name + "' command");
    }
    if (!*takes_value && !value.empty()) {
      return make_error("'" + name + "' option on '" + spec.name + "' does not accept an argument");
    }
  }
  command.args.assign(words.begin() + static_cast<long>(i) + 1, words.end());
  int n = static_cast<int>(command.args.size());
  if (n < spec.min_args) {
    return make_error("'" + std::string(spec.name) + "' command requires at least " +
                      std::to_string(spec.min_args) + " arguments");
  }
  if (spec.max_args >= 0 && n > spec.max_args) {
    bool option_like = std::any_of(command.args.begin() + spec.max_args, command.args.end(),
                                   [](const std::string& a) { return a.starts_with('-'); });
    return make_error("'" + std::string(spec.name) + "' command takes at most " +
                      std::to_string(spec.max_args) + " arguments" +
                      (option_like ? " (note that options must precede command names and follow "
                                     "a \"--\" argument)"
                                   : ""));
  }
  return command;
}

}  // namespace

Result<CommandLine> parse_command_line(const std::vector<std::string>& args) {
  CommandLine line;
  std::map<std::string, std::string> local_options;  // command options given globally
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") {
      ++i;
      break;
    }
    if (word.size() < 2 || word[0] != '-') break;
    if (word[1] != '-') {  // short options: -t 5, -t5, -h, -V
      const GlobalOption* option = find_global_short(word[1]);
      if (!option) return make_error("unrecognized option '" + word + "' (use --help for help)");
      std::string value;
      if (option->takes_value) {
        if (word.size() > 2) {
          value = word.substr(2);
        } else if (i + 1 < args.size()) {
          value = args[++i];
        } else {
          return make_error("option requires an argument -- '" + std::string(1, word[1]) + "'");
        }
      }
      VS_TRY(apply_global(line.global, option->long_name, value));
      continue;
    }
    size_t equals = word.find('=');
    std::string name = word.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
    bool has_value = equals != std::string::npos;
    std::string value = has_value ? word.substr(equals + 1) : "";
    if (const GlobalOption* option = find_global(name)) {
      if (option->takes_value && !has_value) {
        if (i + 1 >= args.size()) return make_error("option '--" + name + "' requires an argument");
        value = args[++i];
      } else if (!option->takes_value && has_value) {
        return make_error("option '--" + name + "' doesn't allow an argument");
      }
      VS_TRY(apply_global(line.global, name, value));
    } else if (is_any_command_option("--" + name)) {
      local_options["--" + name] = value;
    } else {
      return make_error("unrecognized option '" + word + "' (use --help for help)");
    }
  }
  if (line.global.help || line.global.version) return line;

  std::vector<std::string> words;
  auto flush = [&]() -> Result<void> {
    if (words.empty()) return boost::outcome_v2::success();
    VS_ASSIGN(
        Command command,
        parse_command(words, line.commands.empty() ? local_options : decltype(local_options){}));
    line.commands.push_back(std::move(command));
    words.clear();
    return boost::outcome_v2::success();
  };
  for (; i < args.size(); ++i) {
    if (args[i] == "--") {
      VS_TRY(flush());
    } else {
      words.push_back(args[i]);
    }
  }
  VS_TRY(flush());
  if (line.commands.empty()) return make_error("missing command name (use --help for help)");
  return line;
}

}  // namespace vs::vsctl
