module cloneemu.test/goprogram

go 1.19
