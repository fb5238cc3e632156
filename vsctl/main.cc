// vsctl: configures vswitch with ovs-vsctl command lines (see run.cc for the contract).
#include <cstdio>
#include <string>
#include <vector>

#include "vsctl/vsctl.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string out, err;
  int status = vs::vsctl::run_vsctl(args, out, err);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  std::fwrite(err.data(), 1, err.size(), stderr);
  return status;
}
