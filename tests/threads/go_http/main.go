// go_http: what a Go >= 1.23 program does at start-up (the runtime's
// netpoller needs eventfd: "runtime: eventfd failed" without it) and then a
// net/http server and client on loopback, a timer. Built by go_http_test.sh
// with the newest Go Debian has (trixie's, unpacked under .deps/go).
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Path)
	}))
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + ln.Addr().String() + "/go")
	if err != nil {
		fmt.Println("get:", err)
		os.Exit(2)
	}
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(string(b))
	t := time.NewTimer(10 * time.Millisecond)
	<-t.C
	fmt.Println("timer ok")
}
