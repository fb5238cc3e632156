// Result type for control-plane code and system calls (STYLE.md, "three tiers"): a value or
// an Error with a message meant for the user. Accessing the wrong alternative terminates.
#pragma once

#include <boost/outcome.hpp>
#include <string>
#include <utility>

namespace vs {

struct Error {
  std::string message;
};

template <class T>
using Result = boost::outcome_v2::result<T, Error, boost::outcome_v2::policy::terminate>;

inline Error make_error(std::string message) { return Error{std::move(message)}; }

}  // namespace vs

// VS_TRY(expr): returns early with the error of a failed Result, discarding any value.
// VS_ASSIGN(declaration, expr): the same, then initialises `declaration` with the value:
//   VS_ASSIGN(auto rows, txn.load_table(table));
#define VS_TRY(expr)                                    \
  do {                                                  \
    auto&& vs_try_result_ = (expr);                     \
    if (!vs_try_result_) return vs_try_result_.error(); \
  } while (0)
#define VS_ASSIGN(declaration, expr) \
  VS_ASSIGN_IMPL_(VS_CONCAT_(vs_assign_result_, __LINE__), declaration, expr)
#define VS_ASSIGN_IMPL_(tmp, declaration, expr) \
  auto tmp = (expr);                            \
  if (!tmp) return tmp.error();                 \
  declaration = std::move(tmp).value()
#define VS_CONCAT_(a, b) VS_CONCAT2_(a, b)
#define VS_CONCAT2_(a, b) a##b
