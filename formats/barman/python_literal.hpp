#pragma once
// Python literals as Barman writes them with repr() into backup.info (None,
// True/False, numbers, quoted strings, lists, tuples, dicts) - the subset
// ast.literal_eval reads back. Our own reader: Barman is never run.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::barman {

struct PythonDictEntry;

struct PythonValue
{
  enum class Kind { None, Bool, Int, Float, String, List, Tuple, Dict };
  Kind kind = Kind::None;
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;                     // String (decoded, UTF-8)
  std::vector<PythonValue> items;       // List, Tuple
  std::vector<PythonDictEntry> entries; // Dict, in order written
};

struct PythonDictEntry
{
  PythonValue key;
  PythonValue value;
};

// Parses one literal spanning all of text (surrounding spaces allowed).
// Throws ValidationError saying what is wrong and at which offset; nesting
// deeper than 32 levels and integers beyond 64 bits are refused.
PythonValue parse_python_literal(std::string_view text);

} // namespace lastgood::formats::barman
