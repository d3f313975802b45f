# `cmake --install <build> [--prefix DIR]`: the unspin binary, its default
# model, the library (one static library per module, the public headers), a
# CMake package (find_package(unspin) -> unspin::<module>) and a pkg-config
# file. Everything found relative to where it is installed, so that the
# prefix can be chosen at install time or moved afterwards.
include(CMakePackageConfigHelpers)

get_property(unspin_module_targets GLOBAL PROPERTY UNSPIN_MODULE_TARGETS)
install(TARGETS ${unspin_module_targets} EXPORT unspinTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/unspin DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(unspin_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/unspin)
install(EXPORT unspinTargets NAMESPACE unspin:: DESTINATION ${unspin_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/unspinConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/unspinConfig.cmake
                              INSTALL_DESTINATION ${unspin_cmake_dir})
# 0.x: a minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/unspinConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/unspinConfig.cmake
              ${PROJECT_BINARY_DIR}/unspinConfigVersion.cmake
        DESTINATION ${unspin_cmake_dir})

# Modules are defined in dependency order (src/CMakeLists.txt): reversed, they
# are in link order.
set(unspin_pkgconfig_libs "")
foreach(target ${unspin_module_targets})
  set(unspin_pkgconfig_libs "-l${target} ${unspin_pkgconfig_libs}")
endforeach()
string(STRIP "${unspin_pkgconfig_libs}" unspin_pkgconfig_libs)
if(UNSPIN_SANITIZE)
  string(APPEND unspin_pkgconfig_libs " -fsanitize=address,undefined")
endif()
file(RELATIVE_PATH unspin_pkgconfig_to_prefix ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
configure_file(${PROJECT_SOURCE_DIR}/cmake/unspin.pc.in ${PROJECT_BINARY_DIR}/unspin.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/unspin.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
