// Module loggers over one shared sink (log.h).
#include "lib/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <map>
#include <mutex>
#include <sstream>
#include <vector>

namespace vs::log {
namespace {

struct Registry {
  std::mutex mutex;
  spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  spdlog::level::level_enum level = spdlog::level::info;
  std::map<std::string, std::shared_ptr<spdlog::logger>> loggers;
};

Registry& registry() {
  static Registry r;
  return r;
}

Result<spdlog::level::level_enum> parse_level(const std::string& word) {
  static const std::map<std::string, spdlog::level::level_enum> kLevels = {
      {"off", spdlog::level::off},     {"emer", spdlog::level::critical},
      {"err", spdlog::level::err},     {"warn", spdlog::level::warn},
      {"info", spdlog::level::info},   {"dbg", spdlog::level::debug},
      {"debug", spdlog::level::debug}, {"trace", spdlog::level::trace},
      {"error", spdlog::level::err},   {"critical", spdlog::level::critical}};
  auto it = kLevels.find(word);
  if (it == kLevels.end()) {
    return make_error("unknown log level \"" + word +
                      "\" (levels: off, emer, err, warn, info, dbg)");
  }
  return it->second;
}

std::shared_ptr<spdlog::logger> make_logger(Registry& r, const std::string& module) {
  auto logger = std::make_shared<spdlog::logger>(module, r.sink);
  logger->set_level(r.level);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ|%n|%l|%v", spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::info);
  return logger;
}

}  // namespace

Result<void> configure(const std::string& path, const std::string& level) {
  Registry& r = registry();
  VS_ASSIGN(auto parsed, parse_level(level));
  std::lock_guard lock(r.mutex);
  r.level = parsed;
  if (!path.empty()) {
    try {
      r.sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
    } catch (const spdlog::spdlog_ex& e) {
      return make_error("cannot open log file " + path + ": " + e.what());
    }
  }
  for (auto& [name, logger] : r.loggers) logger = make_logger(r, name);
  return boost::outcome_v2::success();
}

std::shared_ptr<spdlog::logger> get(const std::string& module) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto& logger = r.loggers[module];
  if (!logger) logger = make_logger(r, module);
  return logger;
}

Result<void> set_levels(const std::string& spec) {
  std::vector<std::string> words;
  std::stringstream in(spec);
  for (std::string word; std::getline(in, word, ':');) words.push_back(word);
  if (words.empty() || words.size() > 3) {
    return make_error("\"" + spec + "\": expected LEVEL, MODULE:LEVEL or MODULE:DESTINATION:LEVEL");
  }
  VS_ASSIGN(auto level, parse_level(words.back()));
  std::string module = words.size() > 1 ? words.front() : "ANY";
  if (words.size() == 3) {
    static const char* const kDestinations[] = {"console", "file", "syslog", "ANY"};
    if (std::find(std::begin(kDestinations), std::end(kDestinations), words[1]) ==
        std::end(kDestinations)) {
      return make_error("unknown destination \"" + words[1] +
                        "\" (destinations: console, file, syslog, ANY)");
    }
  }
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (module == "ANY") {
    r.level = level;
    for (auto& [name, logger] : r.loggers) logger->set_level(level);
    return boost::outcome_v2::success();
  }
  auto it = r.loggers.find(module);
  if (it == r.loggers.end()) {
    std::string known;
    for (const auto& [name, logger] : r.loggers) known += (known.empty() ? "" : ", ") + name;
    return make_error("unknown module \"" + module + "\" (modules: " + known + ")");
  }
  it->second->set_level(level);
  return boost::outcome_v2::success();
}

std::string list_levels() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::string out = "module     level\n";
  for (const auto& [name, logger] : r.loggers) {
    auto level = spdlog::level::to_string_view(logger->level());
    out += name + std::string(name.size() < 11 ? 11 - name.size() : 1, ' ') +
           std::string(level.data(), level.size()) + "\n";
  }
  return out;
}

}  // namespace vs::log
