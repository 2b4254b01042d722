#include "restore/drill_redis.hpp"

#include "common/redact.hpp"

#include <chrono>
#include <hiredis/hiredis.h>
#include <memory>
#include <random>
#include <stdexcept>
#include <unistd.h>
#include <vector>

namespace lastgood::restore {

namespace {

constexpr timeval kRedisTimeout{5, 0};

struct ContextDeleter
{
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyDeleter
{
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

int hex_value(char c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decoded(std::string_view text)
{
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// A failed command: what the server said, with the password masked should it echo it.
struct RedisFailure : std::runtime_error
{
  using std::runtime_error::runtime_error;
};

class RedisSession
{
public:
  RedisSession(const RedisUrl& url) : m_url(url)
  {
    m_context.reset(redisConnectWithTimeout(url.host.c_str(), url.port, kRedisTimeout));
    if (!m_context) throw RedisFailure("could not allocate a connection");
    if (m_context->err) throw RedisFailure(std::string("could not connect: ") + m_context->errstr);
    redisSetTimeout(m_context.get(), kRedisTimeout);
  }

  // A command from separate arguments (no format string: a password may hold '%').
  Reply command(const std::string& what, const std::vector<std::string>& args)
  {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    Reply reply(static_cast<redisReply*>(redisCommandArgv(
        m_context.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (!reply) throw RedisFailure(what + ": " + masked(m_context->errstr));
    if (reply->type == REDIS_REPLY_ERROR)
      throw RedisFailure(what + " refused: " + masked(std::string(reply->str, reply->len)));
    return reply;
  }

  std::string masked(std::string text) const
  {
    if (m_url.password.size() >= 2)
      for (auto pos = text.find(m_url.password); pos != std::string::npos;
           pos = text.find(m_url.password, pos))
        text.replace(pos, m_url.password.size(), "********");
    return text;
  }

private:
  RedisUrl m_url;
  std::unique_ptr<redisContext, ContextDeleter> m_context;
};

std::string reply_text(const redisReply& r)
{
  return r.str ? std::string(r.str, r.len) : std::string();
}

std::string temporary_key()
{
  std::random_device random;
  return "lastgood:drill:" + std::to_string(::getpid()) + ":" + std::to_string(random());
}

// PING, SET/GET/DEL, DBSIZE; returns the key count.
long long exercise(RedisSession& redis, const RedisUrl& url)
{
  if (!url.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!url.username.empty()) auth.push_back(url.username);
    auth.push_back(url.password);
    redis.command("AUTH with the URL's password", auth);
  }
  if (url.database != 0) redis.command("SELECT", {"SELECT", std::to_string(url.database)});
  auto pong = redis.command("PING", {"PING"});
  if (reply_text(*pong) != "PONG")
    throw RedisFailure("PING answered '" + reply_text(*pong) + "', not PONG");
  const auto key = temporary_key();
  const auto value = "written by lastgood drill " + std::to_string(std::random_device{}());
  // Expires by itself should the DEL never come (a killed drill).
  redis.command("SET of a temporary key", {"SET", key, value, "PX", "60000"});
  auto read = redis.command("GET of the temporary key", {"GET", key});
  if (read->type != REDIS_REPLY_STRING || reply_text(*read) != value)
    throw RedisFailure("GET of the temporary key " + key +
                       " did not return what was written (replica lag or eviction?)");
  auto deleted = redis.command("DEL of the temporary key", {"DEL", key});
  if (deleted->type != REDIS_REPLY_INTEGER || deleted->integer != 1)
    throw RedisFailure("DEL of the temporary key " + key + " did not delete it");
  auto size = redis.command("DBSIZE", {"DBSIZE"});
  return size->type == REDIS_REPLY_INTEGER ? size->integer : -1;
}

} // namespace

std::optional<RedisUrl> parse_redis_url(std::string_view url)
{
  constexpr std::string_view scheme = "redis://";
  if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
  auto rest = url.substr(scheme.size());
  RedisUrl out;
  const auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const auto db = rest.substr(slash + 1);
    if (!db.empty()) {
      try {
        std::size_t used = 0;
        out.database = std::stoi(std::string(db), &used);
        if (used != db.size() || out.database < 0) return std::nullopt;
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
  }
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      out.password = percent_decoded(userinfo); // redis://password@host, as redis-cli reads it
    } else {
      out.username = percent_decoded(userinfo.substr(0, colon));
      out.password = percent_decoded(userinfo.substr(colon + 1));
    }
  }
  auto host = authority;
  if (const auto colon = authority.rfind(':');
      colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    host = authority.substr(0, colon);
    try {
      std::size_t used = 0;
      const auto port = std::string(authority.substr(colon + 1));
      out.port = std::stoi(port, &used);
      if (used != port.size() || out.port <= 0 || out.port > 65535) return std::nullopt;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  out.host = std::string(host.empty() ? "127.0.0.1" : host);
  return out;
}

DrillStep redis_step(const DrillRedis& redis)
{
  const auto started = std::chrono::steady_clock::now();
  const auto url = parse_redis_url(redis.url);
  const auto where = url ? url->host + ":" + std::to_string(url->port) : std::string("?");
  DrillStep step{"redis " + (redis.name.empty() ? where : redis.name), "pass", 0, "", nullptr};
  step.data = {{"url", redact(redis.url)}};
  if (!url) {
    step.outcome = "error";
    step.detail = "cannot read the URL " + redact(redis.url) +
                  ": expected redis://[:password@]host:port[/db]";
    return step;
  }
  try {
    RedisSession session(*url);
    const auto keys = exercise(session, *url);
    step.data["dbsize"] = keys;
    step.data["database"] = url->database;
    step.detail = where + " db " + std::to_string(url->database) +
                  (url->password.empty() ? "" : " (AUTH ok)") +
                  ": PONG, SET/GET/DEL of a temporary key ok, DBSIZE " + std::to_string(keys) +
                  " keys";
  } catch (const RedisFailure& e) {
    step.outcome = "fail";
    std::string hint;
    const std::string what = e.what();
    if (what.find("NOAUTH") != std::string::npos)
      hint = " (the server wants a password: redis://:PASSWORD@host:port)";
    else if (what.find("WRONGPASS") != std::string::npos ||
             what.find("invalid password") != std::string::npos)
      hint = " (check the password in [[drill.redis]] url)";
    step.detail = "redis at " + where + ": " + redact(what) + hint;
  }
  step.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return step;
}

} // namespace lastgood::restore
