// Helpers shared by the unit tests: a private temporary directory and Result accessors.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "lib/result.h"

namespace vs::testing {

// A directory under /tmp, removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/vswitch-test-XXXXXX";
    if (!mkdtemp(name)) throw std::runtime_error("mkdtemp failed");
    path_ = name;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The value of a Result that must succeed; a failure ends the test with its message.
template <class T>
T ok(Result<T> result) {
  if (!result) throw std::runtime_error("unexpected error: " + result.error().message);
  if constexpr (!std::is_void_v<T>) return std::move(result).value();
}

// The message of a Result that must fail.
template <class T>
std::string error_of(const Result<T>& result) {
  return result ? std::string("<succeeded>") : result.error().message;
}

}  // namespace vs::testing
