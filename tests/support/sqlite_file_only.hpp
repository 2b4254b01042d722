#pragma once
// A test about the SQLite catalog file itself (its bytes, journal mode, file
// permissions, what SQLite says about an unwritable file) is skipped when the
// suite keeps its catalogs on PostgreSQL (`scripts/test --catalog postgresql`,
// catalog/test_catalog_server.hpp); the plain pass runs it.

#include "catalog/test_catalog_server.hpp"

#include <cstdlib>
#include <gtest/gtest.h>

#define LASTGOOD_SQLITE_FILE_ONLY()                                                                \
  if (std::getenv(::lastgood::catalog::kTestCatalogServerVariable) != nullptr)                     \
  GTEST_SKIP() << "about the SQLite catalog file: the suite runs with its catalogs on PostgreSQL"
