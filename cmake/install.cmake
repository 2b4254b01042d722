# `cmake --install`: the binary, its systemd units, the default configuration,
# the man page and the shell completions, where the GNU/systemd conventions put
# them under CMAKE_INSTALL_PREFIX (/usr/local by default, /usr in the package).
include(GNUInstallDirs)

install(TARGETS lastgood RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(LASTGOOD_SYSTEMD_UNIT_DIR lib/systemd/system
    CACHE PATH "where the systemd units go, relative to the prefix or absolute")
set(LASTGOOD_SYSUSERS_DIR lib/sysusers.d
    CACHE PATH "where the systemd-sysusers entry goes, relative to the prefix or absolute")
# The units and /etc/lastgood/config.toml depend on the prefix installed to,
# which `cmake --install --prefix` may change: worked out at install time.
install(CODE "
  set(LASTGOOD_SOURCE_DIR \"${CMAKE_SOURCE_DIR}\")
  set(LASTGOOD_BINARY_DIR \"${CMAKE_BINARY_DIR}\")
  set(LASTGOOD_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(LASTGOOD_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")
  set(LASTGOOD_UNIT_DIR \"${LASTGOOD_SYSTEMD_UNIT_DIR}\")
  set(LASTGOOD_SYSUSERS_DIR \"${LASTGOOD_SYSUSERS_DIR}\")")
install(SCRIPT cmake/install_prefixed.cmake)

# The man page, completions and config.toml are generated from the binary by
# packaging/generate and checked by the ctest packaging.generated_files.
install(FILES docs/man/lastgood.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES packaging/completions/lastgood.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME lastgood)
# Debian's zsh reads vendor-completions for packages and site-functions for
# /usr/local.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(zsh_completion_dir ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
else()
  set(zsh_completion_dir ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
endif()
install(FILES packaging/completions/_lastgood DESTINATION ${zsh_completion_dir})
# The units' Documentation= points here.
install(FILES docs/operations.md docs/configuration.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
