// OVSDB values: atoms (integer, real, boolean, string, uuid) and datums (sorted sets of atoms,
// or maps of atom to atom). One parser reads the ovs-vsctl value syntax for every column and
// command; one formatter prints values exactly as ovs-vsctl does.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/result.h"
#include "lib/uuid.h"
#include "ovsdb/schema.h"

namespace vs::ovsdb {

struct Atom {
  std::variant<int64_t, double, bool, std::string, Uuid> value;

  Atom() = default;
  Atom(int64_t i) : value(i) {}
  Atom(double d) : value(d) {}
  Atom(bool b) : value(b) {}
  Atom(std::string s) : value(std::move(s)) {}
  Atom(const char* s) : value(std::string(s)) {}
  Atom(Uuid u) : value(u) {}

  int64_t integer() const { return std::get<int64_t>(value); }
  double real() const { return std::get<double>(value); }
  bool boolean() const { return std::get<bool>(value); }
  const std::string& string() const { return std::get<std::string>(value); }
  const Uuid& uuid() const { return std::get<Uuid>(value); }

  // Total order within one atomic type (OVSDB's): numbers numerically, strings bytewise,
  // false < true, uuids by value.
  bool operator<(const Atom& other) const;
  bool operator==(const Atom& other) const;
};

// A set (values empty) or a map (values.size() == keys.size()), keys sorted and unique.
struct Datum {
  std::vector<Atom> keys;
  std::vector<Atom> values;

  size_t size() const { return keys.size(); }
  bool empty() const { return keys.empty(); }
  bool operator==(const Datum& other) const = default;

  static Datum scalar(Atom atom);
  // Index of `key`, or nullopt.
  std::optional<size_t> find(const Atom& key) const;
  // Sorts by key and removes duplicates (for maps a later duplicate key wins).
  void normalize();
};

// The default value of a column: 0, 0.0, false, "", the zero uuid for scalars; empty otherwise.
Datum default_datum(const ColumnType& type);

// Resolves `@name` references written on the command line to row uuids. Returns nullopt for
// an unknown name (the parser reports it).
using SymbolResolver = std::function<std::optional<Uuid>(std::string_view name)>;

// Parses one atom of `base` in ovs-vsctl syntax: a bare or double-quoted (JSON escapes)
// string, an integer, a real, true/false, a uuid or @name. Checks the base type's
// constraints (range, enum with the allowed values listed in the message).
Result<Atom> parse_atom(std::string_view text, const BaseType& base,
                        const SymbolResolver& symbols = {});

// Parses a whole value of `type`: sets as `[a, b]` or `a,b`, maps as `{k=v, k2=v2}` or
// `k=v,k2=v2`, an empty set `[]`, an empty map `{}`. Checks every atom and the size limits.
Result<Datum> parse_datum(std::string_view text, const ColumnType& type,
                          const SymbolResolver& symbols = {});

// One token of the value syntax at the start of `text`: a run of characters up to one of
// :=, []{}!<> outside double quotes (quotes are kept: parse_atom reads them).
// Returns the token and how many bytes of `text` it used. vsctl splits COLUMN[:KEY]=VALUE
// with it, so column names and keys quote exactly as values do.
struct Token {
  std::string text;
  size_t length = 0;
};
Result<Token> parse_token(std::string_view text);

// Checks an atom against its base type's constraints (used for values not parsed from text).
Result<void> check_atom(const Atom& atom, const BaseType& base);

// ovs-vsctl's text form: strings bare when they read unambiguously as a string, otherwise
// double-quoted with JSON escapes; sets as [a, b]; maps as {k=v}; a scalar or a present
// optional value bare; an absent optional value as [].
std::string format_atom(const Atom& atom, AtomicType type);
std::string format_datum(const Datum& datum, const ColumnType& type);

// OVSDB's JSON notation as ovs-vsctl --format=json prints it: an atom as itself, a uuid as
// ["uuid","..."], a set of other than one element as ["set",[...]], a map as ["map",[[k,v],...]].
std::string format_datum_json(const Datum& datum, const ColumnType& type);

// Appends `text` as a JSON string literal, escaped as OVS's serializer does it.
void append_json_string(std::string& out, std::string_view text);

}  // namespace vs::ovsdb
