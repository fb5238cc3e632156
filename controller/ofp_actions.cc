// Actions and instructions (ofp_actions.h): one decoder per list, encoders in canonical order.
#include "controller/ofp_actions.h"

namespace vs::controller::ofp {
namespace {

constexpr size_t kActionAlign = 8;

bool valid_output_port(uint32_t port) {
  return (port != 0 && port <= kPortMax) || (port >= kPortInPort && port <= kPortLocal);
}

// A bucket may watch a standard port (physical, logical or LOCAL), or none (OFPP_ANY).
bool valid_watch_port(uint32_t port) {
  return (port != 0 && port <= kPortMax) || port == kPortLocal || port == kPortAny;
}

bool settable(OxmField field) {
  switch (field) {
    case OxmField::kInPort:
    case OxmField::kInPhyPort:
    case OxmField::kMetadata:  // write_metadata's job
    case OxmField::kEthType:
    case OxmField::kIpProto:
    case OxmField::kIpv6Exthdr:
      return false;
    default:
      return true;
  }
}

// Fills in the type and length of the TLV that starts at `start` and ends at out.end().
template <class T>
void patch_header(std::vector<uint8_t>& out, size_t start, uint16_t type) {
  T header{};
  std::memcpy(&header, out.data() + start, sizeof header);
  header.type.set(type);
  header.length.set(static_cast<uint16_t>(out.size() - start));
  std::memcpy(out.data() + start, &header, sizeof header);
}

OfpResult<Action> decode_set_field(std::span<const uint8_t> action) {
  // ofp_action_set_field: type, len, then one OXM and zero padding to 8 bytes.
  std::span<const uint8_t> rest = action.subspan(sizeof(ActionHeader));
  if (rest.size() < 4) return err::kBadSetLen;
  const size_t tlv = 4 + size_t{rest[3]};
  if (tlv > rest.size()) return err::kBadSetLen;
  OfpResult<Oxm> oxm = decode_oxm(rest.first(tlv));
  if (!oxm) return oxm.error() == err::kBadField ? err::kBadSetType : err::kBadSetLen;
  if (oxm.value().has_mask) return err::kBadSetArgument;
  if (!settable(oxm.value().field)) return err::kBadSetType;
  Action result{Action::Kind::kSetField};
  result.field = oxm.value();
  if (result.field.field == OxmField::kVlanVid) {
    // Controllers send the VID with or without OFPVID_PRESENT; the action always tags.
    result.field = Oxm::exact(OxmField::kVlanVid, result.field.number() & 0x0fff);
  }
  return result;
}

OfpResult<Action> decode_action(std::span<const uint8_t> action) {
  const auto header = load<ActionHeader>(action.data());
  auto sized = [&](size_t size) { return action.size() == size; };
  switch (static_cast<ActionType>(header.type.get())) {
    case ActionType::kOutput: {
      if (!sized(sizeof(ActionOutput))) return err::kBadActionLen;
      const auto wire = load<ActionOutput>(action.data());
      if (!valid_output_port(wire.port.get())) return err::kBadOutPort;
      return Action::output(wire.port.get(), wire.max_len.get());
    }
    case ActionType::kGroup: {
      if (!sized(sizeof(ActionGroup))) return err::kBadActionLen;
      Action result{Action::Kind::kGroup};
      result.group_id = load<ActionGroup>(action.data()).group_id.get();
      return result;
    }
    case ActionType::kPushVlan: {
      if (!sized(sizeof(ActionPush))) return err::kBadActionLen;
      Action result{Action::Kind::kPushVlan};
      result.ethertype = load<ActionPush>(action.data()).ethertype.get();
      if (result.ethertype != 0x8100 && result.ethertype != 0x88a8) {
        return err::kBadActionArgument;
      }
      return result;
    }
    case ActionType::kPopVlan:
      if (!sized(sizeof(ActionNoArgument))) return err::kBadActionLen;
      return Action{Action::Kind::kPopVlan};
    case ActionType::kDecNwTtl:
      if (!sized(sizeof(ActionNoArgument))) return err::kBadActionLen;
      return Action{Action::Kind::kDecNwTtl};
    case ActionType::kSetNwTtl: {
      if (!sized(sizeof(ActionNwTtl))) return err::kBadActionLen;
      Action result{Action::Kind::kSetNwTtl};
      result.ttl = load<ActionNwTtl>(action.data()).nw_ttl;
      return result;
    }
    case ActionType::kSetField:
      return decode_set_field(action);
    case ActionType::kExperimenter:
      return err::kBadActionExperimenter;
    default:
      return err::kBadActionType;
  }
}

}  // namespace

OfpResult<ActionList> decode_actions(std::span<const uint8_t> bytes) {
  ActionList actions;
  while (!bytes.empty()) {
    if (bytes.size() < sizeof(ActionHeader)) return err::kBadActionLen;
    const size_t length = load<ActionHeader>(bytes.data()).length.get();
    if (length < 8 || length % kActionAlign != 0 || length > bytes.size()) {
      return err::kBadActionLen;
    }
    OfpResult<Action> action = decode_action(bytes.first(length));
    if (!action) return action.error();
    actions.push_back(action.value());
    bytes = bytes.subspan(length);
  }
  return actions;
}

void encode_actions(const ActionList& actions, std::vector<uint8_t>& out) {
  for (const Action& action : actions) {
    switch (action.kind) {
      case Action::Kind::kOutput: {
        ActionOutput wire{};
        wire.type.set(static_cast<uint16_t>(ActionType::kOutput));
        wire.length.set(sizeof wire);
        wire.port.set(action.port);
        wire.max_len.set(action.max_len);
        append(out, wire);
        break;
      }
      case Action::Kind::kGroup: {
        ActionGroup wire{};
        wire.type.set(static_cast<uint16_t>(ActionType::kGroup));
        wire.length.set(sizeof wire);
        wire.group_id.set(action.group_id);
        append(out, wire);
        break;
      }
      case Action::Kind::kPushVlan: {
        ActionPush wire{};
        wire.type.set(static_cast<uint16_t>(ActionType::kPushVlan));
        wire.length.set(sizeof wire);
        wire.ethertype.set(action.ethertype);
        append(out, wire);
        break;
      }
      case Action::Kind::kPopVlan:
      case Action::Kind::kDecNwTtl: {
        ActionNoArgument wire{};
        wire.type.set(static_cast<uint16_t>(
            action.kind == Action::Kind::kPopVlan ? ActionType::kPopVlan : ActionType::kDecNwTtl));
        wire.length.set(sizeof wire);
        append(out, wire);
        break;
      }
      case Action::Kind::kSetNwTtl: {
        ActionNwTtl wire{};
        wire.type.set(static_cast<uint16_t>(ActionType::kSetNwTtl));
        wire.length.set(sizeof wire);
        wire.nw_ttl = action.ttl;
        append(out, wire);
        break;
      }
      case Action::Kind::kSetField: {
        const size_t start = out.size();
        out.resize(start + sizeof(ActionHeader));
        Oxm field = action.field;
        if (field.field == OxmField::kVlanVid) {  // on the wire with OFPVID_PRESENT, as OVS
          field = Oxm::exact(OxmField::kVlanVid, field.number() | kVidPresent);
        }
        encode_oxm(field, out);
        out.resize(start + (out.size() - start + kActionAlign - 1) / kActionAlign * kActionAlign,
                   0);
        patch_header<ActionHeader>(out, start, static_cast<uint16_t>(ActionType::kSetField));
        break;
      }
    }
  }
}

OfpResult<BucketList> decode_buckets(std::span<const uint8_t> bytes) {
  BucketList buckets;
  while (!bytes.empty()) {
    if (bytes.size() < sizeof(BucketHeader)) return err::kBadBucket;
    const auto wire = load<BucketHeader>(bytes.data());
    const size_t length = wire.length.get();
    if (length < sizeof wire || length % kActionAlign != 0 || length > bytes.size()) {
      return err::kBadBucket;
    }
    OfpResult<ActionList> actions =
        decode_actions(bytes.subspan(sizeof wire, length - sizeof wire));
    if (!actions) return actions.error();
    Bucket bucket{wire.weight.get(), wire.watch_port.get(), wire.watch_group.get(),
                  std::move(actions).value()};
    if (!valid_watch_port(bucket.watch_port)) return err::kBadWatch;
    if (bucket.watch_group > kGroupMax && bucket.watch_group != kGroupAny) return err::kBadWatch;
    buckets.push_back(std::move(bucket));
    bytes = bytes.subspan(length);
  }
  return buckets;
}

void encode_buckets(const BucketList& buckets, std::vector<uint8_t>& out) {
  for (const Bucket& bucket : buckets) {
    const size_t start = out.size();
    BucketHeader wire{};
    wire.weight.set(bucket.weight);
    wire.watch_port.set(bucket.watch_port);
    wire.watch_group.set(bucket.watch_group);
    append(out, wire);
    encode_actions(bucket.actions, out);
    Be16 length;
    length.set(static_cast<uint16_t>(out.size() - start));
    std::memcpy(out.data() + start, &length, sizeof length);
  }
}

OfpResult<Instructions> decode_instructions(std::span<const uint8_t> bytes) {
  Instructions result;
  while (!bytes.empty()) {
    if (bytes.size() < sizeof(InstructionHeader)) return err::kInstructionBadLen;
    const auto header = load<InstructionHeader>(bytes.data());
    const size_t length = header.length.get();
    if (length < 8 || length % 8 != 0 || length > bytes.size()) return err::kInstructionBadLen;
    std::span<const uint8_t> instruction = bytes.first(length);
    bytes = bytes.subspan(length);
    switch (static_cast<InstructionType>(header.type.get())) {
      case InstructionType::kGotoTable:
        if (length != sizeof(InstructionGotoTable)) return err::kInstructionBadLen;
        if (result.goto_table) return err::kUnsupportedInstruction;
        result.goto_table = load<InstructionGotoTable>(instruction.data()).table_id;
        break;
      case InstructionType::kWriteMetadata: {
        if (length != sizeof(InstructionWriteMetadata)) return err::kInstructionBadLen;
        if (result.write_metadata) return err::kUnsupportedInstruction;
        const auto wire = load<InstructionWriteMetadata>(instruction.data());
        result.write_metadata = {wire.metadata.get(), wire.metadata_mask.get()};
        break;
      }
      case InstructionType::kWriteActions:
      case InstructionType::kApplyActions: {
        const bool apply =
            header.type.get() == static_cast<uint16_t>(InstructionType::kApplyActions);
        auto& slot = apply ? result.apply_actions : result.write_actions;
        if (slot) return err::kUnsupportedInstruction;
        OfpResult<ActionList> actions =
            decode_actions(instruction.subspan(sizeof(InstructionActions)));
        if (!actions) return actions.error();
        slot = std::move(actions).value();
        break;
      }
      case InstructionType::kClearActions:
        if (length != sizeof(InstructionActions)) return err::kInstructionBadLen;
        if (result.clear_actions) return err::kUnsupportedInstruction;
        result.clear_actions = true;
        break;
      case InstructionType::kMeter:
        return err::kUnsupportedInstruction;
      case InstructionType::kExperimenter:
        return err::kInstructionBadExperimenter;
      default:
        return err::kUnknownInstruction;
    }
  }
  return result;
}

void encode_instructions(const Instructions& instructions, std::vector<uint8_t>& out) {
  auto action_list = [&](InstructionType type, const ActionList& actions) {
    const size_t start = out.size();
    out.resize(start + sizeof(InstructionActions), 0);
    encode_actions(actions, out);
    patch_header<InstructionHeader>(out, start, static_cast<uint16_t>(type));
  };
  if (instructions.apply_actions) {
    action_list(InstructionType::kApplyActions, *instructions.apply_actions);
  }
  if (instructions.clear_actions) action_list(InstructionType::kClearActions, {});
  if (instructions.write_actions) {
    action_list(InstructionType::kWriteActions, *instructions.write_actions);
  }
  if (instructions.write_metadata) {
    InstructionWriteMetadata wire{};
    wire.type.set(static_cast<uint16_t>(InstructionType::kWriteMetadata));
    wire.length.set(sizeof wire);
    wire.metadata.set(instructions.write_metadata->value);
    wire.metadata_mask.set(instructions.write_metadata->mask);
    append(out, wire);
  }
  if (instructions.goto_table) {
    InstructionGotoTable wire{};
    wire.type.set(static_cast<uint16_t>(InstructionType::kGotoTable));
    wire.length.set(sizeof wire);
    wire.table_id = *instructions.goto_table;
    append(out, wire);
  }
}

}  // namespace vs::controller::ofp
