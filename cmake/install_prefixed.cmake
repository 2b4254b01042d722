# Runs at install time (cmake --install [--prefix P], cpack), so the systemd
# units and the configuration land under the prefix actually installed to and
# the units name the binary, configuration and documentation where they are.
# Set by cmake/install.cmake: LASTGOOD_SOURCE_DIR, LASTGOOD_BINARY_DIR, LASTGOOD_BINDIR,
# LASTGOOD_DOCDIR, LASTGOOD_UNIT_DIR, LASTGOOD_SYSUSERS_DIR (relative: below the prefix).
function(lastgood_under_prefix out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

# The GNU convention: /usr keeps its configuration in /etc, any other prefix in PREFIX/etc.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(etc_dir /etc/lastgood)
else()
  set(etc_dir "${CMAKE_INSTALL_PREFIX}/etc/lastgood")
endif()
lastgood_under_prefix(bin_dir "${LASTGOOD_BINDIR}")
lastgood_under_prefix(doc_dir "${LASTGOOD_DOCDIR}")
lastgood_under_prefix(unit_dir "${LASTGOOD_UNIT_DIR}")
lastgood_under_prefix(sysusers_dir "${LASTGOOD_SYSUSERS_DIR}")

set(staging "${LASTGOOD_BINARY_DIR}/install-units")
file(MAKE_DIRECTORY "${staging}")
foreach(unit lastgood.service lastgood.timer)
  file(READ "${LASTGOOD_SOURCE_DIR}/packaging/systemd/${unit}" text)
  string(REPLACE "/usr/bin/lastgood" "${bin_dir}/lastgood" text "${text}")
  string(REPLACE "/etc/lastgood/" "${etc_dir}/" text "${text}")
  string(REPLACE "/usr/share/doc/lastgood/" "${doc_dir}/" text "${text}")
  file(WRITE "${staging}/${unit}" "${text}")
endforeach()
file(INSTALL "${staging}/lastgood.service" "${staging}/lastgood.timer"
     DESTINATION "${unit_dir}" FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(INSTALL "${LASTGOOD_SOURCE_DIR}/packaging/systemd/lastgood.sysusers"
     DESTINATION "${sysusers_dir}" RENAME lastgood.conf
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(INSTALL "${LASTGOOD_SOURCE_DIR}/packaging/config/config.toml" DESTINATION "${etc_dir}"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
