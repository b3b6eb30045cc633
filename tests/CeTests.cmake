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

# ce_shell_tests(PREFIX CASEFILE TIMEOUT LABELS...): every case of CASEFILE
# (tests/e2e/shell_case.sh's format) becomes PREFIX_<shell>_<case>[_asan],
# run by shell_case.sh under each emulator. Editing the case file re-runs
# cmake, so adding a case is adding a line. Both shells need /bin/busybox
# (bash's PATH is busybox applets); bash cases also need /bin/bash-static.
set(CE_SHELL_CASE ${CMAKE_CURRENT_LIST_DIR}/e2e/shell_case.sh)
function(ce_shell_tests prefix casefile timeout)
	set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${casefile} ${CE_SHELL_CASE})
	if(NOT EXISTS /bin/busybox)
		message(WARNING "${prefix}: /bin/busybox not found; no shell tests from ${casefile}")
		return()
	endif()
	execute_process(COMMAND ${CE_SHELL_CASE} --list ${casefile}
		OUTPUT_VARIABLE list RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(WARNING "${prefix}: shell_case.sh --list ${casefile} failed; no shell tests")
		return()
	endif()
	string(REPLACE "\n" ";" list "${list}")
	foreach(emu ${CE_EMULATORS})
		ce_emu_suffix(${emu} sfx)
		foreach(entry ${list})
			if(entry STREQUAL "")
				continue()
			endif()
			string(REPLACE " " ";" f "${entry}")
			list(GET f 0 name)
			list(GET f 1 shell)
			if(shell STREQUAL "bash" AND NOT EXISTS /bin/bash-static)
				continue()
			endif()
			set(test ${prefix}_${shell}_${name}${sfx})
			add_test(NAME ${test}
				COMMAND ${CE_SHELL_CASE} $<TARGET_FILE:${emu}> ${shell} ${casefile} ${name})
			ce_emu_test(${test} ${emu} ${timeout} ${ARGN} shell ${shell})
		endforeach()
	endforeach()
endfunction()
