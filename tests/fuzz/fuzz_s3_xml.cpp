// The XML an S3 server answers with: list pages, error documents, multipart
// and batch-delete results. The server (or anything in between) is untrusted.
#include "common/error.hpp"
#include "storage/s3_xml.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace s3xml = lastgood::storage::s3xml;

LASTGOOD_FUZZ_TARGET(s3_xml)
{
  try {
    (void)s3xml::parse_list_page(input, "fuzz");
  } catch (const lastgood::StorageError&) {
  }
  try {
    (void)s3xml::parse_uploads_page(input, "fuzz");
  } catch (const lastgood::StorageError&) {
  }
  (void)s3xml::parse_error(input); // documented never to throw
  try {
    (void)s3xml::parse_upload_id(input, "fuzz");
  } catch (const lastgood::StorageError&) {
  }
  try {
    (void)s3xml::parse_delete_result(input, "fuzz");
  } catch (const lastgood::StorageError&) {
  }
  (void)s3xml::is_error_document(input);
  (void)s3xml::strip_quotes(input);
}
