// Builders for raw eBPF instructions, the kernel's BPF_MOV64_IMM() & co. (tools/include/linux/
// filter.h, not exported to user space), so that a tiny program such as the AF_XDP redirect
// (afxdp_port.cc) is a constant array in C++ rather than an object file built with clang.
#pragma once

#include <linux/bpf.h>

#include <cstdint>

namespace vs::datapath::bpf {

constexpr bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  return bpf_insn{.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}
// dst = imm
constexpr bpf_insn mov64_imm(uint8_t dst, int32_t imm) {
  return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
// dst = *(u32 *)(src + off)
constexpr bpf_insn load32(uint8_t dst, uint8_t src, int16_t off) {
  return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
}
// dst = the map whose fd is `map_fd`: a 64-bit load, so two instructions.
constexpr bpf_insn load_map_fd(uint8_t dst, int map_fd) {
  return insn(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, map_fd);
}
constexpr bpf_insn load_map_fd_high() { return insn(0, 0, 0, 0, 0); }
// r0 = helper(r1, ..., r5)
constexpr bpf_insn call(bpf_func_id helper) { return insn(BPF_JMP | BPF_CALL, 0, 0, 0, helper); }
// return r0
constexpr bpf_insn exit() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

}  // namespace vs::datapath::bpf
