#pragma once
// Test only: `scripts/test --catalog postgresql` sets LASTGOOD_TEST_CATALOG_SERVER
// to a throwaway PostgreSQL server's URI (tests/fixtures/catalog-server), and
// every catalog the suite names by a file path then lives in a database of its
// own on that server: the whole suite runs against the PostgreSQL engine with
// its tests unchanged. The file at the path stays, as a marker naming the
// database, so "does the catalog exist", "remove it" and "create it" keep
// their meaning; a path holding a real SQLite catalog stays SQLite.
// (Like LASTGOOD_TEST_FAULTS: an environment hook the installed tool never
// sees set.)

#include <optional>
#include <string>

namespace lastgood::catalog {

inline constexpr const char* kTestCatalogServerVariable = "LASTGOOD_TEST_CATALOG_SERVER";

// The URI of the database standing for the catalog file `path`, made (and the
// marker written) when the file is missing or empty; nullopt when the variable
// is unset or the file holds something else (an SQLite catalog, damage a test
// made on purpose), which then opens as a file.
std::optional<std::string> catalog_on_test_server(const std::string& path);

} // namespace lastgood::catalog
