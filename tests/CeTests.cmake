# Shared by the test folders (included by tests/CMakeLists.txt): the guests
# guests/CMakeLists.txt built, the emulators to run them under, and how a
# test that runs an emulator is set up.

get_property(CE_GUESTS GLOBAL PROPERTY CE_GUESTS)
get_property(CE_GUEST_DIR GLOBAL PROPERTY CE_GUEST_DIR)
get_property(CE_GUEST_LIBCS GLOBAL PROPERTY CE_GUEST_LIBCS)
get_property(CE_GUEST_PIE GLOBAL PROPERTY CE_GUEST_PIE)

set(CE_EMULATORS "")
foreach(emu cloneemu cloneemu-asan)
	if(TARGET ${emu})
		list(APPEND CE_EMULATORS ${emu})
	endif()
endforeach()

# ce_emu_suffix(emu OUT): "_asan" for the sanitized emulator, else "".
function(ce_emu_suffix emu out)
	if(emu STREQUAL "cloneemu-asan")
		set(${out} _asan PARENT_SCOPE)
	else()
		set(${out} "" PARENT_SCOPE)
	endif()
endfunction()

# ce_emu_test(test emu TIMEOUT LABELS...): timeout and labels (plus "asan"
# for the sanitized emulator, with the sanitizer options the harness hands
# to the emulator process only).
function(ce_emu_test test emu timeout)
	set(labels ${ARGN})
	if(emu STREQUAL "cloneemu-asan")
		list(APPEND labels asan)
		set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT
			"ASAN_OPTIONS=detect_leaks=1:abort_on_error=0" "UBSAN_OPTIONS=print_stacktrace=1")
	endif()
	set_tests_properties(${test} PROPERTIES TIMEOUT ${timeout} LABELS "${labels}")
endfunction()
