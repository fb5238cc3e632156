// OVSDB atoms and datums: the ovs-vsctl value syntax (tokenizer, JSON-quoted strings, integer
// ranges), constraint checks, and the text and JSON forms ovs-vsctl prints. Messages and quoting
// follow ovs-vsctl 3.1 as observed (tests/ovsdb/datum_test.cc holds the captured examples);
// vsctl and the storage layer build on this file.
#include "ovsdb/datum.h"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cfloat>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>

namespace vs::ovsdb {

namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;  // clang 14 lacks aggregate deduction

// OVSDB caps how many integers one "a-b" range may expand to.
constexpr uint64_t kMaxRangeSize = 4096;

// The variant index that holds atoms of `type`.
size_t variant_index(AtomicType type) {
  switch (type) {
    case AtomicType::kInteger:
      return 0;
    case AtomicType::kReal:
      return 1;
    case AtomicType::kBoolean:
      return 2;
    case AtomicType::kString:
      return 3;
    case AtomicType::kUuid:
      return 4;
  }
  return 0;
}

// isspace() in the C locale, without its locale dependence.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Characters that end a bare token (OVS's set; note that tab is not one of them).
bool is_delim(char c) { return std::string_view(":=, []{}!<>").find(c) != std::string_view::npos; }

size_t skip_spaces(std::string_view s, size_t p) {
  while (p < s.size() && is_space(s[p])) ++p;
  return p;
}

std::string double_quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string format_real(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", DBL_DIG, d);
  return buf;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c >= 0x20) {
          out += static_cast<char>(c);
        } else {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        }
    }
  }
  out += '"';
}

namespace {

// A string prints bare only if it cannot be read back as anything but that string.
bool needs_quotes(std::string_view s) {
  if (s.empty() || !(is_alpha(s[0]) || s[0] == '_')) return true;
  for (char c : s.substr(1)) {
    if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '-' && c != '.') return true;
  }
  return s == "true" || s == "false" || Uuid::parse(s).has_value();
}

// Returns a description of the first ill-formed UTF-8 sequence in `s`, or an empty string.
// The bytes listed run up to the offending one; past the end that is the C terminator 0x00,
// as OVS reports it.
std::string utf8_error(std::string_view s) {
  auto describe = [&](size_t start, size_t n) {
    std::string msg = "invalid UTF-8 sequence";
    for (size_t i = start; i < start + n; ++i) {
      char buf[8];
      std::snprintf(buf, sizeof buf, " 0x%02x", i < s.size() ? static_cast<uint8_t>(s[i]) : 0);
      msg += buf;
    }
    return msg;
  };
  for (size_t i = 0; i < s.size();) {
    auto lead = static_cast<uint8_t>(s[i]);
    if (lead == 0) return describe(i, 1);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // Well-formed sequences (Unicode table 3-7): the range for the second byte depends on
    // the lead byte; the rest are always 80..BF.
    size_t length;
    uint8_t lo = 0x80, hi = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) lo = 0xa0;
      if (lead == 0xed) hi = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) lo = 0x90;
      if (lead == 0xf4) hi = 0x8f;
    } else {
      return describe(i, 1);
    }
    for (size_t k = 1; k < length; ++k) {
      uint8_t c = i + k < s.size() ? static_cast<uint8_t>(s[i + k]) : 0;
      uint8_t min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xbf;
      if (c < min || c > max) return describe(i, k + 1);
    }
    i += length;
  }
  return {};
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Reads the 4 hex digits of a \u escape at body[*i].
Result<uint32_t> read_hex4(std::string_view body, size_t* i) {
  if (*i + 4 > body.size()) return make_error("quoted string ends within \\u escape");
  uint32_t value = 0;
  for (size_t k = 0; k < 4; ++k) {
    char c = body[*i + k];
    int digit = is_digit(c)              ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
    if (digit < 0) return make_error("malformed \\u escape");
    value = value << 4 | static_cast<uint32_t>(digit);
  }
  if (value == 0) return make_error("null bytes not supported in quoted strings");
  *i += 4;
  return value;
}

// Decodes the inside of a double-quoted string (JSON escapes). Errors are reported in the
// order they occur, as OVS 3.1 does.
Result<std::string> unescape(std::string_view body) {
  std::string out;
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c == '"') return make_error("quoted string may not include unescaped \"");
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 == body.size()) return make_error("quoted string may not end with backslash");
    char e = body[i + 1];
    i += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        auto c0 = read_hex4(body, &i);
        if (!c0) return c0.as_failure();
        uint32_t cp = c0.value();
        if (cp >= 0xd800 && cp <= 0xdbff) {
          if (i + 2 > body.size() || body[i] != '\\' || body[i + 1] != 'u') {
            return make_error("malformed escaped surrogate pair");
          }
          i += 2;
          auto c1 = read_hex4(body, &i);
          if (!c1) return c1.as_failure();
          if (c1.value() < 0xdc00 || c1.value() > 0xdfff) {
            return make_error("second half of escaped surrogate pair is not trailing surrogate");
          }
          cp = 0x10000 + ((cp - 0xd800) << 10) + (c1.value() - 0xdc00);
        }
        // A lone trailing surrogate is encoded as is; the UTF-8 check rejects it later.
        append_utf8(out, cp);
        break;
      }
      default:
        return make_error(std::string("bad escape \\") + e);
    }
  }
  return out;
}

// strtoll-based parsing with OVS's acceptance rules: leading blanks and a sign are allowed,
// overflow and anything left over are not. Stops at `*end` when `end` is given.
bool parse_int64(const std::string& s, size_t start, int64_t* value, size_t* end) {
  const char* begin = s.c_str() + start;
  char* tail;
  errno = 0;
  long long v = std::strtoll(begin, &tail, 10);
  if (errno == ERANGE || errno == EINVAL || tail == begin) return false;
  if (end) {
    *end = static_cast<size_t>(tail - s.c_str());
  } else if (tail != s.c_str() + s.size()) {  // also refuses an embedded NUL
    return false;
  }
  *value = v;
  return true;
}

// "a-b", an inclusive range of integers.
bool parse_int_range(const std::string& s, int64_t* begin, int64_t* end) {
  size_t tail;
  return parse_int64(s, 0, begin, &tail) && tail < s.size() && s[tail] == '-' &&
         parse_int64(s, tail + 1, end, nullptr);
}

std::string format_enum(const BaseType& base) {
  std::vector<std::string> values = base.enum_values;
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += format_atom(Atom(values[i]), AtomicType::kString);
  }
  return out + "]";
}

// Parses one atom from already-tokenized text. With `range` set (set columns of integers),
// "a-b" expands to every integer from a to b.
Result<void> parse_atom_into(std::string_view text, const BaseType& base,
                             const SymbolResolver& symbols, bool range, std::vector<Atom>& out) {
  std::string s(text);
  switch (base.type) {
    case AtomicType::kInteger: {
      int64_t first, last;
      if (range && parse_int_range(s, &first, &last)) {
        if (last < first) {
          return make_error(double_quoted(s) +
                            " is not a valid range. Range end cannot be before start.");
        }
        if (auto r = check_atom(Atom(first), base); !r) return r;
        if (auto r = check_atom(Atom(last), base); !r) return r;
        if (static_cast<uint64_t>(last) - static_cast<uint64_t>(first) >= kMaxRangeSize) {
          return make_error("constraint violation: Range \"" + std::to_string(first) + "-" +
                            std::to_string(last) + "\" is too big. Maximum allowed size is " +
                            std::to_string(kMaxRangeSize) + ".");
        }
        for (int64_t i = first;; ++i) {
          out.emplace_back(i);
          if (i == last) break;
        }
        return boost::outcome_v2::success();
      }
      int64_t value;
      if (!parse_int64(s, 0, &value, nullptr)) {
        return make_error(double_quoted(s) + " is not a valid integer or range");
      }
      out.emplace_back(value);
      break;
    }
    case AtomicType::kReal: {
      char* tail;
      errno = 0;
      double d = std::strtod(s.c_str(), &tail);
      // Underflow is accepted, overflow is not (OVS's str_to_double).
      if ((errno == ERANGE && d != 0) || tail == s.c_str() || tail != s.c_str() + s.size()) {
        return make_error(double_quoted(s) + " is not a valid real number");
      }
      out.emplace_back(d == 0 ? 0.0 : d);  // no negative zero, as in OVS's JSON input
      break;
    }
    case AtomicType::kBoolean:
      if (s == "true" || s == "yes" || s == "on" || s == "1") {
        out.emplace_back(true);
      } else if (s == "false" || s == "no" || s == "off" || s == "0") {
        out.emplace_back(false);
      } else {
        return make_error(double_quoted(s) + " is not a valid boolean (use \"true\" or \"false\")");
      }
      break;
    case AtomicType::kString:
      if (s.empty()) {
        return make_error(
            "An empty string is not valid as input; use \"\" to represent the empty string");
      }
      if (s[0] == '"') {
        if (s.size() < 2 || s.back() != '"') {
          return make_error(s + ": missing quote at end of quoted string");
        }
        auto str = unescape(std::string_view(s).substr(1, s.size() - 2));
        if (!str) return make_error(s + ": " + str.error().message);
        out.emplace_back(std::move(str).value());
      } else {
        out.emplace_back(std::move(s));
      }
      break;
    case AtomicType::kUuid:
      if (s[0] == '@' && symbols) {
        // The resolver sees the name with its '@', as it was written after --id=.
        std::optional<Uuid> uuid = symbols(s);
        if (!uuid) {
          return make_error("row id " + double_quoted(s) +
                            " is referenced but never created (e.g. with \"-- --id=" + s +
                            " create ...\")");
        }
        out.emplace_back(*uuid);
      } else if (std::optional<Uuid> uuid = Uuid::parse(s)) {
        out.emplace_back(*uuid);
      } else {
        return make_error(double_quoted(s) + " is not a valid UUID");
      }
      break;
  }
  return check_atom(out.back(), base);
}

// One token of the datum syntax at text[*p]: a run up to a delimiter, where a backslash takes
// the next character literally (and is dropped) and double quotes hide delimiters (and are
// kept, with any backslashes inside them, for the atom parser).
Result<std::string> next_token(std::string_view text, size_t* p) {
  std::string out;
  bool in_quotes = false;
  size_t i = *p;
  while (i < text.size()) {
    char c = text[i++];
    if (c == '\\') {
      if (in_quotes) out += '\\';
      if (i == text.size()) {
        return make_error(std::string(text.substr(*p)) + ": backslash at end of argument");
      }
      out += text[i++];
    } else if (!in_quotes && is_delim(c)) {
      --i;
      break;
    } else {
      out += c;
      if (c == '"') in_quotes = !in_quotes;
    }
  }
  if (in_quotes) {
    return make_error(std::string(text.substr(*p)) +
                      ": quoted string extends past end of argument");
  }
  *p = i;
  return out;
}

// OVS's English name of a column type, used in syntax errors.
std::string type_to_english(const ColumnType& type) {
  std::string key(atomic_type_name(type.key.type));
  if (type.is_scalar()) return key;
  std::string out = type.is_map() ? "map" : "set";
  if (type.max == kUnlimited) {
    out += type.min ? " of " + std::to_string(type.min) + " or more" : " of";
  } else if (type.min) {
    out += " of " + std::to_string(type.min) + " to " + std::to_string(type.max);
  } else {
    out += " of up to " + std::to_string(type.max);
  }
  if (type.is_map()) {
    return out + " (" + key + ", " + std::string(atomic_type_name(type.value->type)) + ") pairs";
  }
  return out + " " + key + "s";
}

void append_atom_json(std::string& out, const Atom& atom) {
  std::visit(Overloaded{[&](int64_t i) { out += std::to_string(i); },
                        [&](double d) { out += format_real(d); },
                        [&](bool b) { out += b ? "true" : "false"; },
                        [&](const std::string& s) { append_json_string(out, s); },
                        [&](const Uuid& u) { out += "[\"uuid\",\"" + u.to_string() + "\"]"; }},
             atom.value);
}

}  // namespace

// std::variant orders by alternative first, then by each type's own <: bytewise (unsigned)
// for strings, false < true, and canonical text order for uuids (their bytes are stored in it).
bool Atom::operator<(const Atom& other) const { return value < other.value; }

bool Atom::operator==(const Atom& other) const { return value == other.value; }

Datum Datum::scalar(Atom atom) {
  Datum datum;
  datum.keys.push_back(std::move(atom));
  return datum;
}

std::optional<size_t> Datum::find(const Atom& key) const {
  auto it = std::lower_bound(keys.begin(), keys.end(), key);
  if (it == keys.end() || key < *it) return std::nullopt;
  return static_cast<size_t>(it - keys.begin());
}

void Datum::normalize() {
  bool is_map = !values.empty();
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  Datum sorted;
  for (size_t i = 0; i < order.size(); ++i) {
    // Within a run of equal keys the stable sort keeps input order, so the last one wins.
    if (i + 1 < order.size() && keys[order[i]] == keys[order[i + 1]]) continue;
    sorted.keys.push_back(std::move(keys[order[i]]));
    if (is_map) sorted.values.push_back(std::move(values[order[i]]));
  }
  *this = std::move(sorted);
}

Datum default_datum(const ColumnType& type) {
  auto default_atom = [](AtomicType t) -> Atom {
    switch (t) {
      case AtomicType::kInteger:
        return Atom(int64_t{0});
      case AtomicType::kReal:
        return Atom(0.0);
      case AtomicType::kBoolean:
        return Atom(false);
      case AtomicType::kString:
        return Atom(std::string());
      case AtomicType::kUuid:
        return Atom(Uuid());
    }
    return Atom();
  };
  Datum datum;
  // RFC 7047: min 0 means empty, min 1 means one default key (and value, for a map).
  if (type.min > 0) {
    datum.keys.push_back(default_atom(type.key.type));
    if (type.is_map()) datum.values.push_back(default_atom(type.value->type));
  }
  return datum;
}

Result<void> check_atom(const Atom& atom, const BaseType& base) {
  if (atom.value.index() != variant_index(base.type)) {
    return make_error("expected " + std::string(atomic_type_name(base.type)));
  }
  if (base.type == AtomicType::kString && !base.enum_values.empty() &&
      std::find(base.enum_values.begin(), base.enum_values.end(), atom.string()) ==
          base.enum_values.end()) {
    return make_error("constraint violation: " + format_atom(atom, base.type) +
                      " is not one of the allowed values (" + format_enum(base) + ")");
  }
  if (base.type == AtomicType::kInteger) {
    int64_t v = atom.integer();
    if (v < base.min_integer || v > base.max_integer) {
      constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
      constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
      std::string value = std::to_string(v);
      if (base.min_integer != kMin && base.max_integer != kMax) {
        return make_error("constraint violation: " + value + " is not in the valid range " +
                          std::to_string(base.min_integer) + " to " +
                          std::to_string(base.max_integer) + " (inclusive)");
      }
      if (base.min_integer != kMin) {
        return make_error("constraint violation: " + value +
                          " is less than minimum allowed value " +
                          std::to_string(base.min_integer));
      }
      return make_error("constraint violation: " + value +
                        " is greater than maximum allowed value " +
                        std::to_string(base.max_integer));
    }
  }
  if (base.type == AtomicType::kString) {
    if (std::string error = utf8_error(atom.string()); !error.empty()) {
      return make_error("constraint violation: not a valid UTF-8 string: " + error);
    }
  }
  if (base.check) {
    if (std::string error = base.check(atom); !error.empty()) return make_error(std::move(error));
  }
  return boost::outcome_v2::success();
}

Result<Token> parse_token(std::string_view text) {
  size_t p = 0;
  auto token = next_token(text, &p);
  if (!token) return token.as_failure();
  return Token{std::move(token).value(), p};
}

Result<Atom> parse_atom(std::string_view text, const BaseType& base,
                        const SymbolResolver& symbols) {
  std::vector<Atom> atoms;
  if (auto r = parse_atom_into(text, base, symbols, false, atoms); !r) return r.as_failure();
  return std::move(atoms.front());
}

Result<Datum> parse_datum(std::string_view text, const ColumnType& type,
                          const SymbolResolver& symbols) {
  const bool is_map = type.is_map();
  const std::string whole(text);
  const char open = is_map ? '{' : '[';
  const char close = is_map ? '}' : ']';

  size_t p = skip_spaces(text, 0);
  bool bracketed = false;
  if (p < text.size() && text[p] == open) {
    bracketed = true;
    p = skip_spaces(text, p + 1);
  } else if (p == text.size()) {
    return make_error(is_map ? "use \"{}\" to specify the empty map"
                             : "use \"[]\" to specify the empty set");
  }

  Datum datum;
  // Ranges only for sets: OVS also takes them for map keys but then crashes.
  const bool allow_range = !is_map && type.key.type == AtomicType::kInteger;
  while (p < text.size() && !(bracketed && text[p] == close)) {
    if (is_delim(text[p])) {
      return make_error(whole + ": unexpected \"" + text[p] + "\" parsing " +
                        type_to_english(type));
    }
    const size_t start = p;
    auto key = next_token(text, &p);
    if (!key) return key.as_failure();
    if (auto r = parse_atom_into(key.value(), type.key, symbols, allow_range, datum.keys); !r) {
      return r.as_failure();
    }
    if (is_map) {
      p = skip_spaces(text, p);
      if (p == text.size() || text[p] != '=') {
        // At the end OVS formats a NUL with %c, which cuts its message short right there.
        std::string rest(text.substr(start));
        return make_error(p == text.size()
                              ? rest + ": syntax error at \""
                              : rest + ": syntax error at \"" + text[p] + "\" expecting \"=\"");
      }
      p = skip_spaces(text, p + 1);
      auto value = next_token(text, &p);
      if (!value) return value.as_failure();
      if (auto r = parse_atom_into(value.value(), *type.value, symbols, false, datum.values); !r) {
        return r.as_failure();
      }
    }
    p = skip_spaces(text, p);
    if (p < text.size() && text[p] == ',') p = skip_spaces(text, p + 1);
  }
  if (bracketed) {
    if (p == text.size()) {
      return make_error(whole + ": missing \"" + close + "\" at end of data");
    }
    if (skip_spaces(text, p + 1) != text.size()) {
      return make_error(whole + ": trailing garbage after \"" + close + "\"");
    }
  }

  const char* what = is_map ? "pair(s)" : "value(s)";
  if (datum.size() < type.min) {
    return make_error(whole + ": " + std::to_string(datum.size()) + " " + what +
                      " specified but the minimum number is " + std::to_string(type.min));
  }
  if (datum.size() > type.max) {
    return make_error(whole + ": " + std::to_string(datum.size()) + " " + what +
                      " specified but the maximum number is " + std::to_string(type.max));
  }

  const size_t n = datum.size();
  datum.normalize();
  if (datum.size() != n) {
    return make_error(whole +
                      (is_map ? ": map contains duplicate key" : ": set contains duplicate value"));
  }
  return datum;
}

std::string format_atom(const Atom& atom, [[maybe_unused]] AtomicType type) {
  assert(atom.value.index() == variant_index(type));
  return std::visit(Overloaded{[](int64_t i) { return std::to_string(i); },
                               [](double d) { return format_real(d); },
                               [](bool b) { return std::string(b ? "true" : "false"); },
                               [](const std::string& s) {
                                 if (!needs_quotes(s)) return s;
                                 std::string out;
                                 append_json_string(out, s);
                                 return out;
                               },
                               [](const Uuid& u) { return u.to_string(); }},
                    atom.value);
}

std::string format_datum(const Datum& datum, const ColumnType& type) {
  const bool is_map = type.is_map();
  const bool brackets = type.max > 1 || datum.empty();
  std::string out;
  if (brackets) out += is_map ? '{' : '[';
  for (size_t i = 0; i < datum.size(); ++i) {
    if (i) out += ", ";
    out += format_atom(datum.keys[i], type.key.type);
    if (is_map) out += "=" + format_atom(datum.values[i], type.value->type);
  }
  if (brackets) out += is_map ? '}' : ']';
  return out;
}

std::string format_datum_json(const Datum& datum, const ColumnType& type) {
  std::string out;
  if (type.is_map()) {
    out += "[\"map\",[";
    for (size_t i = 0; i < datum.size(); ++i) {
      if (i) out += ',';
      out += '[';
      append_atom_json(out, datum.keys[i]);
      out += ',';
      append_atom_json(out, datum.values[i]);
      out += ']';
    }
    return out + "]]";
  }
  if (datum.size() == 1) {
    append_atom_json(out, datum.keys[0]);
    return out;
  }
  out += "[\"set\",[";
  for (size_t i = 0; i < datum.size(); ++i) {
    if (i) out += ',';
    append_atom_json(out, datum.keys[i]);
  }
  return out + "]]";
}

}  // namespace vs::ovsdb
