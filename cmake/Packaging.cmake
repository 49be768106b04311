# What `cmake --install` puts under CMAKE_INSTALL_PREFIX (/usr for the package) beside the
# binary, and the Debian package CPack makes of it (`cmake --build BUILD --target package`).
include(GNUInstallDirs)

set(QUEUEDECK_APP_ID io.queuedeck.QueueDeck)
set(linux_dir ${PROJECT_SOURCE_DIR}/resources/linux)
set(icons_dir ${PROJECT_SOURCE_DIR}/resources/icons)

install(FILES ${linux_dir}/${QUEUEDECK_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${linux_dir}/${QUEUEDECK_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${icons_dir}/${QUEUEDECK_APP_ID}.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
# PNGs rendered from the SVG by scripts/render-icons.sh, committed.
install(DIRECTORY ${icons_dir}/hicolor/ DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/samples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/queuedeck/samples)
# Debian names the folder after the package (GNUInstallDirs would use the project name).
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/queuedeck)
install(FILES ${linux_dir}/completions/queuedeck.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
    RENAME queuedeck)
install(FILES ${linux_dir}/completions/_queuedeck DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
# systemd's own unit directory, /usr/lib/systemd/system with the package's prefix.
install(FILES ${linux_dir}/queuedeck.service DESTINATION lib/systemd/system)

# Debian keeps manual pages compressed.
set(manpage ${CMAKE_CURRENT_BINARY_DIR}/queuedeck.1.gz)
add_custom_command(OUTPUT ${manpage}
    COMMAND gzip -9 -n -c ${linux_dir}/queuedeck.1 > ${manpage}
    DEPENDS ${linux_dir}/queuedeck.1
    VERBATIM)
add_custom_target(queuedeck_manpage ALL DEPENDS ${manpage})
install(FILES ${manpage} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME queuedeck)
set(CPACK_PACKAGE_VENDOR "The QueueDeck developers")
set(CPACK_PACKAGE_CONTACT "The QueueDeck developers <queuedeck@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Run and watch a durable image-processing queue")
set(CPACK_PACKAGE_DESCRIPTION
    "QueueDeck runs an image-processing queue pipeline of the Cloudflare Queues kind and shows it live: \
an HTTP producer, a durable SQLite or PostgreSQL queue with batching, retries and dead-letter queues, \
webhook, HTTP pull and image consumers, a desktop window with live charts and failure triage, and a \
headless runtime with a systemd unit.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # queuedeck_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the libraries the binary links (dpkg-shlibdeps, package dpkg-dev), plus what
# Qt loads at run time, which no linker sees: the platform plugins the window needs (xcb,
# wayland; libqt6gui6 only recommends them), the WebP and TIFF image readers, and Qt's
# PostgreSQL driver for --store postgresql://….
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, qt6-image-formats-plugins")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libqt6sql6-psql")
include(CPack)
