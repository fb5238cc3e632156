// PortVlans (port_vlans.h): the configuration defaults, then the per-frame rules.
#include "vlan/port_vlans.h"

namespace vs::vlan {
namespace {

Result<uint16_t> vid_of(int64_t value, const char* column) {
  if (value < 0 || value >= kVidCount) {
    return make_error(std::string(column) + " " + std::to_string(value) +
                      " is not a VLAN ID (0 to 4095)");
  }
  return static_cast<uint16_t>(value);
}

std::optional<Mode> parse_mode(std::string_view name) {
  for (Mode mode : {Mode::kAccess, Mode::kTrunk, Mode::kNativeTagged, Mode::kNativeUntagged}) {
    if (mode_name(mode) == name) return mode;
  }
  return std::nullopt;
}

std::optional<PriorityTags> parse_priority_tags(std::string_view value) {
  if (value.empty() || value == "never" || value == "false") return PriorityTags::kNever;
  if (value == "if-nonzero" || value == "true") return PriorityTags::kIfNonzero;
  if (value == "always") return PriorityTags::kAlways;
  return std::nullopt;
}

void add_note(std::string& notes, const std::string& note) {
  notes += (notes.empty() ? "" : "; ") + note;
}

}  // namespace

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::kAccess:
      return "access";
    case Mode::kTrunk:
      return "trunk";
    case Mode::kNativeTagged:
      return "native-tagged";
    case Mode::kNativeUntagged:
      return "native-untagged";
  }
  return "?";
}

Result<PortVlans> PortVlans::configure(std::optional<int64_t> tag, std::span<const int64_t> trunks,
                                       std::string_view mode, std::string_view priority_tags) {
  PortVlans port;
  if (mode.empty()) {
    port.mode_ = tag ? Mode::kAccess : Mode::kTrunk;
  } else if (auto parsed = parse_mode(mode)) {
    port.mode_ = *parsed;
  } else {
    return make_error("vlan_mode \"" + std::string(mode) +
                      "\" is not supported (access, trunk, native-tagged, native-untagged)");
  }
  if (tag) {
    VS_ASSIGN(uint16_t vid, vid_of(*tag, "tag"));
    if (port.mode_ != Mode::kTrunk) port.vlan_ = vid;
  }
  if (!trunks.empty()) port.trunks_.reset();  // else every VLAN, as a default port
  for (int64_t trunk : trunks) {
    VS_ASSIGN(uint16_t vid, vid_of(trunk, "trunks"));
    port.trunks_.set(vid);
  }

  switch (port.mode_) {
    case Mode::kAccess:
      if (!trunks.empty()) {
        add_note(port.notes_, mode.empty() ? "trunks ignored: tag makes the port an access port"
                                           : "trunks ignored on an access port");
      }
      break;
    case Mode::kTrunk:
      if (tag) add_note(port.notes_, "tag ignored on a trunk port");
      break;
    case Mode::kNativeTagged:
    case Mode::kNativeUntagged:
      // The native VLAN is always carried and VLAN 0 never: untagged frames are native ones.
      if (port.vlan_ != 0) {
        port.trunks_.set(port.vlan_);
        port.trunks_.reset(0);
      }
      break;
  }
  if (auto parsed = parse_priority_tags(priority_tags)) {
    port.priority_tags_ = *parsed;
  } else {
    add_note(port.notes_, "priority-tags \"" + std::string(priority_tags) +
                              "\" is not never, if-nonzero or always: never");
  }
  return port;
}

PortVlans PortVlans::none() {
  PortVlans port;
  port.trunks_.reset();
  return port;
}

bool PortVlans::includes(uint16_t vid) const {
  if (vid >= kVidCount) return false;
  if (mode_ == Mode::kAccess) return vid == vlan_;
  if (mode_ != Mode::kTrunk && vid == vlan_) return true;
  return trunks_.test(vid);
}

std::optional<Tag> PortVlans::input(Tag frame) const {
  switch (mode_) {
    case Mode::kAccess:
      if (frame.vid != 0) return std::nullopt;
      return Tag{vlan_, frame.pcp};
    case Mode::kTrunk:
      if (!includes(frame.vid)) return std::nullopt;
      return frame;
    case Mode::kNativeTagged:
    case Mode::kNativeUntagged:
      if (frame.vid == 0) return Tag{vlan_, frame.pcp};
      if (!includes(frame.vid)) return std::nullopt;
      return frame;
  }
  return std::nullopt;
}

Egress PortVlans::output(uint16_t vid) const {
  if (!includes(vid)) return Egress::kNone;
  switch (mode_) {
    case Mode::kAccess:
      return Egress::kUntagged;
    case Mode::kTrunk:
    case Mode::kNativeTagged:
      return vid == 0 ? Egress::kUntagged : Egress::kTagged;
    case Mode::kNativeUntagged:
      return vid == vlan_ || vid == 0 ? Egress::kUntagged : Egress::kTagged;
  }
  return Egress::kNone;
}

}  // namespace vs::vlan
