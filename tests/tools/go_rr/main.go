// The Go subject of the record/replay and same-seed tests (rr_cases.sh):
// reads the file named by its argument, counts its words in goroutines,
// stats it, lists its directory, and prints the counts with random bytes
// (crypto/rand: getrandom), math/rand's seed-less numbers (the runtime's
// seed) and the wall clock (time.Now: the host's time at the start of a
// run, or --epoch's, which same-seed runs then share).
package main

import (
	"crypto/rand"
	"fmt"
	mrand "math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Println("read:", err)
		os.Exit(1)
	}
	lines := strings.Split(string(data), "\n")
	counts := make([]int, len(lines))
	var wg sync.WaitGroup
	for i, l := range lines {
		wg.Add(1)
		go func(i int, l string) {
			defer wg.Done()
			counts[i] = len(strings.Fields(l))
		}(i, l)
	}
	wg.Wait()
	words := 0
	for _, c := range counts {
		words += c
	}
	st, _ := os.Stat(os.Args[1])
	ents, _ := os.ReadDir(filepath.Dir(os.Args[1]))
	names := []string{}
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	b := make([]byte, 8)
	rand.Read(b)
	fmt.Printf("lines %d words %d size %d dir %v\n", len(lines), words, st.Size(), names)
	time.Sleep(10 * time.Millisecond)
	fmt.Printf("random %x math/rand %d\n", b, mrand.Intn(1000000))
	fmt.Printf("now %s\n", time.Now().UTC().Format(time.RFC3339Nano))
}
