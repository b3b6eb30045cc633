// go_program: a Go program for cloneemu's thread tests (tests/threads).
//
// The Go runtime is a demanding guest: it starts several OS threads with
// clone, parks and wakes them with futexes, preempts goroutines that never
// call a function by sending SIGURG to their thread (tgkill) and rewriting
// the signal context, and runs its timers on nanosleep/epoll timeouts.
//
// Checked, with output that does not depend on scheduling:
//   - a channel pipeline (generator -> 3 squarers -> summer)
//   - 50 goroutines x 1000 increments under a sync.Mutex, with a WaitGroup
//   - an unbuffered channel ping-pong of 10000 round trips
//   - time.Sleep wakes goroutines in the order of their deadlines
//   - select: time.After fires when nothing else is ready, and a ready
//     channel wins against a long time.After
//   - 8 goroutines spin on an atomic flag in a loop without calls (so with
//     GOMAXPROCS=4 they hold every P); the main goroutine's 50 ms timer can
//     only run if the runtime preempts one asynchronously, and then it
//     sets the flag and all spinners stop
//   - garbage collection while goroutines allocate (runtime.GC, a
//     stop-the-world, needs every goroutine preempted)
//   - sync.Cond broadcast, sync.Once, a recovered panic in a goroutine
//
// GOMAXPROCS comes from the environment when set (cloneemu runs it with
// -E GOMAXPROCS=4); otherwise the program sets 4 itself, so native and
// emulated runs agree.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var failed int

func check(ok bool, what string) {
	if ok {
		fmt.Println("ok:", what)
	} else {
		fmt.Println("FAILED:", what)
		failed++
	}
}

func pipeline() {
	gen := make(chan int)
	sq := make(chan int, 4)
	go func() {
		for i := 1; i <= 1000; i++ {
			gen <- i
		}
		close(gen)
	}()
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range gen {
				sq <- v * v
			}
		}()
	}
	go func() {
		wg.Wait()
		close(sq)
	}()
	sum, n := 0, 0
	for v := range sq {
		sum += v
		n++
	}
	check(n == 1000 && sum == 333833500, fmt.Sprintf("pipeline: %d squares, sum %d", n, sum))
}

func mutexCounter() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	check(counter == 50000, fmt.Sprintf("mutex counter: %d", counter))
}

func pingPong() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	v := 0
	for i := 0; i < 10000; i++ {
		ping <- v
		v = <-pong
	}
	close(ping)
	_, open := <-pong
	check(v == 10000 && !open, fmt.Sprintf("unbuffered ping-pong: %d round trips", v))
}

func sleepOrder() {
	order := make(chan int, 4)
	start := time.Now()
	for i := 0; i < 4; i++ {
		go func(i int) {
			time.Sleep(time.Duration(4-i) * 50 * time.Millisecond)
			order <- i
		}(i)
	}
	got := make([]int, 0, 4)
	for i := 0; i < 4; i++ {
		got = append(got, <-order)
	}
	elapsed := time.Since(start)
	check(fmt.Sprint(got) == "[3 2 1 0]", fmt.Sprintf("time.Sleep wake order %v", got))
	check(elapsed >= 200*time.Millisecond, "the longest sleep (200 ms) took at least 200 ms")
}

func selects() {
	never := make(chan int)
	start := time.Now()
	select {
	case <-never:
		check(false, "select: nothing should come from a nil-sender channel")
	case <-time.After(20 * time.Millisecond):
		check(time.Since(start) >= 20*time.Millisecond, "select: time.After(20 ms) fired after >= 20 ms")
	}
	ready := make(chan int, 1)
	ready <- 7
	select {
	case v := <-ready:
		check(v == 7, "select: a ready channel wins against time.After(10 s)")
	case <-time.After(10 * time.Second):
		check(false, "select: time.After(10 s) fired before a ready channel")
	}
	tick := time.NewTicker(5 * time.Millisecond)
	ticks := 0
	for ticks < 5 {
		<-tick.C
		ticks++
	}
	tick.Stop()
	check(ticks == 5, "time.Ticker delivered 5 ticks")
}

var stop int32
var sink uint64

func spinners() {
	const n = 8
	var wg sync.WaitGroup
	var counts [n]uint64
	var started int32
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			atomic.AddInt32(&started, 1)
			c := uint64(0)
			for atomic.LoadInt32(&stop) == 0 {
				c++
			}
			counts[g] = c
		}(g)
	}
	// A timer while the spinners hold every P: needs async preemption.
	time.Sleep(50 * time.Millisecond)
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
	// Reaching this line at all is the test: main's timer ran while the
	// spinners held the Ps, and every spinner saw the flag.
	check(atomic.LoadInt32(&started) == n, "spinners: main's 50 ms timer ran while 8 spun on 4 Ps; all 8 stopped")
	for _, c := range counts {
		sink += c
	}
}

type node struct {
	next *node
	buf  [64]byte
}

func garbage() {
	var wg sync.WaitGroup
	var kept [4]int
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var head *node
			for i := 0; i < 200000; i++ {
				nd := &node{next: head}
				nd.buf[0] = byte(i)
				if i%1000 == 0 {
					head = nil // drop the list: garbage
				} else {
					head = nd
				}
			}
			for p := head; p != nil; p = p.next {
				kept[g]++
			}
		}(g)
	}
	runtime.GC()
	wg.Wait()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	check(kept == [4]int{999, 999, 999, 999}, fmt.Sprintf("allocating goroutines kept %v", kept))
	check(ms.NumGC >= 2, "runtime.GC ran (at least 2 collections)")
}

func condOncePanic() {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	ready := false
	var wg sync.WaitGroup
	var woke int32
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			for !ready {
				cond.Wait()
			}
			mu.Unlock()
			atomic.AddInt32(&woke, 1)
		}()
	}
	time.Sleep(10 * time.Millisecond)
	mu.Lock()
	ready = true
	cond.Broadcast()
	mu.Unlock()
	wg.Wait()
	check(woke == 5, "sync.Cond broadcast woke 5 waiters")

	var once sync.Once
	calls := int32(0)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			once.Do(func() { atomic.AddInt32(&calls, 1) })
		}()
	}
	wg.Wait()
	check(calls == 1, "sync.Once ran once for 10 goroutines")

	res := make(chan string)
	go func() {
		defer func() { res <- fmt.Sprint(recover()) }()
		var m map[string]int
		m["x"] = 1 // panics: assignment to entry in nil map
	}()
	check(<-res == "assignment to entry in nil map", "a goroutine's panic was recovered")
}

func main() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(4)
	}
	fmt.Println("GOMAXPROCS", runtime.GOMAXPROCS(0))
	pipeline()
	mutexCounter()
	pingPong()
	sleepOrder()
	selects()
	spinners()
	garbage()
	condOncePanic()
	os.Exit(failed)
}
