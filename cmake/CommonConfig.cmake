# Settings every Lookalike target shares, carried by one INTERFACE target so that
# nothing has to repeat them (qBittorrent's CommonConfig pattern).
add_library(lookalike_common INTERFACE)
target_compile_features(lookalike_common INTERFACE cxx_std_20)
target_compile_definitions(lookalike_common INTERFACE
    # libtorch headers use `slots`/`signals` as identifiers; Qt's keyword macros break them.
    QT_NO_KEYWORDS
    QT_NO_CAST_FROM_ASCII_DEPRECATED
    QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH
    QT_DISABLE_DEPRECATED_UP_TO=0x060400
)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(lookalike_common INTERFACE
        -Wall -Wextra -Wpedantic -Wno-sign-compare -Wnon-virtual-dtor -Wcast-align
        -Woverloaded-virtual)
endif()
