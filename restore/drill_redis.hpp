#pragma once
// The drill's [[drill.redis]] check: the cache the application needs is
// reachable with the URL's credentials, answers PING, stores, returns and
// deletes a temporary key, and reports how many keys it holds (DBSIZE).
// The URL's password is never shown: the step names the server by host:port.

#include "common/config.hpp"
#include "restore/drill.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace lastgood::restore {

struct RedisUrl
{
  std::string host;
  int port = 6379;
  std::string username; // Redis 6 ACL user; empty: AUTH with the password alone
  std::string password; // percent-decoded; empty: no AUTH
  int database = 0;
};

// redis://[[user]:password@]host[:port][/db]. nullopt: not such a URL (rediss://
// included: hiredis 0.14 has no TLS; the configuration key refuses it first).
std::optional<RedisUrl> parse_redis_url(std::string_view url);

// Fails (outcome "fail", the drill's exit 3) when the server cannot be reached,
// refuses the password or answers wrongly; "error" only for a URL it cannot read.
DrillStep redis_step(const DrillRedis& redis);

} // namespace lastgood::restore
