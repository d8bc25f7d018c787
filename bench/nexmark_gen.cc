// nexmark_gen — the Nexmark event stream for bench/run-nexmark.sh, as newline-delimited JSON.
//
// Follows Nexmark's GeneratorConfig: event n (0-based) is a person, an auction or a bid by n mod 50
// (1 : 3 : 46); person and auction ids are dense from 1000, so every auction's seller and every
// bid's bidder and auction refer to a person or auction generated at or shortly before it (a few
// "lead" ids ahead, as in Nexmark); hot sellers (3 in 4 auctions), hot auctions (1 in 2 bids) and
// hot bidders (3 in 4 bids) are the ids rounded down to a multiple of 100; prices are
// round(10^(6u) * 100) cents; 5 categories from 10; auctions expire within about twice the time
// 100 in-flight auctions take; date_time advances by a fixed inter-event delay (1e6 / rate µs) and
// is in epoch milliseconds; `extra` pads each event to Nexmark's average size (person 200, auction
// 500, bid 100 bytes, ±20%). Bids carry Nexmark's channel and url (4 hot channels, else one of
// 10 000 "channel-N" with a url that has `&channel_id=` 9 times in 10).
//
// Invariant: the output depends only on (seed, event numbers): each event draws from its own
// generator seeded with (seed, n), so a run of N events is a prefix of a run of M > N events. The
// random numbers are not Java's, so the values are Nexmark-like, not Nexmark-identical.
//
// Two modes:
//   nexmark_gen --events N --out-dir DIR        writes DIR/person.json, auction.json, bid.json
//   nexmark_gen --rate R --seconds S [--probe-ms P]
//       writes bids only, to stdout, R per second of wall clock (paced every millisecond, flushed
//       each time), plus every P ms a probe bid {"auction": -1, "bidder": seq, "price": sent µs
//       since the epoch}: a freshness probe whose send time travels in the record.
#include <CLI/CLI.hpp>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::int64_t person_proportion = 1;
constexpr std::int64_t auction_proportion = 3;
constexpr std::int64_t total_proportion = 50;
constexpr std::int64_t first_person_id = 1000;
constexpr std::int64_t first_auction_id = 1000;
constexpr std::int64_t first_category_id = 10;
constexpr std::int64_t num_categories = 5;
constexpr std::int64_t num_active_people = 1000;
constexpr std::int64_t person_id_lead = 10;
constexpr std::int64_t num_in_flight_auctions = 100;
constexpr std::int64_t auction_id_lead = 10;
constexpr std::int64_t hot_ratio = 100;  // HOT_SELLER_RATIO, HOT_AUCTION_RATIO, HOT_BIDDER_RATIO
constexpr std::int64_t hot_sellers_ratio = 4;
constexpr std::int64_t hot_auctions_ratio = 2;
constexpr std::int64_t hot_bidders_ratio = 4;
constexpr std::int64_t channels_number = 10000;
// 2024-01-01T00:00:00Z: the first event's date_time.
constexpr std::int64_t base_time_ms = 1704067200000;

constexpr std::array<std::string_view, 6> us_states{"AZ", "CA", "ID", "OR", "WA", "WY"};
constexpr std::array<std::string_view, 10> us_cities{"Phoenix",  "Los Angeles", "San Francisco", "Boise",
                                                     "Portland", "Bend",        "Redmond",       "Seattle",
                                                     "Kent",     "Cheyenne"};
constexpr std::array<std::string_view, 11> first_names{"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
                                                       "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
constexpr std::array<std::string_view, 9> last_names{"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                                     "Walton", "Smith",  "Jones",   "Noris"};
constexpr std::array<std::string_view, 4> hot_channels{"Google", "Facebook", "Baidu", "Apple"};

// splitmix64: seeds the per-event generator; wyrand-style steps after that. Fast and good enough.
struct rng {
  std::uint64_t s;
  rng(std::uint64_t seed, std::uint64_t n) : s(seed * 0x9E3779B97F4A7C15ULL ^ (n + 0x632BE59BD9B4E019ULL)) {
    next();
  }
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::int64_t below(std::int64_t n) {  // [0, n)
    // Lemire's multiply-shift, high 32 bits only: n is always far below 2^32 here.
    return static_cast<std::int64_t>(((next() >> 32) * static_cast<std::uint64_t>(n)) >> 32);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

std::int64_t last_base0_person_id(std::int64_t n) {
  std::int64_t epoch = n / total_proportion, offset = n % total_proportion;
  if (offset >= person_proportion) offset = person_proportion - 1;
  return epoch * person_proportion + offset;
}

std::int64_t last_base0_auction_id(std::int64_t n) {
  std::int64_t epoch = n / total_proportion, offset = n % total_proportion;
  if (offset < person_proportion) {
    --epoch;
    offset = auction_proportion - 1;
  } else if (offset >= person_proportion + auction_proportion) {
    offset = auction_proportion - 1;
  } else {
    offset -= person_proportion;
  }
  return epoch * auction_proportion + offset;
}

std::int64_t next_base0_person_id(std::int64_t n, rng& r) {
  std::int64_t people = last_base0_person_id(n) + 1;
  std::int64_t active = std::min(people, num_active_people);
  return people - active + r.below(active + person_id_lead);
}

std::int64_t next_base0_auction_id(std::int64_t n, rng& r) {
  std::int64_t max_auction = last_base0_auction_id(n);
  std::int64_t min_auction = std::max<std::int64_t>(max_auction - num_in_flight_auctions, 0);
  return min_auction + r.below(max_auction - min_auction + 1 + auction_id_lead);
}

std::uint32_t reverse_bits(std::uint32_t v) {
  std::uint32_t out = 0;
  for (int i = 0; i < 32; ++i, v >>= 1) out = (out << 1) | (v & 1);
  return out;
}

std::int64_t next_price(rng& r) { return std::llround(std::pow(10.0, r.unit() * 6.0) * 100.0); }

class writer {
 public:
  explicit writer(std::FILE* f) : f_(f) { buf_.reserve(1 << 20); }
  ~writer() { flush(); }
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;
  writer& raw(std::string_view s) {
    buf_.append(s);
    return *this;
  }
  writer& num(std::int64_t v) {
    char tmp[24];
    auto end = std::to_chars(tmp, tmp + sizeof tmp, v).ptr;
    buf_.append(tmp, end);
    return *this;
  }
  writer& str(std::string_view s) {  // every generated string is plain ASCII: no escaping needed
    buf_.push_back('"');
    buf_.append(s);
    buf_.push_back('"');
    return *this;
  }
  writer& letters(rng& r, std::int64_t n) {  // a quoted random lowercase string of length n
    buf_.push_back('"');
    for (std::int64_t i = 0; i < n; ++i) buf_.push_back(static_cast<char>('a' + r.below(26)));
    buf_.push_back('"');
    return *this;
  }
  void end_line() {
    buf_.push_back('\n');
    if (buf_.size() >= (1 << 20) - 4096) flush();
  }
  void flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), f_);
    buf_.clear();
    std::fflush(f_);
  }

 private:
  std::FILE* f_;
  std::string buf_;
};

struct generator {
  std::uint64_t seed;
  double inter_event_us;
  std::vector<std::string> channel_urls;  // url of "channel-N"
  std::array<std::string, 4> hot_urls;

  generator(std::uint64_t s, double rate) : seed(s), inter_event_us(1e6 / rate) {
    rng r(seed, ~0ULL);
    auto base_url = [&r] {
      std::string u = "https://www.nexmark.com/";
      for (int part = 0; part < 3; ++part) {
        std::int64_t len = 1 + r.below(5);
        for (std::int64_t i = 0; i < len; ++i)
          u.push_back(r.below(6) == 0 ? '_' : static_cast<char>('a' + r.below(26)));
        u.push_back('/');
      }
      return u + "item.htm?query=1";
    };
    for (auto& u : hot_urls) u = base_url();
    channel_urls.reserve(channels_number);
    for (std::int64_t c = 0; c < channels_number; ++c) {
      std::string u = base_url();
      // Nexmark: Math.abs(Integer.reverse(channel)), so ids look unrelated to the channel number.
      if (r.below(10) > 0)
        u += "&channel_id=" + std::to_string(reverse_bits(static_cast<std::uint32_t>(c)) & 0x7fffffff);
      channel_urls.push_back(std::move(u));
    }
  }

  std::int64_t timestamp_ms(std::int64_t n) const {
    return base_time_ms + static_cast<std::int64_t>(inter_event_us * static_cast<double>(n) / 1000.0);
  }

  static void extra(writer& w, rng& r, std::int64_t current, std::int64_t desired_average) {
    if (current > desired_average) {
      w.str("");
      return;
    }
    std::int64_t desired = desired_average - current;
    std::int64_t delta = std::llround(static_cast<double>(desired) * 0.2);
    w.letters(r, desired - delta + r.below(2 * delta + 1));
  }

  void person(writer& w, std::int64_t n) const {
    rng r(seed, static_cast<std::uint64_t>(n));
    auto first = first_names[static_cast<std::size_t>(r.below(first_names.size()))];
    auto last = last_names[static_cast<std::size_t>(r.below(last_names.size()))];
    auto city = us_cities[static_cast<std::size_t>(r.below(us_cities.size()))];
    auto state = us_states[static_cast<std::size_t>(r.below(us_states.size()))];
    w.raw("{\"id\":")
        .num(last_base0_person_id(n) + first_person_id)
        .raw(",\"name\":\"")
        .raw(first)
        .raw(" ")
        .raw(last);
    w.raw("\",\"email_address\":\"");
    std::string email;
    for (int i = 0; i < 7; ++i) email.push_back(static_cast<char>('a' + r.below(26)));
    email += '@';
    for (int i = 0; i < 5; ++i) email.push_back(static_cast<char>('a' + r.below(26)));
    email += ".com";
    w.raw(email).raw("\",\"credit_card\":\"");
    std::string card;
    for (int g = 0; g < 4; ++g) {
      if (g > 0) card += ' ';
      std::int64_t v = r.below(10000);
      char tmp[8];
      std::snprintf(tmp, sizeof tmp, "%04lld", static_cast<long long>(v));
      card += tmp;
    }
    w.raw(card).raw("\",\"city\":").str(city).raw(",\"state\":").str(state);
    w.raw(",\"date_time\":").num(timestamp_ms(n)).raw(",\"extra\":");
    auto size = static_cast<std::int64_t>(8 + first.size() + 1 + last.size() + email.size() + card.size() +
                                          city.size() + state.size());
    extra(w, r, size, 200);
    w.raw("}");
    w.end_line();
  }

  void auction(writer& w, std::int64_t n) const {
    rng r(seed, static_cast<std::uint64_t>(n));
    std::int64_t seller = r.below(hot_sellers_ratio) > 0 ? (last_base0_person_id(n) / hot_ratio) * hot_ratio
                                                         : next_base0_person_id(n, r);
    std::int64_t initial_bid = next_price(r);
    std::int64_t ts = timestamp_ms(n);
    // Nexmark's nextAuctionLengthMs: up to twice the time the next 100 in-flight auctions take.
    std::int64_t horizon =
        timestamp_ms(n + num_in_flight_auctions * total_proportion / auction_proportion) - ts;
    std::int64_t expires = ts + 1 + r.below(std::max<std::int64_t>(horizon * 2, 1));
    std::int64_t item_len = 3 + r.below(18);
    std::int64_t desc_len = 3 + r.below(98);
    w.raw("{\"id\":")
        .num(last_base0_auction_id(n) + first_auction_id)
        .raw(",\"item_name\":")
        .letters(r, item_len);
    w.raw(",\"description\":").letters(r, desc_len);
    w.raw(",\"initial_bid\":").num(initial_bid).raw(",\"reserve\":").num(initial_bid + next_price(r));
    w.raw(",\"date_time\":").num(ts).raw(",\"expires\":").num(expires);
    w.raw(",\"seller\":").num(seller + first_person_id);
    w.raw(",\"category\":").num(first_category_id + r.below(num_categories)).raw(",\"extra\":");
    extra(w, r, 8 + item_len + desc_len + 8 * 5, 500);
    w.raw("}");
    w.end_line();
  }

  void bid(writer& w, std::int64_t n, std::int64_t ts) const {
    rng r(seed, static_cast<std::uint64_t>(n));
    std::int64_t auction = r.below(hot_auctions_ratio) > 0
                               ? (last_base0_auction_id(n) / hot_ratio) * hot_ratio
                               : next_base0_auction_id(n, r);
    std::int64_t bidder = r.below(hot_bidders_ratio) > 0
                              ? (last_base0_person_id(n) / hot_ratio) * hot_ratio + 1
                              : next_base0_person_id(n, r);
    w.raw("{\"auction\":").num(auction + first_auction_id).raw(",\"bidder\":").num(bidder + first_person_id);
    w.raw(",\"price\":").num(next_price(r)).raw(",\"channel\":");
    if (r.below(2) > 0) {
      auto i = static_cast<std::size_t>(r.below(hot_channels.size()));
      w.str(hot_channels[i]).raw(",\"url\":").str(hot_urls[i]);
    } else {
      auto c = r.below(channels_number);
      w.raw("\"channel-").num(c).raw("\",\"url\":").str(channel_urls[static_cast<std::size_t>(c)]);
    }
    w.raw(",\"date_time\":").num(ts).raw(",\"extra\":");
    extra(w, r, 32, 100);
    w.raw("}");
    w.end_line();
  }
};

int fill(const generator& g, std::int64_t events, const std::string& dir) {
  auto open = [&dir](const char* name) {
    std::string path = dir + "/" + name;
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return f;
  };
  std::FILE* fp = open("person.json");
  std::FILE* fa = open("auction.json");
  std::FILE* fb = open("bid.json");
  if (fp == nullptr || fa == nullptr || fb == nullptr) return 1;
  {
    writer person(fp), auction(fa), bid(fb);
    for (std::int64_t n = 0; n < events; ++n) {
      std::int64_t offset = n % total_proportion;
      if (offset < person_proportion) {
        g.person(person, n);
      } else if (offset < person_proportion + auction_proportion) {
        g.auction(auction, n);
      } else {
        g.bid(bid, n, g.timestamp_ms(n));
      }
    }
  }
  std::fclose(fp);
  std::fclose(fa);
  std::fclose(fb);
  return 0;
}

// Bids at a steady wall-clock rate; date_time is the wall clock (so a watermark keeps moving).
int paced(const generator& g, double rate, double seconds, double probe_ms) {
  using clock = std::chrono::steady_clock;
  writer out(stdout);
  auto start = clock::now();
  std::int64_t n = 0, probes = 0;
  auto next_probe = start;
  auto wall_us = [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  for (;;) {
    auto now = clock::now();
    double elapsed = std::chrono::duration<double>(now - start).count();
    if (elapsed >= seconds) break;
    auto due = static_cast<std::int64_t>(elapsed * rate);
    std::int64_t ts = wall_us() / 1000;
    for (; n < due; ++n) {
      std::int64_t e = n / 46 * total_proportion + 4 + n % 46;  // the n-th bid's event number
      g.bid(out, e, ts);
    }
    if (probe_ms > 0 && now >= next_probe) {
      out.raw("{\"auction\":-1,\"bidder\":").num(++probes).raw(",\"price\":").num(wall_us());
      out.raw(",\"channel\":\"probe\",\"url\":\"\",\"date_time\":").num(ts).raw(",\"extra\":\"\"}");
      out.end_line();
      next_probe += std::chrono::microseconds(static_cast<std::int64_t>(probe_ms * 1000));
    }
    out.flush();
    std::this_thread::sleep_until(now + std::chrono::milliseconds(1));
  }
  std::fprintf(stderr, "%lld bids and %lld probes in %.2f s\n", static_cast<long long>(n),
               static_cast<long long>(probes), std::chrono::duration<double>(clock::now() - start).count());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Nexmark events as newline-delimited JSON (bench/run-nexmark.sh)"};
  std::int64_t events = 0;
  std::uint64_t seed = 1;
  double event_rate = 10000;
  std::string out_dir;
  double rate = 0, seconds = 10, probe_ms = 10;
  app.add_option("--events", events, "Events to write (persons, auctions and bids, 1:3:46)");
  app.add_option("--seed", seed, "Seed; the same seed gives the same events")->capture_default_str();
  app.add_option("--event-rate", event_rate, "Event-time rate: date_time advances 1e6/rate µs per event")
      ->capture_default_str();
  app.add_option("--out-dir", out_dir, "Directory for person.json, auction.json and bid.json");
  app.add_option("--rate", rate, "Paced mode: bids per second of wall clock, to stdout");
  app.add_option("--seconds", seconds, "Paced mode: how long")->capture_default_str();
  app.add_option("--probe-ms", probe_ms, "Paced mode: a probe bid every this many ms")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  generator g(seed, event_rate);
  if (rate > 0) return paced(g, rate, seconds, probe_ms);
  if (out_dir.empty() || events <= 0) {
    std::fprintf(stderr, "need --events N --out-dir DIR, or --rate R (see --help)\n");
    return 2;
  }
  return fill(g, events, out_dir);
}
