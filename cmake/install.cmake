# `cmake --install`: the binary, its systemd units, the default configuration,
# the man page and the shell completions, where the GNU/systemd conventions put
# them under CMAKE_INSTALL_PREFIX (/usr/local by default, /usr in the package).
include(GNUInstallDirs)

install(TARGETS lastgood RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The units name /usr/bin/lastgood, /etc/lastgood and /usr/share/doc/lastgood;
# installed under another prefix they name the files where they really are.
set(LASTGOOD_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system"
    CACHE PATH "where the systemd units go (the package: /usr/lib/systemd/system)")
set(LASTGOOD_SYSUSERS_DIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d"
    CACHE PATH "where the systemd-sysusers entry goes")
foreach(unit lastgood.service lastgood.timer)
  file(READ ${CMAKE_SOURCE_DIR}/packaging/systemd/${unit} text)
  string(REPLACE "/usr/bin/lastgood" "${CMAKE_INSTALL_FULL_BINDIR}/lastgood" text "${text}")
  string(REPLACE "/etc/lastgood/" "${CMAKE_INSTALL_FULL_SYSCONFDIR}/lastgood/" text "${text}")
  string(REPLACE "/usr/share/doc/lastgood/" "${CMAKE_INSTALL_FULL_DOCDIR}/" text "${text}")
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/packaging/systemd/${unit} CONTENT "${text}")
  install(FILES ${CMAKE_BINARY_DIR}/packaging/systemd/${unit}
          DESTINATION ${LASTGOOD_SYSTEMD_UNIT_DIR})
endforeach()
install(FILES packaging/systemd/lastgood.sysusers DESTINATION ${LASTGOOD_SYSUSERS_DIR}
        RENAME lastgood.conf)

# Generated from the binary by packaging/generate and checked by the ctest
# packaging.generated_files, so they never disagree with it.
install(FILES packaging/config/config.toml DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/lastgood)
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
