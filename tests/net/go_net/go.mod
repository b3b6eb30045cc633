module cloneemu/go_net

go 1.19
