// sql/jsonb_tree.h — a jsonb value as a tree, for the functions that rebuild one (jsonb_set,
// jsonb_insert, #-, -, ||, jsonb_strip_nulls, jsonb_pretty).
//
// Built from any JSON text, it holds jsonb's form (jsonb_text.h): an object's keys in jsonb order and
// each once, and each scalar as jsonb prints it, so a number keeps the digits it was written with.
// Printing a tree gives jsonb's text again; edits that add a key keep the order by inserting in place.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::sql {

struct jsonb_node {
  enum class kind : unsigned char { object, array, scalar };
  kind type = kind::scalar;
  std::string scalar = "null";     // a scalar's jsonb text: "quoted", 2.50, true, null
  std::vector<std::string> keys;   // an object's keys, in jsonb order; values[i] is keys[i]'s
  std::vector<jsonb_node> values;  // an object's values, or an array's items

  bool is_null() const { return type == kind::scalar && scalar == "null"; }
  bool is_string() const { return type == kind::scalar && !scalar.empty() && scalar.front() == '"'; }
  // A string scalar's contents, unescaped.
  std::string string_value() const;
  // Sets `key` (adding it in jsonb order if new).
  void set_field(const std::string& key, jsonb_node value);
};

// The tree of a JSON text. Raises 22P02 if it is not JSON.
jsonb_node jsonb_tree(std::string_view json);
// jsonb's text of a tree.
std::string jsonb_tree_text(const jsonb_node& node);
// jsonb_pretty's layout: four spaces an indent, each item on its own line.
std::string jsonb_tree_pretty(const jsonb_node& node);

}  // namespace sluice::sql
