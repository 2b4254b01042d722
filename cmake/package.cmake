# The Debian package (scripts/package): cpack -G DEB in a Release build
# configured with CMAKE_INSTALL_PREFIX=/usr.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lastgood)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "lastgood maintainers <lastgood@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "catalogs PostgreSQL backups, test-restores them, picks the one to restore")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "lastgood indexes pg_dump and pg_basebackup backups and archived WAL, verifies them\n"
    "(checksums, structure, test restores into scratch clusters) and answers which\n"
    "backup you would restore right now, and whether it is known to work.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Install into the staging directory through DESTDIR, so /etc/lastgood lands
# in the package and install-time paths (cmake/install_prefixed.cmake) see /usr.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # lastgood_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries' packages, as dpkg-shlibdeps finds them; adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# pg_dump/pg_restore/psql for backups and logical restores; the server for
# test restores into a private scratch cluster (verify.scratch = "auto").
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-client, postgresql, zstd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/postinst ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
    ${CMAKE_SOURCE_DIR}/packaging/debian/postrm ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
