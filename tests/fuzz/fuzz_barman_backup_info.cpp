// Barman's backup.info (key=value lines with Python-literal values: the
// tablespace list, the backup_label string) - formats/barman.
#include "common/error.hpp"
#include "formats/barman/backup_info.hpp"
#include "formats/barman/python_literal.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(barman_backup_info)
{
  try {
    (void)lastgood::formats::barman::parse_backup_info(input);
  } catch (const lastgood::ValidationError&) {
  }
  try {
    (void)lastgood::formats::barman::parse_python_literal(input);
  } catch (const lastgood::ValidationError&) {
  }
}
