// go_net: a Go program using the network on the loopback, for cloneemu's
// network tests (tests/net). Go's runtime keeps every socket non-blocking
// and waits for them in its netpoller (epoll_wait on a dedicated thread,
// woken through an eventfd or pipe), so this checks host sockets under
// epoll with threads, as Go servers use them.
//
// Checked, with output that does not depend on scheduling or ports:
//   - net/http: a server on 127.0.0.1:0 (net.Listen), 20 GETs from 4
//     concurrent goroutines with keep-alive, a POST echoing its body,
//     a 404, and a graceful Shutdown
//   - net: a TCP echo over [::1], a UDP round trip over 127.0.0.1
//   - net.LookupHost("localhost") includes 127.0.0.1 (/etc/hosts)
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
)

func fail(format string, args ...interface{}) {
	fmt.Printf("FAILED: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Query().Get("n"))
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(bytes.ToUpper(b))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	srv := &http.Server{Handler: mux}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()

	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				resp, err := http.Get(fmt.Sprintf("%s/hello?n=%d", base, g*5+i))
				if err != nil {
					fail("get: %v", err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				got = append(got, string(b))
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
	sort.Strings(got)
	fmt.Printf("%d responses, first %q, last %q\n", len(got), got[0], got[len(got)-1])

	resp, err := http.Post(base+"/echo", "text/plain", strings.NewReader("posted body"))
	if err != nil {
		fail("post: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("POST: %d %s\n", resp.StatusCode, b)
	resp, err = http.Get(base + "/missing")
	if err != nil {
		fail("get missing: %v", err)
	}
	resp.Body.Close()
	fmt.Printf("missing: %d\n", resp.StatusCode)
	if err := srv.Shutdown(context.Background()); err != nil {
		fail("shutdown: %v", err)
	}
	fmt.Printf("Serve returned: %v\n", <-done)

	// TCP echo over ::1
	l6, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		fail("listen ::1: %v", err)
	}
	go func() {
		c, err := l6.Accept()
		if err != nil {
			return
		}
		io.Copy(c, c)
		c.Close()
	}()
	c, err := net.Dial("tcp", l6.Addr().String())
	if err != nil {
		fail("dial ::1: %v", err)
	}
	c.Write([]byte("over ipv6"))
	c.(*net.TCPConn).CloseWrite()
	b, _ = io.ReadAll(c)
	c.Close()
	l6.Close()
	fmt.Printf("tcp6 echo: %s\n", b)

	// UDP
	u, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		fail("udp listen: %v", err)
	}
	uc, err := net.Dial("udp", u.LocalAddr().String())
	if err != nil {
		fail("udp dial: %v", err)
	}
	uc.Write([]byte("datagram"))
	buf := make([]byte, 64)
	n, from, err := u.ReadFrom(buf)
	if err != nil {
		fail("udp read: %v", err)
	}
	fmt.Printf("udp: %s from the dialer: %v\n", buf[:n], from.String() == uc.LocalAddr().String())
	u.Close()
	uc.Close()

	addrs, err := net.LookupHost("localhost")
	has := false
	for _, a := range addrs {
		has = has || a == "127.0.0.1"
	}
	fmt.Printf("localhost resolves to 127.0.0.1: %v (err %v)\n", has, err)
}
