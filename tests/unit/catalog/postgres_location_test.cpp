// What messages show of a PostgreSQL catalog's URI, and how `?` placeholders
// become PostgreSQL's numbered ones.

#include "catalog/postgres_connection.hpp"

#include <gtest/gtest.h>

namespace lastgood::catalog {
namespace {

TEST(PostgresLocation, NoPasswordSurvivesInTheUserInfoOrAnyQueryParameter)
{
  EXPECT_EQ(uri_without_password("postgresql://lg:s3cret@db.example/cat"),
            "postgresql://lg@db.example/cat");
  EXPECT_EQ(uri_without_password("postgresql://lg@/cat?host=/run/pg&password=s3cret&port=5432"),
            "postgresql://lg@/cat?host=/run/pg&port=5432");
  EXPECT_EQ(uri_without_password("postgres://db/cat?sslpassword=k3y&password=s3cret"),
            "postgres://db/cat");
  EXPECT_EQ(uri_without_password("postgresql://db/cat?application_name=nopassword=x"),
            "postgresql://db/cat?application_name=nopassword=x");
  EXPECT_EQ(uri_without_password("postgresql:///cat"), "postgresql:///cat");
}

TEST(PostgresLocation, PlaceholdersAreNumberedOutsideQuotesAndComments)
{
  int count = 0;
  EXPECT_EQ(number_placeholders("SELECT ? , '?', \"a?\" -- ?\n FROM t WHERE x = ?", &count),
            "SELECT $1 , '?', \"a?\" -- ?\n FROM t WHERE x = $2");
  EXPECT_EQ(count, 2);
  EXPECT_EQ(number_placeholders("WHERE a = ?2 OR b = ?1 /* ? */", &count),
            "WHERE a = $2 OR b = $1 /* ? */");
  EXPECT_EQ(count, 2);
}

} // namespace
} // namespace lastgood::catalog
