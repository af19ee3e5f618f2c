# Install rules for the desktop integration files, and the Debian package (CPack).
# Included last from the top-level CMakeLists.txt. The executables install themselves
# (src/cli, src/gui); what is here belongs to the desktop application and is installed only
# when it is built. See docs/packaging.md.

set(LOOKALIKE_APP_ID io.github.lookalike.Lookalike)

if(LOOKALIKE_BUILD_GUI)
    set(_lookalike_app_icon ${PROJECT_SOURCE_DIR}/resources/icons/lookalike.svg)
    set(_lookalike_icon_dir ${CMAKE_INSTALL_DATADIR}/icons/hicolor)

    install(FILES ${PROJECT_SOURCE_DIR}/packaging/${LOOKALIKE_APP_ID}.desktop
            DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${PROJECT_SOURCE_DIR}/packaging/${LOOKALIKE_APP_ID}.metainfo.xml
            DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
    install(FILES ${_lookalike_app_icon}
            DESTINATION ${_lookalike_icon_dir}/scalable/apps RENAME ${LOOKALIKE_APP_ID}.svg)

    # PNG renders for docks and menus that do not read SVG. QtSvg renders them, the same
    # renderer the window uses, so the build needs no tool beyond Qt.
    add_executable(lookalike_svgtopng ${PROJECT_SOURCE_DIR}/packaging/svgtopng.cpp)
    target_link_libraries(lookalike_svgtopng PRIVATE lookalike_common Qt6::Gui Qt6::Svg)
    set(_lookalike_pngs)
    foreach(size IN ITEMS 48 256)
        set(_dir ${PROJECT_BINARY_DIR}/icons/${size}x${size})
        set(_png ${_dir}/${LOOKALIKE_APP_ID}.png)
        add_custom_command(OUTPUT ${_png}
            COMMAND ${CMAKE_COMMAND} -E make_directory ${_dir}
            COMMAND lookalike_svgtopng ${_lookalike_app_icon} ${size} ${_png}
            DEPENDS lookalike_svgtopng ${_lookalike_app_icon}
            COMMENT "Rendering the application icon at ${size} px"
            VERBATIM)
        list(APPEND _lookalike_pngs ${_png})
        install(FILES ${_png} DESTINATION ${_lookalike_icon_dir}/${size}x${size}/apps)
    endforeach()
    add_custom_target(lookalike_icon_pngs ALL DEPENDS ${_lookalike_pngs})
endif()

# --- Debian package: `cpack -G DEB` in the build directory.
set(LOOKALIKE_PACKAGE_MAINTAINER "Lookalike developers <lookalike@example.invalid>" CACHE STRING
    "Maintainer field of the .deb (Debian policy wants a name and an e-mail address)")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lookalike)
set(CPACK_PACKAGE_VENDOR "Lookalike developers")
set(CPACK_PACKAGE_CONTACT ${LOOKALIKE_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY ${PROJECT_DESCRIPTION})
if(LOOKALIKE_BUILD_GUI)
    set(_lookalike_contents "the desktop application, lookalike, and the\ncommand-line tool, lookalike-cli")
else()
    set(_lookalike_contents "the command-line tool lookalike-cli")
endif()
# Line breaks are kept: the Debian description wants lines shorter than 80 characters.
set(CPACK_PACKAGE_DESCRIPTION "Lookalike indexes folders of images - photos, exported radiographs with
their reports, visual datasets - and finds the images most similar to an
example image, to report text, or to both, as well as near-duplicates.
Nothing is sent anywhere: it makes no network connection.
This package contains ${_lookalike_contents}.")
# The project has no public homepage yet; an empty value keeps CPack from writing the
# placeholder HOMEPAGE_URL of project() into the Homepage field.
set(CPACK_PACKAGE_HOMEPAGE_URL "")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${LOOKALIKE_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION graphics)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Library dependencies come from dpkg-shlibdeps (package dpkg-dev). Qt loads the WebP and TIFF
# decoders as plugins, which dpkg-shlibdeps cannot see.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-image-formats-plugins")
# Any libblas.so.3 works; the reference one is about 30x slower for search.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-openmp | libopenblas0")

set(CPACK_SOURCE_GENERATOR TXZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/out/" "/\\\\.gl/" "/\\\\.whl/" "__pycache__")

include(CPack)
