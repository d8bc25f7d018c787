#include "sql/jsonb_tree.h"

#include <simdjson.h>

#include <algorithm>
#include <numeric>
#include <utility>

#include "base/json_string.h"
#include "sql/error.h"
#include "sql/functions.h"
#include "sql/jsonb_text.h"

namespace sluice::sql {
namespace {

// jsonb's key order: shorter keys first, then by bytes.
bool key_before(std::string_view a, std::string_view b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

jsonb_node node_of(simdjson::ondemand::value v) {
  using simdjson::ondemand::json_type;
  jsonb_node node;
  switch (v.type().value()) {
    case json_type::object: {
      node.type = jsonb_node::kind::object;
      for (auto field : v.get_object()) {
        std::string key(field.unescaped_key().value());
        node.set_field(key, node_of(field.value().value()));
      }
      return node;
    }
    case json_type::array:
      node.type = jsonb_node::kind::array;
      for (auto item : v.get_array()) node.values.push_back(node_of(item.value()));
      return node;
    default:
      node.scalar.clear();
      print_jsonb(v, node.scalar);
      return node;
  }
}

void print(const jsonb_node& node, std::string& out, int indent, int depth) {
  auto separate = [&out, indent, depth](bool first) {
    if (indent == 0) {
      if (!first) out += ", ";
      return;
    }
    if (!first) out += ',';
    out += '\n';
    out.append(static_cast<std::size_t>((depth + 1) * indent), ' ');
  };
  auto close = [&out, indent, depth](char c) {
    if (indent != 0) {
      out += '\n';
      out.append(static_cast<std::size_t>(depth * indent), ' ');
    }
    out += c;
  };
  switch (node.type) {
    case jsonb_node::kind::scalar:
      out += node.scalar;
      return;
    case jsonb_node::kind::object:
      out += '{';
      for (std::size_t i = 0; i < node.keys.size(); ++i) {
        separate(i == 0);
        append_json_string(out, node.keys[i]);
        out += ": ";
        print(node.values[i], out, indent, depth + 1);
      }
      close('}');
      return;
    case jsonb_node::kind::array:
      out += '[';
      for (std::size_t i = 0; i < node.values.size(); ++i) {
        separate(i == 0);
        print(node.values[i], out, indent, depth + 1);
      }
      close(']');
      return;
  }
}

}  // namespace

std::string jsonb_node::string_value() const {
  thread_local simdjson::ondemand::parser parser;
  simdjson::padded_string wrapped("[" + scalar + "]");
  try {
    simdjson::ondemand::document doc = parser.iterate(wrapped);
    for (auto item : doc.get_array()) return std::string(item.get_string().value());
  } catch (const simdjson::simdjson_error&) {
  }
  return scalar;
}

void jsonb_node::set_field(const std::string& key, jsonb_node value) {
  auto at = std::lower_bound(keys.begin(), keys.end(), key,
                             [](const std::string& a, const std::string& b) { return key_before(a, b); });
  auto i = static_cast<std::size_t>(at - keys.begin());
  if (at != keys.end() && *at == key) {
    values[i] = std::move(value);  // a repeated key: the last one wins, as in jsonb input
    return;
  }
  keys.insert(at, key);
  values.insert(values.begin() + static_cast<std::ptrdiff_t>(i), std::move(value));
}

jsonb_node jsonb_tree(std::string_view json) {
  thread_local simdjson::ondemand::parser parser;
  // On-Demand reads a scalar document as no value; an array around every document makes it one.
  std::string wrapped;
  wrapped.reserve(json.size() + 2);
  wrapped += '[';
  wrapped += json;
  wrapped += ']';
  simdjson::padded_string padded(wrapped);
  try {
    simdjson::ondemand::document doc = parser.iterate(padded);
    std::vector<jsonb_node> items;
    for (auto item : doc.get_array()) items.push_back(node_of(item.value()));
    if (items.size() == 1) return std::move(items[0]);
  } catch (const simdjson::simdjson_error&) {
  }
  raise(sqlstate::invalid_text_representation, "invalid input syntax for type json");
}

std::string jsonb_tree_text(const jsonb_node& node) {
  std::string out;
  print(node, out, 0, 0);
  return out;
}

std::string jsonb_tree_pretty(const jsonb_node& node) {
  std::string out;
  print(node, out, 4, 0);
  return out;
}

}  // namespace sluice::sql
