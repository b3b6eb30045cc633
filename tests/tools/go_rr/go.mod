module go_rr

go 1.23
