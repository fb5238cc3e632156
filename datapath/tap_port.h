// The `tap` and `internal` ports: a TAP device driven through a /dev/net/tun descriptor
// (IFF_TAP | IFF_NO_PI), one read()/write() per frame. `internal` is the bridge's local port, a
// TAP named after the bridge; `system` (afpacket_port.h) is the other way to reach a TAP that a
// hypervisor created. CharDevicePort, the read()/write() half, also serves the macvtap port
// (macvtap_port.h). Registered with the factory in port_factory.cc.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "datapath/port.h"
#include "lib/result.h"
#include "lib/unique_fd.h"

namespace vs::datapath {

// The kernel's dev_valid_name(), plus '%', which netdev creation would expand into a number.
bool valid_device_name(const std::string& name);
// What valid_device_name() asks, for error messages.
inline constexpr char kDeviceNameRule[] = "1 to 15 characters, no '/', ':', '%' or spaces";

// A port whose descriptor carries one plain Ethernet frame per read() and write(), with no
// per-frame header: /dev/net/tun with IFF_TAP | IFF_NO_PI, /dev/tapN of a macvtap without
// IFF_VNET_HDR. Subclasses only open the descriptor; it is closed after their destructor runs.
class CharDevicePort : public Port {
 public:
  size_t rx_batch(PacketPool& pool, PacketBatch& batch) override;
  void tx_batch(PacketBatch&& batch) override;
  PortStats stats() const override { return stats_; }
  int fd() const override { return fd_.get(); }

 protected:
  CharDevicePort(std::string name, UniqueFd fd) : Port(std::move(name)), fd_(std::move(fd)) {}

 private:
  UniqueFd fd_;
  PortStats stats_;
};

class TapPort : public CharDevicePort {
 public:
  enum class Kind {
    kTap,       // Interface.type "tap": the admin state belongs to whoever uses the device
    kInternal,  // Interface.type "internal": left down, as OVS does (see open())
    kLocal,     // "internal", the bridge's own port (named after it): brought up at open
  };

  // Opens `device` as a TAP through /dev/net/tun, non-blocking and close-on-exec. If no netdev
  // of that name exists, the kernel creates one that is not persistent: it disappears when the
  // port closes. If a TAP of that name exists (e.g. `ip tuntap add mode tap`, or a hypervisor's)
  // the port attaches to it; the port never changes persistence (no TUNSETPERSIST), so a
  // persistent device outlives the port.
  //
  // kLocal also sets IFF_UP, so the bridge's local port carries traffic as soon as the bridge
  // exists. OVS leaves every internal port down until the user brings it up; vswitch makes the
  // bridge's own interface useful at once, on purpose, but leaves other internal ports down like
  // OVS: a thousand internal ports coming up at once would flood the bridge with their IPv6
  // autoconfiguration. kTap leaves the admin state alone; going down is never done on close
  // (the device either vanishes or belongs to someone else).
  //
  // Errors name the device: invalid or too long a name, no /dev/net/tun, no permission
  // (CAP_NET_ADMIN, or the TAP's owner/group), busy (another process holds a single-queue TAP),
  // a netdev of that name that is not a TAP, failure to bring it up.
  static Result<std::unique_ptr<TapPort>> open(const std::string& device, Kind kind);

  Kind kind() const { return kind_; }
  // True if no netdev of this name existed just before open(): the port created the device,
  // and it goes away with the port.
  bool created_device() const { return created_device_; }

 private:
  TapPort(std::string name, Kind kind, bool created_device, UniqueFd fd);

  Kind kind_;
  bool created_device_;
};

}  // namespace vs::datapath
