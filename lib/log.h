// Logging for the daemon: one spdlog logger per module ("bridge", "netlink", "dbwatch",
// "control", ...), all writing to one sink (stderr, or the --log-file), each with its own
// level, changed at run time by `vsappctl vlog/set` as OVS's vlog modules are.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "lib/result.h"

namespace vs::log {

// Sends every module's output to `path` (appending), or to stderr when empty; `level` is the
// starting level of every module ("info" by default, "debug" for vswitchd -v). Call once at
// start-up, before get(). Errors: the file cannot be opened.
Result<void> configure(const std::string& path, const std::string& level);

// The logger of `module`, created on first use at the configured level.
std::shared_ptr<spdlog::logger> get(const std::string& module);

// vlog/set: "LEVEL" for every module, or "MODULE:LEVEL", or OVS's "MODULE:DESTINATION:LEVEL"
// (destination console, file, syslog or ANY: there is one destination, so it is accepted and
// ignored). MODULE may be ANY. Levels: off, emer, err, warn, info, dbg (OVS names) or spdlog's
// names. Errors name the bad word and list the choices.
Result<void> set_levels(const std::string& spec);

// vlog/list: every module and its level, one per line.
std::string list_levels();

}  // namespace vs::log
