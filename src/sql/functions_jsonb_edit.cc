// sql/functions_jsonb_edit.cc — the jsonb functions that build a changed document: jsonb_set,
// jsonb_insert, the operators #-, - and ||, jsonb_strip_nulls and jsonb_pretty. Each works on a
// jsonb_tree, so numbers keep the digits they were written with, and follows Postgres's setPath rules
// for where a path leads (array indexes counted from the end when negative, clamped to the ends).
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

#include "sql/error.h"
#include "sql/functions.h"
#include "sql/jsonb_tree.h"

namespace sluice::sql {
namespace {

using dt = data_type;
using kind = jsonb_node::kind;

value jsonb_of(const jsonb_node& node) { return value::jsonb(jsonb_tree_text(node)); }

// What a path edit does at the path's last step, as Postgres's setPath op types.
enum class edit { remove, replace, create, insert_before, insert_after };

bool creates(edit e) { return e == edit::create || e == edit::insert_before || e == edit::insert_after; }

struct path_step {
  std::vector<std::string> keys;  // the path's elements; NULL elements raise when reached
  std::vector<bool> nulls;
};

path_step path_of(const value& path) {
  path_step p;
  for (const value& key : path.as_array()) {
    p.nulls.push_back(key.is_null());
    p.keys.push_back(key.is_null() ? std::string() : key.as_text());
  }
  return p;
}

void edit_at(jsonb_node& node, const path_step& path, std::size_t level, const jsonb_node& new_value,
             edit op);

void edit_object(jsonb_node& node, const path_step& path, std::size_t level, const jsonb_node& new_value,
                 edit op) {
  const std::string& key = path.keys[level];
  bool last = level + 1 == path.keys.size();
  auto at = std::find(node.keys.begin(), node.keys.end(), key);
  if (at == node.keys.end()) {
    if (last && creates(op)) node.set_field(key, new_value);
    return;
  }
  auto i = static_cast<std::size_t>(at - node.keys.begin());
  if (!last) {
    edit_at(node.values[i], path, level + 1, new_value, op);
    return;
  }
  if (op == edit::insert_before || op == edit::insert_after) {
    raise(sqlstate::invalid_parameter_value, "cannot replace existing key");
  }
  if (op == edit::remove) {
    node.keys.erase(at);
    node.values.erase(node.values.begin() + static_cast<std::ptrdiff_t>(i));
  } else {
    node.values[i] = new_value;
  }
}

void edit_array(jsonb_node& node, const path_step& path, std::size_t level, const jsonb_node& new_value,
                edit op) {
  const std::string& text = path.keys[level];
  errno = 0;
  char* end = nullptr;
  long parsed = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || parsed < INT_MIN || parsed > INT_MAX) {
    raise(sqlstate::invalid_text_representation,
          fmt::format("path element at position {} is not an integer: \"{}\"", level + 1, text));
  }
  auto size = static_cast<std::int64_t>(node.values.size());
  std::int64_t index = parsed;
  bool before_start = false;
  if (index < 0) {
    if (-index > size)
      before_start = true;
    else
      index += size;
  }
  if (index > size) index = size;
  bool last = level + 1 == path.keys.size();
  auto position = [&node](std::int64_t i) { return node.values.begin() + static_cast<std::ptrdiff_t>(i); };
  if ((before_start || size == 0) && last && creates(op)) {
    node.values.insert(node.values.begin(), new_value);
    return;
  }
  if (before_start || index == size) {
    if (!before_start && last && creates(op)) node.values.push_back(new_value);
    return;
  }
  if (!last) {
    edit_at(node.values[static_cast<std::size_t>(index)], path, level + 1, new_value, op);
    return;
  }
  switch (op) {
    case edit::remove:
      node.values.erase(position(index));
      return;
    case edit::replace:
    case edit::create:
      node.values[static_cast<std::size_t>(index)] = new_value;
      return;
    case edit::insert_before:
      node.values.insert(position(index), new_value);
      return;
    case edit::insert_after:
      node.values.insert(position(index + 1), new_value);
      return;
  }
}

void edit_at(jsonb_node& node, const path_step& path, std::size_t level, const jsonb_node& new_value,
             edit op) {
  if (path.nulls[level]) {
    raise("22004", fmt::format("path element at position {} is null", level + 1));
  }
  if (node.type == kind::object)
    edit_object(node, path, level, new_value, op);
  else if (node.type == kind::array)
    edit_array(node, path, level, new_value, op);
  // A path that runs into a scalar changes nothing.
}

value edit_path(const value& target, const value& path, const value* new_value, edit op) {
  jsonb_node root = jsonb_tree(target.as_text());
  path_step steps = path_of(path);
  if (root.type == kind::scalar) {
    raise(sqlstate::invalid_parameter_value,
          op == edit::remove ? "cannot delete path in scalar" : "cannot set path in scalar");
  }
  if (steps.keys.empty()) return target;
  jsonb_node inserted = new_value != nullptr ? jsonb_tree(new_value->as_text()) : jsonb_node();
  edit_at(root, steps, 0, inserted, op);
  return jsonb_of(root);
}

value set_fn(const value* a, std::size_t count) {
  bool create = count < 4 || a[3].as_bool();
  return edit_path(a[0], a[1], &a[2], create ? edit::create : edit::replace);
}
value insert_fn(const value* a, std::size_t count) {
  bool after = count == 4 && a[3].as_bool();
  return edit_path(a[0], a[1], &a[2], after ? edit::insert_after : edit::insert_before);
}
value delete_path_fn(const value* a, std::size_t) { return edit_path(a[0], a[1], nullptr, edit::remove); }

void strip_nulls(jsonb_node& node) {
  for (std::size_t i = 0; i < node.values.size();) {
    if (node.type == kind::object && node.values[i].is_null()) {
      node.keys.erase(node.keys.begin() + static_cast<std::ptrdiff_t>(i));
      node.values.erase(node.values.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    strip_nulls(node.values[i++]);
  }
}
value strip_nulls_fn(const value* a, std::size_t) {
  jsonb_node root = jsonb_tree(a[0].as_text());
  strip_nulls(root);
  return jsonb_of(root);
}

value pretty_fn(const value* a, std::size_t) {
  return value::text(jsonb_tree_pretty(jsonb_tree(a[0].as_text())));
}

[[noreturn]] void cannot_delete(const char* what) { raise(sqlstate::invalid_parameter_value, what); }

// jsonb - key(s): the object without those fields, or the array without those string elements.
value delete_keys(const value& target, const std::vector<std::string>& keys) {
  jsonb_node root = jsonb_tree(target.as_text());
  if (root.type == kind::scalar) cannot_delete("cannot delete from scalar");
  auto listed = [&keys](const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  for (std::size_t i = 0; i < root.values.size();) {
    bool gone = root.type == kind::object
                    ? listed(root.keys[i])
                    : root.values[i].is_string() && listed(root.values[i].string_value());
    if (!gone) {
      ++i;
      continue;
    }
    if (root.type == kind::object) root.keys.erase(root.keys.begin() + static_cast<std::ptrdiff_t>(i));
    root.values.erase(root.values.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return jsonb_of(root);
}
value delete_key_fn(const value* a, std::size_t) { return delete_keys(a[0], {a[1].as_text()}); }
value delete_key_array_fn(const value* a, std::size_t) {
  std::vector<std::string> keys;
  for (const value& key : a[1].as_array()) {
    if (!key.is_null()) keys.push_back(key.as_text());
  }
  return delete_keys(a[0], keys);
}

// jsonb - index: the array without that element (negative counts from the end; none past the end).
value delete_index_fn(const value* a, std::size_t) {
  jsonb_node root = jsonb_tree(a[0].as_text());
  if (root.type == kind::object) cannot_delete("cannot delete from object using integer index");
  if (root.type == kind::scalar) cannot_delete("cannot delete from scalar");
  auto size = static_cast<std::int64_t>(root.values.size());
  std::int64_t gone = a[1].as_bigint() < 0 ? a[1].as_bigint() + size : a[1].as_bigint();
  if (gone < 0 || gone >= size) return a[0];
  root.values.erase(root.values.begin() + static_cast<std::ptrdiff_t>(gone));
  return jsonb_of(root);
}

// jsonb || jsonb: two objects merge (the right one's fields win); otherwise both become arrays (a
// non-array as its one element) and are joined.
value concat_fn(const value* a, std::size_t) {
  jsonb_node left = jsonb_tree(a[0].as_text()), right = jsonb_tree(a[1].as_text());
  if (left.type == kind::object && right.type == kind::object) {
    for (std::size_t i = 0; i < right.keys.size(); ++i)
      left.set_field(right.keys[i], std::move(right.values[i]));
    return jsonb_of(left);
  }
  jsonb_node out;
  out.type = kind::array;
  for (jsonb_node* side : {&left, &right}) {
    if (side->type == kind::array) {
      for (jsonb_node& item : side->values) out.values.push_back(std::move(item));
    } else {
      out.values.push_back(std::move(*side));
    }
  }
  return jsonb_of(out);
}

}  // namespace

void add_jsonb_edit_functions(std::vector<function_overload>& out) {
  const dt j = dt::jsonb, t = dt::text, path = dt::text_array;
  out.push_back({"jsonb_set", {j, path, j}, j, set_fn});
  out.push_back({"jsonb_set", {j, path, j, dt::boolean}, j, set_fn});
  out.push_back({"jsonb_insert", {j, path, j}, j, insert_fn});
  out.push_back({"jsonb_insert", {j, path, j, dt::boolean}, j, insert_fn});
  out.push_back({"#-", {j, path}, j, delete_path_fn});
  out.push_back({"-", {j, t}, j, delete_key_fn});
  out.push_back({"-", {j, path}, j, delete_key_array_fn});
  out.push_back({"-", {j, dt::bigint}, j, delete_index_fn});
  out.push_back({"||", {j, j}, j, concat_fn});
  for (const char* name : {"jsonb_strip_nulls", "json_strip_nulls"})
    out.push_back({name, {j}, j, strip_nulls_fn});
  out.push_back({"jsonb_pretty", {j}, t, pretty_fn});
}

}  // namespace sluice::sql
