#pragma once
// Which database a dump holds when its header does not say (a plain dump made
// without -C names none): the file name's, by one convention (docs/sources.md).

#include <string>
#include <string_view>

namespace lastgood::catalog {

// The convention, from a dump's key (its file or directory name counts):
//  1. drop known extensions from the end (.sql .dump .tar .dir .gz .zst ...);
//  2. drop a trailing date/time stamp and the separators before it: a run of
//     '-', '_', '.' or ' ' followed by digits, 'T', 'Z', ':', '+' and
//     separators, whose first number has at least 2 digits and which holds at
//     least 6 digits in all (shop-20261103T0200, shop_2026-11-03_0200,
//     shop-1730592000);
//  3. cut at the first remaining '.' (an unknown extension).
// A name that is all stamp (2026-11-03.sql) keeps its stamp: 2026-11-03.
//
// `pattern` (a repository's database_from_name) overrides the convention: an
// ECMAScript regular expression searched in the whole key; its first capture
// group is the database name. When it does not match, the convention applies.
std::string database_from_name(std::string_view key, const std::string& pattern = {});

// Throws UsageError unless `pattern` compiles and has a capture group;
// `where` names the setting in the message.
void check_database_from_name(const std::string& pattern, const std::string& where);

} // namespace lastgood::catalog
